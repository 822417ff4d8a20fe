//! What a setup is given (a door's [`ShapeOptions`]) and runs once a registry entry has read
//! the shape from them ([`SetupJob`]), and what it made.

use crate::error::refuse;
use crate::progress::{stage, Progress, Unit};
use crate::Result;
use std::path::{Path, PathBuf};
use veil_circuits::statements::totals;
use veil_circuits::statements::R1csStatement;
use veil_halo2::statements::Halo2Statement;
use veil_prover::backend::groth16::Groth16Backend;
use veil_verifier::params::KeyEntry;

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
    /// Dispute: the delivery's elements per record (its ciphertext header's `record_elements`).
    pub elements: Option<u32>,
}

impl ShapeOptions {
    /// The options given, by name.
    fn given(&self) -> [(&'static str, bool); 7] {
        [
            ("listing", self.listing.is_some()),
            ("depth", self.depth.is_some()),
            ("samples", self.samples.is_some()),
            ("columns", self.columns.is_some()),
            ("batch", self.batch.is_some()),
            ("edges", self.edges.is_some()),
            ("elements", self.elements.is_some()),
        ]
    }

    /// Refuses options that do not apply (silently ignoring them would set up another shape
    /// than the one asked for): `applies` names the ones `statement` takes.
    pub fn check_applies(&self, statement: &str, applies: &[&str]) -> Result<()> {
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

/// What a halo2 setup made ready.
#[derive(Debug)]
pub struct Halo2SetUp {
    /// The key id (the statement and shape, as Groth16's).
    pub key: String,
    /// `log2` of the rows its circuit needs.
    pub k: u32,
    /// The parameters it uses.
    pub params: crate::halo2_params::ParamsInfo,
    /// SHA-256 of its verifying key (what its proofs' envelopes name).
    pub vk_sha256: String,
    /// Its verifying key's file, for verifiers (`veil_verifier::halo2::vk_file`).
    pub vk_file: PathBuf,
    /// The params directory.
    pub dir: PathBuf,
}

/// A setup to run once a statement's shape is known: a registry entry reads the shape from
/// the door's [`ShapeOptions`] and calls [`SetupJob::at`] with its statement type.
pub enum SetupJob<'a> {
    /// Groth16 keys into a key store.
    Groth16 {
        /// The key store.
        backend: &'a Groth16Backend,
        /// Replace existing keys.
        force: bool,
        /// Progress.
        progress: &'a dyn Progress,
    },
    /// halo2 parameters and keys.
    Halo2 {
        /// The params directory.
        dir: PathBuf,
        /// The ceremony file to convert the parameters from.
        ptau: Option<&'a Path>,
        /// Remake the parameters.
        force: bool,
        /// Progress.
        progress: &'a dyn Progress,
    },
    /// A ceremony's final `.zkey` imported into a key store ([`super::ceremony::import`]).
    CeremonyImport {
        /// The key store.
        store: &'a veil_prover::keys::KeyStore,
        /// The final `.zkey`.
        zkey: &'a Path,
        /// The prepared `.ptau` the ceremony was made over.
        ptau: &'a Path,
        /// Replace an existing key of the same id.
        force: bool,
    },
    /// The circuit exported for a Groth16 phase-2 ceremony ([`super::ceremony`]).
    CeremonyExport {
        /// The folder to write into.
        out: &'a Path,
        /// Replace an earlier export of the same key.
        force: bool,
    },
}

/// What a [`SetupJob`] made.
#[derive(Debug)]
pub enum SetupDone {
    /// Groth16 keys.
    Groth16(Box<SetUp>),
    /// halo2 parameters and keys.
    Halo2(Box<Halo2SetUp>),
    /// A circuit exported for a ceremony, and its description's path.
    CeremonyExport(Box<(super::ceremony::CeremonyExport, PathBuf)>),
    /// A ceremony's key imported.
    CeremonyImport(Box<super::ceremony::Imported>),
}

impl SetupJob<'_> {
    /// Runs the job for `S` at `shape`.
    pub fn at<S: R1csStatement + Halo2Statement>(self, shape: &S::Shape) -> Result<SetupDone> {
        match self {
            SetupJob::Groth16 { .. }
            | SetupJob::CeremonyExport { .. }
            | SetupJob::CeremonyImport { .. } => self.at_groth16::<S>(shape),
            SetupJob::Halo2 {
                dir,
                ptau,
                force,
                progress,
            } => {
                halo2_at::<S>(dir, ptau, force, progress, shape).map(|h| SetupDone::Halo2(h.into()))
            }
        }
    }

    /// Runs the job for a statement with no halo2 circuit: a halo2 job is refused.
    pub fn at_groth16<S: R1csStatement>(self, shape: &S::Shape) -> Result<SetupDone> {
        if let SetupJob::CeremonyExport { out, force } = self {
            let done = super::ceremony::export::<S>(shape, out, force)?;
            return Ok(SetupDone::CeremonyExport(Box::new(done)));
        }
        if let SetupJob::CeremonyImport {
            store,
            zkey,
            ptau,
            force,
        } = self
        {
            let done = super::ceremony::import::<S>(shape, zkey, ptau, store, force)?;
            return Ok(SetupDone::CeremonyImport(Box::new(done)));
        }
        let SetupJob::Groth16 {
            backend,
            force,
            progress,
        } = self
        else {
            refuse!(
                "{} has no halo2 circuit: set it up with --backend groth16",
                S::NAME
            );
        };
        S::validate(shape)?;
        let key = S::key_id(shape);
        let entry = stage(
            progress,
            &format!("setting up {key}"),
            0,
            Unit::Steps,
            || backend.setup::<S>(shape, force),
        )?;
        Ok(SetupDone::Groth16(Box::new(SetUp {
            key,
            entry,
            dir: backend.store().dir().to_path_buf(),
        })))
    }
}

fn halo2_at<S: R1csStatement + Halo2Statement>(
    dir: PathBuf,
    ptau: Option<&Path>,
    force: bool,
    progress: &dyn Progress,
    shape: &S::Shape,
) -> Result<Halo2SetUp> {
    S::validate(shape)?;
    let key = S::key_id(shape);
    let k = S::k(shape)?;
    // A period's batches fold into one proof at 2^aggregate::K rows (`crate::aggregate`): the
    // parameters serve that too.
    let k_params = if S::NAME == totals::NAME {
        k.max(veil_halo2::aggregate::K)
    } else {
        k
    };
    let info = stage(
        progress,
        &format!("universal parameters for 2^{k_params} rows"),
        0,
        Unit::Steps,
        || match ptau {
            Some(ptau) => crate::halo2_params::import_ptau(&dir, ptau, k_params),
            None => crate::halo2_params::setup_insecure(&dir, k_params, force),
        },
    )?;
    crate::provers::forget_halo2(&dir);
    let (backend, _) = crate::provers::halo2(dir.clone())?;
    let vk = stage(
        progress,
        &format!("deriving the keys of {key}"),
        0,
        Unit::Steps,
        || backend.verifying_key::<S>(shape),
    )?;
    let vk_file = crate::halo2_params::write_vk(&dir, &key, &vk)?;
    Ok(Halo2SetUp {
        key,
        k,
        params: info,
        vk_sha256: veil_halo2::kzg::vk_digest(&vk),
        vk_file,
        dir,
    })
}
