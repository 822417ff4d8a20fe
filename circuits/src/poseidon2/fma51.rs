//! Two Poseidon2 permutations at once over 51-bit limbs held in `f64x2` lanes, for
//! WebAssembly with relaxed SIMD: the browser's delivery check hashes many independent leaves,
//! so two of them share each instruction. A limb product is two fused multiply-adds
//! (`f64x2.relaxed_madd`, one `vfmadd` on x86-64 and `fmla` on ARM): for limbs below `2^51`,
//! `hi = fma(a, b, 2^103)` rounds `a b` to a multiple of `2^51` inside the mantissa of `2^103`,
//! and `lo = fma(a, b, 2^103 + 3 2^51 - hi)` is the exact remainder inside the mantissa of
//! `2^52`; their bit patterns, less fixed offsets, are the product's two 51-bit digits, summed
//! in `i64x2` accumulators (the offsets are tracked at compile time, [`offsets`]). This is the
//! floating-point multiplication of Emmart, Luo and Weems (ARITH 2018), made two-lane.
//!
//! Built with the feature `relaxed-simd` (`scripts/build-wasm.sh`): every function here enables
//! `simd128` and `relaxed-simd` itself, so the rest of the module's build is the plain one's.
//! `relaxed_madd` may be unfused on an engine without FMA hardware; [`fused`] checks once, and
//! [`permute2`] then falls back to two [`super::limb29`] permutations. Values are in Montgomery
//! form with `R = 2^306` (six rounds of reduction), which keeps every product below
//! `a b / R + p < p + 2^206` for any input below `2^261`: no lazy-reduction bound to track
//! except the partial rounds' lane sum ([`reduce`]). `docs/browser.md` has the speed.

use super::{FULL_ROUNDS, PARTIAL_ROUNDS, WIDTH};
use crate::Fr;
use ark_ff::{BigInt, Field, PrimeField};
use core::arch::wasm32::*;
use std::sync::LazyLock;

const BITS: u32 = 51;
const MASK: u64 = (1 << BITS) - 1;
const N: usize = 6;

/// Limb `j` of two numbers (lane 0 and lane 1) as `i64x2`, least significant first; after
/// [`normalize`] every limb is below `2^51`.
type Limbs = [v128; N];
/// The same limbs as `f64x2`, the multiplier's operands.
type Floats = [v128; N];

/// Repacks four 64-bit limbs into this module's.
const fn from_u64s(x: [u64; 4]) -> [u64; N] {
    super::to_radix(x, BITS)
}

/// Repacks normalised limbs of a number below `2^256` into four 64-bit ones.
fn to_u64s(x: &[u64; N]) -> [u64; 4] {
    super::from_radix(x, BITS)
}

const P: [u64; N] = from_u64s(<Fr as PrimeField>::MODULUS.0);
/// `p`'s five nonzero limbs as floats (`p < 2^255`).
const PF: [f64; 5] = [
    P[0] as f64,
    P[1] as f64,
    P[2] as f64,
    P[3] as f64,
    P[4] as f64,
];

/// `-p^{-1} mod 2^51`.
const MU: u64 = super::montgomery_mu(BITS);

/// The bits of `2^52`: `x | TWO52` read as a float is `2^52 + x` for `x < 2^52`.
const TWO52: u64 = (1023 + 52) << 52;
/// The bits of `2^103`, whose mantissa's last place is `2^51`.
const C1: u64 = (1023 + 103) << 52;
/// The bits of `2^103 + 3 2^51` (three last places above `C1`).
const C2: u64 = C1 + 3;
/// With `a b = H 2^51 + L` (`H` rounded to nearest, `|L| <= 2^50`): `bits(lo) - OL = L + 2^51`
/// (at least `2^50`) and `bits(hi) - OH = H - 1` (at least `-1`), so `a b` is the sum of the two
/// at their places and every accumulator stays non-negative (logical shifts suffice).
const OL: u64 = TWO52;
const OH: u64 = C1 + 1;

/// The offsets `mul::<NA, NB>`'s accumulator slots carry: every `lo` adds `OL` to its slot and
/// every `hi` adds `OH` to the next (wrapping, as the `i64x2` sums do), and slot 0 is made exact
/// before each row's quotient.
struct Offsets {
    /// Subtracted from slot 0 before row `i`'s quotient.
    before_q: [u64; N],
    /// Left in the six output slots.
    last: [u64; N],
}

