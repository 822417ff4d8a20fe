//! The halo2 files a period fold and the halo2 backend keep: parameters checked against their
//! description, and a fold refused before any proving when its inputs cannot fit.

use veil_circuits::statements::totals::Sale;
use veil_engine::aggregate::{prove, verify};
use veil_engine::audit::{Expected, ReportRequest};
use veil_engine::files::write_output;
use veil_engine::halo2_params::{self, load, setup_insecure, INFO_FILE, PARAMS_FILE};
use veil_engine::ledger::{SqliteStore, Store};
use veil_engine::Silent;
use veil_halo2::aggregate;
use veil_verifier::proof::HALO2;
use veil_verifier::totals::{AggregateReport, AGGREGATE_VERSION};

/// What refuses before any proving: parameters too small for the fold, a report for
/// another seller, period or root.
#[test]
fn a_fold_is_refused_early_and_by_name() {
    use rand::SeedableRng;
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = SqliteStore::create(&dir.path().join("m.db")).expect("ledger");
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    ledger
        .settle(&Sale::simulated(&mut rng, 6, 1, 1_000))
        .expect("sales");
    let params = dir.path().join("params");
    std::fs::create_dir_all(&params).expect("folder");
    halo2_params::setup_insecure(&params, 12, false).expect("small parameters");
    let req = ReportRequest {
        seller: 0,
        from: 0,
        to: 10_000,
        batch: 4,
        edges: vec![1_000],
    };
    let out = dir.path().join("agg.json");
    let e = prove(&ledger, &req, Some(params.clone()), &out, &Silent)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("folding a period needs 2^18") && e.contains("veil setup --backend halo2"),
        "{e}"
    );
    assert!(!out.exists());

    let report = AggregateReport {
        veil: AGGREGATE_VERSION,
        kind: veil_verifier::totals::AGGREGATE_KIND.into(),
        backend: HALO2.into(),
        period: veil_circuits::statements::totals::Period {
            root: veil_circuits::Fr::from(9u64),
            seller: 0,
            t0: 0,
            t1: 10_000,
            bps: 250,
            edges: vec![1_000],
        },
        batch: 4,
        batches: 2,
        k: aggregate::K,
        vk_sha256: "00".repeat(32),
        public_inputs: vec![],
        proof: String::new(),
    };
    write_output(&out, &report.to_json()).expect("written");
    let expected = Expected {
        root: veil_circuits::Fr::from(9u64),
        seller: 0,
        from: 0,
        to: 10_000,
    };
    for (what, expected) in [
        (
            "another seller",
            Expected {
                seller: 1,
                ..expected
            },
        ),
        (
            "another period",
            Expected {
                to: 9_999,
                ..expected
            },
        ),
        (
            "receipt root",
            Expected {
                root: veil_circuits::Fr::from(8u64),
                ..expected
            },
        ),
    ] {
        let e = verify(&out, expected, Some(params.clone()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("mismatch"), "{what}: {e}");
    }
    // The right period, but public inputs that are not an aggregate's.
    let e = verify(&out, expected, Some(params))
        .unwrap_err()
        .to_string();
    assert!(e.contains("public inputs"), "{e}");
}

#[test]
fn parameters_are_checked_against_their_description() {
    let dir = tempfile::tempdir().expect("temp dir");
    let e = load(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("no halo2 parameters") && e.contains("veil setup --backend halo2"),
        "{e}"
    );
    let info = setup_insecure(dir.path(), 9, false).expect("setup");
    assert!(info.insecure_dev_setup && info.k == 9);
    assert_eq!(load(dir.path()).expect("loads").1, info);
    // Large enough: kept; too small: remade (insecure ones only).
    assert_eq!(setup_insecure(dir.path(), 8, false).expect("kept"), info);
    assert_eq!(setup_insecure(dir.path(), 10, false).expect("remade").k, 10);
    // A changed file is refused by name.
    let path = dir.path().join(PARAMS_FILE);
    let mut bytes = std::fs::read(&path).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, bytes).expect("write");
    let e = load(dir.path()).unwrap_err().to_string();
    assert!(e.contains("was changed or replaced"), "{e}");
    // Ceremony parameters too small are not silently replaced.
    setup_insecure(dir.path(), 9, true).expect("forced");
    let mut info = load(dir.path()).expect("loads").1;
    info.insecure_dev_setup = false;
    write_output(
        &dir.path().join(INFO_FILE),
        &serde_json::to_string(&info).expect("json"),
    )
    .expect("write");
    let e = setup_insecure(dir.path(), 12, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("ceremony parameters for 2^9 rows"), "{e}");
}

