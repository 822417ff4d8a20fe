//! Measuring Veil's prover on generated witnesses, beside arkworks' stock prover in the same
//! run: what `veil bench` prints and what the service's benchmark jobs return.
//!
//! A case is one statement at one size. It builds an honest witness from generated data (a
//! dataset of short rows, simulated sales, a licence tree, an epoch's calls), makes keys by an
//! **insecure** single-party setup that never leaves memory, then times setup, proving (the
//! median of `runs`) and verifying, and reads proof and key sizes and the process's peak memory.
//! Wall-clock times depend on the machine and on what else it runs: compare provers only
//! within one run (each case measures every prover on the same keys and witness).
//!
//! Two modes, the service's two scheduling modes: *latency* is one proof at a time on the pool's
//! threads; *throughput* is one proof per thread, all threads at once, each on a one-thread
//! pool (reported as proofs per second).

pub mod plot;
pub mod snarkjs;

use crate::error::refuse;
use crate::progress::{check, Progress, Unit};
use crate::{EngineError, Result};
use ark_ec::{AffineRepr, CurveGroup};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;
use veil_circuits::dataset::{commit, Format, IterRecords, Record, Schema, SellerSecret};
use veil_circuits::merkle::TreeBuilder;
use veil_circuits::statements::preview::{self, PreviewShape};
use veil_circuits::statements::totals::{BatchPublic, BatchWitness, Sale, TotalsShape};
use veil_circuits::statements::usage::{self, CallsTree, Licence};
use veil_circuits::statements::{
    CallShape, DisclosureTotals, PreviewMembership, R1csStatement, Statement, TierShape, UsageCall,
    UsageTier,
};
use veil_circuits::Fr;
use veil_halo2::aggregate;
use veil_halo2::kzg;
use veil_halo2::statements::Halo2Statement;
use veil_ledger::{SqliteStore, Store};
use veil_noir::twins::NoirTwin;
use veil_prover::backend::groth16::{self as g16, Groth16Prover};

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

/// The statements a benchmark measures, by their proof-file names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BenchStatement {
    /// Sample-to-dataset membership at depth 20 with 3 columns; size: samples `K`.
    #[serde(rename = "preview-membership")]
    Preview,
    /// Disclosure totals with 3 band edges, one full batch; size: receipts per batch `B`.
    #[serde(rename = "disclosure-totals")]
    Totals,
    /// A metered call; size: the licence tree's depth.
    #[serde(rename = "usage-call")]
    Call,
    /// A usage tier over 1,234 calls (the calls tree has a fixed depth); no size.
    #[serde(rename = "usage-tier")]
    Tier,
}

impl BenchStatement {
    /// Every statement, in report order.
    pub const ALL: [BenchStatement; 4] = [
        BenchStatement::Preview,
        BenchStatement::Totals,
        BenchStatement::Call,
        BenchStatement::Tier,
    ];

    /// The statement's name.
    pub fn name(self) -> &'static str {
        match self {
            BenchStatement::Preview => PreviewMembership::NAME,
            BenchStatement::Totals => DisclosureTotals::NAME,
            BenchStatement::Call => UsageCall::NAME,
            BenchStatement::Tier => UsageTier::NAME,
        }
    }

    /// The statement a name means.
    pub fn parse(name: &str) -> std::result::Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|s| s.name()).collect();
                format!(
                    "unknown statement {name:?}: use one of {}",
                    names.join(", ")
                )
            })
    }

    /// The size when none is given.
    pub fn default_size(self) -> usize {
        match self {
            BenchStatement::Preview => 1,
            BenchStatement::Totals => 16,
            BenchStatement::Call => usage::DEFAULT_LICENCE_DEPTH as usize,
            BenchStatement::Tier => 0,
        }
    }
}

/// One statement at one size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchCase {
    /// The statement.
    pub statement: BenchStatement,
    /// Samples `K` (preview), receipts per batch `B` (totals), licence tree depth (call);
    /// ignored for the tier. The statement's default when absent.
    #[serde(default)]
    pub size: Option<usize>,
}

impl BenchCase {
    /// A case at `size`.
    pub fn new(statement: BenchStatement, size: usize) -> Self {
        BenchCase {
            statement,
            size: Some(size),
        }
    }

    /// The size measured.
    pub fn size(&self) -> usize {
        match self.statement {
            BenchStatement::Tier => 0,
            s => self.size.unwrap_or_else(|| s.default_size()),
        }
    }

