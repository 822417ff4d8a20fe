//! Write transactions that queue instead of failing.

use crate::{LedgerError, Result};
use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};
use std::time::Duration;

/// Runs `f` in a write transaction taken up front (`BEGIN IMMEDIATE`), so that two writers
/// queue on SQLite's lock instead of failing when a read would be upgraded to a write; retries
/// the whole transaction when SQLite still reports the database busy or locked.
pub(super) fn write<T>(
    conn: &Connection,
    mut f: impl FnMut(&Transaction) -> Result<T>,
) -> Result<T> {
    let mut wait = Duration::from_millis(5);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut run = || -> Result<T> {
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        match run() {
            Err(LedgerError::Db(rusqlite::Error::SqliteFailure(e, _)))
                if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    && attempt < 20 =>
            {
                std::thread::sleep(wait);
                wait = (wait * 2).min(Duration::from_millis(500));
            }
            other => return other,
        }
    }
}

/// Runs `f` again while SQLite reports the database busy or locked: for statements outside a
/// transaction that take the file's lock without waiting on the busy handler (the switch to
/// WAL when two processes open a new ledger at once).
pub(super) fn retry_busy<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> Result<T> {
    let mut wait = Duration::from_millis(5);
    let mut attempt = 0;
    loop {
        attempt += 1;
        match f() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    && attempt < 40 =>
            {
                std::thread::sleep(wait);
                wait = (wait * 2).min(Duration::from_millis(500));
            }
            other => return Ok(other?),
        }
    }
}
