//! `veil bench --snarkjs` exports Veil's circuit and witness in iden3's binary formats: snarkjs
//! (npm, an implementation no one here wrote) must read both and find every constraint
//! satisfied, and must find a broken constraint when one witness value or one coefficient is
//! changed. (Skipped without snarkjs in tools/node_modules, unless `VEIL_REQUIRE_SNARKJS` is
//! set: `scripts/test.sh` installs it.)
use rand::SeedableRng;
use veil_circuits::statements::{CallShape, R1csStatement, UsageCall};
use veil_circuits::Fr;
use veil_engine::bench::snarkjs::{r1cs_bytes, wtns_bytes, Snarkjs};
use veil_prover::backend::groth16::{insecure_setup, Groth16Prover};

/// snarkjs from tools/node_modules; `None` (the test skips) when it is not installed, unless
/// `VEIL_REQUIRE_SNARKJS` is set.
fn snarkjs() -> Option<Snarkjs> {
    let js = Snarkjs::find();
    if js.is_none() {
        assert!(
            std::env::var_os("VEIL_REQUIRE_SNARKJS").is_none(),
            "VEIL_REQUIRE_SNARKJS is set and snarkjs is not installed"
        );
        eprintln!("SKIPPED: snarkjs not installed (scripts/test.sh installs it in tools/)");
    }
    js
}

#[test]
fn snarkjs_checks_the_exported_circuit_and_witness() {
    let Some(js) = snarkjs() else {
        return;
    };
    let (public, witness) = veil_testkit::vectors::call(0);
    let shape = CallShape { depth: 16 };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let pk = insecure_setup(UsageCall::blank(&shape), &mut rng).unwrap();
    let prover = Groth16Prover::new(pk, UsageCall::blank(&shape)).unwrap();
    let full = prover
        .assignment(UsageCall::circuit(&shape, public, witness))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let r1cs = r1cs_bytes(&prover.matrices).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("c.r1cs", &r1cs);
    write("w.wtns", &wtns_bytes(&full).unwrap());
    let info = js.run(dir.path(), &["r1cs", "info", "c.r1cs"]).unwrap();
    assert!(info.contains("# of Constraints: 5777"), "{info}");
    assert!(info.contains("# of Public Inputs: 5"), "{info}");
    js.run(dir.path(), &["wtns", "check", "c.r1cs", "w.wtns"])
        .unwrap();

    let mut bad = full.clone();
    bad[full.len() / 2] += Fr::from(1u64);
    write("bad.wtns", &wtns_bytes(&bad).unwrap());
    let e = js
        .run(dir.path(), &["wtns", "check", "c.r1cs", "bad.wtns"])
        .expect_err("a changed witness value breaks a constraint");
    assert!(e.to_string().contains("snarkjs wtns check"), "{e}");

    let mut m = prover.matrices.clone();
    let row = m.abc[0].iter().position(|r| !r.is_empty()).unwrap();
    m.abc[0][row][0].0 += Fr::from(1u64);
    write("bad.r1cs", &r1cs_bytes(&m).unwrap());
    assert!(
        js.run(dir.path(), &["wtns", "check", "bad.r1cs", "w.wtns"])
            .is_err(),
        "a changed coefficient breaks its constraint"
    );
}

