//! The Poseidon2 permutation over nine 29-bit limbs, for WebAssembly: the browser's delivery
//! check is Poseidon2 through and through, and WebAssembly has a 64-bit multiply but no
//! 64x64->128 one. With 29-bit limbs every limb product fits 58 bits, so a Montgomery
//! multiplication sums its 162 products in 64-bit words with no carry chain (the carries are
//! settled once at its end), where arkworks' four 64-bit limbs need a carried 128-bit product
//! each. Values stay in Montgomery form with `R = 2^261`, reduced lazily: each is only kept
//! below a small multiple of `p` (the bounds are in the comments); the permutation converts in
//! and out of arkworks' form (`R = 2^256`, fully reduced) once. Natively the tests hold it
//! equal to arkworks' permutation on random states; `docs/benchmarks.md` has the speed-up.

use super::{FULL_ROUNDS, PARTIAL_ROUNDS, WIDTH};
use crate::Fr;
use ark_ff::{BigInt, Field, PrimeField};
use std::sync::LazyLock;

const BITS: u32 = 29;
const MASK: u64 = (1 << BITS) - 1;
const N: usize = 9;

/// A number as nine 29-bit limbs (least significant first); between operations a limb may
/// exceed 29 bits until [`normalize`] settles the carries.
type Limbs = [u64; N];

/// Repacks four 64-bit limbs into this module's.
const fn from_u64s(x: [u64; 4]) -> [u64; N] {
    super::to_radix(x, BITS)
}

/// Repacks normalised limbs of a number below `2^256` into four 64-bit ones.
fn to_u64s(x: &[u64; N]) -> [u64; 4] {
    super::from_radix(x, BITS)
}

const P: Limbs = from_u64s(<Fr as PrimeField>::MODULUS.0);

/// `-p^{-1} mod 2^29`.
const MU: u64 = super::montgomery_mu(BITS);

/// Settles the carries: every limb below `2^29` (the value below `2^261`).
#[inline(always)]
fn normalize(x: &mut Limbs) {
    let mut c = 0;
    for l in x.iter_mut() {
        let v = *l + c;
        *l = v & MASK;
        c = v >> BITS;
    }
}

#[inline(always)]
fn add(a: &Limbs, b: &Limbs) -> Limbs {
    std::array::from_fn(|i| a[i] + b[i])
}

/// `a b / 2^261 mod p`, below `a b / 2^261 + p`, normalised. The limbs of `a` and `b` must be
/// below `2^29` (each of the 18 products summed into one word is then below `2^58`).
#[inline(always)]
fn mul(a: &Limbs, b: &Limbs) -> Limbs {
    let mut t = [0u64; N];
    for &ai in a {
        let low = t[0] + ai * b[0];
        let q = ((low & MASK) * MU) & MASK;
        let carry = (low + q * P[0]) >> BITS;
        t[0] = t[1] + ai * b[1] + q * P[1] + carry;
        for j in 1..N - 1 {
            t[j] = t[j + 1] + ai * b[j + 1] + q * P[j + 1];
        }
        t[N - 1] = 0;
    }
    normalize(&mut t);
    t
}

/// A normalised value below `64 p`, brought below `3 p`: subtracts `q p` for `q` the quotient
/// estimated from the top limb (never above the true one, at most two below it).
#[inline(always)]
fn reduce(x: &Limbs) -> Limbs {
    let q = x[N - 1] / (P[N - 1] + 1);
    let mut out = [0u64; N];
    let mut borrow = 0i64;
    for j in 0..N {
        let v = x[j] as i64 - (q * P[j]) as i64 + borrow;
        out[j] = (v as u64) & MASK;
        borrow = v >> BITS;
    }
    out
}

/// `x - p` when `x >= p`: a value below `2p` made canonical.
fn canonical(x: &Limbs) -> Limbs {
    let mut out = [0u64; N];
    let mut borrow = 0i64;
    for j in 0..N {
        let v = x[j] as i64 - P[j] as i64 + borrow;
        out[j] = (v as u64) & MASK;
        borrow = v >> BITS;
    }
    if borrow < 0 {
        *x
    } else {
        out
    }
}

struct Constants {
    /// `2^266 mod p`: `mul(x 2^256, IN) = x 2^261`, into this form from arkworks'.
    into: Limbs,
    /// `2^256 mod p`: `mul(x 2^261, OUT) = x 2^256`, back into arkworks' form.
    out: Limbs,
    round_constants: [[Limbs; WIDTH]; FULL_ROUNDS + PARTIAL_ROUNDS],
    internal_diagonal: [Limbs; WIDTH],
}

