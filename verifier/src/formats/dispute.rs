//! `dispute.json`: a buyer's proof that one record of an encrypted delivery is not the committed
//! record. Verifying one is [`crate::dispute`]; the statement is
//! `veil_circuits::statements::dispute`.
//!
//! ```json
//! { "veil": 1, "kind": "dispute", "dataset_id": "sales-2026",
//!   "header": { ...the ciphertext's header... }, "leaf": "0x..",
//!   "ciphertext_path": ["<hex SHA-256>", ...], "dataset_path": ["0x..", ...],
//!   "proof": { ...envelope: key_id, nonce, index, cipher, plain, salt... } }
//! ```
//! The record's index, ciphertext, decryption and salt are the proof's public inputs (stated
//! once); `leaf` is the leaf published beside the ciphertext, `ciphertext_path` its blob's
//! SHA-256 path to the tree under `E` (leaf level first), `dataset_path` the leaf's path under
//! the dataset root (three siblings per level of the quaternary tree, leaf level first).

use crate::proof::ProofEnvelope;
use crate::Result;
use serde::{Deserialize, Serialize};
use veil_circuits::dataset::encrypted::CiphertextHeader;
use veil_circuits::field::{serde_hex, serde_hex_vec};
use veil_circuits::Fr;

/// Dispute file format version.
pub const DISPUTE_VERSION: u32 = 1;

/// `dispute.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisputeFile {
    /// Format version, [`DISPUTE_VERSION`].
    pub veil: u32,
    /// Always `"dispute"`.
    pub kind: String,
    /// The listing's dataset id.
    pub dataset_id: String,
    /// The disputed ciphertext's header.
    pub header: CiphertextHeader,
    /// The leaf published beside the record's ciphertext.
    #[serde(with = "serde_hex")]
    pub leaf: Fr,
    /// SHA-256 siblings from the record's blob to the tree under `E`, hex.
    pub ciphertext_path: Vec<String>,
    /// The leaf's siblings under the dataset root.
    #[serde(with = "serde_hex_vec")]
    pub dataset_path: Vec<Fr>,
    /// The decryption proof.
    pub proof: ProofEnvelope,
}

impl DisputeFile {
    /// Parses a dispute file.
    pub fn from_json(text: &str) -> Result<Self> {
        Ok(veil_circuits::format::parse(
            text,
            Some("dispute"),
            DISPUTE_VERSION..=DISPUTE_VERSION,
        )?)
    }

    /// Pretty JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("disputes serialise") + "\n"
    }
}
