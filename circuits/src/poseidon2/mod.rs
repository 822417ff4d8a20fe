//! Poseidon2 over BN254, exactly as Barretenberg and Noir define it.
//!
//! Permutation: width 4, S-box `x^5`, 8 full rounds (4 before, 4 after) and 56 partial rounds,
//! Barretenberg's round constants and internal diagonal, and an initial external linear layer.
//! Hash: Noir's sponge (`std::hash::poseidon2::Poseidon2::hash`): rate 3, capacity 1, the
//! capacity lane initialised to `len * 2^64`; inputs are absorbed three at a time (the last
//! block zero-padded), each block added into lanes 0..3 and permuted; the output is lane 0.
//! This is bb.js `poseidon2Hash`; `hash(&[1, 2]) = 0x0386...7383`.

mod constants;
// Built everywhere so that its tests run natively; the permutation on WebAssembly.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod limb29;
// Two permutations at once, in the relaxed-SIMD build for WebAssembly.
#[cfg(all(target_arch = "wasm32", feature = "relaxed-simd"))]
mod fma51;
#[cfg(feature = "r1cs")]
pub mod r1cs;

use crate::Fr;
use ark_ff::{AdditiveGroup, BigInt, Field, PrimeField};
use std::sync::LazyLock;

/// State width of the permutation.
pub const WIDTH: usize = 4;
/// Sponge rate: field elements absorbed per permutation.
pub const RATE: usize = 3;
/// Full rounds (half before, half after the partial rounds).
pub const FULL_ROUNDS: usize = 8;
/// Partial rounds.
pub const PARTIAL_ROUNDS: usize = 56;

/// The permutation's constants as field elements.
pub(crate) struct Params {
    pub(crate) round_constants: [[Fr; WIDTH]; FULL_ROUNDS + PARTIAL_ROUNDS],
    pub(crate) internal_diagonal: [Fr; WIDTH],
}

pub(crate) static PARAMS: LazyLock<Params> = LazyLock::new(|| Params {
    round_constants: constants::ROUND_CONSTANTS.map(|r| r.map(|l| Fr::new(BigInt(l)))),
    internal_diagonal: constants::INTERNAL_DIAGONAL.map(|l| Fr::new(BigInt(l))),
});

/// The round constants, one row of four per round (partial rounds use lane 0), in the order
/// the permutation applies them: what another arithmetisation of the permutation (the halo2
/// chip) needs.
pub fn round_constants() -> &'static [[Fr; WIDTH]; FULL_ROUNDS + PARTIAL_ROUNDS] {
    &PARAMS.round_constants
}

/// The diagonal `d` of the internal matrix `M_I = J + diag(d)` of the partial rounds.
pub fn internal_diagonal() -> &'static [Fr; WIDTH] {
    &PARAMS.internal_diagonal
}

#[inline(always)]
fn sbox(x: &mut Fr) {
    let x2 = x.square();
    let x4 = x2.square();
    *x *= x4;
}

/// Barretenberg's addition chain for the external matrix over a state `$s` of any
/// representation with a function `$add(&a, &b)`: the WebAssembly permutations' limbs
/// ([`limb29`], `fma51`). A macro, so that it expands inside `fma51`'s target-feature
/// functions (a generic function could not inline their SIMD additions).
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_macros))]
macro_rules! external_chain {
    ($s:expr, $add:ident) => {{
        let s = &*$s;
        let t0 = $add(&s[0], &s[1]);
        let t1 = $add(&s[2], &s[3]);
        let t2 = $add(&$add(&s[1], &s[1]), &t1);
        let t3 = $add(&$add(&s[3], &s[3]), &t0);
        let t1x4 = $add(&t1, &t1);
        let t4 = $add(&$add(&t1x4, &t1x4), &t3);
        let t0x4 = $add(&t0, &t0);
        let t5 = $add(&$add(&t0x4, &t0x4), &t2);
        [$add(&t3, &t5), t5, $add(&t2, &t4), t4]
    }};
}
pub(crate) use external_chain;

/// The external 4x4 matrix `[[5,7,1,3],[4,6,1,1],[1,3,5,7],[1,1,4,6]]`, by Barretenberg's
/// addition chain (as [`external_chain`], in arkworks' arithmetic).
#[inline(always)]
pub(crate) fn external_matrix(s: &mut [Fr; WIDTH]) {
    let t0 = s[0] + s[1];
    let t1 = s[2] + s[3];
    let t2 = s[1].double() + t1;
    let t3 = s[3].double() + t0;
    let t4 = t1.double().double() + t3;
    let t5 = t0.double().double() + t2;
    let t6 = t3 + t5;
    let t7 = t2 + t4;
    *s = [t6, t5, t7, t4];
}

