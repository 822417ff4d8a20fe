//! UltraHonk through bb: gate counts (no CRS), refusal without a CRS (no network touched),
//! and, where `VEIL_CRS_PATH` points at the Ignition files, honest proofs of every statement
//! verifying and tampered public inputs rejected.

use veil_circuits::statements::PublicInputs as _;
use veil_testkit::vectors;

use veil_circuits::statements::settlement::{self, Counter};
use veil_circuits::Fr;
use veil_noir::toolchain::{self, artifact_path};
use veil_noir::twins;
use veil_prover::backend::ultrahonk::{write_insecure_dev_crs, UltraHonk, Verdict};
use veil_prover::ProverError;
use veil_verifier::proof::ProofEnvelope;

/// bb, or `None` with the reason printed (an error under `VEIL_REQUIRE_NOIR=1`).
fn bb() -> Option<UltraHonk> {
    let ready = toolchain::ensure_built()
        .map_err(|e| e.to_string())
        .and_then(|_| UltraHonk::new(toolchain::bb_path()).map_err(|e| e.to_string()));
    match ready {
        Ok(b) => Some(b),
        Err(e) if std::env::var_os("VEIL_REQUIRE_NOIR").is_none() => {
            toolchain::skip(&format!(
                "{e} (set VEIL_REQUIRE_NOIR=1 to make this an error)"
            ));
            None
        }
        Err(e) => panic!("VEIL_REQUIRE_NOIR is set: {e}"),
    }
}

/// Every statement of the shared vectors: program, Noir inputs, Rust public inputs.
fn statements() -> Vec<(&'static str, serde_json::Value, Vec<Fr>)> {
    let (pp, pw) = vectors::preview(0b110);
    let (tp, tw) = vectors::totals_batch(1);
    let (cp, cw) = vectors::call(0);
    let (yp, yw) = vectors::tier(0, 10);
    vec![
        (
            "preview_membership",
            twins::preview(&pp, &pw),
            pp.to_field_elements(),
        ),
        (
            "disclosure_totals",
            twins::totals(&tp, &tw),
            tp.to_field_elements(),
        ),
        ("usage_call", twins::call(&cp, &cw), cp.to_field_elements()),
        ("usage_tier", twins::tier(&yp, &yw), yp.to_field_elements()),
    ]
}

fn tier_inputs() -> serde_json::Value {
    let (p, w) = vectors::tier(0, 10);
    twins::tier(&p, &w)
}

#[test]
fn proving_without_a_crs_is_refused_up_front() {
    let Some(bb) = bb() else { return };
    let program = artifact_path("usage_tier");
    let message = |r: Result<_, ProverError>| match r {
        Err(ProverError::Crs(m)) => m,
        Err(e) => panic!("expected a CRS error, got {e}"),
        Ok(_) => panic!("proved without a CRS"),
    };
    // None configured.
    let m = message(bb.prove(&program, &tier_inputs()));
    assert!(
        m.contains("VEIL_CRS_PATH") && m.contains("docs/noir.md"),
        "{m}"
    );
    // A directory without the files, then one with too few points.
    let dir = tempfile::tempdir().unwrap();
    let with = bb.clone().with_crs(dir.path().to_path_buf());
    let m = message(with.prove(&program, &tier_inputs()));
    assert!(m.contains("bn254_g2.dat"), "{m}");
    std::fs::write(dir.path().join("bn254_g2.dat"), [0u8; 128]).unwrap();
    let m = message(with.prove(&program, &tier_inputs()));
    assert!(m.contains("bn254_g1.dat is missing"), "{m}");
    std::fs::write(dir.path().join("bn254_g1.dat"), vec![0u8; 64 * 100]).unwrap();
    let m = message(with.prove(&program, &tier_inputs()));
    assert!(
        m.contains("holds 100 points; this circuit needs 16384"),
        "{m}"
    );
    // Files of the right size that cannot be the Ignition transcript's, each refused by name.
    let real = tempfile::tempdir().unwrap();
    write_insecure_dev_crs(real.path(), 1 << 14).unwrap();
    let g1 = std::fs::read(real.path().join("bn254_g1.dat")).unwrap();
    let g2 = std::fs::read(real.path().join("bn254_g2.dat")).unwrap();
    let mut truncated = g1.clone();
    truncated.push(0);
    std::fs::write(dir.path().join("bn254_g1.dat"), &truncated).unwrap();
    let m = message(with.prove(&program, &tier_inputs()));
    assert!(m.contains("not a whole number of 64-byte points"), "{m}");
    let mut moved = g1.clone();
    moved[63] = 3;
    std::fs::write(dir.path().join("bn254_g1.dat"), &moved).unwrap();
    let m = message(with.prove(&program, &tier_inputs()));
    assert!(m.contains("first point is not the generator"), "{m}");
    std::fs::write(dir.path().join("bn254_g1.dat"), &g1).unwrap();
    let m = message(with.prove(&program, &tier_inputs()));
    assert!(
        m.contains("bn254_g2.dat") && m.contains("not a point of G2"),
        "{m}"
    );
    std::fs::write(dir.path().join("bn254_g2.dat"), &g2[..64]).unwrap();
    let m = message(with.prove(&program, &tier_inputs()));
    assert!(m.contains("64 bytes; it holds one G2 point"), "{m}");
    // Refused inputs are refused before any of that.
    let (p, w) = vectors::tier(0, 3);
    match bb.prove(&program, &twins::tier(&p, &w)) {
        Err(ProverError::Noir(e)) => assert!(e.to_string().contains("count above the tier"), "{e}"),
        other => panic!("expected the program to refuse, got {other:?}"),
    }
}

