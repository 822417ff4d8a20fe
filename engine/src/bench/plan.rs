//! What a benchmark measures: its cases (a statement at a size), the provers and the limits.

use crate::error::refuse;
use crate::registry::{Registered, Registry};
use crate::Result;
use serde::{Deserialize, Serialize};
use veil_circuits::statements::usage;
use veil_circuits::statements::{
    DisclosureTotals, PreviewMembership, Statement, UsageCall, UsageTier,
};

/// Version of the report's JSON layout: 2 added the `floor`, `bb` and `verify-*` records and
/// the plan's `batch_verify` and `bb`.
pub const REPORT_VERSION: u32 = 3;

/// Largest sizes a benchmark may ask for (a service shares its machine with real work).
pub const MAX_SAMPLES: usize = 64;
/// Largest totals batch a benchmark may ask for.
pub const MAX_BATCH: usize = 1024;
/// Most proving runs per prover and case.
pub const MAX_RUNS: usize = 100;
/// Proofs a batch-verification measurement may take.
pub const MAX_BATCH_VERIFY: usize = 100_000;

/// One statement (a name in the [registry](crate::registry)) at one size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchCase {
    /// The statement's name.
    pub statement: String,
    /// What the size means is the statement's ([`Registered::bench_size`]): samples `K`
    /// (preview), receipts per batch `B` (totals), licence tree depth (call); ignored for a
    /// statement without sizes (the tier). The statement's default when absent.
    #[serde(default)]
    pub size: Option<usize>,
}

impl BenchCase {
    /// A case at `size`.
    pub fn new(statement: &str, size: usize) -> Self {
        BenchCase {
            statement: statement.into(),
            size: Some(size),
        }
    }

    /// The size measured, for the statement's entry.
    pub fn size(&self, entry: &dyn Registered) -> usize {
        match entry.bench_size() {
            None => 0,
            Some(size) => self.size.unwrap_or(size.default),
        }
    }

    /// Checks the statement is in `registry` and the size is one it supports within a
    /// benchmark's limits.
    pub fn validate(&self, registry: &Registry) -> Result<()> {
        let entry = registry.get(&self.statement)?;
        entry.bench_validate(self.size(entry))
    }
}

/// The provers a run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProverName {
    /// Veil's Groth16 prover (cached matrices, native check first).
    Veil,
    /// arkworks' `Groth16::prove` on the same circuit and key.
    ArkGroth16Stock,
    /// The machine's floor for the proof: its MSMs and FFTs alone (Veil's), from a ready
    /// assignment.
    Floor,
    /// Barretenberg's UltraHonk (`bb prove`) on the statement's Noir twin, the ACVM's witness
    /// included; an insecure development CRS.
    Bb,
    /// snarkjs (npm) `groth16 prove` on the same circuit exported as `.r1cs` + `.wtns`, with its
    /// own setup over an insecure powers-of-tau file made for the run.
    Snarkjs,
    /// Veil's halo2 backend (KZG over BN254, `veil_halo2`) on the statement's halo2 circuit,
    /// same witness; insecure universal parameters made for the run.
    Halo2,
}

impl ProverName {
    /// The name in reports.
    pub fn name(self) -> &'static str {
        match self {
            ProverName::Veil => "veil",
            ProverName::ArkGroth16Stock => "ark-groth16-stock",
            ProverName::Floor => "floor",
            ProverName::Bb => "bb",
            ProverName::Snarkjs => "snarkjs",
            ProverName::Halo2 => "halo2",
        }
    }
}

/// What to measure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenchPlan {
    /// The cases, in order.
    pub cases: Vec<BenchCase>,
    /// Proofs per prover and case (the median is reported).
    pub runs: usize,
    /// Also measure arkworks' stock prover.
    pub stock: bool,
    /// Also measure throughput (one proof per thread, all at once).
    pub throughput: bool,
    /// Threads to prove on; the current pool's when `None`.
    pub threads: Option<usize>,
    /// Also verify this many proofs of each case one by one and as one batch (0: skip).
    #[serde(default)]
    pub batch_verify: usize,
    /// Also prove each case's Noir twin with Barretenberg's UltraHonk (`bb` from
    /// `noir/node_modules`, an insecure development CRS made for the run).
    #[serde(default)]
    pub bb: bool,
    /// Memory Veil's prover may spend on fixed-base tables of the proving key, MiB (0: none):
    /// what a service proving many times against one key does.
    #[serde(default = "default_precompute_mib")]
    pub precompute_mib: usize,
    /// Also prove each case of at most [`SNARKJS_MAX_CONSTRAINTS`] with snarkjs (npm, at
    /// [`snarkjs::snarkjs_path`]) on the same circuit and witness.
    #[serde(default)]
    pub snarkjs: bool,
    /// Also prove each case under the halo2 backend (universal parameters from an insecure
    /// setup made for the run; key generation is its `setup`).
    #[serde(default)]
    pub halo2: bool,
    /// Also fold this many batches of each totals case into one halo2 proof and verify it
    /// against verifying the batches one by one (0: skip; minutes per case).
    #[serde(default)]
    pub aggregate: usize,
}

