//! The usage tier (`usage-tier-d32`) as a halo2 circuit. Statement, public inputs and
//! encodings are those of `veil_circuits::statements::usage`:
//!
//! Public (instance rows 0-4): `U, listing, epoch, lo, hi`. Witness: `count, salt,
//! calls_root`, the last leaf and its 32 siblings. Constraints:
//! 1. `U = H(USAGE, listing, epoch, calls_root, salt)`;
//! 2. `count, lo, hi, epoch < 2^32`, `count - lo < 2^32` and `hi - 1 - count < 2^32` (byte
//!    lookups), so `lo <= count < hi`;
//! 3. `e = (count == 0)`; if `e`, `calls_root = Z_32`; otherwise the 32 bits of `count - 1`
//!    steer a path from a non-zero `last_leaf` to `calls_root`, and every sibling right of the
//!    path (bit 0) is the empty subtree `Z_h`.

use super::{Halo2Statement, Layout, OneRegion};
use crate::chips::{Chips, Ctx, Var};
use crate::field::to_halo2;
use crate::Fp;
use halo2_proofs::arithmetic::Field;
use halo2_proofs::circuit::Value;
use halo2_proofs::plonk::Error;
use veil_circuits::merkle::zero_hashes;
use veil_circuits::statements::usage::{TierPublic, TierWitness, CALLS_TREE_DEPTH, COUNTER_BITS};
use veil_circuits::statements::{TierShape, UsageTier};
use veil_circuits::tags;

/// The tier circuit.
#[derive(Clone, Debug)]
pub struct TierCircuit {
    witness: Option<TierWitness>,
}

impl Halo2Statement for UsageTier {
    type Layout = TierCircuit;
    fn circuit(_: &TierShape, _: TierPublic, witness: TierWitness) -> OneRegion<TierCircuit> {
        OneRegion::current(TierCircuit {
            witness: Some(witness),
        })
    }
    fn blank_layout(_: &TierShape) -> TierCircuit {
        TierCircuit { witness: None }
    }
}

impl Layout for TierCircuit {
    const REGION: &'static str = "usage tier";

    fn without_witnesses(&self) -> Self {
        TierCircuit { witness: None }
    }

    fn lay_out(&self, chips: &Chips, l: &mut Ctx<'_>) -> Result<(), Error> {
        let depth = CALLS_TREE_DEPTH as usize;
        let w = self.witness.as_ref();
        if w.is_some_and(|w| w.path.siblings.len() != depth) {
            return Err(Error::Synthesis);
        }
        let known =
            |f: &dyn Fn(&TierWitness) -> Fp| w.map_or(Value::unknown(), |w| Value::known(f(w)));
        let m = &chips.main;
        let [usage, listing, epoch, lo, hi] = [0, 1, 2, 3, 4].map(|row| chips.public(l, row));
        let (usage, listing, epoch, lo, hi) = (usage?, listing?, epoch?, lo?, hi?);
        let count = m.witness(l, known(&|w| Fp::from(w.count)))?;
        let salt = m.witness(l, known(&|w| to_halo2(&w.salt)))?;
        let calls_root = m.witness(l, known(&|w| to_halo2(&w.calls_root)))?;
        let last_leaf = m.witness(l, known(&|w| to_halo2(&w.last_leaf)))?;

        // 1. U opens to the calls tree's root.
        let u = chips.hash_tagged(l, tags::USAGE, &[listing, epoch, calls_root, salt])?;
        m.assert_equal(l, &u, &usage)?;

        // 2. lo <= count < hi.
        let r = &chips.range;
        for x in [&epoch, &count, &lo, &hi] {
            r.check(l, x, COUNTER_BITS)?;
        }
        let above_lo = m.sub(l, &count, &lo)?;
        r.check(l, &above_lo, COUNTER_BITS)?;
        let below_hi = m.linear(l, (Fp::ONE, &hi), (-Fp::ONE, &count), -Fp::ONE)?;
        r.check(l, &below_hi, COUNTER_BITS)?;

        // 3. count is one more than the index of the last non-empty leaf.
        let zeros: Vec<Fp> = zero_hashes(CALLS_TREE_DEPTH).iter().map(to_halo2).collect();
        let empty = m.is_zero(l, &count)?;
        let full = m.linear(l, (-Fp::ONE, &empty), (Fp::ZERO, &empty), Fp::ONE)?;
        let off_empty = m.add_constant(l, &calls_root, -zeros[depth])?;
        m.assert_product_zero(l, &empty, &off_empty)?;
        let last_index = m.sub(l, &count, &full)?;
        let bits = m.bits(l, &last_index, depth)?;
        let siblings = (0..depth)
            .map(|h| m.witness(l, known(&|w| to_halo2(&w.path.siblings[h]))))
            .collect::<Result<Vec<Var>, _>>()?;
        let root = chips.root_from_path(l, &last_leaf, &siblings, &bits)?;
        let off_root = m.sub(l, &root, &calls_root)?;
        m.assert_product_zero(l, &full, &off_root)?;
        // last_leaf · inv = full: a non-zero last leaf when there are calls.
        let inv = m.witness(l, last_leaf.value.map(|v| v.invert().unwrap_or(Fp::ZERO)))?;
        let product = m.mul(l, &last_leaf, &inv)?;
        let gap = m.sub(l, &product, &full)?;
        m.assert_zero(l, &gap)?;
        // Every subtree right of the path is empty.
        for (h, (sib, bit)) in siblings.iter().zip(&bits).enumerate() {
            let left_child = m.linear(l, (-Fp::ONE, bit), (Fp::ZERO, bit), Fp::ONE)?;
            let left_child = m.mul(l, &full, &left_child)?;
            let off_zero = m.add_constant(l, sib, -zeros[h])?;
            m.assert_product_zero(l, &left_child, &off_zero)?;
        }
        Ok(())
    }
}
