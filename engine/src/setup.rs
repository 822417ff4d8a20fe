//! Setup: the statements Veil proves (the registry every door lists), and making their keys
//! for a shape.

use crate::dataset::load_listing;
use crate::error::refuse;
use crate::files::params_dir;
use crate::progress::{stage, Progress, Unit};
use crate::Result;
use std::path::{Path, PathBuf};
use veil_circuits::statements::preview::{self, PreviewShape};
use veil_circuits::statements::totals::{self, TotalsShape};
use veil_circuits::statements::usage;
use veil_circuits::statements::{
    CallShape, DisclosureTotals, PreviewMembership, R1csStatement, TierShape, UsageCall, UsageTier,
};
use veil_halo2::statements::Halo2Statement;
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

/// What a statement's setup does once its shape is known.
trait AtShape {
    type Out;
    fn at<S: R1csStatement + Halo2Statement>(self, shape: &S::Shape) -> Result<Self::Out>;
}

/// Reads the shape `opts` describes for `statement` and hands it to `f`.
fn at_shape<F: AtShape>(statement: &str, opts: &ShapeOptions, f: F) -> Result<F::Out> {
    opts.check_applies(statement)?;
    match statement {
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
            f.at::<PreviewMembership>(&shape)
        }
        totals::NAME => {
            let shape = TotalsShape {
                batch: opts.batch.unwrap_or(DEFAULT_BATCH),
                edges: opts.edges.unwrap_or(crate::audit::DEFAULT_EDGES.len()),
            };
            f.at::<DisclosureTotals>(&shape)
        }
        usage::CALL => {
            let depth = opts.depth.unwrap_or(usage::DEFAULT_LICENCE_DEPTH);
            f.at::<UsageCall>(&CallShape { depth })
        }
        usage::TIER => f.at::<UsageTier>(&TierShape::default()),
        other => refuse!(
            "unknown statement {other:?}; available: {}",
            STATEMENTS.join(", ")
        ),
    }
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
    struct Groth16<'a> {
        backend: &'a Groth16Backend,
        force: bool,
        progress: &'a dyn Progress,
    }
    impl AtShape for Groth16<'_> {
        type Out = (String, KeyEntry);
        fn at<S: R1csStatement + Halo2Statement>(self, shape: &S::Shape) -> Result<Self::Out> {
            S::validate(shape)?;
            let key = S::key_id(shape);
            let entry = stage(
                self.progress,
                &format!("setting up {key}"),
                0,
                Unit::Steps,
                || self.backend.setup::<S>(shape, self.force),
            )?;
            Ok((key, entry))
        }
    }
    let backend = crate::provers::backend(params_dir(params));
    let (key, entry) = at_shape(
        statement,
        opts,
        Groth16 {
            backend: &backend,
            force,
            progress,
        },
    )?;
    Ok(SetUp {
        key,
        entry,
        dir: backend.store().dir().to_path_buf(),
    })
}

/// What a halo2 setup made ready.
#[derive(Debug)]
pub struct Halo2SetUp {
    /// The key id (the statement and shape, as Groth16's).
    pub key: String,
    /// `log2` of the rows its circuit needs.
    pub k: u32,
    /// The parameters it uses.
    pub params: crate::halo2::ParamsInfo,
    /// SHA-256 of its verifying key (what its proofs' envelopes name).
    pub vk_sha256: String,
    /// Its verifying key's file, for verifiers (`veil_verifier::halo2::vk_file`).
    pub vk_file: PathBuf,
    /// The params directory.
    pub dir: PathBuf,
}

/// Readies halo2 for `statement` at the shape `opts` describes: universal parameters large
/// enough in `params` (converted from the ceremony file `ptau` when given; else made by the
/// **insecure** local setup when missing or too small, `force` remaking them), and its keys
/// derived from them once, to report their digest.
pub fn setup_halo2(
    statement: &str,
    opts: &ShapeOptions,
    params: Option<PathBuf>,
    ptau: Option<&Path>,
    force: bool,
    progress: &dyn Progress,
) -> Result<Halo2SetUp> {
    struct Halo2<'a> {
        dir: PathBuf,
        ptau: Option<&'a Path>,
        force: bool,
        progress: &'a dyn Progress,
    }
    impl AtShape for Halo2<'_> {
        type Out = Halo2SetUp;
        fn at<S: R1csStatement + Halo2Statement>(self, shape: &S::Shape) -> Result<Self::Out> {
            S::validate(shape)?;
            let key = S::key_id(shape);
            let k = S::k(shape)?;
            // A period's batches fold into one proof at 2^aggregate::K rows
            // (`crate::aggregate`): the parameters serve that too.
            let k_params = if S::NAME == totals::NAME {
                k.max(veil_halo2::aggregate::K)
            } else {
                k
            };
            let info = stage(
                self.progress,
                &format!("universal parameters for 2^{k_params} rows"),
                0,
                Unit::Steps,
                || match self.ptau {
                    Some(ptau) => crate::halo2::import_ptau(&self.dir, ptau, k_params),
                    None => crate::halo2::setup_insecure(&self.dir, k_params, self.force),
                },
            )?;
            crate::provers::forget_halo2(&self.dir);
            let (backend, _) = crate::provers::halo2(self.dir.clone())?;
            let vk = stage(
                self.progress,
                &format!("deriving the keys of {key}"),
                0,
                Unit::Steps,
                || backend.verifying_key::<S>(shape),
            )?;
            let vk_file = crate::halo2::write_vk(&self.dir, &key, &vk)?;
            Ok(Halo2SetUp {
                key,
                k,
                params: info,
                vk_sha256: veil_halo2::kzg::vk_digest(&vk),
                vk_file,
                dir: self.dir,
            })
        }
    }
    at_shape(
        statement,
        opts,
        Halo2 {
            dir: params_dir(params),
            ptau,
            force,
            progress,
        },
    )
}
