//! The ciphertext file (`.veilct`, version 2): one JSON header line, then the records.
//!
//! ```text
//! {"veil":1,"kind":"ciphertext",...}\n                 the header, compact JSON, one line
//! n times:  leaf_i || c_i0 || ... || c_i(W-1)         32-byte big-endian field elements
//! ```
//! `leaf_i` is the record's public Merkle leaf (salted, so it hides the record); the leaves
//! rebuild the listing's `root`, so a buyer checks before paying that the file holds one
//! ciphertext per committed record. The ciphertext root the listing publishes is
//! `E = SHA-256("veil/ciphertext-v1" || SHA-256(header line) || tree root)` over
//! [`super::tree`]: it binds the exact header bytes (nonce and framing included) and every record.
//! Version 2 adds `column_elements`, the elements of each column's slot
//! ([`Layout::Columns`]); version 1 (packed records) is still read.

use super::framing::Framing;
use super::record::Layout;
use super::tree::Digest32;
use crate::dataset::Listing;
use crate::field::serde_hex;
use crate::{Error, Fr, Result};
use ark_ff::{BigInteger, PrimeField};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Ciphertext format version: 2 lays each column out in its own elements.
pub const CIPHERTEXT_VERSION: u32 = 2;
/// A header line is at most this long.
pub const MAX_HEADER_BYTES: usize = 1 << 16;
/// At most this many elements per record (31,744 bytes: a CSV row of that size, or a chunk of
/// up to 31,740 bytes), so that a dispute about any record is a circuit of at most 342
/// permutations (`statements::dispute`).
pub const MAX_RECORD_ELEMENTS: u32 = 1024;
/// Bytes per field element in the file.
pub const ELEMENT_BYTES: usize = 32;
const ROOT_DOMAIN: &[u8] = b"veil/ciphertext-v1";

/// The ciphertext header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiphertextHeader {
    /// Format version, [`CIPHERTEXT_VERSION`].
    pub veil: u32,
    /// Always `"ciphertext"`.
    pub kind: String,
    /// The listing's dataset id.
    pub dataset_id: String,
    /// The listing's commitment `C`.
    #[serde(with = "serde_hex")]
    pub commitment: Fr,
    /// Records `n`.
    pub records: u64,
    /// The listing's tree depth (also the ciphertext tree's).
    pub depth: u32,
    /// Field elements per record, `W`.
    pub record_elements: u32,
    /// Version 2: the elements of each column's slot, in schema order (they sum to `W`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub column_elements: Vec<u32>,
    /// The nonce of `ek = H(ENC_KEY, key, nonce)`.
    #[serde(with = "serde_hex")]
    pub nonce: Fr,
    /// How the plaintext file is laid out around its records.
    pub framing: Framing,
}

impl CiphertextHeader {
    /// The header line: compact JSON and a line feed.
    pub fn line(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec(self).expect("headers serialise");
        v.push(b'\n');
        v
    }

    /// Parses a header line (without its line feed) and checks its numbers.
    pub fn parse(line: &[u8]) -> Result<Self> {
        let text = std::str::from_utf8(line).map_err(|_| {
            Error::parse(
                "ciphertext",
                "the first line is not UTF-8: this is no ciphertext",
            )
        })?;
        Self::from_json(text)
    }

    /// Parses a header from JSON text, strictly, and checks its numbers.
    pub fn from_json(text: &str) -> Result<Self> {
        let h: CiphertextHeader =
            crate::format::parse(text, Some("ciphertext"), 1..=CIPHERTEXT_VERSION).map_err(
                |e| match e {
                    Error::Parse { what, why } if what == "file" => Error::parse(
                        "ciphertext",
                        format!("the first line is not a ciphertext header ({why})"),
                    ),
                    other => other,
                },
            )?;
        h.check()?;
        Ok(h)
    }

    /// How the records' cells are laid out, for a schema of `columns` columns.
    pub fn layout(&self, columns: usize) -> Layout {
        if self.column_elements.is_empty() {
            Layout::Packed {
                width: self.record_elements as usize,
                columns,
            }
        } else {
            Layout::Columns(self.column_elements.iter().map(|&w| w as usize).collect())
        }
    }

    /// Checks the counts: `1 <= W <= MAX`, `1 <= n <= 2^depth`, and (version 2) column slots
    /// of at least one element that sum to `W`.
    pub fn check(&self) -> Result<()> {
        let columns_sum: u64 = self.column_elements.iter().map(|&w| w as u64).sum();
        match (self.veil, self.column_elements.is_empty()) {
            (1, false) => {
                return Err(Error::parse(
                    "ciphertext",
                    "a version-1 header has no `column_elements` (version 2 added them)",
                ))
            }
            (1, true) => {}
            (_, true) => {
                return Err(Error::parse(
                    "ciphertext",
                    format!("a version-{} header needs `column_elements`", self.veil),
                ))
            }
            (_, false) => {
                if self.column_elements.contains(&0)
                    || columns_sum != u64::from(self.record_elements)
                {
                    return Err(Error::parse(
                        "ciphertext",
                        format!(
                            "field `column_elements` ({:?}) must be slots of at least one element \
                             summing to `record_elements` ({})",
                            self.column_elements, self.record_elements
                        ),
                    ));
                }
            }
        }
        if self.record_elements == 0 || self.record_elements > MAX_RECORD_ELEMENTS {
            return Err(Error::parse(
                "ciphertext",
                format!(
                    "field `record_elements` ({}) is not in 1..={MAX_RECORD_ELEMENTS}",
                    self.record_elements
                ),
            ));
        }
        if self.depth == 0
            || self.depth > crate::merkle::MAX_DEPTH
            || self.records == 0
            || self.records > 1u64 << self.depth
        {
            return Err(Error::parse(
                "ciphertext",
                format!(
                    "fields `records` ({}) and `depth` ({}) do not describe a tree of at most \
                     2^{} records",
                    self.records,
                    self.depth,
                    crate::merkle::MAX_DEPTH
                ),
            ));
        }
        Ok(())
    }

