//! The ciphertext-opening R1CS circuit; statement in the parent module.

use super::{OpenedSample, OpeningPublic, OpeningWitness};
use crate::dataset::DatasetKey;
use crate::gadgets::{keystream_block, listed_encryption_key, named};
use crate::statements::{CiphertextOpening, Circuit, OpeningShape, R1csStatement};
use crate::{poseidon2, Fr};
use ark_ff::Zero;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use ark_relations::ns;

/// The opening circuit with an assignment (a blank one for setup).
pub type OpeningCircuit = Circuit<CiphertextOpening>;

impl R1csStatement for CiphertextOpening {
    fn placeholder(shape: &OpeningShape) -> (OpeningPublic, OpeningWitness) {
        let z = Fr::zero();
        let w = shape.elements as usize;
        let public = OpeningPublic {
            key_id: z,
            nonce: z,
            reveal: vec![false; w],
            samples: vec![
                OpenedSample {
                    index: 0,
                    keystream: vec![z; w],
                };
                shape.samples
            ],
        };
        (public, OpeningWitness { key: DatasetKey(z) })
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
        let width = shape.elements as usize;
        if p.reveal.len() != width
            || p.samples.len() != shape.samples
            || p.samples.iter().any(|s| s.keystream.len() != width)
        {
            return Err(SynthesisError::Unsatisfiable);
        }
        let key_id = FpVar::new_input(ns!(cs, "key_id"), || Ok(p.key_id))?;
        let nonce = FpVar::new_input(ns!(cs, "nonce"), || Ok(p.nonce))?;
        let reveal = p
            .reveal
            .iter()
            .map(|&r| FpVar::new_input(ns!(cs, "reveal"), || Ok(Fr::from(r as u64))))
            .collect::<Result<Vec<_>, _>>()?;
        let mut samples = Vec::with_capacity(shape.samples);
        for s in &p.samples {
            let index = FpVar::new_input(ns!(cs, "index"), || Ok(Fr::from(s.index)))?;
            let opened = s
                .keystream
                .iter()
                .map(|e| FpVar::new_input(ns!(cs, "opened"), || Ok(*e)))
                .collect::<Result<Vec<_>, _>>()?;
            samples.push((index, opened));
        }
        let k = FpVar::new_witness(ns!(cs, "key"), || Ok(w.key.0))?;

        // 1. The key is the listing's (and the delivery's encryption key).
        let ek = listed_encryption_key(cs.clone(), &k, &key_id, &nonce)?;

        // 2. The reveal bits are bits.
        for r in &reveal {
            named(ns!(cs, "reveal_bits_are_boolean"), || {
                r.mul_equals(&(FpVar::one() - r), &FpVar::zero())
            })?;
        }

        // 3. e = r ks, block by block, for every sample.
        for (index, opened) in &samples {
            for (b, (es, rs)) in opened
                .chunks(poseidon2::RATE)
                .zip(reveal.chunks(poseidon2::RATE))
                .enumerate()
            {
                let ks = keystream_block(&ek, index, b)?;
                for ((e, r), s) in es.iter().zip(rs).zip(ks) {
                    named(ns!(cs, "opened_keystream"), || r.mul_equals(&s, e))?;
                }
            }
        }
        Ok(())
    }
}
