//! `veil noir`: the Noir twins (compile, count gates, execute, prove and verify with UltraHonk).

use super::bars;
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use veil_engine::files::write_json;
use veil_engine::noir::{self, Expectation};
use veil_engine::prelude::to_hex;
use veil_engine::preview;

#[derive(Subcommand, Debug)]
pub enum NoirCommand {
    /// Compile every Noir program (node noir/build.mjs) unless the artifacts are current.
    Build,
    /// Gate counts of every program (bb gates; no CRS needed).
    Gates,
    /// Seller: the inputs of `preview_membership` for a preview (same statement as `veil preview
    /// prove`, no Groth16 keys needed); prove them with `veil noir prove`.
    PreviewInputs {
        #[command(flatten)]
        args: super::preview::PreviewArgs,
        /// Where to write the inputs (JSON).
        #[arg(long)]
        out: PathBuf,
    },
    /// Execute a program on JSON inputs: prints its public inputs and return value.
    Execute {
        /// Program: a name (preview_membership, ..., or a shape variant such as
        /// preview_membership-d20_k8_m6) or the path of a compiled artifact.
        program: String,
        /// Inputs as JSON, one entry per parameter.
        #[arg(long)]
        inputs: PathBuf,
        /// Also write the solved witness (bb's -w file) here.
        #[arg(long)]
        witness: Option<PathBuf>,
    },
    /// Prove a program with UltraHonk (needs the Aztec Ignition CRS).
    Prove {
        /// Program: a name, a shape variant, or an artifact path (as for `execute`).
        program: String,
        /// Inputs as JSON.
        #[arg(long)]
        inputs: PathBuf,
        /// Proof file to write.
        #[arg(long)]
        out: PathBuf,
        /// CRS directory with bn254_g1.dat and bn254_g2.dat (default: $VEIL_CRS_PATH).
        #[arg(long)]
        crs: Option<PathBuf>,
    },
    /// Verify an UltraHonk proof file against the key of the program you name, derived from
    /// its artifact (needs the CRS). Pass what you expect the proof to say: --preview and
    /// --listing for a preview proof, or --expect for any program.
    Verify {
        /// Proof file.
        proof: PathBuf,
        /// The program it must be a proof of (a name or shape variant; default: the name in
        /// the file, which must then be one of Veil's programs).
        #[arg(long)]
        program: Option<String>,
        /// Preview proofs: the preview file (challenge, indices, revealed cells) whose public
        /// inputs the proof must have, checked with --listing.
        #[arg(long, requires = "listing")]
        preview: Option<PathBuf>,
        /// Preview proofs: the seller's listing.
        #[arg(long, requires = "preview")]
        listing: Option<PathBuf>,
        /// The public inputs the proof must have: a JSON list of 0x-hex field elements.
        #[arg(long, conflicts_with = "preview")]
        expect: Option<PathBuf>,
        /// CRS directory (default: $VEIL_CRS_PATH).
        #[arg(long)]
        crs: Option<PathBuf>,
    },
}

pub fn run(cmd: NoirCommand) -> Result<()> {
    match cmd {
        NoirCommand::Build => {
            for p in noir::build()? {
                println!("{}", p.display());
            }
        }
        NoirCommand::Gates => {
            println!(
                "{:<32} {:>12} {:>14} {:>12}",
                "program", "acir opcodes", "circuit size", "crs points"
            );
            for (name, g) in noir::gates()? {
                println!(
                    "{name:<32} {:>12} {:>14} {:>12}",
                    g.acir_opcodes,
                    g.circuit_size,
                    g.crs_points()
                );
            }
        }
        NoirCommand::PreviewInputs { args, out } => {
            let (inputs, name) = preview::noir_inputs(args.request(), &bars())?;
            write_json(&out, &inputs)?;
            let note = if noir::program_path(&name).is_ok() {
                ""
            } else {
                " (not compiled yet: add the shape to noir/shapes.json, then `node build.mjs --variants`)"
            };
            println!("wrote {}: inputs of {name}{note}", out.display());
        }
        NoirCommand::Execute {
            program,
            inputs,
            witness,
        } => {
            let x = noir::execute(&program, &inputs, witness.as_deref())?;
            let public: Vec<String> = x.public_inputs.iter().map(to_hex).collect();
            let out = serde_json::json!({ "program": x.program, "public_inputs": public, "return_value": x.return_value });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        NoirCommand::Prove {
            program,
            inputs,
            out,
            crs,
        } => {
            let proof = noir::prove(&program, &inputs, &out, crs)?;
            println!(
                "wrote {} ({} public inputs)",
                out.display(),
                proof.public_inputs.len()
            );
        }
        NoirCommand::Verify {
            proof,
            program,
            preview,
            listing,
            expect,
            crs,
        } => {
            let expectation = match (preview, listing, expect) {
                (Some(preview), Some(listing), _) => Expectation::Preview { preview, listing },
                (_, _, Some(e)) => Expectation::Inputs(e),
                _ => Expectation::Nothing,
            };
            let v = noir::verify(&proof, program, &expectation, crs)?;
            println!(
                "ok: {} proof verifies against the program's own key ({} public inputs{})",
                v.program,
                v.public_inputs,
                if v.checked {
                    ", as expected"
                } else {
                    "; NOT checked against any you expect: pass --preview/--listing or --expect"
                }
            );
        }
    }
    Ok(())
}