#[test]
fn proofs_verify_with_the_ignition_crs() {
    let Some(bb) = bb() else { return };
    let Some(crs) = std::env::var_os("VEIL_CRS_PATH") else {
        toolchain::skip(
            "proofs_verify_with_the_ignition_crs: VEIL_CRS_PATH is not set; UltraHonk proving \
             needs the Aztec Ignition CRS, which this machine cannot download (docs/noir.md \
             says how an operator provides it)",
        );
        return;
    };
    let bb = bb.with_crs(crs.into());
    for (program, inputs, _) in statements() {
        let path = artifact_path(program);
        let proof = bb.prove(&path, &inputs).unwrap();
        assert_eq!(
            bb.verify(&path, &proof).unwrap(),
            Verdict::Accepted,
            "{program}"
        );
        for bad in tampered(&proof) {
            assert!(
                !bb.verify(&path, &bad).unwrap().accepted(),
                "{program}: tampered proof accepted"
            );
        }
    }
}

/// The first and the last public input changed, and a proof byte flipped.
/// (The last public input is the one no gate reads in `usage_call`, the request hash: bb binds
/// it all the same.)
fn tampered(proof: &ProofEnvelope) -> Vec<ProofEnvelope> {
    let mut first = proof.clone();
    first.public_inputs[0] = Fr::from(1u64);
    let mut last = proof.clone();
    *last.public_inputs.last_mut().unwrap() = Fr::from(2u64);
    let mut bytes = proof.clone();
    let mut p = hex::decode(&bytes.proof).unwrap();
    let at = p.len() / 3;
    p[at] ^= 1;
    bytes.proof = hex::encode(p);
    vec![first, last, bytes]
}

/// Without the Ignition files, an insecure CRS made here still exercises the whole path: bb
/// proves every statement from the ACVM's witness (with the ACVM's public inputs), and its
/// verifier passes an honest proof up to the final pairing, which fails only because bb 5.0.0
/// pairs with the real Ignition G2 point. A tampered proof or public input fails earlier.
#[test]
fn insecure_dev_crs_proves_every_statement() {
    let Some(bb) = bb() else { return };
    let dir = tempfile::tempdir().unwrap();
    write_insecure_dev_crs(dir.path(), 1 << 14).unwrap();
    let bb = bb.with_crs(dir.path().to_path_buf());
    for (program, inputs, rust_public) in statements() {
        let path = artifact_path(program);
        let proof = bb.prove(&path, &inputs).unwrap();
        assert_eq!(
            proof.public_inputs, rust_public,
            "{program}: bb's public inputs"
        );
        assert_eq!(
            (proof.backend.as_str(), proof.key.as_str()),
            (
                veil_verifier::proof::ULTRAHONK,
                toolchain::veil_name(program).as_str()
            ),
            "one envelope, naming its backend and program"
        );
        // The envelope survives its own JSON, and a version-1 proof file converts to it.
        assert_eq!(ProofEnvelope::from_json(&proof.to_json()).unwrap(), proof);
        assert_eq!(
            bb.verify(&path, &proof).unwrap(),
            Verdict::Rejected {
                stage: "pairing check".into()
            },
            "{program}: honest proof should fail only at the pairing"
        );
        for bad in tampered(&proof) {
            assert_eq!(
                bb.verify(&path, &bad).unwrap(),
                Verdict::Rejected {
                    stage: "reduction step".into()
                },
                "{program}: tampered proof"
            );
        }
        // The same proof presented as another program is refused before bb's verifier runs:
        // usage_call and usage_tier have 5 public inputs each, so only the key tells them apart.
        for other in ["usage_call", "usage_tier", "preview_membership"] {
            if other == program {
                continue;
            }
            let mut renamed = proof.clone();
            renamed.key = other.into();
            match bb.verify(&artifact_path(other), &renamed) {
                Err(ProverError::Verify(veil_verifier::VerifyError::Mismatch(m))) => assert!(
                    m.contains("verification key is not") || m.contains("public inputs"),
                    "{program} as {other}: {m}"
                ),
                r => panic!("{program} presented as {other}: {r:?}"),
            }
        }
    }
}

