//! The usage-call and usage-tier R1CS circuits; statements in the parent module.

use super::{
    CallPublic, CallWitness, CallsTree, Licence, TierPublic, TierWitness, CALLS_TREE_DEPTH,
    COUNTER_BITS,
};
use crate::gadgets::{named, range_bits};
use crate::merkle::{r1cs::root_from_path, zero_hashes, MerklePath};
use crate::poseidon2::r1cs::hash;
use crate::statements::{CallShape, Circuit, R1csStatement, TierShape, UsageCall, UsageTier};
use crate::{tags, Fr};
use ark_ff::{Field, Zero};
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use ark_relations::ns;

fn tag(t: u128) -> FpVar<Fr> {
    FpVar::Constant(Fr::from(t))
}

/// A path's siblings as witnesses.
fn siblings(
    cs: &ConstraintSystemRef<Fr>,
    path: &MerklePath,
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    path.siblings
        .iter()
        .map(|s| FpVar::new_witness(ns!(cs, "sibling"), || Ok(*s)))
        .collect()
}

/// The call circuit with an assignment (a blank one for setup).
pub type CallCircuit = Circuit<UsageCall>;

impl R1csStatement for UsageCall {
    /// Placeholder assignment of the shape, for setup and matrix extraction.
    fn placeholder(shape: &CallShape) -> (CallPublic, CallWitness) {
        let z = Fr::zero();
        let public = CallPublic {
            root: z,
            listing: z,
            epoch: 0,
            nullifier: z,
            request: z,
        };
        let witness = CallWitness {
            licence: Licence {
                listing: z,
                sk: z,
                quota: 1,
                expiry: 0,
                salt: z,
            },
            counter: 0,
            path: MerklePath {
                arity: crate::merkle::Arity::Binary,
                index: 0,
                siblings: vec![z; shape.depth as usize],
            },
        };
        (public, witness)
    }