/// A halo2 proof made under circuit layout 1 (before the paired partial rounds) still verifies
/// through `provers::verify_any`: with layout 1's key file, or, without it, with the key
/// derived from the folder's parameters; a current proof verifies with the current key; an
/// envelope naming neither is refused by name.
#[test]
fn a_layout_1_proof_verifies_with_the_key_it_names() {
    use veil_circuits::statements::{CallShape, Statement, UsageCall};
    use veil_halo2::halo2_proofs::plonk::{keygen_pk, keygen_vk};
    use veil_halo2::kzg;
    use veil_halo2::statements::{Halo2Statement, OneRegion};
    use veil_halo2::Version;
    use veil_verifier::proof::ProofEnvelope;
    let dir = tempfile::tempdir().expect("temp dir");
    let params = dir.path().join("params");
    std::fs::create_dir_all(&params).expect("folder");
    let shape = CallShape { depth: 16 };
    let k1 = UsageCall::k_at(&shape, Version::V1).expect("k");
    assert!(UsageCall::k(&shape).expect("k") < k1);
    setup_insecure(&params, k1, false).expect("parameters for layout 1's rows");
    let (p, w) = veil_testkit::vectors::call(0);
    let public = UsageCall::public_inputs(&p);

    // A layout 1 proof, as the build before layouts made it.
    let (all, _) = load(&params).expect("parameters");
    let p1 = kzg::fit(&all, k1).expect("fits");
    let vk1 = keygen_vk(&p1, &UsageCall::blank_at(&shape, Version::V1)).expect("vk");
    let digest1 = kzg::vk_digest(&vk1);
    let pk1 = keygen_pk(&p1, vk1.clone(), &UsageCall::blank_at(&shape, Version::V1)).expect("pk");
    let circuit = OneRegion(UsageCall::circuit(&shape, p, w.clone()).0, Version::V1);
    let prover = veil_prover::backend::halo2::prover_params(p1).expect("prover");
    let proof =
        kzg::prove_unchecked(&prover, &pk1, circuit, &kzg::instance(&public)).expect("proof");
    let shape_json = serde_json::to_value(shape).expect("json");
    let envelope = |digest: String, proof: &[u8]| {
        ProofEnvelope::halo2(
            UsageCall::NAME,
            UsageCall::key_id(&shape),
            digest,
            shape_json.clone(),
            public.clone(),
            proof,
        )
    };
    let old = envelope(digest1.clone(), &proof);
    let verify = |env: &ProofEnvelope| {
        veil_engine::provers::verify_any::<UsageCall>(params.clone(), &shape, &p, env)
    };
    // No layout 1 key file: derived from the parameters.
    let key_file =
        veil_verifier::halo2::vk_file_at(&params, &UsageCall::key_id(&shape), Version::V1);
    assert!(!key_file.exists());
    verify(&old).expect("a layout 1 proof, its key derived");
    // With the file (as a folder set up before layouts keeps it), and no parameter file.
    std::fs::write(&key_file, kzg::vk_bytes(&vk1)).expect("layout 1 key");
    std::fs::remove_file(params.join(PARAMS_FILE)).expect("parameters removed");
    halo2_params::forget_keys(&params);
    verify(&old).expect("a layout 1 proof, its key file");
    let mut bent = proof.clone();
    bent[100] ^= 1;
    assert!(
        verify(&envelope(digest1, &bent)).is_err(),
        "a forged layout 1 proof"
    );
    // An envelope naming a key neither layout has: refused, naming both digests.
    let e = verify(&envelope("00".repeat(32), &proof))
        .unwrap_err()
        .to_string();
    assert!(e.contains("another halo2 verifying key"), "{e}");
}
