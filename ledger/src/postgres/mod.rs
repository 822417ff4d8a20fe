//! The PostgreSQL [`Store`]: one database shared by any number of api and worker nodes.
//!
//! Every method is one transaction on a pooled connection (`r2d2`), with a statement timeout.
//! What SQLite gets from its single writer, PostgreSQL gets from transaction-scoped advisory
//! locks, one per thing that must change in order: the licence tree (issuance), the receipt
//! tree (settlement: a seller's next receipt number is allocated once, whichever node settles),
//! and each listing's epoch (accepting a call, closing the epoch). No transaction takes two of
//! them, so none can deadlock. Nullifiers have a unique key, so of two nodes accepting the same
//! call exactly one inserts it. Reads that must agree with each other (a report's receipts,
//! root and paths; a licence path and its root) run in one `REPEATABLE READ` snapshot.

mod jobs;

use crate::receipts::{self, receipt_from_text, receipt_to_text, ReceiptRows};
use crate::store::{CallRecord, EpochUsage, Store};
use crate::{fr, LedgerError, Result};
use postgres::{GenericClient, IsolationLevel, NoTls, Transaction};
use r2d2_postgres::PostgresConnectionManager;
use std::time::Duration;
use veil_circuits::field::to_hex;
use veil_circuits::merkle::sparse::{NodeStore, SparseTree};
use veil_circuits::merkle::MerklePath;
use veil_circuits::statements::totals::{
    BatchPublic, BatchWitness, Period, Receipt, Sale, TotalsShape,
};
use veil_circuits::statements::usage::{usage_commitment, CallsTree};
use veil_circuits::Fr;

