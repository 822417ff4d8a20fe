//! Merkle paths over the Poseidon2 chip, as `veil_circuits::merkle::r1cs`: binary nodes
//! `H(NODE, left, right)` ordered by a direction bit, and quaternary nodes (Poseidon2's
//! compression) with the current node placed among three siblings by two bits. The bits are
//! the caller's, so a statement binds them to the index it proves about.

use super::{Chips, Ctx, Var};
use halo2_proofs::plonk::Error;
use veil_circuits::tags;

impl Chips {
    /// The root reached from `leaf` along a binary path; `is_right[h]` is bit `h` of the index.
    pub fn root_from_path(
        &self,
        ctx: &mut Ctx<'_>,
        leaf: &Var,
        siblings: &[Var],
        is_right: &[Var],
    ) -> Result<Var, Error> {
        assert_eq!(
            siblings.len(),
            is_right.len(),
            "one direction bit per level"
        );
        let m = &self.main;
        let mut cur = *leaf;
        for (sib, bit) in siblings.iter().zip(is_right) {
            // d = bit (sib - cur); left = cur + d; right = sib - d.
            let diff = m.sub(ctx, sib, &cur)?;
            let d = m.mul(ctx, bit, &diff)?;
            let left = m.add(ctx, &cur, &d)?;
            let right = m.sub(ctx, sib, &d)?;
            cur = self.hash_tagged(ctx, tags::NODE, &[left, right])?;
        }
        Ok(cur)
    }
}
