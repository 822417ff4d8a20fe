//! Veil's MSM: Pippenger's bucket method with signed windows and batch-affine accumulation.
//!
//! `sum s_i P_i` is cut into windows of `c` bits. Each scalar is first folded to
//! `min(s, p - s)` (the point negated for the second), so `-1`, `-2`, ... cost what `1`, `2`
//! cost, then written in signed digits `d in (-2^(c-1), 2^(c-1)]`: a window needs only
//! `2^(c-1)` buckets and `-d` is a free point negation. Windows run in parallel (rayon).
//!
//! Inside a window, points are added to their buckets in **affine** coordinates, many at once:
//! an affine addition `(x3, y3) = (l^2 - x1 - x2, l (x1 - x3) - y1)` with
//! `l = (y2 - y1) / (x2 - x1)` costs one inversion, and a batch of them shares that inversion
//! (Montgomery's trick: three multiplications per element), about 5M + 1S per addition against
//! 8M + 2S for arkworks' mixed addition into extended-Jacobian buckets. A batch may hold a
//! bucket once; a second point for a busy bucket waits for the next batch, and points for a
//! bucket that keeps being hit (a column of equal scalars) go to a projective spill so no input
//! makes the method quadratic. Doubling and `P + (-P)` are handled exactly.
//!
//! The window sums are combined with `c` doublings each, highest first.
//!
//! On x86-64 with AVX-512 IFMA, BN254 G1 and G2 take the same algorithm on eight lanes
//! ([`ifma`](super::ifma): the batch's additions eight at a time in 52-bit limbs), with the
//! narrower windows its cheaper additions want; the `portable_*` functions keep the path above,
//! same results, on any CPU.

use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr, VariableBaseMSM};
use ark_ff::{BigInt, Field, PrimeField, Zero};
use rayon::prelude::*;

use super::batch::{batch_size, Spill};

/// Below this many points batches are too small to pay for their inversions: arkworks'
/// extended-Jacobian buckets win, and [`msm`] hands over to them.
pub const BATCH_AFFINE_FROM: usize = 2048;

/// [`BATCH_AFFINE_FROM`] on eight lanes, where additions are cheaper: from 512 points G2 is
/// 1.3x arkworks' and G1 level with it (1.6x from 1,024).
pub const LANES_FROM: usize = 512;

/// The fewest points [`msm`] runs its own buckets for, on this CPU.
pub fn batch_affine_from() -> usize {
    if lanes_available() {
        LANES_FROM
    } else {
        BATCH_AFFINE_FROM
    }
}

/// The window width Veil uses for `n` points, tuned on BN254 G1 and G2 on one core
/// (`cargo run --release -p veil-prover --example msm_windows`): narrower on eight lanes
/// ([`ifma`](super::ifma)), where additions are cheap against the bucket reduction.
pub fn window_bits(n: usize) -> usize {
    if lanes_available() {
        return match usize::BITS - n.max(1).leading_zeros() {
            0..=11 => 8,
            12 => 9,
            13..=14 => 10,
            15..=19 => 11,
            _ => 12,
        };
    }
    portable_window_bits(n)
}

/// [`window_bits`] for the portable path.
pub fn portable_window_bits(n: usize) -> usize {
    match usize::BITS - n.max(1).leading_zeros() {
        0..=12 => 9,
        13..=14 => 10,
        15 => 11,
        16..=17 => 12,
        18 => 13,
        _ => 15,
    }
}

/// Whether this CPU adds buckets on eight lanes (x86-64 with AVX-512 IFMA).
pub fn lanes_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    return super::ifma::available();
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// `sum scalars[i] * bases[i]` over the shorter of the two slices, with `c =`
/// [`window_bits`]`(n)` (arkworks' MSM below [`batch_affine_from`] points).
pub fn msm<P: SWCurveConfig>(bases: &[Affine<P>], scalars: &[BigInt<4>]) -> Projective<P>
where
    P::ScalarField: PrimeField<BigInt = BigInt<4>>,
{
    let n = bases.len().min(scalars.len());
    if n < batch_affine_from() {
        return Projective::<P>::msm_bigint(&bases[..n], &scalars[..n]);
    }
    msm_with_window(&bases[..n], &scalars[..n], window_bits(n))
}

/// [`msm`] with an explicit window width `c` (2..=15), on eight lanes where this CPU has them.
pub fn msm_with_window<P: SWCurveConfig>(
    bases: &[Affine<P>],
    scalars: &[BigInt<4>],
    c: usize,
) -> Projective<P>
where
    P::ScalarField: PrimeField<BigInt = BigInt<4>>,
{
    msm_on(bases, scalars, c, lanes_available())
}

