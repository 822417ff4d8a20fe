//! Merkle path verification as an R1CS gadget.
//!
//! Per level: one constraint to order `(current, sibling)` by the direction bit, and one
//! Poseidon2 permutation for `H(NODE, left, right)`: 265 constraints. The direction bits are
//! supplied by the caller, so a statement binds them to the leaf index it proves about.

use crate::{poseidon2::r1cs::hash, tags, Fr};
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::TreeBuilder;
    use ark_relations::gr1cs::ConstraintSystem;

    fn check(index_bits: u64, leaf_value: Fr) -> bool {
        let leaves: Vec<Fr> = (1..=8u64).map(Fr::from).collect();
        let mut b = TreeBuilder::new(3, &[5]).unwrap();
        b.push(&leaves).unwrap();
        let t = b.finish().unwrap();
        let cs = ConstraintSystem::<Fr>::new_ref();
        let leaf = FpVar::new_witness(cs.clone(), || Ok(leaf_value)).unwrap();
        let sibs: Vec<_> = t.paths[0]
            .siblings
            .iter()
            .map(|s| FpVar::new_witness(cs.clone(), || Ok(*s)).unwrap())
            .collect();
        let bits: Vec<_> = (0..3)
            .map(|h| Boolean::new_witness(cs.clone(), || Ok((index_bits >> h) & 1 == 1)).unwrap())
            .collect();
        let root = FpVar::new_input(cs.clone(), || Ok(t.root)).unwrap();
        root_from_path(&leaf, &sibs, &bits)
            .unwrap()
            .enforce_equal(&root)
            .unwrap();
        cs.is_satisfied().unwrap()
    }

    #[test]
    fn accepts_the_right_path_only() {
        assert!(check(5, Fr::from(6u64)));
        assert!(!check(4, Fr::from(6u64)), "wrong direction bits");
        assert!(!check(5, Fr::from(7u64)), "wrong leaf");
    }
}
