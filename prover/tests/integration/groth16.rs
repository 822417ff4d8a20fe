//! Veil's Groth16 prover on each accelerator, and batch verification, on a circuit large
//! enough (over 2,048 variables) that Veil's batch-affine MSM runs.

use ark_bn254::{Bn254, Fr, G1Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use ark_groth16::{Groth16, Proof};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError,
};
use ark_snark::SNARK;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::Arc;
use veil_prover::backend::groth16::{
    create_proof, insecure_setup, prove_stock, rerandomize, stock_setup, Groth16Prover, PreparedKey,
};
use veil_prover::msm::{Arkworks, Cpu};
use veil_verifier::groth16::{prepare, verify, verify_batch};
use veil_verifier::VerifyError;

/// `v_0 = w`, `v_{i+1} = v_i^2 + w` for `STEPS` steps; public: `x = w^2` and `y = v_STEPS`.
#[derive(Clone)]
struct Chain {
    w: Fr,
}

const STEPS: usize = 3000;

impl Chain {
    fn public(&self) -> Vec<Fr> {
        let mut v = self.w;
        for _ in 0..STEPS {
            v = v * v + self.w;
        }
        vec![self.w * self.w, v]
    }
}

impl ConstraintSynthesizer<Fr> for Chain {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let public = self.public();
        let x = cs.new_input_variable(|| Ok(public[0]))?;
        let y = cs.new_input_variable(|| Ok(public[1]))?;
        let w = cs.new_witness_variable(|| Ok(self.w))?;
        cs.enforce_r1cs_constraint(
            || LinearCombination::from(w),
            || LinearCombination::from(w),
            || LinearCombination::from(x),
        )?;
        let (mut v, mut value) = (w, self.w);
        for i in 0..STEPS {
            value = value * value + self.w;
            let next = if i + 1 == STEPS {
                y
            } else {
                cs.new_witness_variable(|| Ok(value))?
            };
            // v * v = next - w
            cs.enforce_r1cs_constraint(
                || LinearCombination::from(v),
                || LinearCombination::from(v),
                || LinearCombination::from(next) - (Fr::from(1u64), w),
            )?;
            v = next;
        }
        Ok(())
    }
}

fn prover(rng: &mut ChaCha20Rng) -> Groth16Prover {
    let pk = insecure_setup(Chain { w: Fr::from(0u64) }, rng).expect("setup");
    Groth16Prover::new(pk, Chain { w: Fr::from(0u64) }).expect("prover")
}

#[test]
fn every_accelerator_proves_what_arkworks_verifies() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let prover = prover(&mut rng);
    let pvk = prepare(&prover.pk.vk);
    let chain = Chain {
        w: Fr::from(12345u64),
    };
    let (veil, inputs) = prover.prove(chain.clone(), &mut rng).expect("veil proves");
    assert_eq!(inputs, chain.public());
    assert!(Groth16::<Bn254>::verify_with_processed_vk(&pvk, &inputs, &veil).expect("verifies"));
    let prover = prover.with_accelerator(Arc::new(Arkworks));
    assert_eq!(prover.accelerator(), "arkworks");
    let (ark, _) = prover
        .prove(chain.clone(), &mut rng)
        .expect("arkworks proves");
    verify(&pvk, &inputs, &ark).expect("the arkworks-MSM proof verifies");
    let prover = prover.with_accelerator(Arc::new(Cpu));
    assert_eq!(prover.accelerator(), "veil-cpu");
    // The proof binds its inputs: the next chain's output is refused.
    let mut wrong = inputs.clone();
    wrong[1] += Fr::from(1u64);
    assert!(matches!(
        verify(&pvk, &wrong, &veil),
        Err(VerifyError::Rejected(_))
    ));
}

