//! `veil setup`: keys per circuit shape.

use super::{default_params, read_listing};
use anyhow::{bail, Result};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use veil_circuits::statements::preview::{self, PreviewCircuit, PreviewShape};
use veil_prover::keys::KeyStore;

#[derive(Args, Debug)]
pub struct SetupArgs {
    /// Statement to set up (only `preview-membership` so far).
    #[arg(long, default_value = preview::NAME)]
    statement: String,
    /// Take depth and columns from this listing.
    #[arg(long)]
    listing: Option<PathBuf>,
    /// Merkle tree depth.
    #[arg(long, default_value_t = veil_circuits::dataset::DEFAULT_DEPTH)]
    depth: u32,
    /// Samples per proof (1..=64).
    #[arg(long, default_value_t = 8)]
    samples: usize,
    /// Columns per record.
    #[arg(long)]
    columns: Option<usize>,
    /// Params directory (default: $VEIL_PARAMS or ./params).
    #[arg(long)]
    params: Option<PathBuf>,
}

pub fn run(a: SetupArgs) -> Result<()> {
    if a.statement != preview::NAME {
        bail!(
            "unknown statement {:?}; available: {}",
            a.statement,
            preview::NAME
        );
    }
    let (depth, columns) = match &a.listing {
        Some(l) => {
            let l = read_listing(l)?;
            (l.depth, l.schema.columns.len())
        }
        None => match a.columns {
            Some(c) => (a.depth, c),
            None => bail!("give --columns, or --listing to take depth and columns from a listing"),
        },
    };
    let shape = PreviewShape {
        depth,
        samples: a.samples,
        columns,
    };
    shape.validate()?;
    let store = KeyStore::new(a.params.unwrap_or_else(default_params));
    let t = Instant::now();
    let entry = store.setup(
        &shape.id(),
        preview::NAME,
        serde_json::to_value(shape)?,
        PreviewCircuit::blank(shape),
        &mut rand::rngs::OsRng,
    )?;
    eprintln!(
        "WARNING: single-party setup: whoever ran it can forge proofs. For development only."
    );
    println!(
        "set up {} in {:.1} s: {} constraints, {} public inputs, proving key {} MB, in {}",
        shape.id(),
        t.elapsed().as_secs_f64(),
        entry.constraints,
        entry.public_inputs,
        entry.proving_key.bytes / 1_000_000,
        store.dir().display()
    );
    Ok(())
}
