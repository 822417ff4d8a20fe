//! PostgreSQL under the shared SQL (`crate::sql::Db`): a job claim is one
//! `UPDATE ... WHERE seq = (SELECT ... FOR UPDATE SKIP LOCKED)`, so workers on any number of
//! nodes each take a different job without waiting on each other; a heartbeat locks its job's
//! row; [`Db::lock`] is a transaction-scoped advisory lock.

use super::PgStore;
use crate::sql::{self, Arg, Columns, Db, Tx};
use crate::Result;
use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{GenericClient, Row};
use std::error::Error;

sql::columns_by!(Row, try_get);

type SqlResult = std::result::Result<IsNull, Box<dyn Error + Sync + Send>>;

impl ToSql for Arg<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> SqlResult {
        match self {
            Arg::Int(i) => i.to_sql(ty, out),
            Arg::Text(s) => s.to_sql(ty, out),
            Arg::OptText(o) => o.to_sql(ty, out),
        }
    }
    fn accepts(ty: &Type) -> bool {
        <i64 as ToSql>::accepts(ty) || <&str as ToSql>::accepts(ty)
    }
    /// Checks the value's own type against the column's (not only that some variant fits).
    fn to_sql_checked(&self, ty: &Type, out: &mut BytesMut) -> SqlResult {
        match self {
            Arg::Int(i) => i.to_sql_checked(ty, out),
            Arg::Text(s) => s.to_sql_checked(ty, out),
            Arg::OptText(o) => o.to_sql_checked(ty, out),
        }
    }
}

/// A client (a transaction or a pooled connection).
pub(super) struct Client<'a, C: GenericClient>(pub(super) &'a mut C);

fn params<'a>(args: &'a [Arg]) -> Vec<&'a (dyn ToSql + Sync)> {
    args.iter().map(|a| a as &(dyn ToSql + Sync)).collect()
}

impl<C: GenericClient> Tx for Client<'_, C> {
    fn run(&mut self, sql: &str, args: &[Arg]) -> Result<u64> {
        Ok(self.0.execute(sql, &params(args))?)
    }
    fn rows(
        &mut self,
        sql: &str,
        args: &[Arg],
        row: &mut dyn FnMut(&dyn Columns) -> Result<()>,
    ) -> Result<()> {
        for r in self.0.query(sql, &params(args))? {
            row(&r)?;
        }
        Ok(())
    }
}

impl Db for PgStore {
    const CLAIM: &'static str = sql::CLAIM_POSTGRES;
    const HEARTBEAT_READ: &'static str = sql::HEARTBEAT_READ_FOR_UPDATE;
    fn depth(&self) -> u32 {
        self.depth
    }
    fn snapshot<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
        PgStore::read(self, |tx| f(&mut Client(tx)))
    }
    fn write<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
        PgStore::write(self, |tx| f(&mut Client(tx)))
    }
    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
        f(&mut Client(&mut *self.conn()?))
    }
    fn lock(&self, tx: &mut dyn Tx, key: &str) -> Result<()> {
        tx.run(super::LOCK, &[Arg::Text(key)]).map(drop)
    }
}