#[test]
fn keys_on_either_qap_domain_prove_and_the_stock_prover_needs_its_own() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let blank = Chain { w: Fr::from(0u64) };
    // 3,001 constraints and 3 public rows: Veil's setup takes 3 * 2^10 points, arkworks' 2^12.
    let veil = insecure_setup(blank.clone(), &mut rng).expect("setup");
    let stock = stock_setup(blank.clone(), &mut rng).expect("stock setup");
    assert_eq!(veil.h_query.len() + 1, 3 << 10);
    assert_eq!(stock.h_query.len() + 1, 1 << 12);
    let chain = Chain { w: Fr::from(99u64) };
    for pk in [veil.clone(), stock.clone()] {
        let pvk = prepare(&pk.vk);
        let prover = Groth16Prover::new(pk, blank.clone()).expect("prover");
        let (proof, inputs) = prover.prove(chain.clone(), &mut rng).expect("proves");
        verify(&pvk, &inputs, &proof).expect("Veil's proof verifies on either domain");
    }
    // arkworks' prover proves with its own key; Veil's is refused, not proved wrongly.
    let proof = prove_stock(&stock, chain.clone(), &mut rng).expect("stock proves");
    verify(&prepare(&stock.vk), &chain.public(), &proof).expect("the stock proof verifies");
    let err = prove_stock(&veil, chain.clone(), &mut rng).expect_err("refused");
    assert!(err.to_string().contains("2^k QAP domain"), "{err}");
    // A key whose H query fits neither domain is refused by name.
    let mut odd = veil.clone();
    odd.h_query.truncate(2000);
    let err = Groth16Prover::new(odd, blank).err().expect("refused");
    assert!(err.to_string().contains("H query has 2000 points"), "{err}");
}

#[test]
fn a_prepared_key_gives_the_very_same_proof() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let prover = prover(&mut rng);
    let full = prover
        .assignment(Chain {
            w: Fr::from(777u64),
        })
        .expect("assignment");
    let (r, s) = (Fr::from(5u64), Fr::from(9u64));
    let plain = create_proof(&Cpu, None, &prover.pk, &prover.matrices, &full, r, s).expect("plain");
    let all = PreparedKey::new(&Cpu, &prover.pk, usize::MAX);
    assert_eq!(
        all.queries(),
        5,
        "every query of a 3,000-step chain is worth a table"
    );
    let with = |k: &PreparedKey| {
        create_proof(&Cpu, Some(k), &prover.pk, &prover.matrices, &full, r, s).expect("prepared")
    };
    assert_eq!(with(&all), plain, "same r, s: the same proof");
    // A budget that holds some queries only: the others run the ordinary MSM.
    let some = PreparedKey::new(&Cpu, &prover.pk, all.bytes() / 2);
    assert!((1..5).contains(&some.queries()) && some.bytes() <= all.bytes() / 2);
    assert_eq!(with(&some), plain);
    // Nothing fits, or an accelerator without a prepared mode: nothing is prepared.
    assert_eq!(PreparedKey::new(&Cpu, &prover.pk, 1000).queries(), 0);
    assert_eq!(
        PreparedKey::new(&Arkworks, &prover.pk, usize::MAX).queries(),
        0
    );
    let prover = prover.precompute(usize::MAX);
    assert_eq!(prover.prepared().map(PreparedKey::queries), Some(5));
    let pvk = prepare(&prover.pk.vk);
    let chain = Chain { w: Fr::from(4u64) };
    let (proof, inputs) = prover.prove(chain.clone(), &mut rng).expect("proves");
    verify(&pvk, &chain.public(), &proof).expect("a prepared prover's proof verifies");
    assert_eq!(inputs, chain.public());
}

