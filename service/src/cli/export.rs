//! `veil export snarkjs`: a proof and its key in snarkjs' JSON.

use super::{default_params, read_text, write_output};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use veil_verifier::preview::PreviewFile;
use veil_verifier::proof::ProofEnvelope;
use veil_verifier::snarkjs;
use veil_verifier::totals::Report;

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Write verification_key.json, proof.json and public.json for `snarkjs groth16 verify`.
    Snarkjs {
        /// A preview file, a proof envelope (a metered call or a usage tier), or an audit report
        /// (each batch into its own `batch-K` folder).
        proof: PathBuf,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Params directory (default: $VEIL_PARAMS or ./params).
        #[arg(long)]
        params: Option<PathBuf>,
    },
}

pub fn run(cmd: ExportCommand) -> Result<()> {
    let ExportCommand::Snarkjs { proof, out, params } = cmd;
    let text = read_text(&proof, "proof file")?;
    let kind = serde_json::from_str::<serde_json::Value>(&text)
        .with_context(|| format!("{} is not JSON", proof.display()))?
        .get("kind")
        .and_then(|k| k.as_str().map(str::to_string));
    let params = params.unwrap_or_else(default_params);
    let envelopes: Vec<(PathBuf, ProofEnvelope)> = match kind.as_deref() {
        Some("preview") => vec![(
            out.clone(),
            PreviewFile::from_json(&text)
                .with_context(|| format!("{}", proof.display()))?
                .proof,
        )],
        Some("totals-report") => Report::from_json(&text)
            .with_context(|| format!("{}", proof.display()))?
            .batches
            .into_iter()
            .enumerate()
            .map(|(k, env)| (out.join(format!("batch-{k}")), env))
            .collect(),
        _ => vec![(
            out.clone(),
            serde_json::from_str::<ProofEnvelope>(&text).with_context(|| {
                format!(
                    "{} is not a preview, a report or a proof envelope",
                    proof.display()
                )
            })?,
        )],
    };
    let pretty = |v: serde_json::Value| serde_json::to_string_pretty(&v).map(|s| s + "\n");
    for (dir, env) in &envelopes {
        let p = env.groth16_proof()?;
        let (vk, _) = veil_verifier::params::load_verifying_key(&params, &env.key)?;
        write_output(
            &dir.join("verification_key.json"),
            &pretty(snarkjs::verification_key(&vk))?,
        )?;
        write_output(&dir.join("proof.json"), &pretty(snarkjs::proof(&p))?)?;
        write_output(
            &dir.join("public.json"),
            &pretty(snarkjs::public(&env.public_inputs))?,
        )?;
        println!(
            "wrote verification_key.json, proof.json, public.json ({}) to {}",
            env.key,
            dir.display()
        );
    }
    Ok(())
}
