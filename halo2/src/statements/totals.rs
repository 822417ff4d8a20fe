//! One batch of disclosure totals (`disclosure-totals-b{B}-e{E}`) as a halo2 circuit.
//! Statement, public inputs and encodings are those of `veil_circuits::statements::totals`,
//! whose constraints 1-7 this follows rule by rule (see there):
//!
//! Public (instance rows, in order): `root, seller, t0, t1, bps, edge_1..edge_E, first, last,
//! c_in, c_out, count, amount, fees, band_count_0..E, band_sum_0..E`. Witness: the batch index
//! `j`, the incoming chain state and the outgoing blinding, the `B` leaves and each present
//! receipt's fields, and the siblings from the batch's subtree up. Range checks are byte
//! lookups; comparisons `a < b` of 64-bit values are a boolean `lt` and one check of
//! `a - b + lt 2^64 < 2^64`.

use super::{Halo2Statement, Layout, OneRegion};
use crate::chips::{Chips, Ctx, Var};
use crate::field::to_halo2;
use crate::Fp;
use halo2_proofs::arithmetic::Field;
use halo2_proofs::circuit::Value;
use halo2_proofs::plonk::Error;
use veil_circuits::statements::totals::{
    band_of, BatchPublic, BatchWitness, Receipt, TotalsShape, BPS_DENOMINATOR, RECEIPT_DEPTH,
    SELLER_BITS, SEQ_BITS,
};
use veil_circuits::statements::DisclosureTotals;
use veil_circuits::{tags, Fr};

/// The batch circuit of one shape.
#[derive(Clone, Debug)]
pub struct TotalsCircuit {
    shape: TotalsShape,
    assignment: Option<(BatchPublic, BatchWitness)>,
}

impl Halo2Statement for DisclosureTotals {
    type Layout = TotalsCircuit;
    fn circuit(
        shape: &TotalsShape,
        public: BatchPublic,
        witness: BatchWitness,
    ) -> OneRegion<TotalsCircuit> {
        OneRegion::current(TotalsCircuit {
            shape: *shape,
            assignment: Some((public, witness)),
        })
    }
    fn blank_layout(shape: &TotalsShape) -> TotalsCircuit {
        TotalsCircuit {
            shape: *shape,
            assignment: None,
        }
    }
}

/// The empty slot's stand-in receipt (every field zero but the seller).
fn blank_receipt(seller: u64) -> Receipt {
    Receipt {
        listing: Fr::from(0u64),
        seller,
        buyer_tag: Fr::from(0u64),
        amount: 0,
        fee: 0,
        time: 0,
        seq: 0,
        cum: 0,
        salt: Fr::from(0u64),
    }
}

impl Layout for TotalsCircuit {
    const REGION: &'static str = "disclosure totals";

    fn without_witnesses(&self) -> Self {
        TotalsCircuit {
            shape: self.shape,
            assignment: None,
        }
    }

