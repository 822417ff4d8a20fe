//! Preview membership (`preview-membership-d{D}-k{K}-m{m}`) as a halo2 circuit. Statement,
//! public inputs and encodings are those of `veil_circuits::statements::preview`:
//!
//! Public (instance rows, in order): `C, s, mask`, then per sample `idx_j, pv_j0 ..
//! pv_j(m-1)`. Witness: `root, n, S`, the cap's `4^t` nodes, and per sample `salt_j`, the value
//! hashes `v_jc` and the `3 (L - t)` siblings below the cap. Constraints:
//! 1. `C = H(DATASET_V2, root, n, D, S)`;
//! 2. `mask = Σ b_c 2^c`, each `b_c` boolean;
//! 3. `seed = H(SAMPLE_SEED, C, s)`, `h_j = H(SAMPLE, seed, j) = lo_j + 2^64 hi_j` with
//!    `lo_j < 2^64`, `hi_j < 2^190` and `max_high_word - hi_j < 2^190` (the canonical split);
//! 4. `lo_j = q_j n + idx_j`, `q_j < 2^64`, `idx_j < 2^D` (its `D` bits) and `n - 1 - idx_j <
//!    2^D`;
//! 5. `pv_jc (1 - b_c) = 0`, and the cell used is `b_c ? pv_jc : v_jc`;
//! 6. the cap compresses (four at a time) to `root`, and `H(ROW, idx_j, salt_j, cells...)`
//!    climbs the quaternary path steered by the low `2 (L - t)` bits of `idx_j` to the cap
//!    node its high bits pick (bits above `D` are the constant 0).

use super::{Halo2Statement, Layout, OneRegion};
use crate::chips::{Chips, Ctx, Var};
use crate::field::{from_halo2, to_halo2};
use crate::Fp;
use halo2_proofs::arithmetic::Field;
use halo2_proofs::circuit::Value;
use halo2_proofs::plonk::Error;
use veil_circuits::field::{max_high_word, split_low_word};
use veil_circuits::statements::preview::{PreviewPublic, PreviewShape, PreviewWitness};
use veil_circuits::statements::PreviewMembership;
use veil_circuits::tags;

/// Bits of the high word's range checks (`floor(r / 2^64) < 2^190`).
const HIGH_WORD_BITS: usize = 190;

/// The preview circuit of one shape.
#[derive(Clone, Debug)]
pub struct PreviewCircuit {
    shape: PreviewShape,
    witness: Option<PreviewWitness>,
}

impl Halo2Statement for PreviewMembership {
    type Layout = PreviewCircuit;
    fn circuit(
        shape: &PreviewShape,
        _: PreviewPublic,
        witness: PreviewWitness,
    ) -> OneRegion<PreviewCircuit> {
        OneRegion::current(PreviewCircuit {
            shape: *shape,
            witness: Some(witness),
        })
    }
    fn blank_layout(shape: &PreviewShape) -> PreviewCircuit {
        PreviewCircuit {
            shape: *shape,
            witness: None,
        }
    }
}

impl Layout for PreviewCircuit {
    const REGION: &'static str = "preview membership";

    fn without_witnesses(&self) -> Self {
        PreviewCircuit {
            shape: self.shape,
            witness: None,
        }
    }