    /// Checks the size is one the statement supports and within a benchmark's limits.
    pub fn validate(&self) -> Result<()> {
        let size = self.size();
        match self.statement {
            BenchStatement::Preview => {
                if !(1..=MAX_SAMPLES).contains(&size) {
                    refuse!("a preview benchmark takes 1 to {MAX_SAMPLES} samples, not {size}");
                }
                PreviewMembership::validate(&preview_shape(size))?;
            }
            BenchStatement::Totals => {
                if size > MAX_BATCH {
                    refuse!("a totals benchmark takes batches of at most {MAX_BATCH}, not {size}");
                }
                DisclosureTotals::validate(&totals_shape(size))?;
            }
            BenchStatement::Call => {
                let depth = u32::try_from(size).unwrap_or(u32::MAX);
                UsageCall::validate(&CallShape { depth })?;
            }
            BenchStatement::Tier => {}
        }
        Ok(())
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

fn default_precompute_mib() -> usize {
    DEFAULT_PRECOMPUTE_MIB
}

impl BenchPlan {
    /// A small run for CI and smoke tests: each statement at its smallest common size.
    pub fn quick() -> Self {
        BenchPlan {
            cases: BenchStatement::ALL
                .into_iter()
                .map(|s| BenchCase::new(s, s.default_size()))
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
        use BenchStatement::*;
        BenchPlan {
            cases: vec![
                BenchCase::new(Preview, 1),
                BenchCase::new(Preview, 8),
                BenchCase::new(Call, usage::DEFAULT_LICENCE_DEPTH as usize),
                BenchCase::new(Tier, 0),
                BenchCase::new(Totals, 16),
                BenchCase::new(Totals, 64),
                BenchCase::new(Totals, 256),
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

    /// Checks every case, the runs and the threads.
    pub fn validate(&self) -> Result<()> {
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
        self.cases.iter().try_for_each(BenchCase::validate)
    }
}

/// One measurement: a prover proving one case in one mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchRecord {
    /// The statement's name.
    pub statement: String,
    /// The proof system (`groth16`).
    pub backend: String,
    /// Whose prover (`veil`, `ark-groth16-stock`).
    pub prover: String,
    /// `latency` (one proof at a time on `threads` threads), `throughput` (`threads` proofs
    /// at once, one thread each), `verify-one-by-one` or `verify-batch` (`runs` proofs checked
    /// on `threads` threads, `verify_s` per proof), `aggregate` (a period's batches folded into
    /// one halo2 proof; `verify_s` its one check) or `verify-chain` (the same batch proofs
    /// verified one by one; `verify_s` for all of them).
    pub mode: String,
    /// The shape's key id.
    pub shape: String,
    /// R1CS constraints.
    pub constraints_or_gates: u64,
    /// Threads proving.
    pub threads: usize,
    /// Key generation, seconds (once per case; shown on the case's first record).
    pub setup_s: Option<f64>,
    /// Median seconds per proof (throughput: wall time over proofs).
    pub prove_s: f64,
    /// Each run's seconds (throughput: one wall time for all proofs).
    pub prove_runs_s: Vec<f64>,
    /// Proofs per second: made, or verified in the `verify-*` modes.
    pub proofs_per_s: f64,
    /// Median seconds to verify one proof (a prepared key and the pairing check).
    pub verify_s: Option<f64>,
    /// Bytes of a proof (compressed points).
    pub proof_bytes: usize,
    /// Bytes of the proving key as `veil setup` writes it.
    pub pk_bytes: usize,
    /// Bytes of the verifying key.
    pub vk_bytes: usize,
    /// The process's peak resident memory during the measurement (Linux; includes whatever
    /// else the process holds).
    pub peak_mem_bytes: Option<u64>,
    /// Proofs made.
    pub runs: usize,
    /// Veil's prover: seconds to build the proving key's fixed-base tables (once per case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepare_s: Option<f64>,
    /// Veil's prover: bytes of those tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepared_bytes: Option<u64>,
}

/// The machine a report was measured on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// The CPU's model name.
    pub cpu: String,
    /// Cores available to the process.
    pub cores: usize,
    /// Physical memory, bytes.
    pub memory_bytes: Option<u64>,
    /// Operating system and architecture.
    pub os: String,
}

impl Machine {
    /// This machine.
    pub fn this() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_bytes: proc_kib("/proc/meminfo", "MemTotal:"),
            os: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }
}

/// A benchmark's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// Veil's version.
    pub veil: String,
    /// Where it ran.
    pub machine: Machine,
    /// What was asked.
    pub plan: BenchPlan,
    /// One record per prover, case and mode.
    pub records: Vec<BenchRecord>,
}

impl BenchReport {
    /// The report as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("reports serialise")
    }

    /// The report as a Markdown table, with Veil's speed-up over the stock prover per case.
    pub fn markdown(&self) -> String {
        let m = &self.machine;
        let mut out = format!(
            "Machine: {} ({} cores, {}), {}; Veil {}; {} runs per prover, medians.\n\n",
            m.cpu,
            m.cores,
            m.memory_bytes.map_or("memory unknown".into(), bytes),
            m.os,
            self.veil,
            self.plan.runs,
        );
        out.push_str(
            "| statement | shape | constraints | prover | mode | threads | setup | prove | proofs/s | verify | proof | pk | peak mem |\n\
             |---|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for r in &self.records {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {} | {} B | {} | {} |\n",
                r.statement,
                r.shape,
                r.constraints_or_gates,
                r.prover,
                r.mode,
                r.threads,
                r.setup_s.map_or("".into(), seconds),
                if r.prove_s > 0.0 {
                    seconds(r.prove_s)
                } else {
                    String::new()
                },
                r.proofs_per_s,
                r.verify_s.map_or("".into(), seconds),
                r.proof_bytes,
                if r.pk_bytes > 0 {
                    bytes(r.pk_bytes as u64)
                } else {
                    String::new()
                },
                r.peak_mem_bytes.map_or("".into(), bytes),
            ));
        }
        if self
            .records
            .iter()
            .any(|r| r.prover == ProverName::Bb.name())
        {
            out.push_str(
                "\nbb proves each Noir twin against an **insecure development CRS** made for the \
                 run (proving time does not depend on the CRS's points; such proofs do not \
                 verify, so bb has no verify time); its time includes the ACVM's witness and \
                 the `bb prove` process.\n",
            );
        }
        if self
            .records
            .iter()
            .any(|r| r.prover == ProverName::Snarkjs.name())
        {
            out.push_str(&format!(
                "\nsnarkjs proves the same circuit and witness (exported as `.r1cs` and `.wtns`, \
                 checked by `snarkjs wtns check`, its proof verified by snarkjs for Veil's public \
                 inputs) with its own setup over an **insecure** powers-of-tau file made for the \
                 run; each proof is a `snarkjs groth16 prove` process, Node's start included; \
                 cases above {SNARKJS_MAX_CONSTRAINTS} constraints are not measured.\n"
            ));
        }
        let prepared: Vec<String> = self
            .records
            .iter()
            .filter_map(|r| {
                let b = r.prepared_bytes?;
                Some(format!(
                    "{} {} in {}",
                    r.shape,
                    bytes(b),
                    seconds(r.prepare_s.unwrap_or_default())
                ))
            })
            .collect();
        if !prepared.is_empty() {
            out.push_str(&format!(
                "\nVeil proves as a service does, against a key it has prepared once: fixed-base \
                 tables of the proving key's queries (at most {} MiB per key; `--precompute-mib`): \
                 {}. The floor uses them too; the stock prover does not.\n",
                self.plan.precompute_mib,
                prepared.join("; ")
            ));
        }
        let ratios = self.speedups();
        if !ratios.is_empty() {
            out.push_str(
                "\nVeil against arkworks' stock prover, same keys and witness, same run (the floor \
                 is the proof's MSMs and FFTs alone):\n\n",
            );
            for r in ratios {
                out.push_str(&format!(
                    "* {}: {:.2}x faster per proof",
                    r.shape, r.latency
                ));
                if let Some(t) = r.throughput {
                    out.push_str(&format!(
                        ", {t:.2}x the proofs per second in throughput mode"
                    ));
                }
                if let (Some(v), Some(st)) = (r.veil_over_floor, r.stock_over_floor) {
                    out.push_str(&format!("; Veil takes {v:.2}x the floor, stock {st:.2}x"));
                }
                if let Some(b) = r.bb {
                    out.push_str(&format!(
                        "; bb UltraHonk on the Noir twin takes {b:.2}x Veil's time"
                    ));
                }
                if let Some(j) = r.snarkjs {
                    out.push_str(&format!("; snarkjs takes {j:.1}x Veil's time"));
                }
                if let Some(h) = r.halo2 {
                    out.push_str(&format!("; Veil's halo2 backend takes {h:.2}x its Groth16"));
                }
                out.push('\n');
            }
        }
        if self
            .records
            .iter()
            .any(|r| r.prover == ProverName::Halo2.name())
        {
            out.push_str(
                "\nhalo2 rows: `constraints` is the circuit's `2^k` rows, `setup` its key \
                 generation from universal parameters (an **insecure** setup made for the run, \
                 not timed), the proof SHPLONK with a Blake2b transcript.\n",
            );
        }
        for fold in self.records.iter().filter(|r| r.mode == "aggregate") {
            let chain = self
                .records
                .iter()
                .find(|c| c.shape == fold.shape && c.mode == "verify-chain");
            out.push_str(&format!(
                "\n{}: {} batch proofs folded into one halo2 proof of {} B in {} (key generation \
                 {}, peak {}); one check takes {}",
                fold.shape,
                chain.map_or(0, |c| c.runs),
                fold.proof_bytes,
                seconds(fold.prove_s),
                fold.setup_s.map_or("?".into(), seconds),
                fold.peak_mem_bytes.map_or("?".into(), bytes),
                fold.verify_s.map_or("?".into(), seconds),
            ));
            if let (Some(c), Some(v)) = (chain.and_then(|c| c.verify_s), fold.verify_s) {
                out.push_str(&format!(
                    ", verifying the batches one by one {} ({:.2}x)",
                    seconds(c),
                    c / v
                ));
            }
            out.push_str(".\n");
        }
        let batches = self.batch_speedups();
        if !batches.is_empty() {
            out.push_str("\nBatch verification against verifying one by one (one thread):\n\n");
            for (shape, n, all, one) in batches {
                out.push_str(&format!(
                    "* {shape}: {n} proofs verified as one batch {all:.1}x faster on all threads, \
                     {one:.1}x on one\n"
                ));
            }
        }
        out
    }

    /// Per shape: proofs in the batch, and one-by-one verification time over the batch's on
    /// all threads and on one.
    pub fn batch_speedups(&self) -> Vec<(String, usize, f64, f64)> {
        let mut out = Vec::new();
        for r in &self.records {
            if r.mode != "verify-one-by-one" {
                continue;
            }
            let batch = |threads: Option<usize>| {
                self.records
                    .iter()
                    .filter(|b| b.shape == r.shape && b.mode == "verify-batch")
                    .find(|b| threads.is_none_or(|t| b.threads == t))
                    .and_then(|b| Some(r.verify_s? / b.verify_s?))
            };
            if let (Some(all), Some(one)) = (batch(None), batch(Some(1))) {
                out.push((r.shape.clone(), r.runs, all, one));
            }
        }
        out
    }

    /// Per shape: Veil against the stock prover and the floor.
    pub fn speedups(&self) -> Vec<Speedup> {
        let find = |shape: &str, prover: ProverName, mode: &str| {
            self.records
                .iter()
                .find(|r| r.shape == shape && r.prover == prover.name() && r.mode == mode)
        };
        let mut out = Vec::new();
        for r in &self.records {
            if r.prover != ProverName::Veil.name() || r.mode != "latency" {
                continue;
            }
            let Some(stock) = find(&r.shape, ProverName::ArkGroth16Stock, "latency") else {
                continue;
            };
            let floor = find(&r.shape, ProverName::Floor, "latency").map(|f| f.prove_s);
            let bb = find(&r.shape, ProverName::Bb, "latency").map(|b| b.prove_s / r.prove_s);
            out.push(Speedup {
                bb,
                snarkjs: find(&r.shape, ProverName::Snarkjs, "latency")
                    .map(|j| j.prove_s / r.prove_s),
                halo2: find(&r.shape, ProverName::Halo2, "latency").map(|h| h.prove_s / r.prove_s),
                shape: r.shape.clone(),
                latency: stock.prove_s / r.prove_s,
                throughput: find(&r.shape, ProverName::Veil, "throughput")
                    .map(|t| t.proofs_per_s / stock.proofs_per_s),
                veil_over_floor: floor.map(|f| r.prove_s / f),
                stock_over_floor: floor.map(|f| stock.prove_s / f),
            });
        }
        out
    }
}

