//! Batch-affine bucket additions eight at a time, on AVX-512 IFMA (x86-64).
//!
//! A batch of affine additions (see [`pippenger`](super::pippenger)) is a set of independent
//! field computations, so eight of them fit the eight 64-bit lanes of a 512-bit register. The
//! base field is held in **five 52-bit limbs** per lane and multiplied with
//! `vpmadd52{lo,hi}uq`, which multiply 52-bit limbs and add the low or high half of the 104-bit
//! product to a 64-bit accumulator: a Montgomery multiplication (`R = 2^260`) of eight elements
//! is 100 such instructions, against about 32 scalar `mul`s for one element. `Fp2` (G2) is
//! Karatsuba over the same lanes (`u^2 = -1`).
//!
//! Points are kept in this form for the whole MSM (converted once per base: `x·2^260` is the
//! Montgomery form of arkworks' `x·2^256` times 16), the bucket x-coordinates canonical (so a
//! busy bucket, a doubling and `P + (-P)` are found by comparing limbs when a point is
//! inserted, and only generic additions reach the lanes), the y-coordinates below `2p`. The
//! batch's one inversion runs on arkworks' scalar field, eight lane products at once.
//!
//! Lazy bounds (values are integers below the stated multiple of `p`; `p < 2^254`):
//! a product `mul(a, b)` with `a, b < 8p` is below `2p` (`ab + mp < 64p^2 + 2^260 p`, and
//! `64p < 2^260`); in `Fp2` inputs below `4p` give outputs below `4p`. Each step of `Buckets::add8`
//! names its bound.
//!
//! The module is compiled on every x86-64 target and used only where the running CPU has
//! `avx512f` and `avx512ifma` ([`available`]): elsewhere [`pippenger`](super::pippenger) runs its
//! scalar path, same results.

use super::batch::{batch_size, Spill};
use ark_bn254::{Fq, Fq2};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, BigInt, BigInteger, PrimeField, Zero};
use std::arch::x86_64::*;

/// Whether this CPU runs the eight-lane path.
pub fn available() -> bool {
    std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512ifma")
}

const MASK: u64 = (1 << 52) - 1;

/// `v` (below `2^260`) in five 52-bit limbs.
const fn radix52(v: [u64; 4]) -> [u64; 5] {
    [
        v[0] & MASK,
        ((v[0] >> 52) | (v[1] << 12)) & MASK,
        ((v[1] >> 40) | (v[2] << 24)) & MASK,
        ((v[2] >> 28) | (v[3] << 36)) & MASK,
        v[3] >> 16,
    ]
}

/// Five 52-bit limbs (value below `2^256`) back in four words.
const fn radix64(l: [u64; 5]) -> [u64; 4] {
    [
        l[0] | (l[1] << 52),
        (l[1] >> 12) | (l[2] << 40),
        (l[2] >> 24) | (l[3] << 28),
        (l[3] >> 36) | (l[4] << 16),
    ]
}

/// `k·p` in four words (`k <= 4`, so below `2^256`).
const fn times_p(k: u64) -> [u64; 4] {
    let p = Fq::MODULUS.0;
    let mut out = [0u64; 4];
    let mut carry = 0u128;
    let mut i = 0;
    while i < 4 {
        let t = p[i] as u128 * k as u128 + carry;
        out[i] = t as u64;
        carry = t >> 64;
        i += 1;
    }
    out
}

const P1: [u64; 5] = radix52(times_p(1));
const P2: [u64; 5] = radix52(times_p(2));
const P4: [u64; 5] = radix52(times_p(4));

