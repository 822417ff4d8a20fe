//! The registry: every statement Veil offers, one entry each, and the one table every door
//! reads. The command line's `--statement` values and `veil bench --case` names, setup, the
//! service's benchmark cases and its OpenAPI enum all come from a [`Registry`], so a new
//! statement is its folder in `circuits` (and its twins in `halo2` and `noir`), one entry here,
//! and one line in [`Registry::standard`].
//!
//! An entry is what only the doors need: a summary, which setup options describe its shape,
//! and how a benchmark builds an honest assignment of it. What it proves stays in its
//! [`Statement`](veil_circuits::statements::Statement).

mod dispute;
mod opening;
mod preview;
mod totals;
mod usage;

pub use dispute::DEFAULT_ELEMENTS;

use crate::bench::{BenchPlan, BenchRecord};
use crate::error::refuse;
use crate::files::params_dir;
use crate::progress::Progress;
use crate::setup::keys::{Halo2SetUp, SetUp, SetupDone, SetupJob, ShapeOptions};
use crate::{EngineError, Result};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use veil_circuits::statements::R1csStatement;
use veil_halo2::statements::Halo2Statement;
use veil_noir::twins::NoirTwin;

/// A statement as the doors see it.
pub trait Registered: Send + Sync {
    /// Its name (proof files, key ids, `--statement`, `veil bench --case`, the API's enums).
    fn name(&self) -> &'static str;
    /// One line for help texts and the API document.
    fn summary(&self) -> &'static str;
    /// The [`ShapeOptions`] fields that describe its shape, by name.
    fn shape_options(&self) -> &'static [&'static str];
    /// Runs `job` at the shape `opts` describe (already checked against
    /// [`Registered::shape_options`]).
    fn setup(&self, opts: &ShapeOptions, job: SetupJob<'_>) -> Result<SetupDone>;
    /// What a benchmark case measures, naming its size by [`BenchSize::letter`], e.g.
    /// `K samples of a depth-20, 3-column dataset`.
    fn bench_case(&self) -> &'static str;
    /// A benchmark case's size (`None`: it takes none).
    fn bench_size(&self) -> Option<BenchSize>;
    /// Checks a benchmark size (within the statement's and a benchmark's limits).
    fn bench_validate(&self, size: usize) -> Result<()>;
    /// Measures the plan's provers at `size`.
    fn bench(&self, size: usize, run: &BenchRun<'_>) -> Result<Vec<BenchRecord>>;
}

/// What a benchmark case's size is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchSize {
    /// Its letter in help texts (`K` in `preview-membership:K`).
    pub letter: &'static str,
    /// The size when none is given.
    pub default: usize,
}

/// What a benchmark case runs with: the plan, a scratch folder and progress.
pub struct BenchRun<'a> {
    /// The plan.
    pub plan: &'a BenchPlan,
    /// Temporary files (a ledger for the totals' receipts).
    pub scratch: &'a Path,
    /// Progress and cancellation.
    pub progress: &'a dyn Progress,
}

impl BenchRun<'_> {
    /// Measures every prover of the plan on one honest assignment of `S`.
    pub fn measure<S: R1csStatement + NoirTwin + Halo2Statement>(
        &self,
        shape: &S::Shape,
        public: S::Public,
        witness: S::Witness,
    ) -> Result<Vec<BenchRecord>> {
        crate::bench::measure::<S>(
            shape,
            public,
            witness,
            self.plan,
            self.scratch,
            self.progress,
        )
    }

    /// Measures Veil's Groth16 prover alone (latency) on one honest assignment of `S`, for a
    /// statement with no halo2 circuit or Noir twin.
    pub fn measure_groth16<S: R1csStatement>(
        &self,
        shape: &S::Shape,
        public: S::Public,
        witness: S::Witness,
    ) -> Result<Vec<BenchRecord>> {
        crate::bench::measure_groth16::<S>(shape, public, witness, self.plan, self.progress)
    }
}

/// The statements a door offers, in the order it lists them.
#[derive(Clone, Default)]
pub struct Registry {
    entries: Vec<Arc<dyn Registered>>,
}

