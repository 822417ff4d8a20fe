//! The SQLite [`Store`]: one file, no set-up. Writes are transactions with
//! `synchronous = FULL`, so an acknowledged issuance or nullifier survives a crash or restart;
//! any number of processes may share the file (writers queue on SQLite's lock).

mod db;
mod jobs;
mod receipts;

use crate::store::{CallRecord, EpochUsage, Store};
use crate::{LedgerError, Result};
use db::{fr, write, SqlNodes};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, Transaction};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use veil_circuits::field::to_hex;
use veil_circuits::merkle::sparse::SparseTree;
use veil_circuits::merkle::MerklePath;
use veil_circuits::statements::totals::{
    BatchPublic, BatchWitness, Period, Receipt, Sale, TotalsShape,
};
use veil_circuits::statements::usage::{usage_commitment, CallsTree};
use veil_circuits::Fr;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS licences (idx INTEGER PRIMARY KEY, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS licence_nodes (height INTEGER NOT NULL, idx INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (height, idx));
CREATE TABLE IF NOT EXISTS licence_roots (seq INTEGER PRIMARY KEY, root TEXT NOT NULL, leaves INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nullifiers (
    epoch INTEGER NOT NULL, nullifier TEXT NOT NULL, request TEXT NOT NULL,
    listing TEXT NOT NULL, pos INTEGER NOT NULL,
    PRIMARY KEY (epoch, nullifier), UNIQUE (listing, epoch, pos));
CREATE TABLE IF NOT EXISTS usage_commitments (
    listing TEXT NOT NULL, epoch INTEGER NOT NULL, calls INTEGER NOT NULL, calls_root TEXT NOT NULL,
    salt TEXT NOT NULL, usage TEXT NOT NULL, PRIMARY KEY (listing, epoch));
";

/// The schema version this build writes (`meta.schema_version`). Version 1 (no version row)
/// recorded nullifiers without their listing; version 2 had no job queue, tokens or listings
/// (upgraded in place by adding their tables).
pub const SCHEMA_VERSION: u32 = 3;

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
        if conn.query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))? != "wal" {
            // Once per file (WAL is persistent): later opens skip the exclusive switch.
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
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

impl Store for SqliteStore {
    fn licence_depth(&self) -> u32 {
        self.depth
    }

    fn issue_licence(&self, note: Fr) -> Result<(u64, Fr)> {
        let depth = self.depth;
        write(&self.conn(), |tx| {
            let n: u64 = tx.query_row("SELECT COUNT(*) FROM licences", [], |r| r.get(0))?;
            if n >> depth != 0 {
                return Err(veil_circuits::Error::TooManyRecords { depth }.into());
            }
            tx.execute(
                "INSERT INTO licences (idx, note) VALUES (?1, ?2)",
                params![n, to_hex(&note)],
            )?;
            let root = SparseTree::new(depth).set_leaf(&mut SqlNodes::licences(tx), n, note)?;
            tx.execute(
                "INSERT INTO licence_roots (root, leaves) VALUES (?1, ?2)",
                params![to_hex(&root), n + 1],
            )?;
            Ok((n, root))
        })
    }

    fn licence_path(&self, index: u64) -> Result<(Fr, MerklePath)> {
        let conn = self.conn();
        // One read transaction: the count, the root and the path come from one snapshot.
        let tx = conn.unchecked_transaction()?;
        let n: u64 = tx.query_row("SELECT COUNT(*) FROM licences", [], |r| r.get(0))?;
        if index >= n {
            return Err(veil_circuits::Error::InvalidParameter(format!(
                "no licence {index}: {n} issued"
            ))
            .into());
        }
        let tree = SparseTree::new(self.depth);
        let mut nodes = SqlNodes::licences(&tx);
        Ok((tree.root(&mut nodes)?, tree.path(&mut nodes, 0, index)?))
    }

    fn recent_roots(&self, n: usize) -> Result<Vec<Fr>> {
        recent_roots(&self.conn(), n)
    }

    fn accept_call(&self, call: &CallRecord, accepted_roots: usize) -> Result<u64> {
        let CallRecord {
            listing,
            epoch,
            nullifier,
            request,
            licence_root,
        } = *call;
        write(&self.conn(), |tx| {
            if !recent_roots(tx, accepted_roots)?.contains(&licence_root) {
                return Err(LedgerError::UnknownRoot(to_hex(&licence_root)));
            }
            if usage_of(tx, listing, epoch)?.is_some() {
                return Err(LedgerError::EpochClosed { epoch });
            }
            // Positions are dense (0, 1, ...; only this path inserts), so the next one is
            // MAX + 1, read from the (listing, epoch, pos) index without a scan.
            let pos: u64 = tx
                .prepare_cached(
                    "SELECT COALESCE(MAX(pos) + 1, 0) FROM nullifiers WHERE listing = ?1 AND epoch = ?2",
                )?
                .query_row(params![to_hex(&listing), epoch as i64], |r| r.get(0))?;
            match tx.prepare_cached(
                "INSERT INTO nullifiers (epoch, nullifier, request, listing, pos) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?.execute(params![
                epoch as i64,
                to_hex(&nullifier),
                to_hex(&request),
                to_hex(&listing),
                pos as i64
            ]) {
                Ok(_) => Ok(pos),
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
        })
    }

    fn calls(&self, listing: Fr, epoch: u64) -> Result<Vec<Fr>> {
        calls_of(&self.conn(), listing, epoch)
    }

    fn close_epoch(&self, listing: Fr, epoch: u64, salt: Fr) -> Result<EpochUsage> {
        write(&self.conn(), |tx| {
            if let Some(u) = usage_of(tx, listing, epoch)? {
                return Ok(u);
            }
            let nfs = calls_of(tx, listing, epoch)?;
            let tree = CallsTree::build(&nfs)?;
            let u = EpochUsage {
                calls: tree.count,
                calls_root: tree.root,
                salt,
                usage: usage_commitment(listing, epoch, tree.root, salt),
            };
            tx.execute(
                "INSERT INTO usage_commitments (listing, epoch, calls, calls_root, salt, usage)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    to_hex(&listing),
                    epoch as i64,
                    u.calls as i64,
                    to_hex(&u.calls_root),
                    to_hex(&u.salt),
                    to_hex(&u.usage)
                ],
            )?;
            Ok(u)
        })
    }

    fn epoch_usage(&self, listing: Fr, epoch: u64) -> Result<Option<EpochUsage>> {
        usage_of(&self.conn(), listing, epoch)
    }

    fn fee_bps(&self) -> Result<u64> {
        receipts::fee_bps(&self.conn())
    }

    fn settle(&self, sales: &[Sale]) -> Result<(Vec<Receipt>, Fr)> {
        receipts::settle(&self.conn(), sales)
    }

    fn receipt_root(&self) -> Result<Fr> {
        receipts::receipt_root(&self.conn())
    }

    fn is_receipt_root(&self, root: Fr) -> Result<bool> {
        receipts::is_receipt_root(&self.conn(), root)
    }

    fn sellers(&self) -> Result<Vec<u64>> {
        receipts::sellers(&self.conn())
    }

    fn receipts_of(&self, seller: u64) -> Result<Vec<Receipt>> {
        receipts::receipts_of(&self.conn(), seller)
    }

    fn disclose(&self, seller: u64, seq: u64) -> Result<(Receipt, MerklePath, Fr)> {
        let conn = self.conn();
        let tx = conn.unchecked_transaction()?;
        receipts::disclose(&tx, seller, seq)
    }

    fn report_batches(
        &self,
        shape: &TotalsShape,
        seller: u64,
        t0: u64,
        t1: u64,
        edges: &[u64],
    ) -> Result<(Period, Vec<(BatchPublic, BatchWitness)>)> {
        let conn = self.conn();
        // One read transaction: receipts, root and paths come from one snapshot, whatever
        // other processes settle meanwhile.
        let tx = conn.unchecked_transaction()?;
        receipts::report_batches(&tx, shape, seller, t0, t1, edges)
    }
}