/// Veil against the stock prover on one shape, from one report.
#[derive(Clone, Debug, PartialEq)]
pub struct Speedup {
    /// The shape.
    pub shape: String,
    /// Stock seconds per proof over Veil's.
    pub latency: f64,
    /// Veil's proofs per second in throughput mode over stock proofs made one after another.
    pub throughput: Option<f64>,
    /// Veil's seconds per proof over the floor's (the MSMs and FFTs alone).
    pub veil_over_floor: Option<f64>,
    /// Stock seconds per proof over the floor's.
    pub stock_over_floor: Option<f64>,
    /// bb's seconds per proof (UltraHonk on the Noir twin) over Veil's.
    pub bb: Option<f64>,
    /// snarkjs's seconds per proof (same circuit) over Veil's.
    pub snarkjs: Option<f64>,
    /// Veil's halo2 backend's seconds per proof (same statement and witness) over Veil's
    /// Groth16.
    pub halo2: Option<f64>,
}

/// Runs `plan`, using `scratch` for temporary files (a ledger for the totals' receipts).
/// Stops between proofs when `progress` is cancelled.
pub fn run(plan: &BenchPlan, scratch: &Path, progress: &dyn Progress) -> Result<BenchReport> {
    plan.validate()?;
    let all = || -> Result<Vec<BenchRecord>> {
        progress.start("benchmark", plan.cases.len() as u64, Unit::Items);
        let mut records = Vec::new();
        for (i, case) in plan.cases.iter().enumerate() {
            check(progress)?;
            records.extend(run_case(case, plan, scratch, progress)?);
            progress.set(i as u64 + 1);
        }
        progress.finish();
        Ok(records)
    };
    let records = match plan.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| EngineError::Refused(format!("cannot start {n} prover threads: {e}")))?
            .install(all)?,
        None => all()?,
    };
    Ok(BenchReport {
        version: REPORT_VERSION,
        veil: env!("CARGO_PKG_VERSION").into(),
        machine: Machine::this(),
        plan: plan.clone(),
        records,
    })
}

