//! `veil export snarkjs`: a proof and its key in snarkjs' JSON.

use super::{default_params, read_text, write_output};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use veil_verifier::preview::PreviewFile;
use veil_verifier::snarkjs;

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Write verification_key.json, proof.json and public.json for `snarkjs groth16 verify`.
    Snarkjs {
        /// A preview file (its proof is exported).
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
    let file = PreviewFile::from_json(&read_text(&proof, "proof file")?)
        .with_context(|| format!("{}", proof.display()))?;
    let env = &file.proof;
    let p = env.groth16_proof()?;
    let (vk, _) = veil_verifier::params::load_verifying_key(
        &params.unwrap_or_else(default_params),
        &env.key,
    )?;
    let pretty = |v: serde_json::Value| serde_json::to_string_pretty(&v).map(|s| s + "\n");
    write_output(
        &out.join("verification_key.json"),
        &pretty(snarkjs::verification_key(&vk))?,
    )?;
    write_output(&out.join("proof.json"), &pretty(snarkjs::proof(&p))?)?;
    write_output(
        &out.join("public.json"),
        &pretty(snarkjs::public(&env.public_inputs))?,
    )?;
    println!(
        "wrote verification_key.json, proof.json, public.json to {}",
        out.display()
    );
    Ok(())
}
