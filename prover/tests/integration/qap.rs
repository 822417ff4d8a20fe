//! The QAP domain of `2^k` or `3 * 2^k` points against arkworks' own mixed-radix domain and
//! the plain definition of the DFT, and the witness map against arkworks'.

use ark_bn254::Fr;
use ark_ff::{FftField, Field, One, UniformRand, Zero};
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_poly::{EvaluationDomain, MixedRadixEvaluationDomain, Radix2EvaluationDomain};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use veil_prover::qap::{witness_map, QapDomain};

fn random(n: usize, rng: &mut ChaCha20Rng) -> Vec<Fr> {
    (0..n).map(|_| Fr::rand(rng)).collect()
}

#[test]
fn sizes_are_the_smaller_of_two_powers_and_three_times_them() {
    for (rows, size) in [
        (1, 1),
        (3, 3),
        (5, 6),
        (7, 8),
        (5_783, 6_144),
        (8_192, 8_192),
        (8_193, 12_288),
        (49_590, 65_536),
        (379_249, 393_216),
        (393_217, 524_288),
    ] {
        assert_eq!(QapDomain::size_for(rows), Some(size), "{rows} rows");
        let d = QapDomain::new(rows).expect("a domain");
        assert_eq!(d.size(), size);
        assert_eq!(d.is_three_adic(), !size.is_power_of_two());
    }
    assert!(
        QapDomain::with_size(9 * 1024).is_none(),
        "3^2 is not offered"
    );
    assert!(QapDomain::with_size(5 * 1024).is_none());
    assert!(QapDomain::with_size(0).is_none());
    // On 2^k, exactly arkworks' radix-2 domain (old keys prove on it).
    let (ours, ark) = (
        QapDomain::with_size(1 << 12).expect("2^12"),
        Radix2EvaluationDomain::<Fr>::new(1 << 12).expect("2^12"),
    );
    assert_eq!(ours.group_gen(), ark.group_gen());
}

#[test]
fn ffts_agree_with_arkworks_mixed_radix_and_with_the_definition() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    for size in [3, 6, 12, 24, 96, 3 << 10, 3 << 14, 1 << 10, 1 << 14] {
        let ours = QapDomain::with_size(size).expect("domain");
        let ark = MixedRadixEvaluationDomain::<Fr>::new(size).expect("arkworks' domain");
        assert_eq!(ark.size(), size);
        assert_eq!(ours.group_gen(), ark.group_gen());
        let coeffs = random(size, &mut rng);
        let evals = ours.fft(&coeffs);
        assert_eq!(evals, ark.fft(&coeffs), "fft, {size} points");
        assert_eq!(ours.ifft(&evals), coeffs, "ifft undoes fft, {size} points");
        let g = Fr::GENERATOR;
        let (oc, ac) = (
            ours.get_coset(g).expect("coset"),
            ark.get_coset(g).expect("coset"),
        );
        assert_eq!(oc.fft(&coeffs), ac.fft(&coeffs), "coset fft, {size} points");
        assert_eq!(
            oc.ifft(&oc.fft(&coeffs)),
            coeffs,
            "coset ifft, {size} points"
        );
        if size <= 96 {
            // X[j] = sum_i x_i omega^(ij), straight from the definition.
            let w = ours.group_gen();
            for (j, e) in evals.iter().enumerate() {
                let wj = w.pow([j as u64]);
                let mut x = Fr::zero();
                let mut p = Fr::one();
                for c in &coeffs {
                    x += *c * p;
                    p *= wj;
                }
                assert_eq!(*e, x, "evaluation {j} of {size}");
            }
        }
    }
}

#[test]
fn lagrange_coefficients_interpolate_the_ffts_values() {
    // The setup evaluates the Lagrange basis at tau; the prover's FFT must use the same
    // points in the same order: sum_i L_i(tau) f(omega^i) = f(tau).
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    for size in [3 << 6, 1 << 8] {
        let d = QapDomain::with_size(size).expect("domain");
        let f = random(size, &mut rng);
        let tau = Fr::rand(&mut rng);
        let at_tau = f.iter().rev().fold(Fr::zero(), |acc, c| acc * tau + c);
        let l = d.evaluate_all_lagrange_coefficients(tau);
        let via: Fr = l.iter().zip(d.fft(&f)).map(|(l, v)| *l * v).sum();
        assert_eq!(via, at_tau);
        assert!(d.evaluate_vanishing_polynomial(tau) == tau.pow([size as u64]) - Fr::one());
    }
}

#[test]
fn the_witness_map_is_arkworks_on_a_three_adic_domain() {
    // A random R1CS (not satisfied: the map is linear algebra either way) of 40 constraints
    // and 2 public rows: 42 rows, 48 points, where arkworks' mixed-radix domain also picks 48.
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let (num_constraints, num_instance, vars) = (40, 2, 30);
    let matrices: Vec<Vec<Vec<(Fr, usize)>>> = (0..3)
        .map(|_| {
            (0..num_constraints)
                .map(|i| {
                    (0..3)
                        .map(|k| (Fr::rand(&mut rng), (i * 7 + k * 11) % vars))
                        .collect()
                })
                .collect()
        })
        .collect();
    let z = random(vars, &mut rng);
    let ours = |d: &QapDomain| witness_map(d, &matrices, num_instance, num_constraints, &z);
    let d = QapDomain::new(num_constraints + num_instance).expect("domain");
    assert_eq!(d.size(), 48);
    assert_eq!(
        ours(&d).expect("map"),
        arkworks::<MixedRadixEvaluationDomain<Fr>>(&matrices, num_instance, num_constraints, &z)
    );
    // And on 2^k, arkworks' radix-2 domain.
    let d = QapDomain::with_size(64).expect("2^6");
    assert_eq!(
        ours(&d).expect("map"),
        arkworks::<Radix2EvaluationDomain<Fr>>(&matrices, num_instance, num_constraints, &z)
    );
    // A domain too small for the rows is refused, not indexed past.
    let small = QapDomain::with_size(32).expect("2^5");
    assert!(ours(&small).is_err());
}

/// arkworks' witness map on its domain `D`.
fn arkworks<D: EvaluationDomain<Fr>>(
    matrices: &[Vec<Vec<(Fr, usize)>>],
    num_instance: usize,
    num_constraints: usize,
    z: &[Fr],
) -> Vec<Fr> {
    LibsnarkReduction::witness_map_from_matrices::<Fr, D>(
        matrices,
        num_instance,
        num_constraints,
        z,
    )
    .expect("arkworks' map")
}
