//! Veil's durable state behind one trait, [`Store`]: the licence tree (append-only, every root
//! kept), the per-epoch nullifier sets and usage commitments, and the receipt ledger (sale
//! receipts in the sparse receipt tree, every root kept). The service's job queue and registry
//! ([`Jobs`], [`Registry`]) live in the same store. [`SqliteStore`] keeps it all in one SQLite
//! file; [`PgStore`] in one PostgreSQL database shared by many nodes. Both only adapt their
//! database to one seam (`sql::Db`: transactions running shared SQL, named locks, snapshots);
//! every rule is written once above it.
#![deny(missing_docs)]

pub mod jobs;
pub mod postgres;
mod queue;
mod receipts;
mod sql;
pub mod sqlite;
pub mod store;
mod store_sql;

pub use jobs::{
    Job, JobState, Jobs, Lease, ListingRecord, NewJob, Outcome, QueueDepth, Registry, ServiceStore,
    Submitted, TokenRecord,
};
pub use postgres::PgStore;
pub use receipts::DEFAULT_FEE_BPS;
pub use sqlite::SqliteStore;
pub use store::{CallRecord, EpochUsage, Store};

use thiserror::Error;

/// The crate's one error type.
#[derive(Debug, Error)]
pub enum LedgerError {
    /// The database could not be opened, read or written.
    #[error("ledger database: {0}")]
    Db(#[from] rusqlite::Error),
    /// The PostgreSQL database could not be reached, read or written.
    #[error("ledger database (PostgreSQL): {0}")]
    Pg(#[from] ::postgres::Error),
    /// No PostgreSQL connection could be had from the pool.
    #[error("ledger database (PostgreSQL): {0}")]
    Pool(String),
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

impl LedgerError {
    /// Whether the database failed rather than the request (worth a retry later).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            LedgerError::Db(_) | LedgerError::Pg(_) | LedgerError::Pool(_)
        )
    }
}

/// A field element stored as hex; a value that does not parse is a corrupt store.
pub(crate) fn fr(what: &str, s: &str) -> Result<veil_circuits::Fr> {
    veil_circuits::field::from_hex(what, s).map_err(|e| LedgerError::Corrupt(e.to_string()))
}

/// The licence-tree depth of a ledger: the `stored` one (which a `wanted` depth must match) or,
/// for a new ledger, `wanted` (default 16) if it is a depth a tree can have. `place` names the
/// ledger in errors.
pub(crate) fn licence_depth(stored: Option<&str>, wanted: Option<u32>, place: &str) -> Result<u32> {
    use veil_circuits::Error;
    match stored {
        Some(d) => {
            let d: u32 = d
                .parse()
                .map_err(|_| LedgerError::Corrupt(format!("licence_depth {d:?}")))?;
            if let Some(w) = wanted.filter(|w| *w != d) {
                return Err(Error::Mismatch(format!(
                    "{place} has licence-tree depth {d}, not {w}"
                ))
                .into());
            }
            Ok(d)
        }
        None => {
            let d = wanted.unwrap_or(veil_circuits::statements::usage::DEFAULT_LICENCE_DEPTH);
            if d == 0 || d > veil_circuits::merkle::MAX_DEPTH {
                return Err(Error::InvalidParameter(format!(
                    "licence depth {d} is not in 1..={}",
                    veil_circuits::merkle::MAX_DEPTH
                ))
                .into());
            }
            Ok(d)
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, LedgerError>;
