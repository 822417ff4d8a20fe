//! `listing.json`: what a seller publishes about a committed dataset.

use super::{commitment_in, keys::DatasetKey, Committed, Schema};
use crate::merkle::Arity;
use crate::{field::serde_hex, Error, Fr, Result};
use serde::{Deserialize, Serialize};

/// Listing format version: 2 commits a quaternary tree. Version 1 listings (a binary tree) are
/// still read and checked, and their deliveries verify; previews are proved for version 2 only.
pub const LISTING_VERSION: u32 = 2;
/// The version of a listing that also names its encrypted delivery (`ciphertext_root`); the
/// rest is version 2's.
pub const ENCRYPTED_LISTING_VERSION: u32 = 3;

/// The public description of a committed dataset (versioned JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listing {
    /// Format version, [`LISTING_VERSION`].
    pub veil: u32,
    /// Always `"listing"`.
    pub kind: String,
    /// The seller's name for the dataset; its key derives from it.
    pub dataset_id: String,
    /// The dataset commitment `C`.
    #[serde(with = "serde_hex")]
    pub commitment: Fr,
    /// Merkle root over the records.
    #[serde(with = "serde_hex")]
    pub root: Fr,
    /// Number of records `n`.
    pub records: u64,
    /// Merkle tree depth.
    pub depth: u32,
    /// Schema: format and column names.
    pub schema: Schema,
    /// `H(schema)`.
    #[serde(with = "serde_hex")]
    pub schema_hash: Fr,
    /// `H(KEY_ID, key)`: fingerprint of the dataset key.
    #[serde(with = "serde_hex")]
    pub key_id: Fr,
    /// SHA-256 of the file (hex), so a buyer can check the encrypted archive's plaintext.
    pub file_sha256: String,
    /// File size in bytes.
    pub file_bytes: u64,
    /// Version 3: the root `E` of the encrypted delivery (hex SHA-256,
    /// `dataset::encrypted::file`), which a buyer downloads and checks before paying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphertext_root: Option<String>,
}

impl Listing {
    /// The listing of a committed dataset.
    pub fn new(
        dataset_id: &str,
        c: &Committed,
        key: &DatasetKey,
        sha256: [u8; 32],
        bytes: u64,
    ) -> Self {
        Listing {
            veil: LISTING_VERSION,
            kind: "listing".into(),
            dataset_id: dataset_id.into(),
            commitment: c.commitment,
            root: c.root,
            records: c.records,
            depth: c.depth,
            schema: c.schema.clone(),
            schema_hash: c.schema_hash,
            key_id: key.id(),
            file_sha256: hex::encode(sha256),
            file_bytes: bytes,
            ciphertext_root: None,
        }
    }

    /// This listing naming its encrypted delivery's root `E` (version 3).
    pub fn with_ciphertext(&self, ciphertext_root: [u8; 32]) -> Self {
        Listing {
            veil: ENCRYPTED_LISTING_VERSION,
            ciphertext_root: Some(hex::encode(ciphertext_root)),
            ..self.clone()
        }
    }

    /// Parses a listing and checks that its fields agree with its commitment.
    pub fn from_json(text: &str) -> Result<Self> {
        let l: Listing =
            crate::format::parse(text, Some("listing"), 1..=ENCRYPTED_LISTING_VERSION)?;
        l.check()?;
        Ok(l)
    }

    /// Checks the version, and that `schema_hash` and `commitment` are what the other fields give.
    pub fn check(&self) -> Result<()> {
        if !(1..=ENCRYPTED_LISTING_VERSION).contains(&self.veil) || self.kind != "listing" {
            return Err(Error::parse(
                "listing",
                format!(
                    "kind {:?} version {}, expected listing version 1 to \
                     {ENCRYPTED_LISTING_VERSION}",
                    self.kind, self.veil
                ),
            ));
        }
        let sha_hex = |field: &str, value: &str| {
            if value.len() != 64
                || !value
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(Error::parse(
                    "listing",
                    format!("field `{field}` must be 64 lowercase hex digits, got {value:?}"),
                ));
            }
            Ok(())
        };
        sha_hex("file_sha256", &self.file_sha256)?;
        match (
            &self.ciphertext_root,
            self.veil == ENCRYPTED_LISTING_VERSION,
        ) {
            (Some(e), true) => sha_hex("ciphertext_root", e)?,
            (None, false) => {}
            (Some(_), false) => {
                return Err(Error::parse(
                    "listing",
                    format!(
                        "field `ciphertext_root` belongs to version {ENCRYPTED_LISTING_VERSION}; \
                         this listing says version {}",
                        self.veil
                    ),
                ))
            }
            (None, true) => {
                return Err(Error::parse(
                    "listing",
                    format!(
                        "a version {ENCRYPTED_LISTING_VERSION} listing names its ciphertext: \
                         field `ciphertext_root` is missing"
                    ),
                ))
            }
        }
        if self.records == 0 || self.depth == 0 || self.depth > crate::merkle::MAX_DEPTH {
            return Err(Error::parse(
                "listing",
                format!(
                    "fields `records` ({}) and `depth` ({}) must be at least 1, depth at most {}",
                    self.records,
                    self.depth,
                    crate::merkle::MAX_DEPTH
                ),
            ));
        }
        if self.depth < 64 && self.records > 1u64 << self.depth {
            return Err(Error::parse(
                "listing",
                format!(
                    "field `records` ({}) does not fit a tree of depth {}",
                    self.records, self.depth
                ),
            ));
        }
        if self.schema.hash() != self.schema_hash {
            return Err(Error::Mismatch(
                "listing: schema_hash is not the hash of its schema".into(),
            ));
        }
        if commitment_in(
            self.arity(),
            self.root,
            self.records,
            self.depth,
            self.schema_hash,
        ) != self.commitment
        {
            return Err(Error::Mismatch(
                "listing: commitment is not H(root, records, depth, schema)".into(),
            ));
        }
        Ok(())
    }

    /// The arity of the committed tree: binary for version 1, quaternary since.
    pub fn arity(&self) -> Arity {
        if self.veil == 1 {
            Arity::Binary
        } else {
            super::TREE_ARITY
        }
    }

    /// Checks that `key` is this listing's dataset key.
    pub fn check_key(&self, key: &DatasetKey) -> Result<()> {
        if key.id() != self.key_id {
            return Err(Error::Mismatch(format!(
                "the key does not belong to dataset {:?} (key id differs from the listing's)",
                self.dataset_id
            )));
        }
        Ok(())
    }

    /// Pretty JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("listings serialise") + "\n"
    }
}
