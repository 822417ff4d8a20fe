//! The ciphertext opening (`ciphertext-opening`) as a halo2 circuit. Statement, public inputs
//! and encodings are those of `veil_circuits::statements::opening`:
//!
//! Public (instance rows): `key_id, nonce, r_0..r_(W-1)`, then per sample `i_j,
//! e_j0..e_j(W-1)`. Witness: the dataset key `k`. Constraints:
//! 1. `key_id = H(KEY_ID, k)`;
//! 2. each `r_t` is a bit;
//! 3. `e_jt = r_t ks_jt`, `ks` the blocks `P([ek, i_j, b, STREAM])[0..3]` under
//!    `ek = H(ENC_KEY, k, nonce)`.

use super::{Halo2Statement, Layout, OneRegion};
use crate::chips::{Chips, Ctx};
use crate::field::to_halo2;
use halo2_proofs::circuit::Value;
use halo2_proofs::plonk::Error;
use veil_circuits::statements::opening::{OpeningPublic, OpeningWitness};
use veil_circuits::statements::{CiphertextOpening, OpeningShape};

/// The opening circuit for `samples` records of `elements` elements.
#[derive(Clone, Debug)]
pub struct OpeningCircuit {
    samples: usize,
    elements: usize,
    witness: Option<OpeningWitness>,
}

impl Halo2Statement for CiphertextOpening {
    type Layout = OpeningCircuit;
    fn circuit(
        shape: &OpeningShape,
        _: OpeningPublic,
        w: OpeningWitness,
    ) -> OneRegion<OpeningCircuit> {
        OneRegion::current(OpeningCircuit {
            samples: shape.samples,
            elements: shape.elements as usize,
            witness: Some(w),
        })
    }
    fn blank_layout(shape: &OpeningShape) -> OpeningCircuit {
        OpeningCircuit {
            samples: shape.samples,
            elements: shape.elements as usize,
            witness: None,
        }
    }
}

impl Layout for OpeningCircuit {
    const REGION: &'static str = "ciphertext opening";

    fn without_witnesses(&self) -> Self {
        OpeningCircuit {
            witness: None,
            ..self.clone()
        }
    }

    fn lay_out(&self, chips: &Chips, l: &mut Ctx<'_>) -> Result<(), Error> {
        let m = &chips.main;
        let width = self.elements;
        let key_id = chips.public(l, 0)?;
        let nonce = chips.public(l, 1)?;
        let reveal = (0..width)
            .map(|t| chips.public(l, 2 + t))
            .collect::<Result<Vec<_>, _>>()?;
        let k = m.witness(
            l,
            self.witness
                .map_or(Value::unknown(), |w| Value::known(to_halo2(&w.key.0))),
        )?;

        // 1. The key is the listing's (and the delivery's encryption key).
        let ek = chips.listed_encryption_key(l, k, &key_id, nonce)?;

        // 2. The reveal bits are bits.
        for r in &reveal {
            m.assert_bool(l, r)?;
        }

        // 3. e = r ks, block by block, for every sample.
        let rate = veil_circuits::poseidon2::RATE;
        for j in 0..self.samples {
            let row = 2 + width + j * (1 + width);
            let index = chips.public(l, row)?;
            let opened = (0..width)
                .map(|t| chips.public(l, row + 1 + t))
                .collect::<Result<Vec<_>, _>>()?;
            for (b, (es, rs)) in opened.chunks(rate).zip(reveal.chunks(rate)).enumerate() {
                let ks = chips.keystream_block(l, ek, index, b)?;
                for ((e, r), s) in es.iter().zip(rs).zip(ks) {
                    let product = m.mul(l, r, &s)?;
                    m.assert_equal(l, &product, e)?;
                }
            }
        }
        Ok(())
    }
}