/// The same logical schema as SQLite's version 3, in PostgreSQL's types.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS licences (idx BIGINT PRIMARY KEY, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS licence_nodes (height BIGINT NOT NULL, idx BIGINT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (height, idx));
CREATE TABLE IF NOT EXISTS licence_roots (seq BIGSERIAL PRIMARY KEY, root TEXT NOT NULL, leaves BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS nullifiers (
    epoch BIGINT NOT NULL, nullifier TEXT NOT NULL, request TEXT NOT NULL,
    listing TEXT NOT NULL, pos BIGINT NOT NULL,
    PRIMARY KEY (epoch, nullifier), UNIQUE (listing, epoch, pos));
CREATE TABLE IF NOT EXISTS usage_commitments (
    listing TEXT NOT NULL, epoch BIGINT NOT NULL, calls BIGINT NOT NULL, calls_root TEXT NOT NULL,
    salt TEXT NOT NULL, usage TEXT NOT NULL, PRIMARY KEY (listing, epoch));
CREATE TABLE IF NOT EXISTS receipts (
    seller BIGINT NOT NULL, seq BIGINT NOT NULL, listing TEXT NOT NULL, buyer_tag TEXT NOT NULL,
    amount TEXT NOT NULL, fee TEXT NOT NULL, time TEXT NOT NULL, cum TEXT NOT NULL, salt TEXT NOT NULL,
    PRIMARY KEY (seller, seq));
CREATE TABLE IF NOT EXISTS receipt_nodes (height BIGINT NOT NULL, idx BIGINT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (height, idx));
CREATE TABLE IF NOT EXISTS receipt_roots (seq BIGSERIAL PRIMARY KEY, root TEXT NOT NULL);
";

/// Advisory-lock keys (`pg_advisory_xact_lock`): "veil" and a number.
const SCHEMA_LOCK: i64 = 0x7665_696c_0000;
const LICENCE_LOCK: i64 = 0x7665_696c_0001;
const RECEIPT_LOCK: i64 = 0x7665_696c_0002;

/// How long one statement may run before PostgreSQL cancels it.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(60);

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;
type Conn = r2d2::PooledConnection<PostgresConnectionManager<NoTls>>;

/// A ledger in a PostgreSQL database, shared by every node that opens the same URL.
pub struct PgStore {
    pool: Pool,
    depth: u32,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`), creating
    /// the tables if missing (with the licence-tree `depth`, default 16, of a new ledger; an
    /// existing ledger must have that depth). `connections` is the pool's size.
    pub fn connect(url: &str, depth: Option<u32>, connections: u32) -> Result<Self> {
        let mut config: postgres::Config = url.parse().map_err(|e| {
            // (The URL itself is not repeated: it may hold a password.)
            LedgerError::Pool(format!("the database URL is not a PostgreSQL URL: {e}"))
        })?;
        config.options(&format!(
            "-c statement_timeout={}",
            STATEMENT_TIMEOUT.as_millis()
        ));
        config.connect_timeout(Duration::from_secs(10));
        let pool = r2d2::Pool::builder()
            .max_size(connections.max(1))
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(30))
            .build(PostgresConnectionManager::new(config, NoTls))
            .map_err(|e| LedgerError::Pool(format!("cannot connect: {e}")))?;
        let store = PgStore { pool, depth: 0 };
        let depth = store.write(|tx| init(tx, depth))?;
        Ok(PgStore { depth, ..store })
    }

    fn conn(&self) -> Result<Conn> {
        self.pool
            .get()
            .map_err(|e| LedgerError::Pool(format!("no connection: {e}")))
    }

    /// Runs `f` in a read-write transaction.
    fn write<T>(&self, f: impl FnOnce(&mut Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in a read-only snapshot (`REPEATABLE READ`).
    fn read<T>(&self, f: impl FnOnce(&mut Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.conn()?;
        let mut tx = conn
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }
}

/// Waits for the transaction-scoped advisory lock `key`.
fn lock(tx: &mut Transaction, key: i64) -> Result<()> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&key])?;
    Ok(())
}

/// The lock of one listing's epoch (accepting calls, closing it).
fn lock_epoch(tx: &mut Transaction, listing: Fr, epoch: u64) -> Result<()> {
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, $2))",
        &[&to_hex(&listing), &(epoch as i64)],
    )?;
    Ok(())
}

/// Creates or checks the tables, under the schema lock (two nodes may start at once).
fn init(tx: &mut Transaction, depth: Option<u32>) -> Result<u32> {
    lock(tx, SCHEMA_LOCK)?;
    let has_meta: bool = tx
        .query_one("SELECT to_regclass('meta') IS NOT NULL", &[])?
        .try_get(0)?;
    let meta = |tx: &mut Transaction, key: &str| -> Result<Option<String>> {
        Ok(tx
            .query_opt("SELECT value FROM meta WHERE key = $1", &[&key])?
            .map(|r| r.try_get(0))
            .transpose()?)
    };
    if has_meta {
        let version = meta(tx, "schema_version")?.unwrap_or_default();
        if version != crate::sqlite::SCHEMA_VERSION.to_string() {
            return Err(LedgerError::Corrupt(format!(
                "the database has ledger schema version {version:?}; this build reads version {}",
                crate::sqlite::SCHEMA_VERSION
            )));
        }
    }
    tx.batch_execute(SCHEMA)?;
    tx.batch_execute(jobs::SCHEMA)?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO NOTHING",
        &[&crate::sqlite::SCHEMA_VERSION.to_string()],
    )?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('fee_bps', $1) ON CONFLICT (key) DO NOTHING",
        &[&crate::DEFAULT_FEE_BPS.to_string()],
    )?;
    let stored = meta(tx, "licence_depth")?;
    let d = crate::licence_depth(stored.as_deref(), depth, "the database")?;
    if stored.is_none() {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('licence_depth', $1)",
            &[&d.to_string()],
        )?;
    }
    Ok(d)
}

/// Which tree a node table holds.
#[derive(Clone, Copy)]
enum Tree {
    Licences,
    Receipts,
}

/// A tree's nodes and the receipt rows, on one client (a transaction).
struct Rows<'a, C: GenericClient> {
    c: &'a mut C,
    tree: Tree,
}

impl<'a, C: GenericClient> Rows<'a, C> {
    fn licences(c: &'a mut C) -> Self {
        Rows {
            c,
            tree: Tree::Licences,
        }
    }
    fn receipts(c: &'a mut C) -> Self {
        Rows {
            c,
            tree: Tree::Receipts,
        }
    }
}

impl<C: GenericClient> NodeStore for Rows<'_, C> {
    type Error = LedgerError;
    fn get(&mut self, height: u32, index: u64) -> Result<Option<Fr>> {
        let sql = match self.tree {
            Tree::Licences => "SELECT value FROM licence_nodes WHERE height = $1 AND idx = $2",
            Tree::Receipts => "SELECT value FROM receipt_nodes WHERE height = $1 AND idx = $2",
        };
        let row = self
            .c
            .query_opt(sql, &[&(height as i64), &(index as i64)])?;
        row.map(|r| fr("tree node", &r.try_get::<_, String>(0)?))
            .transpose()
    }
    fn set(&mut self, height: u32, index: u64, value: Fr) -> Result<()> {
        let sql = match self.tree {
            Tree::Licences => {
                "INSERT INTO licence_nodes (height, idx, value) VALUES ($1, $2, $3)
                 ON CONFLICT (height, idx) DO UPDATE SET value = EXCLUDED.value"
            }
            Tree::Receipts => {
                "INSERT INTO receipt_nodes (height, idx, value) VALUES ($1, $2, $3)
                 ON CONFLICT (height, idx) DO UPDATE SET value = EXCLUDED.value"
            }
        };
        self.c
            .execute(sql, &[&(height as i64), &(index as i64), &to_hex(&value)])?;
        Ok(())
    }
}

const SELECT_RECEIPT: &str =
    "SELECT seller, seq, listing, buyer_tag, amount, fee, time, cum, salt FROM receipts";

fn receipt_of(r: &postgres::Row) -> Result<Receipt> {
    let text = |i: usize| r.try_get::<_, &str>(i);
    receipt_from_text(
        r.try_get(0)?,
        r.try_get(1)?,
        [
            text(2)?,
            text(3)?,
            text(4)?,
            text(5)?,
            text(6)?,
            text(7)?,
            text(8)?,
        ],
    )
}

impl<C: GenericClient> ReceiptRows for Rows<'_, C> {
    fn fee_bps(&mut self) -> Result<u64> {
        fee_bps(self.c)
    }
    fn last_receipt(&mut self, seller: u64) -> Result<Option<Receipt>> {
        let sql = format!("{SELECT_RECEIPT} WHERE seller = $1 ORDER BY seq DESC LIMIT 1");
        self.c
            .query_opt(sql.as_str(), &[&(seller as i64)])?
            .map(|r| receipt_of(&r))
            .transpose()
    }
    fn insert_receipt(&mut self, r: &Receipt) -> Result<()> {
        let [listing, buyer_tag, amount, fee, time, cum, salt] = receipt_to_text(r);
        self.c.execute(
            "INSERT INTO receipts (seller, seq, listing, buyer_tag, amount, fee, time, cum, salt)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &(r.seller as i64),
                &(r.seq as i64),
                &listing,
                &buyer_tag,
                &amount,
                &fee,
                &time,
                &cum,
                &salt,
            ],
        )?;
        Ok(())
    }
    fn record_root(&mut self, root: Fr) -> Result<()> {
        self.c.execute(
            "INSERT INTO receipt_roots (root) VALUES ($1)",
            &[&to_hex(&root)],
        )?;
        Ok(())
    }
    fn receipts_of(&mut self, seller: u64) -> Result<Vec<Receipt>> {
        let sql = format!("{SELECT_RECEIPT} WHERE seller = $1 ORDER BY seq");
        self.c
            .query(sql.as_str(), &[&(seller as i64)])?
            .iter()
            .map(receipt_of)
            .collect()
    }
    fn receipt(&mut self, seller: u64, seq: u64) -> Result<Option<Receipt>> {
        let sql = format!("{SELECT_RECEIPT} WHERE seller = $1 AND seq = $2");
        self.c
            .query_opt(sql.as_str(), &[&(seller as i64), &(seq as i64)])?
            .map(|r| receipt_of(&r))
            .transpose()
    }
}

fn fee_bps(c: &mut impl GenericClient) -> Result<u64> {
    let v: String = c
        .query_one("SELECT value FROM meta WHERE key = 'fee_bps'", &[])?
        .try_get(0)?;
    v.parse()
        .map_err(|_| LedgerError::Corrupt(format!("fee_bps {v:?}")))
}

fn count(
    c: &mut impl GenericClient,
    sql: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<u64> {
    Ok(c.query_one(sql, params)?.try_get::<_, i64>(0)? as u64)
}

fn recent_roots(c: &mut impl GenericClient, n: usize) -> Result<Vec<Fr>> {
    c.query(
        "SELECT root FROM licence_roots ORDER BY seq DESC LIMIT $1",
        &[&(n as i64)],
    )?
    .iter()
    .map(|r| fr("licence root", r.try_get(0)?))
    .collect()
}

fn calls_of(c: &mut impl GenericClient, listing: Fr, epoch: u64) -> Result<Vec<Fr>> {
    c.query(
        "SELECT nullifier FROM nullifiers WHERE listing = $1 AND epoch = $2 ORDER BY pos",
        &[&to_hex(&listing), &(epoch as i64)],
    )?
    .iter()
    .map(|r| fr("nullifier", r.try_get(0)?))
    .collect()
}

fn usage_of(c: &mut impl GenericClient, listing: Fr, epoch: u64) -> Result<Option<EpochUsage>> {
    let row = c.query_opt(
        "SELECT calls, calls_root, salt, usage FROM usage_commitments WHERE listing = $1 AND epoch = $2",
        &[&to_hex(&listing), &(epoch as i64)],
    )?;
    row.map(|r| {
        Ok(EpochUsage {
            calls: r.try_get::<_, i64>(0)? as u64,
            calls_root: fr("calls root", r.try_get(1)?)?,
            salt: fr("usage salt", r.try_get(2)?)?,
            usage: fr("usage commitment", r.try_get(3)?)?,
        })
    })
    .transpose()
}

impl Store for PgStore {
    fn licence_depth(&self) -> u32 {
        self.depth
    }

    fn issue_licence(&self, note: Fr) -> Result<(u64, Fr)> {
        let depth = self.depth;
        self.write(|tx| {
            lock(tx, LICENCE_LOCK)?;
            let n = count(tx, "SELECT COUNT(*) FROM licences", &[])?;
            if n >> depth != 0 {
                return Err(veil_circuits::Error::TooManyRecords { depth }.into());
            }
            tx.execute(
                "INSERT INTO licences (idx, note) VALUES ($1, $2)",
                &[&(n as i64), &to_hex(&note)],
            )?;
            let root = SparseTree::new(depth).set_leaf(&mut Rows::licences(tx), n, note)?;
            tx.execute(
                "INSERT INTO licence_roots (root, leaves) VALUES ($1, $2)",
                &[&to_hex(&root), &(n as i64 + 1)],
            )?;
            Ok((n, root))
        })
    }

    fn licence_path(&self, index: u64) -> Result<(Fr, MerklePath)> {
        let depth = self.depth;
        self.read(|tx| {
            let n = count(tx, "SELECT COUNT(*) FROM licences", &[])?;
            if index >= n {
                return Err(veil_circuits::Error::InvalidParameter(format!(
                    "no licence {index}: {n} issued"
                ))
                .into());
            }
            let tree = SparseTree::new(depth);
            let mut nodes = Rows::licences(tx);
            Ok((tree.root(&mut nodes)?, tree.path(&mut nodes, 0, index)?))
        })
    }

    fn recent_roots(&self, n: usize) -> Result<Vec<Fr>> {
        recent_roots(&mut *self.conn()?, n)
    }

    fn accept_call(&self, call: &CallRecord, accepted_roots: usize) -> Result<u64> {
        let CallRecord {
            listing,
            epoch,
            nullifier,
            request,
            licence_root,
        } = *call;
        self.write(|tx| {
            if !recent_roots(tx, accepted_roots)?.contains(&licence_root) {
                return Err(LedgerError::UnknownRoot(to_hex(&licence_root)));
            }
            // Calls of one listing's epoch, and its closing, go one at a time: positions are
            // dense and no call lands after the commitment.
            lock_epoch(tx, listing, epoch)?;
            if usage_of(tx, listing, epoch)?.is_some() {
                return Err(LedgerError::EpochClosed { epoch });
            }
            let pos = count(
                tx,
                "SELECT COALESCE(MAX(pos) + 1, 0) FROM nullifiers WHERE listing = $1 AND epoch = $2",
                &[&to_hex(&listing), &(epoch as i64)],
            )?;
            // The nullifier's unique key decides between nodes: one insert wins.
            let inserted = tx.execute(
                "INSERT INTO nullifiers (epoch, nullifier, request, listing, pos)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (epoch, nullifier) DO NOTHING",
                &[
                    &(epoch as i64),
                    &to_hex(&nullifier),
                    &to_hex(&request),
                    &to_hex(&listing),
                    &(pos as i64),
                ],
            )?;
            if inserted == 0 {
                return Err(LedgerError::Replay {
                    epoch,
                    nullifier: to_hex(&nullifier),
                });
            }
            Ok(pos)
        })
    }

    fn calls(&self, listing: Fr, epoch: u64) -> Result<Vec<Fr>> {
        calls_of(&mut *self.conn()?, listing, epoch)
    }

    fn close_epoch(&self, listing: Fr, epoch: u64, salt: Fr) -> Result<EpochUsage> {
        self.write(|tx| {
            lock_epoch(tx, listing, epoch)?;
            if let Some(u) = usage_of(tx, listing, epoch)? {
                return Ok(u);
            }
            let tree = CallsTree::build(&calls_of(tx, listing, epoch)?)?;
            let u = EpochUsage {
                calls: tree.count,
                calls_root: tree.root,
                salt,
                usage: usage_commitment(listing, epoch, tree.root, salt),
            };
            tx.execute(
                "INSERT INTO usage_commitments (listing, epoch, calls, calls_root, salt, usage)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &to_hex(&listing),
                    &(epoch as i64),
                    &(u.calls as i64),
                    &to_hex(&u.calls_root),
                    &to_hex(&u.salt),
                    &to_hex(&u.usage),
                ],
            )?;
            Ok(u)
        })
    }

    fn epoch_usage(&self, listing: Fr, epoch: u64) -> Result<Option<EpochUsage>> {
        usage_of(&mut *self.conn()?, listing, epoch)
    }

    fn fee_bps(&self) -> Result<u64> {
        fee_bps(&mut *self.conn()?)
    }

    fn settle(&self, sales: &[Sale]) -> Result<(Vec<Receipt>, Fr)> {
        self.write(|tx| {
            lock(tx, RECEIPT_LOCK)?;
            receipts::settle(&mut Rows::receipts(tx), sales)
        })
    }

    fn receipt_root(&self) -> Result<Fr> {
        self.read(|tx| receipts::receipt_root(&mut Rows::receipts(tx)))
    }

    fn is_receipt_root(&self, root: Fr) -> Result<bool> {
        let n = count(
            &mut *self.conn()?,
            "SELECT COUNT(*) FROM receipt_roots WHERE root = $1",
            &[&to_hex(&root)],
        )?;
        Ok(n > 0)
    }

    fn sellers(&self) -> Result<Vec<u64>> {
        self.conn()?
            .query("SELECT DISTINCT seller FROM receipts ORDER BY seller", &[])?
            .iter()
            .map(|r| Ok(r.try_get::<_, i64>(0)? as u64))
            .collect()
    }

    fn receipts_of(&self, seller: u64) -> Result<Vec<Receipt>> {
        self.read(|tx| Rows::receipts(tx).receipts_of(seller))
    }

    fn disclose(&self, seller: u64, seq: u64) -> Result<(Receipt, MerklePath, Fr)> {
        self.read(|tx| receipts::disclose(&mut Rows::receipts(tx), seller, seq))
    }

    fn report_batches(
        &self,
        shape: &TotalsShape,
        seller: u64,
        t0: u64,
        t1: u64,
        edges: &[u64],
    ) -> Result<(Period, Vec<(BatchPublic, BatchWitness)>)> {
        self.read(|tx| {
            receipts::report_batches(&mut Rows::receipts(tx), shape, seller, t0, t1, edges)
        })
    }
}
