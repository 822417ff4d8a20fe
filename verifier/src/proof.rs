//! The versioned proof envelope, shared by every statement and backend.
//!
//! ```json
//! { "veil": 1, "statement": "preview-membership", "backend": "groth16-bn254",
//!   "key": "preview-membership-d20-k8-m3", "shape": { ... },
//!   "public_inputs": ["0x..", ...], "proof": "<hex of the compressed arkworks proof>" }
//! ```

use crate::{Result, VerifyError};
use ark_bn254::Bn254;
use ark_groth16::Proof;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use serde::{Deserialize, Serialize};
use veil_circuits::{field::serde_hex_vec, Fr};

/// Envelope format version.
pub const PROOF_VERSION: u32 = 1;
/// The Groth16 backend's name.
pub const GROTH16: &str = "groth16-bn254";

/// A proof with everything needed to check it against a key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofEnvelope {
    /// Format version, [`PROOF_VERSION`].
    pub veil: u32,
    /// Statement name, e.g. `preview-membership`.
    pub statement: String,
    /// Backend name, e.g. [`GROTH16`].
    pub backend: String,
    /// The key id (statement + shape) in the params manifest.
    pub key: String,
    /// The circuit shape, statement-specific.
    pub shape: serde_json::Value,
    /// Public inputs in circuit order.
    #[serde(with = "serde_hex_vec")]
    pub public_inputs: Vec<Fr>,
    /// Compressed proof bytes, hex.
    pub proof: String,
}

impl ProofEnvelope {
    /// Wraps a Groth16 proof.
    pub fn groth16(
        statement: &str,
        key: String,
        shape: serde_json::Value,
        public_inputs: Vec<Fr>,
        proof: &Proof<Bn254>,
    ) -> Self {
        let mut bytes = Vec::new();
        proof
            .serialize_compressed(&mut bytes)
            .expect("writing to a Vec cannot fail");
        ProofEnvelope {
            veil: PROOF_VERSION,
            statement: statement.into(),
            backend: GROTH16.into(),
            key,
            shape,
            public_inputs,
            proof: hex::encode(bytes),
        }
    }

    /// Checks the version and backend, and decodes the Groth16 proof (points checked on curve
    /// and in the subgroup).
    pub fn groth16_proof(&self) -> Result<Proof<Bn254>> {
        if self.veil != PROOF_VERSION {
            return Err(VerifyError::Malformed(format!(
                "proof version {}, this build reads {PROOF_VERSION}",
                self.veil
            )));
        }
        if self.backend != GROTH16 {
            return Err(VerifyError::Malformed(format!(
                "backend {:?}, expected {GROTH16:?}",
                self.backend
            )));
        }
        let bytes = hex::decode(&self.proof)
            .map_err(|e| VerifyError::Malformed(format!("proof is not hex: {e}")))?;
        let mut slice = bytes.as_slice();
        let proof = Proof::<Bn254>::deserialize_compressed(&mut slice).map_err(|e| {
            VerifyError::Malformed(format!("proof bytes do not decode to curve points: {e}"))
        })?;
        if !slice.is_empty() {
            return Err(VerifyError::Malformed(format!(
                "{} trailing bytes after the proof",
                slice.len()
            )));
        }
        Ok(proof)
    }
}
