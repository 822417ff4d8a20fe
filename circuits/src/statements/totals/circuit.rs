//! The disclosure-totals batch circuit; its statement is in the parent module.

use super::{
    pow2, BatchPublic, BatchWitness, ChainState, DisclosureTotals, Period, PeriodTotals, Receipt,
    TotalsShape, BPS_DENOMINATOR, RECEIPT_DEPTH, SELLER_BITS, SEQ_BITS,
};
use crate::gadgets::{less_than, named, range_bits};
use crate::merkle::{r1cs::root_from_path, MerklePath};
use crate::poseidon2::r1cs::hash;
use crate::statements::{Circuit, R1csStatement};
use crate::{tags, Fr};
use ark_ff::Zero;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use ark_relations::ns;

/// The circuit with an assignment (a blank one for setup).
pub type TotalsCircuit = Circuit<DisclosureTotals>;

/// The field elements of totals, allocated with `alloc`.
fn totals_vars(
    t: &PeriodTotals,
    mut alloc: impl FnMut(Fr) -> Result<FpVar<Fr>, SynthesisError>,
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    t.to_field_elements().into_iter().map(&mut alloc).collect()
}

/// `S = H(CHAIN, next, cum, totals.., blind)` in the circuit.
fn chain_commitment(
    next: &FpVar<Fr>,
    cum: &FpVar<Fr>,
    totals: &[FpVar<Fr>],
    blind: &FpVar<Fr>,
) -> Result<FpVar<Fr>, SynthesisError> {
    let mut v = vec![
        FpVar::Constant(Fr::from(tags::CHAIN)),
        next.clone(),
        cum.clone(),
    ];
    v.extend_from_slice(totals);
    v.push(blind.clone());
    hash(&v)
}

/// One boolean per band `k` (`[edge_k, edge_(k+1))`, `edge_0 = 0`, `edge_(E+1) = inf`): is
/// `amount` in it? Both ways cost about the same at two edges; from three on, one-hot wins.
///
/// * Up to two edges: `amount < edge_k` for each edge (66 constraints each), and band `k` is
///   `amount >= edge_k and amount < edge_(k+1)`.
/// * Three or more: the prover names the band by one-hot witness bits (exactly one set), and
///   the circuit checks `amount - edge_k < 2^64` and, below the top band,
///   `edge_(k+1) - 1 - amount < 2^64`: two range checks whatever `E` (about `3E + 145`
///   constraints, against `68E + 2` by comparisons). With strictly increasing edges (checked
///   once per batch by [`edges_increase`]) the bands partition `[0, 2^64)`, so the named band
///   is the only one the checks accept.
fn band_flags(
    cs: &ConstraintSystemRef<Fr>,
    amount: &FpVar<Fr>,
    amount_value: u64,
    edges: &[FpVar<Fr>],
    edge_values: &[u64],
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    if edges.len() <= 2 {
        let below = edges
            .iter()
            .zip(edge_values)
            .map(|(e, &ev)| less_than(cs.clone(), amount, amount_value, e, ev, 64))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok((0..=edges.len())
            .map(
                |k| match (k.checked_sub(1).map(|i| !below[i].clone()), below.get(k)) {
                    (Some(low), Some(high)) => low & high.clone(),
                    (Some(low), None) => low,
                    (None, Some(high)) => high.clone(),
                    (None, None) => Boolean::TRUE,
                },
            )
            .collect());
    }
    let band = super::band_of(amount_value, edge_values);
    let claim: Vec<bool> = (0..=edges.len()).map(|k| k == band).collect();
    one_hot_band(cs, amount, amount_value, edges, edge_values, &claim)
}

