//! halo2 (PLONKish, KZG over BN254) in a params folder, and, with the `halo2` feature, its
//! proofs verified without the prover's parameter file or proving keys.
//!
//! A verifier holds two small things per folder (`docs/halo2.md`):
//! * [`INFO_FILE`] (`kzg-bn254.json`, [`ParamsInfo`]): the parameters' size, hashes, whether
//!   they are insecure, and the three points of them a verifier needs (`verifier_points`:
//!   `[1]₁`, `[1]₂`, `[τ]₂`, compressed, hex);
//! * one verifying key per shape and circuit layout, `halo2/<key id>.l2.vk` (layout 2, what keys
//!   are derived at) or `halo2/<key id>.vk` (layout 1, the first circuits) (`vk_file`;
//!   `veil_halo2::kzg::vk_bytes`, whose SHA-256 is the `vk_sha256` a proof envelope names).
//!
//! The parameter file itself (`kzg-bn254.params`, `2^k` powers) is needed only to prove and to
//! derive keys.

use serde::{Deserialize, Serialize};
use std::path::Path;
#[cfg(feature = "halo2")]
use std::path::PathBuf;

/// The parameter file in a params folder (provers only).
pub const PARAMS_FILE: &str = "kzg-bn254.params";
/// What the parameter file holds.
pub const INFO_FILE: &str = "kzg-bn254.json";
/// [`ParamsInfo`] format version: 2 describes a parameter file with uncompressed points;
/// version 1 (compressed) is refused by name.
pub const INFO_VERSION: u32 = 2;
/// The folder of verifying keys inside a params folder.
pub const VK_DIR: &str = "halo2";

/// `kzg-bn254.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamsInfo {
    /// Format version, [`INFO_VERSION`].
    pub veil: u32,
    /// Always `"kzg-params"`.
    pub kind: String,
    /// `log2` of the rows the parameters serve.
    pub k: u32,
    /// SHA-256 of [`PARAMS_FILE`], hex.
    pub sha256: String,
    /// Made by the insecure local setup: anyone can forge proofs with them.
    pub insecure_dev_setup: bool,
    /// Converted from a ceremony's `.ptau` file: what to compare with the ceremony's published
    /// hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptau: Option<PtauSource>,
    /// `[1]₁`, `[1]₂` and `[τ]₂`, compressed, hex: all a verifier needs of the parameters.
    /// Written since this field was added; a prover's folder without it gets it on next load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier_points: Option<String>,
}

/// The `.ptau` file parameters were converted from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PtauSource {
    /// Its Blake2b-512, hex (the hash snarkjs and the Hermez ceremony publish).
    pub blake2b: String,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// `log2` of the powers it holds.
    pub power: u32,
    /// `log2` of its ceremony's powers.
    pub ceremony_power: u32,
}

impl ParamsInfo {
    /// Parses `kzg-bn254.json`; version 1 is refused with what to run.
    pub fn from_json(text: &str) -> veil_circuits::Result<Self> {
        let h = veil_circuits::format::header(text)?;
        if h.kind.as_deref() == Some("kzg-params") && h.version == Some(1) {
            return Err(veil_circuits::Error::parse(
                "halo2 parameter description",
                "version 1 (compressed points), which this build no longer reads: run `veil \
                 setup --backend halo2 --force`, or convert the ceremony file again (--ptau)",
            ));
        }
        veil_circuits::format::parse(text, Some("kzg-params"), INFO_VERSION..=INFO_VERSION)
    }

    /// Pretty JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("descriptions serialise") + "\n"
    }

    /// Reads `dir/kzg-bn254.json`, saying what to do when there is none.
    pub fn load(dir: &Path) -> crate::Result<Self> {
        let path = dir.join(INFO_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            crate::VerifyError::Keys(if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "no halo2 parameters in {}: a prover runs `veil setup --backend halo2`; a \
                     verifier needs the operator's {INFO_FILE} and {VK_DIR}/*.vk",
                    dir.display()
                )
            } else {
                format!("reading {}: {e}", path.display())
            })
        })?;
        ParamsInfo::from_json(&text)
            .map_err(|e| crate::VerifyError::Keys(format!("{}: {e}", path.display())))
    }
}

/// Where the verifying key of `key_id` in the current layout lives in a params folder.
#[cfg(feature = "halo2")]
pub fn vk_file(dir: &Path, key_id: &str) -> PathBuf {
    vk_file_at(dir, key_id, veil_halo2::Version::CURRENT)
}

/// Where the verifying key of `key_id` in layout `version` lives: layout 1's keys keep the
/// name every key had before layouts had numbers, `<key id>.vk`; later ones are
/// `<key id>.l<n>.vk`, so that a folder holds the keys of old proofs beside the new ones.
#[cfg(feature = "halo2")]
pub fn vk_file_at(dir: &Path, key_id: &str, version: veil_halo2::Version) -> PathBuf {
    let name = match version {
        veil_halo2::Version::V1 => format!("{key_id}.vk"),
        v => format!("{key_id}.l{}.vk", v.number()),
    };
    dir.join(VK_DIR).join(name)
}

