//! MSMs over fixed bases with precomputed multiples: for a proving key the service proves
//! against again and again.
//!
//! [`pippenger`](super::pippenger) cuts each scalar into `W = ceil(254 / c)` windows and runs a
//! bucket pass per window, then `c` doublings between windows. With every base's multiples
//! `2^(c w) P_i` stored once, `sum s_i P_i = sum_(i,w) d_(i,w) 2^(c w) P_i` is a *single*
//! bucket pass over `n W` points with `c`-bit signed digits: no doublings, one bucket reduction
//! instead of `W`, so the window can be wider for the same work (`c` = 12-16 against 9-13),
//! which means fewer windows and so fewer additions. The price is memory: `W` points per base
//! (about 20x the key's query), paid once when the table is built.
//!
//! Large MSMs are split between threads, each part with its own buckets.

use super::pippenger::{batch_size, fold, signed_digit, BatchAffine};
use super::Scalar;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField, Zero};
use rayon::prelude::*;

/// The window width for a fixed-base MSM of `n` points, tuned on BN254 G1 and G2 on one core
/// (`cargo run --release -p veil-prover --example msm_windows -- N g1|g2 fixed`).
pub fn fixed_window_bits(n: usize) -> usize {
    match usize::BITS - n.max(1).leading_zeros() {
        0..=12 => 12,
        13..=14 => 13,
        15 => 14,
        16..=20 => 15,
        _ => 16,
    }
}

/// Bytes a table for `n` bases of curve `P` takes at window `c`.
pub fn table_bytes<P: SWCurveConfig>(n: usize, c: usize) -> usize
where
    P::ScalarField: PrimeField,
{
    n * windows::<P>(c) * std::mem::size_of::<Affine<P>>()
}

fn windows<P: SWCurveConfig>(c: usize) -> usize
where
    P::ScalarField: PrimeField,
{
    // Folded scalars are below p/2; the top window absorbs the last carry.
    (P::ScalarField::MODULUS_BIT_SIZE as usize).div_ceil(c)
}

/// Fixed bases with their multiples `2^(c w) P_i`, `w < W`.
pub struct FixedBases<P: SWCurveConfig> {
    c: usize,
    windows: usize,
    n: usize,
    /// `table[i * windows + w] = 2^(c w) P_i`.
    table: Vec<Affine<P>>,
}

impl<P: SWCurveConfig> FixedBases<P>
where
    P::ScalarField: PrimeField<BigInt = Scalar>,
{
    /// Builds the table of `bases` at window `c` (2..=16): `254 - c` doublings per base, in
    /// parallel.
    pub fn new(bases: &[Affine<P>], c: usize) -> Self {
        assert!((2..=16).contains(&c), "window width {c} is outside 2..=16");
        let windows = windows::<P>(c);
        let table: Vec<Affine<P>> = bases
            .par_chunks(256)
            .flat_map_iter(|chunk| {
                let mut multiples = Vec::with_capacity(chunk.len() * windows);
                for base in chunk {
                    let mut p = base.into_group();
                    for _ in 0..windows {
                        multiples.push(p);
                        for _ in 0..c {
                            p.double_in_place();
                        }
                    }
                }
                Projective::normalize_batch(&multiples)
            })
            .collect();
        FixedBases {
            c,
            windows,
            n: bases.len(),
            table,
        }
    }

    /// Bases in the table.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the table has no bases.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Bytes the table holds.
    pub fn bytes(&self) -> usize {
        self.table.len() * std::mem::size_of::<Affine<P>>()
    }

    /// `sum scalars[i] * bases[i]` over the shorter of the scalars and the bases.
    pub fn msm(&self, scalars: &[Scalar]) -> Projective<P> {
        let n = self.n.min(scalars.len());
        if n == 0 {
            return Projective::zero();
        }
        let chunk = n.div_ceil(self.chunks(n));
        scalars[..n]
            .par_chunks(chunk)
            .enumerate()
            .map(|(k, part)| self.partial(k * chunk, part))
            .reduce(Projective::zero, |a, b| a + b)
    }

    /// How many parts (each with its own buckets) an MSM of `n` points is split into. A proof
    /// runs its five MSMs concurrently, so small ones stay whole (splitting them only adds
    /// bucket reductions and, measured on 2 cores, made preview proofs 6% slower); from
    /// `2^17` points the reductions are negligible and parts balance the threads.
    fn chunks(&self, n: usize) -> usize {
        (n >> 17).clamp(1, rayon::current_num_threads().max(1))
    }

    /// `sum_j part[j] * bases[first + j]`, one bucket pass.
    fn partial(&self, first: usize, part: &[Scalar]) -> Projective<P> {
        let (c, windows) = (self.c, self.windows);
        let buckets = 1usize << (c - 1);
        let mut acc = BatchAffine::<P>::new(buckets, batch_size(buckets));
        for (j, s) in part.iter().enumerate() {
            if s.is_zero() {
                continue;
            }
            let (value, negative) = fold::<P::ScalarField>(s);
            let row = &self.table[(first + j) * windows..(first + j + 1) * windows];
            let mut carry = 0;
            for (w, point) in row.iter().enumerate() {
                let d = signed_digit(&value, w, c, &mut carry);
                if d == 0 || point.is_zero() {
                    continue;
                }
                if (d > 0) != negative {
                    acc.add(d.unsigned_abs() as usize - 1, *point);
                } else {
                    acc.add(d.unsigned_abs() as usize - 1, -*point);
                }
            }
            debug_assert_eq!(carry, 0, "the top window absorbs the carry");
        }
        acc.finish_sum()
    }
}
