//! Veil's MSMs against arkworks' `msm_bigint`: the variable-base Pippenger (every window, the
//! bucket edge cases) and the fixed-base tables (G1 and G2), on awkward scalars.

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{BigInt, BigInteger, PrimeField, UniformRand, Zero};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use veil_prover::msm::fixed::{table_bytes, FixedBases};
use veil_prover::msm::pippenger::{msm, msm_with_window, portable_msm_with_window};
use veil_prover::msm::Scalar;

// Fixed bases.
fn points<G: CurveGroup>(n: usize, rng: &mut ChaCha20Rng) -> Vec<G::Affine> {
    let g: Vec<G> = (0..n).map(|_| G::rand(rng)).collect();
    G::normalize_batch(&g)
}

/// Random scalars with the awkward ones mixed in: 0, 1, -1, p - 2, small, near p / 2.
fn scalars(n: usize, rng: &mut ChaCha20Rng) -> Vec<Scalar> {
    let half = Fr::MODULUS_MINUS_ONE_DIV_TWO;
    let mut plus_one = half;
    plus_one.add_with_carry(&Scalar::from(1u64));
    (0..n)
        .map(|i| match i % 8 {
            0 => Scalar::from(0u64),
            1 => Scalar::from(1u64),
            2 => (-Fr::from(1u64)).into_bigint(),
            3 => (-Fr::from(2u64)).into_bigint(),
            4 => Scalar::from(i as u64),
            5 => half,
            6 => plus_one,
            _ => Fr::rand(rng).into_bigint(),
        })
        .collect()
}

#[test]
fn matches_arkworks_in_g1_and_g2_at_several_windows() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let n = 300;
    let g1 = points::<G1Projective>(n, &mut rng);
    let g2 = points::<G2Projective>(n, &mut rng);
    let s = scalars(n, &mut rng);
    let want1 = G1Projective::msm_bigint(&g1, &s);
    let want2 = G2Projective::msm_bigint(&g2, &s);
    for c in [2, 5, 8, 11, 13, 16] {
        assert_eq!(FixedBases::new(&g1, c).msm(&s), want1, "G1 at c = {c}");
        assert_eq!(FixedBases::new(&g2, c).msm(&s), want2, "G2 at c = {c}");
        assert_eq!(
            FixedBases::portable(&g1, c).msm(&s),
            want1,
            "portable G1, c = {c}"
        );
        assert_eq!(
            FixedBases::portable(&g2, c).msm(&s),
            want2,
            "portable G2, c = {c}"
        );
    }
    // Fewer scalars than bases: the prefix.
    let t = FixedBases::new(&g1, 12);
    assert_eq!(
        t.msm(&s[..17]),
        G1Projective::msm_bigint(&g1[..17], &s[..17])
    );
    assert_eq!(t.msm(&[]), G1Projective::zero());
    assert_eq!(t.bytes(), table_bytes::<ark_bn254::g1::Config>(n, 12));
}

#[test]
fn repeated_opposite_and_identity_bases_are_exact() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let p = G2Affine::rand(&mut rng);
    let mut bases = vec![p; 40];
    bases.extend(vec![-p; 40]);
    bases.extend(vec![G2Affine::identity(); 10]);
    let s: Vec<Scalar> = (0..bases.len())
        .map(|i| Fr::from((i % 3) as u64 + 5).into_bigint())
        .collect();
    assert_eq!(
        FixedBases::new(&bases, 10).msm(&s),
        G2Projective::msm_bigint(&bases, &s)
    );
    assert_eq!(
        FixedBases::portable(&bases, 10).msm(&s),
        G2Projective::msm_bigint(&bases, &s)
    );
    let g1 = vec![G1Affine::rand(&mut rng); 64];
    let ones = vec![Fr::from(1u64).into_bigint(); 64];
    assert_eq!(
        FixedBases::new(&g1, 9).msm(&ones),
        G1Projective::msm_bigint(&g1, &ones)
    );
}

// Variable bases.
fn chained_points<G: CurveGroup>(n: usize, rng: &mut ChaCha20Rng) -> Vec<G::Affine> {
    let g = G::rand(rng);
    let mut acc = G::rand(rng);
    let proj: Vec<G> = (0..n)
        .map(|_| {
            acc += g;
            acc
        })
        .collect();
    G::normalize_batch(&proj)
}