#[test]
fn batch_verification_accepts_valid_batches_and_names_every_false_proof() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let prover = prover(&mut rng);
    let pvk = prepare(&prover.pk.vk);
    let mut proofs: Vec<(Vec<Fr>, Proof<Bn254>)> = Vec::new();
    for w in 1..=4u64 {
        let (proof, inputs) = prover
            .prove(Chain { w: Fr::from(w) }, &mut rng)
            .expect("proves");
        for _ in 0..10 {
            proofs.push((inputs.clone(), rerandomize(&prover.pk.vk, &proof, &mut rng)));
        }
    }
    let items = |ps: &[(Vec<Fr>, Proof<Bn254>)]| -> Vec<(Vec<Fr>, Proof<Bn254>)> { ps.to_vec() };
    let check = |ps: &[(Vec<Fr>, Proof<Bn254>)]| {
        let refs: Vec<(&[Fr], &Proof<Bn254>)> = ps.iter().map(|(x, p)| (x.as_slice(), p)).collect();
        verify_batch(&pvk, &refs)
    };
    check(&proofs).expect("40 valid proofs verify as a batch");
    check(&[]).expect("an empty batch has nothing false in it");

    // A forged C, inputs moved to another proof, a proof of w=2 claimed for w=3's inputs, and
    // one input too few: each is named, and only those.
    let mut bad = items(&proofs);
    bad[7].1.c = (bad[7].1.c + G1Projective::generator()).into_affine();
    bad[23].0.swap(0, 1);
    bad[15].0 = proofs[25].0.clone();
    bad[30].0.pop();
    let err = check(&bad)
        .expect_err("a batch with false proofs fails")
        .to_string();
    assert!(err.contains("4 of 40 proofs"), "{err}");
    for i in [7, 15, 23, 30] {
        assert!(
            err.contains(&format!("#{i} (")),
            "proof {i} is named: {err}"
        );
    }
    for i in [0, 1, 8, 22, 24, 39] {
        assert!(
            !err.contains(&format!("#{i} (")),
            "proof {i} is valid: {err}"
        );
    }
    assert!(
        err.contains("#30 (1 public inputs, the key expects 2)"),
        "{err}"
    );

    // One forgery among many: the combination alone catches it.
    let mut one = items(&proofs);
    one[39].1.a = (one[39].1.a + G1Projective::generator()).into_affine();
    let err = check(&one)
        .expect_err("one forgery fails the batch")
        .to_string();
    assert!(
        err.contains("1 of 40 proofs") && err.contains("#39 ("),
        "{err}"
    );
}

/// A key of a snarkjs ceremony's shape (snarkjs's reduction: an `H` query of `2^k` points, the
/// doubled domain's odd Lagrange points) is told apart by its length alone, and Veil's prover
/// gives with it the very proof arkworks' own prover gives with that reduction (same `r`, `s`).
#[test]
fn a_key_for_snarkjs_reduction_proves_exactly_as_arkworks_does() {
    use veil_prover::qap::{KeyQap, Reduction, SnarkjsReduction};
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let blank = Chain { w: Fr::from(0u64) };
    let pk = Groth16::<Bn254, SnarkjsReduction>::generate_random_parameters_with_reduction(
        blank.clone(),
        &mut rng,
    )
    .expect("setup");
    // 3,001 constraints and 3 public rows on 2^12 points: snarkjs's H query holds all 4,096.
    assert_eq!(pk.h_query.len(), 1 << 12);
    let qap = |h| KeyQap::of_key(h, 3004).expect("a QAP").reduction;
    assert_eq!(qap(1 << 12), Reduction::Snarkjs);
    assert_eq!(qap((1 << 12) - 1), Reduction::Libsnark);
    assert_eq!(qap((3 << 10) - 1), Reduction::Libsnark);
    let prover = Groth16Prover::new(pk.clone(), blank).expect("prover");
    let chain = Chain { w: Fr::from(31u64) };
    let full = prover.assignment(chain.clone()).expect("assignment");
    let (r, s) = (Fr::from(11u64), Fr::from(13u64));
    let veil = create_proof(&Cpu, None, &prover.pk, &prover.matrices, &full, r, s).expect("veil");
    let ark =
        Groth16::<Bn254, SnarkjsReduction>::create_proof_with_reduction(chain.clone(), &pk, r, s)
            .expect("arkworks");
    assert_eq!(veil, ark, "same key, r and s: the same proof");
    let pvk = prepare(&pk.vk);
    verify(&pvk, &chain.public(), &veil).expect("it verifies");
    // The stock prover picks the reduction by the key too.
    let stock = prove_stock(&pk, chain.clone(), &mut rng).expect("stock proves");
    verify(&pvk, &chain.public(), &stock).expect("the stock proof verifies");
    // Proved with libsnark's map instead, the same key gives a proof that fails.
    let libsnark = veil_prover::qap::witness_map(
        &KeyQap::of_key(1 << 12, 3004).expect("qap").domain,
        &prover.matrices.abc,
        prover.matrices.num_instance,
        prover.matrices.num_constraints,
        &full,
    )
    .expect("map");
    let snarkjs = KeyQap::of_key(1 << 12, 3004)
        .expect("qap")
        .witness_map(
            &prover.matrices.abc,
            prover.matrices.num_instance,
            prover.matrices.num_constraints,
            &full,
        )
        .expect("map");
    assert_ne!(libsnark, snarkjs);
}
