//! The SQL both databases run, written once: the tables (in each database's types) and the job
//! queue's and registry's statements. Placeholders are PostgreSQL's `$1, $2, ...`; SQLite reads
//! the same text with `?1, ?2, ...` ([`for_sqlite`]). What only one database has (PostgreSQL's
//! `FOR UPDATE SKIP LOCKED`, which SQLite's single writer makes unnecessary) is a separate
//! constant. Rows are decoded once, through [`Columns`].

use crate::jobs::{Job, JobState, ListingRecord, TokenRecord};
use crate::{LedgerError, Result};

/// The schema version both databases write (`meta.schema_version`).
pub const SCHEMA_VERSION: u32 = 4;

/// A database's names for the column types the tables use.
pub(crate) struct Dialect {
    /// A 64-bit integer.
    int: &'static str,
    /// A key numbered by the database in insertion order.
    serial: &'static str,
    /// A key numbered by the database, never reused.
    serial_unique: &'static str,
}

/// SQLite's types (exactly those of the tables version 3 created).
pub(crate) const SQLITE: Dialect = Dialect {
    int: "INTEGER",
    serial: "INTEGER PRIMARY KEY",
    serial_unique: "INTEGER PRIMARY KEY AUTOINCREMENT",
};

/// PostgreSQL's types.
pub(crate) const POSTGRES: Dialect = Dialect {
    int: "BIGINT",
    serial: "BIGSERIAL PRIMARY KEY",
    serial_unique: "BIGSERIAL PRIMARY KEY",
};

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS licences (idx {int} PRIMARY KEY, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS licence_nodes (height {int} NOT NULL, idx {int} NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (height, idx));
CREATE TABLE IF NOT EXISTS licence_roots (seq {serial}, root TEXT NOT NULL, leaves {int} NOT NULL);
CREATE TABLE IF NOT EXISTS nullifiers (
    epoch {int} NOT NULL, nullifier TEXT NOT NULL, request TEXT NOT NULL,
    listing TEXT NOT NULL, pos {int} NOT NULL,
    PRIMARY KEY (epoch, nullifier), UNIQUE (listing, epoch, pos));
CREATE TABLE IF NOT EXISTS usage_commitments (
    listing TEXT NOT NULL, epoch {int} NOT NULL, calls {int} NOT NULL, calls_root TEXT NOT NULL,
    salt TEXT NOT NULL, usage TEXT NOT NULL, PRIMARY KEY (listing, epoch));
CREATE TABLE IF NOT EXISTS receipts (
    seller {int} NOT NULL, seq {int} NOT NULL, listing TEXT NOT NULL, buyer_tag TEXT NOT NULL,
    amount TEXT NOT NULL, fee TEXT NOT NULL, time TEXT NOT NULL, cum TEXT NOT NULL, salt TEXT NOT NULL,
    PRIMARY KEY (seller, seq));
CREATE TABLE IF NOT EXISTS receipt_nodes (height {int} NOT NULL, idx {int} NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (height, idx));
CREATE TABLE IF NOT EXISTS receipt_roots (seq {serial}, root TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    seq {serial_unique},
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    request TEXT NOT NULL,
    owner TEXT NOT NULL,
    idem_key TEXT,
    state TEXT NOT NULL,
    attempts {int} NOT NULL DEFAULT 0,
    max_attempts {int} NOT NULL,
    not_before {int} NOT NULL,
    deadline {int} NOT NULL,
    created_at {int} NOT NULL,
    started_at {int},
    finished_at {int},
    worker TEXT,
    lease_until {int},
    stage TEXT,
    done {int} NOT NULL DEFAULT 0,
    total {int} NOT NULL DEFAULT 0,
    error TEXT,
    result TEXT,
    UNIQUE (owner, idem_key));
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, seq);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, role TEXT NOT NULL, label TEXT NOT NULL,
    created_at {int} NOT NULL, revoked {int} NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS listings (
    id TEXT PRIMARY KEY, listing TEXT NOT NULL, dataset TEXT, owner TEXT NOT NULL,
    created_at {int} NOT NULL);
";

/// Every table, in `dialect`'s types.
pub(crate) fn tables(dialect: &Dialect) -> String {
    TABLES
        .replace("{serial_unique}", dialect.serial_unique)
        .replace("{serial}", dialect.serial)
        .replace("{int}", dialect.int)
}

