//! Statement 2, aggregate disclosure totals: a seller's sales over a period (count, amount,
//! fees, per-band counts and sums) from committed sale receipts, revealing no buyer, price or
//! item, and unable to leave a receipt out.
//!
//! **Receipts.** `R = H(RECEIPT, listing, seller, buyer_tag, amount, fee, time, seq, cum, salt)`
//! where `seq` counts the seller's sales from 0 and `cum` is the seller's running total after
//! this sale. Settlement ([`next_receipt`]) makes each receipt from the previous one:
//! `seq + 1`, `cum + amount`, `time` not decreasing, `fee = floor(amount * bps / 10^4)`.
//!
//! **Receipt tree** (depth 32): receipt `seq` of seller `s` is leaf `s * 2^20 + seq` (12 bits of
//! seller, 20 of sequence). Leaves are placed by position, so a seller's receipts are a
//! contiguous run of leaves from its subtree's start, followed by empty leaves (`0`).
//!
//! **Batch** (shape `B` = slots, a power of two; `E` = band edges). Batch `j` covers the aligned
//! slots `seq = jB .. jB + B - 1` of one seller. Public inputs, in order:
//! `root, seller, t0, t1, bps, edge_1..edge_E, j, cum_in, cum_out, present, opens, closes,
//! count, amount, fees, band_count_0..band_count_E, band_sum_0..band_sum_E`.
//! Witness: the `B` leaves, each present receipt's fields, and the `32 - log2 B` siblings from
//! the batch's subtree root to `root`.
//!
//! **Constraints.**
//! 1. The `B` leaves hash (pairwise, `NODE`) to a subtree root on a path to `root` whose
//!    direction bits are the bits of `seller * 2^(20 - log2 B) + j` (`seller < 2^12`,
//!    `j < 2^(20 - log2 B)`): the slots are exactly this seller's `jB .. jB+B-1`.
//! 2. `present_i = (leaf_i != 0)`; a present leaf equals `R` of its fields with `seller` the
//!    public seller and `seq = jB + i`; once a slot is empty, all later ones are.
//! 3. `amount, fee, time, cum < 2^64`; `amount * bps = fee * 10^4 + rem`, `rem < 10^4`; `bps <= 10^4`.
//! 4. Present slots: `cum_i = cum_(i-1) + amount_i` (from `cum_in`), `time_i >= time_(i-1)`;
//!    `cum_out` is the last present slot's `cum` (`cum_in` if none); `present` counts them.
//! 5. `active_i = present_i and t0 <= time_i < t1`; `count, amount, fees` sum the active
//!    slots; band `k` holds amounts in `[edge_k, edge_(k+1))` (`edge_0 = 0`, `edge_(E+1) = inf`).
//! 6. `opens = present_0 and time_0 < t0`; `closes = not present_(B-1) or time_(B-1) >= t1`.
//!
//! **Report** (checked by the verifier, not a circuit): batches `j_0, j_0 + 1, ..., j_n` of one
//! root, seller, period, rate and edges; `cum_out` of each equals `cum_in` of the next; only
//! the last may have `present < B`; the first has `j_0 = 0` (then `cum_in = 0`) or `opens`;
//! the last `closes`. Totals are the sums over batches.

use crate::merkle::MerklePath;
use crate::{poseidon2, tags, Error, Fr, Result};
use ark_ff::Zero;

/// The statement's name.
pub const NAME: &str = "disclosure-totals";
/// Bits of the seller id in a leaf index.
pub const SELLER_BITS: u32 = 12;
/// Bits of the sequence number in a leaf index.
pub const SEQ_BITS: u32 = 20;
/// Depth of the receipt tree.
pub const RECEIPT_DEPTH: u32 = SELLER_BITS + SEQ_BITS;
/// Fee rates are in basis points of this.
pub const BPS_DENOMINATOR: u64 = 10_000;
/// Batch sizes with keys by default.
pub const BATCH_SIZES: [usize; 3] = [16, 64, 256];

