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
