//! Small R1CS helpers shared by the statements.

use crate::Fr;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

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