#[inline(always)]
fn internal_matrix(s: &mut [Fr; WIDTH], diag: &[Fr; WIDTH]) {
    let sum = s[0] + s[1] + s[2] + s[3];
    for (x, d) in s.iter_mut().zip(diag) {
        *x *= d;
        *x += sum;
    }
}

/// The Poseidon2 permutation on a width-4 state (on WebAssembly, the same permutation over
/// 29-bit limbs: [`limb29`]).
pub fn permute(state: &mut [Fr; WIDTH]) {
    #[cfg(target_arch = "wasm32")]
    return limb29::permute(state);
    #[cfg(not(target_arch = "wasm32"))]
    permute_arkworks(state);
}

/// Repacks four 64-bit limbs into `N` limbs of `bits` bits, least significant first (the
/// WebAssembly permutations' representations, [`limb29`] and `fma51`).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
const fn to_radix<const N: usize>(x: [u64; 4], bits: u32) -> [u64; N] {
    let mut out = [0u64; N];
    let mut i = 0;
    while i < N {
        let bit = i * bits as usize;
        let (word, shift) = (bit / 64, bit % 64);
        if word < 4 {
            let mut v = x[word] >> shift;
            if shift + bits as usize > 64 && word + 1 < 4 {
                v |= x[word + 1] << (64 - shift);
            }
            out[i] = v & ((1 << bits) - 1);
        }
        i += 1;
    }
    out
}

/// Repacks `N` normalised limbs of `bits` bits of a number below `2^256` into four 64-bit ones.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn from_radix<const N: usize>(x: &[u64; N], bits: u32) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (i, &l) in x.iter().enumerate() {
        let bit = i * bits as usize;
        let (word, shift) = (bit / 64, bit % 64);
        if word < 4 {
            out[word] |= l << shift;
            if shift + bits as usize > 64 && word + 1 < 4 {
                out[word + 1] |= l >> (64 - shift);
            }
        }
    }
    out
}

/// `-p^{-1} mod 2^bits`, Montgomery's constant for limbs of `bits` bits: Newton's iteration for
/// `p^{-1} mod 2^64` from `p`'s low limb, each step doubling the bits.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
const fn montgomery_mu(bits: u32) -> u64 {
    let p0 = <Fr as PrimeField>::MODULUS.0[0];
    let mut x: u64 = 1;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(p0.wrapping_mul(x)));
        i += 1;
    }
    x.wrapping_neg() & ((1 << bits) - 1)
}

/// Two permutations: on WebAssembly with relaxed SIMD (and a fused multiply-add) both at once
/// in two lanes of 51-bit floating-point limbs ([`fma51`]), elsewhere one after the other.
pub fn permute2(a: &mut [Fr; WIDTH], b: &mut [Fr; WIDTH]) {
    #[cfg(all(target_arch = "wasm32", feature = "relaxed-simd"))]
    return fma51::permute2(a, b);
    #[cfg(not(all(target_arch = "wasm32", feature = "relaxed-simd")))]
    {
        permute(a);
        permute(b);
    }
}

/// Whether [`permute2`] runs its two permutations at once on this build and engine.
pub fn two_lanes() -> bool {
    #[cfg(all(target_arch = "wasm32", feature = "relaxed-simd"))]
    return fma51::fused();
    #[cfg(not(all(target_arch = "wasm32", feature = "relaxed-simd")))]
    false
}

/// Runs [`permute2`] on `pairs` pairs of pseudo-random states (the first with the edge values
/// `0`, `1`, `-1`, `-2`) and compares each with arkworks' permutation: a build's self-check, for
/// the browser to run before trusting an engine's two-lane arithmetic.
pub fn permute2_agrees(pairs: usize) -> bool {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        let mut bytes = [0u8; 32];
        for chunk in bytes.chunks_mut(8) {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            chunk.copy_from_slice(&(seed ^ (seed >> 29)).to_le_bytes());
        }
        Fr::from_le_bytes_mod_order(&bytes)
    };
    let minus_one = -Fr::from(1u64);
    let edges = [
        Fr::from(0u64),
        Fr::from(1u64),
        minus_one,
        minus_one + minus_one,
    ];
    (0..pairs).all(|i| {
        let a: [Fr; WIDTH] = if i == 0 {
            edges
        } else {
            std::array::from_fn(|_| next())
        };
        let b: [Fr; WIDTH] = std::array::from_fn(|_| next());
        let (mut x, mut y) = (a, b);
        permute2(&mut x, &mut y);
        let (mut ea, mut eb) = (a, b);
        permute_arkworks(&mut ea);
        permute_arkworks(&mut eb);
        (x, y) == (ea, eb)
    })
}

