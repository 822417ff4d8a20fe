//! The params directory: keys per circuit shape, and `manifest.json` describing them.
//!
//! ```json
//! { "veil": 1, "keys": { "preview-membership-d20-k8-m3": {
//!     "statement": "preview-membership", "backend": "groth16-bn254", "shape": {...},
//!     "constraints": 54000, "public_inputs": 35,
//!     "proving_key":   { "file": "preview-membership-d20-k8-m3.pk", "sha256": "..", "bytes": .. },
//!     "verifying_key": { "file": "preview-membership-d20-k8-m3.vk", "sha256": "..", "bytes": .. },
//!     "created_unix": 1790000000, "insecure_dev_setup": true } } }
//! ```
//! Keys are read only when their SHA-256 matches the manifest, which is what lets the prover
//! load its large proving key uncompressed and unchecked.

use crate::{Result, VerifyError};
use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use ark_serialize::CanonicalDeserialize;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use veil_circuits::statements::Shape;

/// Manifest format version.
pub const MANIFEST_VERSION: u32 = 1;
/// The manifest's file name inside the params directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// A key file and its digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// File name, relative to the params directory.
    pub file: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// One circuit shape's keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEntry {
    /// Statement name.
    pub statement: String,
    /// Backend name.
    pub backend: String,
    /// Statement-specific shape.
    pub shape: serde_json::Value,
    /// R1CS constraints.
    pub constraints: usize,
    /// Public inputs (not counting the constant 1).
    pub public_inputs: usize,
    /// Groth16 proving key, uncompressed arkworks serialisation.
    pub proving_key: FileRef,
    /// Groth16 verifying key, compressed arkworks serialisation.
    pub verifying_key: FileRef,
    /// When the keys were made (Unix seconds).
    pub created_unix: u64,
    /// True when one party made the keys and could forge proofs: development only.
    pub insecure_dev_setup: bool,
    /// The phase-2 ceremony the keys came from, when they were imported from one
    /// (`veil setup --ceremony-import`); absent for keys `veil setup` made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceremony: Option<CeremonyRecord>,
}

/// How a key was made, as every door shows it.
pub const PROVENANCE_INSECURE: &str = "insecure-local";
/// A key imported from a phase-2 ceremony.
pub const PROVENANCE_CEREMONY: &str = "ceremony";

/// The ceremony behind an imported key: what an operator or auditor checks against the
/// ceremony's public transcript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CeremonyRecord {
    /// `snarkjs-groth16-phase2`.
    pub kind: String,
    /// SHA-256 of the final `.zkey` imported.
    pub zkey_sha256: String,
    /// The phase-1 file it was made over.
    pub ptau: PtauRecord,
    /// The circuit hash `snarkjs zkey new` computed and `zkey verify` prints (BLAKE2b-512,
    /// hex).
    pub circuit_hash: String,
    /// The contributions, first to last, as `snarkjs zkey verify` prints them.
    pub contributions: Vec<ContributionRecord>,
    /// When it was imported (Unix seconds).
    pub imported_unix: u64,
}

/// A `.ptau` file, by its digests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PtauRecord {
    /// Its file name at import.
    pub file: String,
    /// `2^power` powers.
    pub power: u32,
    /// SHA-256, hex.
    pub sha256: String,
    /// BLAKE2b-512, hex: what snarkjs's README publishes for the Hermez files.
    pub blake2b: String,
    /// The published file it is (`powersOfTau28_hez_final_NN.ptau`), when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

/// One phase-2 contribution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionRecord {
    /// Its position, from 1.
    pub index: usize,
    /// The name it gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its hash (BLAKE2b-512 of its public key, hex): the contributor's receipt.
    pub hash: String,
    /// A beacon's public random value (hex), when it is the beacon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beacon: Option<String>,
    /// A beacon's `2^n` SHA-256 iterations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beacon_iterations_exp: Option<u8>,
}

impl KeyEntry {
    /// Checks what the entry restates about its key id `key`: the statement it names, the
    /// backend that reads it, and a shape of the form files carry. (The shape's own id, the
    /// public inputs and the constraints are checked where a key is loaded: by
    /// [`load_verifying_key`] against the verifying key, by the prover against its circuit.)
    pub fn check(&self, key: &str) -> Result<()> {
        let refuse = |m: String| {
            Err(VerifyError::Keys(format!(
                "{MANIFEST_FILE}: key {key}: {m}"
            )))
        };
        if !(key == self.statement || key.starts_with(&format!("{}-", self.statement))) {
            return refuse(format!(
                "field `statement` is {:?}, but a key id starts with its statement's name",
                self.statement
            ));
        }
        if self.backend != crate::proof::GROTH16 {
            return refuse(format!(
                "field `backend` is {:?}; a manifest holds {:?} keys",
                self.backend,
                crate::proof::GROTH16
            ));
        }
        veil_circuits::format::check_shape(&self.shape)?;
        if self.ceremony.is_some() && self.insecure_dev_setup {
            return refuse(
                "it records a ceremony and `insecure_dev_setup: true`; a key is one or the \
                 other"
                    .into(),
            );
        }
        Ok(())
    }