/// One sale receipt (the opening of its note).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The listing sold.
    pub listing: Fr,
    /// Seller id (< 2^12).
    pub seller: u64,
    /// The buyer's per-sale tag (a commitment; reveals nothing of the buyer).
    pub buyer_tag: Fr,
    /// Price paid, in the smallest currency unit.
    pub amount: u64,
    /// Platform fee.
    pub fee: u64,
    /// Settlement time (Unix seconds).
    pub time: u64,
    /// The seller's sale number, from 0.
    pub seq: u64,
    /// The seller's running total after this sale.
    pub cum: u64,
    /// Note blinding.
    pub salt: Fr,
}

impl Receipt {
    /// `R = H(RECEIPT, listing, seller, buyer_tag, amount, fee, time, seq, cum, salt)`.
    pub fn note(&self) -> Fr {
        poseidon2::hash(&[
            tags::fr(tags::RECEIPT),
            self.listing,
            Fr::from(self.seller),
            self.buyer_tag,
            Fr::from(self.amount),
            Fr::from(self.fee),
            Fr::from(self.time),
            Fr::from(self.seq),
            Fr::from(self.cum),
            self.salt,
        ])
    }

    /// Leaf index in the receipt tree.
    pub fn index(&self) -> u64 {
        leaf_index(self.seller, self.seq)
    }
}

/// `seller * 2^20 + seq`.
pub fn leaf_index(seller: u64, seq: u64) -> u64 {
    (seller << SEQ_BITS) | seq
}

/// `floor(amount * bps / 10^4)`.
pub fn fee_for(amount: u64, bps: u64) -> u64 {
    ((amount as u128 * bps as u128) / BPS_DENOMINATOR as u128) as u64
}

/// What settlement knows of a sale.
#[derive(Clone, Copy, Debug)]
pub struct Sale {
    /// Listing.
    pub listing: Fr,
    /// Seller id.
    pub seller: u64,
    /// Buyer tag.
    pub buyer_tag: Fr,
    /// Price.
    pub amount: u64,
    /// Time.
    pub time: u64,
    /// Note blinding.
    pub salt: Fr,
}

/// Settlement's rule: the next receipt of a seller from its previous one (`None` for the
/// first sale). Refuses a zero amount, time going backwards, a seller id or sequence out of
/// range, and a running total past `2^64 - 1`.
pub fn next_receipt(prev: Option<&Receipt>, sale: &Sale, bps: u64) -> Result<Receipt> {
    let bad = |m: String| Err(Error::InvalidParameter(m));
    if sale.seller >> SELLER_BITS != 0 {
        return bad(format!(
            "seller id {} is not below 2^{SELLER_BITS}",
            sale.seller
        ));
    }
    if bps > BPS_DENOMINATOR {
        return bad(format!("fee rate {bps} bps is above 100%"));
    }
    if sale.amount == 0 {
        return bad("a sale of amount 0".into());
    }
    let (seq, cum) = match prev {
        None => (0, sale.amount),
        Some(p) => {
            if p.seller != sale.seller {
                return bad(format!(
                    "previous receipt is seller {}'s, not {}'s",
                    p.seller, sale.seller
                ));
            }
            if sale.time < p.time {
                return bad(format!(
                    "time {} is before the previous sale's {}",
                    sale.time, p.time
                ));
            }
            let cum = p.cum.checked_add(sale.amount);
            match cum {
                Some(c) => (p.seq + 1, c),
                None => {
                    return bad(format!(
                        "running total overflows: {} + {}",
                        p.cum, sale.amount
                    ))
                }
            }
        }
    };
    if seq >> SEQ_BITS != 0 {
        return bad(format!(
            "seller {} has 2^{SEQ_BITS} receipts already",
            sale.seller
        ));
    }
    Ok(Receipt {
        listing: sale.listing,
        seller: sale.seller,
        buyer_tag: sale.buyer_tag,
        amount: sale.amount,
        fee: fee_for(sale.amount, bps),
        time: sale.time,
        seq,
        cum,
        salt: sale.salt,
    })
}

/// A batch circuit's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TotalsShape {
    /// Slots per batch (a power of two, at most 2^20).
    pub batch: usize,
    /// Number of band edges.
    pub edges: usize,
}

