//! Groth16 over BN254 (arkworks), with the constraint matrices cached per shape.
//!
//! The circuit's shape is synthesised once (in setup mode) when a [`Groth16Prover`] is made;
//! each proof then only computes the assignment (prove mode, no matrices, no LC inlining) and
//! runs the witness map and MSMs against the cached matrices.

use crate::msm::{Accelerator, Cpu, FixedG1, FixedG2, Scalar};
use crate::qap::{KeyQap, QapDomain, SnarkjsReduction};
use crate::{ProverError, Result};
use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::{scalar_mul::BatchMulPreprocessing, CurveGroup};
use ark_ff::{Field, PrimeField, Zero};
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_groth16::{Groth16, Proof, ProvingKey, VerifyingKey};
use ark_poly::EvaluationDomain;
use ark_relations::gr1cs::{
    predicate::polynomial_constraint::R1CS_PREDICATE_LABEL, ConstraintSynthesizer,
    ConstraintSystem, OptimizationGoal, SynthesisMode,
};
use ark_relations::utils::matrix::Matrix;
use ark_serialize::{CanonicalSerialize, Compress};
use ark_snark::SNARK;
use ark_std::rand::{CryptoRng, RngCore};
use ark_std::UniformRand;
use rayon::prelude::*;
use std::sync::Arc;
use std::time::Instant;
use veil_circuits::statements::R1csStatement;
use veil_verifier::proof::ProofEnvelope;

/// The R1CS matrices (A, B, C) of a circuit shape, and its sizes.
#[derive(Clone, Debug)]
pub struct ConstraintMatrices {
    /// A, B, C.
    pub abc: Vec<Matrix<Fr>>,
    /// Instance variables, including the constant 1.
    pub num_instance: usize,
    /// Witness variables.
    pub num_witness: usize,
    /// Constraints.
    pub num_constraints: usize,
}

/// Synthesises a circuit in setup mode and returns its matrices.
pub fn constraint_matrices<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<ConstraintMatrices> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Setup);
    circuit.generate_constraints(cs.clone())?;
    cs.finalize();
    let mut all = cs.to_matrices()?;
    let abc = all
        .remove(R1CS_PREDICATE_LABEL)
        .ok_or_else(|| ProverError::Proving("the circuit has no R1CS constraints".into()))?;
    Ok(ConstraintMatrices {
        abc,
        num_instance: cs.num_instance_variables(),
        num_witness: cs.num_witness_variables(),
        num_constraints: cs.num_constraints(),
    })
}