    fn lay_out(&self, chips: &Chips, l: &mut Ctx<'_>) -> Result<(), Error> {
        let shape = &self.shape;
        let (b, height, edges_n) = (shape.batch, shape.height(), shape.edges);
        let bands = edges_n + 1;
        let a = self.assignment.as_ref();
        if a.is_some_and(|(p, w)| {
            w.slots.len() != b
                || p.period.edges.len() != edges_n
                || p.totals.band_counts.len() != bands
                || w.state_in.totals.band_counts.len() != bands
                || w.state_in.totals.band_sums.len() != bands
                || w.path.siblings.len() != (RECEIPT_DEPTH - height) as usize
        }) {
            return Err(Error::Synthesis);
        }
        let known = |f: &dyn Fn(&BatchPublic, &BatchWitness) -> Fp| {
            a.map_or(Value::unknown(), |(p, w)| Value::known(f(p, w)))
        };
        let flag = |f: &dyn Fn(&BatchPublic, &BatchWitness) -> bool| {
            a.map_or(Value::unknown(), |(p, w)| Value::known(f(p, w)))
        };
        let m = &chips.main;
        let (one, zero_f) = (Fp::ONE, Fp::ZERO);

        // Public inputs, in the documented order.
        let mut rows = 0..;
        let mut public = |l: &mut Ctx<'_>| chips.public(l, rows.next().expect("rows"));
        let root = public(l)?;
        let seller = public(l)?;
        let t0 = public(l)?;
        let t1 = public(l)?;
        let bps = public(l)?;
        let edges = (0..edges_n)
            .map(|_| public(l))
            .collect::<Result<Vec<_>, _>>()?;
        let first = public(l)?;
        let last = public(l)?;
        let c_in = public(l)?;
        let c_out = public(l)?;
        let totals_pub = (0..3 + 2 * bands)
            .map(|_| public(l))
            .collect::<Result<Vec<_>, _>>()?;
        m.assert_bool(l, &first)?;
        m.assert_bool(l, &last)?;

        // Witness: where the batch sits and the state it continues.
        let j = m.witness(l, known(&|_, w| Fp::from(w.batch)))?;
        let cum_in = m.witness(l, known(&|_, w| Fp::from(w.state_in.cum)))?;
        let totals_in = (0..3 + 2 * bands)
            .map(|i| {
                m.witness(
                    l,
                    known(&|_, w| to_halo2(&w.state_in.totals.to_field_elements()[i])),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let blind_in = m.witness(l, known(&|_, w| to_halo2(&w.state_in.blind)))?;
        let blind_out = m.witness(l, known(&|_, w| to_halo2(&w.blind_out)))?;

        // 4. Ranges of the public parameters the comparisons rely on.
        chips.range(l, &t0, 64)?;
        chips.range(l, &t1, 64)?;
        for e in &edges {
            chips.range(l, e, 64)?;
        }
        if edges_n > 2 {
            for k in 1..edges_n {
                let gap = m.linear(l, (one, &edges[k]), (-one, &edges[k - 1]), -one)?;
                chips.range(l, &gap, 64)?;
            }
        }
        chips.range(l, &bps, 14)?;
        let bps_room = m.linear(l, (-one, &bps), (zero_f, &bps), Fp::from(BPS_DENOMINATOR))?;
        chips.range(l, &bps_room, 14)?;
        chips.range(l, &cum_in, 64)?;

        // 1. Position: the slots are the seller's jB .. jB+B-1.
        let j_bits = m.bits(l, &j, (SEQ_BITS - height) as usize)?;
        let s_bits = m.bits(l, &seller, SELLER_BITS as usize)?;
        let direction: Vec<Var> = j_bits.into_iter().chain(s_bits).collect();

        // 2. The chain's start, or the state it continues.
        let not = |l: &mut Ctx<'_>, x: &Var| m.linear(l, (-one, x), (zero_f, x), one);
        let not_first = not(l, &first)?;
        let incoming = self.chain_commitment(chips, l, &j, &cum_in, &totals_in, &blind_in)?;
        let expected_in = m.mul(l, &not_first, &incoming)?;
        m.assert_equal(l, &c_in, &expected_in)?;
        for t in &totals_in {
            m.assert_product_zero(l, &first, t)?;
        }
        let j_is_zero = m.is_zero(l, &j)?;
        m.assert_product_zero(l, &j_is_zero, &cum_in)?;

        // 3-5. The slots.
        let receipt =
            |i: usize| a.map(|(p, w)| w.slots[i].unwrap_or(blank_receipt(p.period.seller)));
        let mut leaves = Vec::with_capacity(b);
        let mut presents: Vec<Var> = Vec::with_capacity(b);
        let mut times: Vec<Var> = Vec::with_capacity(b);
        let mut numbers = Vec::with_capacity(b);
        let mut running = cum_in;
        for i in 0..b {
            let r = receipt(i);
            let field =
                |f: &dyn Fn(&Receipt) -> Fp| r.map_or(Value::unknown(), |r| Value::known(f(&r)));
            let leaf = m.witness(
                l,
                known(&|_, w| w.slots[i].map(|r| to_halo2(&r.note())).unwrap_or(zero_f)),
            )?;
            let listing = m.witness(l, field(&|r| to_halo2(&r.listing)))?;
            let buyer_tag = m.witness(l, field(&|r| to_halo2(&r.buyer_tag)))?;
            let amount = m.witness(l, field(&|r| Fp::from(r.amount)))?;
            let fee = m.witness(l, field(&|r| Fp::from(r.fee)))?;
            let time = m.witness(l, field(&|r| Fp::from(r.time)))?;
            let cum = m.witness(l, field(&|r| Fp::from(r.cum)))?;
            let salt = m.witness(l, field(&|r| to_halo2(&r.salt)))?;
            // 3. Presence, and the receipt in the slot; no receipt after an empty slot.
            let empty = m.is_zero(l, &leaf)?;
            let present = not(l, &empty)?;
            if let Some(prev) = presents.last() {
                let gap = not(l, prev)?;
                m.assert_product_zero(l, &gap, &present)?;
            }
            let seq = m.linear(
                l,
                (Fp::from(b as u64), &j),
                (zero_f, &j),
                Fp::from(i as u64),
            )?;
            let word = |shift: u32| Fp::from(2).pow_vartime([u64::from(shift)]);
            let af = m.linear(l, (one, &amount), (word(64), &fee), zero_f)?;
            let packed_a = m.linear(l, (one, &af), (word(128), &time), zero_f)?;
            let cs = m.linear(l, (one, &cum), (word(64), &seq), zero_f)?;
            let packed_b = m.linear(l, (one, &cs), (word(64 + SEQ_BITS), &seller), zero_f)?;
            let note = chips.hash_tagged(
                l,
                tags::RECEIPT,
                &[listing, buyer_tag, packed_a, packed_b, salt],
            )?;
            let off = m.sub(l, &note, &leaf)?;
            m.assert_product_zero(l, &present, &off)?;
            // 4. Ranges and the fee rule.
            chips.range(l, &amount, 64)?;
            chips.range(l, &fee, 64)?;
            let rem = m.witness(
                l,
                known(&|p, w| {
                    let amount = w.slots[i].map_or(0, |r| r.amount);
                    Fp::from(
                        (amount as u128 * p.period.bps as u128 % BPS_DENOMINATOR as u128) as u64,
                    )
                }),
            )?;
            chips.range(l, &rem, 14)?;
            let rem_room = m.linear(
                l,
                (-one, &rem),
                (zero_f, &rem),
                Fp::from(BPS_DENOMINATOR - 1),
            )?;
            chips.range(l, &rem_room, 14)?;
            let gross = m.mul(l, &amount, &bps)?;
            let net = m.linear(l, (one, &gross), (-Fp::from(BPS_DENOMINATOR), &fee), zero_f)?;
            let off = m.sub(l, &net, &rem)?;
            m.assert_product_zero(l, &present, &off)?;
            // 5. Chaining: cum = present (running + amount), and time's step is below 2^64.
            let next = m.add(l, &running, &amount)?;
            let chained = m.mul(l, &present, &next)?;
            m.assert_equal(l, &chained, &cum)?;
            running = m.select(l, &present, &cum, &running)?;
            let step = match times.last() {
                Some(prev) => {
                    let back = m.mul(l, &present, prev)?;
                    m.sub(l, &time, &back)?
                }
                None => time,
            };
            chips.range(l, &step, 64)?;
            times.push(time);
            numbers.push((amount, fee));
            presents.push(present);
            leaves.push(leaf);
        }

        // 6. In the period: which receipts come before t0, and before t1.
        let before = |bound: fn(&BatchPublic) -> u64, i: usize| {
            flag(&move |p, w| w.slots[i].is_some_and(|r| r.time < bound(p)))
        };
        let claims_t0: Vec<Value<bool>> = (0..b).map(|i| before(|p| p.period.t0, i)).collect();
        let claims_t1: Vec<Value<bool>> = (0..b).map(|i| before(|p| p.period.t1, i)).collect();
        let before_t0 = self.below_bound(chips, l, &times, &presents, &t0, &claims_t0)?;
        let before_t1 = self.below_bound(chips, l, &times, &presents, &t1, &claims_t1)?;
        // The outgoing totals: count, amount, fees, band counts, band sums.
        let mut acc = totals_in.clone();
        for (i, (amount, fee)) in numbers.iter().enumerate() {
            let not_t0 = not(l, &before_t0[i])?;
            let active = m.mul(l, &not_t0, &before_t1[i])?;
            acc[0] = m.add(l, &acc[0], &active)?;
            let x = m.mul(l, &active, amount)?;
            acc[1] = m.add(l, &acc[1], &x)?;
            let x = m.mul(l, &active, fee)?;
            acc[2] = m.add(l, &acc[2], &x)?;
            let amount_value = receipt(i).map(|r| r.amount);
            let band = self.band_flags(chips, l, amount, amount_value, &edges)?;
            for (k, in_k) in band.iter().enumerate() {
                let in_band = m.mul(l, &active, in_k)?;
                acc[3 + k] = m.add(l, &acc[3 + k], &in_band)?;
                let x = m.mul(l, &in_band, amount)?;
                acc[3 + bands + k] = m.add(l, &acc[3 + bands + k], &x)?;
            }
        }
        // 2 and 7: evidence for the chain's start and end.
        let opens = before_t0[0];
        let closes = not(l, &before_t1[b - 1])?;
        let full = presents[b - 1];
        // 2. The first batch is batch 0 or starts before the period.
        let j_nonzero = not(l, &j_is_zero)?;
        let not_opens = not(l, &opens)?;
        let x = m.mul(l, &first, &j_nonzero)?;
        m.assert_product_zero(l, &x, &not_opens)?;
        // 7. The last batch reaches past the period; the others are full and hand on a state.
        let not_closes = not(l, &closes)?;
        m.assert_product_zero(l, &last, &not_closes)?;
        let not_last = not(l, &last)?;
        let not_full = not(l, &full)?;
        m.assert_product_zero(l, &not_last, &not_full)?;
        let next = m.add_constant(l, &j, one)?;
        let outgoing = self.chain_commitment(chips, l, &next, &running, &acc, &blind_out)?;
        let expected_out = m.mul(l, &not_last, &outgoing)?;
        m.assert_equal(l, &c_out, &expected_out)?;
        for (got, public) in acc.iter().zip(&totals_pub) {
            let revealed = m.mul(l, &last, got)?;
            m.assert_equal(l, public, &revealed)?;
        }
        // 1. The slots' subtree is on the seller's path.
        let mut level = leaves;
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|pair| chips.hash_tagged(l, tags::NODE, &[pair[0], pair[1]]))
                .collect::<Result<Vec<_>, _>>()?;
        }
        let siblings = (0..(RECEIPT_DEPTH - height) as usize)
            .map(|h| m.witness(l, known(&|_, w| to_halo2(&w.path.siblings[h]))))
            .collect::<Result<Vec<Var>, _>>()?;
        let reached = chips.root_from_path(l, &level[0], &siblings, &direction)?;
        m.assert_equal(l, &reached, &root)
    }
}

impl TotalsCircuit {
    /// `S = H(CHAIN, next, cum, totals.., blind)`.
    fn chain_commitment(
        &self,
        chips: &Chips,
        l: &mut Ctx<'_>,
        next: &Var,
        cum: &Var,
        totals: &[Var],
        blind: &Var,
    ) -> Result<Var, Error> {
        let mut v = vec![*next, *cum];
        v.extend_from_slice(totals);
        v.push(*blind);
        chips.hash_tagged(l, tags::CHAIN, &v)
    }

