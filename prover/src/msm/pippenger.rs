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
//! Windows are as equal as the scalar's bits allow (`c` or `c - 1` bits), not `c` bits and a
//! remainder: a top window of one or two bits puts half the points in one bucket, where no batch
//! forms and they spill. The window sums are combined with a window's width in doublings each,
//! highest first.
//!
//! On x86-64 with AVX-512 IFMA, BN254 G1 and G2 take the same algorithm on eight lanes
//! ([`ifma`](super::ifma): the batch's additions eight at a time in 52-bit limbs), with the
//! narrower windows its cheaper additions want, and G1 first splits every scalar in two
//! 126-bit halves by its endomorphism ([`glv`](super::glv)): twice the points, half the
//! windows. The `portable_*` functions keep the path above, same results, on any CPU.

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

/// The window width Veil uses for `n` points of curve `P`, tuned on BN254 G1 and G2 on one
/// core (`cargo run --release -p veil-prover --example msm_windows`): narrower on eight lanes
/// ([`ifma`](super::ifma)), where additions are cheap against the bucket reduction; for G1 on
/// lanes, the width for `2n` points over 126-bit halves ([`glv`](super::glv)).
pub fn window_bits<P: 'static>(n: usize) -> usize {
    let bits = usize::BITS - n.max(1).leading_zeros();
    if !lanes_available() {
        return portable_window_bits(n);
    }
    if std::any::TypeId::of::<P>() == std::any::TypeId::of::<ark_bn254::g1::Config>() {
        return match bits {
            0..=12 => 9,
            13..=14 => 10,
            15 => 11,
            16 => 12,
            17..=19 => 13,
            _ => 15,
        };
    }
    match bits {
        0..=11 => 8,
        12 => 9,
        13..=17 => 10,
        18..=19 => 11,
        _ => 12,
    }
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
/// [`window_bits`]`::<P>(n)` (arkworks' MSM below [`batch_affine_from`] points).
pub fn msm<P: SWCurveConfig>(bases: &[Affine<P>], scalars: &[BigInt<4>]) -> Projective<P>
where
    P::ScalarField: PrimeField<BigInt = BigInt<4>>,
{
    let n = bases.len().min(scalars.len());
    if n < batch_affine_from() {
        return Projective::<P>::msm_bigint(&bases[..n], &scalars[..n]);
    }
    msm_with_window(&bases[..n], &scalars[..n], window_bits::<P>(n))
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
    #[cfg(target_arch = "x86_64")]
    if lanes {
        if let Some(sum) = g1_on_lanes::<P>(&bases[..n], &scalars[..n], c)
            .or_else(|| g2_on_lanes::<P>(&bases[..n], &scalars[..n], c))
        {
            return sum;
        }
    }
    let _ = lanes;
    let digits = SignedDigits::new::<P::ScalarField>(&scalars[..n], c);
    let sums: Vec<Projective<P>> = (0..digits.widths.len())
        .into_par_iter()
        .map(|w| window_sum(&bases[..n], digits.window(w), digits.widths[w]))
        .collect();
    combine(&sums, &digits.widths)
}

/// `sum_w 2^(start_w) sums[w]`: window `w`'s width in doublings below window `w + 1`, highest
/// first.
fn combine<P: SWCurveConfig>(sums: &[Projective<P>], widths: &[usize]) -> Projective<P> {
    let mut total = Projective::<P>::zero();
    for (sum, &width) in sums.iter().zip(widths).rev() {
        for _ in 0..width {
            total.double_in_place();
        }
        total += sum;
    }
    total
}