    fn synthesize(
        circuit: Circuit<Self>,
        cs: ConstraintSystemRef<Fr>,
    ) -> Result<(), SynthesisError> {
        let Circuit {
            shape: CallShape { depth },
            public: p,
            witness: w,
        } = circuit;
        if w.path.siblings.len() != depth as usize {
            return Err(SynthesisError::Unsatisfiable);
        }
        let root = FpVar::new_input(ns!(cs, "root"), || Ok(p.root))?;
        let listing = FpVar::new_input(ns!(cs, "listing"), || Ok(p.listing))?;
        let epoch = FpVar::new_input(ns!(cs, "epoch"), || Ok(Fr::from(p.epoch)))?;
        let nullifier = FpVar::new_input(ns!(cs, "nullifier"), || Ok(p.nullifier))?;
        let request = FpVar::new_input(ns!(cs, "request"), || Ok(p.request))?;

        let l = &w.licence;
        let sk = FpVar::new_witness(ns!(cs, "sk"), || Ok(l.sk))?;
        let salt = FpVar::new_witness(ns!(cs, "salt"), || Ok(l.salt))?;
        let quota = FpVar::new_witness(ns!(cs, "quota"), || Ok(Fr::from(l.quota)))?;
        let expiry = FpVar::new_witness(ns!(cs, "expiry"), || Ok(Fr::from(l.expiry)))?;
        let counter = FpVar::new_witness(ns!(cs, "counter"), || Ok(Fr::from(w.counter)))?;

        // 1. The licence note is in the tree.
        let key = hash(&[tag(tags::KEY), sk.clone()])?;
        let note = hash(&[
            tag(tags::LICENCE),
            listing.clone(),
            key,
            quota.clone(),
            expiry.clone(),
            salt,
        ])?;
        let bits = (0..depth)
            .map(|h| {
                Boolean::new_witness(ns!(cs, "index_bit"), || Ok((w.path.index >> h) & 1 == 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sibs = siblings(&cs, &w.path)?;
        named(ns!(cs, "licence_in_tree"), || {
            root_from_path(&note, &sibs, &bits)?.enforce_equal(&root)
        })?;

        // 2-3. Range checks: epoch <= expiry, counter < quota.
        let n = COUNTER_BITS;
        range_bits(ns!(cs, "epoch_range").cs(), &epoch, p.epoch, n)?;
        range_bits(ns!(cs, "expiry_range").cs(), &expiry, l.expiry, n)?;
        range_bits(ns!(cs, "quota_range").cs(), &quota, l.quota, n)?;
        range_bits(ns!(cs, "counter_range").cs(), &counter, w.counter, n)?;
        range_bits(
            ns!(cs, "epoch_not_after_expiry").cs(),
            &(&expiry - &epoch),
            l.expiry.wrapping_sub(p.epoch),
            n,
        )?;
        let slack = l.quota.wrapping_sub(1).wrapping_sub(w.counter);
        range_bits(
            ns!(cs, "counter_below_quota").cs(),
            &(&quota - &counter - Fr::from(1u64)),
            slack,
            n,
        )?;

        // 4. The nullifier.
        named(ns!(cs, "nullifier_of_the_slot"), || {
            hash(&[tag(tags::NULLIFIER), sk, listing, epoch, counter])?.enforce_equal(&nullifier)
        })?;

        // 5. Bind the request hash.
        let r2 = FpVar::new_witness(ns!(cs, "request_squared"), || Ok(p.request * p.request))?;
        named(ns!(cs, "request_bound"), || {
            request.mul_equals(&request, &r2)
        })?;
        Ok(())
    }
}

/// The tier circuit with an assignment (a blank one for setup).
pub type TierCircuit = Circuit<UsageTier>;

impl R1csStatement for UsageTier {
    /// Placeholder assignment, for setup and matrix extraction.
    fn placeholder(_: &TierShape) -> (TierPublic, TierWitness) {
        let z = Fr::zero();
        let public = TierPublic {
            usage: z,
            listing: z,
            epoch: 0,
            lo: 0,
            hi: 1,
        };
        (
            public,
            CallsTree::build(&[]).expect("empty tree").tier_witness(z),
        )
    }

    fn synthesize(
        circuit: Circuit<Self>,
        cs: ConstraintSystemRef<Fr>,
    ) -> Result<(), SynthesisError> {
        let Circuit {
            shape: _,
            public: p,
            witness: w,
        } = circuit;
        let depth = CALLS_TREE_DEPTH as usize;
        if w.path.siblings.len() != depth {
            return Err(SynthesisError::Unsatisfiable);
        }
        let usage = FpVar::new_input(ns!(cs, "usage"), || Ok(p.usage))?;
        let listing = FpVar::new_input(ns!(cs, "listing"), || Ok(p.listing))?;
        let epoch = FpVar::new_input(ns!(cs, "epoch"), || Ok(Fr::from(p.epoch)))?;
        let lo = FpVar::new_input(ns!(cs, "lo"), || Ok(Fr::from(p.lo)))?;
        let hi = FpVar::new_input(ns!(cs, "hi"), || Ok(Fr::from(p.hi)))?;
        let count = FpVar::new_witness(ns!(cs, "count"), || Ok(Fr::from(w.count)))?;
        let salt = FpVar::new_witness(ns!(cs, "salt"), || Ok(w.salt))?;
        let calls_root = FpVar::new_witness(ns!(cs, "calls_root"), || Ok(w.calls_root))?;
        let last_leaf = FpVar::new_witness(ns!(cs, "last_leaf"), || Ok(w.last_leaf))?;

        // 1. U opens to the calls tree's root.
        named(ns!(cs, "usage_opens"), || {
            hash(&[
                tag(tags::USAGE),
                listing,
                epoch.clone(),
                calls_root.clone(),
                salt,
            ])?
            .enforce_equal(&usage)
        })?;

        // 2. Ranges: lo <= count < hi.
        let n = COUNTER_BITS;
        range_bits(ns!(cs, "epoch_range").cs(), &epoch, p.epoch, n)?;
        range_bits(ns!(cs, "count_range").cs(), &count, w.count, n)?;
        range_bits(ns!(cs, "lo_range").cs(), &lo, p.lo, n)?;
        range_bits(ns!(cs, "hi_range").cs(), &hi, p.hi, n)?;
        range_bits(
            ns!(cs, "count_not_below_lo").cs(),
            &(&count - &lo),
            w.count.wrapping_sub(p.lo),
            n,
        )?;
        range_bits(
            ns!(cs, "count_below_hi").cs(),
            &(&hi - &count - Fr::from(1u64)),
            p.hi.wrapping_sub(1).wrapping_sub(w.count),
            n,
        )?;

        // 3. count is one more than the index of the tree's last non-empty leaf.
        let empty = count.is_zero()?;
        let full = FpVar::from(!empty.clone());
        let zeros = zero_hashes(CALLS_TREE_DEPTH);
        // The empty tree when count = 0.
        named(ns!(cs, "no_calls_is_the_empty_tree"), || {
            (FpVar::from(empty.clone()) * (&calls_root - zeros[depth]))
                .enforce_equal(&FpVar::zero())
        })?;
        // Direction bits: the 32 bits of count - 1 (of 0 when count = 0).
        let last_index = &count - &full;
        let bits = range_bits(cs.clone(), &last_index, w.count.saturating_sub(1), depth)?;
        let sibs = siblings(&cs, &w.path)?;
        let root = root_from_path(&last_leaf, &sibs, &bits)?;
        named(ns!(cs, "last_call_in_tree"), || {
            (&full * (&root - &calls_root)).enforce_equal(&FpVar::zero())
        })?;
        // The last leaf is not empty: last_leaf * inv = full.
        let inv = FpVar::new_witness(ns!(cs, "last_leaf_inverse"), || {
            Ok(w.last_leaf.inverse().unwrap_or_default())
        })?;
        named(ns!(cs, "last_call_not_empty"), || {
            last_leaf.mul_equals(&inv, &full)
        })?;
        // Every subtree right of the path is empty.
        for (h, (sib, bit)) in sibs.iter().zip(&bits).enumerate() {
            let left_child = &full * FpVar::from(!bit.clone());
            named(ns!(cs, "no_call_after_the_last"), || {
                (left_child * (sib - zeros[h])).enforce_equal(&FpVar::zero())
            })?;
        }
        Ok(())
    }
}
