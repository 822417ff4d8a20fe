//! The delivery-dispute R1CS circuit; statement in the parent module.

use super::{DisputePublic, DisputeWitness};
use crate::dataset::DatasetKey;
use crate::gadgets::{keystream_block, listed_encryption_key, named};
use crate::poseidon2::r1cs::hash;
use crate::statements::{Circuit, DeliveryDispute, DisputeShape, R1csStatement};
use crate::{poseidon2, tags, Fr};
use ark_ff::Zero;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use ark_relations::ns;

fn tag(t: u128) -> FpVar<Fr> {
    FpVar::Constant(tags::fr(t))
}

/// The dispute circuit with an assignment (a blank one for setup).
pub type DisputeCircuit = Circuit<DeliveryDispute>;

impl R1csStatement for DeliveryDispute {
    fn placeholder(shape: &DisputeShape) -> (DisputePublic, DisputeWitness) {
        let z = Fr::zero();
        let w = shape.elements as usize;
        let public = DisputePublic {
            key_id: z,
            nonce: z,
            index: 0,
            cipher: vec![z; w],
            plain: vec![z; w],
            salt: z,
        };
        (public, DisputeWitness { key: DatasetKey(z) })
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
        if p.cipher.len() != width || p.plain.len() != width {
            return Err(SynthesisError::Unsatisfiable);
        }
        let key_id = FpVar::new_input(ns!(cs, "key_id"), || Ok(p.key_id))?;
        let nonce = FpVar::new_input(ns!(cs, "nonce"), || Ok(p.nonce))?;
        let index = FpVar::new_input(ns!(cs, "index"), || Ok(Fr::from(p.index)))?;
        let cipher = p
            .cipher
            .iter()
            .map(|c| FpVar::new_input(ns!(cs, "cipher"), || Ok(*c)))
            .collect::<Result<Vec<_>, _>>()?;
        let plain = p
            .plain
            .iter()
            .map(|x| FpVar::new_input(ns!(cs, "plain"), || Ok(*x)))
            .collect::<Result<Vec<_>, _>>()?;
        let salt = FpVar::new_input(ns!(cs, "salt"), || Ok(p.salt))?;
        let k = FpVar::new_witness(ns!(cs, "key"), || Ok(w.key.0))?;

        // 1. The key is the listing's; 2. x + ks = c, block by block.
        let ek = listed_encryption_key(cs.clone(), &k, &key_id, &nonce)?;
        for (b, (cs_block, xs_block)) in cipher
            .chunks(poseidon2::RATE)
            .zip(plain.chunks(poseidon2::RATE))
            .enumerate()
        {
            let ks = keystream_block(&ek, &index, b)?;
            for ((c, x), s) in cs_block.iter().zip(xs_block).zip(ks) {
                named(ns!(cs, "plaintext_is_the_decryption"), || {
                    (x + s).enforce_equal(c)
                })?;
            }
        }

        // 3. The record's salt.
        named(ns!(cs, "salt_of_the_record"), || {
            hash(&[tag(tags::SALT), k, index])?.enforce_equal(&salt)
        })?;
        Ok(())
    }
}
