//! The one field two libraries spell differently: BN254's scalar field is `ark_bn254::Fr` in
//! the native code and the Groth16 circuits, and `halo2curves::bn256::Fr` here. Both store the
//! canonical value little-endian, so a conversion is a copy of 32 bytes.

use crate::Fp;
use ark_ff::{BigInteger, PrimeField as _};
use halo2_proofs::halo2curves::ff::PrimeField;
use veil_circuits::Fr;

/// The halo2 element of a native one.
pub fn to_halo2(x: &Fr) -> Fp {
    let mut repr = [0u8; 32];
    repr.copy_from_slice(&x.into_bigint().to_bytes_le());
    Fp::from_repr(repr).expect("a canonical element of the same field")
}

/// The native element of a halo2 one.
pub fn from_halo2(x: &Fp) -> Fr {
    Fr::from_le_bytes_mod_order(&x.to_repr())
}

/// The low 64 bits of an element (what a range-checked value is).
pub(crate) fn low_u64(x: &Fp) -> u64 {
    let r = x.to_repr();
    u64::from_le_bytes(r[..8].try_into().expect("8 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use rand::SeedableRng;

    #[test]
    fn conversions_are_inverse_and_keep_arithmetic() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        for _ in 0..100 {
            let (a, b) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
            assert_eq!(from_halo2(&to_halo2(&a)), a);
            assert_eq!(
                to_halo2(&(a * b + a)),
                to_halo2(&a) * to_halo2(&b) + to_halo2(&a)
            );
        }
        assert_eq!(to_halo2(&-Fr::from(1u64)), -Fp::from(1u64));
        assert_eq!(low_u64(&to_halo2(&Fr::from(u64::MAX))), u64::MAX);
    }
}