/// [`msm_with_window`] on the portable path (one addition at a time), whatever the CPU.
pub fn portable_msm_with_window<P: SWCurveConfig>(
    bases: &[Affine<P>],
    scalars: &[BigInt<4>],
    c: usize,
) -> Projective<P>
where
    P::ScalarField: PrimeField<BigInt = BigInt<4>>,
{
    msm_on(bases, scalars, c, false)
}

fn msm_on<P: SWCurveConfig>(
    bases: &[Affine<P>],
    scalars: &[BigInt<4>],
    c: usize,
    lanes: bool,
) -> Projective<P>
where
    P::ScalarField: PrimeField<BigInt = BigInt<4>>,
{
    assert!((2..=15).contains(&c), "window width {c} is outside 2..=15");
    let n = bases.len().min(scalars.len());
    if n == 0 {
        return Projective::zero();
    }
    let digits = SignedDigits::new::<P::ScalarField>(&scalars[..n], c);
    #[cfg(target_arch = "x86_64")]
    if lanes {
        if let Some(sum) = on_lanes::<P, ark_bn254::g1::Config, 1>(&bases[..n], &digits, c)
            .or_else(|| on_lanes::<P, ark_bn254::g2::Config, 2>(&bases[..n], &digits, c))
        {
            return sum;
        }
    }
    let _ = lanes;
    let sums: Vec<Projective<P>> = (0..digits.windows)
        .into_par_iter()
        .map(|w| window_sum(&bases[..n], digits.window(w), c))
        .collect();
    combine(&sums, c)
}

/// `sum_w 2^(c w) sums[w]`: `c` doublings per window, highest first.
fn combine<P: SWCurveConfig>(sums: &[Projective<P>], c: usize) -> Projective<P> {
    let mut total = Projective::<P>::zero();
    for sum in sums.iter().rev() {
        for _ in 0..c {
            total.double_in_place();
        }
        total += sum;
    }
    total
}

/// The MSM on eight lanes ([`ifma`](super::ifma)) when `P` is `Q` (BN254 G1 or G2); `None`
/// otherwise.
#[cfg(target_arch = "x86_64")]
fn on_lanes<P: SWCurveConfig, Q: super::ifma::Lanes<D>, const D: usize>(
    bases: &[Affine<P>],
    digits: &SignedDigits,
    c: usize,
) -> Option<Projective<P>> {
    use super::ifma::{Buckets, Point};
    let bases = same_curve::<P, Q>(bases)?;
    let points: Vec<Point<D>> = bases.par_iter().map(Point::from_affine).collect();
    let sums: Vec<Projective<Q>> = (0..digits.windows)
        .into_par_iter()
        .map(|w| {
            let mut acc = Buckets::<Q, D>::new(1 << (c - 1));
            for (p, &d) in points.iter().zip(digits.window(w)) {
                if d == 0 || p.is_identity() {
                    continue;
                }
                if d > 0 {
                    acc.add(d as usize - 1, *p);
                } else {
                    acc.add((-d) as usize - 1, p.neg());
                }
            }
            acc.finish_sum()
        })
        .collect();
    cast(combine(&sums, c))
}

/// `sum` as a point of `P`, when `Q` is `P`.
pub(super) fn cast<Q: SWCurveConfig, P: SWCurveConfig>(
    sum: Projective<Q>,
) -> Option<Projective<P>> {
    let sum: Box<dyn std::any::Any> = Box::new(sum);
    sum.downcast::<Projective<P>>().ok().map(|s| *s)
}

/// `bases` as points of `Q`, when `P` is `Q`.
#[cfg(target_arch = "x86_64")]
pub(super) fn same_curve<P: SWCurveConfig, Q: SWCurveConfig>(
    bases: &[Affine<P>],
) -> Option<&[Affine<Q>]> {
    (std::any::TypeId::of::<P>() == std::any::TypeId::of::<Q>()).then(|| {
        // SAFETY: `P` and `Q` are the same type.
        unsafe { std::slice::from_raw_parts(bases.as_ptr().cast::<Affine<Q>>(), bases.len()) }
    })
}

/// Every scalar's signed digits, window-major (`digits[w * n + i]`), the sign of the fold
/// included.
struct SignedDigits {
    digits: Vec<i16>,
    n: usize,
    windows: usize,
}