    fn lay_out(&self, chips: &Chips, l: &mut Ctx<'_>) -> Result<(), Error> {
        let shape = &self.shape;
        let (depth, k, columns) = (shape.depth as usize, shape.samples, shape.columns);
        let (levels, cap_level) = shape.tree_levels();
        let w = self.witness.as_ref();
        if w.is_some_and(|w| {
            w.samples.len() != k
                || w.cap.len() != shape.cap_len()
                || w.samples
                    .iter()
                    .any(|s| s.values.len() != columns || s.path.siblings.len() != 3 * levels)
        }) {
            return Err(Error::Synthesis);
        }
        let known =
            |f: &dyn Fn(&PreviewWitness) -> Fp| w.map_or(Value::unknown(), |w| Value::known(f(w)));
        let m = &chips.main;
        let one = Fp::ONE;

        // Public inputs, in the statement's order.
        let mut row = 0..;
        let mut public = |l: &mut Ctx<'_>| chips.public(l, row.next().expect("rows"));
        let c = public(l)?;
        let s = public(l)?;
        let mask = public(l)?;
        let mut samples = Vec::with_capacity(k);
        for _ in 0..k {
            let idx = public(l)?;
            let revealed = (0..columns)
                .map(|_| public(l))
                .collect::<Result<Vec<_>, _>>()?;
            samples.push((idx, revealed));
        }

        // 1. Open the commitment.
        let root = m.witness(l, known(&|w| to_halo2(&w.root)))?;
        let n = m.witness(l, known(&|w| Fp::from(w.records)))?;
        let schema = m.witness(l, known(&|w| to_halo2(&w.schema_hash)))?;
        let d = m.constant(l, Fp::from(shape.depth as u64))?;
        let opened = chips.hash_tagged(l, tags::DATASET_V2, &[root, n, d, schema])?;
        m.assert_equal(l, &opened, &c)?;

        // 6 (shared part). The cap compresses to the root.
        let cap = (0..shape.cap_len())
            .map(|i| m.witness(l, known(&|w| to_halo2(&w.cap[i]))))
            .collect::<Result<Vec<Var>, _>>()?;
        let mut level = cap.clone();
        while level.len() > 1 {
            level = level
                .chunks(4)
                .map(|q| chips.poseidon.compress(l, m, [q[0], q[1], q[2], q[3]]))
                .collect::<Result<Vec<_>, _>>()?;
        }
        m.assert_equal(l, &level[0], &root)?;

        // 2. The mask's bits.
        let mask_bits = m.bits(l, &mask, columns)?;

        // 3. The sample seed.
        let seed = chips.hash_tagged(l, tags::SAMPLE_SEED, &[c, s])?;
        let zero = m.constant(l, Fp::ZERO)?;
        let two_64 = Fp::from(2).pow_vartime([64]);
        let top = to_halo2(&max_high_word());
        for (j, (idx, revealed)) in samples.iter().enumerate() {
            // 3. lo_j: the low word of the canonical split of h_j.
            let jj = m.constant(l, Fp::from(j as u64))?;
            let h = chips.hash_tagged(l, tags::SAMPLE, &[seed, jj])?;
            let split = h.value.map(|v| split_low_word(from_halo2(&v)));
            let lo = m.witness(l, split.map(|(lo, _)| Fp::from(lo)))?;
            let hi = m.witness(l, split.map(|(_, hi)| to_halo2(&hi)))?;
            chips.range(l, &lo, 64)?;
            chips.range(l, &hi, HIGH_WORD_BITS)?;
            let below_top = m.linear(l, (-one, &hi), (Fp::ZERO, &hi), top)?;
            chips.range(l, &below_top, HIGH_WORD_BITS)?;
            let joined = m.linear(l, (one, &lo), (two_64, &hi), Fp::ZERO)?;
            m.assert_equal(l, &joined, &h)?;

            // 4. lo = q n + idx, q < 2^64, idx < 2^D, n - 1 - idx < 2^D.
            let records = w.map(|w| w.records.max(1));
            let q = m.witness(
                l,
                split.and_then(|(lo, _)| {
                    records.map_or(Value::unknown(), |n| Value::known(Fp::from(lo / n)))
                }),
            )?;
            chips.range(l, &q, 64)?;
            let mut idx_bits = m.bits(l, idx, depth)?;
            let qn = m.mul(l, &q, &n)?;
            let drawn = m.add(l, &qn, idx)?;
            m.assert_equal(l, &drawn, &lo)?;
            let slack = m.linear(l, (one, &n), (-one, idx), -one)?;
            chips.range(l, &slack, depth)?;

            // 5. Revealed cells are the public ones; redacted ones publish zero.
            let salt = m.witness(l, known(&|w| to_halo2(&w.samples[j].salt)))?;
            let mut leaf_inputs = vec![*idx, salt];
            for (col, (pv, bit)) in revealed.iter().zip(&mask_bits).enumerate() {
                let v = m.witness(l, known(&|w| to_halo2(&w.samples[j].values[col])))?;
                let redacted = m.linear(l, (-one, bit), (Fp::ZERO, bit), one)?;
                m.assert_product_zero(l, pv, &redacted)?;
                leaf_inputs.push(m.select(l, bit, pv, &v)?);
            }
            let leaf = chips.hash_tagged(l, tags::ROW, &leaf_inputs)?;

            // 6. The leaf climbs to the cap node its high bits pick.
            idx_bits.resize(2 * levels, zero);
            let siblings = (0..3 * cap_level)
                .map(|i| m.witness(l, known(&|w| to_halo2(&w.samples[j].path.siblings[i]))))
                .collect::<Result<Vec<Var>, _>>()?;
            let (below, above) = idx_bits.split_at(2 * cap_level);
            let node = chips.root_from_quad_path(l, &leaf, &siblings, below)?;
            let picked = chips.pick(l, &cap, above)?;
            m.assert_equal(l, &node, &picked)?;
        }
        Ok(())
    }
}
