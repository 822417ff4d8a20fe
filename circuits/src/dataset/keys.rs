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

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
enum KeyFile {
    SellerSecret {
        veil: u32,
        secret: String,
    },
    DatasetKey {
        veil: u32,
        dataset_id: String,
        key: String,
    },
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
    let f: KeyFile = serde_json::from_str(text).map_err(|e| Error::parse("key file", e))?;
    match f {
        KeyFile::SellerSecret { veil, secret } => {
            check_version(veil)?;
            Ok(
                SellerSecret(field::from_hex_strict("seller secret", &secret)?)
                    .dataset_key(dataset_id),
            )
        }
        KeyFile::DatasetKey {
            veil,
            dataset_id: id,
            key,
        } => {
            check_version(veil)?;
            if id != dataset_id {
                return Err(Error::Mismatch(format!(
                    "the key file is for dataset {id:?}, not {dataset_id:?}"
                )));
            }
            Ok(DatasetKey(field::from_hex_strict("dataset key", &key)?))
        }
    }
}

fn check_version(v: u32) -> Result<()> {
    if v != KEY_FILE_VERSION {
        return Err(Error::parse(
            "key file",
            format!("version {v}, this build reads {KEY_FILE_VERSION}"),
        ));
    }
    Ok(())
}