const fn offsets(na: usize, nb: usize) -> Offsets {
    let mut off = [0u64; N + 1];
    let mut before_q = [0u64; N];
    let mut i = 0;
    while i < N {
        if i < na {
            let mut j = 0;
            while j < nb {
                off[j] = off[j].wrapping_add(OL);
                off[j + 1] = off[j + 1].wrapping_add(OH);
                j += 1;
            }
        }
        before_q[i] = off[0];
        off[0] = 0;
        let mut j = 0;
        while j < 5 {
            off[j] = off[j].wrapping_add(OL);
            off[j + 1] = off[j + 1].wrapping_add(OH);
            j += 1;
        }
        let mut k = 0;
        while k < N {
            off[k] = off[k + 1];
            k += 1;
        }
        off[N] = 0;
        i += 1;
    }
    let mut last = [0u64; N];
    let mut k = 0;
    while k < N {
        last[k] = off[k];
        k += 1;
    }
    Offsets { before_q, last }
}

#[inline]
#[target_feature(enable = "simd128,relaxed-simd")]
fn splat(x: u64) -> v128 {
    u64x2_splat(x)
}

/// Integers below `2^52` in `i64` lanes as the floats of the same values.
#[inline]
#[target_feature(enable = "simd128,relaxed-simd")]
fn to_f64(x: v128) -> v128 {
    f64x2_sub(v128_or(x, splat(TWO52)), splat(TWO52))
}

#[inline]
#[target_feature(enable = "simd128,relaxed-simd")]
fn floats(x: &Limbs) -> Floats {
    std::array::from_fn(|i| to_f64(x[i]))
}

/// The bits of `hi` and `lo` of `a b`, for `a b < 2^103`.
#[inline]
#[target_feature(enable = "simd128,relaxed-simd")]
fn split(a: v128, b: v128) -> (v128, v128) {
    let hi = f64x2_relaxed_madd(a, b, splat(C1));
    let lo = f64x2_relaxed_madd(a, b, f64x2_sub(splat(C2), hi));
    (hi, lo)
}

/// One row of the CIOS Montgomery multiplication: adds `a_i b` (when `a_i` is one of `a`'s
/// nonzero limbs), then `q p` for the `q` that clears slot 0, and shifts the slots down one.
#[inline]
#[target_feature(enable = "simd128,relaxed-simd")]
fn row<const NB: usize>(t: &mut [v128; N + 1], ai: Option<v128>, b: &Floats, offset: u64) {
    if let Some(ai) = ai {
        for j in 0..NB {
            let (h, l) = split(ai, b[j]);
            t[j] = i64x2_add(t[j], l);
            t[j + 1] = i64x2_add(t[j + 1], h);
        }
    }
    let t0 = i64x2_sub(t[0], splat(offset));
    // q = (t0 mod 2^51) MU mod 2^51: the low digit of a product is lo's mantissa mod 2^51.
    let (_, q) = split(to_f64(v128_and(t0, splat(MASK))), f64x2_splat(MU as f64));
    let q = to_f64(v128_and(q, splat(MASK)));
    let (h, l) = split(q, f64x2_splat(PF[0]));
    let t0 = i64x2_sub(i64x2_add(t0, l), splat(OL));
    t[0] = i64x2_add(i64x2_add(t[1], h), u64x2_shr(t0, BITS));
    for j in 1..5 {
        let (h, l) = split(q, f64x2_splat(PF[j]));
        t[j - 1] = i64x2_add(t[j - 1], l);
        t[j] = i64x2_add(t[j + 1], h);
    }
    t[5] = t[6];
    t[6] = splat(0);
}

/// `a b / 2^306 mod p`, below `a b / 2^306 + p`, normalised; `a`'s limbs past `NA` and `b`'s
/// past `NB` must be zero (a product's output has five: it is below `2^255`). Every limb must be
/// below `2^51` except a sixth below `2^52`, so each limb product is below `2^103`.
#[inline]
#[target_feature(enable = "simd128,relaxed-simd")]
fn mul<const NA: usize, const NB: usize>(a: &Floats, b: &Floats) -> Limbs {
    let off = const { offsets(NA, NB) };
    let mut t = [splat(0); N + 1];
    row::<NB>(&mut t, (NA > 0).then(|| a[0]), b, off.before_q[0]);
    row::<NB>(&mut t, (NA > 1).then(|| a[1]), b, off.before_q[1]);
    row::<NB>(&mut t, (NA > 2).then(|| a[2]), b, off.before_q[2]);
    row::<NB>(&mut t, (NA > 3).then(|| a[3]), b, off.before_q[3]);
    row::<NB>(&mut t, (NA > 4).then(|| a[4]), b, off.before_q[4]);
    row::<NB>(&mut t, (NA > 5).then(|| a[5]), b, off.before_q[5]);
    let mut out = [splat(0); N];
    let mut c = splat(0);
    for k in 0..N {
        let v = i64x2_add(i64x2_sub(t[k], splat(off.last[k])), c);
        c = u64x2_shr(v, BITS);
        out[k] = v128_and(v, splat(MASK));
    }
    out
}

