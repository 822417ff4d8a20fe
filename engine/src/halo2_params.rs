//! The halo2 backend's universal parameters in a params folder: [`PARAMS_FILE`] (halo2's
//! `ParamsKZG`, `docs/halo2.md`) and [`INFO_FILE`], which says how large they are, their
//! SHA-256, whether they come from the insecure local setup and the three points a verifier
//! needs. Keys need no ceremony: they are derived from the parameters and the circuit; each
//! shape's verifying key is written to `halo2/<key id>.l2.vk` ([`vk_file`]) for verifiers, who
//! need neither the parameter file nor a proving key ([`verifying_key`]); keys of the first
//! circuit layout (`<key id>.vk`) stay, for the proofs made under it ([`verifying_key_named`]).

use crate::error::refuse;
use crate::files::{read_parsed, write_bytes, write_output};
use crate::Result;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use veil_halo2::kzg::{self, Params, VerifierPoints};
pub use veil_halo2::ptau::{hermez_name, published_power, HERMEZ_FILES};
use veil_halo2::statements::Halo2Statement;
use veil_halo2::Version;
pub use veil_verifier::halo2::{
    vk_file, vk_file_at, Halo2Key, ParamsInfo, PtauSource, INFO_FILE, INFO_VERSION, PARAMS_FILE,
};

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
    let mut info = read_parsed(
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
    let points = hex::encode(VerifierPoints::of(&params).to_bytes());
    if info.verifier_points.as_deref() != Some(points.as_str()) {
        // Written by a build before verifier points (or edited): what verifiers read is
        // restored from the parameters themselves.
        info.verifier_points = Some(points);
        write_output(&info_path, &info.to_json())?;
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
    let blake2b = ptau_blake2b(&bytes);
    check_published(ptau, &blake2b)?;
    let source = PtauSource {
        blake2b,
        sha256: veil_verifier::params::sha256_hex(&bytes),
        power: header.power,
        ceremony_power: header.ceremony_power,
    };
    write_params(dir, &params, k, Some(source))
}

/// A `.ptau` file's Blake2b-512, hex: how snarkjs's README names the published files.
pub(crate) fn ptau_blake2b(bytes: &[u8]) -> String {
    blake2b_simd::Params::new()
        .hash_length(64)
        .hash(bytes)
        .to_hex()
        .to_string()
}

/// A file named like a published Hermez file (`powersOfTau28_hez_final_NN.ptau`) must be that
/// file: its Blake2b-512 the one snarkjs publishes for `NN` (`veil_halo2::ptau::HERMEZ_FILES`).
pub(crate) fn check_published(ptau: &Path, blake2b: &str) -> Result<()> {
    use veil_halo2::ptau::hermez_power_of_name;
    let name = ptau
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let Some(claimed) = hermez_power_of_name(name) else {
        return Ok(());
    };
    if published_power(blake2b) == Some(claimed) {
        return Ok(());
    }
    let published = HERMEZ_FILES.iter().find(|(p, _)| *p == claimed);
    match published {
        Some((_, want)) => refuse!(
            "{} is not the published {}: its Blake2b-512 is {blake2b}, snarkjs publishes {want} \
             (truncated, edited or another file renamed)",
            ptau.display(),
            hermez_name(claimed)
        ),
        None => refuse!(
            "{} is named like a Hermez file, but no powersOfTau28_hez_final file of power {claimed} \
             is published (08 to 27 are)",
            ptau.display()
        ),
    }
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
        verifier_points: Some(hex::encode(VerifierPoints::of(params).to_bytes())),
    };
    // Keys derived from the parameters being replaced would not verify their proofs.
    let keys = dir.join(veil_verifier::halo2::VK_DIR);
    match std::fs::remove_dir_all(&keys) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            return Err(crate::EngineError::Io {
                context: format!("cannot remove the old verifying keys {}", keys.display()),
                error,
            })
        }
        _ => forget_keys(dir),
    }
    write_bytes(&dir.join(PARAMS_FILE), &bytes)?;
    write_output(&dir.join(INFO_FILE), &info.to_json())?;
    Ok(info)
}

/// Writes the verifying key of `key_id` where verifiers read it ([`vk_file`]).
pub fn write_vk(dir: &Path, key_id: &str, vk: &kzg::VerifyingKeyBn) -> Result<PathBuf> {
    let path = vk_file(dir, key_id);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|error| crate::EngineError::Io {
            context: format!("cannot create {}", parent.display()),
            error,
        })?;
    }
    write_bytes(&path, &kzg::vk_bytes(vk))?;
    Ok(path)
}

