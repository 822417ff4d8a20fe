//! The Noir twins under Barretenberg: per program and shape, UltraHonk gates, ACVM witness
//! time, and `bb prove` time. Proving needs a CRS; where `VEIL_CRS_PATH` is unset this bench
//! makes an **insecure** development CRS (a trapdoor drawn here; proofs made with it never
//! verify under bb 5.0.0, which pairs with the real Ignition G2), because proving time does
//! not depend on which points the CRS holds. Run once (too slow for criterion):
//! `cargo bench -p veil-benches --bench noir` (VEIL_BENCH_RECURSIVE=0 skips the 706k-gate
//! recursive settlement; VEIL_BENCH_RUNS sets repetitions, default 3).
use serde_json::Value;
use std::path::PathBuf;
use std::time::Instant;
use veil_benches::{short_row, short_schema};
use veil_circuits::dataset::{commit, IterRecords, SellerSecret};
use veil_circuits::merkle::sparse::{MemoryNodes, SparseTree};
use veil_circuits::merkle::TreeBuilder;
use veil_circuits::statements::preview::{self, PreviewShape};
use veil_circuits::statements::settlement::{self, Buyer, Counter, Payment, Terms};
use veil_circuits::statements::totals::{
    build_batch, next_receipt, Period, Receipt, Sale, TotalsShape, RECEIPT_DEPTH,
};
use veil_circuits::statements::usage::{key_commitment, CallPublic, CallWitness, Licence};
use veil_circuits::statements::usage::{TierPublic, TierWitness};
use veil_circuits::Fr;
use veil_noir::{toolchain, twins, Artifact};
use veil_prover::backend::ultrahonk::{write_insecure_dev_crs, UltraHonk};

fn variant(name: &str) -> PathBuf {
    toolchain::noir_dir()
        .join("target/variants")
        .join(format!("{name}.json"))
}

fn preview_inputs(depth: u32, k: usize) -> Value {
    let key = SellerSecret(Fr::from(1u64)).dataset_key("bench");
    let rows = 4096u64;
    let records = || IterRecords::new(short_schema(), (0..rows).map(short_row));
    let first = commit(&mut records(), &key, depth, &[]).expect("commit");
    let challenge = Fr::from(42u64);
    let idx = preview::sample_indices(first.commitment, challenge, rows, k);
    let done = commit(&mut records(), &key, depth, &idx).expect("commit");
    let shape = PreviewShape {
        depth,
        samples: k,
        columns: 3,
    };
    let (p, w) = preview::build(&shape, &done, &key, challenge, 0b110).expect("witness");
    twins::preview(&p, &w)
}

fn totals_inputs(batch: usize) -> Value {
    let tree = SparseTree::new(RECEIPT_DEPTH);
    let mut nodes = MemoryNodes::default();
    let mut prev: Option<Receipt> = None;
    let mut slots = Vec::new();
    let mut root = tree.root(&mut nodes).expect("root");
    for i in 0..batch as u64 {
        let sale = Sale {
            listing: Fr::from(7u64),
            seller: 3,
            buyer_tag: Fr::from(100 + i),
            amount: 1 + (i * 7919) % 200_000,
            time: 1_000 + i,
            salt: Fr::from(200 + i),
        };
        let r = next_receipt(prev.as_ref(), &sale, 1_000).expect("receipt");
        root = tree
            .set_leaf(&mut nodes, r.index(), r.note())
            .expect("leaf");
        slots.push(Some(r));
        prev = Some(r);
    }
    let shape = TotalsShape { batch, edges: 3 };
    let period = Period {
        root,
        seller: 3,
        t0: 1_000,
        t1: 1_000 + batch as u64 / 2,
        bps: 1_000,
        edges: vec![1_000, 10_000, 100_000],
    };
    let path = tree
        .path(&mut nodes, shape.height(), 3 << (20 - shape.height()))
        .expect("path");
    let (p, w) = build_batch(&shape, &period, 0, 0, slots, path).expect("batch");
    twins::totals(&p, &w)
}