#[cfg(feature = "halo2")]
pub use key::Halo2Key;

#[cfg(feature = "halo2")]
mod key {
    use super::{vk_file_at, ParamsInfo, INFO_FILE};
    use crate::proof::ProofEnvelope;
    use crate::{Result, VerifyError};
    use std::path::Path;
    use veil_circuits::Fr;
    use veil_halo2::kzg::{self, Params, VerifierPoints, VerifyingKeyBn};

    /// A verifying key with the verifying parameters of its size.
    #[derive(Clone, Debug)]
    pub struct Halo2Key {
        vk: VerifyingKeyBn,
        params: Params,
        digest: String,
    }

    impl Halo2Key {
        /// A key from its bytes ([`kzg::vk_bytes`]) and the parameters' verifier points.
        pub fn new(vk: &[u8], points: &VerifierPoints) -> Result<Self> {
            let vk = kzg::read_vk(vk).map_err(|e| VerifyError::Keys(e.to_string()))?;
            Ok(Self::from_vk(vk, points))
        }

        /// A key already read.
        pub fn from_vk(vk: VerifyingKeyBn, points: &VerifierPoints) -> Self {
            let params = points.params(vk.get_domain().k());
            let digest = kzg::vk_digest(&vk);
            Halo2Key { vk, params, digest }
        }

        /// The key of `key_id` in params folder `dir` in the current layout, and whether the
        /// parameters are insecure.
        pub fn load(dir: &Path, key_id: &str) -> Result<(Self, ParamsInfo)> {
            Self::load_at(dir, key_id, veil_halo2::Version::CURRENT)
        }

        /// [`Self::load`] in layout `version` (the key an older proof names).
        pub fn load_at(
            dir: &Path,
            key_id: &str,
            version: veil_halo2::Version,
        ) -> Result<(Self, ParamsInfo)> {
            let info = ParamsInfo::load(dir)?;
            let points = verifier_points(dir, &info)?;
            let path = vk_file_at(dir, key_id, version);
            let bytes = std::fs::read(&path).map_err(|e| {
                VerifyError::Keys(if e.kind() == std::io::ErrorKind::NotFound {
                    format!(
                        "no halo2 verifying key for {key_id} in {}: a prover derives it with `veil \
                         setup --backend halo2` for this shape; a verifier copies the operator's \
                         {}",
                        dir.display(),
                        path.display()
                    )
                } else {
                    format!("reading {}: {e}", path.display())
                })
            })?;
            let key = Halo2Key::new(&bytes, &points)
                .map_err(|e| VerifyError::Keys(format!("{}: {e}", path.display())))?;
            Ok((key, info))
        }

        /// The SHA-256 naming this key in an envelope.
        pub fn digest(&self) -> &str {
            &self.digest
        }

        /// The halo2 verifying key.
        pub fn vk(&self) -> &VerifyingKeyBn {
            &self.vk
        }

        /// Verifies halo2 proof bytes for `public_inputs`.
        pub fn verify(&self, public_inputs: &[Fr], proof: &[u8]) -> Result<()> {
            kzg::verify(&self.params, &self.vk, public_inputs, proof)
                .map_err(|e| VerifyError::Rejected(e.to_string()))
        }
    }

    /// The verifier points of a folder's description.
    pub fn verifier_points(dir: &Path, info: &ParamsInfo) -> Result<VerifierPoints> {
        let bad =
            |why: String| VerifyError::Keys(format!("{}: {why}", dir.join(INFO_FILE).display()));
        let hex = info.verifier_points.as_deref().ok_or_else(|| {
            bad(
                "no `verifier_points` (written by an older build): a prover's `veil setup \
                 --backend halo2` adds them"
                    .into(),
            )
        })?;
        let bytes =
            hex::decode(hex).map_err(|e| bad(format!("`verifier_points` is not hex: {e}")))?;
        VerifierPoints::from_bytes(&bytes).map_err(|e| bad(e.to_string()))
    }

    impl ProofEnvelope {
        /// Verifies a halo2 proof for `public_inputs` against `key`, after checking that it was
        /// made for this key (a proof under another key is reported as such, not as a forgery).
        pub fn verify_halo2(&self, key: &Halo2Key, public_inputs: &[Fr]) -> Result<()> {
            let bytes = self.halo2_proof(key.digest())?;
            if self.public_inputs != public_inputs {
                return Err(VerifyError::Mismatch(
                    "the proof's public inputs are not the statement's".into(),
                ));
            }
            key.verify(public_inputs, &bytes)
        }
    }
}

#[cfg(feature = "halo2")]
pub use key::verifier_points;