    /// How the key was made: [`PROVENANCE_CEREMONY`] or [`PROVENANCE_INSECURE`].
    pub fn provenance(&self) -> &'static str {
        if self.ceremony.is_some() {
            PROVENANCE_CEREMONY
        } else {
            PROVENANCE_INSECURE
        }
    }

    /// Checks that the entry records `shape`, the shape its key id names.
    pub fn check_shape<Sh: Shape>(&self, shape: &Sh) -> Result<()> {
        let want = serde_json::to_value(shape).map_err(|e| VerifyError::Keys(e.to_string()))?;
        if self.shape != want {
            return Err(VerifyError::Keys(format!(
                "{MANIFEST_FILE}: key {}: field `shape` is {}, but the key id names shape {want}",
                shape.id(),
                self.shape
            )));
        }
        Ok(())
    }
}

/// `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version, [`MANIFEST_VERSION`].
    pub veil: u32,
    /// Entries by key id.
    pub keys: BTreeMap<String, KeyEntry>,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            veil: MANIFEST_VERSION,
            keys: BTreeMap::new(),
        }
    }
}

impl Manifest {
    /// Reads `dir/manifest.json`; a missing manifest is an empty one.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(MANIFEST_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Manifest::default()),
            Err(e) => {
                return Err(VerifyError::Keys(format!(
                    "reading {}: {e}",
                    path.display()
                )))
            }
        };
        Manifest::from_json(&text)
            .map_err(|e| VerifyError::Keys(format!("{}: {e}", path.display())))
    }

    /// Parses a manifest.
    pub fn from_json(text: &str) -> Result<Self> {
        let m: Manifest = veil_circuits::format::parse_untagged(
            text,
            "a key manifest",
            MANIFEST_VERSION..=MANIFEST_VERSION,
        )?;
        for (key, entry) in &m.keys {
            entry.check(key)?;
        }
        Ok(m)
    }

    /// The entry for `key`, or an error saying how to make it.
    pub fn entry(&self, dir: &Path, key: &str) -> Result<&KeyEntry> {
        self.keys.get(key).ok_or_else(|| {
            VerifyError::Keys(format!(
                "no keys for {key} in {}: a prover makes them with `veil setup` for this shape; \
                 a verifier needs the operator's manifest.json and {key}.vk (keys from a setup \
                 of your own would not match the prover's)",
                dir.display()
            ))
        })
    }
}

pub use crate::digest::sha256_hex;

/// Reads a key file and checks it against its manifest digest.
pub fn read_checked(dir: &Path, f: &FileRef) -> Result<Vec<u8>> {
    let path = dir.join(&f.file);
    let bytes = std::fs::read(&path)
        .map_err(|e| VerifyError::Keys(format!("reading {}: {e}", path.display())))?;
    if sha256_hex(&bytes) != f.sha256 {
        return Err(VerifyError::Keys(format!(
            "{} does not match its manifest digest (edited or truncated): copy the operator's params again",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Loads the verifying key of a statement at `shape` from `dir`, digest-checked, with the
/// manifest's record of it checked against `shape`.
pub fn load_shape_key<Sh: Shape>(
    dir: &Path,
    shape: &Sh,
) -> Result<(VerifyingKey<Bn254>, KeyEntry)> {
    let (vk, entry) = load_verifying_key(dir, &shape.id())?;
    entry.check_shape(shape)?;
    Ok((vk, entry))
}

/// Loads the verifying key of `key` from `dir`, digest-checked.
pub fn load_verifying_key(dir: &Path, key: &str) -> Result<(VerifyingKey<Bn254>, KeyEntry)> {
    let manifest = Manifest::load(dir)?;
    let entry = manifest.entry(dir, key)?.clone();
    let bytes = read_checked(dir, &entry.verifying_key)?;
    let vk = VerifyingKey::<Bn254>::deserialize_compressed(bytes.as_slice())
        .map_err(|e| VerifyError::Keys(format!("{}: {e}", entry.verifying_key.file)))?;
    if vk.gamma_abc_g1.len() != entry.public_inputs + 1 {
        return Err(VerifyError::Keys(format!(
            "{MANIFEST_FILE}: key {key}: field `public_inputs` is {}, but its verifying key takes {}",
            entry.public_inputs,
            vk.gamma_abc_g1.len().saturating_sub(1)
        )));
    }
    Ok((vk, entry))
}