/// G1's MSM on eight lanes ([`ifma`](super::ifma)) after the GLV split ([`glv`](super::glv)):
/// `2n` points `P_i, φ(P_i)` over 126-bit halves. `None` when `P` is not BN254 G1.
#[cfg(target_arch = "x86_64")]
fn g1_on_lanes<P: SWCurveConfig>(
    bases: &[Affine<P>],
    scalars: &[BigInt<4>],
    c: usize,
) -> Option<Projective<P>> {
    use super::ifma::Point;
    let bases = same_curve::<P, ark_bn254::g1::Config>(bases)?;
    let mut points = vec![Point::<1>::IDENTITY; 2 * bases.len()];
    points.par_chunks_mut(2).zip(bases).for_each(|(pair, p)| {
        pair[0] = Point::from_affine(p);
        if !p.is_zero() {
            pair[1] = pair[0].with_x::<ark_bn254::g1::Config>(&(p.x * super::glv::BETA));
        }
    });
    let digits = SignedDigits::glv(scalars, c);
    cast(combine(
        &lane_window_sums::<ark_bn254::g1::Config, 1>(&points, &digits),
        &digits.widths,
    ))
}

/// G2's MSM on eight lanes; `None` when `P` is not BN254 G2.
#[cfg(target_arch = "x86_64")]
fn g2_on_lanes<P: SWCurveConfig>(
    bases: &[Affine<P>],
    scalars: &[BigInt<4>],
    c: usize,
) -> Option<Projective<P>>
where
    P::ScalarField: PrimeField<BigInt = BigInt<4>>,
{
    use super::ifma::Point;
    let bases = same_curve::<P, ark_bn254::g2::Config>(bases)?;
    let points: Vec<Point<2>> = bases.par_iter().map(Point::from_affine).collect();
    let digits = SignedDigits::new::<P::ScalarField>(scalars, c);
    cast(combine(
        &lane_window_sums::<ark_bn254::g2::Config, 2>(&points, &digits),
        &digits.widths,
    ))
}

/// Every window's `sum_i digits[i] * points[i]`, in lane-form buckets. Narrow windows share
/// one set of buckets ([`window_groups`]), so that a batch of additions spans several windows
/// and one inversion serves up to [`batch_size`](super::batch::batch_size) of them; the groups
/// run in parallel.
#[cfg(target_arch = "x86_64")]
fn lane_window_sums<Q: super::ifma::Lanes<D>, const D: usize>(
    points: &[super::ifma::Point<D>],
    digits: &SignedDigits,
) -> Vec<Projective<Q>> {
    use super::ifma::Buckets;
    window_groups(&digits.widths, rayon::current_num_threads())
        .into_par_iter()
        .flat_map_iter(|windows| {
            // Window `windows.start + j` owns buckets `[bounds[j], bounds[j + 1])`.
            let mut bounds = vec![0];
            for w in windows.clone() {
                bounds.push(bounds[bounds.len() - 1] + (1 << (digits.widths[w] - 1)));
            }
            let mut acc = Buckets::<Q, D>::new(bounds[bounds.len() - 1]);
            for (i, p) in points.iter().enumerate() {
                if p.is_identity() {
                    continue;
                }
                for (j, w) in windows.clone().enumerate() {
                    let d = digits.window(w)[i];
                    if d > 0 {
                        acc.add(bounds[j] + d as usize - 1, *p);
                    } else if d < 0 {
                        acc.add(bounds[j] + (-d) as usize - 1, p.neg());
                    }
                }
            }
            acc.finish_sums(&bounds)
        })
        .collect()
}

/// Buckets a group of windows shares at most: below it, narrow windows are grouped.
pub const GROUP_BUCKETS: usize = 1 << 11;