fn plain(x: Fr) -> Limbs {
    from_u64s(x.into_bigint().0)
}

static CONSTANTS: LazyLock<Constants> = LazyLock::new(|| {
    let into = plain(Fr::from(2u64).pow([266]));
    let convert = |x: &Fr| canonical(&mul(&from_u64s(x.0 .0), &into));
    Constants {
        into,
        out: plain(Fr::from(2u64).pow([256])),
        round_constants: super::round_constants().map(|r| r.each_ref().map(convert)),
        internal_diagonal: super::internal_diagonal().each_ref().map(convert),
    }
});

/// `x^5`; `x` normalised and below `19 p` gives a result below `1.2 p`:
/// `x^2 < 19^2 p^2/R + p < 3.2 p` (`p/R < 2^-7.4`), `x^4 < 1.1 p`, `x^5 < 1.2 p`.
#[inline(always)]
fn sbox(x: &Limbs) -> Limbs {
    let x2 = mul(x, x);
    let x4 = mul(&x2, &x2);
    mul(&x4, x)
}

/// The external matrix (Barretenberg's addition chain, as [`super::external_matrix`]): each
/// output is at most 16 times the largest input, so inputs below `1.2 p` give outputs below
/// `19.2 p`; normalised.
#[inline(always)]
fn external_matrix(s: &mut [Limbs; WIDTH]) {
    *s = super::external_chain!(s, add);
    for x in s.iter_mut() {
        normalize(x);
    }
}

fn full_round(s: &mut [Limbs; WIDTH], rc: &[Limbs; WIDTH]) {
    for (x, c) in s.iter_mut().zip(rc) {
        let mut y = add(x, c);
        normalize(&mut y);
        *x = sbox(&y);
    }
    external_matrix(s);
}

/// The Poseidon2 permutation, equal to arkworks' (`super::permute_arkworks`).
pub fn permute(state: &mut [Fr; WIDTH]) {
    let k = &*CONSTANTS;
    let half = FULL_ROUNDS / 2;
    // In: below 1.1 p each.
    let mut s: [Limbs; WIDTH] = state.each_ref().map(|x| mul(&from_u64s(x.0 .0), &k.into));
    external_matrix(&mut s);
    for rc in &k.round_constants[..half] {
        full_round(&mut s, rc);
    }
    // Entering the partial rounds each lane is below 19.2 p; after the first one below 3.2 p.
    for rc in &k.round_constants[half..half + PARTIAL_ROUNDS] {
        let mut y = add(&s[0], &rc[0]);
        normalize(&mut y);
        s[0] = sbox(&y);
        // The sum of four lanes stays below 1.2 p + 3 (19.2 p) < 64 p; reduced below 3 p.
        let mut sum = add(&add(&s[0], &s[1]), &add(&s[2], &s[3]));
        normalize(&mut sum);
        let sum = reduce(&sum);
        for (x, d) in s.iter_mut().zip(&k.internal_diagonal) {
            // x d < 19.2 p^2/R + p < 1.2 p; plus the sum, below 4.2 p.
            let mut y = add(&mul(x, d), &sum);
            normalize(&mut y);
            *x = y;
        }
    }
    for rc in &k.round_constants[half + PARTIAL_ROUNDS..] {
        full_round(&mut s, rc);
    }
    // Out: x 2^261 K/R below 19.2 p^2/R + p < 1.2 p, one subtraction from canonical.
    for (x, y) in state.iter_mut().zip(&s) {
        *x = Fr::new_unchecked(BigInt(to_u64s(&canonical(&mul(y, &k.out)))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{AdditiveGroup, UniformRand};

    #[test]
    fn limbs_round_trip_and_the_constants_are_right() {
        let x = [u64::MAX, 1, 0x1234_5678_9abc_def0, u64::MAX >> 1];
        assert_eq!(to_u64s(&from_u64s(x)), x);
        // MU p = -1 mod 2^29.
        assert_eq!((MU * P[0] + 1) & MASK, 0);
    }

    #[test]
    fn equals_the_arkworks_permutation() {
        let mut rng = ark_std::test_rng();
        let minus_one = -Fr::ONE;
        let edges = [Fr::ZERO, Fr::ONE, minus_one, minus_one.double()];
        let mut states: Vec<[Fr; WIDTH]> = vec![[Fr::ZERO; WIDTH], [minus_one; WIDTH], edges];
        states.extend((0..2_000).map(|_| std::array::from_fn(|_| Fr::rand(&mut rng))));
        for s in states {
            let (mut a, mut b) = (s, s);
            super::super::permute_arkworks(&mut a);
            permute(&mut b);
            assert_eq!(a, b, "from {s:?}");
        }
    }
}
