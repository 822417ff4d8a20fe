//! Veil's use-cases, one module per noun, behind every door: the `veil` command line calls
//! these functions and the HTTP service will call the same ones, so the two never disagree.
//!
//! Functions here are plain and blocking (callers run them on a worker thread), take what a
//! door parsed (paths, ids, numbers), return typed results and never print: long work reports
//! through a [`Progress`] callback. Protocol rules (file formats, encodings, naming, the list of
//! statements) live here or below, never in a door.
#![deny(missing_docs)]

pub mod aggregate;
pub mod audit;
pub mod bench;
pub mod dataset;
pub mod delivery;
pub mod dispute;
pub mod error;
pub mod export;
pub mod files;
pub mod gateway;
pub mod halo2_params;
pub mod key_note;
pub mod meter;
pub mod noir;
pub mod preview;
pub mod progress;
pub mod provers;
pub mod registry;
pub mod setup;
pub mod wallet;

pub use error::{EngineError, Result};
pub use progress::{Progress, Silent, Unit};
pub use veil_prover::backend::BackendKind;

/// Where Veil keeps its state: the [`Store`](store::Store) trait and its implementations.
pub mod store {
    pub use veil_ledger::{
        CallRecord, EpochUsage, Jobs, LedgerError, PgStore, Registry, ServiceStore, SqliteStore,
        Store, DEFAULT_FEE_BPS,
    };
}

/// The layers below, for a door that names their types (the statements' names, a proof
/// envelope, a stored listing): a door depends on the engine alone.
pub use veil_circuits as circuits;
pub use veil_ledger as ledger;
pub use veil_prover as prover;
pub use veil_verifier as verifier;

/// Re-exports a door needs to name values (dataset formats, field elements, hex).
pub mod prelude {
    pub use veil_circuits::dataset::{Format, DEFAULT_CHUNK_SIZE, DEFAULT_DEPTH};
    pub use veil_circuits::field::{from_hex_strict, to_hex};
    pub use veil_circuits::format::header;
    pub use veil_circuits::Fr;
}
