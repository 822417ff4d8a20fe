//! Setup: the statements Veil proves (the registry every door lists), and making their keys
//! for a shape.

use crate::dataset::load_listing;
use crate::error::refuse;
use crate::files::params_dir;
use crate::progress::{stage, Progress, Unit};
use crate::Result;
use std::path::PathBuf;
use veil_circuits::statements::preview::{self, PreviewShape};
use veil_circuits::statements::totals::{self, TotalsShape};
use veil_circuits::statements::usage;
use veil_circuits::statements::{
    CallShape, DisclosureTotals, PreviewMembership, R1csStatement, TierShape, UsageCall, UsageTier,
};
use veil_prover::keys::Groth16Backend;
use veil_verifier::params::KeyEntry;

/// The statements a door can set up, by the names it takes.
pub const STATEMENTS: [&str; 4] = [preview::NAME, totals::NAME, usage::CALL, usage::TIER];

/// Samples per preview proof unless said otherwise.
pub const DEFAULT_SAMPLES: usize = 8;
/// Receipts per batch proof unless said otherwise.
pub const DEFAULT_BATCH: usize = 16;

/// A shape as a door describes it; what does not apply to the statement must be `None`.
#[derive(Clone, Debug, Default)]
pub struct ShapeOptions {
    /// Preview: take depth and columns from this listing.
    pub listing: Option<PathBuf>,
    /// Merkle depth (preview: the dataset's, default 20; usage call: the licence tree's,
    /// default 16).
    pub depth: Option<u32>,
    /// Preview: samples per proof.
    pub samples: Option<usize>,
    /// Preview: columns per record.
    pub columns: Option<usize>,
    /// Totals: receipts per batch.
    pub batch: Option<usize>,
    /// Totals: number of band edges.
    pub edges: Option<usize>,
}

impl ShapeOptions {
    /// The options given, by name.
    fn given(&self) -> [(&'static str, bool); 6] {
        [
            ("listing", self.listing.is_some()),
            ("depth", self.depth.is_some()),
            ("samples", self.samples.is_some()),
            ("columns", self.columns.is_some()),
            ("batch", self.batch.is_some()),
            ("edges", self.edges.is_some()),
        ]
    }

    /// Refuses options that do not apply to `statement` (silently ignoring them would set up
    /// another shape than the one asked for).
    pub fn check_applies(&self, statement: &str) -> Result<()> {
        let applies: &[&str] = match statement {
            preview::NAME => &["listing", "depth", "samples", "columns"],
            totals::NAME => &["batch", "edges"],
            usage::CALL => &["depth"],
            usage::TIER => &[],
            other => refuse!(
                "unknown statement {other:?}; available: {}",
                STATEMENTS.join(", ")
            ),
        };
        let stray: Vec<&str> = self
            .given()
            .into_iter()
            .filter(|(name, given)| *given && !applies.contains(name))
            .map(|(name, _)| name)
            .collect();
        if !stray.is_empty() {
            refuse!(
                "{} does not apply to {statement} (it takes {})",
                stray.join(", "),
                if applies.is_empty() {
                    "no shape options".to_string()
                } else {
                    applies.join(", ")
                }
            );
        }
        if self.listing.is_some() && (self.depth.is_some() || self.columns.is_some()) {
            refuse!("give either a listing or depth and columns: the listing sets both");
        }
        Ok(())
    }
}

/// Keys made by a setup.
#[derive(Debug)]
pub struct SetUp {
    /// The key id.
    pub key: String,
    /// Its manifest entry.
    pub entry: KeyEntry,
    /// The key store's directory.
    pub dir: PathBuf,
}

/// Runs the (single-party, **insecure**: development only) Groth16 setup of `statement` at the
/// shape `opts` describes, into `params`. Existing keys are replaced only with `force`.
pub fn setup(
    statement: &str,
    opts: &ShapeOptions,
    params: Option<PathBuf>,
    force: bool,
    progress: &dyn Progress,
) -> Result<SetUp> {
    opts.check_applies(statement)?;
    let backend = crate::provers::backend(params_dir(params));
    let (key, entry) = match statement {
        preview::NAME => {
            let (depth, columns) = match (&opts.listing, opts.columns) {
                (Some(l), _) => {
                    let l = load_listing(l)?;
                    (l.depth, l.schema.columns.len())
                }
                (None, Some(c)) => (
                    opts.depth.unwrap_or(veil_circuits::dataset::DEFAULT_DEPTH),
                    c,
                ),
                (None, None) => {
                    refuse!("give --columns, or --listing to take depth and columns from a listing")
                }
            };
            let shape = PreviewShape {
                depth,
                samples: opts.samples.unwrap_or(DEFAULT_SAMPLES),
                columns,
            };
            run::<PreviewMembership>(&backend, &shape, force, progress)?
        }
        totals::NAME => {
            let shape = TotalsShape {
                batch: opts.batch.unwrap_or(DEFAULT_BATCH),
                edges: opts.edges.unwrap_or(crate::audit::DEFAULT_EDGES.len()),
            };
            run::<DisclosureTotals>(&backend, &shape, force, progress)?
        }
        usage::CALL => {
            let depth = opts.depth.unwrap_or(usage::DEFAULT_LICENCE_DEPTH);
            run::<UsageCall>(&backend, &CallShape { depth }, force, progress)?
        }
        usage::TIER => run::<UsageTier>(&backend, &TierShape::default(), force, progress)?,
        other => refuse!(
            "unknown statement {other:?}; available: {}",
            STATEMENTS.join(", ")
        ),
    };
    Ok(SetUp {
        key,
        entry,
        dir: backend.store().dir().to_path_buf(),
    })
}

fn run<S: R1csStatement>(
    backend: &Groth16Backend,
    shape: &S::Shape,
    force: bool,
    progress: &dyn Progress,
) -> Result<(String, KeyEntry)> {
    let key = S::key_id(shape);
    let entry = stage(
        progress,
        &format!("setting up {key}"),
        0,
        Unit::Steps,
        || backend.setup::<S>(shape, force),
    )?;
    Ok((key, entry))
}