impl SignedDigits {
    fn new<F: PrimeField<BigInt = BigInt<4>>>(scalars: &[BigInt<4>], c: usize) -> Self {
        let n = scalars.len();
        // Folded scalars are below p/2 < 2^253; one more bit keeps the top digit's carry.
        let windows = (F::MODULUS_BIT_SIZE as usize).div_ceil(c);
        // Scalar-major first (each scalar's digits side by side, in parallel, no allocation
        // per scalar), then transposed window by window, in parallel.
        let mut by_scalar = vec![0i16; n * windows];
        by_scalar
            .par_chunks_mut(windows)
            .zip(scalars.par_iter())
            .for_each(|(out, s)| {
                let (value, negative) = fold::<F>(s);
                scalar_digits(&value, c, negative, out);
            });
        let mut digits = vec![0i16; n * windows];
        digits.par_chunks_mut(n).enumerate().for_each(|(w, out)| {
            for (i, d) in out.iter_mut().enumerate() {
                *d = by_scalar[i * windows + w];
            }
        });
        SignedDigits { digits, n, windows }
    }

    fn window(&self, w: usize) -> &[i16] {
        &self.digits[w * self.n..(w + 1) * self.n]
    }
}

/// `min(s, p - s)`, and whether it is `p - s` (the point is then negated).
pub(super) fn fold<F: PrimeField<BigInt = BigInt<4>>>(s: &BigInt<4>) -> (BigInt<4>, bool) {
    if *s > F::MODULUS_MINUS_ONE_DIV_TWO {
        let mut v = F::MODULUS;
        sub_assign(&mut v, s);
        (v, true)
    } else {
        (*s, false)
    }
}

/// The signed digit of window `w` of `value`, given the carry from window `w - 1` (updated
/// for window `w + 1`): in `(-2^(c-1), 2^(c-1)]`.
#[inline(always)]
pub(super) fn signed_digit(value: &BigInt<4>, w: usize, c: usize, carry: &mut i32) -> i32 {
    let bits = window_bits_at(value, w * c, c) as i32 + *carry;
    if bits > 1 << (c - 1) {
        *carry = 1;
        bits - (1 << c)
    } else {
        *carry = 0;
        bits
    }
}

/// `a -= b` for `a >= b`.
fn sub_assign(a: &mut BigInt<4>, b: &BigInt<4>) {
    let mut borrow = 0u128;
    for i in 0..4 {
        let d = (a.0[i] as u128)
            .wrapping_sub(b.0[i] as u128)
            .wrapping_sub(borrow);
        a.0[i] = d as u64;
        borrow = (d >> 127) & 1;
    }
}

/// Writes the signed base-`2^c` digits of `value` (below `2^(out.len() c - 1)`) into `out`,
/// negated if `negative`.
fn scalar_digits(value: &BigInt<4>, c: usize, negative: bool, out: &mut [i16]) {
    let mut carry = 0i32;
    for (w, slot) in out.iter_mut().enumerate() {
        let d = signed_digit(value, w, c, &mut carry);
        *slot = if negative { -d } else { d } as i16;
    }
    debug_assert_eq!(carry, 0, "the top window absorbs the carry");
}

/// Bits `[start, start + c)` of `value`.
fn window_bits_at(value: &BigInt<4>, start: usize, c: usize) -> u64 {
    let (limb, shift) = (start / 64, start % 64);
    if limb >= 4 {
        return 0;
    }
    let mut bits = value.0[limb] >> shift;
    if shift + c > 64 && limb + 1 < 4 {
        bits |= value.0[limb + 1] << (64 - shift);
    }
    bits & ((1u64 << c) - 1)
}

/// `sum_i digits[i] * bases[i]` for one window: affine buckets filled in batches, then summed
/// as `sum_k k * bucket_k` by running sums.
fn window_sum<P: SWCurveConfig>(bases: &[Affine<P>], digits: &[i16], c: usize) -> Projective<P> {
    let buckets = 1usize << (c - 1);
    let mut acc = BatchAffine::<P>::new(buckets, batch_size(buckets));
    for (base, &d) in bases.iter().zip(digits) {
        if d == 0 || base.is_zero() {
            continue;
        }
        if d > 0 {
            acc.add(d as usize - 1, *base);
        } else {
            acc.add((-d) as usize - 1, -*base);
        }
    }
    acc.finish_sum()
}

/// Affine buckets that take additions in batches sharing one inversion.
pub(super) struct BatchAffine<P: SWCurveConfig> {
    buckets: Vec<Affine<P>>,
    spill: Spill<P>,
    busy: Vec<bool>,
    /// Pending additions `(bucket, point)`, each bucket at most once.
    batch: Vec<(u32, Affine<P>)>,
    /// Points that found their bucket busy, retried after the batch.
    waiting: Vec<(u32, Affine<P>)>,
    limit: usize,
    denominators: Vec<P::BaseField>,
    prefix: Vec<P::BaseField>,
}