/// The permutation in arkworks' field arithmetic.
fn permute_arkworks(state: &mut [Fr; WIDTH]) {
    let p = &*PARAMS;
    let half = FULL_ROUNDS / 2;
    external_matrix(state);
    for rc in &p.round_constants[..half] {
        for (x, c) in state.iter_mut().zip(rc) {
            *x += c;
            sbox(x);
        }
        external_matrix(state);
    }
    for rc in &p.round_constants[half..half + PARTIAL_ROUNDS] {
        state[0] += rc[0];
        sbox(&mut state[0]);
        internal_matrix(state, &p.internal_diagonal);
    }
    for rc in &p.round_constants[half + PARTIAL_ROUNDS..] {
        for (x, c) in state.iter_mut().zip(rc) {
            *x += c;
            sbox(x);
        }
        external_matrix(state);
    }
}

/// The capacity lane's initial value for a message of `len` elements: `len * 2^64`.
pub fn sponge_iv(len: usize) -> Fr {
    Fr::from(len as u64) * Fr::from(1u128 << 64)
}

/// Noir's fixed-length Poseidon2 sponge, for streaming input of a length known up front.
#[derive(Clone, Debug)]
pub struct Sponge {
    state: [Fr; WIDTH],
    cache: [Fr; RATE],
    cached: usize,
    remaining: usize,
}

impl Sponge {
    /// A sponge that will absorb exactly `len` elements.
    pub fn new(len: usize) -> Self {
        let mut state = [Fr::from(0u64); WIDTH];
        state[RATE] = sponge_iv(len);
        Sponge {
            state,
            cache: [Fr::from(0u64); RATE],
            cached: 0,
            remaining: len,
        }
    }

    fn duplex(&mut self) {
        for i in 0..self.cached {
            self.state[i] += self.cache[i];
        }
        permute(&mut self.state);
        self.cached = 0;
    }

    /// Absorbs one element.
    pub fn absorb(&mut self, x: Fr) {
        debug_assert!(
            self.remaining > 0,
            "absorbing more than the declared length"
        );
        if self.cached == RATE {
            self.duplex();
        }
        self.cache[self.cached] = x;
        self.cached += 1;
        self.remaining = self.remaining.saturating_sub(1);
    }

    /// Finishes and returns the hash (lane 0 after the last permutation).
    pub fn finish(mut self) -> Fr {
        debug_assert_eq!(self.remaining, 0, "absorbed fewer elements than declared");
        self.duplex();
        self.state[0]
    }
}

/// `poseidon2Hash(inputs)`: Noir's and bb.js' Poseidon2 sponge hash.
pub fn hash(inputs: &[Fr]) -> Fr {
    let mut s = Sponge::new(inputs.len());
    for x in inputs {
        s.absorb(*x);
    }
    s.finish()
}

/// The sponge's state before absorbing a message of `len` elements.
fn sponge_state(len: usize) -> [Fr; WIDTH] {
    let mut state = [Fr::from(0u64); WIDTH];
    state[RATE] = sponge_iv(len);
    state
}

/// Adds the `k`-th block of `RATE` elements of `m` into the rate lanes (none past its end).
fn absorb_block(state: &mut [Fr; WIDTH], m: &[Fr], k: usize) {
    for (s, x) in state.iter_mut().zip(m.iter().skip(k * RATE).take(RATE)) {
        *s += x;
    }
}

/// [`hash`] of two messages, their permutations paired through [`permute2`].
pub fn hash_pair(a: &[Fr], b: &[Fr]) -> (Fr, Fr) {
    let (na, nb) = (permutations_for(a.len()), permutations_for(b.len()));
    let (mut sa, mut sb) = (sponge_state(a.len()), sponge_state(b.len()));
    for k in 0..na.max(nb) {
        absorb_block(&mut sa, a, k);
        absorb_block(&mut sb, b, k);
        match (k < na, k < nb) {
            (true, true) => permute2(&mut sa, &mut sb),
            (true, false) => permute(&mut sa),
            _ => permute(&mut sb),
        }
    }
    (sa[0], sb[0])
}