/// `-p^-1 mod 2^52`, by Newton's iteration.
const PINV: u64 = {
    let p0 = Fq::MODULUS.0[0];
    let mut inv = 1u64;
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(p0.wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg() & MASK
};

/// 16, and its inverse: the factor between arkworks' Montgomery form (`R = 2^256`) and this
/// module's (`R = 2^260`).
const SIXTEEN: Fq = ark_ff::MontFp!("16");
const INV_SIXTEEN: Fq = ark_ff::MontFp!(
    "12312136615409592312513603231707217237391675025980025810262583815737939742328"
);

/// The limbs of `u`, given `16 u`: arkworks keeps `16 u · 2^256 = u · 2^260`.
fn limbs_of_sixteenth(sixteen_u: &Fq) -> [u64; 5] {
    radix52(sixteen_u.0 .0)
}

/// `16 v` for the element `v` whose limbs are `l` (below `4p`): the inverse of
/// [`limbs_of_sixteenth`], all an inversion needs.
fn sixteen_times(l: &[u64; 5]) -> Fq {
    Fq::new_unchecked(BigInt(radix64(canonical(l))))
}

/// `l mod p` for limbs below `4p`.
fn canonical(l: &[u64; 5]) -> [u64; 5] {
    let mut v = BigInt(radix64(*l));
    while v >= Fq::MODULUS {
        v.sub_with_borrow(&Fq::MODULUS);
    }
    radix52(v.0)
}

/// `p - l` for canonical limbs (`0` stays `0`).
fn neg_limbs(l: &[u64; 5]) -> [u64; 5] {
    let v = BigInt(radix64(*l));
    if v.is_zero() {
        return *l;
    }
    let mut p = Fq::MODULUS;
    p.sub_with_borrow(&v);
    radix52(p.0)
}

/// Eight elements of the base field, one per lane: `l[i]` holds limb `i` of each.
#[derive(Clone, Copy)]
struct F8([__m512i; 5]);

/// Eight elements, stored: lane `k` of limb `i` is `s[i][k]`.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct Slab([[u64; 8]; 5]);

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn splat(c: &[u64; 5]) -> F8 {
    F8(std::array::from_fn(|i| _mm512_set1_epi64(c[i] as i64)))
}

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn load(s: &Slab) -> F8 {
    // SAFETY: `Slab` is 64-byte aligned and each row is 64 bytes.
    F8(std::array::from_fn(|i| unsafe {
        _mm512_load_si512(s.0[i].as_ptr() as *const __m512i)
    }))
}

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn store(v: &F8, s: &mut Slab) {
    for i in 0..5 {
        // SAFETY: as in `load`.
        unsafe { _mm512_store_si512(s.0[i].as_mut_ptr() as *mut __m512i, v.0[i]) }
    }
}

/// Carries limbs `0..4` into the next: with logical shifts where every limb is non-negative,
/// arithmetic ones where a limb may be negative (`SIGNED`; the value must not be).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn carry<const SIGNED: bool>(mut t: [__m512i; 5]) -> F8 {
    let mask = _mm512_set1_epi64(MASK as i64);
    for i in 0..4 {
        let high = if SIGNED {
            _mm512_srai_epi64::<52>(t[i])
        } else {
            _mm512_srli_epi64::<52>(t[i])
        };
        t[i + 1] = _mm512_add_epi64(t[i + 1], high);
        t[i] = _mm512_and_si512(t[i], mask);
    }
    F8(t)
}

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn add(a: &F8, b: &F8) -> F8 {
    carry::<false>(std::array::from_fn(|i| _mm512_add_epi64(a.0[i], b.0[i])))
}

/// `a + kp - b` for `b <= kp` (`kp` given in limbs).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn sub(a: &F8, b: &F8, kp: &[u64; 5]) -> F8 {
    let k = splat(kp);
    carry::<true>(std::array::from_fn(|i| {
        _mm512_sub_epi64(_mm512_add_epi64(a.0[i], k.0[i]), b.0[i])
    }))
}

/// `a - kp` where that is non-negative, else `a`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn reduce(a: &F8, kp: &[u64; 5]) -> F8 {
    let k = splat(kp);
    let t = carry::<true>(std::array::from_fn(|i| _mm512_sub_epi64(a.0[i], k.0[i])));
    let negative = _mm512_cmplt_epi64_mask(t.0[4], _mm512_setzero_si512());
    F8(std::array::from_fn(|i| {
        _mm512_mask_blend_epi64(negative, t.0[i], a.0[i])
    }))
}

