//! `preview.json`: sampled rows with redacted columns, and the proof that they belong to a
//! listing's commitment. Verifying one is [`crate::preview`].
//!
//! ```json
//! { "veil": 1, "kind": "preview", "dataset_id": "sales-2026", "commitment": "0x..",
//!   "challenge": "0x..", "revealed_columns": ["city", "amount"],
//!   "samples": [ { "index": 17, "cells": ["redacted", {"utf8": "Lyon"}, {"hex": "00ff"}] } ],
//!   "proof": { ...envelope... } }
//! ```
//! A revealed cell is its bytes, as `utf8` text when they are UTF-8 and as `hex` otherwise.
//!
//! Version 2 adds `ciphertext`, the preview bound to the encrypted delivery on offer
//! (`veil_circuits::statements::opening`): the ciphertext's header, each sample's record as the
//! file holds it (its published leaf, its `W` ciphertext elements, and its SHA-256 path to the
//! tree under `E`, leaf level first), and the opening proof. A preview without it is written as
//! version 1, so older readers read it.
//!
//! ```json
//! "ciphertext": { "header": { ...the ciphertext's header... },
//!   "records": [ { "leaf": "0x..", "cipher": ["0x..", ...], "path": ["<hex SHA-256>", ...] } ],
//!   "proof": { ...envelope: key_id, nonce, reveal bits, then per sample index, keystream... } }
//! ```

use crate::proof::ProofEnvelope;
use crate::{Result, VerifyError};
use serde::{Deserialize, Serialize};
use veil_circuits::dataset::encrypted::CiphertextHeader;
use veil_circuits::dataset::Listing;
use veil_circuits::field::{serde_hex, serde_hex_vec};
use veil_circuits::statements::preview::PreviewShape;
use veil_circuits::Fr;

/// Preview file format version: 2 adds the binding to the ciphertext.
pub const PREVIEW_VERSION: u32 = 2;

/// One cell of a sampled row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cell {
    /// A revealed cell whose bytes are UTF-8.
    Utf8(String),
    /// A revealed cell with other bytes, hex.
    Hex(String),
    /// A redacted cell.
    Redacted,
}

impl Cell {
    /// A revealed cell from its bytes.
    pub fn revealed(bytes: &[u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(s) => Cell::Utf8(s.to_string()),
            Err(_) => Cell::Hex(hex::encode(bytes)),
        }
    }

    /// The cell's bytes, `None` when redacted.
    pub fn bytes(&self) -> Result<Option<Vec<u8>>> {
        match self {
            Cell::Utf8(s) => Ok(Some(s.as_bytes().to_vec())),
            Cell::Hex(h) => hex::decode(h)
                .map(Some)
                .map_err(|e| VerifyError::Malformed(format!("cell is not hex: {e}"))),
            Cell::Redacted => Ok(None),
        }
    }
}

/// One sampled row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    /// Record index in the dataset.
    pub index: u64,
    /// Cells in schema order.
    pub cells: Vec<Cell>,
}

/// One sample's record as the ciphertext file holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleCiphertext {
    /// The leaf published beside the record's ciphertext.
    #[serde(with = "serde_hex")]
    pub leaf: Fr,
    /// Its ciphertext, `W` elements.
    #[serde(with = "serde_hex_vec")]
    pub cipher: Vec<Fr>,
    /// SHA-256 siblings from its blob to the tree under `E`, hex, leaf level first.
    pub path: Vec<String>,
}

/// The preview bound to the encrypted delivery on offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewCiphertext {
    /// The ciphertext's header.
    pub header: CiphertextHeader,
    /// Per sample, in draw order: its record in the ciphertext.
    pub records: Vec<SampleCiphertext>,
    /// The opening proof.
    pub proof: ProofEnvelope,
}

/// `preview.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewFile {
    /// Format version, [`PREVIEW_VERSION`].
    pub veil: u32,
    /// Always `"preview"`.
    pub kind: String,
    /// The listing's dataset id.
    pub dataset_id: String,
    /// The listing's commitment `C`.
    #[serde(with = "serde_hex")]
    pub commitment: Fr,
    /// The challenge `s`, reduced into the field.
    #[serde(with = "serde_hex")]
    pub challenge: Fr,
    /// Names of the revealed columns.
    pub revealed_columns: Vec<String>,
    /// The sampled rows, in draw order.
    pub samples: Vec<Sample>,
    /// The proof.
    pub proof: ProofEnvelope,
    /// Version 2: the binding to the ciphertext on offer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphertext: Option<PreviewCiphertext>,
}

impl PreviewFile {
    /// Parses a preview file.
    pub fn from_json(text: &str) -> Result<Self> {
        let file: PreviewFile =
            veil_circuits::format::parse(text, Some("preview"), 1..=PREVIEW_VERSION)?;
        if file.veil == 1 && file.ciphertext.is_some() {
            return Err(VerifyError::Malformed(
                "a version-1 preview has no `ciphertext` (version 2 added it)".into(),
            ));
        }
        Ok(file)
    }

    /// The version a preview is written as: 2 when bound to a ciphertext, else 1.
    pub fn version_for(ciphertext: &Option<PreviewCiphertext>) -> u32 {
        if ciphertext.is_some() {
            PREVIEW_VERSION
        } else {
            1
        }
    }

    /// Pretty JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("previews serialise") + "\n"
    }

    /// The circuit shape this preview needs, given its listing.
    pub fn shape(&self, listing: &Listing) -> PreviewShape {
        PreviewShape {
            depth: listing.depth,
            samples: self.samples.len(),
            columns: listing.schema.columns.len(),
        }
    }
}
