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

use crate::proof::ProofEnvelope;
use crate::{Result, VerifyError};
use serde::{Deserialize, Serialize};
use veil_circuits::dataset::Listing;
use veil_circuits::field::serde_hex;
use veil_circuits::statements::preview::PreviewShape;
use veil_circuits::Fr;

/// Preview file format version.
pub const PREVIEW_VERSION: u32 = 1;

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
}

impl PreviewFile {
    /// Parses a preview file.
    pub fn from_json(text: &str) -> Result<Self> {
        Ok(veil_circuits::format::parse(
            text,
            Some("preview"),
            PREVIEW_VERSION..=PREVIEW_VERSION,
        )?)
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
