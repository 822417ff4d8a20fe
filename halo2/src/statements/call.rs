//! The usage call (`usage-call`) as a halo2 circuit. Statement, public inputs and encodings
//! are those of `veil_circuits::statements::usage`:
//!
//! Public (instance rows 0-4): `root, listing, epoch, N, request`. Witness: `sk, salt, quota,
//! expiry, c`, the leaf index's `D` bits and `D` siblings. Constraints:
//! 1. `L = H(LICENCE, listing, H(KEY, sk), quota, expiry, salt)` lies on the path to `root`
//!    steered by the index bits (each boolean);
//! 2. `epoch, expiry, quota, c < 2^32` and `expiry - epoch < 2^32` (byte lookups);
//! 3. `quota - 1 - c < 2^32`, so `c < quota`;
//! 4. `N = H(NULLIFIER, sk, listing, epoch, c)`;
//! 5. `request` is copied from its instance row (a copy constraint binds it, as the square
//!    does in R1CS).

use super::{Halo2Statement, Layout, OneRegion};
use crate::chips::{Chips, Ctx, Var};
use crate::field::to_halo2;
use crate::Fp;
use halo2_proofs::arithmetic::Field;
use halo2_proofs::circuit::Value;
use halo2_proofs::plonk::Error;
use veil_circuits::statements::usage::{CallPublic, CallWitness, COUNTER_BITS};
use veil_circuits::statements::{CallShape, UsageCall};
use veil_circuits::tags;

/// The call circuit of a licence tree of depth `depth`.
#[derive(Clone, Debug)]
pub struct CallCircuit {
    depth: u32,
    witness: Option<CallWitness>,
}

impl Halo2Statement for UsageCall {
    type Layout = CallCircuit;
    fn circuit(shape: &CallShape, _: CallPublic, witness: CallWitness) -> OneRegion<CallCircuit> {
        OneRegion::current(CallCircuit {
            depth: shape.depth,
            witness: Some(witness),
        })
    }
    fn blank_layout(shape: &CallShape) -> CallCircuit {
        CallCircuit {
            depth: shape.depth,
            witness: None,
        }
    }
}

impl Layout for CallCircuit {
    const REGION: &'static str = "usage call";

    fn without_witnesses(&self) -> Self {
        CallCircuit {
            depth: self.depth,
            witness: None,
        }
    }

    fn lay_out(&self, chips: &Chips, l: &mut Ctx<'_>) -> Result<(), Error> {
        let depth = self.depth as usize;
        let w = self.witness.as_ref();
        if w.is_some_and(|w| w.path.siblings.len() != depth) {
            return Err(Error::Synthesis);
        }
        let known =
            |f: &dyn Fn(&CallWitness) -> Fp| w.map_or(Value::unknown(), |w| Value::known(f(w)));
        let m = &chips.main;
        let [root, listing, epoch, nullifier, _request] =
            [0, 1, 2, 3, 4].map(|row| chips.public(l, row));
        let (root, listing, epoch, nullifier) = (root?, listing?, epoch?, nullifier?);
        _request?;

        let sk = m.witness(l, known(&|w| to_halo2(&w.licence.sk)))?;
        let salt = m.witness(l, known(&|w| to_halo2(&w.licence.salt)))?;
        let quota = m.witness(l, known(&|w| Fp::from(w.licence.quota)))?;
        let expiry = m.witness(l, known(&|w| Fp::from(w.licence.expiry)))?;
        let counter = m.witness(l, known(&|w| Fp::from(w.counter)))?;

        // 1. The licence note is in the tree.
        let key = chips.hash_tagged(l, tags::KEY, &[sk])?;
        let note = chips.hash_tagged(l, tags::LICENCE, &[listing, key, quota, expiry, salt])?;
        let bits = (0..depth)
            .map(|h| {
                m.bit(
                    l,
                    w.map_or(Value::unknown(), |w| {
                        Value::known((w.path.index >> h) & 1 == 1)
                    }),
                )
            })
            .collect::<Result<Vec<Var>, _>>()?;
        let siblings = (0..depth)
            .map(|h| m.witness(l, known(&|w| to_halo2(&w.path.siblings[h]))))
            .collect::<Result<Vec<Var>, _>>()?;
        let reached = chips.root_from_path(l, &note, &siblings, &bits)?;
        m.assert_equal(l, &reached, &root)?;

        // 2-3. Ranges: epoch <= expiry, counter < quota.
        let r = &chips.range;
        for x in [&epoch, &expiry, &quota, &counter] {
            r.check(l, x, COUNTER_BITS)?;
        }
        let slack = m.sub(l, &expiry, &epoch)?;
        r.check(l, &slack, COUNTER_BITS)?;
        let headroom = m.linear(l, (Fp::ONE, &quota), (-Fp::ONE, &counter), -Fp::ONE)?;
        r.check(l, &headroom, COUNTER_BITS)?;

        // 4. The nullifier.
        let n = chips.hash_tagged(l, tags::NULLIFIER, &[sk, listing, epoch, counter])?;
        m.assert_equal(l, &n, &nullifier)
    }
}
