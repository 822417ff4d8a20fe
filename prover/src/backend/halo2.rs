//! halo2 (PLONKish, KZG over BN254) as a [`Backend`]: a statement is proved by its halo2
//! circuit (`veil_halo2::statements`) from the same witness and public inputs as Groth16.
//!
//! There is no per-circuit ceremony: keys are derived from the universal parameters and the
//! circuit the first time a shape is used, and kept. A verifier derives the same verifying key
//! from the same parameters, so an envelope names it by digest only.

use super::{Backend, BackendKind};
use crate::Result;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use veil_halo2::kzg::{self, Params, ProverParams, ProvingKeyBn, VerifyingKeyBn};
use veil_halo2::statements::Halo2Statement;
use veil_verifier::proof::ProofEnvelope;
use veil_verifier::VerifyError;

/// A shape's keys and the parameters cut to its size.
struct Keys {
    params: ProverParams,
    pk: ProvingKeyBn,
    digest: String,
}

/// `params` proving on Veil's MSM ([`crate::msm::Cpu`]): what every halo2 proof of Veil's
/// commits with.
pub fn prover_params(params: Params) -> Result<ProverParams> {
    Ok(ProverParams::new(params, Arc::new(crate::msm::Cpu))?)
}

/// A shape's slot: empty until its keys are derived.
type Slot = Arc<Mutex<Option<Arc<Keys>>>>;

/// The halo2 backend over one set of universal parameters.
pub struct Halo2Backend {
    params: Params,
    /// One slot per key id, locked while its keys are derived: a second caller for the same
    /// shape waits for the first instead of deriving them again; other shapes go on.
    keys: Mutex<HashMap<String, Slot>>,
}

impl Halo2Backend {
    /// The backend over `params` (a ceremony's, read with `veil_halo2::kzg::read_params`, or
    /// `insecure_setup` in tests).
    pub fn new(params: Params) -> Self {
        Halo2Backend {
            params,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// The keys of `shape`, derived on first use.
    fn keys<S: Halo2Statement>(&self, shape: &S::Shape) -> Result<Arc<Keys>> {
        S::validate(shape)?;
        let slot = self
            .keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(S::key_id(shape))
            .or_default()
            .clone();
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(keys) = slot.as_ref() {
            return Ok(keys.clone());
        }
        let params = kzg::fit(&self.params, S::k(shape)?)?;
        let pk = kzg::keygen::<S>(&params, shape)?;
        let digest = kzg::vk_digest(pk.get_vk());
        let params = prover_params(params)?;
        let keys = Arc::new(Keys { params, pk, digest });
        *slot = Some(keys.clone());
        Ok(keys)
    }

    /// The digest of the verifying key of `shape` under these parameters.
    pub fn vk_digest<S: Halo2Statement>(&self, shape: &S::Shape) -> Result<String> {
        Ok(self.keys::<S>(shape)?.digest.clone())
    }

    /// The verifying key of `shape` under these parameters.
    pub fn verifying_key<S: Halo2Statement>(&self, shape: &S::Shape) -> Result<VerifyingKeyBn> {
        Ok(self.keys::<S>(shape)?.pk.get_vk().clone())
    }
}

impl<S: Halo2Statement> Backend<S> for Halo2Backend {
    fn kind(&self) -> BackendKind {
        BackendKind::Halo2
    }

    fn prove(
        &self,
        shape: &S::Shape,
        public: S::Public,
        witness: S::Witness,
    ) -> Result<ProofEnvelope> {
        let keys = self.keys::<S>(shape)?;
        let public_inputs = S::public_inputs(&public);
        let proof = kzg::prove::<S>(&keys.params, &keys.pk, shape, public, witness)?;
        Ok(ProofEnvelope::halo2(
            S::NAME,
            S::key_id(shape),
            keys.digest.clone(),
            super::shape_json(shape)?,
            public_inputs,
            &proof,
        ))
    }

    fn verify(&self, shape: &S::Shape, public: &S::Public, proof: &ProofEnvelope) -> Result<()> {
        proof.check_claims(S::NAME, &S::key_id(shape), &super::shape_json(shape)?)?;
        let public_inputs = S::public_inputs(public);
        if proof.public_inputs != public_inputs {
            return Err(VerifyError::Mismatch(
                "the proof's public inputs are not the statement's".into(),
            )
            .into());
        }
        let keys = self.keys::<S>(shape)?;
        let bytes = proof.halo2_proof(&keys.digest)?;
        kzg::verify(keys.params.kzg(), keys.pk.get_vk(), &public_inputs, &bytes)
            .map_err(|e| VerifyError::Rejected(e.to_string()).into())
    }
}
