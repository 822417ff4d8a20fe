//! The disclosure-totals batch circuit; its statement is in the parent module.

use super::{
    BatchPublic, BatchWitness, Period, Receipt, TotalsShape, BPS_DENOMINATOR, RECEIPT_DEPTH,
    SELLER_BITS, SEQ_BITS,
};
use crate::gadgets::{less_than, range_bits};
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
        let public = BatchPublic::empty(period, 0, 0);
        let witness = BatchWitness {
            slots: vec![None; shape.batch],
            path: MerklePath {
                index: 0,
                siblings: vec![Fr::zero(); (RECEIPT_DEPTH - shape.height()) as usize],
            },
        };
        TotalsCircuit {
            shape,
            public,
            witness,
        }
    }
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
        if w.slots.len() != b
            || p.period.edges.len() != shape.edges
            || p.band_counts.len() != shape.edges + 1
            || p.band_sums.len() != shape.edges + 1
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
        let j = input(&cs, f(p.batch))?;
        let cum_in = input(&cs, f(p.cum_in))?;
        let cum_out = input(&cs, f(p.cum_out))?;
        let present_out = input(&cs, f(p.present))?;
        let opens_out = input(&cs, f(p.opens as u64))?;
        let closes_out = input(&cs, f(p.closes as u64))?;
        let count_out = input(&cs, f(p.count))?;
        let amount_out = input(&cs, Fr::from(p.amount))?;
        let fees_out = input(&cs, Fr::from(p.fees))?;
        let band_count_out = p
            .band_counts
            .iter()
            .map(|&c| input(&cs, f(c)))
            .collect::<Result<Vec<_>, _>>()?;
        let band_sum_out = p
            .band_sums
            .iter()
            .map(|&s| input(&cs, Fr::from(s)))
            .collect::<Result<Vec<_>, _>>()?;

        // Range of the public parameters the comparisons rely on.
        range_bits(cs.clone(), &t0, p.period.t0, 64)?;
        range_bits(cs.clone(), &t1, p.period.t1, 64)?;
        for (e, &ev) in edges.iter().zip(&p.period.edges) {
            range_bits(cs.clone(), e, ev, 64)?;
        }
        range_bits(cs.clone(), &bps, p.period.bps, 14)?;
        range_bits(
            cs.clone(),
            &(FpVar::Constant(f(BPS_DENOMINATOR)) - &bps),
            BPS_DENOMINATOR.wrapping_sub(p.period.bps),
            14,
        )?;

        // 1. Position: the slots are seller's jB .. jB+B-1.
        let j_bits = range_bits(
            ns!(cs, "batch_index").cs(),
            &j,
            p.batch,
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
        let mut leaves = Vec::with_capacity(b);
        let mut prev_present = Boolean::TRUE;
        let mut prev_time: Option<(FpVar<Fr>, u64)> = None;
        let mut running = cum_in.clone();
        let (mut count, mut amount_sum, mut fee_sum) = (zero.clone(), zero.clone(), zero.clone());
        let mut band_counts = vec![zero.clone(); shape.edges + 1];
        let mut band_sums = vec![zero.clone(); shape.edges + 1];
        let mut present_count = zero.clone();
        let (mut opens, mut closes) = (Boolean::FALSE, Boolean::TRUE);
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
            // 2. Presence, and the receipt in the slot.
            let present = leaf.is_neq(&zero)?;
            (!prev_present.clone() & present.clone()).enforce_equal(&Boolean::FALSE)?;
            let seq = FpVar::Constant(f(b as u64)) * &j + FpVar::Constant(f(i as u64));
            let note = hash(&[
                FpVar::Constant(Fr::from(tags::RECEIPT)),
                listing,
                seller.clone(),
                buyer_tag,
                amount.clone(),
                fee.clone(),
                time.clone(),
                seq,
                cum.clone(),
                salt,
            ])?;
            note.conditional_enforce_equal(&leaf, &present)?;
            // 3. Ranges and the fee rule.
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
            range_bits(cs.clone(), &rem, rem_value, 14)?;
            let slack = FpVar::Constant(f(BPS_DENOMINATOR - 1)) - &rem;
            range_bits(
                cs.clone(),
                &slack,
                (BPS_DENOMINATOR - 1).wrapping_sub(rem_value),
                14,
            )?;
            let gross = &amount * &bps;
            (gross - &fee * FpVar::Constant(f(BPS_DENOMINATOR)) - &rem)
                .conditional_enforce_equal(&zero, &present)?;
            // 4. Chaining: cum and time.
            (&running + &amount).conditional_enforce_equal(&cum, &present)?;
            running = present.select(&cum, &running)?;
            if let Some((pt, pv)) = &prev_time {
                let back = less_than(cs.clone(), &time, r.time, pt, *pv, 64)?;
                (back & present.clone()).enforce_equal(&Boolean::FALSE)?;
            }
            prev_time = Some((time.clone(), r.time));
            present_count += FpVar::from(present.clone());
            // 5. In the period, and its band.
            let before = less_than(cs.clone(), &time, r.time, &t0, p.period.t0, 64)?;
            let in_end = less_than(cs.clone(), &time, r.time, &t1, p.period.t1, 64)?;
            let active = present.clone() & !before.clone() & in_end.clone();
            let active_f = FpVar::from(active.clone());
            count += &active_f;
            let active_amount = &active_f * &amount;
            amount_sum += &active_amount;
            fee_sum += &active_f * &fee;
            let below = edges
                .iter()
                .zip(&p.period.edges)
                .map(|(e, &ev)| less_than(cs.clone(), &amount, r.amount, e, ev, 64))
                .collect::<Result<Vec<_>, _>>()?;
            for k in 0..=shape.edges {
                // In band k: amount >= edge_k (k > 0) and amount < edge_(k+1) (k < E).
                let above_low = if k == 0 {
                    Boolean::TRUE
                } else {
                    !below[k - 1].clone()
                };
                let under_high = if k == shape.edges {
                    Boolean::TRUE
                } else {
                    below[k].clone()
                };
                let in_band = FpVar::from(active.clone() & above_low & under_high);
                band_counts[k] += &in_band;
                band_sums[k] += &in_band * &amount;
            }
            // 6. Opening and closing evidence.
            if i == 0 {
                opens = present.clone() & before;
            }
            if i == b - 1 {
                closes = !present.clone() | !in_end;
            }
            prev_present = present;
            leaves.push(leaf);
        }
        // Outputs.
        running.enforce_equal(&cum_out)?;
        present_count.enforce_equal(&present_out)?;
        FpVar::from(opens).enforce_equal(&opens_out)?;
        FpVar::from(closes).enforce_equal(&closes_out)?;
        count.enforce_equal(&count_out)?;
        amount_sum.enforce_equal(&amount_out)?;
        fee_sum.enforce_equal(&fees_out)?;
        for (got, want) in band_counts.iter().zip(&band_count_out) {
            got.enforce_equal(want)?;
        }
        for (got, want) in band_sums.iter().zip(&band_sum_out) {
            got.enforce_equal(want)?;
        }
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
        root_from_path(&level[0], &sibs, &direction)?.enforce_equal(&root)?;
        Ok(())
    }
}