/// Montgomery product `a b 2^-260` of inputs below `8p`: below `2p`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn mul(a: &F8, b: &F8) -> F8 {
    let z = _mm512_setzero_si512();
    let p = splat(&P1);
    let pinv = _mm512_set1_epi64(PINV as i64);
    let mut t = [z; 10];
    for i in 0..5 {
        for j in 0..5 {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], a.0[i], b.0[j]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], a.0[i], b.0[j]);
        }
    }
    // Column sums stay below 2^57: at most 20 terms of 52 bits and a small carry.
    for i in 0..5 {
        let m = _mm512_madd52lo_epu64(z, t[i], pinv);
        for j in 0..5 {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], m, p.0[j]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], m, p.0[j]);
        }
        t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64::<52>(t[i]));
    }
    carry::<false>([t[5], t[6], t[7], t[8], t[9]])
}

/// An element of the base field (`D = 1`) or of `Fp2` (`D = 2`) in eight lanes.
#[derive(Clone, Copy)]
struct E<const D: usize>([F8; D]);

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn e_load<const D: usize>(s: &[Slab; D]) -> E<D> {
    E(std::array::from_fn(|c| load(&s[c])))
}

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn e_store<const D: usize>(v: &E<D>, s: &mut [Slab; D]) {
    for (v, s) in v.0.iter().zip(s.iter_mut()) {
        store(v, s);
    }
}

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn e_add<const D: usize>(a: &E<D>, b: &E<D>) -> E<D> {
    E(std::array::from_fn(|c| add(&a.0[c], &b.0[c])))
}

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn e_sub<const D: usize>(a: &E<D>, b: &E<D>, kp: &[u64; 5]) -> E<D> {
    E(std::array::from_fn(|c| sub(&a.0[c], &b.0[c], kp)))
}

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn e_reduce<const D: usize>(a: &E<D>, kp: &[u64; 5]) -> E<D> {
    E(std::array::from_fn(|c| reduce(&a.0[c], kp)))
}

/// The product of inputs below `4p`: below `4p` (below `2p` in the base field).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn e_mul<const D: usize>(a: &E<D>, b: &E<D>) -> E<D> {
    if D == 1 {
        return E(std::array::from_fn(|_| mul(&a.0[0], &b.0[0])));
    }
    // (a0 + a1 u)(b0 + b1 u) with u^2 = -1, Karatsuba: sums below 8p, products below 2p.
    let v0 = mul(&a.0[0], &b.0[0]);
    let v1 = mul(&a.0[1], &b.0[1]);
    let s = mul(&add(&a.0[0], &a.0[1]), &add(&b.0[0], &b.0[1]));
    let c0 = sub(&v0, &v1, &P2); // below 4p
    let c1 = reduce(&sub(&s, &add(&v0, &v1), &P4), &P4); // below 6p, then 4p
    E(std::array::from_fn(|c| if c == 0 { c0 } else { c1 }))
}

/// The square of an input below `4p`: below `4p`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn e_square<const D: usize>(a: &E<D>) -> E<D> {
    if D == 1 {
        return e_mul(a, a);
    }
    // (a0 + a1)(a0 - a1) + 2 a0 a1 u: factors below 8p.
    let c0 = mul(&add(&a.0[0], &a.0[1]), &sub(&a.0[0], &a.0[1], &P4));
    let m = mul(&a.0[0], &a.0[1]);
    let c1 = add(&m, &m);
    E(std::array::from_fn(|c| if c == 0 { c0 } else { c1 }))
}

/// A curve whose affine points have a lane form: BN254 G1 (`D = 1`) and G2 (`D = 2`).
pub trait Lanes<const D: usize>: SWCurveConfig {
    /// `16 v` for the coordinate `v` whose limbs are `l` (one row per `Fp` component).
    fn sixteen_times(l: &[[u64; 5]; D]) -> Self::BaseField;
    /// The limbs of `u`, given `16 u`.
    fn limbs_of_sixteenth(sixteen_u: &Self::BaseField) -> [[u64; 5]; D];
    /// `16`.
    const SIXTEEN: Self::BaseField;
    /// `1 / 16`.
    const INV_SIXTEEN: Self::BaseField;

