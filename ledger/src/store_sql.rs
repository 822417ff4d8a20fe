//! The [`Store`] written once over any [`Db`]: licences, metered calls, usage commitments and
//! receipts, as SQL both databases run. What must change in order is serialised by the
//! database's locks ([`Db::lock`]: nothing more in SQLite, whose write transaction excludes every
//! other; a transaction-scoped advisory lock in PostgreSQL): the licence tree, the receipt tree
//! (so a seller's next receipt number is allocated once, whoever settles), and each listing's
//! epoch (its calls are numbered densely and none lands after its commitment). No transaction
//! takes two of them, so none can deadlock. A nullifier's unique key decides between concurrent
//! calls: exactly one insert wins. Reads that must agree run in one snapshot.

use crate::receipts::{self, receipt_from_text, receipt_to_text, ReceiptRows};
use crate::sql::{self, all, one, Arg, Columns, Db, Tx};
use crate::store::{CallRecord, EpochUsage, Store};
use crate::{fr, LedgerError, Result};
use veil_circuits::field::to_hex;
use veil_circuits::merkle::sparse::{NodeStore, SparseTree};
use veil_circuits::merkle::MerklePath;
use veil_circuits::statements::totals::{
    BatchPublic, BatchWitness, Period, Receipt, Sale, TotalsShape,
};
use veil_circuits::statements::usage::{usage_commitment, CallsTree};
use veil_circuits::Fr;
use Arg::{Int, Text};

const LICENCE_LOCK: &str = "veil:licences";
const RECEIPT_LOCK: &str = "veil:receipts";

fn epoch_lock(listing: Fr, epoch: u64) -> String {
    format!("veil:epoch:{}:{epoch}", to_hex(&listing))
}

/// Which tree a node table holds.
#[derive(Clone, Copy)]
enum Tree {
    Licences,
    Receipts,
}

/// A tree's nodes (and, for the receipt tree, the receipt rows) in one transaction.
struct Rows<'a> {
    tx: &'a mut dyn Tx,
    tree: Tree,
}

impl<'a> Rows<'a> {
    fn licences(tx: &'a mut dyn Tx) -> Self {
        Rows {
            tx,
            tree: Tree::Licences,
        }
    }
    fn receipts(tx: &'a mut dyn Tx) -> Self {
        Rows {
            tx,
            tree: Tree::Receipts,
        }
    }
}

impl NodeStore for Rows<'_> {
    type Error = LedgerError;
    fn get(&mut self, height: u32, index: u64) -> Result<Option<Fr>> {
        let sql = match self.tree {
            Tree::Licences => "SELECT value FROM licence_nodes WHERE height = $1 AND idx = $2",
            Tree::Receipts => "SELECT value FROM receipt_nodes WHERE height = $1 AND idx = $2",
        };
        let at = [Int(height.into()), Int(index as i64)];
        one(self.tx, sql, &at, |r| fr("tree node", &r.text(0)?))
    }
    fn set(&mut self, height: u32, index: u64, value: Fr) -> Result<()> {
        let sql = match self.tree {
            Tree::Licences => {
                "INSERT INTO licence_nodes (height, idx, value) VALUES ($1, $2, $3)
                 ON CONFLICT (height, idx) DO UPDATE SET value = excluded.value"
            }
            Tree::Receipts => {
                "INSERT INTO receipt_nodes (height, idx, value) VALUES ($1, $2, $3)
                 ON CONFLICT (height, idx) DO UPDATE SET value = excluded.value"
            }
        };
        let value = to_hex(&value);
        let row = [Int(height.into()), Int(index as i64), Text(&value)];
        self.tx.run(sql, &row).map(drop)
    }
}

fn receipt_of(r: &dyn Columns) -> Result<Receipt> {
    let cols: Vec<String> = (2..9).map(|i| r.text(i)).collect::<Result<_>>()?;
    let cols: [&str; 7] = std::array::from_fn(|i| cols[i].as_str());
    receipt_from_text(r.int(0)?, r.int(1)?, cols)
}

impl ReceiptRows for Rows<'_> {
    fn fee_bps(&mut self) -> Result<u64> {
        fee_bps(self.tx)
    }
    fn last_receipt(&mut self, seller: u64) -> Result<Option<Receipt>> {
        let sql = format!(
            "{} WHERE seller = $1 ORDER BY seq DESC LIMIT 1",
            sql::SELECT_RECEIPT
        );
        one(self.tx, &sql, &[Int(seller as i64)], receipt_of)
    }
    fn insert_receipt(&mut self, r: &Receipt) -> Result<()> {
        let text = receipt_to_text(r);
        let mut row = vec![Int(r.seller as i64), Int(r.seq as i64)];
        row.extend(text.iter().map(|t| Text(t)));
        self.tx.run(sql::INSERT_RECEIPT, &row).map(drop)
    }
    fn record_root(&mut self, root: Fr) -> Result<()> {
        let root = to_hex(&root);
        self.tx
            .run(sql::INSERT_RECEIPT_ROOT, &[Text(&root)])
            .map(drop)
    }
    fn receipts_of(&mut self, seller: u64) -> Result<Vec<Receipt>> {
        let sql = format!("{} WHERE seller = $1 ORDER BY seq", sql::SELECT_RECEIPT);
        all(self.tx, &sql, &[Int(seller as i64)], receipt_of)
    }
    fn receipt(&mut self, seller: u64, seq: u64) -> Result<Option<Receipt>> {
        let sql = format!("{} WHERE seller = $1 AND seq = $2", sql::SELECT_RECEIPT);
        let at = [Int(seller as i64), Int(seq as i64)];
        one(self.tx, &sql, &at, receipt_of)
    }
}

