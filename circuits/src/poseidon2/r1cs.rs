//! Poseidon2 as an R1CS gadget over `FpVar`.
//!
//! Linear layers are free in R1CS (they become linear combinations); each S-box `x^5` costs
//! three constraints (`x^2`, `x^4`, `x^5`). One permutation: 8 full rounds x 4 S-boxes + 56
//! partial rounds x 1 S-box = 88 S-boxes = **264 constraints**. A sponge hash of `len`
//! inputs costs `264 * max(1, ceil(len/3))`.

use super::{sponge_iv, FULL_ROUNDS, PARAMS, PARTIAL_ROUNDS, RATE, WIDTH};
use crate::Fr;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::SynthesisError;

/// Constraints per permutation (see the module doc).
pub const CONSTRAINTS_PER_PERMUTATION: usize = 3 * (FULL_ROUNDS * WIDTH + PARTIAL_ROUNDS);

fn sbox(x: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    let x2 = x.square()?;
    let x4 = x2.square()?;
    Ok(x4 * x)
}

fn external_matrix(s: &[FpVar<Fr>; WIDTH]) -> [FpVar<Fr>; WIDTH] {
    let t0 = &s[0] + &s[1];
    let t1 = &s[2] + &s[3];
    let t2 = s[1].double().expect("double is linear") + &t1;
    let t3 = s[3].double().expect("double is linear") + &t0;
    let t4 = t1
        .double()
        .and_then(|x| x.double())
        .expect("double is linear")
        + &t3;
    let t5 = t0
        .double()
        .and_then(|x| x.double())
        .expect("double is linear")
        + &t2;
    let t6 = &t3 + &t5;
    let t7 = &t2 + &t4;
    [t6, t5, t7, t4]
}

/// The permutation on a state of four variables.
pub fn permute(state: &[FpVar<Fr>; WIDTH]) -> Result<[FpVar<Fr>; WIDTH], SynthesisError> {
    let p = &*PARAMS;
    let half = FULL_ROUNDS / 2;
    let mut s = external_matrix(state);
    let full = |s: &mut [FpVar<Fr>; WIDTH], rc: &[Fr; WIDTH]| -> Result<(), SynthesisError> {
        let mut t = s.clone();
        for (x, c) in t.iter_mut().zip(rc) {
            *x = sbox(&(&*x + *c))?;
        }
        *s = external_matrix(&t);
        Ok(())
    };
    for rc in &p.round_constants[..half] {
        full(&mut s, rc)?;
    }
    for rc in &p.round_constants[half..half + PARTIAL_ROUNDS] {
        s[0] = sbox(&(&s[0] + rc[0]))?;
        let sum = &s[0] + &s[1] + &s[2] + &s[3];
        for (x, d) in s.iter_mut().zip(&p.internal_diagonal) {
            *x = &*x * *d + &sum;
        }
    }
    for rc in &p.round_constants[half + PARTIAL_ROUNDS..] {
        full(&mut s, rc)?;
    }
    Ok(s)
}

/// Compression mode, four variables to one: `P(x)[0] + x[0]` (same as [`super::compress`]).
pub fn compress(x: &[FpVar<Fr>; WIDTH]) -> Result<FpVar<Fr>, SynthesisError> {
    Ok(&permute(x)?[0] + &x[0])
}

/// Noir's Poseidon2 sponge hash of `inputs` (same as [`super::hash`]).
pub fn hash(inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    let zero = FpVar::Constant(Fr::from(0u64));
    let mut state = [
        zero.clone(),
        zero.clone(),
        zero,
        FpVar::Constant(sponge_iv(inputs.len())),
    ];
    if inputs.is_empty() {
        return Ok(permute(&state)?[0].clone());
    }
    for block in inputs.chunks(RATE) {
        for (lane, x) in state.iter_mut().zip(block) {
            *lane = &*lane + x;
        }
        state = permute(&state)?;
    }
    Ok(state[0].clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand::SeedableRng;

    #[test]
    fn gadget_agrees_with_native_and_costs_264_per_permutation() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        for len in [1usize, 2, 3, 4, 7] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let xs: Vec<Fr> = (0..len).map(|_| Fr::rand(&mut rng)).collect();
            let vars: Vec<FpVar<Fr>> = xs
                .iter()
                .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
                .collect();
            let h = hash(&vars).unwrap();
            assert_eq!(h.value().unwrap(), super::super::hash(&xs));
            assert!(cs.is_satisfied().unwrap());
            assert_eq!(
                cs.num_constraints(),
                CONSTRAINTS_PER_PERMUTATION * super::super::permutations_for(len)
            );
        }
        assert_eq!(CONSTRAINTS_PER_PERMUTATION, 264);
    }

    #[test]
    fn compression_gadget_agrees_with_native_in_one_permutation() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(4);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = [0; WIDTH].map(|_| Fr::rand(&mut rng));
        let vars = x.map(|v| FpVar::new_witness(cs.clone(), || Ok(v)).unwrap());
        let c = compress(&vars).unwrap();
        assert_eq!(c.value().unwrap(), super::super::compress(x));
        assert_eq!(cs.num_constraints(), CONSTRAINTS_PER_PERMUTATION);
        c.enforce_equal(&FpVar::new_input(cs.clone(), || Ok(x[0])).unwrap())
            .unwrap();
        assert!(!cs.is_satisfied().unwrap(), "bound to its inputs");
    }

    #[test]
    fn gadget_output_is_bound_to_the_inputs() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = FpVar::new_witness(cs.clone(), || Ok(Fr::from(1u64))).unwrap();
        let b = FpVar::new_witness(cs.clone(), || Ok(Fr::from(2u64))).unwrap();
        let h = hash(&[a, b]).unwrap();
        let wrong = FpVar::new_input(cs.clone(), || {
            Ok(super::super::hash(&[Fr::from(1u64), Fr::from(3u64)]))
        })
        .unwrap();
        h.enforce_equal(&wrong).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}
