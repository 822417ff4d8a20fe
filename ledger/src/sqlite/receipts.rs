//! The receipt ledger: settlement appends each sale's receipt (made from the seller's previous
//! one, so `seq` and `cum` only advance by one sale) at its fixed position in the sparse receipt
//! tree, records every root, and serves the batches an audit report proves.

use super::db::{write, SqlNodes};
use crate::{LedgerError, Result};
use rusqlite::{params, Connection, OptionalExtension};
use veil_circuits::field::{from_hex, to_hex};
use veil_circuits::merkle::sparse::SparseTree;
use veil_circuits::statements::totals::{
    leaf_index, next_receipt, report_chain, BatchPublic, BatchWitness, Period, Receipt, Sale,
    TotalsShape, RECEIPT_DEPTH, SEQ_BITS,
};
use veil_circuits::Fr;

/// Default platform fee: 10% (1,000 basis points).
pub const DEFAULT_FEE_BPS: u64 = 1_000;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS receipts (
    seller INTEGER NOT NULL, seq INTEGER NOT NULL, listing TEXT NOT NULL, buyer_tag TEXT NOT NULL,
    amount TEXT NOT NULL, fee TEXT NOT NULL, time TEXT NOT NULL, cum TEXT NOT NULL, salt TEXT NOT NULL,
    PRIMARY KEY (seller, seq));
CREATE TABLE IF NOT EXISTS receipt_nodes (height INTEGER NOT NULL, idx INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (height, idx));
CREATE TABLE IF NOT EXISTS receipt_roots (seq INTEGER PRIMARY KEY, root TEXT NOT NULL);
";

fn num(s: String, what: &str) -> rusqlite::Result<u64> {
    s.parse().map_err(|_| {
        rusqlite::Error::InvalidColumnType(0, what.into(), rusqlite::types::Type::Text)
    })
}

fn field(s: String) -> rusqlite::Result<Fr> {
    from_hex("receipt field", &s).map_err(|_| {
        rusqlite::Error::InvalidColumnType(0, "field".into(), rusqlite::types::Type::Text)
    })
}

fn receipt_from_row(r: &rusqlite::Row) -> rusqlite::Result<Receipt> {
    Ok(Receipt {
        seller: r.get::<_, i64>(0)? as u64,
        seq: r.get::<_, i64>(1)? as u64,
        listing: field(r.get(2)?)?,
        buyer_tag: field(r.get(3)?)?,
        amount: num(r.get(4)?, "amount")?,
        fee: num(r.get(5)?, "fee")?,
        time: num(r.get(6)?, "time")?,
        cum: num(r.get(7)?, "cum")?,
        salt: field(r.get(8)?)?,
    })
}

const SELECT: &str =
    "SELECT seller, seq, listing, buyer_tag, amount, fee, time, cum, salt FROM receipts";

fn last_receipt(conn: &Connection, seller: u64) -> Result<Option<Receipt>> {
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT} WHERE seller = ?1 ORDER BY seq DESC LIMIT 1"
        ))?
        .query_row(params![seller as i64], receipt_from_row)
        .optional()?)
}

pub(super) fn fee_bps(conn: &Connection) -> Result<u64> {
    let v: String = conn.query_row("SELECT value FROM meta WHERE key = 'fee_bps'", [], |r| {
        r.get(0)
    })?;
    v.parse()
        .map_err(|_| LedgerError::Corrupt(format!("fee_bps {v:?}")))
}

/// Settles sales in order, in one write transaction taken up front (so concurrent settles,
/// from any number of processes, queue rather than fail): each receipt is made from its
/// seller's previous one, placed in the tree, and the final root recorded. Returns the
/// receipts and the new root; on any error nothing is written.
pub(super) fn settle(conn: &Connection, sales: &[Sale]) -> Result<(Vec<Receipt>, Fr)> {
    write(conn, |tx| {
        let bps = fee_bps(tx)?;
        let tree = SparseTree::new(RECEIPT_DEPTH);
        let mut out = Vec::with_capacity(sales.len());
        let mut root = tree.root(&mut SqlNodes::receipts(tx))?;
        for sale in sales {
            let prev = last_receipt(tx, sale.seller)?;
            let r = next_receipt(prev.as_ref(), sale, bps)?;
            tx.prepare_cached(
                "INSERT INTO receipts (seller, seq, listing, buyer_tag, amount, fee, time, cum, salt)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                r.seller as i64,
                r.seq as i64,
                to_hex(&r.listing),
                to_hex(&r.buyer_tag),
                r.amount.to_string(),
                r.fee.to_string(),
                r.time.to_string(),
                r.cum.to_string(),
                to_hex(&r.salt),
            ])?;
            root = tree.set_leaf(&mut SqlNodes::receipts(tx), r.index(), r.note())?;
            out.push(r);
        }
        tx.execute(
            "INSERT INTO receipt_roots (root) VALUES (?1)",
            params![to_hex(&root)],
        )?;
        Ok((out, root))
    })
}

/// The current receipt-tree root.
pub(super) fn receipt_root(conn: &Connection) -> Result<Fr> {
    SparseTree::new(RECEIPT_DEPTH).root(&mut SqlNodes::receipts(conn))
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
    let mut st = conn.prepare(&format!("{SELECT} WHERE seller = ?1 ORDER BY seq"))?;
    let rows = st.query_map(params![seller as i64], receipt_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// One receipt (for selective disclosure) and its path to the current root.
pub(super) fn disclose(
    conn: &Connection,
    seller: u64,
    seq: u64,
) -> Result<(Receipt, veil_circuits::merkle::MerklePath, Fr)> {
    let r = conn
        .query_row(
            &format!("{SELECT} WHERE seller = ?1 AND seq = ?2"),
            params![seller as i64, seq as i64],
            receipt_from_row,
        )
        .optional()?
        .ok_or_else(|| {
            veil_circuits::Error::InvalidParameter(format!("seller {seller} has no receipt {seq}"))
        })?;
    let tree = SparseTree::new(RECEIPT_DEPTH);
    let path = tree.path(&mut SqlNodes::receipts(conn), 0, leaf_index(seller, seq))?;
    Ok((r, path, receipt_root(conn)?))
}

/// The chain of batches a report for `seller` over `[t0, t1)` must prove, against the
/// current root ([`report_chain`]), with fresh random blindings. An unknown seller is an
/// error.
pub(super) fn report_batches(
    conn: &Connection,
    shape: &TotalsShape,
    seller: u64,
    t0: u64,
    t1: u64,
    edges: &[u64],
) -> Result<(Period, Vec<(BatchPublic, BatchWitness)>)> {
    shape.validate()?;
    let receipts = receipts_of(conn, seller)?;
    if receipts.is_empty() {
        return Err(veil_circuits::Error::InvalidParameter(format!(
            "unknown seller {seller}: no receipts in the ledger"
        ))
        .into());
    }
    let period = Period {
        root: receipt_root(conn)?,
        seller,
        t0,
        t1,
        bps: fee_bps(conn)?,
        edges: edges.to_vec(),
    };
    let tree = SparseTree::new(RECEIPT_DEPTH);
    let mut nodes = SqlNodes::receipts(conn);
    let chain = report_chain(
        shape,
        &period,
        &receipts,
        |j| {
            tree.path(
                &mut nodes,
                shape.height(),
                (seller << (SEQ_BITS - shape.height())) | j,
            )
        },
        || veil_circuits::field::random(&mut rand::rngs::OsRng),
    )?;
    Ok((period, chain))
}
