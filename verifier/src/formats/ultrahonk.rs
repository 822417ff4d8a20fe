//! UltraHonk proofs in Veil's one envelope: Barretenberg's own bytes (proof, verification key,
//! key hash) carried unchanged, hex; and the version-1 proof file `veil noir prove` wrote before
//! the envelope was shared, read by converting it.

use crate::proof::{ProofEnvelope, UltraHonkData, OLDEST_PROOF_VERSION, PROOF_VERSION, ULTRAHONK};
use crate::{Result, VerifyError};
use ark_ff::PrimeField;
use serde::{Deserialize, Serialize};
use veil_circuits::Fr;

/// The version-1 UltraHonk proof file (`kind: "ultrahonk-proof"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UltraHonkProofV1 {
    /// Format version (1).
    pub veil: u32,
    /// `"ultrahonk-proof"`.
    pub kind: String,
    /// The Noir program proven.
    pub program: String,
    /// `bb --version` of the prover.
    pub bb_version: String,
    /// bb's verifier target.
    pub verifier_target: String,
    /// Public inputs, 32-byte big-endian hex each.
    pub public_inputs: Vec<String>,
    /// bb's `proof` file, hex.
    pub proof: String,
    /// bb's `vk` file, hex.
    pub vk: String,
    /// bb's `vk_hash` file, hex.
    pub vk_hash: String,
}

/// The statement a Noir program proves: the statement whose name starts its name (Veil names a
/// program by its shape's key id, `preview-membership-d20-k8-m6`), with `_` as `-` (the Nargo
/// package `preview_membership` and the names of version-1 files, `preview_membership-d20_k8_m6`).
pub fn statement_of(program: &str) -> String {
    let base = program.rsplit('/').next().unwrap_or(program);
    let base = base.strip_suffix(".json").unwrap_or(base).replace('_', "-");
    veil_circuits::statements::STATEMENT_NAMES
        .iter()
        .find(|s| base == **s || base.starts_with(&format!("{s}-")))
        .map_or_else(
            || base.split('-').next().unwrap_or(&base).to_string(),
            |s| s.to_string(),
        )
}

/// A public input as bb writes it (32 bytes, big-endian), as a field element; a value not
/// below the modulus is refused.
pub fn field_from_be(i: usize, bytes: &[u8]) -> Result<Fr> {
    if bytes.len() != 32 {
        return Err(VerifyError::Malformed(format!(
            "public input {i} is {} bytes, not 32",
            bytes.len()
        )));
    }
    let x = Fr::from_be_bytes_mod_order(bytes);
    let back: Vec<u8> = {
        use ark_ff::BigInteger;
        x.into_bigint().to_bytes_be()
    };
    if back != bytes {
        return Err(VerifyError::Malformed(format!(
            "public input {i} is not below the field modulus"
        )));
    }
    Ok(x)
}

impl UltraHonkProofV1 {
    /// Parses a version-1 file.
    pub fn from_json(text: &str) -> Result<Self> {
        Ok(veil_circuits::format::parse(
            text,
            Some("ultrahonk-proof"),
            1..=1,
        )?)
    }

    /// The envelope this file is.
    pub fn into_envelope(self) -> Result<ProofEnvelope> {
        let public_inputs = self
            .public_inputs
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let b = hex::decode(x).map_err(|e| {
                    VerifyError::Malformed(format!("public input {i} is not hex: {e}"))
                })?;
                field_from_be(i, &b)
            })
            .collect::<Result<Vec<_>>>()?;
        let vk = hex::decode(&self.vk)
            .map_err(|e| VerifyError::Malformed(format!("`vk` is not hex: {e}")))?;
        Ok(ProofEnvelope {
            veil: PROOF_VERSION,
            statement: statement_of(&self.program),
            backend: ULTRAHONK.into(),
            key: self.program,
            vk_sha256: Some(crate::digest::sha256_hex(&vk)),
            shape: serde_json::Value::Null,
            public_inputs,
            proof: self.proof,
            ultrahonk: Some(UltraHonkData {
                bb_version: self.bb_version,
                verifier_target: self.verifier_target,
                vk: self.vk,
                vk_hash: self.vk_hash,
            }),
        })
    }
}

impl ProofEnvelope {
    /// Parses an envelope (versions [`OLDEST_PROOF_VERSION`] to [`PROOF_VERSION`]); an
    /// UltraHonk proof file of version 1 (`kind: "ultrahonk-proof"`) is read as the envelope it
    /// converts to.
    pub fn from_json(text: &str) -> Result<Self> {
        let h = veil_circuits::format::header(text)?;
        if h.kind.as_deref() == Some("ultrahonk-proof") {
            return UltraHonkProofV1::from_json(text)?.into_envelope();
        }
        let env: ProofEnvelope = veil_circuits::format::parse_untagged(
            text,
            "a proof envelope",
            OLDEST_PROOF_VERSION..=PROOF_VERSION,
        )?;
        veil_circuits::format::check_shape(&env.shape)?;
        Ok(env)
    }
}