/// Circuit-specific setup by one party: **insecure** outside development, since whoever ran
/// it can forge proofs. Returns the proving key (which holds the verifying key).
///
/// arkworks' generator (`generate_parameters_with_qap`) with one change: the QAP lives on
/// [`QapDomain`], `2^k` or `3 * 2^k` points, where arkworks always takes `2^k`. The verifying
/// key does not depend on the domain; the proving key's `H` query has `|H| - 1` points.
pub fn insecure_setup<C: ConstraintSynthesizer<Fr>, R: RngCore + CryptoRng>(
    circuit: C,
    rng: &mut R,
) -> Result<ProvingKey<Bn254>> {
    let [alpha, beta, gamma, delta] = [(); 4].map(|_| Fr::rand(rng));
    let g1 = G1Projective::rand(rng);
    let g2 = G2Projective::rand(rng);

    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Setup);
    circuit.generate_constraints(cs.clone())?;
    cs.finalize();
    let num_instance = cs.num_instance_variables();
    let rows = cs.num_constraints() + num_instance;
    let domain = QapDomain::new(rows)
        .ok_or_else(|| ProverError::Proving(format!("no QAP domain holds {rows} rows in BN254")))?;
    let t = domain.sample_element_outside_domain(rng);
    let (a, b, c, zt, _, size) =
        LibsnarkReduction::instance_map_with_evaluation::<Fr, QapDomain>(cs, &t)?;
    let non_zero_b = b.iter().filter(|x| !x.is_zero()).count();
    tracing::debug!(
        rows,
        domain = size,
        variables = a.len(),
        non_zero_a = a.iter().filter(|x| !x.is_zero()).count(),
        non_zero_b,
        "groth16 setup"
    );
    let inverse = |x: Fr, what: &str| {
        x.inverse()
            .ok_or_else(|| ProverError::Proving(format!("setup drew {what} = 0")))
    };
    let gamma_inv = inverse(gamma, "gamma")?;
    let delta_inv = inverse(delta, "delta")?;
    let abc = |range: std::ops::Range<usize>, by: Fr| -> Vec<Fr> {
        range
            .into_par_iter()
            .map(|i| (beta * a[i] + alpha * b[i] + c[i]) * by)
            .collect()
    };
    let gamma_abc = abc(0..num_instance, gamma_inv);
    let l = abc(num_instance..a.len(), delta_inv);
    drop(c);

    let b_g2_query = BatchMulPreprocessing::new(g2, non_zero_b).batch_mul(&b);
    let h = LibsnarkReduction::h_query_scalars::<Fr, QapDomain>(size - 1, t, zt, delta_inv)?;
    let g1_table = BatchMulPreprocessing::new(g1, a.len() + non_zero_b + h.len() + l.len() + 1);
    let vk = VerifyingKey::<Bn254> {
        alpha_g1: (g1 * alpha).into_affine(),
        beta_g2: (g2 * beta).into_affine(),
        gamma_g2: (g2 * gamma).into_affine(),
        delta_g2: (g2 * delta).into_affine(),
        gamma_abc_g1: g1_table.batch_mul(&gamma_abc),
    };
    Ok(ProvingKey {
        vk,
        beta_g1: (g1 * beta).into_affine(),
        delta_g1: (g1 * delta).into_affine(),
        a_query: g1_table.batch_mul(&a),
        b_g1_query: g1_table.batch_mul(&b),
        b_g2_query,
        h_query: g1_table.batch_mul(&h),
        l_query: g1_table.batch_mul(&l),
    })
}

/// arkworks' own setup, `generate_random_parameters_with_reduction` (a `2^k` QAP domain): the
/// keys arkworks' stock prover needs, and what Veil made before [`QapDomain`].
pub fn stock_setup<C: ConstraintSynthesizer<Fr>, R: RngCore + CryptoRng>(
    circuit: C,
    rng: &mut R,
) -> Result<ProvingKey<Bn254>> {
    Ok(
        Groth16::<Bn254, LibsnarkReduction>::generate_random_parameters_with_reduction(
            circuit, rng,
        )?,
    )
}

/// arkworks' stock prover, `Groth16::prove`, which synthesises the circuit's matrices again for
/// every proof: the baseline Veil's prover is measured against (`veil bench`, the benches).
/// It proves on a `2^k` QAP domain only, so `pk` must be one [`stock_setup`] made (or one made
/// on such a domain); a key on a `3 * 2^k` domain is refused. A key of a snarkjs ceremony (its
/// `H` query of `2^k` points) is proved with snarkjs's reduction ([`SnarkjsReduction`]).
pub fn prove_stock<C: ConstraintSynthesizer<Fr>, R: RngCore + CryptoRng>(
    pk: &ProvingKey<Bn254>,
    circuit: C,
    rng: &mut R,
) -> Result<Proof<Bn254>> {
    if pk.h_query.len().is_power_of_two() {
        return Ok(Groth16::<Bn254, SnarkjsReduction>::prove(pk, circuit, rng)?);
    }
    if !(pk.h_query.len() + 1).is_power_of_two() {
        return Err(ProverError::OtherCircuit(format!(
            "arkworks' stock prover needs a key on a 2^k QAP domain; this one has {} points \
             (make it with stock_setup)",
            pk.h_query.len() + 1
        )));
    }
    Ok(Groth16::<Bn254, LibsnarkReduction>::prove(
        pk, circuit, rng,
    )?)
}

/// Another proof of the same statement from `proof` (fresh `A`, `B`, `C` for the same public
/// inputs, no witness needed): how benchmarks make many distinct valid proofs quickly.
pub fn rerandomize<R: RngCore + CryptoRng>(
    vk: &ark_groth16::VerifyingKey<Bn254>,
    proof: &Proof<Bn254>,
    rng: &mut R,
) -> Proof<Bn254> {
    Groth16::<Bn254, LibsnarkReduction>::rerandomize_proof(vk, proof, rng)
}