/// [`band_flags`] from three edges on, with the prover's `claim` (one flag per band) as the
/// witness: the constraints hold only when it names `amount`'s band.
fn one_hot_band(
    cs: &ConstraintSystemRef<Fr>,
    amount: &FpVar<Fr>,
    amount_value: u64,
    edges: &[FpVar<Fr>],
    edge_values: &[u64],
    claim: &[bool],
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    let flags = claim
        .iter()
        .map(|&b| Boolean::new_witness(cs.clone(), || Ok(b)))
        .collect::<Result<Vec<_>, _>>()?;
    // The values the honest assignment of the range checks takes (any, when the claim lies).
    let band = claim.iter().position(|&b| b).unwrap_or(0);
    let zero = FpVar::<Fr>::zero();
    named(ns!(cs, "one_band"), || {
        flags
            .iter()
            .fold(zero.clone(), |acc, b| acc + FpVar::from(b.clone()))
            .enforce_equal(&FpVar::one())
    })?;
    // low = edge_k of the named band (0 for band 0); high = edge_(k+1) (0 for the top band).
    let mut low = zero.clone();
    let mut high = zero;
    for (k, e) in edges.iter().enumerate() {
        low += flags[k + 1].select(e, &FpVar::zero())?;
        high += flags[k].select(e, &FpVar::zero())?;
    }
    let low_value = band.checked_sub(1).map_or(0, |i| edge_values[i]);
    range_bits(
        ns!(cs, "band_low").cs(),
        &(amount - &low),
        amount_value.wrapping_sub(low_value),
        64,
    )?;
    let top = flags[edges.len()].clone();
    let bounded = FpVar::one() - FpVar::from(top);
    let high_value = edge_values.get(band).copied();
    range_bits(
        ns!(cs, "band_high").cs(),
        &(bounded * (high - FpVar::one() - amount)),
        high_value.map_or(0, |h| h.wrapping_sub(1).wrapping_sub(amount_value)),
        64,
    )?;
    Ok(flags)
}

/// `edge_(k+1) - edge_k - 1 < 2^64` for each pair: the edges increase strictly, so one-hot
/// bands ([`band_flags`]) cannot overlap.
fn edges_increase(
    cs: &ConstraintSystemRef<Fr>,
    edges: &[FpVar<Fr>],
    edge_values: &[u64],
) -> Result<(), SynthesisError> {
    for k in 1..edges.len() {
        range_bits(
            ns!(cs, "edges_increase").cs(),
            &(&edges[k] - &edges[k - 1] - FpVar::one()),
            edge_values[k]
                .wrapping_sub(edge_values[k - 1])
                .wrapping_sub(1),
            64,
        )?;
    }
    Ok(())
}

/// Per slot, whether it holds a receipt from before `bound` (`< 2^64`), as bits the prover
/// claims (`claim`), checked in about five constraints a slot instead of a 66-constraint
/// comparison each. It relies on what the slots already guarantee: receipts fill a prefix of
/// the slots, their times do not decrease and stay below `2^73`. The flags must
///
/// * be set on receipts only, and on a prefix of them (`flag_i => present_i`, `flag_i =>
///   flag_(i-1)`);
/// * end below the bound: the last flagged time `T = sum_i (flag_i - flag_(i+1)) time_i`
///   satisfies `bound - 1 - T < 2^64` when any flag is set;
/// * end for a reason: if receipts remain after the flagged ones (`sum present - sum flag !=
///   0`), the first of them, `T' = sum_i (flag_(i-1) - flag_i) time_i` (`flag_(-1) = 1`), has
///   `T' - bound < 2^64`.
///
/// With times that never decrease, every flagged receipt is then before `bound` and every other
/// receipt is not: the flags are the comparisons.
fn below_bound(
    cs: ConstraintSystemRef<Fr>,
    times: &[(FpVar<Fr>, u64)],
    present: &[Boolean<Fr>],
    (bound, bound_value): (&FpVar<Fr>, u64),
    claim: &[bool],
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    let flags = claim
        .iter()
        .map(|&c| Boolean::new_witness(cs.clone(), || Ok(c)))
        .collect::<Result<Vec<_>, _>>()?;
    let f: Vec<FpVar<Fr>> = flags.iter().map(|b| FpVar::from(b.clone())).collect();
    let zero = FpVar::<Fr>::zero();
    named(ns!(cs, "flags_on_a_prefix_of_receipts"), || {
        for (i, flag) in f.iter().enumerate() {
            flag.mul_equals(&(FpVar::one() - FpVar::from(present[i].clone())), &zero)?;
            if i > 0 {
                flag.mul_equals(&(FpVar::one() - &f[i - 1]), &zero)?;
            }
        }
        Ok(())
    })?;
    let value = |i: usize| times[i].1;
    let last = claim.iter().rposition(|&c| c);
    let first_other = last.map_or(0, |l| l + 1);
    let mut last_time = zero.clone();
    let mut next_time = zero.clone();
    for (i, (time, _)) in times.iter().enumerate() {
        let after = f.get(i + 1).cloned().unwrap_or_else(|| zero.clone());
        last_time += (&f[i] - after) * time;
        let before = if i == 0 {
            FpVar::one()
        } else {
            f[i - 1].clone()
        };
        next_time += (before - &f[i]) * time;
    }
    let any = f[0].clone();
    range_bits(
        ns!(cs, "last_flagged_is_below_the_bound").cs(),
        &(&any * (bound - FpVar::one() - &last_time)),
        last.map_or(0, |l| bound_value.wrapping_sub(1).wrapping_sub(value(l))),
        64,
    )?;
    let unflagged = present.iter().zip(&f).fold(zero.clone(), |acc, (p, flag)| {
        acc + FpVar::from(p.clone()) - flag
    });
    let more = unflagged.is_neq(&zero)?;
    let more_value = present
        .get(first_other)
        .is_some_and(|p| p.value().unwrap_or(false));
    range_bits(
        ns!(cs, "first_unflagged_is_not_below_the_bound").cs(),
        &(FpVar::from(more) * (next_time - bound)),
        if more_value {
            value(first_other).wrapping_sub(bound_value)
        } else {
            0
        },
        64,
    )?;
    Ok(flags)
}

