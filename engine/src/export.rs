//! Export to other tools' formats: Groth16 proofs and keys as snarkjs JSON.

use crate::error::At;
use crate::files::{params_dir, read_text, to_json, write_output};
use crate::Result;
use std::path::{Path, PathBuf};
use veil_verifier::preview::PreviewFile;
use veil_verifier::proof::ProofEnvelope;
use veil_verifier::snarkjs;
use veil_verifier::totals::Report;

/// Writes `verification_key.json`, `proof.json` and `public.json` for `snarkjs groth16
/// verify` of the proof in `proof` (a preview, a proof envelope, or an audit report: each
/// batch into its own `batch-K` folder of `out`). Returns each folder with its key id.
pub fn snarkjs(
    proof: &Path,
    out: &Path,
    params: Option<PathBuf>,
) -> Result<Vec<(PathBuf, String)>> {
    let text = read_text(proof, "proof file")?;
    let kind = serde_json::from_str::<serde_json::Value>(&text)
        .map_err(|e| crate::EngineError::Refused(format!("{} is not JSON: {e}", proof.display())))?
        .get("kind")
        .and_then(|k| k.as_str().map(str::to_string));
    let params = params_dir(params);
    let envelopes: Vec<(PathBuf, ProofEnvelope)> = match kind.as_deref() {
        Some("preview") => vec![(
            out.to_path_buf(),
            PreviewFile::from_json(&text).at(proof)?.proof,
        )],
        Some("totals-report") => Report::from_json(&text)
            .at(proof)?
            .batches
            .into_iter()
            .enumerate()
            .map(|(k, env)| (out.join(format!("batch-{k}")), env))
            .collect(),
        _ => vec![(
            out.to_path_buf(),
            ProofEnvelope::from_json(&text).map_err(|e| {
                crate::EngineError::Refused(format!(
                    "{} is not a preview, a report or a proof envelope: {e}",
                    proof.display()
                ))
            })?,
        )],
    };
    let mut written = Vec::new();
    for (dir, env) in envelopes {
        let p = env.groth16_proof()?;
        let (vk, _) = veil_verifier::params::load_verifying_key(&params, &env.key)?;
        write_output(
            &dir.join("verification_key.json"),
            &to_json(&snarkjs::verification_key(&vk)),
        )?;
        write_output(&dir.join("proof.json"), &to_json(&snarkjs::proof(&p)))?;
        write_output(
            &dir.join("public.json"),
            &to_json(&snarkjs::public(&env.public_inputs)),
        )?;
        written.push((dir, env.key));
    }
    Ok(written)
}