fn run_case(
    case: &BenchCase,
    plan: &BenchPlan,
    scratch: &Path,
    progress: &dyn Progress,
) -> Result<Vec<BenchRecord>> {
    let size = case.size();
    match case.statement {
        BenchStatement::Preview => {
            let (shape, public, witness) = preview_fixture(size)?;
            measure::<PreviewMembership>(&shape, public, witness, plan, scratch, progress)
        }
        BenchStatement::Totals => {
            // A chain ends with the batch after its last receipt: `B` receipts make one full
            // batch and an empty one, `n × B - 1` receipts `n` batches (proving costs the same
            // however full a batch is).
            let sales = match plan.aggregate {
                0 => size,
                n => n * size - 1,
            };
            let (shape, chain) = totals_chain(size, sales, scratch)?;
            let (public, witness) = chain[0].clone();
            let mut records =
                measure::<DisclosureTotals>(&shape, public, witness, plan, scratch, progress)?;
            if plan.aggregate > 0 {
                check(progress)?;
                records.extend(measure_aggregate(&shape, chain, progress)?);
            }
            Ok(records)
        }
        BenchStatement::Call => {
            let (shape, public, witness) = call_fixture(size)?;
            measure::<UsageCall>(&shape, public, witness, plan, scratch, progress)
        }
        BenchStatement::Tier => {
            let (shape, public, witness) = tier_fixture()?;
            measure::<UsageTier>(&shape, public, witness, plan, scratch, progress)
        }
    }
}

/// Measures every prover of `plan` on one honest assignment of `S`.
fn measure<S: R1csStatement + NoirTwin + Halo2Statement>(
    shape: &S::Shape,
    public: S::Public,
    witness: S::Witness,
    plan: &BenchPlan,
    scratch: &Path,
    progress: &dyn Progress,
) -> Result<Vec<BenchRecord>> {
    S::check(shape, &public, &witness)?;
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let threads = rayon::current_num_threads();
    reset_peak_memory();
    let t = Instant::now();
    let pk = g16::insecure_setup(<S as R1csStatement>::blank(shape), &mut rng)?;
    let setup_s = t.elapsed().as_secs_f64();
    let prover = Groth16Prover::new(pk, <S as R1csStatement>::blank(shape))?;
    let t = Instant::now();
    let prover = prover.precompute(plan.precompute_mib << 20);
    let prepare_s = t.elapsed().as_secs_f64();
    let prepared_bytes = prover.prepared().map(|p| p.bytes() as u64);
    let (pk_bytes, vk_bytes) = g16::key_bytes(&prover.pk);
    let pvk = veil_verifier::groth16::prepare(&prover.pk.vk);
    let base = BenchRecord {
        statement: S::NAME.into(),
        backend: "groth16".into(),
        prover: ProverName::Veil.name().into(),
        mode: "latency".into(),
        shape: S::key_id(shape),
        constraints_or_gates: prover.matrices.num_constraints as u64,
        threads,
        setup_s: Some(setup_s),
        prove_s: 0.0,
        prove_runs_s: Vec::new(),
        proofs_per_s: 0.0,
        verify_s: None,
        proof_bytes: 0,
        pk_bytes,
        vk_bytes,
        peak_mem_bytes: None,
        runs: plan.runs,
        prepare_s: None,
        prepared_bytes: None,
    };

    // Veil, the floor, stock and bb in rounds, each proving once per round (interleaved): a
    // machine whose speed drifts during the run weighs on all of them alike.
    let inputs = S::public_inputs(&public);
    let latency_with = |pvk: &veil_verifier::groth16::PreparedKey,
                        prover: ProverName,
                        (runs, peak): (Vec<f64>, Option<u64>),
                        proof|
     -> Result<BenchRecord> {
        let verify_s = time_verify(|| veil_verifier::groth16::verify(pvk, &inputs, &proof))?;
        Ok(BenchRecord {
            prover: prover.name().into(),
            setup_s: base.setup_s.filter(|_| prover == ProverName::Veil),
            prepare_s: Some(prepare_s).filter(|_| prover == ProverName::Veil),
            prepared_bytes: prepared_bytes.filter(|_| prover == ProverName::Veil),
            prove_s: median(&runs),
            proofs_per_s: 1.0 / median(&runs),
            prove_runs_s: runs,
            verify_s: Some(verify_s),
            proof_bytes: g16::proof_bytes(&proof),
            peak_mem_bytes: peak,
            ..base.clone()
        })
    };
    // The floor: the same proof's MSMs and FFTs alone, from a ready assignment.
    let full = prover.assignment(<S as R1csStatement>::circuit(
        shape,
        public.clone(),
        witness.clone(),
    ))?;
    // arkworks proves on a 2^k QAP domain only: where Veil's key is on 3 * 2^k, the stock
    // prover gets a key from arkworks' own setup (not timed; the same circuit).
    let stock_pk = match plan.stock && !(prover.pk.h_query.len() + 1).is_power_of_two() {
        true => Some(g16::stock_setup(
            <S as R1csStatement>::blank(shape),
            &mut rng,
        )?),
        false => None,
    };
    let stock_pvk = stock_pk
        .as_ref()
        .map(|pk| veil_verifier::groth16::prepare(&pk.vk));
    let bb = match plan.bb {
        true => {
            check(progress)?;
            Some(BbRun::new::<S>(shape, &public, &witness, scratch)?)
        }
        false => None,
    };
    let h2 = match plan.halo2 {
        true => {
            check(progress)?;
            Some(Halo2Run::new::<S>(shape)?)
        }
        false => None,
    };
    let (mut env, mut floor, mut stock, mut bb_proof) = (None, None, None, None);
    let mut h2_proof = None;
    let mut rngs: Vec<ChaCha20Rng> = (0..3).map(ChaCha20Rng::seed_from_u64).collect();
    let measured = {
        let [r_veil, r_floor, r_stock] = &mut rngs[..] else {
            unreachable!("three generators")
        };
        let mut provers: Vec<Timed<'_>> = vec![
            (
                ProverName::Veil,
                Box::new(|| {
                    let (p, w) = (public.clone(), witness.clone());
                    env = Some(prover.prove_statement::<S, _>(shape, p, w, r_veil)?);
                    Ok(())
                }),
            ),
            (
                ProverName::Floor,
                Box::new(|| {
                    floor = Some(prover.prove_assignment(&full, r_floor)?);
                    Ok(())
                }),
            ),
        ];
        if plan.stock {
            let pk = stock_pk.as_ref().unwrap_or(&prover.pk);
            provers.push((
                ProverName::ArkGroth16Stock,
                Box::new(|| {
                    let circuit =
                        <S as R1csStatement>::circuit(shape, public.clone(), witness.clone());
                    stock = Some(g16::prove_stock(pk, circuit, r_stock)?);
                    Ok(())
                }),
            ));
        }
        if let Some(bb) = &bb {
            provers.push((
                ProverName::Bb,
                Box::new(|| {
                    bb_proof = Some(bb.prove()?);
                    Ok(())
                }),
            ));
        }
        if let Some(h) = &h2 {
            provers.push((
                ProverName::Halo2,
                Box::new(|| {
                    let (p, w) = (public.clone(), witness.clone());
                    h2_proof = Some(kzg::prove::<S>(&h.params, &h.pk, shape, p, w)?);
                    Ok(())
                }),
            ));
        }
        let names: Vec<ProverName> = provers.iter().map(|(n, _)| *n).collect();
        names
            .into_iter()
            .zip(interleaved(plan.runs, progress, &mut provers)?)
            .collect::<Vec<_>>()
    };
    let missing = || EngineError::Refused("no proof was made".into());
    let mut records = Vec::new();
    for (name, measured) in measured {
        records.push(match name {
            ProverName::Veil => latency_with(
                &pvk,
                name,
                measured,
                env.as_ref().ok_or_else(missing)?.groth16_proof()?,
            )?,
            ProverName::Floor => {
                latency_with(&pvk, name, measured, floor.take().ok_or_else(missing)?)?
            }
            ProverName::ArkGroth16Stock => latency_with(
                stock_pvk.as_ref().unwrap_or(&pvk),
                name,
                measured,
                stock.take().ok_or_else(missing)?,
            )?,
            ProverName::Halo2 => match &h2 {
                Some(h) => h.record(
                    &base,
                    measured,
                    h2_proof.as_deref().ok_or_else(missing)?,
                    &inputs,
                )?,
                None => return Err(missing()),
            },
            _ => match &bb {
                Some(bb) => bb.record(measured.0, bb_proof.as_ref().ok_or_else(missing)?),
                None => return Err(missing()),
            },
        });
    }
    let env = env.ok_or_else(missing)?;

    if plan.snarkjs && prover.matrices.num_constraints <= SNARKJS_MAX_CONSTRAINTS {
        check(progress)?;
        reset_peak_memory();
        let mut r = measure_snarkjs(
            &prover.matrices,
            &full,
            &inputs,
            plan.runs,
            scratch,
            progress,
        )?;
        r.shape = S::key_id(shape);
        r.statement = S::NAME.into();
        records.push(r);
    }

    if plan.batch_verify > 0 {
        check(progress)?;
        let proof = env.groth16_proof()?;
        let made = BenchRecord {
            proof_bytes: records[0].proof_bytes,
            ..base.clone()
        };
        records.extend(measure_batch_verify(
            &prover.pk.vk,
            &pvk,
            &inputs,
            &proof,
            plan.batch_verify,
            &made,
            &mut rng,
        )?);
    }

    if plan.throughput && threads > 1 {
        check(progress)?;
        reset_peak_memory();
        let t = Instant::now();
        let made: Vec<Result<usize>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|w| {
                    let (prover, public, witness) = (&prover, &public, &witness);
                    scope.spawn(move || -> Result<usize> {
                        let pool = rayon::ThreadPoolBuilder::new()
                            .num_threads(1)
                            .build()
                            .map_err(|e| EngineError::Refused(format!("a prover thread: {e}")))?;
                        let mut rng = ChaCha20Rng::seed_from_u64(w as u64);
                        pool.install(|| {
                            for _ in 0..plan.runs {
                                check(progress)?;
                                prover.prove_statement::<S, _>(
                                    shape,
                                    public.clone(),
                                    witness.clone(),
                                    &mut rng,
                                )?;
                            }
                            Ok(plan.runs)
                        })
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join().unwrap_or_else(|_| {
                        Err(EngineError::Refused("a prover thread panicked".into()))
                    })
                })
                .collect()
        });
        let wall = t.elapsed().as_secs_f64();
        let proofs = made.into_iter().sum::<Result<usize>>()?;
        records.push(BenchRecord {
            mode: "throughput".into(),
            setup_s: None,
            prove_s: wall / proofs as f64,
            prove_runs_s: vec![wall],
            proofs_per_s: proofs as f64 / wall,
            verify_s: None,
            proof_bytes: records[0].proof_bytes,
            peak_mem_bytes: peak_memory(),
            runs: proofs,
            ..base
        });
    }
    Ok(records)
}

