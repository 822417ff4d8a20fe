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
#[cfg(feature = "r1cs")]
pub mod r1cs;

use crate::Fr;
use ark_ff::{AdditiveGroup, BigInt, Field};
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

/// The external 4x4 matrix `[[5,7,1,3],[4,6,1,1],[1,3,5,7],[1,1,4,6]]`, by Barretenberg's
/// addition chain.
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

/// The permutation in arkworks' field arithmetic.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
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
