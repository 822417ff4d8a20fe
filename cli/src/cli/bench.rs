//! `veil bench`: Veil's prover against arkworks' stock prover, statement by size, in one run.

use super::output::{bars, note, took};
use super::writable;
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use veil_engine::bench::{self, BenchCase, BenchPlan};
use veil_engine::registry::Registry;

/// Keys come from an insecure in-memory setup; nothing is written but the reports asked for.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The report's sizes (preview K=1,8; call; tier; totals B=16,64,256; 5 runs) instead of the
    /// quick run (each statement at its default size, 3 runs).
    #[arg(long, conflicts_with = "case")]
    full: bool,
    /// Measure only these cases (repeatable).
    #[arg(long, value_name = "STATEMENT[:SIZE]", value_parser = parse_case)]
    case: Vec<BenchCase>,
    /// Proofs per prover and case (the median is reported).
    #[arg(long)]
    runs: Option<usize>,
    /// Threads to prove on [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// Skip arkworks' stock prover.
    #[arg(long)]
    no_stock: bool,
    /// Skip Barretenberg's UltraHonk on the Noir twins (measured when `bb` is installed in
    /// noir/node_modules).
    #[arg(long)]
    no_bb: bool,
    /// Also prove each case of at most 8,192 constraints with snarkjs (npm, in
    /// tools/node_modules) on the same circuit, exported as .r1cs and .wtns, after snarkjs's own
    /// (insecure, timing-only) setup: adds minutes.
    #[arg(long)]
    snarkjs: bool,
    /// Skip Veil's halo2 backend (KZG over BN254; insecure universal parameters made for the
    /// run).
    #[arg(long)]
    no_halo2: bool,
    /// Also fold N batches of each disclosure-totals case into one halo2 proof, and compare its
    /// one check with verifying the N batch proofs (adds minutes per case: the aggregation
    /// circuit has 2^18 rows).
    #[arg(long, value_name = "N")]
    aggregate: Option<usize>,
    /// Skip the throughput mode (one proof per thread, all at once).
    #[arg(long)]
    no_throughput: bool,
    /// Proofs per case to verify one by one and as one batch [default: 1000; 0 skips].
    #[arg(long, value_name = "N")]
    batch_verify: Option<usize>,
    /// Memory Veil's prover may spend per key on fixed-base tables, as a service proving many
    /// times against one key does [default: 4096; 0: none].
    #[arg(long, value_name = "MIB")]
    precompute_mib: Option<usize>,
    /// Write the records as JSON (one per prover, case and mode) to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write the Markdown table to this file (it is printed either way).
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// Write SVG plots (prove.svg: time per proof against size per prover; verify.svg: one by
    /// one against batches) into this folder.
    #[arg(long, value_name = "DIR")]
    plots: Option<PathBuf>,
    /// Replace the --json, --markdown and plot files if they exist.
    #[arg(long)]
    force: bool,
}

fn parse_case(s: &str) -> std::result::Result<BenchCase, String> {
    let (name, size) = match s.split_once(':') {
        Some((n, z)) => {
            let size = z
                .parse::<usize>()
                .map_err(|_| format!("size {z:?} is not a whole number"))?;
            (n, Some(size))
        }
        None => (s, None),
    };
    Ok(BenchCase {
        statement: name.to_string(),
        size,
    })
}

pub fn run(a: BenchArgs, registry: &Registry) -> Result<()> {
    let plot_files: Vec<PathBuf> = a
        .plots
        .iter()
        .flat_map(|d| [d.join("prove.svg"), d.join("verify.svg")])
        .collect();
    for out in a.json.iter().chain(&a.markdown).chain(&plot_files) {
        writable(out, a.force)?;
    }
    let mut plan = if a.full {
        BenchPlan::full()
    } else {
        BenchPlan::quick()
    };
    if !a.case.is_empty() {
        plan.cases = a.case;
    }
    if let Some(runs) = a.runs {
        plan.runs = runs;
    }
    plan.threads = a.threads;
    plan.stock = !a.no_stock;
    plan.throughput = !a.no_throughput;
    plan.bb = !a.no_bb && bench::bb_path().is_file();
    if !a.no_bb && !plan.bb {
        note(&format!(
            "bb not found at {} (`npm ci` in noir/): UltraHonk not measured",
            bench::bb_path().display()
        ));
    }
    if a.snarkjs && bench::snarkjs::Snarkjs::find().is_none() {
        anyhow::bail!(
            "--snarkjs: snarkjs not found at {} (`npm ci --prefix tools`, or set VEIL_SNARKJS)",
            bench::snarkjs::snarkjs_path().display()
        );
    }
    plan.snarkjs = a.snarkjs;
    plan.halo2 = !a.no_halo2;
    if let Some(n) = a.aggregate {
        plan.aggregate = n;
    }
    if let Some(n) = a.batch_verify {
        plan.batch_verify = n;
    }
    if let Some(mib) = a.precompute_mib {
        plan.precompute_mib = mib;
    }
    let scratch = tempfile::tempdir().context("making a scratch folder")?;
    let t = Instant::now();
    note("benchmark keys come from an insecure in-memory setup (never written)");
    let report = bench::run_in(registry, &plan, scratch.path(), &*bars())?;
    let table = report.markdown();
    if let Some(path) = &a.json {
        veil_engine::files::write_output(path, &report.to_json())?;
    }
    if let Some(path) = &a.markdown {
        veil_engine::files::write_output(path, &table)?;
    }
    if let Some(dir) = &a.plots {
        for path in bench::plot::write(&report, dir)? {
            note(&format!("wrote {}", path.display()));
        }
    }
    println!("{table}");
    note(&format!("measured{}", took(t)));
    Ok(())
}

/// The help's table of cases: each statement of `registry` and what its size means.
pub fn case_help(registry: &Registry) -> String {
    let mut help = String::from("Cases (--case STATEMENT[:SIZE]):");
    for e in registry.iter() {
        let (case, default) = match e.bench_size() {
            Some(size) => (
                format!("{}:{}", e.name(), size.letter),
                format!(" (default {})", size.default),
            ),
            None => (e.name().to_string(), String::new()),
        };
        help.push_str(&format!("\n  {case:<23}{}{default}", e.bench_case()));
    }
    help.push_str(
        "\n\nTimings are wall-clock: compare provers within one run, not across machines.",
    );
    help
}
