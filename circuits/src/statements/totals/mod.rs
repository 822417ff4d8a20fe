//! Statement 2, aggregate disclosure totals: a seller's sales over a period (count, amount,
//! fees, per-band counts and sums) from committed sale receipts, revealing no buyer, price or
//! item, and unable to leave a receipt out.
//!
//! **Receipts** (protocol version 3). `R = H(RECEIPT, listing, buyer_tag, a, b, salt)` with the
//! numbers packed two words to an element, `a = amount + 2^64 fee + 2^128 time` and
//! `b = cum + 2^64 seq + 2^84 seller` (all `< 2^64`, `seq < 2^20`, `seller < 2^12`, so the packing
//! is injective): two permutations where the ten-field note of version 2 took four. `seq`
//! counts the seller's sales from 0 and `cum` is the seller's running total after this sale. Settlement ([`next_receipt`]) makes each receipt from the previous one:
//! `seq + 1`, `cum + amount`, `time` not decreasing, `fee = floor(amount * bps / 10^4)`.
//!
//! **Receipt tree** (depth 32): receipt `seq` of seller `s` is leaf `s * 2^20 + seq` (12 bits of
//! seller, 20 of sequence). Leaves are placed by position, so a seller's receipts are a
//! contiguous run of leaves from its subtree's start, followed by empty leaves (`0`).
//!
//! **Batch** (shape `B` = slots, a power of two; `E` = band edges). Batch `j` covers the aligned
//! slots `seq = jB .. jB + B - 1` of one seller. A report is a chain of batches `j_0 .. j_n`
//! linked by blinded commitments to the *chain state* (next batch index, the seller's running
//! total, the period's totals so far):
//! `S = H(CHAIN, next, cum, count, amount, fees, band_counts.., band_sums.., blind)`.
//! Public inputs, in order: `root, seller, t0, t1, bps, edge_1..edge_E, first, last, c_in,
//! c_out, count, amount, fees, band_count_0..band_count_E, band_sum_0..band_sum_E`.
//! Witness: `j`, the incoming state's opening, the outgoing blinding, the `B` leaves, each
//! present receipt's fields, and the `32 - log2 B` siblings from the batch's subtree root up.
//!
//! **Constraints.**
//! 1. The `B` leaves hash (pairwise, `NODE`) to a subtree root on a path to `root` whose
//!    direction bits are the bits of `seller * 2^(20 - log2 B) + j` (`seller < 2^12`,
//!    `j < 2^(20 - log2 B)`): the slots are exactly this seller's `jB .. jB+B-1`.
//! 2. `first`, `last` are bits. If `first`: `c_in = 0`, the incoming totals are zero, and
//!    `j = 0` or slot 0 holds a receipt before `t0`. Otherwise `c_in = S(j, cum_in, totals_in,
//!    blind_in)`. If `j = 0`: `cum_in = 0`.
//! 3. `present_i = (leaf_i != 0)`; a present leaf equals `R` of its fields with `seller` the
//!    public seller and `seq = jB + i`; once a slot is empty, all later ones are.
//! 4. `amount, fee < 2^64`; `amount * bps = fee * 10^4 + rem`, `rem < 10^4`; `bps <= 10^4`;
//!    `t0, t1`, edges `< 2^64`.
//! 5. `cum_i = present_i (cum_(i-1) + amount_i)` (from `cum_in`) and `time_i - present_i
//!    time_(i-1) < 2^64` (from 0): times never decrease and stay below `2^72`, so `a` stays
//!    injective; `seq` and `seller` are fixed, so `b` fixes `cum`. (Neither needs its own
//!    range check; settlement keeps both below `2^64`.)
//! 6. `active_i = present_i and t0 <= time_i < t1`; the outgoing totals are the incoming ones
//!    plus the active slots (band `k` holds amounts in `[edge_k, edge_(k+1))`). "Before `t0`"
//!    and "before `t1`" are flag bits the prover claims, set on a prefix of the receipts; the
//!    last flagged time is below the bound and, when receipts remain, the first unflagged one
//!    is not: with times in order, the flags are the comparisons (five constraints a slot
//!    instead of a 66-constraint comparison). With three or
//!    more edges, the edges increase strictly and each slot's band is named by one-hot bits
//!    checked by two range checks (`edge_k <= amount`, `amount < edge_(k+1)`); with fewer, it
//!    is computed by one comparison per edge.
//! 7. If `last`: slot `B-1` is empty or at/after `t1`, `c_out = 0`, and the public totals are
//!    the outgoing totals. Otherwise: slot `B-1` is present (the batch is full), `c_out =
//!    S(j + 1, cum_out, totals_out, blind_out)`, and the public totals are zero.
//!
//! **Report** (checked by the verifier): every batch has the report's root, seller, period,
//! rate and edges; batch `k` of `n` has `first = (k = 0)`, `last = (k = n - 1)` and `c_in` equal
//! to the previous batch's `c_out`. The report's totals are the last batch's.