/// Bytes of a proof as Veil stores it (compressed points: 128 for BN254).
pub fn proof_bytes(proof: &Proof<Bn254>) -> usize {
    proof.serialized_size(Compress::Yes)
}

/// Bytes of a proving key (uncompressed) and of its verifying key (compressed) as `veil setup`
/// writes them.
pub fn key_bytes(pk: &ProvingKey<Bn254>) -> (usize, usize) {
    (
        pk.serialized_size(Compress::No),
        pk.vk.serialized_size(Compress::Yes),
    )
}

/// A proving key with its shape's cached matrices, ready to prove many times.
pub struct Groth16Prover {
    /// The proving key.
    pub pk: ProvingKey<Bn254>,
    /// The shape's matrices.
    pub matrices: ConstraintMatrices,
    /// Where the MSMs and FFTs run.
    accel: Arc<dyn Accelerator>,
    /// The key's bases as the accelerator prepared them ([`Self::precompute`]).
    prepared: Option<Arc<PreparedKey>>,
}

/// A proving key's queries prepared by an accelerator for many proofs; a query left `None`
/// (over the budget) runs the accelerator's ordinary MSM.
#[derive(Default)]
pub struct PreparedKey {
    a: Option<FixedG1>,
    b_g1: Option<FixedG1>,
    b_g2: Option<FixedG2>,
    l: Option<FixedG1>,
    h: Option<FixedG1>,
}

impl PreparedKey {
    /// Prepares `pk`'s queries with `accel` in at most `budget` bytes, most valuable first
    /// (the G2 query: a G2 addition costs about three G1 ones; then `H`, `A`, `B`, `L`).
    pub fn new(accel: &dyn Accelerator, pk: &ProvingKey<Bn254>, budget: usize) -> Self {
        let mut left = budget;
        let g1 = |bases: &[ark_bn254::G1Affine], left: &mut usize| {
            let t = accel.prepare_g1(bases, *left)?;
            *left = left.saturating_sub(t.bytes());
            Some(t)
        };
        let b_g2 = accel.prepare_g2(&pk.b_g2_query, left);
        left = left.saturating_sub(b_g2.as_ref().map_or(0, |t| t.bytes()));
        let h = g1(&pk.h_query, &mut left);
        let a = g1(&pk.a_query, &mut left);
        let b_g1 = g1(&pk.b_g1_query, &mut left);
        let l = g1(&pk.l_query, &mut left);
        tracing::debug!(
            a = a.is_some(),
            b_g1 = b_g1.is_some(),
            b_g2 = b_g2.is_some(),
            l = l.is_some(),
            h = h.is_some(),
            budget,
            "prepared the proving key"
        );
        PreparedKey {
            a,
            b_g1,
            b_g2,
            l,
            h,
        }
    }

    /// Bytes of all prepared queries.
    pub fn bytes(&self) -> usize {
        let g1 = [&self.a, &self.b_g1, &self.l, &self.h]
            .iter()
            .map(|q| q.as_ref().map_or(0, |t| t.bytes()))
            .sum::<usize>();
        g1 + self.b_g2.as_ref().map_or(0, |t| t.bytes())
    }

    /// How many of the five queries are prepared.
    pub fn queries(&self) -> usize {
        [&self.a, &self.b_g1, &self.l, &self.h]
            .iter()
            .filter(|q| q.is_some())
            .count()
            + usize::from(self.b_g2.is_some())
    }
}

impl Groth16Prover {
    /// Caches the matrices of `blank` (any assignment of the shape) beside `pk`.
    pub fn new<C: ConstraintSynthesizer<Fr>>(pk: ProvingKey<Bn254>, blank: C) -> Result<Self> {
        let matrices = constraint_matrices(blank)?;
        let vars = matrices.num_instance + matrices.num_witness;
        if pk.a_query.len() != vars || pk.vk.gamma_abc_g1.len() != matrices.num_instance {
            return Err(ProverError::OtherCircuit(format!(
                "the proving key is for another circuit ({} variables, {} public), this shape has {vars} and {}",
                pk.a_query.len(),
                pk.vk.gamma_abc_g1.len(),
                matrices.num_instance
            )));
        }
        KeyQap::of_key(
            pk.h_query.len(),
            matrices.num_constraints + matrices.num_instance,
        )?;
        Ok(Groth16Prover {
            pk,
            matrices,
            accel: Arc::new(Cpu),
            prepared: None,
        })
    }