/// Field elements of a bb binary file (32 bytes each, big-endian), as JSON hex.
fn fields_of(hex_bytes: &str) -> Vec<serde_json::Value> {
    hex::decode(hex_bytes)
        .unwrap()
        .chunks(32)
        .map(|c| serde_json::Value::String(format!("0x{}", hex::encode(c))))
        .collect()
}

/// Settlement with the preview verified inside. A real recursive-target preview proof (made
/// with the insecure development CRS) feeds `settlement_with_preview`: the ACVM executes it to
/// the same outputs as plain settlement and refuses a preview of another dataset. The ACVM
/// leaves the recursive verification to the prover, so bb proves the 706k-gate circuit three
/// times: with the right key hash the proof fails only at the final pairing (the development
/// CRS), i.e. every constraint holds; with a wrong key hash or an edited inner proof the
/// constraints fail (bb stops at the reduction step). So `preview_key_hash` does pin the
/// preview circuit, and a forged preview cannot pass settlement.
#[test]
fn settlement_verifies_a_recursive_preview_proof() {
    let Some(bb) = bb() else { return };
    let dir = tempfile::tempdir().unwrap();
    write_insecure_dev_crs(dir.path(), 1 << 20).unwrap();
    let bb = bb.with_crs(dir.path().to_path_buf());
    let (pp, pw) = vectors::preview(0b110);
    let preview = bb
        .prove(
            &artifact_path("preview_membership"),
            &twins::preview(&pp, &pw),
        )
        .unwrap();
    let data = preview.ultrahonk.clone().unwrap();
    let vk = fields_of(&data.vk);
    let proof = fields_of(&preview.proof);
    assert_eq!(
        (vk.len(), proof.len()),
        (115, 458),
        "bb 5.0.0's recursive proof layout"
    );
    let public: Vec<serde_json::Value> = preview
        .public_inputs
        .iter()
        .map(|x| serde_json::Value::String(veil_circuits::field::to_hex(x)))
        .collect();

    let t = vectors::terms();
    let b = vectors::buyer(1);
    let counter = Counter::initial(t.seller, Fr::from(9u64));
    let (p, w) = settlement::purchase(
        t,
        counter,
        vectors::payment(&b, 1_250),
        b,
        100,
        1_000,
        Fr::from(3u64),
    );
    let mut inputs = twins::settlement(&p, &w);
    inputs["preview_key_hash"] = format!("0x{}", data.vk_hash).into();
    inputs["preview_vk"] = vk.into();
    inputs["preview_proof"] = proof.into();
    inputs["preview_public"] = public.into();
    let recursive = toolchain::load("settlement_with_preview").unwrap();
    let plain = toolchain::load("settlement").unwrap();
    let with = veil_noir::execute(&recursive, &inputs).unwrap();
    let without = veil_noir::execute(&plain, &twins::settlement(&p, &w)).unwrap();
    assert_eq!(with.return_values, without.return_values);
    let (out, _) = settlement::settle(&p, &w).unwrap();
    let got: Vec<Fr> = with
        .return_values
        .iter()
        .map(|x| veil_noir::from_acir(*x))
        .collect();
    assert_eq!(got, out.to_field_elements());

    let mut other = inputs.clone();
    other["preview_public"][0] = serde_json::json!("0x05");
    match veil_noir::execute(&recursive, &other) {
        Err(veil_noir::Error::Unsatisfied { message, .. }) => {
            assert!(message.contains("another dataset"), "{message}")
        }
        other => panic!("a preview of another dataset was not refused: {other:?}"),
    }

    let path = artifact_path("settlement_with_preview");
    let stage =
        |inputs: &serde_json::Value| match bb.verify(&path, &bb.prove(&path, inputs).unwrap()) {
            Ok(Verdict::Rejected { stage }) => stage,
            other => panic!("a development-CRS proof cannot verify: {other:?}"),
        };
    assert_eq!(
        stage(&inputs),
        "pairing check",
        "honest: every constraint holds"
    );
    let mut wrong_key = inputs.clone();
    wrong_key["preview_key_hash"] = serde_json::json!("0x01");
    assert_eq!(stage(&wrong_key), "reduction step", "another key hash");
    let mut forged = inputs.clone();
    forged["preview_proof"][100] = serde_json::json!("0x01");
    assert_eq!(stage(&forged), "reduction step", "an edited inner proof");
}
