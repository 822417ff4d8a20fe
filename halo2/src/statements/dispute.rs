//! The delivery dispute (`delivery-dispute`) as a halo2 circuit. Statement, public inputs and
//! encodings are those of `veil_circuits::statements::dispute`:
//!
//! Public (instance rows): `key_id, nonce, i, c_0..c_(W-1), x_0..x_(W-1), salt_i`. Witness:
//! the dataset key `k`. Constraints:
//! 1. `key_id = H(KEY_ID, k)`;
//! 2. `x_t + ks_t = c_t`, `ks` the blocks `P([ek, i, b, STREAM])[0..3]` under
//!    `ek = H(ENC_KEY, k, nonce)`;
//! 3. `salt_i = H(SALT, k, i)`.

use super::{Halo2Statement, Layout, OneRegion};
use crate::chips::{Chips, Ctx};
use crate::field::to_halo2;
use halo2_proofs::circuit::Value;
use halo2_proofs::plonk::Error;
use veil_circuits::statements::dispute::{DisputePublic, DisputeWitness};
use veil_circuits::statements::{DeliveryDispute, DisputeShape};
use veil_circuits::tags;

/// The dispute circuit for records of `elements` elements.
#[derive(Clone, Debug)]
pub struct DisputeCircuit {
    elements: usize,
    witness: Option<DisputeWitness>,
}

impl Halo2Statement for DeliveryDispute {
    type Layout = DisputeCircuit;
    fn circuit(
        shape: &DisputeShape,
        _: DisputePublic,
        w: DisputeWitness,
    ) -> OneRegion<DisputeCircuit> {
        OneRegion::current(DisputeCircuit {
            elements: shape.elements as usize,
            witness: Some(w),
        })
    }
    fn blank_layout(shape: &DisputeShape) -> DisputeCircuit {
        DisputeCircuit {
            elements: shape.elements as usize,
            witness: None,
        }
    }
}

impl Layout for DisputeCircuit {
    const REGION: &'static str = "delivery dispute";

    fn without_witnesses(&self) -> Self {
        DisputeCircuit {
            elements: self.elements,
            witness: None,
        }
    }

    fn lay_out(&self, chips: &Chips, l: &mut Ctx<'_>) -> Result<(), Error> {
        let m = &chips.main;
        let width = self.elements;
        let key_id = chips.public(l, 0)?;
        let nonce = chips.public(l, 1)?;
        let index = chips.public(l, 2)?;
        let cipher = (0..width)
            .map(|t| chips.public(l, 3 + t))
            .collect::<Result<Vec<_>, _>>()?;
        let plain = (0..width)
            .map(|t| chips.public(l, 3 + width + t))
            .collect::<Result<Vec<_>, _>>()?;
        let salt = chips.public(l, 3 + 2 * width)?;
        let k = m.witness(
            l,
            self.witness
                .map_or(Value::unknown(), |w| Value::known(to_halo2(&w.key.0))),
        )?;

        // 1. The key is the listing's; 2. x + ks = c, block by block.
        let ek = chips.listed_encryption_key(l, k, &key_id, nonce)?;
        let rate = veil_circuits::poseidon2::RATE;
        for (b, (cs, xs)) in cipher.chunks(rate).zip(plain.chunks(rate)).enumerate() {
            let ks = chips.keystream_block(l, ek, index, b)?;
            for ((c, x), s) in cs.iter().zip(xs).zip(ks) {
                let sum = m.add(l, x, &s)?;
                m.assert_equal(l, &sum, c)?;
            }
        }

        // 3. The record's salt.
        let s = chips.hash_tagged(l, tags::SALT, &[k, index])?;
        m.assert_equal(l, &s, &salt)
    }
}
