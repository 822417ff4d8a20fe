//! The disclosure-totals batch circuit; its statement is in the parent module.

use super::{
    pow2, BatchPublic, BatchWitness, ChainState, Period, PeriodTotals, Receipt, TotalsShape,
    BPS_DENOMINATOR, RECEIPT_DEPTH, SELLER_BITS, SEQ_BITS,
};
use crate::gadgets::{less_than, named, range_bits};
use crate::merkle::{r1cs::root_from_path, MerklePath};
use crate::poseidon2::r1cs::hash;
use crate::{tags, Fr};
use ark_ff::Zero;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_relations::ns;

/// One batch, with its assignment (a blank one for setup).
#[derive(Clone, Debug)]
pub struct TotalsCircuit {
    /// Shape.
    pub shape: TotalsShape,
    /// Public inputs.
    pub public: BatchPublic,
    /// Witness.
    pub witness: BatchWitness,
}

impl TotalsCircuit {
    /// Placeholder assignment of the shape (all slots empty).
    pub fn blank(shape: TotalsShape) -> Self {
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
                index: 0,
                siblings: vec![Fr::zero(); (RECEIPT_DEPTH - shape.height()) as usize],
            },
        };
        let public = super::batch_public(&period, true, true, &witness);
        TotalsCircuit {
            shape,
            public,
            witness,
        }
    }
}

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

fn input(cs: &ConstraintSystemRef<Fr>, v: Fr) -> Result<FpVar<Fr>, SynthesisError> {
    FpVar::new_input(cs.clone(), || Ok(v))
}

fn witness(cs: &ConstraintSystemRef<Fr>, v: Fr) -> Result<FpVar<Fr>, SynthesisError> {
    FpVar::new_witness(cs.clone(), || Ok(v))
}

impl ConstraintSynthesizer<Fr> for TotalsCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let TotalsCircuit {
            shape,
            public: p,
            witness: w,
        } = self;
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
        let mut prev_time: Option<(FpVar<Fr>, u64)> = None;
        let mut running = cum_in.clone();
        // The outgoing totals: count, amount, fees, band counts, band sums.
        let mut acc = totals_in.clone();
        let (mut opens, mut closes, mut full) = (Boolean::FALSE, Boolean::TRUE, Boolean::FALSE);
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
            // The packing is injective: amount, fee, time and cum are range-checked below
            // 2^64 (4.), seq = jB + i < 2^20 and seller < 2^12 by their range checks.
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
            for (v, val) in [
                (&amount, r.amount),
                (&fee, r.fee),
                (&time, r.time),
                (&cum, r.cum),
            ] {
                range_bits(cs.clone(), v, val, 64)?;
            }
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
            // 5. Chaining: cum and time.
            named(ns!(cs, "cum_chains"), || {
                (&running + &amount).conditional_enforce_equal(&cum, &present)
            })?;
            running = present.select(&cum, &running)?;
            if let Some((pt, pv)) = &prev_time {
                let back = less_than(cs.clone(), &time, r.time, pt, *pv, 64)?;
                named(ns!(cs, "time_not_backwards"), || {
                    (back & present.clone()).enforce_equal(&Boolean::FALSE)
                })?;
            }
            prev_time = Some((time.clone(), r.time));
            // 6. In the period, and its band.
            let before = less_than(cs.clone(), &time, r.time, &t0, p.period.t0, 64)?;
            let in_end = less_than(cs.clone(), &time, r.time, &t1, p.period.t1, 64)?;
            let active = present.clone() & !before.clone() & in_end.clone();
            let active_f = FpVar::from(active.clone());
            acc[0] += &active_f;
            acc[1] += &active_f * &amount;
            acc[2] += &active_f * &fee;
            let band = band_flags(&cs, &amount, r.amount, &edges, &p.period.edges)?;
            for (k, in_k) in band.into_iter().enumerate() {
                let in_band = FpVar::from(active.clone() & in_k);
                acc[3 + k] += &in_band;
                acc[3 + bands + k] += &in_band * &amount;
            }
            // 2 and 7: evidence for the chain's start and end.
            if i == 0 {
                opens = present.clone() & before;
            }
            if i == b - 1 {
                closes = !present.clone() | !in_end;
                full = present.clone();
            }
            prev_present = present;
            leaves.push(leaf);
        }
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
