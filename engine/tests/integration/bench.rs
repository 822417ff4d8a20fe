//! `veil bench`'s engine: every prover of a plan measured on the same honest witness, limits
//! refused by name, the report readable back.
use veil_engine::bench::{self, BenchCase, BenchPlan, BenchReport};
use veil_engine::Silent;
use veil_testkit::refused;

fn small_plan() -> BenchPlan {
    BenchPlan {
        cases: vec![
            BenchCase::new("usage-call", 4),
            BenchCase::new("disclosure-totals", 2),
        ],
        runs: 2,
        stock: true,
        throughput: true,
        threads: Some(2),
        batch_verify: 8,
        bb: false,
        precompute_mib: 256,
        snarkjs: false,
        halo2: false,
        aggregate: 0,
    }
}

/// bb on the call's Noir twin, in the same run as Veil (skipped without the Noir toolchain
/// unless `VEIL_REQUIRE_NOIR` is set).
#[test]
fn bb_proves_the_noir_twin_in_the_same_run() {
    if !bench::bb_path().is_file() {
        assert!(
            std::env::var_os("VEIL_REQUIRE_NOIR").is_none(),
            "VEIL_REQUIRE_NOIR is set and bb is not at {}",
            bench::bb_path().display()
        );
        eprintln!("skipped: no bb at {}", bench::bb_path().display());
        return;
    }
    let plan = BenchPlan {
        cases: vec![BenchCase::new("usage-call", 16)],
        runs: 1,
        stock: false,
        throughput: false,
        threads: None,
        batch_verify: 0,
        bb: true,
        precompute_mib: 0,
        snarkjs: false,
        halo2: false,
        aggregate: 0,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let report = bench::run(&plan, dir.path(), &Silent).expect("bench");
    let provers: Vec<&str> = report.records.iter().map(|r| r.prover.as_str()).collect();
    assert_eq!(provers, ["veil", "floor", "bb"]);
    let bb = &report.records[2];
    assert_eq!(
        (bb.backend.as_str(), bb.shape.as_str()),
        ("ultrahonk", "usage-call-d16")
    );
    // UltraHonk gates, not R1CS constraints; a proof of kilobytes, not 128 bytes.
    assert!(
        bb.constraints_or_gates > 1000
            && bb.constraints_or_gates != report.records[0].constraints_or_gates
    );
    assert!(
        bb.proof_bytes > 1000 && bb.vk_bytes > 0 && bb.verify_s.is_none(),
        "{bb:?}"
    );
    assert!(report.speedups().is_empty(), "no stock prover, no ratio");
    assert!(report.markdown().contains("insecure development CRS"));
}

/// halo2 on the same witness, interleaved with Groth16: its rows, keys, a KZG proof that
/// verifies, and its ratio to Groth16.
#[test]
fn halo2_is_measured_beside_groth16() {
    let plan = BenchPlan {
        cases: vec![
            BenchCase::new("usage-call", 4),
            BenchCase::new("disclosure-totals", 2),
        ],
        runs: 1,
        stock: false,
        throughput: false,
        threads: None,
        batch_verify: 0,
        bb: false,
        precompute_mib: 0,
        snarkjs: false,
        halo2: true,
        aggregate: 0,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let report = bench::run(&plan, dir.path(), &Silent).expect("bench");
    for shape in ["usage-call-d4", "disclosure-totals-b2-e3"] {
        let of: Vec<_> = report.records.iter().filter(|r| r.shape == shape).collect();
        let provers: Vec<&str> = of.iter().map(|r| r.prover.as_str()).collect();
        assert_eq!(provers, ["veil", "floor", "halo2"], "{shape}");
        let h = of[2];
        assert_eq!(h.backend, "halo2-kzg-bn254");
        // The byte table's 256 rows and the blinding rows alone need 2^9.
        assert!(h.constraints_or_gates.is_power_of_two() && h.constraints_or_gates >= 1 << 9);
        assert!(
            h.proof_bytes > 128 && h.pk_bytes > h.vk_bytes && h.vk_bytes > 0,
            "{h:?}"
        );
        assert!(
            h.setup_s.is_some() && h.verify_s.is_some_and(|v| v > 0.0),
            "{h:?}"
        );
        assert!(h.peak_mem_bytes.is_some());
    }
    assert!(report.markdown().contains("halo2 rows"));
    let back: BenchReport = serde_json::from_str(&report.to_json()).expect("reads back");
    assert!(back.plan.halo2);
}

#[test]
fn a_small_plan_measures_every_prover_on_each_case() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = bench::run(&small_plan(), dir.path(), &Silent).expect("bench");
    // Per case: Veil, the floor (MSMs and FFTs alone), stock, verification one by one and in a
    // batch (on 2 threads and on 1), and Veil's throughput on the 2 threads asked for.
    assert_eq!(report.records.len(), 14, "{:#?}", report.records);
    for shape in ["usage-call-d4", "disclosure-totals-b2-e3"] {
        let of: Vec<_> = report.records.iter().filter(|r| r.shape == shape).collect();
        let provers: Vec<(&str, &str)> = of
            .iter()
            .map(|r| (r.prover.as_str(), r.mode.as_str()))
            .collect();
        assert_eq!(
            provers,
            [
                ("veil", "latency"),
                ("floor", "latency"),
                ("ark-groth16-stock", "latency"),
                ("veil", "verify-one-by-one"),
                ("veil", "verify-batch"),
                ("veil", "verify-batch"),
                ("veil", "throughput")
            ],
            "{shape}"
        );
        for r in &of[3..6] {
            assert_eq!(r.runs, 8, "{r:?}");
            assert!(r.verify_s.is_some_and(|s| s > 0.0), "{r:?}");
        }
        assert_eq!((of[3].threads, of[4].threads, of[5].threads), (1, 2, 1));
        let of: Vec<_> = of
            .into_iter()
            .filter(|r| !r.mode.starts_with("verify"))
            .collect();
        for r in &of {
            assert_eq!(r.threads, 2);
            assert_eq!(r.proof_bytes, 128, "{shape}: compressed BN254 proof");
            assert!(r.prove_s > 0.0 && r.proofs_per_s > 0.0, "{r:?}");
            assert_eq!(r.constraints_or_gates, of[0].constraints_or_gates);
            assert!(r.pk_bytes > r.vk_bytes && r.vk_bytes > 0, "{r:?}");
        }
        assert_eq!(of[0].prove_runs_s.len(), 2);
        assert!(of[0].setup_s.is_some() && of[1].setup_s.is_none() && of[2].setup_s.is_none());
        assert!(of[0].verify_s.is_some() && of[2].verify_s.is_some());
        assert_eq!(of[3].runs, 4, "2 runs on each of 2 threads");
    }
    assert!(report.records.iter().all(|r| r.constraints_or_gates > 1000));
    // Veil's latency record says what its prepared key cost; only it does.
    for r in &report.records {
        let veil = r.prover == "veil" && r.mode == "latency";
        assert_eq!(r.prepare_s.is_some(), veil, "{r:?}");
        assert_eq!(r.prepared_bytes.is_some(), veil, "{r:?}");
        if veil {
            assert!(r.prepared_bytes.is_some_and(|b| b > 0 && b <= 256 << 20));
        }
    }
    assert!(report.markdown().contains("prepared once"));
    let speedups = report.speedups();
    assert_eq!(speedups.len(), 2);
    assert!(speedups
        .iter()
        .all(|s| s.veil_over_floor.is_some() && s.throughput.is_some()));
    let md = report.markdown();
    assert!(md.contains("| usage-call | usage-call-d4 |"), "{md}");
    assert!(md.contains("usage-call-d4: "), "{md}");
    assert!(
        md.contains("usage-call-d4: 8 proofs verified as one batch"),
        "{md}"
    );
    assert_eq!(report.batch_speedups().len(), 2);
    let plots = bench::plot::write(&report, &dir.path().join("plots")).expect("plots");
    assert_eq!(plots.len(), 2);
    let prove = std::fs::read_to_string(&plots[0]).expect("prove.svg");
    assert!(prove.starts_with("<svg"), "{prove}");
    for label in [
        "veil (2 threads)",
        "ark-groth16-stock (2 threads)",
        "floor (2 threads)",
    ] {
        assert!(prove.contains(label), "{label} in prove.svg");
    }
    let verify = std::fs::read_to_string(&plots[1]).expect("verify.svg");
    assert!(verify.contains("one by one") && verify.contains("batch of 8 (1 thread)"));
    let back: BenchReport = serde_json::from_str(&report.to_json()).expect("parse");
    assert_eq!(back, report);
}

#[test]
fn sizes_runs_and_threads_out_of_range_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let with = |edit: &dyn Fn(&mut BenchPlan)| {
        let mut plan = small_plan();
        edit(&mut plan);
        bench::run(&plan, dir.path(), &Silent)
    };
    let (preview, totals) = ("preview-membership", "disclosure-totals");
    refused(with(&|p| p.cases = vec![]), "at least one case");
    refused(with(&|p| p.runs = 0), "runs must be 1 to 100, not 0");
    refused(
        with(&|p| p.threads = Some(0)),
        "threads must be 1 to 256, not 0",
    );
    refused(
        with(&|p| p.cases = vec![BenchCase::new(preview, 0)]),
        "1 to 64 samples, not 0",
    );
    refused(
        with(&|p| p.cases = vec![BenchCase::new(preview, 65)]),
        "1 to 64 samples, not 65",
    );
    refused(
        with(&|p| p.cases = vec![BenchCase::new(totals, 2048)]),
        "at most 1024, not 2048",
    );
    refused(
        with(&|p| p.cases = vec![BenchCase::new(totals, 3)]),
        "power of two",
    );
    refused(
        with(&|p| p.cases = vec![BenchCase::new("usage-call", 0)]),
        "licence depth 0",
    );
    refused(
        with(&|p| p.cases = vec![BenchCase::new("nope", 1)]),
        "unknown statement \"nope\"; available: preview-membership, disclosure-totals, usage-call, usage-tier",
    );
}
