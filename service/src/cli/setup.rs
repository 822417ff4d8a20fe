//! `veil setup`: keys per statement and circuit shape.

use super::{default_params, read_listing};
use anyhow::{bail, Result};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use veil_circuits::statements::preview::{self, PreviewShape};
use veil_circuits::statements::totals::{self, TotalsShape};
use veil_circuits::statements::usage;
use veil_circuits::statements::{
    CallShape, DisclosureTotals, PreviewMembership, R1csStatement, TierShape, UsageCall, UsageTier,
};
use veil_prover::keys::KeyStore;
use veil_verifier::params::KeyEntry;

#[derive(Args, Debug)]
pub struct SetupArgs {
    /// Statement to set up: preview-membership, disclosure-totals, usage-call or usage-tier.
    #[arg(long, default_value = preview::NAME)]
    statement: String,
    /// Preview: take depth and columns from this listing.
    #[arg(long)]
    listing: Option<PathBuf>,
    /// Merkle tree depth (preview: the dataset's; usage-call: the licence tree's). Default 20.
    #[arg(long)]
    depth: Option<u32>,
    /// Preview: samples per proof (1..=64).
    #[arg(long, default_value_t = 8)]
    samples: usize,
    /// Preview: columns per record.
    #[arg(long)]
    columns: Option<usize>,
    /// Totals: receipts per batch proof (16, 64, 256, or any power of two).
    #[arg(long, default_value_t = 16)]
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
    let store = KeyStore::new(a.params.clone().unwrap_or_else(default_params));
    let t = Instant::now();
    let rng = &mut rand::rngs::OsRng;
    let (key, entry) = match a.statement.as_str() {
        preview::NAME => {
            let (depth, columns) = match (&a.listing, a.columns) {
                (Some(l), _) => {
                    let l = read_listing(l)?;
                    (l.depth, l.schema.columns.len())
                }
                (None, Some(c)) => (a.depth.unwrap_or(veil_circuits::dataset::DEFAULT_DEPTH), c),
                (None, None) => {
                    bail!("give --columns, or --listing to take depth and columns from a listing")
                }
            };
            let shape = PreviewShape {
                depth,
                samples: a.samples,
                columns,
            };
            setup::<PreviewMembership>(&store, &shape, a.force, rng)?
        }
        totals::NAME => {
            let shape = TotalsShape {
                batch: a.batch,
                edges: a.edges,
            };
            setup::<DisclosureTotals>(&store, &shape, a.force, rng)?
        }
        usage::CALL => {
            let depth = a.depth.unwrap_or(usage::DEFAULT_LICENCE_DEPTH);
            setup::<UsageCall>(&store, &CallShape { depth }, a.force, rng)?
        }
        usage::TIER => setup::<UsageTier>(&store, &TierShape::default(), a.force, rng)?,
        other => bail!(
            "unknown statement {other:?}; available: {}, {}, {}, {}",
            preview::NAME,
            totals::NAME,
            usage::CALL,
            usage::TIER
        ),
    };
    report(&key, &entry, t, &store);
    Ok(())
}

fn setup<S: R1csStatement>(
    store: &KeyStore,
    shape: &S::Shape,
    force: bool,
    rng: &mut rand::rngs::OsRng,
) -> Result<(String, KeyEntry)> {
    let entry = store.setup_statement::<S, _>(shape, force, rng)?;
    Ok((S::key_id(shape), entry))
}

fn report(key: &str, entry: &KeyEntry, t: Instant, store: &KeyStore) {
    eprintln!(
        "WARNING: single-party setup: whoever ran it can forge proofs. For development only."
    );
    println!(
        "set up {key} in {:.1} s: {} constraints, {} public inputs, proving key {} MB, in {}",
        t.elapsed().as_secs_f64(),
        entry.constraints,
        entry.public_inputs,
        entry.proving_key.bytes / 1_000_000,
        store.dir().display()
    );
}
