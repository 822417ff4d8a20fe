//! One halo2 proof (usage-call at a depth) with halo2curves' MSM and with Veil's behind the
//! commitment seam (`veil_halo2::commit`), interleaved, medians:
//! `cargo run --release -p veil-prover --example halo2_prove -- [depth] [runs] [stock|veil]`.
use std::time::Instant;
use veil_circuits::statements::{usage::cases, CallShape, Statement, UsageCall};
use veil_halo2::kzg::{self, ProverParams};
use veil_halo2::statements::Halo2Statement;
use veil_prover::backend::halo2::prover_params;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let depth: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(16);
    let runs: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5);
    // `stock` or `veil` alone (for a profiler); both by default.
    let only = args.next();
    let shape = CallShape { depth };
    let k = UsageCall::k(&shape)?;
    let params = kzg::insecure_setup(k);
    let pk = kzg::keygen::<UsageCall>(&params, &shape)?;
    let (p, w) = cases::honest_call(depth, 2);
    let mut provers = vec![
        ProverParams::stock(params.clone()),
        prover_params(params.clone())?,
    ];
    match only.as_deref() {
        Some("stock") => drop(provers.pop()),
        Some("veil") => drop(provers.remove(0)),
        _ => {}
    }
    let mut times = vec![Vec::new(); provers.len()];
    for _ in 0..runs {
        for (prover, t) in provers.iter().zip(&mut times) {
            let start = Instant::now();
            let proof = kzg::prove::<UsageCall>(prover, &pk, &shape, p, w.clone())?;
            t.push(start.elapsed().as_secs_f64());
            kzg::verify(&params, pk.get_vk(), &UsageCall::public_inputs(&p), &proof)?;
        }
    }
    for (prover, t) in provers.iter().zip(&mut times) {
        t.sort_by(f64::total_cmp);
        println!(
            "usage-call d{depth} 2^{k} rows, {}: median {:.1} ms of {runs}",
            prover.msm_name(),
            t[t.len() / 2] * 1e3
        );
    }
    Ok(())
}