fn input(cs: &ConstraintSystemRef<Fr>, v: Fr) -> Result<FpVar<Fr>, SynthesisError> {
    FpVar::new_input(cs.clone(), || Ok(v))
}

fn witness(cs: &ConstraintSystemRef<Fr>, v: Fr) -> Result<FpVar<Fr>, SynthesisError> {
    FpVar::new_witness(cs.clone(), || Ok(v))
}

impl R1csStatement for DisclosureTotals {
    /// Placeholder assignment of the shape (all slots empty).
    fn placeholder(shape: &TotalsShape) -> (BatchPublic, BatchWitness) {
        let period = Period {
            root: Fr::zero(),
            seller: 0,
            t0: 0,
            t1: 0,
            bps: 0,
            edges: vec![0; shape.edges],
        };
        let witness = BatchWitness {
            batch: 0,
            state_in: ChainState {
                next: 0,
                cum: 0,
                totals: PeriodTotals::zero(shape.edges),
                blind: Fr::zero(),
            },
            blind_out: Fr::zero(),
            slots: vec![None; shape.batch],
            path: MerklePath {
                arity: crate::merkle::Arity::Binary,
                index: 0,
                siblings: vec![Fr::zero(); (RECEIPT_DEPTH - shape.height()) as usize],
            },
        };
        let public = super::batch_public(&period, true, true, &witness);
        (public, witness)
    }

