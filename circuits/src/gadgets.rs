//! Small R1CS helpers shared by the statements.

use crate::Fr;
use ark_ff::Field;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

/// Runs `f` inside the namespace `ns` (`ns!(cs, "rule")`), so that the constraints it makes
/// carry the rule's name in traces: a refused assignment then names the rule it breaks.
/// Namespaces change no constraint.
pub fn named<T>(
    ns: ark_relations::gr1cs::Namespace<Fr>,
    f: impl FnOnce() -> Result<T, SynthesisError>,
) -> Result<T, SynthesisError> {
    let _inside = ns;
    f()
}

/// Allocates `bits` little-endian witness bits of `value` and enforces that they are boolean
/// and recompose to `x`: a range check `x < 2^bits` (`bits + 1` constraints). `bits` must be
/// below 253 so that the recomposition cannot wrap around the modulus.
pub fn range_bits(
    cs: ConstraintSystemRef<Fr>,
    x: &FpVar<Fr>,
    value: u64,
    bits: usize,
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    assert!(bits <= 64, "u64 values only");
    let bs = (0..bits)
        .map(|i| Boolean::new_witness(cs.clone(), || Ok((value >> i) & 1 == 1)))
        .collect::<Result<Vec<_>, _>>()?;
    Boolean::le_bits_to_fp(&bs)?.enforce_equal(x)?;
    Ok(bs)
}

/// Test helper: synthesises `circuit` and returns (satisfied, constraints).
#[cfg(test)]
pub(crate) fn satisfied<C: ark_relations::gr1cs::ConstraintSynthesizer<Fr>>(
    circuit: C,
) -> (bool, usize) {
    let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
    circuit.generate_constraints(cs.clone()).expect("synthesis");
    (
        cs.is_satisfied().expect("satisfiability check"),
        cs.num_constraints(),
    )
}

#[cfg(test)]
mod tests_lt {
    use super::*;
    use ark_relations::gr1cs::ConstraintSystem;

    #[test]
    fn less_than_is_exact_at_the_edges() {
        for (a, b) in [
            (0u64, 0u64),
            (0, 1),
            (1, 0),
            (5, 5),
            (u64::MAX, u64::MAX),
            (u64::MAX - 1, u64::MAX),
            (u64::MAX, 0),
        ] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let av = FpVar::new_witness(cs.clone(), || Ok(Fr::from(a))).unwrap();
            let bv = FpVar::new_witness(cs.clone(), || Ok(Fr::from(b))).unwrap();
            let lt = less_than(cs.clone(), &av, a, &bv, b, 64).unwrap();
            assert_eq!(lt.value().unwrap(), a < b, "{a} < {b}");
            assert!(cs.is_satisfied().unwrap());
        }
        // A lying prover (claims 3 < 2) cannot satisfy the decomposition.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let av = FpVar::new_witness(cs.clone(), || Ok(Fr::from(3u64))).unwrap();
        let bv = FpVar::new_witness(cs.clone(), || Ok(Fr::from(2u64))).unwrap();
        let lt = less_than(cs.clone(), &av, 1, &bv, 2, 64).unwrap();
        let _ = lt;
        assert!(!cs.is_satisfied().unwrap());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_relations::gr1cs::ConstraintSystem;

    #[test]
    fn range_check_rejects_values_that_do_not_fit() {
        for (value, bits, ok) in [
            (5u64, 3usize, true),
            (8, 3, false),
            (0, 1, true),
            (u64::MAX, 64, true),
        ] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(value))).unwrap();
            range_bits(cs.clone(), &x, value, bits).unwrap();
            assert_eq!(cs.is_satisfied().unwrap(), ok, "{value} in {bits} bits");
        }
    }
}

/// `a < b` as a boolean, for `a, b < 2^bits` (`bits < 250`): decomposes `a - b + 2^bits` into
/// `bits + 1` bits, whose top bit is set exactly when `a >= b`. `bits + 2` constraints.
pub fn less_than(
    cs: ConstraintSystemRef<Fr>,
    a: &FpVar<Fr>,
    a_value: u64,
    b: &FpVar<Fr>,
    b_value: u64,
    bits: usize,
) -> Result<Boolean<Fr>, SynthesisError> {
    assert!(bits <= 64, "u64 values only");
    let shift = Fr::from(2u64).pow([bits as u64]);
    let diff = (a_value as u128) + (1u128 << bits) - (b_value as u128);
    let bs = (0..=bits)
        .map(|i| Boolean::new_witness(cs.clone(), || Ok((diff >> i) & 1 == 1)))
        .collect::<Result<Vec<_>, _>>()?;
    Boolean::le_bits_to_fp(&bs)?.enforce_equal(&(a - b + shift))?;
    Ok(!bs[bits].clone())
}