    /// The same prover with its MSMs and FFTs run by `accel` (the default is [`Cpu`]); any
    /// preparation of the previous accelerator is dropped.
    pub fn with_accelerator(mut self, accel: Arc<dyn Accelerator>) -> Self {
        self.accel = accel;
        self.prepared = None;
        self
    }

    /// The same prover with the key's bases prepared by its accelerator in at most `budget`
    /// bytes ([`PreparedKey`]): worth it for a prover that makes many proofs (the service, a
    /// benchmark), not for one (building the tables takes several proofs' time).
    pub fn precompute(mut self, budget: usize) -> Self {
        let prepared = PreparedKey::new(&*self.accel, &self.pk, budget);
        self.prepared = (prepared.queries() > 0).then(|| Arc::new(prepared));
        self
    }

    /// What [`Self::precompute`] prepared, if anything.
    pub fn prepared(&self) -> Option<&PreparedKey> {
        self.prepared.as_deref()
    }

    /// The name of the accelerator this prover runs on.
    pub fn accelerator(&self) -> &'static str {
        self.accel.name()
    }

    /// Proves statement `S` of `shape` for `public` with `witness`: checks the native relation
    /// first (a failed rule is named, not proved), proves, checks the circuit's public inputs
    /// are the statement's, and wraps the proof in an envelope naming its key.
    pub fn prove_statement<S: R1csStatement, R: RngCore + CryptoRng>(
        &self,
        shape: &S::Shape,
        public: S::Public,
        witness: S::Witness,
        rng: &mut R,
    ) -> Result<ProofEnvelope> {
        S::validate(shape)?;
        S::check(shape, &public, &witness)?;
        let expected = S::public_inputs(&public);
        let (proof, inputs) = self.prove(S::circuit(shape, public, witness), rng)?;
        if inputs != expected {
            return Err(ProverError::Proving(format!(
                "the {} circuit's public inputs differ from the statement's",
                S::NAME
            )));
        }
        Ok(ProofEnvelope::groth16(
            S::NAME,
            S::key_id(shape),
            &self.pk.vk,
            serde_json::to_value(shape).expect("shapes serialise"),
            inputs,
            &proof,
        ))
    }

    /// Proves `circuit` (which must have the cached shape). Returns the proof and the public
    /// inputs it is for.
    pub fn prove<C: ConstraintSynthesizer<Fr>, R: RngCore + CryptoRng>(
        &self,
        circuit: C,
        rng: &mut R,
    ) -> Result<(Proof<Bn254>, Vec<Fr>)> {
        let full = self.assignment(circuit)?;
        let proof = self.prove_assignment(&full, rng)?;
        Ok((proof, full[1..self.matrices.num_instance].to_vec()))
    }

    /// The full assignment of `circuit` (the constant 1, the public inputs, the witness):
    /// witness-only synthesis, no matrices.
    pub fn assignment<C: ConstraintSynthesizer<Fr>>(&self, circuit: C) -> Result<Vec<Fr>> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: false,
            generate_lc_assignments: false,
        });
        circuit.generate_constraints(cs.clone())?;
        cs.finalize();
        let instance = cs.instance_assignment()?;
        let witness = cs.witness_assignment()?;
        let m = &self.matrices;
        if instance.len() != m.num_instance || witness.len() != m.num_witness {
            return Err(ProverError::Proving(format!(
                "assignment has {} public and {} witness values, the shape has {} and {}",
                instance.len(),
                witness.len(),
                m.num_instance,
                m.num_witness
            )));
        }
        Ok([instance.as_slice(), witness.as_slice()].concat())
    }

    /// A proof from a full assignment ([`Self::assignment`]): only the MSMs and FFTs, what
    /// `veil bench` times as the machine's floor for the shape.
    pub fn prove_assignment<R: RngCore + CryptoRng>(
        &self,
        full: &[Fr],
        rng: &mut R,
    ) -> Result<Proof<Bn254>> {
        let m = &self.matrices;
        if full.len() != m.num_instance + m.num_witness {
            return Err(ProverError::Proving(format!(
                "an assignment of {} values for a shape of {}",
                full.len(),
                m.num_instance + m.num_witness
            )));
        }
        let r = Fr::rand(rng);
        let s = Fr::rand(rng);
        create_proof(&*self.accel, self.prepared(), &self.pk, m, full, r, s)
    }
}