use crate::merkle::MerklePath;
use crate::statements::Shape as _;
use crate::{poseidon2, tags, Error, Fr, Result};
use ark_ff::Zero;

/// The statement's name.
pub const NAME: &str = "disclosure-totals";
/// Its Noir twin's package (the name with `_`).
pub const PROGRAM: &str = "disclosure_totals";
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

/// One sale receipt (the opening of its note); in files, every field by name, field elements
/// as canonical hex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// The listing sold.
    #[serde(with = "crate::field::serde_hex")]
    pub listing: Fr,
    /// Seller id (< 2^12).
    pub seller: u64,
    /// The buyer's per-sale tag (a commitment; reveals nothing of the buyer).
    #[serde(with = "crate::field::serde_hex")]
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
    #[serde(with = "crate::field::serde_hex")]
    pub salt: Fr,
}

impl Receipt {
    /// `R = H(RECEIPT, listing, buyer_tag, a, b, salt)` with `a`, `b` the packed numbers
    /// ([`Receipt::packed`]).
    pub fn note(&self) -> Fr {
        let [a, b] = self.packed();
        poseidon2::hash(&[
            tags::fr(tags::RECEIPT),
            self.listing,
            self.buyer_tag,
            a,
            b,
            self.salt,
        ])
    }

    /// Protocol version 2's note, `H(RECEIPT, listing, seller, buyer_tag, amount, fee, time,
    /// seq, cum, salt)`: only to check receipt openings written before version 3.
    pub fn note_v2(&self) -> Fr {
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

    /// The numbers of the note, two 64-bit words and less to an element:
    /// `a = amount + 2^64 fee + 2^128 time`, `b = cum + 2^64 seq + 2^84 seller`. Injective on
    /// receipts settlement can make (`seq < 2^20`, `seller < 2^12`).
    pub fn packed(&self) -> [Fr; 2] {
        let word = |w: u64, shift: u32| Fr::from(w) * pow2(shift);
        [
            word(self.amount, 0) + word(self.fee, 64) + word(self.time, 128),
            word(self.cum, 0) + word(self.seq, 64) + word(self.seller, 64 + SEQ_BITS),
        ]
    }

    /// Leaf index in the receipt tree.
    pub fn index(&self) -> u64 {
        leaf_index(self.seller, self.seq)
    }
}

/// `2^shift` in the field.
pub(crate) fn pow2(shift: u32) -> Fr {
    use ark_ff::Field;
    Fr::from(2u64).pow([u64::from(shift)])
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

impl Sale {
    /// Random sales for simulations, tests and benchmarks: `n` sales over sellers
    /// `0..sellers`, one a minute from `start`, amounts spread over three price ranges (under
    /// 10, under 100, and up to 10,000 units of 100).
    pub fn simulated<R: ark_std::rand::Rng>(
        rng: &mut R,
        n: u64,
        sellers: u64,
        start: u64,
    ) -> Vec<Sale> {
        (0..n)
            .map(|i| Sale {
                listing: Fr::from(rng.gen_range(0..100u64)),
                seller: rng.gen_range(0..sellers.max(1)),
                buyer_tag: Fr::from(rng.gen::<u128>()),
                amount: match rng.gen_range(0..3) {
                    0 => rng.gen_range(1..1_000u64),
                    1 => rng.gen_range(1_000..10_000),
                    _ => rng.gen_range(10_000..1_000_000),
                },
                time: start + 60 * i,
                salt: Fr::from(rng.gen::<u128>()),
            })
            .collect()
    }
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
}

impl crate::statements::Shape for TotalsShape {
    /// Key id, e.g. `disclosure-totals-b64-e3`.
    fn id(&self) -> String {
        format!("{NAME}-b{}-e{}", self.batch, self.edges)
    }

    /// Checks `B` is a power of two in `1..=2^20` and `E <= 16`.
    fn validate(&self) -> Result<()> {
        if !self.batch.is_power_of_two() || self.height() > SEQ_BITS || self.edges > 16 {
            return Err(Error::InvalidParameter(format!(
                "batch {} must be a power of two up to 2^20, edges {} at most 16",
                self.batch, self.edges
            )));
        }
        Ok(())
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

impl Period {
    /// A period's bounds as a report needs them, each failure named: `t0 <= t1`, as many band
    /// edges as the shape has, strictly increasing.
    pub fn check_bounds(&self, shape: &TotalsShape) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidParameter(m));
        if self.t0 > self.t1 {
            return bad(format!(
                "the period ends (t1 = {}) before it starts (t0 = {})",
                self.t1, self.t0
            ));
        }
        if self.edges.len() != shape.edges {
            return bad(format!(
                "{} band edges given ({:?}); the keys are for {}",
                self.edges.len(),
                self.edges,
                shape.edges
            ));
        }
        if let Some(w) = self.edges.windows(2).find(|w| w[0] >= w[1]) {
            return bad(format!(
                "band edges must increase strictly: {} is followed by {} in {:?}",
                w[0], w[1], self.edges
            ));
        }
        Ok(())
    }
}

/// The period's totals: what an auditor learns, and (blinded) what one batch hands the next.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PeriodTotals {
    /// Receipts in the period.
    pub count: u64,
    /// Their total amount.
    pub amount: u128,
    /// Their total fees.
    pub fees: u128,
    /// Per band (`[0, e1), [e1, e2), ..., [eE, inf)`): count.
    pub band_counts: Vec<u64>,
    /// Per band: amount.
    pub band_sums: Vec<u128>,
}

impl PeriodTotals {
    /// Zero totals over `edges + 1` bands.
    pub fn zero(edges: usize) -> Self {
        PeriodTotals {
            band_counts: vec![0; edges + 1],
            band_sums: vec![0; edges + 1],
            ..Default::default()
        }
    }

