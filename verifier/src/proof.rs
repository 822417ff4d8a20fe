//! The versioned proof envelope, shared by every statement and backend.
//!
//! ```json
//! { "veil": 2, "statement": "preview-membership", "backend": "groth16-bn254",
//!   "key": "preview-membership-d20-k8-m3", "vk_sha256": "<SHA-256 of the compressed vk>",
//!   "shape": { ... }, "public_inputs": ["0x..", ...],
//!   "proof": "<hex of the compressed arkworks proof>" }
//! ```
//! Version 2 added `vk_sha256`, so that a proof checked against another verifying key is
//! reported as such rather than as a failed pairing. Version 1 envelopes (no digest) still
//! verify.
//!
//! One envelope serves every backend: `backend` names it ([`GROTH16`], [`ULTRAHONK`],
//! [`HALO2`]); `key` is the key id (Groth16 and halo2, the same id for the same shape) or the
//! Noir program (UltraHonk, whose envelope also carries bb's verification key and its hash in
//! `ultrahonk`, as recursion inside Noir needs them); `vk_sha256` is the SHA-256 of the
//! verifying key (Groth16: compressed arkworks; halo2: its raw bytes); `proof` is the
//! backend's own proof bytes, hex. The public inputs are the statement's, in its order, for
//! every backend.

use crate::groth16::PreparedKey;
use crate::{Result, VerifyError};
use ark_bn254::Bn254;
use ark_groth16::{Proof, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use serde::{Deserialize, Serialize};
use veil_circuits::{field::serde_hex_vec, Fr};

/// Envelope format version written by this build.
pub const PROOF_VERSION: u32 = 2;
/// Oldest envelope version this build reads.
pub const OLDEST_PROOF_VERSION: u32 = 1;
/// The Groth16 backend's name.
pub const GROTH16: &str = "groth16-bn254";
/// The UltraHonk backend's name.
pub const ULTRAHONK: &str = "ultrahonk-bn254";
/// The halo2 backend's name (PLONKish, KZG over BN254, SHPLONK, Blake2b transcript).
pub const HALO2: &str = "halo2-kzg-bn254";

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
    /// SHA-256 of the verifying key it was made for (compressed arkworks encoding, as the
    /// manifest's `verifying_key.sha256`); required from version 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vk_sha256: Option<String>,
    /// The circuit shape, statement-specific.
    pub shape: serde_json::Value,
    /// Public inputs in circuit order.
    #[serde(with = "serde_hex_vec")]
    pub public_inputs: Vec<Fr>,
    /// The backend's proof bytes, hex (Groth16: the compressed arkworks proof).
    pub proof: String,
    /// UltraHonk only: what verifying needs beside the proof.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ultrahonk: Option<UltraHonkData>,
}

impl ProofEnvelope {
    /// Checks what the envelope says it is against what the verifier expects: its statement,
    /// its key id, and the shape its key id restates (`null` for a Noir program). Each field
    /// that disagrees is refused by name, so no field of the file goes unread.
    pub fn check_claims(
        &self,
        statement: &str,
        key: &str,
        shape: &serde_json::Value,
    ) -> Result<()> {
        let mismatch = |m: String| Err(VerifyError::Mismatch(m));
        if self.statement != statement {
            return mismatch(format!(
                "field `statement`: the proof is of {}, expected {statement}",
                self.statement
            ));
        }
        if self.key != key {
            return mismatch(format!(
                "field `key`: the proof is for key {}, expected {key}",
                self.key
            ));
        }
        if self.shape != *shape {
            return mismatch(format!(
                "field `shape`: {} is not the shape of key {key} ({shape})",
                self.shape
            ));
        }
        Ok(())
    }

