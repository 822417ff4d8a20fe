//! `veil bench`'s engine: every prover of a plan measured on the same honest witness, limits
//! refused by name, the report readable back.
use veil_engine::bench::{self, BenchCase, BenchPlan, BenchReport, BenchStatement};
use veil_engine::Silent;
use veil_testkit::refused;

fn small_plan() -> BenchPlan {
    BenchPlan {
        cases: vec![
            BenchCase::new(BenchStatement::Call, 4),
            BenchCase::new(BenchStatement::Totals, 2),
        ],
        runs: 2,
        stock: true,
        throughput: true,
        threads: Some(2),
    }
}

#[test]
fn a_small_plan_measures_every_prover_on_each_case() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = bench::run(&small_plan(), dir.path(), &Silent).expect("bench");
    // Per case: Veil, stock, and Veil's throughput on the 2 threads asked for.
    assert_eq!(report.records.len(), 6, "{:#?}", report.records);
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
                ("ark-groth16-stock", "latency"),
                ("veil", "throughput")
            ],
            "{shape}"
        );
        for r in &of {
            assert_eq!(r.threads, 2);
            assert_eq!(r.proof_bytes, 128, "{shape}: compressed BN254 proof");
            assert!(r.prove_s > 0.0 && r.proofs_per_s > 0.0, "{r:?}");
            assert_eq!(r.constraints_or_gates, of[0].constraints_or_gates);
            assert!(r.pk_bytes > r.vk_bytes && r.vk_bytes > 0, "{r:?}");
        }
        assert_eq!(of[0].prove_runs_s.len(), 2);
        assert!(of[0].setup_s.is_some() && of[1].setup_s.is_none());
        assert!(of[0].verify_s.is_some() && of[1].verify_s.is_some());
        assert_eq!(of[2].runs, 4, "2 runs on each of 2 threads");
    }
    assert!(report.records.iter().all(|r| r.constraints_or_gates > 1000));
    assert_eq!(report.speedups().len(), 2);
    let md = report.markdown();
    assert!(md.contains("| usage-call | usage-call-d4 |"), "{md}");
    assert!(md.contains("usage-call-d4: "), "{md}");
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
    use BenchStatement::*;
    refused(with(&|p| p.cases = vec![]), "at least one case");
    refused(with(&|p| p.runs = 0), "runs must be 1 to 100, not 0");
    refused(
        with(&|p| p.threads = Some(0)),
        "threads must be 1 to 256, not 0",
    );
    refused(
        with(&|p| p.cases = vec![BenchCase::new(Preview, 0)]),
        "1 to 64 samples, not 0",
    );
    refused(
        with(&|p| p.cases = vec![BenchCase::new(Preview, 65)]),
        "1 to 64 samples, not 65",
    );
    refused(
        with(&|p| p.cases = vec![BenchCase::new(Totals, 2048)]),
        "at most 1024, not 2048",
    );
    refused(
        with(&|p| p.cases = vec![BenchCase::new(Totals, 3)]),
        "power of two",
    );
    refused(
        with(&|p| p.cases = vec![BenchCase::new(Call, 0)]),
        "licence depth 0",
    );
    assert_eq!(BenchStatement::parse("usage-tier"), Ok(Tier));
    let unknown = BenchStatement::parse("nope").expect_err("unknown");
    assert!(
        unknown.contains("preview-membership, disclosure-totals"),
        "{unknown}"
    );
}
