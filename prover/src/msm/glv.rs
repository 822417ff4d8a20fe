//! BN254 G1's endomorphism (Gallant-Lambert-Vanstone): `φ(x, y) = (β x, y)` is `λ P` for every
//! point, so a 254-bit scalar `k` can be written `k1 + k2 λ` with `|k1|, |k2| < 2^126` and
//! `k P = k1 P + k2 φ(P)`. An MSM of `n` points over 254-bit scalars becomes one of `2n` points
//! over 126-bit scalars: as many bucket additions, but half the windows, so half the bucket
//! reductions and doublings, which is what is left of an eight-lane MSM at small sizes.
//!
//! The decomposition is the lattice one arkworks uses (`GLVConfig::scalar_decomposition`,
//! with ark-bn254's basis), in fixed width: no allocation per scalar. With the basis
//! `(-A, B)`, `(-B, -C)` (`A C + B^2 = r`, both vectors `≡ 0` at `λ`), `q1 ≈ k C / r` and
//! `q2 ≈ k B / r` give `k1 = k - q1 A - q2 B` and `k2 = q1 B - q2 C`. Each `q` is rounded,
//! `(k g + 2^319) >> 320` with `g = floor(2^320 C / r)` (resp. `B`), so it is within
//! `1/2 + 2^-64` of its real value; the exact terms cancel (`A C + B^2 = r`), leaving
//! `|k1| <= (1/2 + 2^-64)(A + B)` and `|k2| <= (1/2 + 2^-64)(B + C)`, both below
//! `0.87 * 2^126`, for any `k < 2^256`. Only `k1, k2 mod 2^128` are computed, which their
//! bound makes exact as `i128`. (A floor with 256 bits of `g` would not do: near `r` its `q`
//! can be off by more than one, and `|k1|` reach `2^127`.)

use ark_bn254::{g1, Fq};
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ff::BigInt;

/// `β`, a cube root of unity in `Fq`: `φ(x, y) = (β x, y) = λ (x, y)` (ark-bn254's).
pub const BETA: Fq = <g1::Config as GLVConfig>::ENDO_COEFFS[0];

/// ark-bn254's basis, `(sign, |entry|)` for `n11, n12, n21, n22`: `(-A, B), (-B, -C)`.
const BASIS: [(bool, BigInt<4>); 4] = <g1::Config as GLVConfig>::SCALAR_DECOMP_COEFFS;
const _: () = assert!(!BASIS[0].0 && BASIS[1].0 && !BASIS[2].0 && !BASIS[3].0);
const _: () = assert!(BASIS[1].1 .0[0] == BASIS[2].1 .0[0] && BASIS[1].1 .0[1] == BASIS[2].1 .0[1]);

/// The basis: `A`, `B`, `C`.
pub const A: u128 = low_128(&BASIS[0].1);
/// See [`A`].
pub const B: u128 = low_128(&BASIS[1].1);
/// See [`A`].
pub const C: u128 = low_128(&BASIS[3].1);

/// The low 128 bits of `v`, which must be all of it.
const fn low_128(v: &BigInt<4>) -> u128 {
    assert!(v.0[2] == 0 && v.0[3] == 0);
    v.0[0] as u128 | ((v.0[1] as u128) << 64)
}

/// `floor(2^320 C / r)`, little-endian limbs.
pub const G1: [u64; 4] = [
    0x149d_540f_d5e4_95cc,
    0x5398_fd03_00ff_6565,
    0x4cce_f014_a773_d2d2,
    0x2,
];
/// `floor(2^320 B / r)`.
pub const G2: [u64; 4] = [0x6eb9_c714_773a_6ef2, 0xd91d_232e_c7e0_b3d7, 0x2, 0];

/// Bits of `|k1|` and `|k2|`: below `2^126`.
pub const HALF_BITS: usize = 126;

/// `(k1, k2)` with `k ≡ k1 + k2 λ (mod r)` and `|k1|, |k2| < 2^126`, for any `k < 2^256`.
pub fn decompose(k: &BigInt<4>) -> (i128, i128) {
    let q1 = rounded_quotient(k, &G1);
    let q2 = rounded_quotient(k, &G2);
    let low = u128::from(k.0[0]) | (u128::from(k.0[1]) << 64); // k mod 2^128
    let k1 = low
        .wrapping_sub(q1.wrapping_mul(A))
        .wrapping_sub(q2.wrapping_mul(B));
    let k2 = q1.wrapping_mul(B).wrapping_sub(q2.wrapping_mul(C));
    (k1 as i128, k2 as i128)
}

/// `(k g + 2^319) >> 320 mod 2^128`.
fn rounded_quotient(k: &BigInt<4>, g: &[u64; 4]) -> u128 {
    let mut product = [0u64; 8];
    for (i, &ki) in k.0.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &gj) in g.iter().enumerate() {
            let t = u128::from(ki) * u128::from(gj) + u128::from(product[i + j]) + carry;
            product[i + j] = t as u64;
            carry = t >> 64;
        }
        product[i + 4] = carry as u64;
    }
    // + 2^319: bit 63 of limb 4, the carry into limbs 5 and 6 (and 7, which is dropped).
    let carry = product[4].overflowing_add(1 << 63).1;
    let high = u128::from(product[5]) | (u128::from(product[6]) << 64);
    high.wrapping_add(u128::from(carry))
}