/// A powers-of-tau file snarkjs made (`powersoftau new`, a contribution, `prepare phase2`: the
/// format of the public ceremonies) becomes halo2 parameters: checked, hashed, and good for a
/// proof that verifies; a file too small or with a changed point is refused by name.
#[test]
fn a_snarkjs_powers_of_tau_file_becomes_halo2_parameters() {
    use veil_circuits::statements::Statement;
    use veil_engine::setup::{self, ShapeOptions};
    use veil_halo2::kzg;
    let Some(js) = snarkjs() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ptau = js.tau(dir.path(), 10).unwrap();
    let params = dir.path().join("params");
    std::fs::create_dir_all(&params).unwrap();
    let call = |ptau: &std::path::Path| {
        setup::setup_halo2(
            "usage-call",
            &ShapeOptions::default(),
            Some(params.clone()),
            Some(ptau),
            false,
            &veil_engine::Silent,
        )
    };
    let done = call(&ptau).unwrap();
    let src = done.params.ptau.clone().expect("the source is recorded");
    assert!(!done.params.insecure_dev_setup);
    assert_eq!((done.params.k, src.power), (10, 10));
    assert_eq!((src.blake2b.len(), src.sha256.len()), (128, 64));

    let (p, _) = veil_engine::halo2_params::load(&params).unwrap();
    let shape = CallShape { depth: 16 };
    let pk = kzg::keygen::<UsageCall>(&p, &shape).unwrap();
    let (public, witness) = veil_testkit::vectors::call(0);
    let inputs = UsageCall::public_inputs(&public);
    let prover = veil_prover::backend::halo2::prover_params(p.clone()).unwrap();
    let proof = kzg::prove::<UsageCall>(&prover, &pk, &shape, public, witness).unwrap();
    kzg::verify(&p, pk.get_vk(), &inputs, &proof).expect("a proof under the ceremony's τ");

    // The tier needs 2^11 rows; the file holds 2^10 powers.
    let e = setup::setup_halo2(
        "usage-tier",
        &ShapeOptions::default(),
        Some(params.clone()),
        Some(&ptau),
        false,
        &veil_engine::Silent,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("holds 2^10 powers") && e.contains("2^11"), "{e}");

    // One coordinate of [τ^5]₁ changed (section 2 follows the header: magic, version, count,
    // then header section id, size, body of 4 + 32 + 4 + 4 bytes, then id and size).
    let mut bytes = std::fs::read(&ptau).unwrap();
    let tau_g1 = 12 + 12 + 44 + 12;
    bytes[tau_g1 + 5 * 64 + 3] ^= 1;
    let bad = dir.path().join("bad.ptau");
    std::fs::write(&bad, &bytes).unwrap();
    let e = call(&bad).unwrap_err().to_string();
    assert!(
        e.contains("bad.ptau") && e.contains("not a BN254 .ptau file"),
        "{e}"
    );
    // A file named like a published Hermez file must be it.
    for (name, refusal) in [
        (
            "powersOfTau28_hez_final_10.ptau",
            "is not the published powersOfTau28_hez_final_10.ptau",
        ),
        (
            "powersOfTau28_hez_final_30.ptau",
            "no powersOfTau28_hez_final file of power 30",
        ),
    ] {
        let renamed = dir.path().join(name);
        std::fs::copy(&ptau, &renamed).unwrap();
        let e = call(&renamed).unwrap_err().to_string();
        assert!(e.contains(refusal), "{e}");
    }
}

/// Veil's table of the published Hermez files is snarkjs's own: every row of the README that
/// ships with the snarkjs npm package (power and Blake2b-512) is in it, and nothing else.
#[test]
fn the_published_ptau_hashes_are_the_ones_snarkjs_lists() {
    if snarkjs().is_none() {
        return;
    }
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tools/node_modules/snarkjs/README.md");
    let text = std::fs::read_to_string(&readme).unwrap();
    let mut listed = Vec::new();
    for line in text.lines() {
        let Some(at) = line.find("[powersOfTau28_hez_final_") else {
            continue;
        };
        let name = &line[at + 1..line[at..].find(']').unwrap() + at];
        let hash = line
            .split('|')
            .map(str::trim)
            .find(|c| c.len() == 128 && c.chars().all(|x| x.is_ascii_hexdigit()))
            .unwrap();
        let power = veil_halo2::ptau::hermez_power_of_name(name).unwrap();
        listed.push((power, hash.to_string()));
    }
    let ours: Vec<(u32, String)> = veil_engine::halo2_params::HERMEZ_FILES
        .iter()
        .map(|(p, h)| (*p, h.to_string()))
        .collect();
    assert_eq!(listed, ours);
    assert_eq!(
        veil_engine::halo2_params::published_power(&ours[4].1),
        Some(12)
    );
}

/// A standard statement exported for a phase-2 ceremony (`veil setup --ceremony-export`): the
/// `.r1cs` snarkjs reads has the sizes Veil's description and the size snapshot give, and the
/// description names the smallest Hermez file that fits. (The whole ceremony runs on a toy
/// statement in `veil-cli`'s `registry` tests.)
#[test]
fn a_statement_exports_for_a_ceremony_as_snarkjs_reads_it() {
    use veil_engine::registry::Registry;
    use veil_engine::setup::ShapeOptions;
    let dir = tempfile::tempdir().unwrap();
    let (d, description) = Registry::standard()
        .ceremony_export("usage-call", &ShapeOptions::default(), dir.path(), false)
        .unwrap();
    assert_eq!(description, dir.path().join("usage-call-d16.ceremony.json"));
    let sizes: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/snapshots/sizes.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let want = &sizes["groth16"]["usage-call-d16"];
    assert_eq!(
        (d.constraints as u64, d.public_inputs as u64),
        (
            want["constraints"].as_u64().unwrap(),
            want["public_inputs"].as_u64().unwrap()
        )
    );
    assert_eq!(
        d.ptau_power,
        veil_engine::bench::snarkjs::tau_power(d.constraints, d.public_inputs)
    );
    let Some(js) = snarkjs() else {
        return;
    };
    let info = js.run(dir.path(), &["r1cs", "info", &d.r1cs]).unwrap();
    for line in [
        format!("# of Wires: {}", d.wires),
        format!("# of Constraints: {}", d.constraints),
        format!("# of Public Inputs: {}", d.public_inputs),
    ] {
        assert!(info.contains(&line), "{line:?} not in {info}");
    }
}