    /// `a < b` for values below `2^64`: a boolean `lt` with `a - b + lt 2^64 < 2^64`.
    fn less_than(
        &self,
        chips: &Chips,
        l: &mut Ctx<'_>,
        a: &Var,
        b: &Var,
        lt: Value<bool>,
    ) -> Result<Var, Error> {
        let m = &chips.main;
        let lt = m.bit(l, lt)?;
        let diff = m.sub(l, a, b)?;
        let shifted = m.linear(
            l,
            (Fp::ONE, &diff),
            (Fp::from(2).pow_vartime([64]), &lt),
            Fp::ZERO,
        )?;
        chips.range(l, &shifted, 64)?;
        Ok(lt)
    }

    /// One boolean per band: is `amount` in it? As the R1CS circuit: comparisons with each
    /// edge up to two edges, one-hot bits checked by two range checks from three on.
    fn band_flags(
        &self,
        chips: &Chips,
        l: &mut Ctx<'_>,
        amount: &Var,
        amount_value: Option<u64>,
        edges: &[Var],
    ) -> Result<Vec<Var>, Error> {
        let m = &chips.main;
        let one = Fp::ONE;
        let edge_values = self
            .assignment
            .as_ref()
            .map(|(p, _)| p.period.edges.clone());
        let band = amount_value
            .zip(edge_values.as_ref())
            .map(|(a, e)| band_of(a, e));
        if edges.len() <= 2 {
            let mut below = Vec::with_capacity(edges.len());
            for (k, e) in edges.iter().enumerate() {
                let lt = match (amount_value, &edge_values) {
                    (Some(a), Some(ev)) => Value::known(a < ev[k]),
                    _ => Value::unknown(),
                };
                below.push(self.less_than(chips, l, amount, e, lt)?);
            }
            let mut flags = Vec::with_capacity(edges.len() + 1);
            for k in 0..=edges.len() {
                let low = match k.checked_sub(1) {
                    Some(i) => Some(m.linear(l, (-one, &below[i]), (Fp::ZERO, &below[i]), one)?),
                    None => None,
                };
                flags.push(match (low, below.get(k)) {
                    (Some(low), Some(high)) => m.mul(l, &low, high)?,
                    (Some(low), None) => low,
                    (None, Some(high)) => *high,
                    (None, None) => m.constant(l, one)?,
                });
            }
            return Ok(flags);
        }
        let flags = (0..=edges.len())
            .map(|k| m.bit(l, band.map_or(Value::unknown(), |b| Value::known(b == k))))
            .collect::<Result<Vec<_>, _>>()?;
        // Exactly one band.
        let mut sum = flags[0];
        for f in &flags[1..] {
            sum = m.add(l, &sum, f)?;
        }
        let off = m.add_constant(l, &sum, -one)?;
        m.assert_zero(l, &off)?;
        // low = edge_k of the named band (0 for band 0); high = edge_(k+1) (0 for the top).
        let mut low: Option<Var> = None;
        let mut high: Option<Var> = None;
        for (k, e) in edges.iter().enumerate() {
            let lo_term = m.mul(l, &flags[k + 1], e)?;
            low = Some(match low {
                None => lo_term,
                Some(x) => m.add(l, &x, &lo_term)?,
            });
            let hi_term = m.mul(l, &flags[k], e)?;
            high = Some(match high {
                None => hi_term,
                Some(x) => m.add(l, &x, &hi_term)?,
            });
        }
        let (low, high) = (low.expect("edges"), high.expect("edges"));
        let above_low = m.sub(l, amount, &low)?;
        chips.range(l, &above_low, 64)?;
        let bounded = m.linear(l, (-one, &flags[edges.len()]), (Fp::ZERO, &flags[0]), one)?;
        let room = m.linear(l, (one, &high), (-one, amount), -one)?;
        let room = m.mul(l, &bounded, &room)?;
        chips.range(l, &room, 64)?;
        Ok(flags)
    }