/// The fee rate from `meta`.
fn fee_bps(tx: &mut dyn Tx) -> Result<u64> {
    let v = one(tx, sql::META, &[Text("fee_bps")], |r| r.text(0))?
        .ok_or_else(|| LedgerError::Corrupt("no fee_bps".into()))?;
    v.parse()
        .map_err(|_| LedgerError::Corrupt(format!("fee_bps {v:?}")))
}

fn count(tx: &mut dyn Tx, sql: &str, args: &[Arg]) -> Result<u64> {
    Ok(one(tx, sql, args, |r| r.int(0))?.unwrap_or(0) as u64)
}

fn recent_roots(tx: &mut dyn Tx, n: usize) -> Result<Vec<Fr>> {
    all(tx, sql::RECENT_ROOTS, &[Int(n as i64)], |r| {
        fr("licence root", &r.text(0)?)
    })
}

fn calls_of(tx: &mut dyn Tx, listing: Fr, epoch: u64) -> Result<Vec<Fr>> {
    let listing = to_hex(&listing);
    let at = [Text(&listing), Int(epoch as i64)];
    all(tx, sql::CALLS, &at, |r| fr("nullifier", &r.text(0)?))
}

fn usage_of(tx: &mut dyn Tx, listing: Fr, epoch: u64) -> Result<Option<EpochUsage>> {
    let listing = to_hex(&listing);
    let at = [Text(&listing), Int(epoch as i64)];
    one(tx, sql::USAGE, &at, |r| {
        Ok(EpochUsage {
            calls: r.int(0)? as u64,
            calls_root: fr("calls root", &r.text(1)?)?,
            salt: fr("usage salt", &r.text(2)?)?,
            usage: fr("usage commitment", &r.text(3)?)?,
        })
    })
}

/// Records this build's schema version and the ledger's fee rate and licence depth (checking a
/// `wanted` depth against a stored one), in the caller's write transaction, after the tables
/// were made and an older version checked. `place` names the ledger in errors.
pub(crate) fn init_meta(tx: &mut dyn Tx, wanted: Option<u32>, place: &str) -> Result<u32> {
    let version = sql::SCHEMA_VERSION.to_string();
    let stored = one(tx, sql::META, &[Text("schema_version")], |r| r.text(0))?;
    if stored.as_deref() != Some(version.as_str()) {
        receipts_before_v4(tx, stored.as_deref(), place)?;
    }
    tx.run(sql::SET_VERSION, &[Text(&version)])?;
    let bps = crate::DEFAULT_FEE_BPS.to_string();
    tx.run(sql::SET_META_ONCE, &[Text("fee_bps"), Text(&bps)])?;
    let stored = one(tx, sql::META, &[Text("licence_depth")], |r| r.text(0))?;
    let depth = crate::licence_depth(stored.as_deref(), wanted, place)?;
    let d = depth.to_string();
    tx.run(sql::SET_META_ONCE, &[Text("licence_depth"), Text(&d)])?;
    Ok(depth)
}

/// Ledgers before schema version 4 noted receipts in the ten-field encoding of protocol
/// version 2; version 4 holds the packed notes of version 3, so a receipt's leaf (and every
/// root) would change under it. A ledger without receipts is upgraded (its empty receipt tree
/// dropped); one with receipts is refused, whole, with what to do.
fn receipts_before_v4(tx: &mut dyn Tx, stored: Option<&str>, place: &str) -> Result<()> {
    let receipts = count(tx, sql::COUNT_RECEIPTS, &[])?;
    if receipts > 0 {
        return Err(LedgerError::Corrupt(format!(
            "{place} has ledger schema version {} with {receipts} sale receipts noted in the \
             receipt encoding of protocol version 2; this build notes receipts in version 3 \
             (docs/protocol.md), under which their tree root would change: audit them with the \
             Veil that wrote the ledger, and settle new sales in a new ledger",
            stored.unwrap_or("1")
        )));
    }
    tx.run(sql::CLEAR_RECEIPT_NODES, &[])?;
    tx.run(sql::CLEAR_RECEIPT_ROOTS, &[])?;
    Ok(())
}

impl<D: Db> Store for D {
    fn licence_depth(&self) -> u32 {
        self.depth()
    }

