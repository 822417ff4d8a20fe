#![allow(dead_code)] // each test module uses part of it
//! The databases the store tests run on: a SQLite file, and a database in a throwaway
//! PostgreSQL cluster (one cluster per test binary, stopped when it exits).

use std::sync::OnceLock;
use veil_ledger::{PgStore, ServiceStore, SqliteStore};
use veil_testkit::postgres::PgCluster;

/// One database, opened as often as a test wants (each open is a separate connection or
/// pool, as separate processes or nodes would have).
pub enum Db {
    Sqlite(tempfile::TempDir),
    Postgres(String),
}

/// The cluster every PostgreSQL test of this binary shares.
pub fn cluster() -> &'static PgCluster {
    static CLUSTER: OnceLock<PgCluster> = OnceLock::new();
    CLUSTER.get_or_init(PgCluster::start_for_process)
}

impl Db {
    pub fn sqlite() -> Db {
        Db::Sqlite(tempfile::tempdir().unwrap())
    }

    pub fn postgres() -> Db {
        Db::Postgres(cluster().database())
    }

    pub fn open(&self) -> Box<dyn ServiceStore> {
        self.try_open().unwrap()
    }

    /// Opens the store, or says why not (an older or newer schema, say).
    pub fn try_open(&self) -> Result<Box<dyn ServiceStore>, veil_ledger::LedgerError> {
        Ok(match self {
            Db::Sqlite(d) => Box::new(SqliteStore::create(&d.path().join("veil.db"))?),
            Db::Postgres(url) => Box::new(PgStore::connect(url, None, 8)?),
        })
    }

    /// Runs raw SQL, as an older build or an operator would have.
    pub fn execute(&self, sql: &str) {
        match self {
            Db::Sqlite(d) => rusqlite::Connection::open(d.path().join("veil.db"))
                .unwrap()
                .execute_batch(sql)
                .unwrap(),
            Db::Postgres(url) => postgres::Client::connect(url, postgres::NoTls)
                .unwrap()
                .batch_execute(sql)
                .unwrap(),
        }
    }

    /// The first column of the first row of `sql`, as text.
    pub fn text(&self, sql: &str) -> String {
        match self {
            Db::Sqlite(d) => rusqlite::Connection::open(d.path().join("veil.db"))
                .unwrap()
                .query_row(sql, [], |r| r.get(0))
                .unwrap(),
            Db::Postgres(url) => postgres::Client::connect(url, postgres::NoTls)
                .unwrap()
                .query_one(sql, &[])
                .unwrap()
                .get(0),
        }
    }
}

/// Runs each named test (a `fn(&Db)`) on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&super::common::Db::sqlite()) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(&super::common::Db::postgres()) } )*
        }
    };
}
