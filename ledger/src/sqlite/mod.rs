//! The SQLite store: one file, no set-up. Writes are transactions with `synchronous = FULL`,
//! so an acknowledged issuance or nullifier survives a crash or restart; any number of
//! processes may share the file (writers queue on SQLite's lock, taken up front). The
//! [`Store`](crate::Store), the queue and the registry are `crate::sql::Db`'s, written once.

mod db;
mod tx;

use crate::{LedgerError, Result};
use db::write;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The schema version this build writes (`meta.schema_version`). Version 1 (no version row)
/// recorded nullifiers without their listing; version 2 had no job queue, tokens or listings
/// (upgraded in place by adding their tables).
pub use crate::sql::SCHEMA_VERSION;

/// How long a writer waits for another process's write transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// One ledger file. The connection sits behind a mutex so that one store serves many threads
/// (each call holds it for one transaction).
pub struct SqliteStore {
    conn: Mutex<Connection>,
    depth: u32,
}

impl SqliteStore {
    /// Opens the existing ledger at `path`; a missing file is an error (a mistyped path must
    /// not become an empty ledger).
    pub fn open(path: &Path) -> Result<Self> {
        if !path.is_file() {
            return Err(LedgerError::Missing(path.display().to_string()));
        }
        Self::connect(path, None)
    }

    /// Opens the ledger at `path`, creating it if missing: for the commands that write the
    /// first record (issuing a licence, settling a sale).
    pub fn create(path: &Path) -> Result<Self> {
        Self::connect(path, None)
    }

    /// As [`SqliteStore::create`], with the licence-tree `depth` (default 16)
    /// of a new ledger; an existing ledger must have that depth.
    pub fn create_with_depth(path: &Path, depth: Option<u32>) -> Result<Self> {
        Self::connect(path, depth)
    }

    fn connect(path: &Path, depth: Option<u32>) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String =
            db::retry_busy(|| conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)))?;
        if mode != "wal" {
            // Once per file (WAL is persistent): later opens skip the exclusive switch, which
            // does not wait on the busy handler, so a second node opening the file at the same
            // moment retries it.
            db::retry_busy(|| conn.pragma_update(None, "journal_mode", "WAL"))?;
        }
        db::retry_busy(|| conn.pragma_update(None, "synchronous", "FULL"))?;
        let depth = write(&conn, |tx| init(tx, path, depth))?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            depth,
        })
    }

    /// The connection (a panic in another thread cannot leave a transaction open: rusqlite
    /// rolls back on drop, so a poisoned lock is safe to take).
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Creates the tables of a new ledger (with its licence depth and fee rate) or checks those of
/// an existing one, in the caller's write transaction. Returns the licence depth.
fn init(tx: &Transaction, path: &Path, depth: Option<u32>) -> Result<u32> {
    let meta = |key: &str| -> Result<Option<String>> {
        Ok(tx
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()?)
    };
    let has_meta: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
        [],
        |r| r.get(0),
    )?;
    if has_meta {
        let version = meta("schema_version")?;
        if version.is_none() {
            migrate_v1(tx, path)?;
        } else if matches!(version.as_deref(), Some("2" | "3")) {
            // Version 3 only added tables; version 4's receipt notes are checked in `init_meta`.
        } else if version.as_deref() != Some(&SCHEMA_VERSION.to_string()) {
            return Err(LedgerError::Corrupt(format!(
                "{} has ledger schema version {}; this build reads version {SCHEMA_VERSION}",
                path.display(),
                version.unwrap_or_default()
            )));
        }
    }
    tx.execute_batch(&crate::sql::tables(&crate::sql::SQLITE))?;
    crate::store_sql::init_meta(&mut tx::Conn(tx), depth, &path.display().to_string())
}

/// Version 1 ledgers recorded nullifiers without their listing, so their calls cannot be put
/// in a listing's calls tree: an empty nullifier table is upgraded, a non-empty one refused.
fn migrate_v1(tx: &Transaction, path: &Path) -> Result<()> {
    let has_listing: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('nullifiers') WHERE name = 'listing'",
        [],
        |r| r.get(0),
    )?;
    if !has_listing {
        let calls: i64 = tx
            .query_row("SELECT COUNT(*) FROM nullifiers", [], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        if calls > 0 {
            return Err(LedgerError::Corrupt(format!(
                "{} is a version-1 ledger with {calls} recorded calls, which carry no listing and \
                 cannot be counted per listing: finish its epochs with the Veil that wrote it, \
                 then start a new ledger for metered calls",
                path.display()
            )));
        }
        tx.execute_batch("DROP TABLE IF EXISTS nullifiers")?;
    }
    Ok(())
}