/// A case under the halo2 backend: insecure universal parameters for the circuit's `2^k` rows
/// (not timed: one file serves every circuit) and its keys (timed as its setup).
struct Halo2Run {
    k: u32,
    params: kzg::Params,
    pk: kzg::ProvingKeyBn,
    keygen_s: f64,
}

impl Halo2Run {
    fn new<S: Halo2Statement>(shape: &S::Shape) -> Result<Self> {
        let k = S::k(shape)?;
        let params = kzg::insecure_setup(k);
        let t = Instant::now();
        let pk = kzg::keygen::<S>(&params, shape)?;
        Ok(Halo2Run {
            k,
            params,
            pk,
            keygen_s: t.elapsed().as_secs_f64(),
        })
    }

    fn record(
        &self,
        base: &BenchRecord,
        (runs, peak): (Vec<f64>, Option<u64>),
        proof: &[u8],
        inputs: &[Fr],
    ) -> Result<BenchRecord> {
        let vk = self.pk.get_vk();
        let verify_s = time_verify(|| {
            kzg::verify(&self.params, vk, inputs, proof)
                .map_err(|e| veil_verifier::VerifyError::Rejected(e.to_string()))
        })?;
        let raw = veil_halo2::halo2_proofs::SerdeFormat::RawBytes;
        Ok(BenchRecord {
            backend: veil_verifier::proof::HALO2.into(),
            prover: ProverName::Halo2.name().into(),
            constraints_or_gates: 1 << self.k,
            setup_s: Some(self.keygen_s),
            prove_s: median(&runs),
            proofs_per_s: 1.0 / median(&runs),
            prove_runs_s: runs,
            verify_s: Some(verify_s),
            proof_bytes: proof.len(),
            pk_bytes: self.pk.to_bytes(raw).len(),
            vk_bytes: vk.to_bytes(raw).len(),
            peak_mem_bytes: peak,
            prepare_s: None,
            prepared_bytes: None,
            ..base.clone()
        })
    }
}

