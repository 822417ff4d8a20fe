//! One halo2 proof (usage-call at a depth) three ways, interleaved, medians: the first circuit
//! layout on halo2curves' MSM (what Veil proved with before the commitment seam), the first
//! layout on Veil's MSM behind the seam (`veil_halo2::commit`), and the current layout on
//! Veil's MSM: `cargo run --release -p veil-prover --example halo2_prove -- [depth] [runs]
//! [first-stock|first-veil|current]` (the last argument: that one alone, for a profiler).
use std::time::Instant;
use veil_circuits::statements::{usage::cases, CallShape, Statement, UsageCall};
use veil_halo2::halo2_proofs::plonk::{keygen_pk, keygen_vk};
use veil_halo2::kzg::{self, ProverParams, ProvingKeyBn};
use veil_halo2::statements::{Halo2Statement, OneRegion};
use veil_halo2::Version;
use veil_prover::backend::halo2::prover_params;

type Error = Box<dyn std::error::Error>;

/// A way of proving: its name, layout, prover parameters and proving key.
struct Way {
    name: &'static str,
    version: Version,
    params: ProverParams,
    pk: ProvingKeyBn,
}

fn way(name: &'static str, shape: &CallShape, version: Version, veil: bool) -> Result<Way, Error> {
    let params = kzg::insecure_setup(UsageCall::k_at(shape, version)?);
    let blank = UsageCall::blank_at(shape, version);
    let pk = keygen_pk(&params, keygen_vk(&params, &blank)?, &blank)?;
    let params = match veil {
        true => prover_params(params)?,
        false => ProverParams::stock(params),
    };
    Ok(Way {
        name,
        version,
        params,
        pk,
    })
}

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let depth: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(16);
    let runs: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5);
    let only = args.next();
    let shape = CallShape { depth };
    let mut ways = vec![
        way("first-stock", &shape, Version::V1, false)?,
        way("first-veil", &shape, Version::V1, true)?,
        way("current", &shape, Version::CURRENT, true)?,
    ];
    if let Some(only) = only {
        ways.retain(|w| w.name == only);
    }
    let (p, w) = cases::honest_call(depth, 2);
    let public = UsageCall::public_inputs(&p);
    let mut times = vec![Vec::new(); ways.len()];
    for _ in 0..runs {
        for (way, t) in ways.iter().zip(&mut times) {
            let circuit = OneRegion(UsageCall::circuit(&shape, p, w.clone()).0, way.version);
            let start = Instant::now();
            let proof =
                kzg::prove_unchecked(&way.params, &way.pk, circuit, &kzg::instance(&public))?;
            t.push(start.elapsed().as_secs_f64());
            kzg::verify(way.params.kzg(), way.pk.get_vk(), &public, &proof)?;
        }
    }
    for (way, t) in ways.iter().zip(&mut times) {
        t.sort_by(f64::total_cmp);
        println!(
            "usage-call d{depth} {:<11} layout {} 2^{} rows, {:<11}: median {:.1} ms of {runs}",
            way.name,
            way.version.number(),
            way.pk.get_vk().get_domain().k(),
            way.params.msm_name(),
            t[t.len() / 2] * 1e3
        );
    }
    Ok(())
}