    /// Per slot, whether it holds a receipt from before `bound`, as flags the prover claims,
    /// checked as the R1CS circuit's `below_bound`: flags on a prefix of the receipts, the
    /// last flagged time below the bound, the first unflagged receipt (if any) not.
    fn below_bound(
        &self,
        chips: &Chips,
        l: &mut Ctx<'_>,
        times: &[Var],
        present: &[Var],
        bound: &Var,
        claim: &[Value<bool>],
    ) -> Result<Vec<Var>, Error> {
        let m = &chips.main;
        let one = Fp::ONE;
        let not = |l: &mut Ctx<'_>, x: &Var| m.linear(l, (-one, x), (Fp::ZERO, x), one);
        let flags = claim
            .iter()
            .map(|c| m.bit(l, *c))
            .collect::<Result<Vec<_>, _>>()?;
        for (i, f) in flags.iter().enumerate() {
            let absent = not(l, &present[i])?;
            m.assert_product_zero(l, f, &absent)?;
            if i > 0 {
                let prev_unset = not(l, &flags[i - 1])?;
                m.assert_product_zero(l, f, &prev_unset)?;
            }
        }
        let zero = m.constant(l, Fp::ZERO)?;
        let one_var = m.constant(l, one)?;
        let mut last_time = zero;
        let mut next_time = zero;
        for (i, time) in times.iter().enumerate() {
            let after = flags.get(i + 1).copied().unwrap_or(zero);
            let d = m.sub(l, &flags[i], &after)?;
            let x = m.mul(l, &d, time)?;
            last_time = m.add(l, &last_time, &x)?;
            let before = if i == 0 { one_var } else { flags[i - 1] };
            let d = m.sub(l, &before, &flags[i])?;
            let x = m.mul(l, &d, time)?;
            next_time = m.add(l, &next_time, &x)?;
        }
        let below = m.linear(l, (one, bound), (-one, &last_time), -one)?;
        let below = m.mul(l, &flags[0], &below)?;
        chips.range(l, &below, 64)?;
        let mut unflagged = zero;
        for (p, f) in present.iter().zip(&flags) {
            let d = m.sub(l, p, f)?;
            unflagged = m.add(l, &unflagged, &d)?;
        }
        let none_left = m.is_zero(l, &unflagged)?;
        let more = not(l, &none_left)?;
        let not_below = m.sub(l, &next_time, bound)?;
        let not_below = m.mul(l, &more, &not_below)?;
        chips.range(l, &not_below, 64)?;
        Ok(flags)
    }
}