/// Consecutive windows grouped to share buckets: as many as fit [`GROUP_BUCKETS`] (a window
/// wider than that alone), but no more than a thread's share (`windows / threads`, rounded
/// up), so every thread has work.
pub fn window_groups(widths: &[usize], threads: usize) -> Vec<std::ops::Range<usize>> {
    let widest = widths.iter().map(|&b| 1usize << b.saturating_sub(1)).max();
    let fit = GROUP_BUCKETS / widest.unwrap_or(1).max(1);
    let per_group = fit.clamp(1, widths.len().div_ceil(threads.max(1)).max(1));
    (0..widths.len())
        .step_by(per_group)
        .map(|start| start..(start + per_group).min(widths.len()))
        .collect()
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
/// included. Windows are as equal in width as the bits allow (at most `c`, at least `c - 1`
/// for most sizes): a top window of a bit or two would put every point in a bucket or two, where
/// batches cannot form and points spill to projective additions.
struct SignedDigits {
    digits: Vec<i16>,
    n: usize,
    widths: Vec<usize>,
}

impl SignedDigits {
    fn new<F: PrimeField<BigInt = BigInt<4>>>(scalars: &[BigInt<4>], c: usize) -> Self {
        let n = scalars.len();
        // Folded scalars are below p/2 < 2^253; one more bit keeps the top digit's carry.
        let widths = balanced_widths(F::MODULUS_BIT_SIZE as usize, c);
        let windows = widths.len();
        // Scalar-major first (each scalar's digits side by side, in parallel, no allocation
        // per scalar), then transposed window by window, in parallel.
        let mut by_scalar = vec![0i16; n * windows];
        by_scalar
            .par_chunks_mut(windows)
            .zip(scalars.par_iter())
            .for_each(|(out, s)| {
                let (value, negative) = fold::<F>(s);
                scalar_digits(&value, &widths, negative, out);
            });
        Self::transpose(&by_scalar, n, widths)
    }

    /// The digits of the GLV halves ([`glv::decompose`](super::glv::decompose)) of every
    /// scalar, `k1` of scalar `i` at `2i` and `k2` at `2i + 1`.
    #[cfg(target_arch = "x86_64")]
    fn glv(scalars: &[BigInt<4>], c: usize) -> Self {
        let n = 2 * scalars.len();
        // Halves are below 2^126; one more bit keeps the top digit's carry.
        let widths = balanced_widths(super::glv::HALF_BITS + 1, c);
        let windows = widths.len();
        let mut by_scalar = vec![0i16; n * windows];
        by_scalar
            .par_chunks_mut(2 * windows)
            .zip(scalars.par_iter())
            .for_each(|(out, s)| {
                let (k1, k2) = super::glv::decompose(s);
                let (first, second) = out.split_at_mut(windows);
                for (half, out) in [(k1, first), (k2, second)] {
                    let m = half.unsigned_abs();
                    let value = BigInt([m as u64, (m >> 64) as u64, 0, 0]);
                    scalar_digits(&value, &widths, half < 0, out);
                }
            });
        Self::transpose(&by_scalar, n, widths)
    }

    /// Window-major digits from scalar-major ones, in parallel.
    fn transpose(by_scalar: &[i16], n: usize, widths: Vec<usize>) -> Self {
        let windows = widths.len();
        let mut digits = vec![0i16; n * windows];
        digits.par_chunks_mut(n).enumerate().for_each(|(w, out)| {
            for (i, d) in out.iter_mut().enumerate() {
                *d = by_scalar[i * windows + w];
            }
        });
        SignedDigits { digits, n, widths }
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
    signed_digit_at(value, w * c, c, carry)
}

/// [`signed_digit`] of the `c`-bit window starting at bit `start`.
#[inline(always)]
fn signed_digit_at(value: &BigInt<4>, start: usize, c: usize, carry: &mut i32) -> i32 {
    let bits = window_bits_at(value, start, c) as i32 + *carry;
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

/// `bits` cut into `ceil(bits / c)` windows as equal as can be, the wider ones lowest.
fn balanced_widths(bits: usize, c: usize) -> Vec<usize> {
    let windows = bits.div_ceil(c);
    let (narrow, wider) = (bits / windows, bits % windows);
    (0..windows)
        .map(|w| narrow + usize::from(w < wider))
        .collect()
}

/// Writes the signed digits of `value` (below `2^(sum(widths) - 1)`) in windows of `widths`
/// bits into `out`, negated if `negative`.
fn scalar_digits(value: &BigInt<4>, widths: &[usize], negative: bool, out: &mut [i16]) {
    let (mut carry, mut start) = (0i32, 0);
    for (slot, &width) in out.iter_mut().zip(widths) {
        let d = signed_digit_at(value, start, width, &mut carry);
        start += width;
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