    fn issue_licence(&self, note: Fr) -> Result<(u64, Fr)> {
        let depth = self.depth();
        self.write(&mut |tx| {
            self.lock(tx, LICENCE_LOCK)?;
            let n = count(tx, sql::COUNT_LICENCES, &[])?;
            if n >> depth != 0 {
                return Err(veil_circuits::Error::TooManyRecords { depth }.into());
            }
            let hex = to_hex(&note);
            tx.run(sql::INSERT_LICENCE, &[Int(n as i64), Text(&hex)])?;
            let root = SparseTree::new(depth).set_leaf(&mut Rows::licences(tx), n, note)?;
            let root_hex = to_hex(&root);
            tx.run(
                sql::INSERT_LICENCE_ROOT,
                &[Text(&root_hex), Int(n as i64 + 1)],
            )?;
            Ok((n, root))
        })
    }

    fn licence_path(&self, index: u64) -> Result<(Fr, MerklePath)> {
        let depth = self.depth();
        self.snapshot(&mut |tx| {
            let n = count(tx, sql::COUNT_LICENCES, &[])?;
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
        self.read(&mut |tx| recent_roots(tx, n))
    }

    fn accept_call(&self, call: &CallRecord, accepted_roots: usize) -> Result<u64> {
        let c = *call;
        let (listing, nullifier, request) =
            (to_hex(&c.listing), to_hex(&c.nullifier), to_hex(&c.request));
        self.write(&mut |tx| {
            if !recent_roots(tx, accepted_roots)?.contains(&c.licence_root) {
                return Err(LedgerError::UnknownRoot(to_hex(&c.licence_root)));
            }
            self.lock(tx, &epoch_lock(c.listing, c.epoch))?;
            if usage_of(tx, c.listing, c.epoch)?.is_some() {
                return Err(LedgerError::EpochClosed { epoch: c.epoch });
            }
            let epoch = Int(c.epoch as i64);
            let pos = count(tx, sql::NEXT_POSITION, &[Text(&listing), epoch])?;
            let row = [
                epoch,
                Text(&nullifier),
                Text(&request),
                Text(&listing),
                Int(pos as i64),
            ];
            if tx.run(sql::INSERT_CALL, &row)? == 0 {
                return Err(LedgerError::Replay {
                    epoch: c.epoch,
                    nullifier: nullifier.clone(),
                });
            }
            Ok(pos)
        })
    }

    fn calls(&self, listing: Fr, epoch: u64) -> Result<Vec<Fr>> {
        self.read(&mut |tx| calls_of(tx, listing, epoch))
    }

    fn close_epoch(&self, listing: Fr, epoch: u64, salt: Fr) -> Result<EpochUsage> {
        self.write(&mut |tx| {
            self.lock(tx, &epoch_lock(listing, epoch))?;
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
            let hex = [listing, u.calls_root, u.salt, u.usage].map(|f| to_hex(&f));
            let row = [
                Text(&hex[0]),
                Int(epoch as i64),
                Int(u.calls as i64),
                Text(&hex[1]),
                Text(&hex[2]),
                Text(&hex[3]),
            ];
            tx.run(sql::INSERT_USAGE, &row)?;
            Ok(u)
        })
    }

    fn epoch_usage(&self, listing: Fr, epoch: u64) -> Result<Option<EpochUsage>> {
        self.read(&mut |tx| usage_of(tx, listing, epoch))
    }

    fn fee_bps(&self) -> Result<u64> {
        self.read(&mut |tx| fee_bps(tx))
    }

    fn settle(&self, sales: &[Sale]) -> Result<(Vec<Receipt>, Fr)> {
        self.write(&mut |tx| {
            self.lock(tx, RECEIPT_LOCK)?;
            receipts::settle(&mut Rows::receipts(tx), sales)
        })
    }

    fn receipt_root(&self) -> Result<Fr> {
        self.snapshot(&mut |tx| receipts::receipt_root(&mut Rows::receipts(tx)))
    }

    fn is_receipt_root(&self, root: Fr) -> Result<bool> {
        let root = to_hex(&root);
        self.read(&mut |tx| Ok(count(tx, sql::IS_RECEIPT_ROOT, &[Text(&root)])? > 0))
    }

    fn sellers(&self) -> Result<Vec<u64>> {
        self.read(&mut |tx| all(tx, sql::SELLERS, &[], |r| Ok(r.int(0)? as u64)))
    }

    fn receipts_of(&self, seller: u64) -> Result<Vec<Receipt>> {
        self.snapshot(&mut |tx| Rows::receipts(tx).receipts_of(seller))
    }

    fn disclose(&self, seller: u64, seq: u64) -> Result<(Receipt, MerklePath, Fr)> {
        self.snapshot(&mut |tx| receipts::disclose(&mut Rows::receipts(tx), seller, seq))
    }

    fn report_batches(
        &self,
        shape: &TotalsShape,
        seller: u64,
        t0: u64,
        t1: u64,
        edges: &[u64],
    ) -> Result<(Period, Vec<(BatchPublic, BatchWitness)>)> {
        self.snapshot(&mut |tx| {
            let mut rows = Rows::receipts(tx);
            receipts::report_batches(&mut rows, shape, seller, t0, t1, edges)
        })
    }
}