/// Folds `n` batches of a totals shape into one halo2 proof: the fold's key generation, proof
/// and one check (mode `aggregate`), beside verifying the `n` batch proofs one by one (mode
/// `verify-chain`).
fn measure_aggregate(
    shape: &TotalsShape,
    batches: Vec<(BatchPublic, BatchWitness)>,
    progress: &dyn Progress,
) -> Result<Vec<BenchRecord>> {
    let n = batches.len();
    let kb = DisclosureTotals::k(shape)?;
    let params = kzg::insecure_setup(kb.max(aggregate::K));
    let (bp, ap) = (kzg::fit(&params, kb)?, kzg::fit(&params, aggregate::K)?);
    let pk = kzg::keygen::<DisclosureTotals>(&bp, shape)?;
    let mut snarks = Vec::with_capacity(n);
    for (public, witness) in batches {
        check(progress)?;
        snarks.push(aggregate::batch_snark(&bp, &pk, shape, public, witness)?);
    }
    let chain_bytes = snarks.iter().map(|s| s.proof.len()).sum();
    let t = Instant::now();
    let mut chain = Vec::with_capacity(3);
    for _ in 0..3 {
        for s in &snarks {
            aggregate::verify_batch(&bp, pk.get_vk(), s)?;
        }
        chain.push(t.elapsed().as_secs_f64() - chain.iter().sum::<f64>());
    }
    check(progress)?;
    reset_peak_memory();
    let t = Instant::now();
    let key = aggregate::keygen(&ap, &bp, pk.get_vk(), shape, n)?;
    let keygen_s = t.elapsed().as_secs_f64();
    check(progress)?;
    let t = Instant::now();
    let folded = aggregate::aggregate(&ap, &key, snarks)?;
    let prove_s = t.elapsed().as_secs_f64();
    let peak = peak_memory();
    let verify_s = time_verify(|| {
        aggregate::verify(&ap, key.vk(), &folded)
            .map_err(|e| veil_verifier::VerifyError::Rejected(e.to_string()))
    })?;
    let raw = veil_halo2::halo2_proofs::SerdeFormat::RawBytes;
    let fold = BenchRecord {
        statement: DisclosureTotals::NAME.into(),
        backend: veil_verifier::proof::HALO2.into(),
        prover: ProverName::Halo2.name().into(),
        mode: "aggregate".into(),
        shape: format!("{}-n{n}", DisclosureTotals::key_id(shape)),
        constraints_or_gates: 1 << aggregate::K,
        threads: rayon::current_num_threads(),
        setup_s: Some(keygen_s),
        prove_s,
        prove_runs_s: vec![prove_s],
        proofs_per_s: 1.0 / prove_s,
        verify_s: Some(verify_s),
        proof_bytes: folded.proof.len(),
        pk_bytes: key.pk.to_bytes(raw).len(),
        vk_bytes: key.vk().to_bytes(raw).len(),
        peak_mem_bytes: peak,
        runs: 1,
        prepare_s: None,
        prepared_bytes: None,
    };
    let chain_s = median(&chain);
    Ok(vec![
        BenchRecord {
            mode: "verify-chain".into(),
            setup_s: None,
            prove_s: 0.0,
            prove_runs_s: Vec::new(),
            proofs_per_s: n as f64 / chain_s,
            verify_s: Some(chain_s),
            proof_bytes: chain_bytes,
            pk_bytes: 0,
            vk_bytes: 0,
            peak_mem_bytes: None,
            runs: n,
            ..fold.clone()
        },
        fold,
    ])
}

/// Where `bb` is looked for (`$VEIL_BB`, else `noir/node_modules`): [`BenchPlan::bb`] needs it.
pub fn bb_path() -> std::path::PathBuf {
    veil_noir::toolchain::bb_path()
}

/// `S`'s Noir twin ready for bb: its compiled program, gate count and an **insecure**
/// development CRS made for the case (proving time does not depend on the CRS's points; such
/// proofs never verify, so no verification time). Each proof is the ACVM's witness and a `bb
/// prove` process, as Veil's UltraHonk backend runs it.
struct BbRun {
    shape: String,
    statement: &'static str,
    program: String,
    path: std::path::PathBuf,
    artifact: veil_noir::Artifact,
    bb: veil_prover::backend::ultrahonk::UltraHonk,
    gates: veil_prover::backend::ultrahonk::GateCount,
    crs: std::path::PathBuf,
    inputs: serde_json::Value,
}

impl BbRun {
    fn new<S: NoirTwin>(
        shape: &S::Shape,
        public: &S::Public,
        witness: &S::Witness,
        scratch: &Path,
    ) -> Result<Self> {
        use veil_prover::backend::ultrahonk::{write_insecure_dev_crs, UltraHonk};
        veil_noir::toolchain::ensure_variants()?;
        let program = S::program(shape);
        let path = veil_noir::toolchain::program_path(&program)?;
        let artifact = veil_noir::Artifact::load(&path)?;
        let bb = UltraHonk::from_env()?;
        let gates = bb.gates(&path)?;
        let crs = scratch.join(format!("dev-crs-{program}"));
        let points = usize::try_from(gates.crs_points())
            .map_err(|_| EngineError::Refused("a CRS too large for this machine".into()))?;
        write_insecure_dev_crs(&crs, points)?;
        Ok(BbRun {
            shape: S::key_id(shape),
            statement: S::NAME,
            bb: bb.with_crs(crs.clone()),
            inputs: S::inputs(public, witness),
            program,
            path,
            artifact,
            gates,
            crs,
        })
    }

    fn prove(&self) -> Result<veil_verifier::proof::ProofEnvelope> {
        let execution = veil_noir::execute(&self.artifact, &self.inputs)?;
        Ok(self
            .bb
            .prove_execution(&self.path, &self.program, &execution, self.gates)?)
    }

    fn record(&self, times: Vec<f64>, proof: &veil_verifier::proof::ProofEnvelope) -> BenchRecord {
        let vk_bytes = proof.ultrahonk.as_ref().map_or(0, |u| u.vk.len() / 2);
        BenchRecord {
            statement: self.statement.into(),
            backend: "ultrahonk".into(),
            prover: ProverName::Bb.name().into(),
            mode: "latency".into(),
            shape: self.shape.clone(),
            constraints_or_gates: self.gates.circuit_size,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            setup_s: None,
            prove_s: median(&times),
            proofs_per_s: 1.0 / median(&times),
            runs: times.len(),
            prove_runs_s: times,
            verify_s: None,
            proof_bytes: proof.proof.len() / 2,
            pk_bytes: 0,
            vk_bytes,
            peak_mem_bytes: None,
            prepare_s: None,
            prepared_bytes: None,
        }
    }
}

impl Drop for BbRun {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.crs);
    }
}

