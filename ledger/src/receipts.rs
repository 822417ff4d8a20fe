//! The receipt ledger's rules, once for every database: settlement appends each sale's receipt
//! (made from the seller's previous one, so `seq` and `cum` only advance by one sale) at its
//! fixed position in the sparse receipt tree and records every root; a report's batches and a
//! disclosure are read from one snapshot. Each database implements [`ReceiptRows`] (its rows,
//! and the tree's nodes) inside the transaction the caller opened.

use crate::{LedgerError, Result};
use veil_circuits::merkle::sparse::{NodeStore, SparseTree};
use veil_circuits::merkle::MerklePath;
use veil_circuits::statements::totals::{
    leaf_index, next_receipt, report_chain, BatchPublic, BatchWitness, Period, Receipt, Sale,
    TotalsShape, RECEIPT_DEPTH, SEQ_BITS,
};
use veil_circuits::statements::Shape as _;
use veil_circuits::Fr;

/// Default platform fee: 10% (1,000 basis points).
pub const DEFAULT_FEE_BPS: u64 = 1_000;

/// A database's receipt rows inside one transaction; as a [`NodeStore`], the receipt tree's
/// nodes.
pub(crate) trait ReceiptRows: NodeStore<Error = LedgerError> {
    /// The fee rate, basis points.
    fn fee_bps(&mut self) -> Result<u64>;
    /// A seller's newest receipt.
    fn last_receipt(&mut self, seller: u64) -> Result<Option<Receipt>>;
    /// Stores a receipt (its `(seller, seq)` is new).
    fn insert_receipt(&mut self, r: &Receipt) -> Result<()>;
    /// Records a root the tree had.
    fn record_root(&mut self, root: Fr) -> Result<()>;
    /// A seller's receipts, in sequence.
    fn receipts_of(&mut self, seller: u64) -> Result<Vec<Receipt>>;
    /// One receipt.
    fn receipt(&mut self, seller: u64, seq: u64) -> Result<Option<Receipt>>;
}

/// Settles sales in order inside the caller's write transaction (which must exclude other
/// settlements): each receipt made from its seller's previous one and placed in the tree, the
/// final root recorded. Returns the receipts and the new root.
pub(crate) fn settle(rows: &mut impl ReceiptRows, sales: &[Sale]) -> Result<(Vec<Receipt>, Fr)> {
    let bps = rows.fee_bps()?;
    let tree = SparseTree::new(RECEIPT_DEPTH);
    let mut out = Vec::with_capacity(sales.len());
    let mut root = tree.root(rows)?;
    for sale in sales {
        let prev = rows.last_receipt(sale.seller)?;
        let r = next_receipt(prev.as_ref(), sale, bps)?;
        rows.insert_receipt(&r)?;
        root = tree.set_leaf(rows, r.index(), r.note())?;
        out.push(r);
    }
    rows.record_root(root)?;
    Ok((out, root))
}

/// The current receipt-tree root.
pub(crate) fn receipt_root(rows: &mut impl ReceiptRows) -> Result<Fr> {
    SparseTree::new(RECEIPT_DEPTH).root(rows)
}

/// One receipt (for selective disclosure), its path and the current root.
pub(crate) fn disclose(
    rows: &mut impl ReceiptRows,
    seller: u64,
    seq: u64,
) -> Result<(Receipt, MerklePath, Fr)> {
    let r = rows.receipt(seller, seq)?.ok_or_else(|| {
        veil_circuits::Error::InvalidParameter(format!("seller {seller} has no receipt {seq}"))
    })?;
    let tree = SparseTree::new(RECEIPT_DEPTH);
    let path = tree.path(rows, 0, leaf_index(seller, seq))?;
    Ok((r, path, receipt_root(rows)?))
}

/// The chain of batches a report for `seller` over `[t0, t1)` must prove, against the
/// current root ([`report_chain`]), with fresh random blindings. An unknown seller is an
/// error.
pub(crate) fn report_batches(
    rows: &mut impl ReceiptRows,
    shape: &TotalsShape,
    seller: u64,
    t0: u64,
    t1: u64,
    edges: &[u64],
) -> Result<(Period, Vec<(BatchPublic, BatchWitness)>)> {
    shape.validate()?;
    let receipts = rows.receipts_of(seller)?;
    if receipts.is_empty() {
        return Err(veil_circuits::Error::InvalidParameter(format!(
            "unknown seller {seller}: no receipts in the ledger"
        ))
        .into());
    }
    let period = Period {
        root: receipt_root(rows)?,
        seller,
        t0,
        t1,
        bps: rows.fee_bps()?,
        edges: edges.to_vec(),
    };
    let tree = SparseTree::new(RECEIPT_DEPTH);
    let chain = report_chain(
        shape,
        &period,
        &receipts,
        |j| {
            tree.path(
                rows,
                shape.height(),
                (seller << (SEQ_BITS - shape.height())) | j,
            )
        },
        || veil_circuits::field::random(&mut rand::rngs::OsRng),
    )?;
    Ok((period, chain))
}

/// A receipt from its stored text columns (numbers in decimal, field elements in hex), in
/// the order `seller, seq, listing, buyer_tag, amount, fee, time, cum, salt`.
pub(crate) fn receipt_from_text(seller: i64, seq: i64, cols: [&str; 7]) -> Result<Receipt> {
    let num = |s: &str, what: &str| {
        s.parse::<u64>()
            .map_err(|_| LedgerError::Corrupt(format!("receipt {what} {s:?}")))
    };
    let field = |s: &str| crate::fr("receipt field", s);
    Ok(Receipt {
        seller: seller as u64,
        seq: seq as u64,
        listing: field(cols[0])?,
        buyer_tag: field(cols[1])?,
        amount: num(cols[2], "amount")?,
        fee: num(cols[3], "fee")?,
        time: num(cols[4], "time")?,
        cum: num(cols[5], "cum")?,
        salt: field(cols[6])?,
    })
}

/// A receipt's stored text columns, in the order of [`receipt_from_text`] (after seller, seq).
pub(crate) fn receipt_to_text(r: &Receipt) -> [String; 7] {
    use veil_circuits::field::to_hex;
    [
        to_hex(&r.listing),
        to_hex(&r.buyer_tag),
        r.amount.to_string(),
        r.fee.to_string(),
        r.time.to_string(),
        r.cum.to_string(),
        to_hex(&r.salt),
    ]
}
