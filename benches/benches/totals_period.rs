//! End to end, once (too long for criterion's repetitions): a seller's period of 10,000
//! receipts settled into a fresh ledger, proved as a report (batches in parallel) and verified.
//! `cargo bench -p veil-benches --bench totals_period` (VEIL_BENCH_BATCH, VEIL_BENCH_RECEIPTS).
//! Runs through the engine, as `veil audit prove` does.
use rand::SeedableRng;
use std::time::Instant;
use veil_circuits::statements::totals;
use veil_engine::audit::{self, Expected, ReportRequest};
use veil_engine::setup::{self, ShapeOptions};
use veil_engine::store::{SqliteStore, Store};
use veil_engine::Silent;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` / `cargo bench -- --list`: nothing to list
    }
    let n = env("VEIL_BENCH_RECEIPTS", 10_000);
    let b = env("VEIL_BENCH_BATCH", 256) as usize;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = SqliteStore::create(&dir.path().join("m.db")).expect("ledger");
    let sales = veil_circuits::statements::totals::Sale::simulated(&mut rng, n, 1, 1_000_000);
    let t = Instant::now();
    let root = ledger.settle(&sales).expect("settle").1;
    println!(
        "settle {n} receipts into SQLite: {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let params = dir.path().join("params");
    let t = Instant::now();
    let opts = ShapeOptions {
        batch: Some(b),
        ..ShapeOptions::default()
    };
    let set =
        setup::setup(totals::NAME, &opts, Some(params.clone()), false, &Silent).expect("setup");
    println!(
        "setup b{b}: {:.1} s ({} constraints)",
        t.elapsed().as_secs_f64(),
        set.entry.constraints
    );
    let req = ReportRequest {
        seller: 0,
        from: 0,
        to: u64::MAX >> 1,
        batch: b,
        edges: audit::DEFAULT_EDGES.to_vec(),
    };
    let out = dir.path().join("report.json");
    let t = Instant::now();
    let report =
        audit::prove_report(&ledger, &req, Some(params.clone()), &out, &Silent).expect("prove");
    let prove = t.elapsed().as_secs_f64();
    let k = report.batches.len();
    println!(
        "witnesses and proofs of {k} batches of {b}: {prove:.1} s ({:.2} s per batch, {:.1} ms per receipt)",
        prove / k as f64,
        prove * 1e3 / n as f64
    );
    let t = Instant::now();
    let expected = Expected {
        root,
        seller: 0,
        from: 0,
        to: u64::MAX >> 1,
    };
    let (_, totals) = audit::verify(&out, expected, Some(params)).expect("verify");
    println!(
        "verify report: {:.1} ms; {} sales, amount {}",
        t.elapsed().as_secs_f64() * 1e3,
        totals.count,
        totals.amount
    );
    assert_eq!(totals.count, n);
}
