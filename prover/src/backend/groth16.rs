//! Groth16 over BN254 (arkworks), with the constraint matrices cached per shape.
//!
//! The circuit's shape is synthesised once (in setup mode) when a [`Groth16Prover`] is made;
//! each proof then only computes the assignment (prove mode, no matrices, no LC inlining) and
//! runs the witness map and MSMs against the cached matrices.

use crate::{ProverError, Result};
use ark_bn254::{Bn254, Fr};
use ark_groth16::{r1cs_to_qap::LibsnarkReduction, Groth16, Proof, ProvingKey};
use ark_relations::gr1cs::{
    predicate::polynomial_constraint::R1CS_PREDICATE_LABEL, ConstraintSynthesizer,
    ConstraintSystem, OptimizationGoal, SynthesisMode,
};
use ark_relations::utils::matrix::Matrix;
use ark_serialize::{CanonicalSerialize, Compress};
use ark_snark::SNARK;
use ark_std::rand::{CryptoRng, RngCore};
use ark_std::UniformRand;
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
pub fn insecure_setup<C: ConstraintSynthesizer<Fr>, R: RngCore + CryptoRng>(
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
pub fn prove_stock<C: ConstraintSynthesizer<Fr>, R: RngCore + CryptoRng>(
    pk: &ProvingKey<Bn254>,
    circuit: C,
    rng: &mut R,
) -> Result<Proof<Bn254>> {
    Ok(Groth16::<Bn254, LibsnarkReduction>::prove(
        pk, circuit, rng,
    )?)
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
}

impl Groth16Prover {
    /// Caches the matrices of `blank` (any assignment of the shape) beside `pk`.
    pub fn new<C: ConstraintSynthesizer<Fr>>(pk: ProvingKey<Bn254>, blank: C) -> Result<Self> {
        let matrices = constraint_matrices(blank)?;
        let vars = matrices.num_instance + matrices.num_witness;
        if pk.a_query.len() != vars || pk.vk.gamma_abc_g1.len() != matrices.num_instance {
            return Err(ProverError::Proving(format!(
                "the proving key is for another circuit ({} variables, {} public), this shape has {vars} and {}",
                pk.a_query.len(),
                pk.vk.gamma_abc_g1.len(),
                matrices.num_instance
            )));
        }
        Ok(Groth16Prover { pk, matrices })
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
        let full: Vec<Fr> = [instance.as_slice(), witness.as_slice()].concat();
        let r = Fr::rand(rng);
        let s = Fr::rand(rng);
        let proof = Groth16::<Bn254, LibsnarkReduction>::create_proof_with_reduction_and_matrices(
            &self.pk,
            r,
            s,
            &m.abc,
            m.num_instance,
            m.num_constraints,
            &full,
        )?;
        Ok((proof, instance[1..].to_vec()))
    }
}