/// [`hash`] of each message, in order, two at a time ([`hash_pair`]): the browser's delivery
/// check hashes its leaves this way.
pub fn hash_each<'a>(messages: impl IntoIterator<Item = &'a [Fr]>) -> Vec<Fr> {
    let mut out = Vec::new();
    let mut pending: Option<&[Fr]> = None;
    for m in messages {
        match pending.take() {
            None => pending = Some(m),
            Some(first) => {
                let (x, y) = hash_pair(first, m);
                out.extend([x, y]);
            }
        }
    }
    if let Some(last) = pending {
        out.push(hash(last));
    }
    out
}

/// Poseidon2's compression mode, four elements to one: `P(x)[0] + x[0]`, the first lane of
/// the permutation with the input fed forward (the Poseidon2 paper's `Tr(P(x) + x)`). One
/// permutation hashes four children; the feed-forward is what makes it one-way (without it,
/// `P^-1` of any state with the wanted first lane is a preimage). See `docs/protocol.md`.
pub fn compress(x: [Fr; WIDTH]) -> Fr {
    let mut s = x;
    permute(&mut s);
    s[0] + x[0]
}

/// Permutations one `hash` of `len` elements costs: `max(1, ceil(len / 3))`.
pub fn permutations_for(len: usize) -> usize {
    len.div_ceil(RATE).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{from_hex, to_hex};
    use ark_ff::UniformRand;
    use rand::SeedableRng;

    type Fe = acir::acir_field::GenericFieldElement<Fr>;

    fn reference_permutation(s: [Fr; 4]) -> [Fr; 4] {
        let input: Vec<Fe> = s.iter().map(|x| Fe::from_repr(*x)).collect();
        let out = bn254_blackbox_solver::poseidon2_permutation(&input).expect("width 4");
        [0, 1, 2, 3].map(|i| out[i].into_repr())
    }

    #[test]
    fn permutation_agrees_with_bn254_blackbox_solver_on_random_states() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0x7e11);
        for _ in 0..1000 {
            let s = [0; 4].map(|_| Fr::rand(&mut rng));
            let mut ours = s;
            permute(&mut ours);
            assert_eq!(ours, reference_permutation(s));
        }
    }

    #[test]
    fn compression_is_the_reference_permutation_fed_forward() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0xc0);
        for _ in 0..100 {
            let x = [0; 4].map(|_| Fr::rand(&mut rng));
            assert_eq!(compress(x), reference_permutation(x)[0] + x[0]);
        }
    }

    #[test]
    fn sponge_agrees_with_reference_permutation_for_every_length() {
        // The sponge built on the reference permutation, as Noir's std writes it.
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        for len in 0..10 {
            let xs: Vec<Fr> = (0..len).map(|_| Fr::rand(&mut rng)).collect();
            let mut state = [Fr::from(0u64); 4];
            state[3] = sponge_iv(len);
            let mut blocks = xs.chunks(3).peekable();
            if blocks.peek().is_none() {
                state = reference_permutation(state);
            }
            for b in blocks {
                for (i, x) in b.iter().enumerate() {
                    state[i] += x;
                }
                state = reference_permutation(state);
            }
            assert_eq!(hash(&xs), state[0], "len {len}");
        }
    }

    #[test]
    fn the_self_check_passes_natively() {
        assert!(permute2_agrees(50));
        assert!(!two_lanes());
    }

    #[test]
    fn paired_hashes_equal_single_ones_for_every_pair_of_lengths() {
        let m: Vec<Fr> = (0..10u64).map(|i| Fr::from(i * 7 + 1)).collect();
        for la in 0..8 {
            for lb in 0..8 {
                let (x, y) = hash_pair(&m[..la], &m[2..2 + lb]);
                assert_eq!((x, y), (hash(&m[..la]), hash(&m[2..2 + lb])), "{la} {lb}");
            }
        }
        let msgs: Vec<&[Fr]> = (0..7).map(|i| &m[i..i + 3]).collect();
        let each = hash_each(msgs.iter().copied());
        assert_eq!(each, msgs.iter().map(|x| hash(x)).collect::<Vec<_>>());
    }

    #[test]
    fn known_vector_from_barretenberg() {
        let h = hash(&[Fr::from(1u64), Fr::from(2u64)]);
        assert_eq!(
            to_hex(&h),
            "0x038682aa1cb5ae4e0a3f13da432a95c77c5c111f6f030faf9cad641ce1ed7383"
        );
        assert_eq!(from_hex("h", &to_hex(&h)).unwrap(), h);
    }

    #[test]
    fn permutation_count() {
        assert_eq!(permutations_for(0), 1);
        assert_eq!(permutations_for(3), 1);
        assert_eq!(permutations_for(4), 2);
    }
}
