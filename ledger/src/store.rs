//! The SQLite store. Writes are transactions with `synchronous = FULL`, so an acknowledged
//! issuance or nullifier survives a crash or restart.

use crate::{LedgerError, Result};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use std::path::Path;
use std::time::Duration;
use veil_circuits::field::{from_hex, to_hex};
use veil_circuits::merkle::sparse::{NodeStore, SparseTree};
use veil_circuits::merkle::MerklePath;
use veil_circuits::statements::usage::DEFAULT_LICENCE_DEPTH;
use veil_circuits::Fr;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS licences (idx INTEGER PRIMARY KEY, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS licence_nodes (height INTEGER NOT NULL, idx INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (height, idx));
CREATE TABLE IF NOT EXISTS licence_roots (seq INTEGER PRIMARY KEY, root TEXT NOT NULL, leaves INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nullifiers (
    epoch INTEGER NOT NULL, nullifier TEXT NOT NULL, request TEXT NOT NULL,
    PRIMARY KEY (epoch, nullifier));
";

/// One ledger file.
pub struct Ledger {
    pub(crate) conn: Connection,
    depth: u32,
}

/// A tree's non-empty nodes in one SQLite table (`licence_nodes` or `receipt_nodes`), so
/// appending a leaf or reading a path touches `depth` rows, whatever the tree's size.
pub(crate) struct SqlNodes<'a> {
    conn: &'a Connection,
    get: &'static str,
    set: &'static str,
}

impl<'a> SqlNodes<'a> {
    /// The licence tree's nodes.
    pub(crate) fn licences(conn: &'a Connection) -> Self {
        SqlNodes {
            conn,
            get: "SELECT value FROM licence_nodes WHERE height = ?1 AND idx = ?2",
            set: "INSERT OR REPLACE INTO licence_nodes (height, idx, value) VALUES (?1, ?2, ?3)",
        }
    }

    /// The receipt tree's nodes.
    pub(crate) fn receipts(conn: &'a Connection) -> Self {
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

fn fr(what: &str, s: &str) -> Result<Fr> {
    from_hex(what, s).map_err(|e| LedgerError::Corrupt(e.to_string()))
}

impl Ledger {
    /// Opens (creating if needed) the ledger at `path`; a new ledger gets the default
    /// licence-tree depth.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with_depth(path, None)
    }

    /// Opens the ledger at `path`, creating it with licence-tree `depth` (default
    /// [`DEFAULT_LICENCE_DEPTH`]) if new; an existing ledger must have that depth.
    pub fn open_with_depth(path: &Path, depth: Option<u32>) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(crate::receipts::SCHEMA)?;
        let stored: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'licence_depth'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let depth = match stored {
            Some(d) => {
                let d: u32 = d
                    .parse()
                    .map_err(|_| LedgerError::Corrupt(format!("licence_depth {d:?}")))?;
                if let Some(w) = depth.filter(|w| *w != d) {
                    return Err(veil_circuits::Error::Mismatch(format!(
                        "{} has licence-tree depth {d}, not {w}",
                        path.display()
                    ))
                    .into());
                }
                d
            }
            None => {
                let d = depth.unwrap_or(DEFAULT_LICENCE_DEPTH);
                if d == 0 || d > veil_circuits::merkle::MAX_DEPTH {
                    return Err(veil_circuits::Error::InvalidParameter(format!(
                        "licence depth {d}"
                    ))
                    .into());
                }
                conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('licence_depth', ?1)",
                    params![d.to_string()],
                )?;
                d
            }
        };
        Ok(Ledger { conn, depth })
    }

    /// Depth of the licence tree.
    pub fn licence_depth(&self) -> u32 {
        self.depth
    }

    /// Appends a licence note; returns its index and the new root. The leaf and the root it
    /// yields are written in one transaction.
    pub fn issue_licence(&mut self, note: Fr) -> Result<(u64, Fr)> {
        let depth = self.depth;
        let tx = self.conn.transaction()?;
        let n: u64 = tx.query_row("SELECT COUNT(*) FROM licences", [], |r| r.get(0))?;
        if n >> depth != 0 {
            return Err(veil_circuits::Error::TooManyRecords { depth }.into());
        }
        tx.execute(
            "INSERT INTO licences (idx, note) VALUES (?1, ?2)",
            params![n, to_hex(&note)],
        )?;
        let root = SparseTree::new(depth).set_leaf(&mut SqlNodes::licences(&tx), n, note)?;
        tx.execute(
            "INSERT INTO licence_roots (root, leaves) VALUES (?1, ?2)",
            params![to_hex(&root), n + 1],
        )?;
        tx.commit()?;
        Ok((n, root))
    }

    /// The current root and the path of licence `index`.
    pub fn licence_path(&self, index: u64) -> Result<(Fr, MerklePath)> {
        let n: u64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM licences", [], |r| r.get(0))?;
        if index >= n {
            return Err(veil_circuits::Error::InvalidParameter(format!(
                "no licence {index}: {n} issued"
            ))
            .into());
        }
        let tree = SparseTree::new(self.depth);
        let mut nodes = SqlNodes::licences(&self.conn);
        Ok((tree.root(&mut nodes)?, tree.path(&mut nodes, 0, index)?))
    }

    /// The `n` most recent licence roots, newest first.
    pub fn recent_roots(&self, n: usize) -> Result<Vec<Fr>> {
        let mut st = self
            .conn
            .prepare("SELECT root FROM licence_roots ORDER BY seq DESC LIMIT ?1")?;
        let rows = st.query_map(params![n as i64], |r| r.get::<_, String>(0))?;
        rows.map(|r| fr("licence root", &r?)).collect()
    }

    /// Records a nullifier for `epoch`, atomically: exactly one of any number of concurrent
    /// attempts with the same `(epoch, nullifier)` succeeds; the others get
    /// [`LedgerError::Replay`].
    pub fn record_nullifier(&self, epoch: u64, nullifier: Fr, request: Fr) -> Result<()> {
        match self.conn.execute(
            "INSERT INTO nullifiers (epoch, nullifier, request) VALUES (?1, ?2, ?3)",
            params![epoch as i64, to_hex(&nullifier), to_hex(&request)],
        ) {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == ErrorCode::ConstraintViolation =>
            {
                Err(LedgerError::Replay {
                    epoch,
                    nullifier: to_hex(&nullifier),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Calls recorded in `epoch`.
    pub fn calls_in_epoch(&self, epoch: u64) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM nullifiers WHERE epoch = ?1",
            params![epoch as i64],
            |r| r.get(0),
        )?)
    }
}