/// Scalars of every kind an assignment has: random, 0, +-1, small, near p, repeated.
fn assignment_scalars(n: usize, rng: &mut ChaCha20Rng) -> Vec<BigInt<4>> {
    (0..n)
        .map(|i| {
            match i % 9 {
                0 => Fr::from(0u64),
                1 => Fr::from(1u64),
                2 => -Fr::from(1u64),
                3 => Fr::from((i as u64) % 300),
                4 => -Fr::from(i as u64),
                5 => Fr::from(7u64),
                _ => Fr::rand(rng),
            }
            .into_bigint()
        })
        .collect()
}

#[test]
fn matches_arkworks_in_g1_and_g2_at_every_window() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    for n in [1, 2, 3, 17, 100, 1000, 2500] {
        let p1 = chained_points::<G1Projective>(n, &mut rng);
        let p2 = chained_points::<G2Projective>(n, &mut rng);
        let s = assignment_scalars(n, &mut rng);
        let want1 = G1Projective::msm_bigint(&p1, &s);
        let want2 = G2Projective::msm_bigint(&p2, &s);
        for c in [2, 3, 5, 8, 11, 15] {
            assert_eq!(msm_with_window(&p1, &s, c), want1, "G1 n={n} c={c}");
            assert_eq!(msm_with_window(&p2, &s, c), want2, "G2 n={n} c={c}");
            let portable = portable_msm_with_window(&p1, &s, c);
            assert_eq!(portable, want1, "portable G1 n={n} c={c}");
            let portable = portable_msm_with_window(&p2, &s, c);
            assert_eq!(portable, want2, "portable G2 n={n} c={c}");
        }
        assert_eq!(msm(&p1, &s), want1);
    }
}

#[test]
fn repeated_points_double_and_opposite_points_cancel() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let p = G1Projective::rand(&mut rng).into_affine();
    let q = G1Projective::rand(&mut rng).into_affine();
    // The same point many times in one bucket (doubling, waiting, spilling), its negation,
    // the identity as a base, and a column of equal scalars.
    let mut bases = vec![p; 600];
    bases.extend([-p; 300]);
    bases.extend([G1Affine::identity(), q, -q]);
    let mut s: Vec<BigInt<4>> = vec![Fr::from(5u64).into_bigint(); 903];
    s[902] = Fr::from(6u64).into_bigint();
    let want = G1Projective::msm_bigint(&bases, &s);
    for c in [2, 4, 8, 12] {
        assert_eq!(msm_with_window(&bases, &s, c), want, "c={c}");
        assert_eq!(
            portable_msm_with_window(&bases, &s, c),
            want,
            "portable, c={c}"
        );
    }
    // The same in G2, on the lanes' doubling and cancelling paths.
    let p2 = G2Projective::rand(&mut rng).into_affine();
    let mut b2 = vec![p2; 300];
    b2.extend([-p2; 200]);
    let s2 = vec![Fr::from(9u64).into_bigint(); 500];
    let want2 = G2Projective::msm_bigint(&b2, &s2);
    for c in [3, 9] {
        assert_eq!(msm_with_window(&b2, &s2, c), want2, "G2, c={c}");
    }
    let b2 = vec![p2, p2, -p2, p2, p2];
    let s2 = vec![Fr::from(3u64).into_bigint(); 5];
    assert_eq!(msm(&b2, &s2), G2Projective::msm_bigint(&b2, &s2));
    assert_eq!(msm::<ark_bn254::g1::Config>(&[], &[]), G1Projective::zero());
    let _ = G2Affine::identity();
}

// The GLV split of G1's scalars.
#[test]
fn glv_halves_recombine_to_the_scalar_and_stay_below_2_126() {
    use ark_ec::scalar_mul::glv::GLVConfig;
    use veil_prover::msm::glv::{decompose, HALF_BITS};
    let lambda = <ark_bn254::g1::Config as GLVConfig>::LAMBDA;
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let half = Fr::MODULUS_MINUS_ONE_DIV_TWO;
    let mut edges = vec![
        Scalar::from(0u64),
        Scalar::from(1u64),
        half,
        (-Fr::from(1u64)).into_bigint(),
        lambda.into_bigint(),
        (lambda * lambda).into_bigint(),
        (-lambda).into_bigint(),
        BigInt([0, 0, 0, 1 << 61]),
        BigInt([u64::MAX, u64::MAX, 0, 0]),
        // Above r: any 256-bit integer, read mod r.
        BigInt([u64::MAX; 4]),
        Fr::MODULUS,
    ];
    edges.extend((0..20_000).map(|_| Fr::rand(&mut rng).into_bigint()));
    for k in edges {
        let (k1, k2) = decompose(&k);
        let (m1, m2) = (k1.unsigned_abs(), k2.unsigned_abs());
        assert!(
            m1 >> HALF_BITS == 0 && m2 >> HALF_BITS == 0,
            "{k}: {k1}, {k2}"
        );
        let signed = |v: i128| {
            let f = Fr::from(v.unsigned_abs());
            if v < 0 {
                -f
            } else {
                f
            }
        };
        assert_eq!(
            signed(k1) + signed(k2) * lambda,
            Fr::from_le_bytes_mod_order(&k.to_bytes_le()),
            "{k}"
        );
    }
}