    /// `count, amount, fees, band_counts.., band_sums..` as field elements.
    pub fn to_field_elements(&self) -> Vec<Fr> {
        let mut v = vec![
            Fr::from(self.count),
            Fr::from(self.amount),
            Fr::from(self.fees),
        ];
        v.extend(self.band_counts.iter().map(|&c| Fr::from(c)));
        v.extend(self.band_sums.iter().map(|&s| Fr::from(s)));
        v
    }

    /// Adds a receipt in band `band`.
    fn add(&mut self, r: &Receipt, band: usize) {
        self.count += 1;
        self.amount += r.amount as u128;
        self.fees += r.fee as u128;
        self.band_counts[band] += 1;
        self.band_sums[band] += r.amount as u128;
    }
}

/// What one batch hands the next, hidden in the commitment
/// `S = H(CHAIN, next, cum, count, amount, fees, band_counts.., band_sums.., blind)`:
/// the next batch's index, the seller's running total, and the period's totals so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainState {
    /// Index of the batch that continues the chain.
    pub next: u64,
    /// The seller's running total after the last receipt so far.
    pub cum: u64,
    /// The period's totals so far.
    pub totals: PeriodTotals,
    /// Blinding, fresh per link.
    pub blind: Fr,
}

impl ChainState {
    /// The commitment `S`.
    pub fn commitment(&self) -> Fr {
        let mut v = vec![
            tags::fr(tags::CHAIN),
            Fr::from(self.next),
            Fr::from(self.cum),
        ];
        v.extend(self.totals.to_field_elements());
        v.push(self.blind);
        poseidon2::hash(&v)
    }
}

/// What a batch says publicly. Only the last batch of a report carries totals, and they are
/// the whole period's; batches are linked by blinded commitments, so an auditor learns no
/// running total and no per-batch sum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchPublic {
    /// Root, seller, period, rate and band edges.
    pub period: Period,
    /// The report's first batch (the chain starts from zero totals).
    pub first: bool,
    /// The report's last batch (its totals are the period's).
    pub last: bool,
    /// The previous batch's `c_out`; `0` for the first batch.
    pub c_in: Fr,
    /// The commitment to the state after this batch; `0` for the last batch.
    pub c_out: Fr,
    /// The period's totals when `last`, zero otherwise.
    pub totals: PeriodTotals,
}

impl BatchPublic {
    /// Number of public inputs for `edges` band edges.
    pub fn len_for(edges: usize) -> usize {
        5 + edges + 4 + 3 + 2 * (edges + 1)
    }
}

