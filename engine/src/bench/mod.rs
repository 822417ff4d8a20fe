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

mod comparisons;
mod fixtures;
mod plan;
pub mod plot;
mod report;
mod runners;
pub mod snarkjs;
mod timing;

pub use comparisons::*;
pub use fixtures::*;
pub use plan::*;
pub use report::*;
pub use runners::*;
pub(crate) use timing::*;