#[test]
fn the_endomorphism_is_lambda_times_the_point() {
    use ark_ec::scalar_mul::glv::GLVConfig;
    let lambda = <ark_bn254::g1::Config as GLVConfig>::LAMBDA;
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    for _ in 0..8 {
        let p = G1Affine::rand(&mut rng);
        let image = G1Affine::new(p.x * veil_prover::msm::glv::BETA, p.y);
        assert_eq!(image, (p * lambda).into_affine());
    }
}

#[test]
fn the_glv_quotient_constants_are_their_definition() {
    use num_bigint::BigUint;
    use veil_prover::msm::glv::{A, B, C, G1, G2};
    let r: BigUint = Fr::MODULUS.into();
    let limbs = |g: [u64; 4]| -> BigUint { BigInt(g).into() };
    assert_eq!(limbs(G1), (BigUint::from(C) << 320) / &r);
    assert_eq!(limbs(G2), (BigUint::from(B) << 320) / &r);
    // The basis spans the lattice of determinant r.
    assert_eq!(
        BigUint::from(A) * BigUint::from(C) + BigUint::from(B) * BigUint::from(B),
        r
    );
}

#[test]
fn a_halo2_commitment_on_veils_msm_is_halo2s_own() {
    use veil_halo2::halo2_proofs::halo2curves::ff::Field;
    use veil_halo2::halo2_proofs::halo2curves::group::Curve;
    use veil_halo2::halo2_proofs::poly::commitment::{Blind, Params as _, ParamsProver as _};
    use veil_halo2::halo2_proofs::poly::EvaluationDomain;
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    // Below and above the size where the batch-affine path takes over.
    for k in [5, 12] {
        let params = veil_halo2::kzg::insecure_setup(k);
        let prover = veil_prover::backend::halo2::prover_params(params.clone()).expect("converts");
        assert_eq!(prover.msm_name(), "veil-cpu");
        let domain = EvaluationDomain::<veil_halo2::Fp>::new(1, k);
        let mut lagrange = domain.empty_lagrange();
        for v in lagrange.iter_mut() {
            *v = veil_halo2::Fp::random(&mut rng);
        }
        let coeff = domain.lagrange_to_coeff(lagrange.clone());
        let blind = Blind::default();
        assert_eq!(
            prover.commit_lagrange(&lagrange, blind).to_affine(),
            params.commit_lagrange(&lagrange, blind).to_affine(),
            "2^{k}: Lagrange basis"
        );
        assert_eq!(
            prover.commit(&coeff, blind).to_affine(),
            params.commit(&coeff, blind).to_affine(),
            "2^{k}: monomial basis"
        );
    }
}

#[test]
fn window_groups_cover_every_window_once_and_share_them_among_threads() {
    use veil_prover::msm::pippenger::{window_groups, GROUP_BUCKETS};
    for c in 2..=16 {
        for windows in [1, 2, 7, 14, 20, 127] {
            let widths: Vec<usize> = (0..windows).map(|w| c - w % 2).collect();
            for threads in [1, 2, 3, 8] {
                let groups = window_groups(&widths, threads);
                let flat: Vec<usize> = groups.iter().flat_map(|g| g.clone()).collect();
                assert_eq!(
                    flat,
                    (0..windows).collect::<Vec<_>>(),
                    "c {c}, {windows} windows"
                );
                for g in &groups {
                    // No group holds more than its thread's share of the windows.
                    assert!(g.len() <= windows.div_ceil(threads), "c {c}: {g:?}");
                    let buckets: usize = widths[g.clone()].iter().map(|b| 1 << (b - 1)).sum();
                    assert!(
                        g.len() == 1 || buckets <= GROUP_BUCKETS,
                        "c {c}: {buckets} buckets"
                    );
                }
            }
        }
    }
}