impl TotalsShape {
    /// `log2 B`.
    pub fn height(&self) -> u32 {
        self.batch.trailing_zeros()
    }
    /// Checks `B` is a power of two in `1..=2^20` and `E <= 16`.
    pub fn validate(&self) -> Result<()> {
        if !self.batch.is_power_of_two() || self.height() > SEQ_BITS || self.edges > 16 {
            return Err(Error::InvalidParameter(format!(
                "batch {} must be a power of two up to 2^20, edges {} at most 16",
                self.batch, self.edges
            )));
        }
        Ok(())
    }
    /// Key id, e.g. `disclosure-totals-b64-e3`.
    pub fn id(&self) -> String {
        format!("{NAME}-b{}-e{}", self.batch, self.edges)
    }
}

/// The report's fixed parameters.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// Receipt-tree root.
    #[serde(with = "crate::field::serde_hex")]
    pub root: Fr,
    /// Seller.
    pub seller: u64,
    /// Start (inclusive).
    pub t0: u64,
    /// End (exclusive).
    pub t1: u64,
    /// Fee rate.
    pub bps: u64,
    /// Band edges.
    pub edges: Vec<u64>,
}

/// What a batch says publicly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchPublic {
    /// Root, seller, period, rate and band edges.
    pub period: Period,
    /// Batch index `j`.
    pub batch: u64,
    /// Running total before the batch.
    pub cum_in: u64,
    /// Running total after its last receipt.
    pub cum_out: u64,
    /// Receipts present in the batch.
    pub present: u64,
    /// Slot 0 is present and before the period.
    pub opens: bool,
    /// The last slot is empty or after the period.
    pub closes: bool,
    /// Receipts in the period.
    pub count: u64,
    /// Their total amount.
    pub amount: u128,
    /// Their total fees.
    pub fees: u128,
    /// Per band: count.
    pub band_counts: Vec<u64>,
    /// Per band: amount.
    pub band_sums: Vec<u128>,
}

impl BatchPublic {
    /// A batch with no receipts yet: zero outputs, `cum_out = cum_in`, `closes`.
    pub fn empty(period: Period, batch: u64, cum_in: u64) -> Self {
        let bands = period.edges.len() + 1;
        BatchPublic {
            period,
            batch,
            cum_in,
            cum_out: cum_in,
            present: 0,
            opens: false,
            closes: true,
            count: 0,
            amount: 0,
            fees: 0,
            band_counts: vec![0; bands],
            band_sums: vec![0; bands],
        }
    }

    /// In circuit order.
    pub fn to_field_elements(&self) -> Vec<Fr> {
        let mut v = vec![
            self.period.root,
            Fr::from(self.period.seller),
            Fr::from(self.period.t0),
            Fr::from(self.period.t1),
            Fr::from(self.period.bps),
        ];
        v.extend(self.period.edges.iter().map(|&e| Fr::from(e)));
        v.extend(
            [
                self.batch,
                self.cum_in,
                self.cum_out,
                self.present,
                self.opens as u64,
                self.closes as u64,
                self.count,
            ]
            .map(Fr::from),
        );
        v.push(Fr::from(self.amount));
        v.push(Fr::from(self.fees));
        v.extend(self.band_counts.iter().map(|&c| Fr::from(c)));
        v.extend(self.band_sums.iter().map(|&s| Fr::from(s)));
        v
    }

    /// Number of public inputs for `edges` band edges.
    pub fn len_for(edges: usize) -> usize {
        5 + edges + 9 + 2 * (edges + 1)
    }
}

/// A batch's witness: the slots (`None` = empty leaf) and the batch subtree's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchWitness {
    /// Slot contents, `B` of them.
    pub slots: Vec<Option<Receipt>>,
    /// Path from the batch subtree root (at height `log2 B`) to the root.
    pub path: MerklePath,
}

/// The band of `amount` given increasing `edges`.
pub fn band_of(amount: u64, edges: &[u64]) -> usize {
    edges.iter().take_while(|&&e| amount >= e).count()
}

