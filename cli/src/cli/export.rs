//! `veil export snarkjs`: a proof and its key in snarkjs' JSON.

use super::ParamsArg;
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use veil_engine::export;

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Write verification_key.json, proof.json and public.json for `snarkjs groth16 verify`.
    Snarkjs {
        /// A preview file, a proof envelope (a metered call or a usage tier), or an audit report
        /// (each batch into its own `batch-K` folder).
        proof: PathBuf,
        /// Output folder (its files are replaced).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        params: ParamsArg,
    },
}

pub fn run(cmd: ExportCommand) -> Result<()> {
    let ExportCommand::Snarkjs { proof, out, params } = cmd;
    for (dir, key) in export::snarkjs(&proof, &out, params.get())? {
        println!(
            "wrote verification_key.json, proof.json, public.json ({key}) to {}",
            dir.display()
        );
    }
    Ok(())
}