    /// A coordinate's limbs.
    fn coordinate(f: &Self::BaseField) -> [[u64; 5]; D] {
        Self::limbs_of_sixteenth(&(*f * Self::SIXTEEN))
    }
    /// The coordinate with these limbs.
    fn from_coordinate(l: &[[u64; 5]; D]) -> Self::BaseField {
        Self::sixteen_times(l) * Self::INV_SIXTEEN
    }
}

impl Lanes<1> for ark_bn254::g1::Config {
    const SIXTEEN: Fq = SIXTEEN;
    const INV_SIXTEEN: Fq = INV_SIXTEEN;
    fn sixteen_times(l: &[[u64; 5]; 1]) -> Fq {
        sixteen_times(&l[0])
    }
    fn limbs_of_sixteenth(f: &Fq) -> [[u64; 5]; 1] {
        [limbs_of_sixteenth(f)]
    }
}

impl Lanes<2> for ark_bn254::g2::Config {
    const SIXTEEN: Fq2 = Fq2::new(SIXTEEN, Fq::ZERO);
    const INV_SIXTEEN: Fq2 = Fq2::new(INV_SIXTEEN, Fq::ZERO);
    fn sixteen_times(l: &[[u64; 5]; 2]) -> Fq2 {
        Fq2::new(sixteen_times(&l[0]), sixteen_times(&l[1]))
    }
    fn limbs_of_sixteenth(f: &Fq2) -> [[u64; 5]; 2] {
        [limbs_of_sixteenth(&f.c0), limbs_of_sixteenth(&f.c1)]
    }
}

/// An affine point in lane form: `x` canonical, `y` below `2p`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Point<const D: usize> {
    x: [[u64; 5]; D],
    y: [[u64; 5]; D],
}

impl<const D: usize> Point<D> {
    /// The identity's mark: `(0, 0)`, which is on neither curve (`b != 0`).
    pub const IDENTITY: Self = Point {
        x: [[0; 5]; D],
        y: [[0; 5]; D],
    };

    /// The point's lane form ([`Self::IDENTITY`] for the identity).
    pub fn from_affine<P: Lanes<D>>(p: &Affine<P>) -> Self {
        if p.is_zero() {
            return Self::IDENTITY;
        }
        Point {
            x: P::coordinate(&p.x),
            y: P::coordinate(&p.y),
        }
    }

    /// This point with its `x` replaced by `x` (`φ(P) = (β x, y)`, [`glv`](super::glv)).
    pub fn with_x<P: Lanes<D>>(&self, x: &P::BaseField) -> Self {
        Point {
            x: P::coordinate(x),
            y: self.y,
        }
    }

    /// Whether this is [`Self::IDENTITY`].
    pub fn is_identity(&self) -> bool {
        *self == Self::IDENTITY
    }

    fn affine<P: Lanes<D>>(&self) -> Affine<P> {
        Affine::new_unchecked(P::from_coordinate(&self.x), P::from_coordinate(&self.y))
    }

    /// `-self`.
    pub fn neg(&self) -> Self {
        let mut y = self.y;
        for row in &mut y {
            *row = neg_limbs(&canonical(row));
        }
        Point { x: self.x, y }
    }
}

/// Affine buckets in lane form, taking generic additions eight at a time.
pub struct Buckets<P: Lanes<D>, const D: usize> {
    buckets: Vec<Point<D>>,
    full: Vec<bool>,
    busy: Vec<bool>,
    spill: Spill<P>,
    /// The pending additions' buckets, lane `k % 8` of group `k / 8`.
    pending: Vec<u32>,
    x1: Vec<[Slab; D]>,
    y1: Vec<[Slab; D]>,
    x2: Vec<[Slab; D]>,
    y2: Vec<[Slab; D]>,
    /// Scratch: denominators and prefix products per group.
    den: Vec<[Slab; D]>,
    prefix: Vec<[Slab; D]>,
    waiting: Vec<(u32, Point<D>)>,
    limit: usize,
}

