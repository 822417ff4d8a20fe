//! SQLite under the shared SQL (`crate::sql::Db`): statements run on the store's one
//! connection; a write is a transaction taken up front (`BEGIN IMMEDIATE`), which excludes every
//! other writer, so no lock is needed and a job claim is a plain `UPDATE ... RETURNING`; a
//! snapshot is a read transaction.

use super::db::write;
use super::SqliteStore;
use crate::sql::{self, for_sqlite, Arg, Columns, Db, Tx};
use crate::Result;
use rusqlite::types::{Null, ToSqlOutput};
use rusqlite::{params_from_iter, Connection, Row};

sql::columns_by!(Row<'_>, get);

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Arg::Int(i) => ToSqlOutput::from(i),
            Arg::Text(s) | Arg::OptText(Some(s)) => ToSqlOutput::from(s),
            Arg::OptText(None) => ToSqlOutput::from(Null),
        })
    }
}

/// A connection (or the transaction it is in), running statements with PostgreSQL's
/// placeholders.
pub(super) struct Conn<'a>(pub(super) &'a Connection);

impl Tx for Conn<'_> {
    fn run(&mut self, sql: &str, args: &[Arg]) -> Result<u64> {
        let mut st = self.0.prepare_cached(&for_sqlite(sql))?;
        Ok(st.execute(params_from_iter(args))? as u64)
    }
    fn rows(
        &mut self,
        sql: &str,
        args: &[Arg],
        row: &mut dyn FnMut(&dyn Columns) -> Result<()>,
    ) -> Result<()> {
        let mut st = self.0.prepare_cached(&for_sqlite(sql))?;
        let mut rows = st.query(params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            row(r)?;
        }
        Ok(())
    }
}

impl Db for SqliteStore {
    const CLAIM: &'static str = sql::CLAIM_SQLITE;
    const HEARTBEAT_READ: &'static str = sql::HEARTBEAT_READ;
    fn depth(&self) -> u32 {
        self.depth
    }
    fn snapshot<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let conn = self.conn();
        // A read transaction: every statement sees the state at its first read.
        let tx = conn.unchecked_transaction()?;
        let out = f(&mut Conn(&tx))?;
        tx.commit()?;
        Ok(out)
    }
    fn write<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
        write(&self.conn(), |tx| f(&mut Conn(tx)))
    }
    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
        f(&mut Conn(&self.conn()))
    }
    fn lock(&self, _: &mut dyn Tx, _: &str) -> Result<()> {
        Ok(()) // `BEGIN IMMEDIATE` already excludes every other writer.
    }
}
