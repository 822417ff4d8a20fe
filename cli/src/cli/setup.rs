//! `veil setup`: keys per statement and circuit shape.

use super::bars;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use veil_engine::setup::{self, ShapeOptions, DEFAULT_BATCH, DEFAULT_SAMPLES};

#[derive(Args, Debug)]
pub struct SetupArgs {
    /// Statement to set up: preview-membership, disclosure-totals, usage-call or usage-tier.
    #[arg(long, default_value = setup::STATEMENTS[0])]
    statement: String,
    /// Preview: take depth and columns from this listing.
    #[arg(long)]
    listing: Option<PathBuf>,
    /// Merkle tree depth (preview: the dataset's; usage-call: the licence tree's). Default 20.
    #[arg(long)]
    depth: Option<u32>,
    /// Preview: samples per proof (1..=64).
    #[arg(long, default_value_t = DEFAULT_SAMPLES)]
    samples: usize,
    /// Preview: columns per record.
    #[arg(long)]
    columns: Option<usize>,
    /// Totals: receipts per batch proof (16, 64, 256, or any power of two).
    #[arg(long, default_value_t = DEFAULT_BATCH)]
    batch: usize,
    /// Totals: number of price-band edges.
    #[arg(long, default_value_t = 3)]
    edges: usize,
    /// Params directory (default: $VEIL_PARAMS or ./params).
    #[arg(long)]
    params: Option<PathBuf>,
    /// Replace keys that already exist for this shape (proofs made with them stop verifying).
    #[arg(long)]
    force: bool,
}

pub fn run(a: SetupArgs) -> Result<()> {
    let opts = ShapeOptions {
        listing: a.listing,
        depth: a.depth,
        samples: Some(a.samples),
        columns: a.columns,
        batch: Some(a.batch),
        edges: Some(a.edges),
    };
    let t = Instant::now();
    let done = setup::setup(&a.statement, &opts, a.params, a.force, &*bars())?;
    eprintln!(
        "WARNING: single-party setup: whoever ran it can forge proofs. For development only."
    );
    println!(
        "set up {} in {:.1} s: {} constraints, {} public inputs, proving key {} MB, in {}",
        done.key,
        t.elapsed().as_secs_f64(),
        done.entry.constraints,
        done.entry.public_inputs,
        done.entry.proving_key.bytes / 1_000_000,
        done.dir.display()
    );
    Ok(())
}
