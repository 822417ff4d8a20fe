//! What a benchmark found: one record per prover, case and mode, the machine, and the tables
//! and speedups printed from them.

use super::{proc_kib, BenchPlan, ProverName, SNARKJS_MAX_CONSTRAINTS};
use serde::{Deserialize, Serialize};

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

pub(crate) fn seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

pub(crate) fn bytes(b: u64) -> String {
    match b {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
