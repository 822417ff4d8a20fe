//! The halo2 backend's universal parameters in a params folder: [`PARAMS_FILE`] (halo2's
//! `ParamsKZG`, `docs/halo2.md`) and [`INFO_FILE`], which says how large they are, their
//! SHA-256 and whether they come from the insecure local setup. Keys need no files: they are
//! derived from the parameters and the circuit.

use crate::error::refuse;
use crate::files::{read_parsed, write_bytes, write_output};
use crate::Result;
use serde::{Deserialize, Serialize};
use std::path::Path;
use veil_halo2::kzg::{self, Params};

/// The parameter file in a params folder.
pub const PARAMS_FILE: &str = "kzg-bn254.params";
/// What the parameter file holds.
pub const INFO_FILE: &str = "kzg-bn254.json";
/// [`ParamsInfo`] format version.
pub const INFO_VERSION: u32 = 1;

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
    /// Made by [`kzg::insecure_setup`]: anyone can forge proofs with them.
    pub insecure_dev_setup: bool,
}

impl ParamsInfo {
    fn from_json(text: &str) -> veil_circuits::Result<Self> {
        veil_circuits::format::parse(text, Some("kzg-params"), INFO_VERSION..=INFO_VERSION)
    }
}

/// Loads the parameters of `dir`, checked against their description.
pub fn load(dir: &Path) -> Result<(Params, ParamsInfo)> {
    let info_path = dir.join(INFO_FILE);
    if !info_path.exists() {
        refuse!(
            "no halo2 parameters in {}: run `veil setup --backend halo2` (insecure, development) or \
             convert a ceremony's output (docs/halo2.md)",
            dir.display()
        );
    }
    let info = read_parsed(
        &info_path,
        "halo2 parameter description",
        ParamsInfo::from_json,
    )?;
    let path = dir.join(PARAMS_FILE);
    let bytes = std::fs::read(&path).map_err(|error| crate::EngineError::Io {
        context: format!("cannot read halo2 parameters {}", path.display()),
        error,
    })?;
    let digest = veil_verifier::params::sha256_hex(&bytes);
    if digest != info.sha256 {
        refuse!(
            "{} has SHA-256 {digest}, but {INFO_FILE} says {}: the file was changed or replaced",
            path.display(),
            info.sha256
        );
    }
    let params = kzg::read_params(&path)?;
    if veil_halo2::halo2_proofs::poly::commitment::Params::k(&params) != info.k {
        refuse!(
            "{} holds other parameters than {INFO_FILE} describes",
            path.display()
        );
    }
    Ok((params, info))
}

/// Makes **insecure** parameters for `2^k` rows in `dir` (development only), unless parameters
/// at least that large are there already; `force` replaces them.
pub fn setup_insecure(dir: &Path, k: u32, force: bool) -> Result<ParamsInfo> {
    if !force {
        if let Ok((_, info)) = load(dir) {
            if info.k >= k {
                return Ok(info);
            }
            if !info.insecure_dev_setup {
                refuse!(
                    "{} holds ceremony parameters for 2^{} rows and this circuit needs 2^{k}: \
                     convert a larger file; --force replaces them with insecure ones",
                    dir.display(),
                    info.k
                );
            }
        }
    }
    let params = kzg::insecure_setup(k);
    let mut bytes = Vec::new();
    params
        .write_custom(&mut bytes, veil_halo2::halo2_proofs::SerdeFormat::Processed)
        .map_err(|e| veil_halo2::Error::Params(format!("cannot encode parameters: {e}")))?;
    let info = ParamsInfo {
        veil: INFO_VERSION,
        kind: "kzg-params".into(),
        k,
        sha256: veil_verifier::params::sha256_hex(&bytes),
        insecure_dev_setup: true,
    };
    write_bytes(&dir.join(PARAMS_FILE), &bytes)?;
    write_output(
        &dir.join(INFO_FILE),
        &(serde_json::to_string_pretty(&info).expect("descriptions serialise") + "\n"),
    )?;
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked_against_their_description() {
        let dir = tempfile::tempdir().expect("temp dir");
        let e = load(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("no halo2 parameters") && e.contains("veil setup --backend halo2"),
            "{e}"
        );
        let info = setup_insecure(dir.path(), 9, false).expect("setup");
        assert!(info.insecure_dev_setup && info.k == 9);
        assert_eq!(load(dir.path()).expect("loads").1, info);
        // Large enough: kept; too small: remade (insecure ones only).
        assert_eq!(setup_insecure(dir.path(), 8, false).expect("kept"), info);
        assert_eq!(setup_insecure(dir.path(), 10, false).expect("remade").k, 10);
        // A changed file is refused by name.
        let path = dir.path().join(PARAMS_FILE);
        let mut bytes = std::fs::read(&path).expect("read");
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, bytes).expect("write");
        let e = load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("was changed or replaced"), "{e}");
        // Ceremony parameters too small are not silently replaced.
        setup_insecure(dir.path(), 9, true).expect("forced");
        let mut info = load(dir.path()).expect("loads").1;
        info.insecure_dev_setup = false;
        write_output(
            &dir.path().join(INFO_FILE),
            &serde_json::to_string(&info).expect("json"),
        )
        .expect("write");
        let e = setup_insecure(dir.path(), 12, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("ceremony parameters for 2^9 rows"), "{e}");
    }
}
