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
pub fn low_u64(x: &Fp) -> u64 {
    let r = x.to_repr();
    u64::from_le_bytes(r[..8].try_into().expect("8 bytes"))
}