    /// Wraps a Groth16 proof.
    pub fn groth16(
        statement: &str,
        key: String,
        vk: &VerifyingKey<Bn254>,
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
            vk_sha256: Some(crate::groth16::vk_digest(vk)),
            shape,
            public_inputs,
            proof: hex::encode(bytes),
            ultrahonk: None,
        }
    }

    /// Wraps a halo2 proof made with the verifying key of digest `vk_sha256`.
    pub fn halo2(
        statement: &str,
        key: String,
        vk_sha256: String,
        shape: serde_json::Value,
        public_inputs: Vec<Fr>,
        proof: &[u8],
    ) -> Self {
        ProofEnvelope {
            veil: PROOF_VERSION,
            statement: statement.into(),
            backend: HALO2.into(),
            key,
            vk_sha256: Some(vk_sha256),
            shape,
            public_inputs,
            proof: hex::encode(proof),
            ultrahonk: None,
        }
    }

    /// Checks that this is a halo2 proof made with the verifying key of digest `vk_sha256`,
    /// and returns its bytes.
    pub fn halo2_proof(&self, vk_sha256: &str) -> Result<Vec<u8>> {
        if self.veil != PROOF_VERSION {
            return Err(VerifyError::Malformed(format!(
                "a halo2 proof of version {}; halo2 proofs are version {PROOF_VERSION}",
                self.veil
            )));
        }
        if self.backend != HALO2 {
            return Err(VerifyError::Malformed(format!(
                "backend {:?}, expected {HALO2:?}",
                self.backend
            )));
        }
        match &self.vk_sha256 {
            Some(theirs) if theirs == vk_sha256 => {}
            theirs => {
                return Err(VerifyError::Keys(format!(
                    "the proof was made with another halo2 verifying key for {} (digest {theirs:?}; \
                     these parameters give {vk_sha256}): verify with the parameters it was proved with",
                    self.key
                )))
            }
        }
        hex::decode(&self.proof)
            .map_err(|e| VerifyError::Malformed(format!("proof is not hex: {e}")))
    }

    /// Pretty JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("envelopes serialise") + "\n"
    }

    /// Checks the version and backend, and decodes the Groth16 proof (points checked on curve
    /// and in the subgroup).
    pub fn groth16_proof(&self) -> Result<Proof<Bn254>> {
        if !(OLDEST_PROOF_VERSION..=PROOF_VERSION).contains(&self.veil) {
            return Err(VerifyError::Malformed(format!(
                "proof version {}, this build reads versions {OLDEST_PROOF_VERSION} to {PROOF_VERSION}",
                self.veil
            )));
        }
        if self.veil >= 2 && self.vk_sha256.is_none() {
            return Err(VerifyError::Malformed(format!(
                "a version-{} proof must name its verifying key (`vk_sha256`)",
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

    /// Verifies the proof for `public_inputs` against `pvk`, after checking that it was made
    /// for this verifying key (version 2 envelopes name it), so that the wrong key is reported
    /// as such and not as a forgery.
    pub fn verify_groth16(&self, pvk: &PreparedKey, public_inputs: &[Fr]) -> Result<()> {
        let proof = self.groth16_proof_for(pvk)?;
        crate::groth16::verify(pvk, public_inputs, &proof)
    }

    /// The proof, after checking that it was made for `pvk` (see [`Self::verify_groth16`]):
    /// what a batch verification takes.
    pub fn groth16_proof_for(&self, pvk: &PreparedKey) -> Result<Proof<Bn254>> {
        let proof = self.groth16_proof()?;
        if let Some(theirs) = &self.vk_sha256 {
            let ours = crate::groth16::vk_digest(&pvk.vk);
            if *theirs != ours {
                return Err(VerifyError::Keys(format!(
                    "the proof was made with another verifying key for {} (digest {theirs}; yours is \
                     {ours}): verify with the operator's params (manifest.json and {}.vk), not with \
                     keys from a `veil setup` of your own",
                    self.key, self.key
                )));
            }
        }
        Ok(proof)
    }
}

/// What verifying an UltraHonk proof needs beside the proof: bb's verification key (the
/// verifier re-derives it from the program it names and compares), its hash (what
/// `std::verify_proof_with_type` takes inside Noir), bb's version and its verifier target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UltraHonkData {
    /// `bb --version` of the prover.
    pub bb_version: String,
    /// bb's verifier target (`noir-recursive`).
    pub verifier_target: String,
    /// bb's `vk` file, hex.
    pub vk: String,
    /// bb's `vk_hash` file, hex.
    pub vk_hash: String,
}
