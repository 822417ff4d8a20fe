//! End to end, once (too long for criterion's repetitions): a seller's period of 10,000
//! receipts settled into a fresh ledger, proved as a report (batches in parallel) and verified.
//! `cargo bench -p veil-benches --bench totals_period` (VEIL_BENCH_BATCH, VEIL_BENCH_RECEIPTS).
use rand::SeedableRng;
use std::time::Instant;
use veil_circuits::statements::totals::{TotalsCircuit, TotalsShape};
use veil_ledger::Ledger;
use veil_prover::backend::groth16::{insecure_setup, Groth16Prover};

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
    let mut ledger = Ledger::create(&dir.path().join("m.db")).expect("ledger");
    let sales = veil_ledger::receipts::simulated_sales(&mut rng, n, 1, 1_000_000);
    let t = Instant::now();
    ledger.settle(&sales).expect("settle");
    println!(
        "settle {n} receipts into SQLite: {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let shape = TotalsShape { batch: b, edges: 3 };
    let t = Instant::now();
    let pk = insecure_setup(TotalsCircuit::blank(shape), &mut rng).expect("setup");
    let prover = Groth16Prover::new(pk, TotalsCircuit::blank(shape)).expect("prover");
    println!(
        "setup b{b}: {:.1} s ({} constraints)",
        t.elapsed().as_secs_f64(),
        prover.matrices.num_constraints
    );
    let t = Instant::now();
    let (period, batches) = ledger
        .report_batches(&shape, 0, 0, u64::MAX >> 1, &[1_000, 10_000, 100_000])
        .expect("batches");
    let k = batches.len();
    println!(
        "witnesses for {k} batches: {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let report =
        veil_prover::totals::prove_report(&prover, &shape, &period, batches).expect("prove");
    let prove = t.elapsed().as_secs_f64();
    println!(
        "prove {k} batches of {b}: {prove:.1} s ({:.2} s per batch, {:.1} ms per receipt)",
        prove / k as f64,
        prove * 1e3 / n as f64
    );
    let vk = veil_verifier::groth16::prepare(&prover.pk.vk);
    let t = Instant::now();
    let totals =
        veil_verifier::totals::verify_report(&report, &vk, Some(period.root)).expect("verify");
    println!(
        "verify report: {:.1} ms; {} sales, amount {}",
        t.elapsed().as_secs_f64() * 1e3,
        totals.count,
        totals.amount
    );
    assert_eq!(totals.count, n);
}
