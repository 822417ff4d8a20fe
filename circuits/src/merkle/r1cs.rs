//! Merkle path verification as R1CS gadgets.
//!
//! Binary, per level: one constraint to order `(current, sibling)` by the direction bit, and
//! one Poseidon2 permutation for `H(NODE, left, right)`: 265 constraints. Quaternary, per
//! level: seven constraints to place `current` among its three siblings by two index bits,
//! and one permutation for the compression: 271 constraints for two bits of the index. The
//! bits are supplied by the caller, so a statement binds them to the leaf index it proves about.

use crate::poseidon2::r1cs::{compress, hash};
use crate::{tags, Fr};
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::SynthesisError;

/// Returns the root reached from `leaf` along `siblings`, where `is_right[h]` says the node at
/// height `h` is a right child (bit `h` of the leaf index).
pub fn root_from_path(
    leaf: &FpVar<Fr>,
    siblings: &[FpVar<Fr>],
    is_right: &[Boolean<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    assert_eq!(
        siblings.len(),
        is_right.len(),
        "one direction bit per level"
    );
    let tag = FpVar::Constant(tags::fr(tags::NODE));
    let mut cur = leaf.clone();
    for (sib, bit) in siblings.iter().zip(is_right) {
        // d = bit * (sib - cur); left = cur + d; right = sib - d.
        let d = FpVar::from(bit.clone()) * (sib - &cur);
        let left = &cur + &d;
        let right = sib - &d;
        cur = hash(&[tag.clone(), left, right])?;
    }
    Ok(cur)
}

/// The four children of a quaternary node, given the path's node `cur` at position
/// `p = b0 + 2 b1` and its siblings `s` in order (`s[i]` sits at `i` if `i < p`, else `i + 1`):
/// seven constraints.
pub fn place_among_siblings(
    cur: &FpVar<Fr>,
    s: &[FpVar<Fr>],
    b0: &Boolean<Fr>,
    b1: &Boolean<Fr>,
) -> Result<[FpVar<Fr>; 4], SynthesisError> {
    assert_eq!(s.len(), 3, "three siblings per quaternary level");
    let (f0, f1) = (FpVar::from(b0.clone()), FpVar::from(b1.clone()));
    // Indicators of p = 3, p = 0 and p = 1 (one constraint, for b0 b1).
    let both = &f0 * &f1;
    let neither = FpVar::one() - &f0 - &f1 + &both;
    let just_b0 = &f0 - &both;
    // lane 0: cur at p = 0, else s0.
    let lane0 = &s[0] + &neither * (cur - &s[0]);
    // lane 1: s0 at p = 0, cur at p = 1, s1 at p >= 2.
    let lane1 = &s[0] + &just_b0 * (cur - &s[0]) + &f1 * (&s[1] - &s[0]);
    // lane 2: s1 at p <= 1, cur at p = 2, s2 at p = 3.
    let lane2 = &s[1] + &f1 * ((cur - &s[1]) + &f0 * (&s[2] - cur));
    // lane 3: cur at p = 3, else s2.
    let lane3 = &s[2] + &both * (cur - &s[2]);
    Ok([lane0, lane1, lane2, lane3])
}

/// Returns the root reached from `leaf` along a quaternary path: `siblings` holds three per
/// level and `bits` two per level (the leaf index's, little-endian), leaf level first.
pub fn root_from_quad_path(
    leaf: &FpVar<Fr>,
    siblings: &[FpVar<Fr>],
    bits: &[Boolean<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    assert_eq!(
        siblings.len() * 2,
        bits.len() * 3,
        "two bits per three siblings"
    );
    let mut cur = leaf.clone();
    for (s, b) in siblings.chunks(3).zip(bits.chunks(2)) {
        cur = compress(&place_among_siblings(&cur, s, &b[0], &b[1])?)?;
    }
    Ok(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{Arity, TreeBuilder};
    use ark_relations::gr1cs::ConstraintSystem;

    /// Checks a path gadget on the tree of leaves `1..=2^depth` of `arity`, for the leaf watched
    /// at `watched`, with claimed index bits and leaf; returns satisfaction and the gadget's cost.
    fn check_in(
        arity: Arity,
        depth: u32,
        watched: u64,
        index_bits: u64,
        leaf: Fr,
    ) -> (bool, usize) {
        let leaves: Vec<Fr> = (1..=1u64 << depth).map(Fr::from).collect();
        let mut b = TreeBuilder::with_arity(arity, depth, &[watched]).unwrap();
        b.push(&leaves).unwrap();
        let t = b.finish().unwrap();
        let cs = ConstraintSystem::<Fr>::new_ref();
        let leaf = FpVar::new_witness(cs.clone(), || Ok(leaf)).unwrap();
        let sibs: Vec<_> = t.paths[0]
            .siblings
            .iter()
            .map(|s| FpVar::new_witness(cs.clone(), || Ok(*s)).unwrap())
            .collect();
        let bits: Vec<_> = (0..depth)
            .map(|h| Boolean::new_witness(cs.clone(), || Ok((index_bits >> h) & 1 == 1)).unwrap())
            .collect();
        let root = FpVar::new_input(cs.clone(), || Ok(t.root)).unwrap();
        let before = cs.num_constraints();
        let got = match arity {
            Arity::Binary => root_from_path(&leaf, &sibs, &bits),
            Arity::Quaternary => root_from_quad_path(&leaf, &sibs, &bits),
        }
        .unwrap();
        let cost = cs.num_constraints() - before;
        got.enforce_equal(&root).unwrap();
        (cs.is_satisfied().unwrap(), cost)
    }

    /// Leaf 6 at index 5 of a binary tree of depth 3.
    fn check(index_bits: u64, leaf: Fr) -> bool {
        check_in(Arity::Binary, 3, 5, index_bits, leaf).0
    }

    /// Leaf 10 at index 9 (`0b1001`) of a quaternary tree of depth 4.
    fn check_quad(index_bits: u64, leaf: Fr) -> (bool, usize) {
        check_in(Arity::Quaternary, 4, 9, index_bits, leaf)
    }

    #[test]
    fn quad_path_accepts_its_own_index_only_at_271_constraints_a_level() {
        let (ok, cost) = check_quad(9, Fr::from(10u64));
        assert!(ok);
        assert_eq!(cost, 2 * 271);
        for other in (0..16).filter(|&i| i != 9) {
            assert!(!check_quad(other, Fr::from(10u64)).0, "index {other}");
        }
        assert!(!check_quad(9, Fr::from(11u64)).0, "wrong leaf");
    }

    #[test]
    fn placement_puts_the_node_at_each_position() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let w = |x: u64| FpVar::new_witness(cs.clone(), || Ok(Fr::from(x))).unwrap();
        let (cur, s) = (w(100), [w(1), w(2), w(3)]);
        for p in 0..4u64 {
            let b0 = Boolean::new_witness(cs.clone(), || Ok(p & 1 == 1)).unwrap();
            let b1 = Boolean::new_witness(cs.clone(), || Ok(p & 2 == 2)).unwrap();
            let lanes = place_among_siblings(&cur, &s, &b0, &b1).unwrap();
            let mut want = vec![1u64, 2, 3];
            want.insert(p as usize, 100);
            let got: Vec<Fr> = lanes.iter().map(|l| l.value().unwrap()).collect();
            assert_eq!(
                got,
                want.into_iter().map(Fr::from).collect::<Vec<_>>(),
                "p = {p}"
            );
        }
        assert!(cs.is_satisfied().unwrap());
    }

    #[test]
    fn accepts_the_right_path_only() {
        assert!(check(5, Fr::from(6u64)));
        assert!(!check(4, Fr::from(6u64)), "wrong direction bits");
        assert!(!check(5, Fr::from(7u64)), "wrong leaf");
    }
}