/// One Groth16 proof from the full assignment `full` (the constant 1, the public inputs, then
/// the witness) with blinding `r`, `s`:
///
/// * `A = alpha + sum_i a_i(tau) z_i + r delta` (G1),
/// * `B = beta + sum_i b_i(tau) z_i + s delta` (G2, and in G1 for `C`),
/// * `C = sum_{i witness} L_i z_i + sum_j H_j h_j + s A + r B - r s delta` (G1),
///
/// exactly arkworks' `create_proof_with_reduction_and_matrices`, with the independent work run
/// concurrently: the witness map and the `H` MSM on one side, the `A`, `B` (G1 and G2) and `L`
/// MSMs on the other, each MSM parallel inside. A query `prepared` holds runs its prepared
/// MSM; the others run `accel`'s.
pub fn create_proof(
    accel: &dyn Accelerator,
    prepared: Option<&PreparedKey>,
    pk: &ProvingKey<Bn254>,
    m: &ConstraintMatrices,
    full: &[Fr],
    r: Fr,
    s: Fr,
) -> Result<Proof<Bn254>> {
    let start = Instant::now();
    let qap = KeyQap::of_key(pk.h_query.len(), m.num_constraints + m.num_instance)?;
    let z: Vec<Scalar> = full.par_iter().map(|x| x.into_bigint()).collect();
    let aux = &z[m.num_instance..];
    let none = PreparedKey::default();
    let p = prepared.unwrap_or(&none);
    let g1 = |t: &Option<FixedG1>, bases: &[ark_bn254::G1Affine], scalars: &[Scalar]| match t {
        Some(t) => t.msm(scalars),
        None => accel.msm_g1(bases, scalars),
    };
    let (h, ((a, b1), (b2, l))) = rayon::join(
        || -> Result<_> {
            let t = Instant::now();
            let h = accel.witness_map(&qap, &m.abc, m.num_instance, m.num_constraints, full)?;
            let fft = t.elapsed();
            let h: Vec<Scalar> = h.par_iter().map(|x| x.into_bigint()).collect();
            let t = Instant::now();
            let acc = g1(&p.h, &pk.h_query, &h);
            Ok((acc, fft, t.elapsed()))
        },
        || {
            rayon::join(
                || {
                    rayon::join(
                        || timed(|| g1(&p.a, &pk.a_query, &z)),
                        || timed(|| g1(&p.b_g1, &pk.b_g1_query, &z)),
                    )
                },
                || {
                    rayon::join(
                        || {
                            timed(|| match &p.b_g2 {
                                Some(t) => t.msm(&z),
                                None => accel.msm_g2(&pk.b_g2_query, &z),
                            })
                        },
                        || timed(|| g1(&p.l, &pk.l_query, aux)),
                    )
                },
            )
        },
    );
    let (h, fft_t, h_t) = h?;
    tracing::debug!(
        ?fft_t, ?h_t, a_t = ?a.1, b1_t = ?b1.1, b2_t = ?b2.1, l_t = ?l.1, total = ?start.elapsed(),
        "groth16 proof phases"
    );
    let (a, b1, b2, l) = (a.0, b1.0, b2.0, l.0);
    let g_a = a + pk.vk.alpha_g1 + pk.delta_g1 * r;
    let g1_b = b1 + pk.beta_g1 + pk.delta_g1 * s;
    let g2_b = b2 + pk.vk.beta_g2 + pk.vk.delta_g2 * s;
    let g_c = g_a * s + g1_b * r - pk.delta_g1 * (r * s) + l + h;
    Ok(Proof {
        a: g_a.into_affine(),
        b: g2_b.into_affine(),
        c: g_c.into_affine(),
    })
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, std::time::Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}