    fn synthesize(
        circuit: Circuit<Self>,
        cs: ConstraintSystemRef<Fr>,
    ) -> Result<(), SynthesisError> {
        let Circuit {
            shape,
            public: p,
            witness: w,
        } = circuit;
        let b = shape.batch;
        let height = shape.height();
        let bands = shape.edges + 1;
        let t_in = &w.state_in.totals;
        if w.slots.len() != b
            || p.period.edges.len() != shape.edges
            || p.totals.band_counts.len() != bands
            || p.totals.band_sums.len() != bands
            || t_in.band_counts.len() != bands
            || t_in.band_sums.len() != bands
            || w.path.siblings.len() != (RECEIPT_DEPTH - height) as usize
        {
            return Err(SynthesisError::Unsatisfiable);
        }
        let f = |x: u64| Fr::from(x);
        // Public inputs, in the documented order.
        let root = input(&cs, p.period.root)?;
        let seller = input(&cs, f(p.period.seller))?;
        let t0 = input(&cs, f(p.period.t0))?;
        let t1 = input(&cs, f(p.period.t1))?;
        let bps = input(&cs, f(p.period.bps))?;
        let edges = p
            .period
            .edges
            .iter()
            .map(|&e| input(&cs, f(e)))
            .collect::<Result<Vec<_>, _>>()?;
        let first = Boolean::new_input(ns!(cs, "first"), || Ok(p.first))?;
        let last = Boolean::new_input(ns!(cs, "last"), || Ok(p.last))?;
        let c_in = input(&cs, p.c_in)?;
        let c_out = input(&cs, p.c_out)?;
        let totals_out_pub = totals_vars(&p.totals, |v| input(&cs, v))?;

        // Witness: where the batch sits and the state it continues.
        let j = witness(&cs, f(w.batch))?;
        let cum_in = witness(&cs, f(w.state_in.cum))?;
        let totals_in = totals_vars(t_in, |v| witness(&cs, v))?;
        let blind_in = witness(&cs, w.state_in.blind)?;
        let blind_out = witness(&cs, w.blind_out)?;

        // 4. Range of the public parameters the comparisons rely on.
        range_bits(cs.clone(), &t0, p.period.t0, 64)?;
        range_bits(cs.clone(), &t1, p.period.t1, 64)?;
        for (e, &ev) in edges.iter().zip(&p.period.edges) {
            range_bits(cs.clone(), e, ev, 64)?;
        }
        if edges.len() > 2 {
            edges_increase(&cs, &edges, &p.period.edges)?;
        }
        range_bits(cs.clone(), &bps, p.period.bps, 14)?;
        range_bits(
            cs.clone(),
            &(FpVar::Constant(f(BPS_DENOMINATOR)) - &bps),
            BPS_DENOMINATOR.wrapping_sub(p.period.bps),
            14,
        )?;
        range_bits(cs.clone(), &cum_in, w.state_in.cum, 64)?;

        // 1. Position: the slots are seller's jB .. jB+B-1.
        let j_bits = range_bits(
            ns!(cs, "batch_index").cs(),
            &j,
            w.batch,
            (SEQ_BITS - height) as usize,
        )?;
        let s_bits = range_bits(
            ns!(cs, "seller").cs(),
            &seller,
            p.period.seller,
            SELLER_BITS as usize,
        )?;
        let direction: Vec<Boolean<Fr>> = j_bits.into_iter().chain(s_bits).collect();

        let zero = FpVar::<Fr>::zero();
        // 2. The chain's start, or the state it continues.
        let first_f = FpVar::from(first.clone());
        let incoming = chain_commitment(&j, &cum_in, &totals_in, &blind_in)?;
        named(ns!(cs, "c_in_opens"), || {
            c_in.enforce_equal(&((FpVar::one() - &first_f) * incoming))
        })?;
        named(ns!(cs, "first_batch_starts_from_zero"), || {
            for t in &totals_in {
                (&first_f * t).enforce_equal(&zero)?;
            }
            Ok(())
        })?;
        let j_is_zero = j.is_zero()?;
        named(ns!(cs, "batch_zero_starts_from_zero"), || {
            (FpVar::from(j_is_zero.clone()) * &cum_in).enforce_equal(&zero)
        })?;

        let mut leaves = Vec::with_capacity(b);
        let mut prev_present = Boolean::TRUE;
        let mut presents = Vec::with_capacity(b);
        let mut prev_time = zero.clone();
        let mut times = Vec::with_capacity(b);
        let mut running = cum_in.clone();
        let mut numbers = Vec::with_capacity(b);
        for (i, slot) in w.slots.iter().enumerate() {
            let cs = ns!(cs, "slot").cs();
            let r = slot.unwrap_or(Receipt {
                listing: Fr::zero(),
                seller: p.period.seller,
                buyer_tag: Fr::zero(),
                amount: 0,
                fee: 0,
                time: 0,
                seq: 0,
                cum: 0,
                salt: Fr::zero(),
            });
            let leaf = witness(&cs, slot.map(|r| r.note()).unwrap_or_else(Fr::zero))?;
            let listing = witness(&cs, r.listing)?;
            let buyer_tag = witness(&cs, r.buyer_tag)?;
            let amount = witness(&cs, f(r.amount))?;
            let fee = witness(&cs, f(r.fee))?;
            let time = witness(&cs, f(r.time))?;
            let cum = witness(&cs, f(r.cum))?;
            let salt = witness(&cs, r.salt)?;
            // 3. Presence, and the receipt in the slot.
            let present = leaf.is_neq(&zero)?;
            named(ns!(cs, "no_receipt_after_an_empty_slot"), || {
                (!prev_present.clone() & present.clone()).enforce_equal(&Boolean::FALSE)
            })?;
            let seq = FpVar::Constant(f(b as u64)) * &j + FpVar::Constant(f(i as u64));
            // The packing is injective: amount and fee are range-checked below 2^64 and time
            // is below 2^73 (4., 5.); seq = jB + i and seller are fixed, so b fixes cum.
            let word = |v: &FpVar<Fr>, shift: u32| v * FpVar::Constant(pow2(shift));
            let packed_a = word(&amount, 0) + word(&fee, 64) + word(&time, 128);
            let packed_b = word(&cum, 0) + word(&seq, 64) + word(&seller, 64 + SEQ_BITS);
            let note = hash(&[
                FpVar::Constant(Fr::from(tags::RECEIPT)),
                listing,
                buyer_tag,
                packed_a,
                packed_b,
                salt,
            ])?;
            named(ns!(cs, "slot_holds_its_receipt"), || {
                note.conditional_enforce_equal(&leaf, &present)
            })?;
            // 4. Ranges and the fee rule.
            range_bits(cs.clone(), &amount, r.amount, 64)?;
            range_bits(cs.clone(), &fee, r.fee, 64)?;
            let rem_value =
                (r.amount as u128 * p.period.bps as u128 % BPS_DENOMINATOR as u128) as u64;
            let rem = witness(&cs, f(rem_value))?;
            range_bits(ns!(cs, "fee_remainder_range").cs(), &rem, rem_value, 14)?;
            let slack = FpVar::Constant(f(BPS_DENOMINATOR - 1)) - &rem;
            range_bits(
                ns!(cs, "fee_remainder_below_denominator").cs(),
                &slack,
                (BPS_DENOMINATOR - 1).wrapping_sub(rem_value),
                14,
            )?;
            let gross = &amount * &bps;
            named(ns!(cs, "fee_rule"), || {
                (gross - &fee * FpVar::Constant(f(BPS_DENOMINATOR)) - &rem)
                    .conditional_enforce_equal(&zero, &present)
            })?;
            // 5. Chaining: cum (0 in an empty slot) and time (its step from the previous
            // receipt's, or from 0, is below 2^64: so time < 2^(64 + 8) in slot 255).
            let present_f = FpVar::from(present.clone());
            named(ns!(cs, "cum_chains"), || {
                present_f.mul_equals(&(&running + &amount), &cum)
            })?;
            running = present.select(&cum, &running)?;
            let prev_value = match i.checked_sub(1).and_then(|k| w.slots[k]) {
                Some(prev) if slot.is_some() => prev.time,
                _ => 0,
            };
            range_bits(
                ns!(cs, "time_not_backwards").cs(),
                &(&time - &present_f * &prev_time),
                r.time.wrapping_sub(prev_value),
                64,
            )?;
            prev_time = time.clone();
            times.push((time, r.time));
            numbers.push((amount, fee, r.amount));
            presents.push(present.clone());
            prev_present = present;
            leaves.push(leaf);
        }
        // 6. In the period: which receipts come before t0, and before t1.
        let claim = |bound: u64| -> Vec<bool> {
            w.slots
                .iter()
                .map(|s| s.is_some_and(|r| r.time < bound))
                .collect()
        };
        let before_t0 = below_bound(
            ns!(cs, "before_t0").cs(),
            &times,
            &presents,
            (&t0, p.period.t0),
            &claim(p.period.t0),
        )?;
        let before_t1 = below_bound(
            ns!(cs, "before_t1").cs(),
            &times,
            &presents,
            (&t1, p.period.t1),
            &claim(p.period.t1),
        )?;
        // The outgoing totals: count, amount, fees, band counts, band sums.
        let mut acc = totals_in.clone();
        for (i, (amount, fee, amount_value)) in numbers.iter().enumerate() {
            let cs = ns!(cs, "slot").cs();
            // Both flags are only ever set on receipts (below_bound).
            let active = !before_t0[i].clone() & before_t1[i].clone();
            let active_f = FpVar::from(active.clone());
            acc[0] += &active_f;
            acc[1] += &active_f * amount;
            acc[2] += &active_f * fee;
            let band = band_flags(&cs, amount, *amount_value, &edges, &p.period.edges)?;
            for (k, in_k) in band.into_iter().enumerate() {
                let in_band = FpVar::from(active.clone() & in_k);
                acc[3 + k] += &in_band;
                acc[3 + bands + k] += &in_band * amount;
            }
        }
        // 2 and 7: evidence for the chain's start and end.
        let opens = before_t0[0].clone();
        let closes = !before_t1[b - 1].clone();
        let full = presents[b - 1].clone();
        // 2. The first batch is batch 0 or starts before the period.
        named(ns!(cs, "first_batch_opens_the_period"), || {
            (first.clone() & !j_is_zero & !opens).enforce_equal(&Boolean::FALSE)
        })?;
        // 7. The last batch reaches past the period; the others are full and hand on a state.
        named(ns!(cs, "last_batch_closes_the_period"), || {
            (last.clone() & !closes).enforce_equal(&Boolean::FALSE)
        })?;
        named(ns!(cs, "middle_batch_is_full"), || {
            (!last.clone() & !full).enforce_equal(&Boolean::FALSE)
        })?;
        let last_f = FpVar::from(last);
        let next = &j + FpVar::one();
        let outgoing = chain_commitment(&next, &running, &acc, &blind_out)?;
        named(ns!(cs, "c_out_opens"), || {
            c_out.enforce_equal(&((FpVar::one() - &last_f) * outgoing))
        })?;
        named(ns!(cs, "totals_revealed_at_the_end"), || {
            for (got, public) in acc.iter().zip(&totals_out_pub) {
                public.enforce_equal(&(&last_f * got))?;
            }
            Ok(())
        })?;
        // 1. The slots' subtree is on the seller's path.
        let node_tag = FpVar::Constant(Fr::from(tags::NODE));
        let mut level = leaves;
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|pair| hash(&[node_tag.clone(), pair[0].clone(), pair[1].clone()]))
                .collect::<Result<Vec<_>, _>>()?;
        }
        let sibs = w
            .path
            .siblings
            .iter()
            .map(|s| witness(&cs, *s))
            .collect::<Result<Vec<_>, _>>()?;
        named(ns!(cs, "slots_under_the_root"), || {
            root_from_path(&level[0], &sibs, &direction)?.enforce_equal(&root)
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_relations::gr1cs::ConstraintSystem;

    /// Whether `claim` (one flag per band) is accepted for `amount` under `edges`.
    fn accepts(amount: u64, edges: &[u64], claim: &[bool]) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = witness(&cs, Fr::from(amount)).unwrap();
        let es: Vec<_> = edges
            .iter()
            .map(|&e| input(&cs, Fr::from(e)).unwrap())
            .collect();
        edges_increase(&cs, &es, edges).unwrap();
        let flags = one_hot_band(&cs, &a, amount, &es, edges, claim).unwrap();
        let named: Vec<bool> = flags.iter().map(|f| f.value().unwrap()).collect();
        assert_eq!(named, claim);
        cs.is_satisfied().unwrap()
    }

    /// Up to two edges the bands are comparisons, not the prover's claim: even for edges out of
    /// order (the circuit checks their order from three edges on; the verifier refuses them
    /// natively), each flag is the comparisons' `edge_k <= amount < edge_(k+1)`, with no
    /// witness to choose.
    #[test]
    fn up_to_two_edges_the_bands_are_compared_not_claimed() {
        for (amount, edges, want) in [
            (7u64, vec![10u64, 5], vec![true, false, true]),
            (7, vec![5, 10], vec![false, true, false]),
            (7, vec![5], vec![false, true]),
            (7, vec![], vec![true]),
        ] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let a = witness(&cs, Fr::from(amount)).unwrap();
            let es: Vec<_> = edges
                .iter()
                .map(|&e| input(&cs, Fr::from(e)).unwrap())
                .collect();
            let flags = band_flags(&cs, &a, amount, &es, &edges).unwrap();
            let got: Vec<bool> = flags.iter().map(|f| f.value().unwrap()).collect();
            assert_eq!(got, want, "amount {amount}, edges {edges:?}");
            assert!(cs.is_satisfied().unwrap());
        }
    }

    /// Whether `claim` is accepted as the flags "a receipt from before `bound`" of slots
    /// holding receipts at `times` (`None`: an empty slot).
    fn bound_accepts(times: &[Option<u64>], bound: u64, claim: &[bool]) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let ts: Vec<_> = times
            .iter()
            .map(|t| {
                let t = t.unwrap_or(0);
                (witness(&cs, Fr::from(t)).unwrap(), t)
            })
            .collect();
        let present: Vec<_> = times
            .iter()
            .map(|t| Boolean::new_witness(cs.clone(), || Ok(t.is_some())).unwrap())
            .collect();
        let b = input(&cs, Fr::from(bound)).unwrap();
        let flags = below_bound(cs.clone(), &ts, &present, (&b, bound), claim).unwrap();
        let named: Vec<bool> = flags.iter().map(|f| f.value().unwrap()).collect();
        assert_eq!(named, claim);
        cs.is_satisfied().unwrap()
    }

    #[test]
    fn period_flags_accept_the_comparisons_only() {
        let max = u64::MAX;
        let slots = [
            vec![Some(10), Some(20), Some(20), Some(30)],
            vec![Some(10), Some(20), None, None],
            vec![Some(0), Some(0), Some(max), Some(max)],
            vec![None; 4],
        ];
        for times in &slots {
            for bound in [0, 1, 10, 11, 20, 21, 30, 31, max] {
                let honest: Vec<bool> =
                    times.iter().map(|t| t.is_some_and(|t| t < bound)).collect();
                // Every claim, the honest one among them: only it is accepted.
                for mask in 0..16u32 {
                    let claim: Vec<bool> = (0..4).map(|i| mask >> i & 1 == 1).collect();
                    assert_eq!(
                        bound_accepts(times, bound, &claim),
                        claim == honest,
                        "times {times:?}, bound {bound}, claim {claim:?}"
                    );
                }
            }
        }
    }

    fn only(k: usize) -> Vec<bool> {
        (0..4).map(|i| i == k).collect()
    }

    #[test]
    fn one_hot_bands_accept_the_amounts_band_only() {
        let edges = [500, 1000, 1500];
        for (amount, band) in [
            (0u64, 0usize),
            (499, 0),
            (500, 1),
            (999, 1),
            (1000, 2),
            (1499, 2),
            (1500, 3),
            (u64::MAX, 3),
        ] {
            assert_eq!(super::super::band_of(amount, &edges), band);
            for claimed in 0..4 {
                assert_eq!(
                    accepts(amount, &edges, &only(claimed)),
                    claimed == band,
                    "amount {amount} claimed in band {claimed}"
                );
            }
        }
        // Two bands at once, or none: refused (one_band), even when one of them is right.
        assert!(!accepts(700, &edges, &[false, true, true, false]));
        assert!(!accepts(700, &edges, &[false; 4]));
        // Edges that do not increase strictly are refused.
        assert!(!accepts(700, &[500, 500, 1500], &only(2)));
        assert!(!accepts(700, &[1000, 500, 1500], &only(1)));
    }

    #[test]
    fn comparison_bands_agree_with_band_of() {
        for edges in [&[][..], &[10][..], &[10, 20][..]] {
            for amount in [0u64, 9, 10, 19, 20, u64::MAX] {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let a = witness(&cs, Fr::from(amount)).unwrap();
                let es: Vec<_> = edges
                    .iter()
                    .map(|&e| input(&cs, Fr::from(e)).unwrap())
                    .collect();
                let flags = band_flags(&cs, &a, amount, &es, edges).unwrap();
                let band = super::super::band_of(amount, edges);
                let got: Vec<bool> = flags.iter().map(|f| f.value().unwrap()).collect();
                assert_eq!(
                    got,
                    (0..=edges.len()).map(|k| k == band).collect::<Vec<_>>()
                );
                assert!(cs.is_satisfied().unwrap());
            }
        }
    }
}