impl crate::statements::PublicInputs for BatchPublic {
    /// In circuit order: `root, seller, t0, t1, bps, edges.., first, last, c_in, c_out, count,
    /// amount, fees, band_counts.., band_sums..`.
    fn to_field_elements(&self) -> Vec<Fr> {
        let mut v = vec![
            self.period.root,
            Fr::from(self.period.seller),
            Fr::from(self.period.t0),
            Fr::from(self.period.t1),
            Fr::from(self.period.bps),
        ];
        v.extend(self.period.edges.iter().map(|&e| Fr::from(e)));
        v.push(Fr::from(self.first as u64));
        v.push(Fr::from(self.last as u64));
        v.push(self.c_in);
        v.push(self.c_out);
        v.extend(self.totals.to_field_elements());
        v
    }
}

/// A batch's witness: where it sits, the state it continues from, its slots (`None` = empty
/// leaf) and the batch subtree's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchWitness {
    /// Batch index `j`: slots `jB .. jB + B - 1` of the seller.
    pub batch: u64,
    /// The state before the batch (`next = j`); zero totals and blinding for the first batch.
    pub state_in: ChainState,
    /// The blinding of the state after it.
    pub blind_out: Fr,
    /// Slot contents, `B` of them.
    pub slots: Vec<Option<Receipt>>,
    /// Path from the batch subtree root (at height `log2 B`) to the root.
    pub path: MerklePath,
}

/// The band of `amount` given increasing `edges`.
pub fn band_of(amount: u64, edges: &[u64]) -> usize {
    edges.iter().take_while(|&&e| amount >= e).count()
}

/// The state after a batch: `state_in` plus its receipts in the period (no checks).
pub fn state_after(period: &Period, w: &BatchWitness) -> ChainState {
    let mut s = ChainState {
        next: w.batch + 1,
        cum: w.state_in.cum,
        totals: w.state_in.totals.clone(),
        blind: w.blind_out,
    };
    for r in w.slots.iter().flatten() {
        s.cum = r.cum;
        if period.t0 <= r.time && r.time < period.t1 {
            s.totals.add(r, band_of(r.amount, &period.edges));
        }
    }
    s
}

