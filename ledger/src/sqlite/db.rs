//! Helpers every SQLite module shares: write transactions that queue instead of failing, and
//! a sparse tree's nodes kept in a table.

use crate::{LedgerError, Result};
use rusqlite::{
    params, Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior,
};
use std::time::Duration;
use veil_circuits::field::to_hex;
use veil_circuits::merkle::sparse::NodeStore;
use veil_circuits::Fr;

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

/// A tree's non-empty nodes in one SQLite table (`licence_nodes` or `receipt_nodes`), so
/// appending a leaf or reading a path touches `depth` rows, whatever the tree's size.
pub(super) struct SqlNodes<'a> {
    conn: &'a Connection,
    get: &'static str,
    set: &'static str,
}

impl<'a> SqlNodes<'a> {
    /// The licence tree's nodes.
    pub(super) fn licences(conn: &'a Connection) -> Self {
        SqlNodes {
            conn,
            get: "SELECT value FROM licence_nodes WHERE height = ?1 AND idx = ?2",
            set: "INSERT OR REPLACE INTO licence_nodes (height, idx, value) VALUES (?1, ?2, ?3)",
        }
    }

    /// The receipt tree's nodes.
    pub(super) fn receipts(conn: &'a Connection) -> Self {
        SqlNodes {
            conn,
            get: "SELECT value FROM receipt_nodes WHERE height = ?1 AND idx = ?2",
            set: "INSERT OR REPLACE INTO receipt_nodes (height, idx, value) VALUES (?1, ?2, ?3)",
        }
    }
}

impl NodeStore for SqlNodes<'_> {
    type Error = LedgerError;
    fn get(&mut self, height: u32, index: u64) -> Result<Option<Fr>> {
        let v: Option<String> = self
            .conn
            .prepare_cached(self.get)?
            .query_row(params![height, index as i64], |r| r.get(0))
            .optional()?;
        v.map(|s| fr("tree node", &s)).transpose()
    }
    fn set(&mut self, height: u32, index: u64, value: Fr) -> Result<()> {
        self.conn.prepare_cached(self.set)?.execute(params![
            height,
            index as i64,
            to_hex(&value)
        ])?;
        Ok(())
    }
}

pub(super) use crate::fr;