/// `sql` with SQLite's placeholders (`?1` for `$1`; no statement here has a `$` of its own).
pub(crate) fn for_sqlite(sql: &str) -> String {
    sql.replace('$', "?")
}

// --- the ledger ------------------------------------------------------------------------------

/// A meta value.
pub(crate) const META: &str = "SELECT value FROM meta WHERE key = $1";

/// Receipts settled.
pub(crate) const COUNT_RECEIPTS: &str = "SELECT COUNT(*) FROM receipts";

/// Empties the receipt tree (of a ledger without receipts, before version 4).
pub(crate) const CLEAR_RECEIPT_NODES: &str = "DELETE FROM receipt_nodes";
/// Empties the receipt tree's roots (likewise).
pub(crate) const CLEAR_RECEIPT_ROOTS: &str = "DELETE FROM receipt_roots";

/// Records the schema version `$1` (over an older one: the caller checked it).
pub(crate) const SET_VERSION: &str = "INSERT INTO meta (key, value) VALUES ('schema_version', $1)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value";

/// Records meta `$1` = `$2` unless it is set.
pub(crate) const SET_META_ONCE: &str =
    "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";

/// Licences issued.
pub(crate) const COUNT_LICENCES: &str = "SELECT COUNT(*) FROM licences";

/// Licence `$1` with note `$2`.
pub(crate) const INSERT_LICENCE: &str = "INSERT INTO licences (idx, note) VALUES ($1, $2)";

/// The licence tree's root `$1` after `$2` leaves.
pub(crate) const INSERT_LICENCE_ROOT: &str =
    "INSERT INTO licence_roots (root, leaves) VALUES ($1, $2)";

/// The newest `$1` licence roots, newest first.
pub(crate) const RECENT_ROOTS: &str = "SELECT root FROM licence_roots ORDER BY seq DESC LIMIT $1";

/// The next call position of listing `$1` in epoch `$2`.
pub(crate) const NEXT_POSITION: &str =
    "SELECT COALESCE(MAX(pos) + 1, 0) FROM nullifiers WHERE listing = $1 AND epoch = $2";

/// A call (epoch, nullifier, request, listing, position), unless its nullifier was spent in
/// the epoch: then no row changes.
pub(crate) const INSERT_CALL: &str =
    "INSERT INTO nullifiers (epoch, nullifier, request, listing, pos) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (epoch, nullifier) DO NOTHING";

/// The nullifiers of listing `$1` in epoch `$2`, in acceptance order.
pub(crate) const CALLS: &str =
    "SELECT nullifier FROM nullifiers WHERE listing = $1 AND epoch = $2 ORDER BY pos";

/// The usage commitment of listing `$1` in epoch `$2`.
pub(crate) const USAGE: &str = "SELECT calls, calls_root, salt, usage FROM usage_commitments
     WHERE listing = $1 AND epoch = $2";

/// A usage commitment: listing, epoch, calls, calls root, salt, commitment.
pub(crate) const INSERT_USAGE: &str =
    "INSERT INTO usage_commitments (listing, epoch, calls, calls_root, salt, usage)
     VALUES ($1, $2, $3, $4, $5, $6)";

/// Whether `$1` was ever the receipt root.
pub(crate) const IS_RECEIPT_ROOT: &str = "SELECT COUNT(*) FROM receipt_roots WHERE root = $1";

/// A receipt root.
pub(crate) const INSERT_RECEIPT_ROOT: &str = "INSERT INTO receipt_roots (root) VALUES ($1)";

/// Sellers with receipts.
pub(crate) const SELLERS: &str = "SELECT DISTINCT seller FROM receipts ORDER BY seller";

/// A receipt's columns, in [`crate::receipts::receipt_from_text`]'s order.
pub(crate) const SELECT_RECEIPT: &str =
    "SELECT seller, seq, listing, buyer_tag, amount, fee, time, cum, salt FROM receipts";

/// Stores a receipt.
pub(crate) const INSERT_RECEIPT: &str =
    "INSERT INTO receipts (seller, seq, listing, buyer_tag, amount, fee, time, cum, salt)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

// --- the job queue ---------------------------------------------------------------------------

/// A job's columns, in [`job_of`]'s order.
macro_rules! job_columns {
    () => {
        "id, kind, request, owner, idem_key, state, attempts, max_attempts, created_at, \
         started_at, finished_at, deadline, stage, done, total, error, result IS NOT NULL"
    };
}

