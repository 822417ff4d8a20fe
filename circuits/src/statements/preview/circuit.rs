//! The preview-membership R1CS circuit; its statement is written out in the parent module.

use super::{
    draw_sample, PreviewMembership, PreviewPublic, PreviewShape, PreviewWitness, SamplePublic,
    SampleWitness,
};
use crate::dataset::TREE_ARITY;
use crate::gadgets::{low_word, named, range_bits};
use crate::merkle::{r1cs::root_from_quad_path, MerklePath};
use crate::poseidon2::r1cs::{compress, hash};
use crate::statements::{Circuit, R1csStatement};
use crate::{poseidon2, tags, Fr};
use ark_ff::Zero;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use ark_relations::ns;

/// The circuit with an assignment (a blank one for setup).
pub type PreviewCircuit = Circuit<PreviewMembership>;

/// `nodes[bits]` (bits little-endian, `nodes.len() = 2^bits.len()`), by a tree of selections:
/// `nodes.len() - 1` constraints.
fn pick(nodes: &[FpVar<Fr>], bits: &[Boolean<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    let mut level = nodes.to_vec();
    for bit in bits {
        level = level
            .chunks(2)
            .map(|p| bit.select(&p[1], &p[0]))
            .collect::<Result<Vec<_>, _>>()?;
    }
    Ok(level[0].clone())
}

fn constant(x: u128) -> FpVar<Fr> {
    FpVar::Constant(Fr::from(x))
}

impl R1csStatement for PreviewMembership {
    /// An assignment of the right shape with placeholder values, for setup and for
    /// extracting the constraint matrices (it does not satisfy the constraints).
    fn placeholder(shape: &PreviewShape) -> (PreviewPublic, PreviewWitness) {
        let public = PreviewPublic {
            commitment: Fr::zero(),
            challenge: Fr::zero(),
            reveal_mask: 0,
            samples: vec![
                SamplePublic {
                    index: 0,
                    revealed: vec![Fr::zero(); shape.columns]
                };
                shape.samples
            ],
        };
        let witness = PreviewWitness {
            root: Fr::zero(),
            records: 1,
            schema_hash: Fr::zero(),
            cap: vec![Fr::zero(); shape.cap_len()],
            samples: vec![
                SampleWitness {
                    salt: Fr::zero(),
                    values: vec![Fr::zero(); shape.columns],
                    path: MerklePath {
                        arity: TREE_ARITY,
                        index: 0,
                        siblings: vec![Fr::zero(); 3 * shape.tree_levels().0]
                    },
                };
                shape.samples
            ],
        };
        (public, witness)
    }

    fn synthesize(
        circuit: Circuit<Self>,
        cs: ConstraintSystemRef<Fr>,
    ) -> Result<(), SynthesisError> {
        let Circuit {
            shape,
            public,
            witness,
        } = circuit;
        let depth = shape.depth as usize;
        let (levels, cap_level) = shape.tree_levels();
        if public.samples.len() != shape.samples
            || witness.samples.len() != shape.samples
            || public
                .samples
                .iter()
                .any(|s| s.revealed.len() != shape.columns)
            || witness
                .samples
                .iter()
                .any(|s| s.values.len() != shape.columns || s.path.siblings.len() != 3 * levels)
            || witness.cap.len() != shape.cap_len()
        {
            return Err(SynthesisError::Unsatisfiable);
        }

        // Public inputs, in the documented order.
        let c = FpVar::new_input(ns!(cs, "commitment"), || Ok(public.commitment))?;
        let s = FpVar::new_input(ns!(cs, "challenge"), || Ok(public.challenge))?;
        let mask = FpVar::new_input(ns!(cs, "reveal_mask"), || Ok(Fr::from(public.reveal_mask)))?;
        let mut pub_samples = Vec::with_capacity(shape.samples);
        for p in &public.samples {
            let idx = FpVar::new_input(ns!(cs, "index"), || Ok(Fr::from(p.index)))?;
            let vals = p
                .revealed
                .iter()
                .map(|v| FpVar::new_input(ns!(cs, "revealed_value"), || Ok(*v)))
                .collect::<Result<Vec<_>, _>>()?;
            pub_samples.push((idx, vals));
        }

        // 1. Open the commitment.
        let root = FpVar::new_witness(ns!(cs, "root"), || Ok(witness.root))?;
        let n = FpVar::new_witness(ns!(cs, "records"), || Ok(Fr::from(witness.records)))?;
        let schema = FpVar::new_witness(ns!(cs, "schema_hash"), || Ok(witness.schema_hash))?;
        named(ns!(cs, "commitment_opens"), || {
            hash(&[
                constant(tags::DATASET_V2),
                root.clone(),
                n.clone(),
                constant(shape.depth as u128),
                schema,
            ])?
            .enforce_equal(&c)
        })?;

        // 6 (shared part). The cap hashes to the root.
        let cap = witness
            .cap
            .iter()
            .map(|x| FpVar::new_witness(ns!(cs, "cap_node"), || Ok(*x)))
            .collect::<Result<Vec<_>, _>>()?;
        named(ns!(cs, "cap_hashes_to_the_root"), || {
            let mut level = cap.clone();
            while level.len() > 1 {
                level = level
                    .chunks(4)
                    .map(|c| compress(&[c[0].clone(), c[1].clone(), c[2].clone(), c[3].clone()]))
                    .collect::<Result<Vec<_>, _>>()?;
            }
            level[0].enforce_equal(&root)
        })?;

        // 2. The mask's bits.
        let mask_bits = range_bits(
            ns!(cs, "mask_bits").cs(),
            &mask,
            public.reveal_mask,
            shape.columns,
        )?;

        // 3. The sample seed.
        let seed = hash(&[constant(tags::SAMPLE_SEED), c.clone(), s])?;
        let seed_value = super::sample_seed(public.commitment, public.challenge);

        for (j, ((idx, pvals), w)) in pub_samples.iter().zip(&witness.samples).enumerate() {
            let cs = ns!(cs, "sample").cs();
            // 3. lo_j: the low 64 bits of the unique decomposition of h_j.
            let h = hash(&[constant(tags::SAMPLE), seed.clone(), constant(j as u128)])?;
            let h_value =
                poseidon2::hash(&[tags::fr(tags::SAMPLE), seed_value, Fr::from(j as u64)]);
            let lo = low_word(ns!(cs, "draw_low_word").cs(), &h, h_value)?;

            // 4. lo = q n + idx, q < 2^64, idx < 2^D, n - 1 - idx < 2^D.
            let draw = draw_sample(seed_value, j, witness.records);
            let q = FpVar::new_witness(ns!(cs, "quotient"), || Ok(Fr::from(draw.quotient)))?;
            range_bits(ns!(cs, "quotient_range").cs(), &q, draw.quotient, 64)?;
            let index = w.path.index;
            let idx_bits = range_bits(ns!(cs, "index_range").cs(), idx, index, depth)?;
            named(ns!(cs, "index_is_the_draw"), || {
                (&q * &n + idx).enforce_equal(&lo)
            })?;
            let slack = witness.records.wrapping_sub(1).wrapping_sub(index);
            range_bits(
                ns!(cs, "index_below_records").cs(),
                &(&n - idx - Fr::from(1u64)),
                slack,
                depth,
            )?;

            // 5. Revealed cells are the public ones; redacted ones publish zero.
            let mut leaf_inputs = vec![
                constant(tags::ROW),
                idx.clone(),
                FpVar::new_witness(ns!(cs, "salt"), || Ok(w.salt))?,
            ];
            for (col, (pv, bit)) in pvals.iter().zip(&mask_bits).enumerate() {
                let v = FpVar::new_witness(ns!(cs, "value"), || Ok(w.values[col]))?;
                let b = FpVar::from(bit.clone());
                named(ns!(cs, "redacted_cell_is_zero"), || {
                    pv.mul_equals(&(FpVar::one() - &b), &FpVar::zero())
                })?;
                leaf_inputs.push(&v + &b * (pv - &v));
            }

            // 6. The leaf is on a path to its cap node, steered by idx's bits (two a level,
            // padded with zeros to 2 * levels for an odd depth): the low ones below the cap,
            // the high ones pick the node.
            let mut idx_bits = idx_bits;
            idx_bits.resize(2 * levels, Boolean::FALSE);
            let sibs = w.path.siblings[..3 * cap_level]
                .iter()
                .map(|x| FpVar::new_witness(ns!(cs, "sibling"), || Ok(*x)))
                .collect::<Result<Vec<_>, _>>()?;
            named(ns!(cs, "row_in_tree"), || {
                let (below, above) = idx_bits.split_at(2 * cap_level);
                let node = root_from_quad_path(&hash(&leaf_inputs)?, &sibs, below)?;
                pick(&cap, above)?.enforce_equal(&node)
            })?;
        }
        Ok(())
    }
}
