//! Merkle paths over the Poseidon2 chip, as `veil_circuits::merkle::r1cs`: binary nodes
//! `H(NODE, left, right)` ordered by a direction bit, and quaternary nodes (Poseidon2's
//! compression) with the current node placed among three siblings by two bits. The bits are
//! the caller's, so a statement binds them to the index it proves about.

use super::{Chips, Ctx, Var};
use crate::Fp;
use halo2_proofs::arithmetic::Field;
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

    /// The four children of a quaternary node: the path's node `cur` at position
    /// `p = b0 + 2 b1`, its siblings `s` in order in the other places (as
    /// `veil_circuits::merkle::r1cs::place_among_siblings`).
    pub fn place_among_siblings(
        &self,
        ctx: &mut Ctx<'_>,
        cur: &Var,
        s: &[Var; 3],
        b0: &Var,
        b1: &Var,
    ) -> Result<[Var; 4], Error> {
        let m = &self.main;
        let one = Fp::ONE;
        // Indicators of p = 3, p = 0 and p = 1.
        let both = m.mul(ctx, b0, b1)?;
        let b0_or_b1 = m.linear(ctx, (one, b0), (one, b1), Fp::ZERO)?;
        let neither = m.linear(ctx, (-one, &b0_or_b1), (one, &both), one)?;
        let just_b0 = m.sub(ctx, b0, &both)?;
        // lane 0: cur at p = 0, else s0.
        let cur_s0 = m.sub(ctx, cur, &s[0])?;
        let t = m.mul(ctx, &neither, &cur_s0)?;
        let lane0 = m.add(ctx, &s[0], &t)?;
        // lane 1: s0 at p = 0, cur at p = 1, s1 at p >= 2.
        let t = m.mul(ctx, &just_b0, &cur_s0)?;
        let s1_s0 = m.sub(ctx, &s[1], &s[0])?;
        let u = m.mul(ctx, b1, &s1_s0)?;
        let lane1 = m.add(ctx, &s[0], &t)?;
        let lane1 = m.add(ctx, &lane1, &u)?;
        // lane 2: s1 at p <= 1, cur at p = 2, s2 at p = 3.
        let s2_cur = m.sub(ctx, &s[2], cur)?;
        let t = m.mul(ctx, b0, &s2_cur)?;
        let cur_s1 = m.sub(ctx, cur, &s[1])?;
        let inner = m.add(ctx, &cur_s1, &t)?;
        let u = m.mul(ctx, b1, &inner)?;
        let lane2 = m.add(ctx, &s[1], &u)?;
        // lane 3: cur at p = 3, else s2.
        let cur_s2 = m.sub(ctx, cur, &s[2])?;
        let t = m.mul(ctx, &both, &cur_s2)?;
        let lane3 = m.add(ctx, &s[2], &t)?;
        Ok([lane0, lane1, lane2, lane3])
    }

    /// The root reached from `leaf` along a quaternary path: three siblings and two index bits
    /// (little-endian) per level, leaf level first; nodes are Poseidon2 compressions.
    pub fn root_from_quad_path(
        &self,
        ctx: &mut Ctx<'_>,
        leaf: &Var,
        siblings: &[Var],
        bits: &[Var],
    ) -> Result<Var, Error> {
        assert_eq!(
            siblings.len() * 2,
            bits.len() * 3,
            "two bits per three siblings"
        );
        let mut cur = *leaf;
        for (s, b) in siblings.chunks(3).zip(bits.chunks(2)) {
            let children =
                self.place_among_siblings(ctx, &cur, &[s[0], s[1], s[2]], &b[0], &b[1])?;
            cur = self.poseidon.compress(ctx, &self.main, children)?;
        }
        Ok(cur)
    }

    /// `nodes[bits]` (bits little-endian, `nodes.len() = 2^bits.len()`), by a tree of
    /// selections.
    pub fn pick(&self, ctx: &mut Ctx<'_>, nodes: &[Var], bits: &[Var]) -> Result<Var, Error> {
        assert_eq!(
            nodes.len(),
            1 << bits.len(),
            "one node per value of the bits"
        );
        let mut level = nodes.to_vec();
        for bit in bits {
            level = level
                .chunks(2)
                .map(|p| self.main.select(ctx, bit, &p[1], &p[0]))
                .collect::<Result<Vec<_>, _>>()?;
        }
        Ok(level[0])
    }
}
