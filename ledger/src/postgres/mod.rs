//! The PostgreSQL store: one database shared by any number of api and worker nodes. The
//! [`Store`](crate::Store), the queue and the registry are `crate::sql::Db`'s, written once;
//! here is what PostgreSQL supplies: pooled connections (`r2d2`) with a statement timeout,
//! transaction-scoped advisory locks where SQLite has its single writer, `FOR UPDATE SKIP
//! LOCKED` job claims, and `REPEATABLE READ` snapshots for reads that must agree.

mod tx;

use crate::{LedgerError, Result};
use postgres::{IsolationLevel, NoTls, Transaction};
use r2d2_postgres::PostgresConnectionManager;
use std::time::Duration;

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

/// Waits for the transaction-scoped advisory lock named `$1`.
const LOCK: &str = "SELECT pg_advisory_xact_lock(hashtextextended($1, 1))";

fn lock(tx: &mut Transaction, key: &str) -> Result<()> {
    tx.execute(LOCK, &[&key])?;
    Ok(())
}

/// Creates or checks the tables, under the schema lock (two nodes may start at once).
fn init(tx: &mut Transaction, depth: Option<u32>) -> Result<u32> {
    lock(tx, "veil:schema")?;
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
        // Version 4 changed only the receipt notes, checked in `init_meta`.
        if version != crate::sql::SCHEMA_VERSION.to_string() && version != "3" {
            return Err(LedgerError::Corrupt(format!(
                "the database has ledger schema version {version:?}; this build reads version {}",
                crate::sql::SCHEMA_VERSION
            )));
        }
    }
    tx.batch_execute(&crate::sql::tables(&crate::sql::POSTGRES))?;
    crate::store_sql::init_meta(&mut tx::Client(tx), depth, "the database")
}
