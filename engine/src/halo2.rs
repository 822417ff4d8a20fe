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
/// [`ParamsInfo`] format version: 2 describes a parameter file with uncompressed points
/// (`veil_halo2::kzg::PARAMS_FORMAT`); version 1 (compressed) is refused by name.
pub const INFO_VERSION: u32 = 2;

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
    /// Converted from a ceremony's `.ptau` file ([`import_ptau`]): what to compare with the
    /// ceremony's published hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptau: Option<PtauSource>,
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
    fn from_json(text: &str) -> veil_circuits::Result<Self> {
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
    let params = kzg::params_from_bytes(&bytes, &path)?;
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
    write_params(dir, &kzg::insecure_setup(k), k, None)
}

/// Converts a powers-of-tau ceremony's `.ptau` file (snarkjs format: the Perpetual Powers of
/// Tau, Hermez's `powersOfTau28_hez_final_NN.ptau`) into the folder's parameters for `2^k` rows,
/// replacing what is there. The file is checked (`veil_halo2::ptau`); its hashes are kept in
/// [`INFO_FILE`] for comparison with the ceremony's.
pub fn import_ptau(dir: &Path, ptau: &Path, k: u32) -> Result<ParamsInfo> {
    let bytes = std::fs::read(ptau).map_err(|error| crate::EngineError::Io {
        context: format!("cannot read {}", ptau.display()),
        error,
    })?;
    let (params, header) = veil_halo2::ptau::params_from_ptau(&bytes, k)
        .map_err(|e| crate::EngineError::Refused(format!("{}: {e}", ptau.display())))?;
    let source = PtauSource {
        blake2b: blake2b_simd::Params::new()
            .hash_length(64)
            .hash(&bytes)
            .to_hex()
            .to_string(),
        sha256: veil_verifier::params::sha256_hex(&bytes),
        power: header.power,
        ceremony_power: header.ceremony_power,
    };
    write_params(dir, &params, k, Some(source))
}

fn write_params(
    dir: &Path,
    params: &Params,
    k: u32,
    ptau: Option<PtauSource>,
) -> Result<ParamsInfo> {
    let bytes = kzg::params_bytes(params)?;
    let info = ParamsInfo {
        veil: INFO_VERSION,
        kind: "kzg-params".into(),
        k,
        sha256: veil_verifier::params::sha256_hex(&bytes),
        insecure_dev_setup: ptau.is_none(),
        ptau,
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
