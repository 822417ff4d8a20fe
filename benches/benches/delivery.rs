//! The fair sale's encryption against the commitment it rides on: `veil dataset commit`,
//! `veil dataset encrypt` and `veil delivery decrypt`, through the engine, on the same generated
//! CSV shaped like `examples/sales.csv` (six columns; 100,000 rows, `VEIL_BENCH_ROWS` for
//! more). The ratios, not the times, are the result (issue 34: encryption within 1.3x of the
//! commitment); `scripts/bench-delivery.sh` measures the same on a 1M-row file with peak RSS.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use veil_engine::dataset::{self, CommitRequest};
use veil_engine::delivery::{self, Decrypted, EncryptRequest};
use veil_engine::{Progress, Silent};

/// `rows` rows of `order_id,date,city,category,amount_eur,customer_email`.
fn write_csv(path: &Path, rows: u64) {
    let cities = [
        "Oslo", "Perth", "Lyon", "Quito", "Osaka", "Accra", "Lima", "Turin",
    ];
    let cats = ["grocery", "garden", "books", "toys", "tools", "music"];
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("a CSV"));
    writeln!(f, "order_id,date,city,category,amount_eur,customer_email").unwrap();
    for i in 0..rows {
        let h = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        writeln!(
            f,
            "ORD-{},2026-{:02}-{:02},{},{},{}.{:02},user{}@example.net",
            10_000 + i,
            1 + h % 12,
            1 + (h >> 8) % 28,
            cities[((h >> 16) % 8) as usize],
            cats[((h >> 24) % 6) as usize],
            1 + (h >> 32) % 999,
            (h >> 40) % 100,
            1000 + (h >> 48) % 9000
        )
        .unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let rows: u64 = std::env::var("VEIL_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("a folder");
    let at = |name: &str| dir.path().join(name);
    write_csv(&at("sales.csv"), rows);
    dataset::keygen(&at("seller.key"), false).expect("a secret");
    let progress: Arc<dyn Progress> = Arc::new(Silent);
    let commit = CommitRequest {
        data: at("sales.csv"),
        secret_file: at("seller.key"),
        dataset_id: Some("bench".into()),
        depth: 20,
        read: Default::default(),
    };
    dataset::commit(&commit, &at("listing.json"), &progress).expect("a commitment");
    let encrypt = EncryptRequest {
        data: at("sales.csv"),
        secret_file: at("seller.key"),
        listing: at("listing.json"),
        read: Default::default(),
    };
    let v3 = at("listing-v3.json");
    delivery::encrypt(&encrypt, &at("sales.veilct"), Some(&v3), false, &progress)
        .expect("a ciphertext");
    dataset::export_key(&at("seller.key"), &v3, &at("sales.key"), false).expect("the key");

    let mut g = c.benchmark_group("delivery");
    g.sample_size(10);
    g.throughput(Throughput::Elements(rows));
    g.bench_function(format!("commit/{rows}"), |b| {
        b.iter(|| dataset::commit(&commit, &at("c.json"), &progress).expect("commit"))
    });
    g.bench_function(format!("encrypt/{rows}"), |b| {
        b.iter(|| {
            delivery::encrypt(
                &encrypt,
                &at("e.veilct"),
                Some(&at("e.json")),
                true,
                &progress,
            )
            .expect("encrypt")
        })
    });
    g.bench_function(format!("decrypt/{rows}"), |b| {
        b.iter(|| {
            let d = delivery::decrypt(
                &at("sales.veilct"),
                &v3,
                &at("sales.key"),
                &at("out.csv"),
                true,
                &progress,
            )
            .expect("decrypt");
            assert!(matches!(d, Decrypted::Delivered { .. }));
        })
    });
    g.bench_function(format!("check/{rows}"), |b| {
        b.iter(|| delivery::check(&at("sales.veilct"), &v3, &progress).expect("check"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