/// The public inputs a batch's witness gives, as the `first`/`last` of its report.
pub fn batch_public(period: &Period, first: bool, last: bool, w: &BatchWitness) -> BatchPublic {
    let out = state_after(period, w);
    BatchPublic {
        period: period.clone(),
        first,
        last,
        c_in: if first {
            Fr::zero()
        } else {
            w.state_in.commitment()
        },
        c_out: if last { Fr::zero() } else { out.commitment() },
        totals: if last {
            out.totals
        } else {
            PeriodTotals::zero(period.edges.len())
        },
    }
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

/// The native batch relation (the circuit's constraints, in order).
pub fn check_batch(shape: &TotalsShape, p: &BatchPublic, w: &BatchWitness) -> Result<()> {
    shape.validate()?;
    let fail = |m: String| Err(Error::Unsatisfied(m));
    let b = shape.batch as u64;
    let period = &p.period;
    if w.slots.len() != shape.batch
        || period.edges.len() != shape.edges
        || w.state_in.totals.band_counts.len() != shape.edges + 1
        || w.state_in.totals.band_sums.len() != shape.edges + 1
    {
        return fail("wrong number of slots, edges or bands".into());
    }
    if period.seller >> SELLER_BITS != 0
        || w.batch >> (SEQ_BITS - shape.height()) != 0
        || period.bps > BPS_DENOMINATOR
    {
        return fail("seller, batch index or rate out of range".into());
    }
    // 1. Position.
    if w.path.index != (period.seller << (SEQ_BITS - shape.height())) | w.batch
        || w.path.siblings.len() != (RECEIPT_DEPTH - shape.height()) as usize
        || w.path.root(batch_root(&w.slots)) != period.root
    {
        return fail("the batch is not this seller's slots under the root".into());
    }
    // 2. Where the chain starts, or the state it continues.
    let s = &w.state_in;
    if p.first {
        if p.c_in != Fr::zero() || s.totals != PeriodTotals::zero(shape.edges) {
            return fail("the first batch does not start from zero totals".into());
        }
        let opens = w.slots[0].is_some_and(|r| r.time < period.t0);
        if w.batch != 0 && !opens {
            return fail("the first batch is neither batch 0 nor starts before the period".into());
        }
    } else if s.next != w.batch || s.commitment() != p.c_in {
        return fail("c_in does not open to this batch's incoming state".into());
    }
    if w.batch == 0 && s.cum != 0 {
        return fail("batch 0 starts from a running total other than 0".into());
    }
    // 3. The receipts.
    let mut prev: Option<&Receipt> = None;
    let mut cum = s.cum;
    for (i, slot) in w.slots.iter().enumerate() {
        if let Some(r) = slot {
            if i > 0 && w.slots[i - 1].is_none() {
                return fail(format!("slot {i} follows an empty slot"));
            }
            if r.seller != period.seller || r.seq != w.batch * b + i as u64 {
                return fail(format!(
                    "slot {i} is not receipt {} of seller {}",
                    w.batch * b + i as u64,
                    period.seller
                ));
            }
            if r.fee != fee_for(r.amount, period.bps) {
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
    // 4. Where the chain ends, or the state it hands on.
    let out = state_after(period, w);
    if p.last {
        let last = w.slots[shape.batch - 1];
        if last.is_some_and(|r| r.time < period.t1) {
            return fail("the last batch does not reach past the period".into());
        }
        if p.c_out != Fr::zero() {
            return fail("the last batch hands on a state".into());
        }
        if p.totals != out.totals {
            return fail("the totals are not the period's receipts' totals".into());
        }
    } else {
        if w.slots[shape.batch - 1].is_none() {
            return fail("a batch before the last is not full".into());
        }
        if p.c_out != out.commitment() {
            return fail("c_out is not the commitment to the state after the batch".into());
        }
        if p.totals != PeriodTotals::zero(shape.edges) {
            return fail("a batch before the last reveals totals".into());
        }
    }
    Ok(())
}

/// Builds batch `j`'s public inputs and witness: `slots[i]` is receipt `jB + i` or `None`,
/// `path` the path of its subtree, `state_in` what the previous batch handed on (for the
/// first batch: `next = j`, the running total before it, zero totals and blinding), and
/// `blind_out` a fresh blinding for the state it hands on.
#[allow(clippy::too_many_arguments)]
pub fn build_batch(
    shape: &TotalsShape,
    period: &Period,
    first: bool,
    last: bool,
    state_in: ChainState,
    blind_out: Fr,
    slots: Vec<Option<Receipt>>,
    path: MerklePath,
) -> Result<(BatchPublic, BatchWitness)> {
    let w = BatchWitness {
        batch: state_in.next,
        state_in,
        blind_out,
        slots,
        path,
    };
    let p = batch_public(period, first, last, &w);
    check_batch(shape, &p, &w)?;
    Ok((p, w))
}

/// The chain of batches a report for `period` proves over a seller's receipts (all of them, in
/// sequence): from the batch whose first slot is before `t0` (or batch 0) to the batch whose
/// last slot is at or after `t1` (or empty). `path(j)` gives the path of batch `j`'s subtree;
/// `blind()` a fresh blinding for each link.
pub fn report_chain<E: From<Error>>(
    shape: &TotalsShape,
    period: &Period,
    receipts: &[Receipt],
    mut path: impl FnMut(u64) -> std::result::Result<MerklePath, E>,
    mut blind: impl FnMut() -> Fr,
) -> std::result::Result<Vec<(BatchPublic, BatchWitness)>, E> {
    shape.validate()?;
    period.check_bounds(shape)?;
    let n = receipts.len() as u64;
    let b = shape.batch as u64;
    let first_at = |t: u64| {
        receipts
            .iter()
            .position(|r| r.time >= t)
            .map_or(n, |i| i as u64)
    };
    let (a, c) = (first_at(period.t0), first_at(period.t1));
    let j_start = if a == 0 { 0 } else { (a - 1) / b };
    let j_end = c / b;
    let mut state = ChainState {
        next: j_start,
        cum: if j_start == 0 {
            0
        } else {
            receipts[(j_start * b - 1) as usize].cum
        },
        totals: PeriodTotals::zero(shape.edges),
        blind: Fr::zero(),
    };
    let mut out = Vec::new();
    for j in j_start..=j_end {
        let slots: Vec<Option<Receipt>> = (j * b..(j + 1) * b)
            .map(|q| receipts.get(q as usize).copied())
            .collect();
        let (p, w) = build_batch(
            shape,
            period,
            j == j_start,
            j == j_end,
            state,
            blind(),
            slots,
            path(j)?,
        )?;
        state = state_after(period, &w);
        out.push((p, w));
    }
    Ok(out)
}

mod statement;
pub use statement::DisclosureTotals;

#[cfg(feature = "r1cs")]
mod circuit;
#[cfg(feature = "r1cs")]
pub use circuit::TotalsCircuit;

#[cfg(any(test, feature = "fixtures"))]
pub mod cases;
#[cfg(test)]
mod tests;
