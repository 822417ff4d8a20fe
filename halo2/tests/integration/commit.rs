//! The commitment seam (`veil_halo2::commit`): a commitment made through a [`G1Msm`] is the
//! point halo2's own KZG commitment is, in both bases, and the point conversions agree with
//! each library's canonical coordinates.

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField as _};
use halo2_proofs::halo2curves::bn256::{Fq, G1Affine, G1};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_proofs::halo2curves::group::{prime::PrimeCurveAffine, Curve, Group};
use halo2_proofs::poly::commitment::{Blind, Params as _, ParamsProver as _};
use halo2_proofs::poly::EvaluationDomain;
use rand::SeedableRng;
use veil_halo2::commit::{point_from_ark, point_to_ark};
use veil_halo2::halo2_proofs;
use veil_halo2::kzg;
use veil_halo2::Fp;

/// A halo2 base-field element's canonical value as arkworks reads it.
fn fq_to_ark(x: &Fq) -> ark_bn254::Fq {
    ark_bn254::Fq::from_le_bytes_mod_order(&x.to_repr())
}

#[test]
fn points_convert_through_their_canonical_coordinates() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    for _ in 0..50 {
        let p = G1::random(&mut rng).to_affine();
        let a = point_to_ark(&p);
        assert!(a.is_on_curve() && a.is_in_correct_subgroup_assuming_on_curve());
        let (x, y) = a.xy().expect("not the identity");
        assert_eq!(x, fq_to_ark(&p.x));
        assert_eq!(y, fq_to_ark(&p.y));
        assert_eq!(point_from_ark(&a).to_affine(), p);
        // And back through bytes no conversion here wrote: arkworks' canonical integers.
        assert_eq!(x.into_bigint().to_bytes_le(), p.x.to_repr().as_ref());
    }
    assert!(point_to_ark(&G1Affine::identity()).is_zero());
    assert!(bool::from(
        point_from_ark(&ark_bn254::G1Affine::zero()).is_identity()
    ));
}

#[test]
fn a_commitment_through_the_seam_is_halo2s_own() {
    let k = 6;
    let params = kzg::insecure_setup(k);
    let prover = crate::prover(&params);
    let domain = EvaluationDomain::<Fp>::new(1, k);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
    for case in 0..4 {
        let mut lagrange = domain.empty_lagrange();
        for (i, v) in lagrange.iter_mut().enumerate() {
            *v = match case {
                0 => Fp::random(&mut rng),
                1 => Fp::from(i as u64),
                2 => -Fp::ONE,
                _ => Fp::ZERO,
            };
        }
        let coeff = domain.lagrange_to_coeff(lagrange.clone());
        let blind = Blind::default();
        assert_eq!(
            prover.commit_lagrange(&lagrange, blind).to_affine(),
            params.commit_lagrange(&lagrange, blind).to_affine(),
            "case {case}: Lagrange basis"
        );
        assert_eq!(
            prover.commit(&coeff, blind).to_affine(),
            params.commit(&coeff, blind).to_affine(),
            "case {case}: monomial basis"
        );
    }
    // The seam's own result, before conversion, is arkworks' MSM over converted bases.
    let g: Vec<_> = params.get_g().iter().map(point_to_ark).collect();
    let s: Vec<ark_bn254::Fr> = (1..=g.len() as u64).map(ark_bn254::Fr::from).collect();
    let want = <ark_bn254::G1Projective as ark_ec::VariableBaseMSM>::msm(&g, &s)
        .expect("as many scalars as bases")
        .into_affine();
    let mut coeff = domain.empty_coeff();
    for (i, v) in coeff.iter_mut().enumerate() {
        *v = Fp::from(i as u64 + 1);
    }
    assert_eq!(
        point_to_ark(&prover.commit(&coeff, Blind::default()).to_affine()),
        want
    );
    assert_eq!(prover.msm_name(), "arkworks");
}