/// The job with id `$1`.
pub(crate) const GET_JOB: &str = concat!("SELECT ", job_columns!(), " FROM jobs WHERE id = $1");

/// The newest `$2` jobs of owner `$1` (every owner's when NULL).
pub(crate) const LIST_JOBS: &str = concat!(
    "SELECT ",
    job_columns!(),
    " FROM jobs WHERE CAST($1 AS TEXT) IS NULL OR owner = $1 ORDER BY seq DESC LIMIT $2"
);

/// The job owner `$1` submitted with idempotency key `$2`.
pub(crate) const FIND_IDEMPOTENT: &str =
    "SELECT id, kind, request FROM jobs WHERE owner = $1 AND idem_key = $2";

/// Jobs waiting.
pub(crate) const COUNT_QUEUED: &str = "SELECT COUNT(*) FROM jobs WHERE state = 'queued'";

/// A new job: id, kind, request, owner, idempotency key, attempts allowed, now, deadline.
pub(crate) const INSERT_JOB: &str =
    "INSERT INTO jobs (id, kind, request, owner, idem_key, state, max_attempts, not_before,
         deadline, created_at)
     VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $7)";

/// Times out every job whose deadline (before `$1`, now) has passed.
pub(crate) const SWEEP_DEADLINES: &str =
    "UPDATE jobs SET state = 'timed_out', finished_at = $1, worker = NULL, lease_until = NULL,
         error = 'its deadline passed before it finished'
     WHERE state IN ('queued', 'running') AND deadline <= $1";

/// Fails running jobs whose lease ran out on their last attempt.
pub(crate) const SWEEP_LOST: &str =
    "UPDATE jobs SET state = 'failed', finished_at = $1, worker = NULL, lease_until = NULL,
         error = 'its worker stopped (crashed or was killed) on every one of its ' || attempts || ' attempts'
     WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts";

