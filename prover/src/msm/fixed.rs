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

use super::batch::batch_size;
#[cfg(target_arch = "x86_64")]
use super::ifma::{Buckets, Lanes, Point};
#[cfg(target_arch = "x86_64")]
use super::pippenger::cast;
use super::pippenger::{fold, signed_digit, BatchAffine};
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
    n * windows::<P>(c) * point_bytes::<P>()
}

/// Bytes a table entry takes: a lane-form point where [`FixedBases::new`] converts the table.
fn point_bytes<P: SWCurveConfig>() -> usize {
    #[cfg(target_arch = "x86_64")]
    if super::pippenger::lanes_available() {
        use std::any::TypeId;
        if TypeId::of::<P>() == TypeId::of::<ark_bn254::g1::Config>() {
            return std::mem::size_of::<Point<1>>();
        }
        if TypeId::of::<P>() == TypeId::of::<ark_bn254::g2::Config>() {
            return std::mem::size_of::<Point<2>>();
        }
    }
    std::mem::size_of::<Affine<P>>()
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
    /// `table[i * windows + w] = 2^(c w) P_i`; empty where `lanes` holds the table.
    table: Vec<Affine<P>>,
    #[cfg(target_arch = "x86_64")]
    lanes: LaneTable,
}

/// The table in lane form ([`ifma`](super::ifma)), for BN254 G1 and G2 on a CPU with
/// AVX-512 IFMA: converted once, so no addition converts a point.
#[cfg(target_arch = "x86_64")]
enum LaneTable {
    None,
    G1(Vec<Point<1>>),
    G2(Vec<Point<2>>),
}

#[cfg(target_arch = "x86_64")]
impl LaneTable {
    fn bytes(&self) -> usize {
        match self {
            LaneTable::None => 0,
            LaneTable::G1(t) => t.len() * std::mem::size_of::<Point<1>>(),
            LaneTable::G2(t) => t.len() * std::mem::size_of::<Point<2>>(),
        }
    }
}

impl<P: SWCurveConfig> FixedBases<P>
where
    P::ScalarField: PrimeField<BigInt = Scalar>,
{
    /// Builds the table of `bases` at window `c` (2..=16): `254 - c` doublings per base, in
    /// parallel.
    pub fn new(bases: &[Affine<P>], c: usize) -> Self {
        Self::build(bases, c, super::pippenger::lanes_available())
    }

    /// [`Self::new`] for the portable path (one addition at a time), whatever the CPU.
    pub fn portable(bases: &[Affine<P>], c: usize) -> Self {
        Self::build(bases, c, false)
    }

    fn build(bases: &[Affine<P>], c: usize, lanes: bool) -> Self {
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
        #[cfg(target_arch = "x86_64")]
        {
            let (table, lanes) = if lanes {
                to_lanes(table)
            } else {
                (table, LaneTable::None)
            };
            FixedBases {
                c,
                windows,
                n: bases.len(),
                table,
                lanes,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = lanes;
        #[cfg(not(target_arch = "x86_64"))]
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
        let bytes = self.table.len() * std::mem::size_of::<Affine<P>>();
        #[cfg(target_arch = "x86_64")]
        let bytes = bytes + self.lanes.bytes();
        bytes
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
        #[cfg(target_arch = "x86_64")]
        if let Some(sum) = match &self.lanes {
            LaneTable::None => None,
            LaneTable::G1(t) => cast(partial_lanes::<ark_bn254::g1::Config, 1>(
                t, first, part, windows, c,
            )),
            LaneTable::G2(t) => cast(partial_lanes::<ark_bn254::g2::Config, 2>(
                t, first, part, windows, c,
            )),
        } {
            return sum;
        }
        let mut acc = BatchAffine::<P>::new(buckets, batch_size(buckets));
        for_each_digit::<P::ScalarField>(first, part, windows, c, |k, bucket, negative| {
            let point = &self.table[k];
            if !point.is_zero() {
                acc.add(bucket, if negative { -*point } else { *point });
            }
        });
        acc.finish_sum()
    }
}

/// Calls `add(k, bucket, negative)` for every nonzero signed digit of `part[j]`'s windows:
/// table entry `k = (first + j) W + w`, bucket `|d| - 1`, and whether the point is negated.
fn for_each_digit<F: PrimeField<BigInt = Scalar>>(
    first: usize,
    part: &[Scalar],
    windows: usize,
    c: usize,
    mut add: impl FnMut(usize, usize, bool),
) {
    for (j, s) in part.iter().enumerate() {
        if s.is_zero() {
            continue;
        }
        let (value, negative) = fold::<F>(s);
        let row = (first + j) * windows;
        let mut carry = 0;
        for w in 0..windows {
            let d = signed_digit(&value, w, c, &mut carry);
            if d != 0 {
                add(row + w, d.unsigned_abs() as usize - 1, (d > 0) == negative);
            }
        }
        debug_assert_eq!(carry, 0, "the top window absorbs the carry");
    }
}

/// The table in lane form where this CPU and curve have one (the arkworks table then
/// dropped), else unchanged.
#[cfg(target_arch = "x86_64")]
fn to_lanes<P: SWCurveConfig>(table: Vec<Affine<P>>) -> (Vec<Affine<P>>, LaneTable) {
    use super::pippenger::same_curve;
    let lanes = if let Some(t) = same_curve::<P, ark_bn254::g1::Config>(&table) {
        LaneTable::G1(t.par_iter().map(Point::from_affine).collect())
    } else if let Some(t) = same_curve::<P, ark_bn254::g2::Config>(&table) {
        LaneTable::G2(t.par_iter().map(Point::from_affine).collect())
    } else {
        return (table, LaneTable::None);
    };
    (Vec::new(), lanes)
}

/// [`FixedBases::partial`] on a lane-form table.
#[cfg(target_arch = "x86_64")]
fn partial_lanes<Q: Lanes<D>, const D: usize>(
    table: &[Point<D>],
    first: usize,
    part: &[Scalar],
    windows: usize,
    c: usize,
) -> Projective<Q>
where
    Q::ScalarField: PrimeField<BigInt = Scalar>,
{
    let mut acc = Buckets::<Q, D>::new(1 << (c - 1));
    for_each_digit::<Q::ScalarField>(first, part, windows, c, |k, bucket, negative| {
        let point = &table[k];
        if !point.is_identity() {
            acc.add(bucket, if negative { point.neg() } else { *point });
        }
    });
    acc.finish_sum()
}