#[inline]
#[target_feature(enable = "simd128,relaxed-simd")]
fn add(a: &Limbs, b: &Limbs) -> Limbs {
    std::array::from_fn(|i| i64x2_add(a[i], b[i]))
}

/// Settles the carries of non-negative limbs.
#[inline]
#[target_feature(enable = "simd128,relaxed-simd")]
fn normalize(x: &mut Limbs) {
    let mut c = splat(0);
    for l in x.iter_mut() {
        let v = i64x2_add(*l, c);
        *l = v128_and(v, splat(MASK));
        c = u64x2_shr(v, BITS);
    }
}

/// A normalised value below `2^261` brought below `2p`: subtracts `q p` for
/// `q = floor(floor(x / 2^210) / (floor(p / 2^210) + 1))`, never above `x / p` and, with 44
/// bits of `p` in the divisor and `x < 64 p`, at most one below it.
#[inline]
#[target_feature(enable = "simd128,relaxed-simd")]
fn reduce(x: &Limbs) -> Limbs {
    let top = v128_or(i64x2_shl(x[5], 45), u64x2_shr(x[4], 6));
    let divisor = f64x2_splat(((P[4] >> 6) + 1) as f64);
    let q = f64x2_floor(f64x2_div(to_f64(top), divisor));
    let mut out = *x;
    for j in 0..5 {
        let (h, l) = split(q, f64x2_splat(PF[j]));
        out[j] = i64x2_sub(i64x2_add(out[j], splat(OL)), l);
        out[j + 1] = i64x2_sub(i64x2_add(out[j + 1], splat(OH)), h);
    }
    // Limbs may be negative here (the value is not): arithmetic shifts.
    let mut c = splat(0);
    for l in out.iter_mut() {
        let v = i64x2_add(*l, c);
        *l = v128_and(v, splat(MASK));
        c = i64x2_shr(v, BITS);
    }
    out
}

#[target_feature(enable = "simd128,relaxed-simd")]
fn pack(a: &[u64; N], b: &[u64; N]) -> Limbs {
    std::array::from_fn(|i| u64x2(a[i], b[i]))
}

#[target_feature(enable = "simd128,relaxed-simd")]
fn unpack(x: &Limbs) -> ([u64; N], [u64; N]) {
    (
        std::array::from_fn(|i| u64x2_extract_lane::<0>(x[i])),
        std::array::from_fn(|i| u64x2_extract_lane::<1>(x[i])),
    )
}

/// A normalised value below `2^256` reduced to canonical.
fn canonical(x: &[u64; N]) -> [u64; N] {
    let mut x = *x;
    loop {
        let mut out = [0u64; N];
        let mut borrow = 0i64;
        for j in 0..N {
            let v = x[j] as i64 - P[j] as i64 + borrow;
            out[j] = (v as u64) & MASK;
            borrow = v >> BITS;
        }
        if borrow < 0 {
            return x;
        }
        x = out;
    }
}

struct Constants {
    /// `2^356 mod p`: `mul(x 2^256, IN) = x 2^306`, into this form from arkworks'.
    into: Floats,
    /// `2^256 mod p`: back into arkworks' form.
    out: Floats,
    round_constants: [[Limbs; WIDTH]; FULL_ROUNDS + PARTIAL_ROUNDS],
    internal_diagonal: [Floats; WIDTH],
}

fn both(x: Fr) -> Limbs {
    let x = from_u64s(x.into_bigint().0);
    pack(&x, &x)
}

static CONSTANTS: LazyLock<Constants> = LazyLock::new(constants);

#[target_feature(enable = "simd128,relaxed-simd")]
fn constants() -> Constants {
    let into = floats(&both(Fr::from(2u64).pow([356])));
    // x R: x (arkworks' Montgomery form read as an integer is x 2^256) times IN.
    let convert = |x: &Fr| {
        let raw = from_u64s(x.0 .0);
        let m = unpack(&mul::<5, 5>(&floats(&pack(&raw, &raw)), &into)).0;
        let c = canonical(&m);
        pack(&c, &c)
    };
    Constants {
        into,
        out: floats(&both(Fr::from(2u64).pow([256]))),
        round_constants: super::round_constants().map(|r| r.each_ref().map(convert)),
        internal_diagonal: super::internal_diagonal()
            .each_ref()
            .map(|d| floats(&convert(d))),
    }
}