/// Proves one case with snarkjs ([`snarkjs`]): the circuit and witness exported, checked by
/// `snarkjs wtns check`, set up by snarkjs over the run's powers of tau (`setup_s` is
/// `groth16 setup` alone), proved `runs` times (a Node process each, as a user runs it), and
/// the last proof verified by snarkjs for Veil's public inputs.
fn measure_snarkjs(
    matrices: &g16::ConstraintMatrices,
    full: &[Fr],
    inputs: &[Fr],
    runs: usize,
    scratch: &Path,
    progress: &dyn Progress,
) -> Result<BenchRecord> {
    let js = snarkjs::Snarkjs::find().ok_or_else(|| {
        EngineError::Refused(format!(
            "snarkjs not found at {} (`npm ci --prefix tools`)",
            snarkjs::snarkjs_path().display()
        ))
    })?;
    let dir = scratch.join(format!("snarkjs-{}", matrices.num_constraints));
    let io = |e: std::io::Error| EngineError::Refused(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    std::fs::write(dir.join("circuit.r1cs"), snarkjs::r1cs_bytes(matrices)?).map_err(io)?;
    std::fs::write(dir.join("witness.wtns"), snarkjs::wtns_bytes(full)?).map_err(io)?;
    js.run(&dir, &["wtns", "check", "circuit.r1cs", "witness.wtns"])?;
    let power = snarkjs::tau_power(matrices.num_constraints, inputs.len());
    let tau = js.tau(scratch, power)?;
    let tau = tau.to_string_lossy().into_owned();
    let t = Instant::now();
    js.run(
        &dir,
        &["groth16", "setup", "circuit.r1cs", &tau, "circuit.zkey"],
    )?;
    let setup_s = t.elapsed().as_secs_f64();
    let (times, _) = one_after_another(runs, progress, || {
        js.run(
            &dir,
            &[
                "groth16",
                "prove",
                "circuit.zkey",
                "witness.wtns",
                "proof.json",
                "public.json",
            ],
        )
    })?;
    js.run(
        &dir,
        &[
            "zkey",
            "export",
            "verificationkey",
            "circuit.zkey",
            "vk.json",
        ],
    )?;
    let said = js.run(
        &dir,
        &["groth16", "verify", "vk.json", "public.json", "proof.json"],
    )?;
    let public: Vec<String> = std::fs::read_to_string(dir.join("public.json"))
        .map_err(io)
        .and_then(|t| {
            serde_json::from_str(&t).map_err(|e| EngineError::Refused(format!("public.json: {e}")))
        })?;
    let ours: Vec<String> = inputs
        .iter()
        .map(veil_circuits::field::to_decimal)
        .collect();
    if !said.contains("OK") || public != ours {
        return Err(EngineError::Refused(format!(
            "snarkjs's proof is not of Veil's statement: {} (public {public:?})",
            said.trim()
        )));
    }
    let pk_bytes = std::fs::metadata(dir.join("circuit.zkey")).map_or(0, |m| m.len() as usize);
    let vk_bytes = std::fs::metadata(dir.join("vk.json")).map_or(0, |m| m.len() as usize);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(BenchRecord {
        statement: String::new(),
        backend: "groth16".into(),
        prover: ProverName::Snarkjs.name().into(),
        mode: "latency".into(),
        shape: String::new(),
        constraints_or_gates: matrices.num_constraints as u64,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        setup_s: Some(setup_s),
        prove_s: median(&times),
        proofs_per_s: 1.0 / median(&times),
        prove_runs_s: times,
        verify_s: None,
        proof_bytes: 128,
        pk_bytes,
        vk_bytes,
        peak_mem_bytes: None,
        runs,
        prepare_s: None,
        prepared_bytes: None,
    })
}

/// Verifies `n` distinct proofs of one statement (re-randomised from `proof`) one by one, then
/// as one batch on the current pool and on one thread; one record each, `verify_s` per proof.
/// A batch with one forged proof must fail, naming it (checked, not timed).
fn measure_batch_verify(
    vk: &ark_groth16::VerifyingKey<ark_bn254::Bn254>,
    pvk: &veil_verifier::groth16::PreparedKey,
    inputs: &[Fr],
    proof: &ark_groth16::Proof<ark_bn254::Bn254>,
    n: usize,
    base: &BenchRecord,
    rng: &mut ChaCha20Rng,
) -> Result<Vec<BenchRecord>> {
    use veil_verifier::groth16::{verify, verify_batch};
    let proofs: Vec<_> = (0..n).map(|_| g16::rerandomize(vk, proof, rng)).collect();
    let items: Vec<(&[Fr], &ark_groth16::Proof<ark_bn254::Bn254>)> =
        proofs.iter().map(|p| (inputs, p)).collect();
    let t = Instant::now();
    for p in &proofs {
        verify(pvk, inputs, p)?;
    }
    let one_by_one = t.elapsed().as_secs_f64();
    let t = Instant::now();
    verify_batch(pvk, &items)?;
    let batch = t.elapsed().as_secs_f64();
    let t = Instant::now();
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| EngineError::Refused(format!("a verifier thread: {e}")))?
        .install(|| verify_batch(pvk, &items))?;
    let batch_one_thread = t.elapsed().as_secs_f64();

    let mut forged = proofs[n / 2].clone();
    forged.c = (forged.c + ark_bn254::G1Affine::generator()).into_affine();
    let mut bad = items.clone();
    bad[n / 2].1 = &forged;
    match verify_batch(pvk, &bad) {
        Err(e) if e.to_string().contains(&format!("#{} (", n / 2)) => {}
        other => {
            return Err(EngineError::Refused(format!(
                "batch verification did not name a forged proof: {other:?}"
            )))
        }
    }

    let record = |mode: &str, threads: usize, wall: f64| BenchRecord {
        mode: mode.into(),
        threads,
        setup_s: None,
        prove_s: 0.0,
        prove_runs_s: Vec::new(),
        proofs_per_s: n as f64 / wall,
        verify_s: Some(wall / n as f64),
        proof_bytes: base.proof_bytes,
        peak_mem_bytes: None,
        runs: n,
        ..base.clone()
    };
    Ok(vec![
        record("verify-one-by-one", 1, one_by_one),
        record("verify-batch", rayon::current_num_threads(), batch),
        record("verify-batch", 1, batch_one_thread),
    ])
}

/// Proves `runs` times, one after another; returns each run's seconds and the last proof.
fn one_after_another<T, E: Into<EngineError>>(
    runs: usize,
    progress: &dyn Progress,
    mut prove: impl FnMut() -> std::result::Result<T, E>,
) -> Result<(Vec<f64>, T)> {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        check(progress)?;
        let t = Instant::now();
        last = Some(prove().map_err(Into::into)?);
        times.push(t.elapsed().as_secs_f64());
    }
    let last = last.ok_or_else(|| EngineError::Refused("no proof was made".into()))?;
    Ok((times, last))
}