/// Computes a batch's public outputs from its slots (no checks).
pub fn batch_outputs(base: &BatchPublic, w: &BatchWitness) -> BatchPublic {
    let mut p = BatchPublic::empty(base.period.clone(), base.batch, base.cum_in);
    for r in w.slots.iter().flatten() {
        p.present += 1;
        p.cum_out = r.cum;
        if base.period.t0 <= r.time && r.time < base.period.t1 {
            p.count += 1;
            p.amount += r.amount as u128;
            p.fees += r.fee as u128;
            let b = band_of(r.amount, &base.period.edges);
            p.band_counts[b] += 1;
            p.band_sums[b] += r.amount as u128;
        }
    }
    let first = w.slots.first().copied().flatten();
    let last = w.slots.last().copied().flatten();
    p.opens = first.is_some_and(|r| r.time < base.period.t0);
    p.closes = last.is_none_or(|r| r.time >= base.period.t1);
    p
}

/// The subtree root of a batch's slots.
pub fn batch_root(slots: &[Option<Receipt>]) -> Fr {
    let mut level: Vec<Fr> = slots
        .iter()
        .map(|s| s.map(|r| r.note()).unwrap_or_else(Fr::zero))
        .collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| crate::merkle::hash_node(p[0], p[1]))
            .collect();
    }
    level[0]
}

/// The native batch relation.
pub fn check_batch(shape: &TotalsShape, p: &BatchPublic, w: &BatchWitness) -> Result<()> {
    shape.validate()?;
    let fail = |m: String| Err(Error::Unsatisfied(m));
    let b = shape.batch as u64;
    if w.slots.len() != shape.batch || p.period.edges.len() != shape.edges {
        return fail("wrong number of slots or edges".into());
    }
    if p.period.seller >> SELLER_BITS != 0
        || p.batch >> (SEQ_BITS - shape.height()) != 0
        || p.period.bps > BPS_DENOMINATOR
    {
        return fail("seller, batch index or rate out of range".into());
    }
    if w.path.index != (p.period.seller << (SEQ_BITS - shape.height())) | p.batch
        || w.path.siblings.len() != (RECEIPT_DEPTH - shape.height()) as usize
        || w.path.root(batch_root(&w.slots)) != p.period.root
    {
        return fail("the batch is not this seller's slots under the root".into());
    }
    let mut prev: Option<&Receipt> = None;
    let mut cum = p.cum_in;
    for (i, slot) in w.slots.iter().enumerate() {
        if let Some(r) = slot {
            {
                if i > 0 && w.slots[i - 1].is_none() {
                    return fail(format!("slot {i} follows an empty slot"));
                }
                if r.seller != p.period.seller || r.seq != p.batch * b + i as u64 {
                    return fail(format!(
                        "slot {i} is not receipt {} of seller {}",
                        p.batch * b + i as u64,
                        p.period.seller
                    ));
                }
                if r.fee != fee_for(r.amount, p.period.bps) {
                    return fail(format!("slot {i}: fee is not floor(amount * bps / 10^4)"));
                }
                if Some(r.cum) != cum.checked_add(r.amount) {
                    return fail(format!("slot {i}: running total does not chain"));
                }
                if prev.is_some_and(|q| r.time < q.time) {
                    return fail(format!("slot {i}: time goes backwards"));
                }
                cum = r.cum;
                prev = Some(r);
            }
        }
    }
    let expect = batch_outputs(p, w);
    if &expect != p {
        return fail("the batch's outputs are not its receipts' totals".into());
    }
    Ok(())
}

/// Builds batch `j`'s public inputs and witness from the seller's receipts in its slots
/// (`slots[i]` is receipt `jB + i`, or `None`) and the path of its subtree; `cum_in` is the
/// running total before the batch (the previous receipt's `cum`, or 0).
pub fn build_batch(
    shape: &TotalsShape,
    period: &Period,
    batch: u64,
    cum_in: u64,
    slots: Vec<Option<Receipt>>,
    path: MerklePath,
) -> Result<(BatchPublic, BatchWitness)> {
    let base = BatchPublic::empty(period.clone(), batch, cum_in);
    let w = BatchWitness { slots, path };
    let p = batch_outputs(&base, &w);
    check_batch(shape, &p, &w)?;
    Ok((p, w))
}

#[cfg(feature = "r1cs")]
mod circuit;
#[cfg(feature = "r1cs")]
pub use circuit::TotalsCircuit;

#[cfg(test)]
mod tests;