/// `x^5`, below `p + 2^206`, for `x` normalised below `2^261`.
#[inline]
#[target_feature(enable = "simd128,relaxed-simd")]
fn sbox(x: &Limbs) -> Limbs {
    let xf = floats(x);
    let x2 = floats(&mul::<6, 6>(&xf, &xf));
    let x4 = floats(&mul::<5, 5>(&x2, &x2));
    mul::<5, 6>(&x4, &xf)
}

/// The external matrix (as [`super::external_matrix`]): each output is at most 16 times the
/// largest input; normalised.
#[inline]
#[target_feature(enable = "simd128,relaxed-simd")]
fn external_matrix(s: &mut [Limbs; WIDTH]) {
    *s = super::external_chain!(s, add);
    for x in s.iter_mut() {
        normalize(x);
    }
}

/// Inputs below `4 p` give outputs below `17 p` (`p` < `2^254`).
#[target_feature(enable = "simd128,relaxed-simd")]
fn full_round(s: &mut [Limbs; WIDTH], rc: &[Limbs; WIDTH]) {
    for (x, c) in s.iter_mut().zip(rc) {
        let mut y = add(x, c);
        normalize(&mut y);
        *x = sbox(&y);
    }
    external_matrix(s);
}

#[target_feature(enable = "simd128,relaxed-simd")]
fn permute2_fma(a: &mut [Fr; WIDTH], b: &mut [Fr; WIDTH]) {
    let k = &*CONSTANTS;
    let half = FULL_ROUNDS / 2;
    let mut s: [Limbs; WIDTH] = std::array::from_fn(|i| {
        let x = pack(&from_u64s(a[i].0 .0), &from_u64s(b[i].0 .0));
        mul::<5, 5>(&floats(&x), &k.into)
    });
    external_matrix(&mut s);
    for rc in &k.round_constants[..half] {
        full_round(&mut s, rc);
    }
    // Entering: lanes below 17 p. Each round: the sum below p + 3 (17 p) < 2^260, reduced below
    // 2 p; each lane then below p + 2 p, so later sums stay below 10 p.
    for rc in &k.round_constants[half..half + PARTIAL_ROUNDS] {
        let mut y = add(&s[0], &rc[0]);
        normalize(&mut y);
        s[0] = sbox(&y);
        let mut sum = add(&add(&s[0], &s[1]), &add(&s[2], &s[3]));
        normalize(&mut sum);
        let sum = reduce(&sum);
        let d = &k.internal_diagonal;
        let x0 = mul::<5, 5>(&floats(&s[0]), &d[0]);
        let mut lanes = [x0, s[1], s[2], s[3]];
        for (i, x) in lanes.iter_mut().enumerate().skip(1) {
            *x = mul::<6, 5>(&floats(x), &d[i]);
        }
        for (x, y) in s.iter_mut().zip(&lanes) {
            *x = add(y, &sum);
            normalize(x);
        }
    }
    for rc in &k.round_constants[half + PARTIAL_ROUNDS..] {
        full_round(&mut s, rc);
    }
    // Out: below 17 p, times 2^256 / R: below p + 2^206, one subtraction from canonical.
    for i in 0..WIDTH {
        let (x, y) = unpack(&mul::<6, 5>(&floats(&s[i]), &k.out));
        a[i] = Fr::new_unchecked(BigInt(to_u64s(&canonical(&x))));
        b[i] = Fr::new_unchecked(BigInt(to_u64s(&canonical(&y))));
    }
}

/// Whether this engine's `relaxed_madd` is fused: `(2^52 + 1)(2^52 - 1) - 2^104` is `-1` with
/// one rounding and `0` with two.
pub fn fused() -> bool {
    #[target_feature(enable = "simd128,relaxed-simd")]
    fn check() -> bool {
        let a = f64x2_splat(std::hint::black_box(4503599627370497.0));
        let b = f64x2_splat(std::hint::black_box(4503599627370495.0));
        let c = f64x2_splat(std::hint::black_box(-20282409603651670423947251286016.0));
        let r = f64x2_relaxed_madd(a, b, c);
        f64x2_extract_lane::<0>(r) == -1.0 && f64x2_extract_lane::<1>(r) == -1.0
    }
    static FUSED: LazyLock<bool> = LazyLock::new(check);
    *FUSED
}

/// Two Poseidon2 permutations, equal to two of [`super::permute`].
#[target_feature(enable = "simd128,relaxed-simd")]
pub fn permute2(a: &mut [Fr; WIDTH], b: &mut [Fr; WIDTH]) {
    if fused() {
        permute2_fma(a, b);
    } else {
        super::limb29::permute(a);
        super::limb29::permute(b);
    }
}
