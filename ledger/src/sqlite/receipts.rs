//! The receipt ledger's rows in SQLite (the rules are [`crate::receipts`]'s).

use super::db::{write, SqlNodes};
use crate::receipts::{self, receipt_from_text, receipt_to_text, ReceiptRows};
use crate::{LedgerError, Result};
use rusqlite::{params, Connection, OptionalExtension};
use veil_circuits::field::to_hex;
use veil_circuits::merkle::sparse::NodeStore;
use veil_circuits::statements::totals::{
    BatchPublic, BatchWitness, Period, Receipt, Sale, TotalsShape,
};
use veil_circuits::Fr;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS receipts (
    seller INTEGER NOT NULL, seq INTEGER NOT NULL, listing TEXT NOT NULL, buyer_tag TEXT NOT NULL,
    amount TEXT NOT NULL, fee TEXT NOT NULL, time TEXT NOT NULL, cum TEXT NOT NULL, salt TEXT NOT NULL,
    PRIMARY KEY (seller, seq));
CREATE TABLE IF NOT EXISTS receipt_nodes (height INTEGER NOT NULL, idx INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (height, idx));
CREATE TABLE IF NOT EXISTS receipt_roots (seq INTEGER PRIMARY KEY, root TEXT NOT NULL);
";

const SELECT: &str =
    "SELECT seller, seq, listing, buyer_tag, amount, fee, time, cum, salt FROM receipts";

/// The receipt rows of one connection (inside the caller's transaction).
struct Rows<'a>(&'a Connection);

fn receipt_of(r: &rusqlite::Row) -> rusqlite::Result<(i64, i64, [String; 7])> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        [
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
        ],
    ))
}

fn decode((seller, seq, cols): (i64, i64, [String; 7])) -> Result<Receipt> {
    receipt_from_text(seller, seq, cols.each_ref().map(String::as_str))
}

impl NodeStore for Rows<'_> {
    type Error = LedgerError;
    fn get(&mut self, height: u32, index: u64) -> Result<Option<Fr>> {
        SqlNodes::receipts(self.0).get(height, index)
    }
    fn set(&mut self, height: u32, index: u64, value: Fr) -> Result<()> {
        SqlNodes::receipts(self.0).set(height, index, value)
    }
}

impl ReceiptRows for Rows<'_> {
    fn fee_bps(&mut self) -> Result<u64> {
        fee_bps(self.0)
    }
    fn last_receipt(&mut self, seller: u64) -> Result<Option<Receipt>> {
        self.0
            .prepare_cached(&format!(
                "{SELECT} WHERE seller = ?1 ORDER BY seq DESC LIMIT 1"
            ))?
            .query_row(params![seller as i64], receipt_of)
            .optional()?
            .map(decode)
            .transpose()
    }
    fn insert_receipt(&mut self, r: &Receipt) -> Result<()> {
        let [listing, buyer_tag, amount, fee, time, cum, salt] = receipt_to_text(r);
        self.0
            .prepare_cached(
                "INSERT INTO receipts (seller, seq, listing, buyer_tag, amount, fee, time, cum, salt)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                r.seller as i64,
                r.seq as i64,
                listing,
                buyer_tag,
                amount,
                fee,
                time,
                cum,
                salt
            ])?;
        Ok(())
    }
    fn record_root(&mut self, root: Fr) -> Result<()> {
        self.0.execute(
            "INSERT INTO receipt_roots (root) VALUES (?1)",
            params![to_hex(&root)],
        )?;
        Ok(())
    }
    fn receipts_of(&mut self, seller: u64) -> Result<Vec<Receipt>> {
        let mut st = self
            .0
            .prepare(&format!("{SELECT} WHERE seller = ?1 ORDER BY seq"))?;
        let rows = st.query_map(params![seller as i64], receipt_of)?;
        rows.map(|r| decode(r?)).collect()
    }
    fn receipt(&mut self, seller: u64, seq: u64) -> Result<Option<Receipt>> {
        self.0
            .query_row(
                &format!("{SELECT} WHERE seller = ?1 AND seq = ?2"),
                params![seller as i64, seq as i64],
                receipt_of,
            )
            .optional()?
            .map(decode)
            .transpose()
    }
}

pub(super) fn fee_bps(conn: &Connection) -> Result<u64> {
    let v: String = conn.query_row("SELECT value FROM meta WHERE key = 'fee_bps'", [], |r| {
        r.get(0)
    })?;
    v.parse()
        .map_err(|_| LedgerError::Corrupt(format!("fee_bps {v:?}")))
}

/// Settles sales in one write transaction taken up front (so concurrent settles, from any
/// number of processes, queue rather than fail); on any error nothing is written.
pub(super) fn settle(conn: &Connection, sales: &[Sale]) -> Result<(Vec<Receipt>, Fr)> {
    write(conn, |tx| receipts::settle(&mut Rows(tx), sales))
}

/// The current receipt-tree root.
pub(super) fn receipt_root(conn: &Connection) -> Result<Fr> {
    receipts::receipt_root(&mut Rows(conn))
}

/// Whether `root` was ever the receipt-tree root.
pub(super) fn is_receipt_root(conn: &Connection, root: Fr) -> Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM receipt_roots WHERE root = ?1",
        params![to_hex(&root)],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Sellers with at least one receipt.
pub(super) fn sellers(conn: &Connection) -> Result<Vec<u64>> {
    let mut st = conn.prepare("SELECT DISTINCT seller FROM receipts ORDER BY seller")?;
    let rows = st.query_map([], |r| r.get::<_, i64>(0))?;
    Ok(rows
        .map(|r| r.map(|s| s as u64))
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A seller's receipts, in sequence.
pub(super) fn receipts_of(conn: &Connection, seller: u64) -> Result<Vec<Receipt>> {
    Rows(conn).receipts_of(seller)
}

/// One receipt (for selective disclosure) and its path to the current root.
pub(super) fn disclose(
    conn: &Connection,
    seller: u64,
    seq: u64,
) -> Result<(Receipt, veil_circuits::merkle::MerklePath, Fr)> {
    receipts::disclose(&mut Rows(conn), seller, seq)
}

/// A report's batches ([`receipts::report_batches`]), read in the caller's transaction.
pub(super) fn report_batches(
    conn: &Connection,
    shape: &TotalsShape,
    seller: u64,
    t0: u64,
    t1: u64,
    edges: &[u64],
) -> Result<(Period, Vec<(BatchPublic, BatchWitness)>)> {
    receipts::report_batches(&mut Rows(conn), shape, seller, t0, t1, edges)
}
