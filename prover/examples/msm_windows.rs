//! Times Veil's MSM at every window width against arkworks' on random points and scalars, on
//! the current rayon pool: how `pippenger::window_bits` was chosen.
//!
//! `RAYON_NUM_THREADS=1 cargo run --release -p veil-prover --example msm_windows -- 65536 g2`;
//! with a third argument `fixed`, times the fixed-base MSM (`msm::fixed`) at every window
//! instead, with each table's size and build time: how `fixed::fixed_window_bits` was chosen.

use ark_bn254::{Fr, G1Projective, G2Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{PrimeField, UniformRand};
use rand::SeedableRng;
use std::time::Instant;
use veil_prover::msm::fixed::{fixed_window_bits, FixedBases};
use veil_prover::msm::pippenger::{msm_with_window, window_bits};

/// Times the fixed-base MSM of `bases` at windows 9..=16, with its table's size and build time.
fn fixed<P: ark_ec::short_weierstrass::SWCurveConfig<ScalarField = Fr>>(
    bases: &[ark_ec::short_weierstrass::Affine<P>],
    scalars: &[ark_ff::BigInt<4>],
) {
    println!(
        "fixed-base: chosen window {}",
        fixed_window_bits(bases.len())
    );
    for c in 9..=16 {
        let t = Instant::now();
        let table = FixedBases::new(bases, c);
        let built = t.elapsed().as_secs_f64();
        println!(
            "fixed c={c:<2} {:8.1} ms   (table {:6.0} MiB, built in {built:.2} s)",
            millis(|| table.msm(scalars)),
            table.bytes() as f64 / (1u64 << 20) as f64
        );
    }
}

/// Median milliseconds of three runs.
fn millis<T>(f: impl Fn() -> T) -> f64 {
    let mut v: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[1]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1 << 14);
    let g2 = args.get(2).is_some_and(|a| a == "g2");
    let fixed_only = args.get(3).is_some_and(|a| a == "fixed");
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let scalars: Vec<_> = (0..n).map(|_| Fr::rand(&mut rng).into_bigint()).collect();
    println!(
        "n = {n}, {}, {} threads; chosen window {}",
        if g2 { "G2" } else { "G1" },
        rayon::current_num_threads(),
        window_bits(n)
    );
    if g2 {
        let p: Vec<G2Projective> = (0..n).map(|_| G2Projective::rand(&mut rng)).collect();
        let p = G2Projective::normalize_batch(&p);
        if fixed_only {
            return fixed(&p, &scalars);
        }
        println!(
            "arkworks   {:8.1} ms",
            millis(|| G2Projective::msm_bigint(&p, &scalars))
        );
        for c in 8..=15 {
            println!(
                "veil c={c:<2}  {:8.1} ms",
                millis(|| msm_with_window(&p, &scalars, c))
            );
        }
    } else {
        let p: Vec<G1Projective> = (0..n).map(|_| G1Projective::rand(&mut rng)).collect();
        let p = G1Projective::normalize_batch(&p);
        if fixed_only {
            return fixed(&p, &scalars);
        }
        println!(
            "arkworks   {:8.1} ms",
            millis(|| G1Projective::msm_bigint(&p, &scalars))
        );
        for c in 8..=15 {
            println!(
                "veil c={c:<2}  {:8.1} ms",
                millis(|| msm_with_window(&p, &scalars, c))
            );
        }
    }
}
