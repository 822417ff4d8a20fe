#![allow(dead_code)] // each test binary uses part of it
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
        match self {
            Db::Sqlite(d) => Box::new(SqliteStore::create(&d.path().join("veil.db")).unwrap()),
            Db::Postgres(url) => Box::new(PgStore::connect(url, None, 8).unwrap()),
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