fn call_inputs(depth: u32) -> Value {
    let licence =
        Licence::issue(&mut rand::thread_rng(), Fr::from(5u64), 100, 30).expect("licence");
    let mut b = TreeBuilder::new(depth, &[0]).expect("tree");
    b.push(&[licence.note()]).expect("push");
    let t = b.finish().expect("tree");
    let p = CallPublic {
        root: t.root,
        listing: licence.listing,
        epoch: 3,
        nullifier: licence.nullifier(3, 7),
        request: Fr::from(9u64),
    };
    let w = CallWitness {
        licence,
        counter: 7,
        path: t.paths[0].clone(),
    };
    twins::call(&p, &w)
}

fn settlement_inputs() -> Value {
    let f = |x: u64| Fr::from(x);
    let buyer = Buyer {
        sk: f(11),
        buyer_tag: f(12),
        receipt_salt: f(13),
        licence_salt: f(14),
        payout_salt: f(15),
        change_salt: f(16),
    };
    let terms = Terms {
        listing: f(1),
        commitment: f(2),
        seller: 3,
        seller_key: f(4),
        price: 1_250,
        quota: 100,
        expiry: 30,
    };
    let payment = Payment {
        owner: key_commitment(buyer.sk),
        amount: 2_000,
        salt: f(17),
    };
    let counter = Counter {
        seller: 3,
        count: 41,
        cum: 90_000,
        last_time: 50,
        salt: f(18),
    };
    let (p, w) = settlement::purchase(terms, counter, payment, buyer, 60, 1_000, f(19));
    twins::settlement(&p, &w)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let runs = std::env::var("VEIL_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3usize);
    let recursive = std::env::var("VEIL_BENCH_RECURSIVE")
        .map(|v| v != "0")
        .unwrap_or(true);
    toolchain::ensure_built().expect("Noir programs (npm ci; node build.mjs in noir/)");
    if !variant("disclosure_totals-b256").exists() {
        let ok = std::process::Command::new("node")
            .args(["build.mjs", "--variants"])
            .current_dir(toolchain::noir_dir())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "node build.mjs --variants failed");
    }
    let mut bb = UltraHonk::from_env().expect("bb");
    let crs_dir = tempfile::tempdir().expect("tempdir");
    if std::env::var_os("VEIL_CRS_PATH").is_none() {
        let points = if recursive { 1 << 20 } else { 1 << 18 };
        let t = Instant::now();
        write_insecure_dev_crs(crs_dir.path(), points).expect("dev crs");
        eprintln!(
            "INSECURE development CRS of {points} points made in {:.1} s (timing only; such proofs never verify)",
            t.elapsed().as_secs_f64()
        );
        bb = bb.with_crs(crs_dir.path().to_path_buf());
    }
    let base = |p: &str| toolchain::artifact_path(p);
    let mut cases: Vec<(&str, PathBuf, Value)> = vec![
        (
            "preview d20 K1 m3",
            variant("preview_membership-d20_k1_m3"),
            preview_inputs(20, 1),
        ),
        (
            "preview d20 K8 m3",
            variant("preview_membership-d20_k8_m3"),
            preview_inputs(20, 8),
        ),
        (
            "totals B16 E3",
            variant("disclosure_totals-b16"),
            totals_inputs(16),
        ),
        (
            "totals B64 E3",
            variant("disclosure_totals-b64"),
            totals_inputs(64),
        ),
        (
            "totals B256 E3",
            variant("disclosure_totals-b256"),
            totals_inputs(256),
        ),
        ("usage call d16", base("usage_call"), call_inputs(16)),
        ("usage call d20", variant("usage_call-d20"), call_inputs(20)),
        ("usage tier", base("usage_tier"), {
            let p = TierPublic {
                usage: veil_circuits::statements::usage::usage_commitment(
                    Fr::from(1u64),
                    3,
                    1234,
                    Fr::from(2u64),
                ),
                listing: Fr::from(1u64),
                epoch: 3,
                lo: 1000,
                hi: 2000,
            };
            twins::tier(
                &p,
                &TierWitness {
                    count: 1234,
                    salt: Fr::from(2u64),
                },
            )
        }),
        ("settlement", base("settlement"), settlement_inputs()),
    ];
    if recursive {
        // A recursive-target preview proof (vector shape) verified inside settlement.
        let pv = preview_inputs_vector();
        let proof = bb
            .prove(&base("preview_membership"), &pv)
            .expect("preview proof");
        let fields = |h: &str| -> Value {
            hex::decode(h)
                .expect("hex")
                .chunks(32)
                .map(|c| Value::String(format!("0x{}", hex::encode(c))))
                .collect()
        };
        let mut inputs = settlement_inputs();
        inputs["preview_key_hash"] = "0x01".into();
        inputs["preview_vk"] = fields(&proof.vk);
        inputs["preview_proof"] = fields(&proof.proof);
        inputs["preview_public"] = proof
            .public_inputs
            .iter()
            .map(|x| Value::String(format!("0x{x}")))
            .collect();
        inputs["commitment"] = inputs["preview_public"][0].clone();
        inputs["terms"]["commitment"] = inputs["commitment"].clone();
        // Re-derive the terms hash for the preview's commitment.
        let mut t = Terms {
            listing: Fr::from(1u64),
            commitment: Fr::from(2u64),
            seller: 3,
            seller_key: Fr::from(4u64),
            price: 1_250,
            quota: 100,
            expiry: 30,
        };
        t.commitment =
            veil_circuits::field::from_hex("c", inputs["commitment"].as_str().unwrap_or(""))
                .expect("commitment");
        inputs["terms_hash"] = Value::String(veil_circuits::field::to_hex(&t.hash()));
        cases.push((
            "settlement + recursive preview",
            base("settlement_with_preview"),
            inputs,
        ));
    }
    println!("| program | gates (circuit size) | CRS points | ACVM witness | bb prove | proof |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, path, inputs) in cases {
        let artifact = Artifact::load(&path).expect("artifact");
        let gates = bb.gates(&path).expect("gates");
        let mut exec_ms = Vec::new();
        let mut execution = None;
        for _ in 0..5 {
            let t = Instant::now();
            execution = Some(
                veil_noir::execute(&artifact, &inputs).unwrap_or_else(|e| panic!("{name}: {e}")),
            );
            exec_ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let execution = execution.expect("executed");
        let mut prove_s = Vec::new();
        let mut size = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let proof = bb
                .prove_execution(&path, name, &execution, gates)
                .expect("prove");
            prove_s.push(t.elapsed().as_secs_f64());
            size = proof.proof.len() / 2;
        }
        println!(
            "| {name} | {} | {} | {:.2} ms | {:.2} s | {size} B |",
            gates.circuit_size,
            gates.crs_points(),
            median(exec_ms),
            median(prove_s)
        );
    }
}

fn preview_inputs_vector() -> Value {
    // The shared vector's statement, rebuilt as the cross tests do (depth 4, K 4, m 3).
    let csv = "order_id,city,amount\nA-1,Lyon,12.50\nA-2,Oslo,7.00\nA-3,Lima,199.99\nA-4,Lyon,0.10\nA-5,Perth,55.00\nA-6,Osaka,3.30\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sales.csv");
    std::fs::write(&path, csv).expect("write");
    let key = SellerSecret(Fr::from(0x0123456789abcdefu64)).dataset_key("vector-sales");
    let challenge = Fr::from(0xc0ffeeu64);
    let mut f = veil_circuits::dataset::open(&path, None, 1024, None).expect("open");
    let first = commit(f.records(), &key, 4, &[]).expect("commit");
    let idx = preview::sample_indices(first.commitment, challenge, first.records, 4);
    let mut f = veil_circuits::dataset::open(&path, None, 1024, None).expect("open");
    let c = commit(f.records(), &key, 4, &idx).expect("commit");
    let shape = PreviewShape {
        depth: 4,
        samples: 4,
        columns: 3,
    };
    let (p, w) = preview::build(&shape, &c, &key, challenge, 0b110).expect("witness");
    twins::preview(&p, &w)
}
