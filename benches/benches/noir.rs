//! The Noir twins under Barretenberg: per program and shape, UltraHonk gates, ACVM witness
//! time, and `bb prove` time. Proving needs a CRS; where `VEIL_CRS_PATH` is unset this bench
//! makes an **insecure** development CRS (a trapdoor drawn here; proofs made with it never
//! verify under bb 5.0.0, which pairs with the real Ignition G2), because proving time does
//! not depend on which points the CRS holds. Run once (too slow for criterion):
//! `cargo bench -p veil-benches --bench noir` (VEIL_BENCH_RECURSIVE=0 skips the 706k-gate
//! recursive settlement; VEIL_BENCH_RUNS sets repetitions, default 3).
use veil_testkit::vectors;

use serde_json::Value;
use std::path::PathBuf;
use std::time::Instant;
use veil_circuits::statements::settlement::{self, Counter};
use veil_circuits::statements::usage::{usage_commitment, CallsTree, TierPublic};
use veil_circuits::statements::{preview, usage};
use veil_circuits::Fr;
use veil_noir::toolchain::{self, variant_path as variant};
use veil_noir::{twins, Artifact};
use veil_prover::backend::ultrahonk::{write_insecure_dev_crs, UltraHonk};

fn settlement_inputs() -> Value {
    let (t, b) = (vectors::terms(), vectors::buyer(0));
    let counter = Counter {
        seller: t.seller,
        count: 41,
        cum: 90_000,
        last_time: 50,
        salt: Fr::from(18u64),
    };
    let (p, w) = settlement::purchase(
        t,
        counter,
        vectors::payment(&b, 2_000),
        b,
        60,
        1_000,
        Fr::from(19u64),
    );
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
    toolchain::ensure_variants().expect("Noir programs (npm install in noir/)");
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
            variant("preview-membership-d20-k1-m3"),
            preview_at(20, 1),
        ),
        (
            "preview d20 K8 m3",
            variant("preview-membership-d20-k8-m3"),
            preview_at(20, 8),
        ),
        (
            "totals B16 E3",
            variant("disclosure-totals-b16-e3"),
            totals_at(16),
        ),
        (
            "totals B64 E3",
            variant("disclosure-totals-b64-e3"),
            totals_at(64),
        ),
        (
            "totals B256 E3",
            variant("disclosure-totals-b256-e3"),
            totals_at(256),
        ),
        ("usage call d16", base(usage::CALL_PROGRAM), call_at(16)),
        ("usage call d20", variant("usage-call-d20"), call_at(20)),
        ("usage tier", base(usage::TIER_PROGRAM), {
            let nfs: Vec<Fr> = (1..=1234u64).map(Fr::from).collect();
            let calls = CallsTree::build(&nfs).expect("calls tree");
            let p = TierPublic {
                usage: usage_commitment(Fr::from(1u64), 3, calls.root, Fr::from(2u64)),
                listing: Fr::from(1u64),
                epoch: 3,
                lo: 1000,
                hi: 2000,
            };
            twins::tier(&p, &calls.tier_witness(Fr::from(2u64)))
        }),
        (
            settlement::NAME,
            base(settlement::PROGRAM),
            settlement_inputs(),
        ),
    ];
    if recursive {
        // A recursive-target preview proof (vector shape) verified inside settlement.
        let (p, w) = vectors::preview(0b110);
        let pv = twins::preview(&p, &w);
        let proof = bb
            .prove(&base(preview::PROGRAM), &pv)
            .expect("preview proof");
        let fields = |h: &str| -> Value {
            hex::decode(h)
                .expect("hex")
                .chunks(32)
                .map(|c| Value::String(format!("0x{}", hex::encode(c))))
                .collect()
        };
        let mut inputs = settlement_inputs();
        let data = proof.ultrahonk.clone().expect("an UltraHonk envelope");
        inputs["preview_key_hash"] = format!("0x{}", data.vk_hash).into();
        inputs["preview_vk"] = fields(&data.vk);
        inputs["preview_proof"] = fields(&proof.proof);
        inputs["preview_public"] = proof
            .public_inputs
            .iter()
            .map(|x| Value::String(veil_circuits::field::to_hex(x)))
            .collect();
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

fn preview_at(depth: u32, k: usize) -> Value {
    let (p, w) = vectors::preview_at(4096, depth, k);
    twins::preview(&p, &w)
}

fn totals_at(batch: usize) -> Value {
    let (p, w) = vectors::totals_at(batch);
    twins::totals(&p, &w)
}

fn call_at(depth: u32) -> Value {
    let (p, w) = vectors::call_at(depth);
    twins::call(&p, &w)
}