/// Claims the oldest runnable job for worker `$1`, leased until `$2`, at `$3` (now).
macro_rules! claim {
    ($lock:literal) => {
        concat!(
            "UPDATE jobs SET state = 'running', worker = $1, lease_until = $2,
                 attempts = attempts + 1, started_at = COALESCE(started_at, $3),
                 stage = NULL, done = 0, total = 0
             WHERE seq = (SELECT seq FROM jobs
                          WHERE (state = 'queued' AND not_before <= $3)
                             OR (state = 'running' AND lease_until < $3)
                          ORDER BY seq LIMIT 1",
            $lock,
            ") RETURNING ",
            job_columns!()
        )
    };
}

/// The claim in SQLite (inside `BEGIN IMMEDIATE`, the only writer).
pub(crate) const CLAIM_SQLITE: &str = claim!("");

/// The claim in PostgreSQL: rows other claims hold are skipped, not waited for.
pub(crate) const CLAIM_POSTGRES: &str = claim!(" FOR UPDATE SKIP LOCKED");

/// A job's state, holder and deadline, for a heartbeat.
pub(crate) const HEARTBEAT_READ: &str = "SELECT state, worker, deadline FROM jobs WHERE id = $1";

/// The heartbeat's read in PostgreSQL, locking the row until the transaction ends.
pub(crate) const HEARTBEAT_READ_FOR_UPDATE: &str =
    "SELECT state, worker, deadline FROM jobs WHERE id = $1 FOR UPDATE";

/// Renews job `$1`'s lease until `$2` and records its stage `$3` and progress `$4` of `$5`.
pub(crate) const HEARTBEAT_WRITE: &str =
    "UPDATE jobs SET lease_until = $2, stage = $3, done = $4, total = $5 WHERE id = $1";

/// Job `$1` held by worker `$2`: succeeded with result `$3` at `$4`.
pub(crate) const FINISH_SUCCEEDED: &str =
    "UPDATE jobs SET state = 'succeeded', result = $3, finished_at = $4, worker = NULL,
         lease_until = NULL, error = NULL
     WHERE id = $1 AND state = 'running' AND worker = $2";

/// Job `$1` held by worker `$2`: ended in state `$5` (failed, timed out) for reason `$3` at `$4`.
pub(crate) const FINISH_ENDED: &str =
    "UPDATE jobs SET state = $5, error = $3, finished_at = $4, worker = NULL, lease_until = NULL
     WHERE id = $1 AND state = 'running' AND worker = $2";

/// Job `$1` held by worker `$2`: failed for reason `$3` at `$4`; queued again after `$5` ms
/// unless its attempts are used up.
pub(crate) const FINISH_RETRY: &str = "UPDATE jobs SET
         state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
         finished_at = CASE WHEN attempts >= max_attempts THEN CAST($4 AS BIGINT) ELSE NULL END,
         not_before = CAST($4 AS BIGINT) + CAST($5 AS BIGINT), error = $3, worker = NULL,
         lease_until = NULL
     WHERE id = $1 AND state = 'running' AND worker = $2";

/// Puts worker `$1`'s running jobs back in the queue, not counting the interrupted attempt.
pub(crate) const RELEASE: &str =
    "UPDATE jobs SET state = 'queued', worker = NULL, lease_until = NULL,
         attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
         error = 'interrupted by a shutdown; queued again'
     WHERE state = 'running' AND worker = $1";

/// Cancels job `$1` at `$2` unless it already ended.
pub(crate) const CANCEL: &str =
    "UPDATE jobs SET state = 'cancelled', finished_at = $2, worker = NULL, lease_until = NULL,
         error = 'cancelled by its owner'
     WHERE id = $1 AND state IN ('queued', 'running')";

/// Job `$1`'s result, if it succeeded.
pub(crate) const RESULT: &str = "SELECT result FROM jobs WHERE id = $1 AND state = 'succeeded'";

/// Jobs queued and running.
pub(crate) const QUEUE_DEPTH: &str = "SELECT COUNT(*) FILTER (WHERE state = 'queued'),
        COUNT(*) FILTER (WHERE state = 'running') FROM jobs";

/// Deletes the results of jobs finished at or before `$1`.
pub(crate) const EXPIRE_RESULTS: &str =
    "UPDATE jobs SET result = NULL WHERE result IS NOT NULL AND finished_at <= $1";

// --- the registry ----------------------------------------------------------------------------

/// A token: id, SHA-256, role, label, now.
pub(crate) const ADD_TOKEN: &str =
    "INSERT INTO tokens (id, sha256, role, label, created_at) VALUES ($1, $2, $3, $4, $5)";

/// The unrevoked token whose secret hashes to `$1`.
pub(crate) const TOKEN: &str =
    "SELECT id, role, label FROM tokens WHERE sha256 = $1 AND revoked = 0";

/// Revokes token `$1`.
pub(crate) const REVOKE_TOKEN: &str = "UPDATE tokens SET revoked = 1 WHERE id = $1";

/// Registers a listing (id, listing, dataset, owner, now), replacing it only for its owner:
/// no row changes when another owner holds the id.
pub(crate) const REGISTER_LISTING: &str =
    "INSERT INTO listings (id, listing, dataset, owner, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET listing = excluded.listing, dataset = excluded.dataset,
         created_at = excluded.created_at
     WHERE listings.owner = excluded.owner";

/// Listing `$1`.
pub(crate) const LISTING: &str = "SELECT id, listing, dataset, owner FROM listings WHERE id = $1";

/// A value bound to a placeholder.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'a> {
    /// A 64-bit integer.
    Int(i64),
    /// Text.
    Text(&'a str),
    /// Text or NULL.
    OptText(Option<&'a str>),
}

/// One transaction (or connection) of either database: the seam the queue and the registry
/// are written once over.
pub(crate) trait Tx {
    /// Runs `sql`; returns the rows changed.
    fn run(&mut self, sql: &str, args: &[Arg]) -> Result<u64>;
    /// Runs `sql` and hands each row to `row`.
    fn rows(
        &mut self,
        sql: &str,
        args: &[Arg],
        row: &mut dyn FnMut(&dyn Columns) -> Result<()>,
    ) -> Result<()>;
}

/// The first row of `sql`, decoded, if any.
pub(crate) fn one<T>(
    tx: &mut dyn Tx,
    sql: &str,
    args: &[Arg],
    decode: impl FnOnce(&dyn Columns) -> Result<T>,
) -> Result<Option<T>> {
    let (mut decode, mut out) = (Some(decode), None);
    tx.rows(sql, args, &mut |r| {
        if let Some(d) = decode.take() {
            out = Some(d(r)?);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Every row of `sql`, decoded.
pub(crate) fn all<T>(
    tx: &mut dyn Tx,
    sql: &str,
    args: &[Arg],
    mut decode: impl FnMut(&dyn Columns) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    tx.rows(sql, args, &mut |r| {
        out.push(decode(r)?);
        Ok(())
    })?;
    Ok(out)
}

/// A database Veil's state lives in: the seam the [`Store`](crate::Store), the job queue and
/// the registry are written once over (`store_sql.rs`, `queue.rs`). A database supplies
/// transactions that run this module's statements, its claim statement, and locks.
pub(crate) trait Db: Send + Sync {
    /// Its claim statement ([`CLAIM_SQLITE`] or [`CLAIM_POSTGRES`]).
    const CLAIM: &'static str;
    /// Its heartbeat's read, locking the row where the database needs it.
    const HEARTBEAT_READ: &'static str;
    /// The licence tree's depth (fixed when the store was created).
    fn depth(&self) -> u32;
    /// Runs `f` in a write transaction (retried as a whole where the database asks for it).
    fn write<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<T>) -> Result<T>;
    /// Runs `f` on a connection, statement by statement.
    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<T>) -> Result<T>;
    /// Runs `f` in one read snapshot: its statements see one state of the database, whatever
    /// other connections write meanwhile.
    fn snapshot<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<T>) -> Result<T>;
    /// Inside a write transaction: waits until no other transaction holds `key` (PostgreSQL's
    /// advisory lock; nothing in SQLite, whose write transaction already excludes every other).
    fn lock(&self, tx: &mut dyn Tx, key: &str) -> Result<()>;
}

/// A row's columns by position, whichever database it came from.
pub(crate) trait Columns {
    /// Text.
    fn text(&self, i: usize) -> Result<String>;
    /// Text or NULL.
    fn opt_text(&self, i: usize) -> Result<Option<String>>;
    /// An integer.
    fn int(&self, i: usize) -> Result<i64>;
    /// An integer or NULL.
    fn opt_int(&self, i: usize) -> Result<Option<i64>>;
    /// A truth value.
    fn flag(&self, i: usize) -> Result<bool>;
}

/// Implements [`Columns`] for a database's row type through its typed getter (`get` or
/// `try_get`), whose error converts into [`LedgerError`].
macro_rules! columns_by {
    ($row:ty, $get:ident) => {
        impl $crate::sql::Columns for $row {
            fn text(&self, i: usize) -> $crate::Result<String> {
                Ok(self.$get(i)?)
            }
            fn opt_text(&self, i: usize) -> $crate::Result<Option<String>> {
                Ok(self.$get(i)?)
            }
            fn int(&self, i: usize) -> $crate::Result<i64> {
                Ok(self.$get(i)?)
            }
            fn opt_int(&self, i: usize) -> $crate::Result<Option<i64>> {
                Ok(self.$get(i)?)
            }
            fn flag(&self, i: usize) -> $crate::Result<bool> {
                Ok(self.$get(i)?)
            }
        }
    };
}
pub(crate) use columns_by;

/// A job from the columns of `job_columns!`.
pub(crate) fn job_of(r: &dyn Columns) -> Result<Job> {
    let state = r.text(5)?;
    let opt = |i| Ok::<_, LedgerError>(r.opt_int(i)?.map(|v| v as u64));
    Ok(Job {
        id: r.text(0)?,
        kind: r.text(1)?,
        request: r.text(2)?,
        owner: r.text(3)?,
        idempotency_key: r.opt_text(4)?,
        state: JobState::parse(&state)
            .ok_or_else(|| LedgerError::Corrupt(format!("job state {state:?}")))?,
        attempts: r.int(6)? as u32,
        max_attempts: r.int(7)? as u32,
        created_ms: r.int(8)? as u64,
        started_ms: opt(9)?,
        finished_ms: opt(10)?,
        deadline_ms: r.int(11)? as u64,
        stage: r.opt_text(12)?,
        done: r.int(13)? as u64,
        total: r.int(14)? as u64,
        error: r.opt_text(15)?,
        has_result: r.flag(16)?,
    })
}

/// A token from the columns of [`TOKEN`].
pub(crate) fn token_of(r: &dyn Columns) -> Result<TokenRecord> {
    Ok(TokenRecord {
        id: r.text(0)?,
        role: r.text(1)?,
        label: r.text(2)?,
    })
}

/// A listing from the columns of [`LISTING`].
pub(crate) fn listing_of(r: &dyn Columns) -> Result<ListingRecord> {
    Ok(ListingRecord {
        id: r.text(0)?,
        listing: r.text(1)?,
        dataset: r.opt_text(2)?,
        owner: r.text(3)?,
    })
}