impl Registry {
    /// Every statement Veil proves, in report order.
    pub fn standard() -> &'static Registry {
        static STANDARD: OnceLock<Registry> = OnceLock::new();
        STANDARD.get_or_init(|| {
            Registry::default()
                .with(preview::Preview)
                .with(totals::Totals)
                .with(usage::Call)
                .with(usage::Tier)
                .with(dispute::Dispute)
                .with(opening::Opening)
        })
    }

    /// This registry and `entry` (which replaces an entry of the same name).
    pub fn with(mut self, entry: impl Registered + 'static) -> Self {
        self.entries.retain(|e| e.name() != entry.name());
        self.entries.push(Arc::new(entry));
        self
    }

    /// The entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Registered> {
        self.entries.iter().map(|e| &**e)
    }

    /// Every name, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.iter().map(|e| e.name()).collect()
    }

    /// The entry named `name`; an unknown name is refused with the names there are.
    pub fn get(&self, name: &str) -> Result<&dyn Registered> {
        match self.iter().find(|e| e.name() == name) {
            Some(e) => Ok(e),
            None => refuse!(
                "unknown statement {name:?}; available: {}",
                self.names().join(", ")
            ),
        }
    }

    /// Runs the (single-party, **insecure**: development only) Groth16 setup of `statement`
    /// at the shape `opts` describes, into `params`. Existing keys are replaced only with
    /// `force`.
    pub fn setup(
        &self,
        statement: &str,
        opts: &ShapeOptions,
        params: Option<PathBuf>,
        force: bool,
        progress: &dyn Progress,
    ) -> Result<SetUp> {
        let backend = crate::provers::backend(params_dir(params));
        let job = SetupJob::Groth16 {
            backend: &backend,
            force,
            progress,
        };
        match self.run_setup(statement, opts, job)? {
            SetupDone::Groth16(done) => Ok(*done),
            _ => Err(wrong_setup(statement)),
        }
    }

    /// Exports `statement`'s circuit at the shape `opts` describes for a Groth16 phase-2
    /// ceremony, into the folder `out` (see [`crate::setup::ceremony`]).
    pub fn ceremony_export(
        &self,
        statement: &str,
        opts: &ShapeOptions,
        out: &Path,
        force: bool,
    ) -> Result<(crate::setup::ceremony::CeremonyExport, PathBuf)> {
        match self.run_setup(statement, opts, SetupJob::CeremonyExport { out, force })? {
            SetupDone::CeremonyExport(done) => Ok(*done),
            _ => Err(wrong_setup(statement)),
        }
    }

    /// Imports the final `.zkey` of a phase-2 ceremony over `statement`'s circuit at the shape
    /// `opts` describes, made over the prepared `.ptau` `ptau`, into the key store `params`
    /// (see [`crate::setup::ceremony::import`]).
    pub fn ceremony_import(
        &self,
        statement: &str,
        opts: &ShapeOptions,
        params: Option<PathBuf>,
        zkey: &Path,
        ptau: &Path,
        force: bool,
    ) -> Result<crate::setup::ceremony::Imported> {
        let store = veil_prover::keys::KeyStore::new(params_dir(params));
        let job = SetupJob::CeremonyImport {
            store: &store,
            zkey,
            ptau,
            force,
        };
        match self.run_setup(statement, opts, job)? {
            SetupDone::CeremonyImport(done) => Ok(*done),
            _ => Err(wrong_setup(statement)),
        }
    }

    /// Readies halo2 for `statement` at the shape `opts` describes (see
    /// [`crate::setup::setup_halo2`]).
    pub fn setup_halo2(
        &self,
        statement: &str,
        opts: &ShapeOptions,
        params: Option<PathBuf>,
        ptau: Option<&Path>,
        force: bool,
        progress: &dyn Progress,
    ) -> Result<Halo2SetUp> {
        let job = SetupJob::Halo2 {
            dir: params_dir(params),
            ptau,
            force,
            progress,
        };
        match self.run_setup(statement, opts, job)? {
            SetupDone::Halo2(done) => Ok(*done),
            _ => Err(wrong_setup(statement)),
        }
    }

    fn run_setup(&self, statement: &str, opts: &ShapeOptions, job: SetupJob) -> Result<SetupDone> {
        let entry = self.get(statement)?;
        opts.check_applies(statement, entry.shape_options())?;
        entry.setup(opts, job)
    }
}

fn wrong_setup(statement: &str) -> EngineError {
    EngineError::Refused(format!(
        "the registry entry of {statement} ran another backend's setup"
    ))
}