type KeptKeys = Mutex<HashMap<(PathBuf, String), (Arc<Halo2Key>, bool)>>;
static KEYS: OnceLock<KeptKeys> = OnceLock::new();

/// The verifying key of `shape` in params folder `dir` and whether the parameters are
/// insecure: read from its file ([`vk_file`]) with the folder's verifier points; when there
/// is no file but the folder holds the parameters, derived from them (the verifying key alone)
/// and written for next time. Kept per folder and key, as a gateway checks calls all day.
pub fn verifying_key<S: Halo2Statement>(
    dir: &Path,
    shape: &S::Shape,
) -> Result<(Arc<Halo2Key>, bool)> {
    let id = (dir.to_path_buf(), S::key_id(shape));
    let kept = KEYS.get_or_init(Default::default);
    if let Some(k) = kept.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return Ok(k.clone());
    }
    let loaded = if vk_file(dir, &id.1).exists() || !dir.join(PARAMS_FILE).exists() {
        let (key, info) = Halo2Key::load(dir, &id.1)?;
        (Arc::new(key), info.insecure_dev_setup)
    } else {
        let (params, info) = load(dir)?;
        S::validate(shape)?;
        let params = kzg::fit(&params, S::k(shape)?)?;
        let vk = kzg::keygen_verifying::<S>(&params, shape)?;
        write_vk(dir, &id.1, &vk)?;
        let points = VerifierPoints::of(&params);
        (
            Arc::new(Halo2Key::from_vk(vk, &points)),
            info.insecure_dev_setup,
        )
    };
    kept.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, loaded.clone());
    Ok(loaded)
}

/// The verifying key a halo2 proof of `shape` names by `digest`: the current layout's
/// ([`verifying_key`]), or, when the proof was made under an older circuit layout, that
/// layout's key: its file when the folder holds it (`vk_file_at`), else derived from the
/// folder's parameters. When none has that digest, the current key (checking the proof against
/// it then says which key the proof names).
pub fn verifying_key_named<S: Halo2Statement>(
    dir: &Path,
    shape: &S::Shape,
    digest: Option<&str>,
) -> Result<(Arc<Halo2Key>, bool)> {
    let current = verifying_key::<S>(dir, shape)?;
    let Some(digest) = digest.filter(|d| *d != current.0.digest()) else {
        return Ok(current);
    };
    for version in Version::ALL.into_iter().filter(|v| *v != Version::CURRENT) {
        if let Some(older) = older_key::<S>(dir, shape, version)? {
            if older.0.digest() == digest {
                return Ok(older);
            }
        }
    }
    Ok(current)
}

/// The key of `shape` in the older layout `version`: its file, or derived from the folder's
/// parameters (`None` when there is neither, or they are too small). Kept like the current
/// key, so that envelopes naming unknown digests do not derive it again and again.
fn older_key<S: Halo2Statement>(
    dir: &Path,
    shape: &S::Shape,
    version: Version,
) -> Result<Option<(Arc<Halo2Key>, bool)>> {
    let key_id = S::key_id(shape);
    let id = (
        dir.to_path_buf(),
        format!("{key_id}@layout{}", version.number()),
    );
    let kept = KEYS.get_or_init(Default::default);
    if let Some(k) = kept.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return Ok(Some(k.clone()));
    }
    let loaded = if vk_file_at(dir, &key_id, version).exists() {
        let (key, info) = Halo2Key::load_at(dir, &key_id, version)?;
        (Arc::new(key), info.insecure_dev_setup)
    } else if dir.join(PARAMS_FILE).exists() {
        let (params, info) = load(dir)?;
        let k = S::k_at(shape, version)?;
        if veil_halo2::halo2_proofs::poly::commitment::Params::k(&params) < k {
            return Ok(None);
        }
        let params = kzg::fit(&params, k)?;
        let vk = kzg::keygen_verifying_at::<S>(&params, shape, version)?;
        let points = VerifierPoints::of(&params);
        (
            Arc::new(Halo2Key::from_vk(vk, &points)),
            info.insecure_dev_setup,
        )
    } else {
        return Ok(None);
    };
    kept.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, loaded.clone());
    Ok(Some(loaded))
}

/// Forgets the keys kept for `dir` (its parameters were replaced).
pub fn forget_keys(dir: &Path) {
    if let Some(kept) = KEYS.get() {
        kept.lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(d, _), _| d != dir);
    }
}