impl<P: Lanes<D>, const D: usize> Buckets<P, D> {
    /// `buckets` empty buckets, batches of about [`batch_size`] additions. Only on a CPU with
    /// the lanes ([`available`]): that is what makes the additions' `unsafe` call sound.
    pub(crate) fn new(buckets: usize) -> Self {
        assert!(
            available(),
            "eight-lane buckets on a CPU without AVX-512 IFMA"
        );
        let limit = batch_size(buckets).next_multiple_of(8);
        let groups = limit / 8;
        let slabs = || vec![[Slab::default(); D]; groups];
        Buckets {
            buckets: vec![Point::IDENTITY; buckets],
            full: vec![false; buckets],
            busy: vec![false; buckets],
            spill: Spill::new(buckets),
            pending: Vec::with_capacity(limit),
            x1: slabs(),
            y1: slabs(),
            x2: slabs(),
            y2: slabs(),
            den: slabs(),
            prefix: slabs(),
            waiting: Vec::new(),
            limit,
        }
    }

    /// Adds `point` to `bucket`.
    pub fn add(&mut self, bucket: usize, point: Point<D>) {
        self.insert(bucket, point);
        if self.pending.len() >= self.limit {
            self.flush();
        }
    }

    fn insert(&mut self, bucket: usize, point: Point<D>) {
        if self.busy[bucket] {
            if self.waiting.len() < self.limit {
                self.waiting.push((bucket as u32, point));
            } else {
                // A bucket hit again and again: spill instead of waiting (never quadratic).
                self.spill.add(bucket, &point.affine::<P>());
            }
            return;
        }
        if !self.full[bucket] {
            self.buckets[bucket] = point;
            self.full[bucket] = true;
            return;
        }
        let q = self.buckets[bucket];
        // The first limbs differ for all but about one pair in 2^52: test them first.
        if q.x[0][0] == point.x[0][0] && q.x == point.x {
            // Same x: a doubling or `P + (-P)`, both rare; arkworks does them.
            let same_y = (0..D).all(|c| canonical(&q.y[c]) == canonical(&point.y[c]));
            if same_y {
                let doubled: Affine<P> = (q.affine::<P>() + q.affine::<P>()).into();
                self.buckets[bucket] = Point::from_affine(&doubled);
                self.full[bucket] = !doubled.is_zero();
            } else {
                self.full[bucket] = false;
            }
            return;
        }
        let k = self.pending.len();
        let (g, lane) = (k / 8, k % 8);
        put(&mut self.x1[g], lane, &q.x);
        put(&mut self.y1[g], lane, &q.y);
        put(&mut self.x2[g], lane, &point.x);
        put(&mut self.y2[g], lane, &point.y);
        self.pending.push(bucket as u32);
        self.busy[bucket] = true;
    }

    /// Adds every pending point to its bucket, then lets the waiting points in.
    fn flush(&mut self) {
        let n = self.pending.len();
        if n > 0 {
            // Unused lanes of the last group add (1, 0) to (0, 0): a nonzero denominator.
            let g = (n - 1) / 8;
            for lane in (n % 8..8).filter(|_| !n.is_multiple_of(8)) {
                put(&mut self.x1[g], lane, &[[0; 5]; D]);
                put(&mut self.y1[g], lane, &[[0; 5]; D]);
                put(&mut self.x2[g], lane, &[[1, 0, 0, 0, 0]; D]);
                put(&mut self.y2[g], lane, &[[0; 5]; D]);
            }
            // SAFETY: `Buckets::new` checked that this CPU has avx512f and avx512ifma.
            unsafe { self.add8(n.div_ceil(8)) };
            for (k, &b) in self.pending.iter().enumerate() {
                let (g, lane) = (k / 8, k % 8);
                self.buckets[b as usize] = Point {
                    x: take(&self.x1[g], lane),
                    y: take(&self.y1[g], lane),
                };
                self.busy[b as usize] = false;
            }
            self.pending.clear();
        }
        for (b, p) in std::mem::take(&mut self.waiting) {
            self.insert(b as usize, p);
        }
    }

