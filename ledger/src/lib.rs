//! Veil's durable state behind one trait, [`Store`]: the licence tree (append-only, every root
//! kept), the per-epoch nullifier sets and usage commitments, and the receipt ledger (sale
//! receipts in the sparse receipt tree, every root kept). [`SqliteStore`] keeps it all in one
//! SQLite file; a shared database is one more implementation of the same trait. The service's
//! job queue and registry ([`Jobs`], [`Registry`]) live in the same store.
#![deny(missing_docs)]

pub mod jobs;
pub mod sqlite;
pub mod store;

pub use jobs::{
    Job, JobState, Jobs, Lease, ListingRecord, NewJob, Outcome, QueueDepth, Registry, ServiceStore,
    Submitted, TokenRecord,
};
pub use sqlite::{SqliteStore, DEFAULT_FEE_BPS};
pub use store::{CallRecord, EpochUsage, Store};

use thiserror::Error;

/// The crate's one error type.
#[derive(Debug, Error)]
pub enum LedgerError {
    /// The database could not be opened, read or written.
    #[error("ledger database: {0}")]
    Db(#[from] rusqlite::Error),
    /// A command that reads a ledger was given a path with no file.
    #[error("no ledger at {0}: check the path (ledgers are created by `veil audit settle`, `veil audit simulate` or `veil meter issue`)")]
    Missing(String),
    /// Stored data is not what this build wrote.
    #[error("ledger corrupt: {0}")]
    Corrupt(String),
    /// Bad input (an index past the end, a parameter out of range).
    #[error(transparent)]
    Circuits(#[from] veil_circuits::Error),
    /// The nullifier was already spent in this epoch.
    #[error("replayed call: nullifier {nullifier} was already used in epoch {epoch}")]
    Replay {
        /// The epoch.
        epoch: u64,
        /// The nullifier, hex.
        nullifier: String,
    },
    /// The epoch was closed for this listing (its usage commitment is published): no more calls.
    #[error("epoch {epoch} is closed for this listing: its usage commitment is published, so no call can be added")]
    EpochClosed {
        /// The epoch.
        epoch: u64,
    },
    /// The call is for a licence root this gateway does not accept (unknown or too old).
    #[error("unknown licence root {0}: not among the gateway's recent roots")]
    UnknownRoot(String),
    /// An idempotency key was used before with another request.
    #[error("idempotency key {key:?} was used before for job {job} with another request")]
    IdempotencyConflict {
        /// The key.
        key: String,
        /// The job it names.
        job: String,
    },
    /// The queue holds as many jobs as it may.
    #[error("the job queue is full ({queued} jobs waiting): retry later")]
    QueueFull {
        /// Jobs waiting.
        queued: u64,
    },
    /// A name is someone else's (a listing id registered by another owner).
    #[error("{0}")]
    Taken(String),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, LedgerError>;