/// A prover to time: one proof per call (it keeps what it made).
type Timed<'a> = (ProverName, Box<dyn FnMut() -> Result<()> + 'a>);

/// Times each of `provers` once per round for `runs` rounds (interleaved), after an untimed
/// round that measures each one's peak resident memory alone (from a trimmed heap) and warms it
/// up: per prover, the seconds of each timed run and that peak (this process's; a prover that
/// runs another process, like bb, reports its own share only). The timed rounds do not trim
/// the heap, so no prover pays for page faults another prover's run left behind.
fn interleaved(
    runs: usize,
    progress: &dyn Progress,
    provers: &mut [Timed<'_>],
) -> Result<Vec<(Vec<f64>, Option<u64>)>> {
    let mut out = Vec::with_capacity(provers.len());
    for (_, prove) in provers.iter_mut() {
        check(progress)?;
        reset_peak_memory();
        prove()?;
        out.push((Vec::with_capacity(runs), peak_memory()));
    }
    for _ in 0..runs {
        for ((_, prove), (times, _)) in provers.iter_mut().zip(&mut out) {
            check(progress)?;
            let t = Instant::now();
            prove()?;
            times.push(t.elapsed().as_secs_f64());
        }
    }
    Ok(out)
}

/// Median seconds of `verify` over 10 checks (each must accept).
fn time_verify(verify: impl Fn() -> veil_verifier::Result<()>) -> Result<f64> {
    let mut times = Vec::with_capacity(10);
    for _ in 0..10 {
        let t = Instant::now();
        verify()?;
        times.push(t.elapsed().as_secs_f64());
    }
    Ok(median(&times))
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The schema of the generated datasets: three short columns.
pub fn short_schema() -> Schema {
    Schema {
        format: Format::Csv,
        columns: vec!["id".into(), "city".into(), "amount".into()],
        chunk_size: 0,
    }
}

/// Record `i` of the generated dataset: about 20 bytes over three cells.
pub fn short_row(i: u64) -> Record {
    vec![
        i.to_string().into_bytes(),
        format!("city{}", i % 97).into_bytes(),
        format!("{}.{:02}", i % 1000, i % 100).into_bytes(),
    ]
}

/// Rows of the generated preview dataset.
const PREVIEW_ROWS: u64 = 4096;
/// The preview benchmark's tree depth (a million-row dataset's).
const PREVIEW_DEPTH: u32 = 20;

fn preview_shape(samples: usize) -> PreviewShape {
    PreviewShape {
        depth: PREVIEW_DEPTH,
        samples,
        columns: short_schema().columns.len(),
    }
}

fn totals_shape(batch: usize) -> TotalsShape {
    TotalsShape { batch, edges: 3 }
}

type Fixture<S> = (
    <S as Statement>::Shape,
    <S as Statement>::Public,
    <S as Statement>::Witness,
);

/// A preview of `k` samples of 4,096 generated rows committed at depth 20, two of three
/// columns revealed.
fn preview_fixture(k: usize) -> Result<Fixture<PreviewMembership>> {
    let shape = preview_shape(k);
    let key = SellerSecret(Fr::from(1u64)).dataset_key("bench");
    let rows = || IterRecords::new(short_schema(), (0..PREVIEW_ROWS).map(short_row));
    let first = commit(&mut rows(), &key, PREVIEW_DEPTH, &[])?;
    let challenge = Fr::from(42u64);
    let idx = preview::sample_indices(first.commitment, challenge, PREVIEW_ROWS, k);
    let done = commit(&mut rows(), &key, PREVIEW_DEPTH, &idx)?;
    let (public, witness) = preview::build(&shape, &done, &key, challenge, 0b110)?;
    Ok((shape, public, witness))
}

/// The report chain over `sales` simulated sales of one seller, all in the period.
fn totals_chain(
    batch: usize,
    sales: usize,
    scratch: &Path,
) -> Result<(TotalsShape, Vec<(BatchPublic, BatchWitness)>)> {
    let shape = totals_shape(batch);
    let path = scratch.join(format!("bench-ledger-{}-{batch}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let built = (|| -> Result<_> {
        let ledger = SqliteStore::create(&path)?;
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let sales = sales as u64;
        ledger.settle(&Sale::simulated(&mut rng, sales, 1, 1_000))?;
        let to = 1_000 + 60 * sales;
        let (_, batches) = ledger.report_batches(&shape, 0, 0, to, &[1_000, 10_000, 100_000])?;
        Ok(batches)
    })();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok((shape, built?))
}

/// A call of the first licence in a licence tree of `depth`.
fn call_fixture(depth: usize) -> Result<Fixture<UsageCall>> {
    let depth = u32::try_from(depth).map_err(|_| EngineError::Refused("depth too large".into()))?;
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let listing = usage::listing_field("bench-api");
    let licence = Licence::issue(&mut rng, listing, 1000, 100)?;
    let mut tree = TreeBuilder::new(depth, &[0])?;
    tree.push(&[licence.note(), Fr::from(1u64), Fr::from(2u64)])?;
    let t = tree.finish()?;
    let path = t
        .paths
        .first()
        .cloned()
        .ok_or_else(|| EngineError::Refused("the licence tree has no path".into()))?;
    let (public, witness) = usage::call_statement(&licence, 7, 5, Fr::from(99u64), t.root, path);
    Ok((CallShape { depth }, public, witness))
}

/// A tier `[1000, 5000)` over an epoch of 1,234 calls.
fn tier_fixture() -> Result<Fixture<UsageTier>> {
    let listing = usage::listing_field("bench-api");
    let nullifiers: Vec<Fr> = (1..=1234u64).map(Fr::from).collect();
    let calls = CallsTree::build(&nullifiers)?;
    let (public, witness) = calls.tier_statement(listing, 5, Fr::from(7u64), 1000, 5000);
    Ok((TierShape::default(), public, witness))
}

/// Resets the process's peak resident memory (Linux `clear_refs`; elsewhere nothing), after
/// handing memory freed by earlier cases back to the system, so that a peak is this
/// measurement's.
fn reset_peak_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free heap pages; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's peak resident memory since the last reset (Linux).
fn peak_memory() -> Option<u64> {
    proc_kib("/proc/self/status", "VmHWM:")
}

/// A `kB` value from a `/proc` file.
fn proc_kib(file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find_map(|l| l.strip_prefix(key))?;
    let kib: u64 = line.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

fn seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn bytes(b: u64) -> String {
    match b {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