/// Most batches a benchmark may fold into one proof.
pub const MAX_AGGREGATE: usize = veil_halo2::aggregate::MAX_BATCHES;

/// The largest case snarkjs is measured on: its own setup of a larger circuit (and the
/// powers of tau it needs) takes many minutes in Node.
pub const SNARKJS_MAX_CONSTRAINTS: usize = 1 << 13;

/// [`BenchPlan::precompute_mib`] unless told: enough for every case of the full run.
pub const DEFAULT_PRECOMPUTE_MIB: usize = 4096;
/// The largest [`BenchPlan::precompute_mib`] accepted.
pub const MAX_PRECOMPUTE_MIB: usize = 1 << 20;

pub(crate) fn default_precompute_mib() -> usize {
    DEFAULT_PRECOMPUTE_MIB
}

impl BenchPlan {
    /// A small run for CI and smoke tests: each statement at its smallest common size.
    pub fn quick() -> Self {
        BenchPlan {
            cases: Registry::standard()
                .iter()
                .map(|e| BenchCase::new(e.name(), e.bench_size().map_or(0, |s| s.default)))
                .collect(),
            runs: 3,
            stock: true,
            throughput: true,
            threads: None,
            batch_verify: 1000,
            bb: false,
            precompute_mib: DEFAULT_PRECOMPUTE_MIB,
            snarkjs: false,
            halo2: true,
            aggregate: 0,
        }
    }

    /// The report's run: the sizes `docs/performance.md` tabulates.
    pub fn full() -> Self {
        let (preview, totals) = (PreviewMembership::NAME, DisclosureTotals::NAME);
        BenchPlan {
            cases: vec![
                BenchCase::new(preview, 1),
                BenchCase::new(preview, 8),
                BenchCase::new(UsageCall::NAME, usage::DEFAULT_LICENCE_DEPTH as usize),
                BenchCase::new(UsageTier::NAME, 0),
                BenchCase::new(totals, 16),
                BenchCase::new(totals, 64),
                BenchCase::new(totals, 256),
            ],
            runs: 5,
            stock: true,
            throughput: true,
            threads: None,
            batch_verify: 1000,
            bb: false,
            precompute_mib: DEFAULT_PRECOMPUTE_MIB,
            snarkjs: false,
            halo2: true,
            aggregate: 0,
        }
    }

    /// Checks every case (against the standard registry), the runs and the threads.
    pub fn validate(&self) -> Result<()> {
        self.validate_in(Registry::standard())
    }

    /// Checks every case against `registry`, the runs and the threads.
    pub fn validate_in(&self, registry: &Registry) -> Result<()> {
        if self.cases.is_empty() {
            refuse!("a benchmark needs at least one case");
        }
        if !(1..=MAX_RUNS).contains(&self.runs) {
            refuse!("runs must be 1 to {MAX_RUNS}, not {}", self.runs);
        }
        if let Some(t) = self.threads {
            if !(1..=256).contains(&t) {
                refuse!("threads must be 1 to 256, not {t}");
            }
        }
        if self.precompute_mib > MAX_PRECOMPUTE_MIB {
            refuse!(
                "fixed-base tables may take at most {MAX_PRECOMPUTE_MIB} MiB, not {}",
                self.precompute_mib
            );
        }
        if self.aggregate > MAX_AGGREGATE {
            refuse!(
                "a benchmark folds at most {MAX_AGGREGATE} batches, not {}",
                self.aggregate
            );
        }
        if self.batch_verify > MAX_BATCH_VERIFY {
            refuse!(
                "batch verification takes at most {MAX_BATCH_VERIFY} proofs, not {}",
                self.batch_verify
            );
        }
        self.cases.iter().try_for_each(|c| c.validate(registry))
    }
}
