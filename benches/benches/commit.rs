//! Committing a dataset: 1M short rows (3 cells, ~20 bytes) at depth 20, streamed from a
//! generator so the number measures hashing and tree building, not disk.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use veil_benches::{short_row, short_schema};
use veil_circuits::dataset::{commit, IterRecords, SellerSecret};
use veil_circuits::Fr;

fn bench(c: &mut Criterion) {
    let key = SellerSecret(Fr::from(1u64)).dataset_key("bench");
    let rows: u64 = std::env::var("VEIL_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut g = c.benchmark_group("commit");
    g.sample_size(10);
    g.throughput(Throughput::Elements(rows));
    g.bench_function(format!("short-rows/{rows}"), |b| {
        b.iter(|| {
            let mut src = IterRecords::new(short_schema(), (0..rows).map(short_row));
            commit(&mut src, &key, 20, &[]).expect("commit")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