    /// Checks that this is a ciphertext of `listing`'s dataset, naming the first field that is not.
    pub fn check_listing(&self, listing: &Listing) -> Result<()> {
        let differs = |field: &str, ours: String, theirs: String| {
            Err(Error::Mismatch(format!(
                "this ciphertext is not of the listed dataset {:?}: its `{field}` is {ours}, the \
                 listing's {theirs}",
                listing.dataset_id
            )))
        };
        if self.dataset_id != listing.dataset_id {
            return differs(
                "dataset_id",
                format!("{:?}", self.dataset_id),
                format!("{:?}", listing.dataset_id),
            );
        }
        if self.commitment != listing.commitment {
            return differs(
                "commitment",
                crate::field::to_hex(&self.commitment),
                crate::field::to_hex(&listing.commitment),
            );
        }
        if self.records != listing.records {
            return differs(
                "records",
                self.records.to_string(),
                listing.records.to_string(),
            );
        }
        if self.depth != listing.depth {
            return differs("depth", self.depth.to_string(), listing.depth.to_string());
        }
        let columns = listing.schema.columns.len();
        if !self.column_elements.is_empty() && self.column_elements.len() != columns {
            return differs(
                "column_elements",
                format!("{} columns", self.column_elements.len()),
                format!("{columns}"),
            );
        }
        let framed = match self.framing {
            Framing::Csv { .. } => crate::dataset::Format::Csv,
            Framing::Chunks => crate::dataset::Format::Chunks,
        };
        if framed != listing.schema.format {
            return differs(
                "framing",
                format!("{framed:?}"),
                format!("{:?}", listing.schema.format),
            );
        }
        Ok(())
    }

    /// Bytes of one record in the file: `32 (1 + W)`.
    pub fn record_bytes(&self) -> usize {
        ELEMENT_BYTES * (1 + self.record_elements as usize)
    }

    /// The file's size: header line and records.
    pub fn file_bytes(&self) -> u64 {
        self.line().len() as u64 + self.records * self.record_bytes() as u64
    }

    /// `E = SHA-256("veil/ciphertext-v1" || SHA-256(header line) || tree_root)`.
    pub fn ciphertext_root(&self, tree_root: &Digest32) -> Digest32 {
        let mut h = Sha256::new();
        h.update(ROOT_DOMAIN);
        h.update(Sha256::digest(self.line()));
        h.update(tree_root);
        h.finalize().into()
    }
}

/// A field element as 32 big-endian bytes.
pub fn element_bytes(x: &Fr) -> [u8; ELEMENT_BYTES] {
    let be = x.into_bigint().to_bytes_be();
    let mut out = [0u8; ELEMENT_BYTES];
    out[ELEMENT_BYTES - be.len()..].copy_from_slice(&be);
    out
}

/// A canonical field element from 32 big-endian bytes (`None` when it is `p` or more).
pub fn element_from_bytes(bytes: &[u8]) -> Option<Fr> {
    let x = Fr::from_be_bytes_mod_order(bytes);
    (element_bytes(&x)[..] == bytes[..]).then_some(x)
}

/// One record of the file: its leaf and ciphertext, as bytes.
pub fn record_blob(leaf: &Fr, cipher: &[Fr]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ELEMENT_BYTES * (1 + cipher.len()));
    out.extend_from_slice(&element_bytes(leaf));
    for c in cipher {
        out.extend_from_slice(&element_bytes(c));
    }
    out
}

/// Parses one record's bytes into its leaf and ciphertext, naming record `index` on error.
pub fn parse_blob(index: u64, blob: &[u8]) -> Result<(Fr, Vec<Fr>)> {
    let mut elements = blob.chunks(ELEMENT_BYTES).enumerate().map(|(t, b)| {
        element_from_bytes(b).ok_or_else(|| {
            Error::parse(
                "ciphertext",
                format!(
                    "record {index}: {} is not a field element (2^254-ish or more)",
                    if t == 0 {
                        "the leaf".to_string()
                    } else {
                        format!("element {}", t - 1)
                    }
                ),
            )
        })
    });
    let leaf = elements
        .next()
        .ok_or_else(|| Error::parse("ciphertext", format!("record {index} is empty")))??;
    let cipher = elements.collect::<Result<Vec<_>>>()?;
    Ok((leaf, cipher))
}