impl<P: SWCurveConfig> BatchAffine<P> {
    pub(super) fn new(buckets: usize, limit: usize) -> Self {
        BatchAffine {
            buckets: vec![Affine::identity(); buckets],
            spill: Spill::new(buckets),
            busy: vec![false; buckets],
            batch: Vec::with_capacity(limit + 1),
            waiting: Vec::new(),
            limit,
            denominators: Vec::with_capacity(limit + 1),
            prefix: Vec::with_capacity(limit + 1),
        }
    }

    pub(super) fn add(&mut self, bucket: usize, point: Affine<P>) {
        self.insert(bucket, point);
        if self.batch.len() >= self.limit {
            self.flush();
        }
    }

    fn insert(&mut self, bucket: usize, point: Affine<P>) {
        if self.busy[bucket] {
            if self.waiting.len() < self.limit {
                self.waiting.push((bucket as u32, point));
            } else {
                // A bucket hit again and again: spill instead of waiting (never quadratic).
                self.spill.add(bucket, &point);
            }
        } else if self.buckets[bucket].is_zero() {
            self.buckets[bucket] = point;
        } else {
            self.busy[bucket] = true;
            self.batch.push((bucket as u32, point));
        }
    }

    /// Adds every pending point to its bucket, sharing one inversion, then lets the waiting
    /// points in.
    fn flush(&mut self) {
        // Denominators: x2 - x1, or 2 y1 to double, or 1 where the sum is the identity.
        self.denominators.clear();
        for (b, p) in &self.batch {
            let q = &self.buckets[*b as usize];
            let den = match sum_kind(q, p) {
                Sum::Add => p.x - q.x,
                Sum::Double => q.y.double(),
                Sum::Identity => P::BaseField::ONE,
            };
            self.denominators.push(den);
        }
        invert_all(&mut self.denominators, &mut self.prefix);
        for ((b, p), inv) in self.batch.iter().zip(&self.denominators) {
            let q = &mut self.buckets[*b as usize];
            self.busy[*b as usize] = false;
            let lambda = match sum_kind(q, p) {
                Sum::Add => (p.y - q.y) * inv,
                Sum::Double => {
                    let x2 = q.x.square();
                    (x2.double() + x2 + P::COEFF_A) * inv
                }
                Sum::Identity => {
                    *q = Affine::identity();
                    continue;
                }
            };
            let x3 = lambda.square() - q.x - p.x;
            let y3 = lambda * (q.x - x3) - q.y;
            *q = Affine::new_unchecked(x3, y3);
        }
        self.batch.clear();
        for (b, p) in std::mem::take(&mut self.waiting) {
            self.insert(b as usize, p);
        }
    }

    fn finish(&mut self) {
        while !self.batch.is_empty() || !self.waiting.is_empty() {
            self.flush();
        }
    }

    /// Adds what is pending, then `sum_k (k + 1) * bucket_k` by running sums.
    pub(super) fn finish_sum(&mut self) -> Projective<P> {
        self.finish();
        let mut running = Projective::<P>::zero();
        let mut sum = Projective::<P>::zero();
        for k in (0..self.buckets.len()).rev() {
            if !self.buckets[k].is_zero() {
                running += &self.buckets[k];
            }
            self.spill.add_to(k, &mut running);
            sum += &running;
        }
        sum
    }
}

/// How two affine points `q + p` (neither the identity) add.
enum Sum {
    Add,
    Double,
    Identity,
}

fn sum_kind<P: SWCurveConfig>(q: &Affine<P>, p: &Affine<P>) -> Sum {
    if q.x != p.x {
        Sum::Add
    } else if q.y == p.y && !q.y.is_zero() {
        Sum::Double
    } else {
        Sum::Identity
    }
}

/// Replaces every element by its inverse (all nonzero) with one field inversion.
fn invert_all<F: Field>(values: &mut [F], prefix: &mut Vec<F>) {
    prefix.clear();
    let mut acc = F::ONE;
    for v in values.iter() {
        prefix.push(acc);
        acc *= v;
    }
    // Every denominator is nonzero (`sum_kind`), so the product is.
    let mut inv = acc.inverse().unwrap_or(F::ZERO);
    for (v, before) in values.iter_mut().zip(prefix.iter()).rev() {
        let next = inv * *v;
        *v = inv * before;
        inv = next;
    }
}
