//! Times Veil's MSM at every window width against arkworks' on random points and scalars, on
//! the current rayon pool: how `pippenger::window_bits` was chosen.
//!
//! Also times the portable path (one addition at a time) at its own window, beside.
//!
//! `RAYON_NUM_THREADS=1 cargo run --release -p veil-prover --example msm_windows -- 65536 g2`;
//! with a third argument `fixed`, times the fixed-base MSM (`msm::fixed`) at every window
//! instead, with each table's size and build time: how `fixed::fixed_window_bits` was chosen;
//! with `summary`, arkworks', the portable path's and Veil's MSM at their chosen windows,
//! interleaved over five rounds, as one JSON line of medians; with `veil`, Veil's MSM alone ten
//! times (for `perf record`) (`scripts/msm-bench.sh` runs it
//! at every size the performance report quotes).

use ark_bn254::Fr;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{BigInt, PrimeField, UniformRand};
use rand::SeedableRng;
use std::time::Instant;
use veil_prover::msm::fixed::{fixed_window_bits, FixedBases};
use veil_prover::msm::pippenger::{
    lanes_available, msm_with_window, portable_msm_with_window, portable_window_bits, window_bits,
};

/// Times the fixed-base MSM of `bases` at windows 9..=16, with its table's size and build time.
fn fixed<P: ark_ec::short_weierstrass::SWCurveConfig<ScalarField = Fr>>(
    bases: &[ark_ec::short_weierstrass::Affine<P>],
    scalars: &[ark_ff::BigInt<4>],
) {
    println!(
        "fixed-base: chosen window {}",
        fixed_window_bits(bases.len())
    );
    for c in 9..=15 {
        let t = Instant::now();
        let table = FixedBases::new(bases, c);
        let built = t.elapsed().as_secs_f64();
        let portable = FixedBases::portable(bases, c);
        println!(
            "fixed c={c:<2} {:8.1} ms, portable {:8.1} ms   (table {:6.0} MiB, built in {built:.2} s)",
            millis(|| table.msm(scalars)),
            millis(|| portable.msm(scalars)),
            table.bytes() as f64 / (1u64 << 20) as f64
        );
    }
}

/// Median milliseconds of three runs.
fn millis<T>(f: impl Fn() -> T) -> f64 {
    let mut v: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            let _ = std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[1]
}

/// Every window of Veil's MSM of `p` against arkworks' and the portable path's.
fn windows<P: SWCurveConfig<ScalarField = Fr>>(p: &[Affine<P>], scalars: &[BigInt<4>]) {
    let n = p.len();
    println!(
        "arkworks   {:8.1} ms",
        millis(|| Projective::<P>::msm_bigint(p, scalars))
    );
    let c = portable_window_bits(n);
    println!(
        "portable   {:8.1} ms (c = {c})",
        millis(|| portable_msm_with_window(p, scalars, c))
    );
    for c in 6..=15 {
        println!(
            "veil c={c:<2}  {:8.1} ms",
            millis(|| msm_with_window(p, scalars, c))
        );
    }
}

/// arkworks, the portable path and Veil's MSM at their chosen windows, interleaved over
/// `rounds` rounds (one untimed first), medians as one JSON line; Veil's result checked.
fn summary<P: SWCurveConfig<ScalarField = Fr>>(
    curve: &str,
    p: &[Affine<P>],
    scalars: &[BigInt<4>],
    rounds: usize,
) {
    let n = p.len();
    let (cp, cv) = (portable_window_bits(n), window_bits::<P>(n));
    let want = Projective::<P>::msm_bigint(p, scalars);
    assert_eq!(msm_with_window(p, scalars, cv), want, "Veil's MSM is wrong");
    let time = |f: &dyn Fn() -> Projective<P>| {
        let t = Instant::now();
        let _ = std::hint::black_box(f());
        t.elapsed().as_secs_f64() * 1e3
    };
    let mut runs = [vec![], vec![], vec![]];
    for _ in 0..rounds {
        runs[0].push(time(&|| Projective::<P>::msm_bigint(p, scalars)));
        runs[1].push(time(&|| portable_msm_with_window(p, scalars, cp)));
        runs[2].push(time(&|| msm_with_window(p, scalars, cv)));
    }
    let [ark, portable, veil] = runs.map(|mut v| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    });
    println!(
        "{{\"curve\":\"{curve}\",\"points\":{n},\"threads\":{},\"lanes\":{},\"rounds\":{rounds},\
         \"arkworks_ms\":{ark:.2},\"portable_ms\":{portable:.2},\"portable_window\":{cp},\
         \"veil_ms\":{veil:.2},\"veil_window\":{cv},\"veil_vs_arkworks\":{:.3},\
         \"portable_vs_arkworks\":{:.3}}}",
        rayon::current_num_threads(),
        lanes_available(),
        ark / veil,
        ark / portable,
    );
}

/// Random points and scalars, then the mode asked for.
fn run<P: SWCurveConfig<ScalarField = Fr>>(curve: &str, n: usize, mode: Option<&str>) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let scalars: Vec<_> = (0..n).map(|_| Fr::rand(&mut rng).into_bigint()).collect();
    let p: Vec<Projective<P>> = (0..n).map(|_| Projective::<P>::rand(&mut rng)).collect();
    let p = Projective::normalize_batch(&p);
    match mode {
        Some("fixed") => fixed(&p, &scalars),
        Some("summary") => summary(curve, &p, &scalars, 5),
        // Veil's MSM alone, ten times: for a profiler.
        Some("veil") => (0..10).for_each(|_| {
            let _ = std::hint::black_box(msm_with_window(&p, &scalars, window_bits::<P>(n)));
        }),
        _ => windows(&p, &scalars),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1 << 14);
    let g2 = args.get(2).is_some_and(|a| a == "g2");
    let mode = args.get(3).map(String::as_str);
    if mode != Some("summary") {
        println!(
            "n = {n}, {}, {} threads; {}; chosen window {}",
            if g2 { "G2" } else { "G1" },
            rayon::current_num_threads(),
            if lanes_available() {
                "eight lanes (AVX-512 IFMA)"
            } else {
                "portable"
            },
            if g2 {
                window_bits::<ark_bn254::g2::Config>(n)
            } else {
                window_bits::<ark_bn254::g1::Config>(n)
            }
        );
    }
    if g2 {
        run::<ark_bn254::g2::Config>("G2", n, mode);
    } else {
        run::<ark_bn254::g1::Config>("G1", n, mode);
    }
}