    /// `(x1, y1) += (x2, y2)` in groups `0..groups`, all x1 != x2, results in `x1, y1`.
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn add8(&mut self, groups: usize) {
        let one = P::limbs_of_sixteenth(&P::SIXTEEN);
        let mut acc: E<D> = E(std::array::from_fn(|c| splat(&one[c])));
        // Forward: prefix products of the denominators x2 - x1 (below 2p).
        for g in 0..groups {
            let d = e_sub(&e_load(&self.x2[g]), &e_load(&self.x1[g]), &P1);
            e_store(&d, &mut self.den[g]);
            e_store(&acc, &mut self.prefix[g]);
            acc = e_mul(&acc, &d);
        }
        // The eight lanes' products inverted with one scalar inversion.
        let mut total = [[Slab::default(); D]; 1];
        e_store(&acc, &mut total[0]);
        let mut lanes: [P::BaseField; 8] =
            std::array::from_fn(|k| P::sixteen_times(&take(&total[0], k)));
        ark_ff::batch_inversion(&mut lanes);
        let sq = P::BaseField::from(256u64);
        for (k, v) in lanes.iter().enumerate() {
            put(&mut total[0], k, &P::limbs_of_sixteenth(&(*v * sq)));
        }
        let mut inv = e_load(&total[0]);
        // Backward: each denominator's inverse, then the addition.
        for g in (0..groups).rev() {
            let d_inv = e_mul(&inv, &e_load(&self.prefix[g]));
            inv = e_mul(&inv, &e_load(&self.den[g]));
            let (x1, y1) = (e_load(&self.x1[g]), e_load(&self.y1[g]));
            let (x2, y2) = (e_load(&self.x2[g]), e_load(&self.y2[g]));
            let lambda = e_mul(&e_sub(&y2, &y1, &P2), &d_inv); // (y2 - y1) below 4p
                                                               // x3 = lambda^2 - x1 - x2: below 6p, reduced to canonical.
            let x3 = e_sub(&e_square(&lambda), &e_add(&x1, &x2), &P2);
            let x3 = e_reduce(&e_reduce(&e_reduce(&x3, &P4), &P2), &P1);
            // y3 = lambda (x1 - x3) - y1: below 6p, reduced below 2p.
            let y3 = e_sub(&e_mul(&lambda, &e_sub(&x1, &x3, &P1)), &y1, &P2);
            let y3 = e_reduce(&e_reduce(&y3, &P4), &P2);
            e_store(&x3, &mut self.x1[g]);
            e_store(&y3, &mut self.y1[g]);
        }
    }

    /// Adds what is pending, then `sum_k (k + 1) * bucket_k` by running sums.
    pub fn finish_sum(&mut self) -> Projective<P> {
        let all = self.buckets.len();
        self.finish_sums(&[0, all])[0]
    }

    /// Adds what is pending, then each segment's `sum_k (k + 1) * bucket_(start + k)`, for the
    /// segments `[bounds[j], bounds[j + 1])`: several windows sharing one set of buckets (and so
    /// one inversion per batch across all of them).
    pub fn finish_sums(&mut self, bounds: &[usize]) -> Vec<Projective<P>> {
        while !self.pending.is_empty() || !self.waiting.is_empty() {
            self.flush();
        }
        bounds
            .windows(2)
            .map(|segment| {
                let mut running = Projective::<P>::zero();
                let mut sum = Projective::<P>::zero();
                for k in (segment[0]..segment[1]).rev() {
                    if self.full[k] {
                        running += &self.buckets[k].affine::<P>();
                    }
                    self.spill.add_to(k, &mut running);
                    sum += &running;
                }
                sum
            })
            .collect()
    }
}

/// Writes `v` into lane `lane` of `s`.
fn put<const D: usize>(s: &mut [Slab; D], lane: usize, v: &[[u64; 5]; D]) {
    for (s, v) in s.iter_mut().zip(v) {
        for (row, limb) in s.0.iter_mut().zip(v) {
            row[lane] = *limb;
        }
    }
}

/// Lane `lane` of `s`.
fn take<const D: usize>(s: &[Slab; D], lane: usize) -> [[u64; 5]; D] {
    std::array::from_fn(|c| std::array::from_fn(|i| s[c].0[i][lane]))
}

#[cfg(test)]
mod tests {}
