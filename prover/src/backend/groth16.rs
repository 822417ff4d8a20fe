//! Groth16 over BN254 (arkworks), with the constraint matrices cached per shape.
//!
//! The circuit's shape is synthesised once (in setup mode) when a [`Groth16Prover`] is made;
//! each proof then only computes the assignment (prove mode, no matrices, no LC inlining) and
//! runs the witness map and MSMs against the cached matrices.

use super::{Backend, BackendKind};
use crate::keys::KeyStore;
use crate::{ProverError, Result};
use ark_bn254::{Bn254, Fr};
use ark_groth16::{r1cs_to_qap::LibsnarkReduction, Groth16, Proof, ProvingKey};
use ark_relations::gr1cs::{
    predicate::polynomial_constraint::R1CS_PREDICATE_LABEL, ConstraintSynthesizer,
    ConstraintSystem, OptimizationGoal, SynthesisMode,
};
use ark_relations::utils::matrix::Matrix;
use ark_std::rand::{CryptoRng, RngCore};
use ark_std::UniformRand;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use veil_circuits::statements::R1csStatement;
use veil_verifier::params::{KeyEntry, Manifest};
use veil_verifier::proof::ProofEnvelope;
use veil_verifier::VerifyError;

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

/// Groth16 as a [`Backend`]: keys from a [`KeyStore`], provers cached per key (a shape's
/// proving key and matrices are loaded once, then prove many times, from many threads).
pub struct Groth16Backend {
    store: KeyStore,
    provers: Mutex<HashMap<String, Arc<Groth16Prover>>>,
}

impl Groth16Backend {
    /// The backend over the keys in `store`.
    pub fn new(store: KeyStore) -> Self {
        Groth16Backend {
            store,
            provers: Mutex::new(HashMap::new()),
        }
    }

    /// The key store.
    pub fn store(&self) -> &KeyStore {
        &self.store
    }

    /// The prover of statement `S` at `shape` (loaded on first use) and its manifest entry.
    pub fn prover<S: R1csStatement>(
        &self,
        shape: &S::Shape,
    ) -> Result<(Arc<Groth16Prover>, KeyEntry)> {
        let key = S::key_id(shape);
        let entry = self.entry(&key)?;
        let cached = self.cache().get(&key).cloned();
        if let Some(p) = cached {
            return Ok((p, entry));
        }
        let (prover, entry) = self.store.load_statement::<S>(shape)?;
        let prover = Arc::new(prover);
        self.cache().insert(key, prover.clone());
        Ok((prover, entry))
    }

    /// Runs the (single-party, **insecure**) setup of statement `S` at `shape` and records
    /// the keys in the store; existing keys are replaced only with `force`.
    pub fn setup<S: R1csStatement>(&self, shape: &S::Shape, force: bool) -> Result<KeyEntry> {
        let entry = self
            .store
            .setup_statement::<S, _>(shape, force, &mut rand::rngs::OsRng)?;
        self.cache().remove(&S::key_id(shape));
        Ok(entry)
    }

    /// The manifest entry of `key`.
    pub fn entry(&self, key: &str) -> Result<KeyEntry> {
        Ok(Manifest::load(self.store.dir())?
            .entry(self.store.dir(), key)?
            .clone())
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Groth16Prover>>> {
        self.provers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<S: R1csStatement> Backend<S> for Groth16Backend {
    fn kind(&self) -> BackendKind {
        BackendKind::Groth16
    }

    fn key_id(&self, shape: &S::Shape) -> String {
        S::key_id(shape)
    }

    fn prove(
        &self,
        shape: &S::Shape,
        public: S::Public,
        witness: S::Witness,
    ) -> Result<ProofEnvelope> {
        let (prover, _) = self.prover::<S>(shape)?;
        prover.prove_statement::<S, _>(shape, public, witness, &mut rand::rngs::OsRng)
    }

    fn verify(&self, shape: &S::Shape, public: &S::Public, proof: &ProofEnvelope) -> Result<()> {
        let key = S::key_id(shape);
        if proof.statement != S::NAME || proof.key != key {
            return Err(VerifyError::Mismatch(format!(
                "the proof is of {} with key {}, not of {} with key {key}",
                proof.statement,
                proof.key,
                S::NAME
            ))
            .into());
        }
        let (vk, _) = veil_verifier::params::load_verifying_key(self.store.dir(), &key)?;
        proof.verify_groth16(
            &veil_verifier::groth16::prepare(&vk),
            &S::public_inputs(public),
        )?;
        Ok(())
    }
}
