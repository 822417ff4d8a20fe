//! Seller secrets and dataset keys, and their versioned JSON key files.
//!
//! A seller keeps one master secret. Each dataset's key is derived from it and the dataset's
//! id, `key = H(DATASET_KEY, master, v(id))`, so the key that travels to a buyer with a
//! delivery opens that dataset and nothing else. A listing publishes `H(KEY_ID, key)`, so a
//! wrong key is caught at once with a clear message instead of a mismatched commitment.

use super::value_hash;
use crate::{field, poseidon2, tags, Error, Fr, Result};
use ark_std::{rand::RngCore, UniformRand};
use serde::{Deserialize, Serialize};

/// Key-file format version.
pub const KEY_FILE_VERSION: u32 = 1;

/// A seller's master secret.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SellerSecret(pub Fr);

/// One dataset's key: the salts of its rows derive from it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DatasetKey(pub Fr);

impl std::fmt::Debug for SellerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SellerSecret(..)")
    }
}
impl std::fmt::Debug for DatasetKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatasetKey(id {})", field::to_hex(&self.id()))
    }
}

/// A key file: a seller's master secret (`seller.key`) or one dataset's key (what travels with
/// a delivery).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum KeyFile {
    /// `{"veil": 1, "kind": "seller-secret", "secret": "0x.."}`.
    SellerSecret {
        /// Format version, [`KEY_FILE_VERSION`].
        veil: u32,
        /// The master secret, hex.
        secret: String,
    },
    /// `{"veil": 1, "kind": "dataset-key", "dataset_id": "..", "key": "0x.."}`.
    DatasetKey {
        /// Format version, [`KEY_FILE_VERSION`].
        veil: u32,
        /// The dataset it opens.
        dataset_id: String,
        /// The key, hex.
        key: String,
    },
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyFile::SellerSecret { .. } => f.write_str("KeyFile::SellerSecret(..)"),
            KeyFile::DatasetKey { dataset_id, .. } => {
                write!(f, "KeyFile::DatasetKey({dataset_id:?}, ..)")
            }
        }
    }
}

impl KeyFile {
    /// Parses a key file (either kind), strictly; the key is checked to be a field element.
    pub fn from_json(text: &str) -> Result<Self> {
        let kind = crate::format::header(text)
            .map_err(|e| match e {
                Error::Parse { why, .. } => Error::parse("key file", why),
                other => other,
            })?
            .kind;
        // Neither kind: the header rule names the file ("this is a listing; expected a seller
        // secret").
        let kind = kind
            .as_deref()
            .filter(|k| matches!(*k, "seller-secret" | "dataset-key"))
            .unwrap_or("seller-secret");
        let f: KeyFile =
            crate::format::parse(text, Some(kind), KEY_FILE_VERSION..=KEY_FILE_VERSION)?;
        match &f {
            KeyFile::SellerSecret { secret, .. } => {
                field::from_hex_strict("seller secret", secret)?;
            }
            KeyFile::DatasetKey { key, .. } => {
                field::from_hex_strict("dataset key", key)?;
            }
        }
        Ok(f)
    }
}

impl SellerSecret {
    /// A fresh uniformly random secret.
    pub fn random<R: RngCore>(rng: &mut R) -> Self {
        SellerSecret(Fr::rand(rng))
    }

    /// The key of dataset `dataset_id`.
    pub fn dataset_key(&self, dataset_id: &str) -> DatasetKey {
        DatasetKey(poseidon2::hash(&[
            tags::fr(tags::DATASET_KEY),
            self.0,
            value_hash(dataset_id.as_bytes()),
        ]))
    }

    /// The key file's JSON text.
    pub fn to_file(&self) -> String {
        let f = KeyFile::SellerSecret {
            veil: KEY_FILE_VERSION,
            secret: field::to_hex(&self.0),
        };
        serde_json::to_string_pretty(&f).expect("key files serialise") + "\n"
    }
}

impl DatasetKey {
    /// `H(KEY_ID, key)`: the key's public fingerprint, published in the listing.
    pub fn id(&self) -> Fr {
        poseidon2::hash(&[tags::fr(tags::KEY_ID), self.0])
    }

    /// The key file's JSON text, for delivery to a buyer.
    pub fn to_file(&self, dataset_id: &str) -> String {
        let f = KeyFile::DatasetKey {
            veil: KEY_FILE_VERSION,
            dataset_id: dataset_id.to_string(),
            key: field::to_hex(&self.0),
        };
        serde_json::to_string_pretty(&f).expect("key files serialise") + "\n"
    }
}

/// Reads a key file (a seller secret, or a dataset key) and returns the key of `dataset_id`.
pub fn load_dataset_key(text: &str, dataset_id: &str) -> Result<DatasetKey> {
    match KeyFile::from_json(text)? {
        KeyFile::SellerSecret { secret, .. } => Ok(SellerSecret(field::from_hex_strict(
            "seller secret",
            &secret,
        )?)
        .dataset_key(dataset_id)),
        KeyFile::DatasetKey {
            dataset_id: id,
            key,
            ..
        } => {
            if id != dataset_id {
                return Err(Error::Mismatch(format!(
                    "the key file is for dataset {id:?}, not {dataset_id:?}"
                )));
            }
            Ok(DatasetKey(field::from_hex_strict("dataset key", &key)?))
        }
    }
}