fn recent_roots(conn: &Connection, n: usize) -> Result<Vec<Fr>> {
    let mut st =
        conn.prepare_cached("SELECT root FROM licence_roots ORDER BY seq DESC LIMIT ?1")?;
    let rows = st.query_map(params![n as i64], |r| r.get::<_, String>(0))?;
    rows.map(|r| fr("licence root", &r?)).collect()
}

fn calls_of(conn: &Connection, listing: Fr, epoch: u64) -> Result<Vec<Fr>> {
    let mut st = conn.prepare_cached(
        "SELECT nullifier FROM nullifiers WHERE listing = ?1 AND epoch = ?2 ORDER BY pos",
    )?;
    let rows = st.query_map(params![to_hex(&listing), epoch as i64], |r| {
        r.get::<_, String>(0)
    })?;
    rows.map(|r| fr("nullifier", &r?)).collect()
}

fn usage_of(conn: &Connection, listing: Fr, epoch: u64) -> Result<Option<EpochUsage>> {
    let row: Option<(i64, String, String, String)> = conn
        .prepare_cached(
            "SELECT calls, calls_root, salt, usage FROM usage_commitments WHERE listing = ?1 AND epoch = ?2",
        )?
        .query_row(params![to_hex(&listing), epoch as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    row.map(|(calls, root, salt, usage)| {
        Ok(EpochUsage {
            calls: calls as u64,
            calls_root: fr("calls root", &root)?,
            salt: fr("usage salt", &salt)?,
            usage: fr("usage commitment", &usage)?,
        })
    })
    .transpose()
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
        } else if version.as_deref() == Some("2") {
            // Version 3 only adds tables.
        } else if version.as_deref() != Some(&SCHEMA_VERSION.to_string()) {
            return Err(LedgerError::Corrupt(format!(
                "{} has ledger schema version {}; this build reads version {SCHEMA_VERSION}",
                path.display(),
                version.unwrap_or_default()
            )));
        }
    }
    tx.execute_batch(SCHEMA)?;
    tx.execute_batch(receipts::SCHEMA)?;
    tx.execute_batch(jobs::SCHEMA)?;
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)",
        params![SCHEMA_VERSION.to_string()],
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('fee_bps', ?1)",
        params![crate::DEFAULT_FEE_BPS.to_string()],
    )?;
    let stored = meta("licence_depth")?;
    let d = crate::licence_depth(stored.as_deref(), depth, &path.display().to_string())?;
    if stored.is_none() {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('licence_depth', ?1)",
            params![d.to_string()],
        )?;
    }
    Ok(d)
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
