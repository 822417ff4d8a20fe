//! `veil noir`: the Noir twins (compile, count gates, execute, prove and verify with UltraHonk).

use super::output::{bars, took, verdict, Accepted};
use super::{writable, CrsArg};
use anyhow::Result;
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use veil_engine::files::write_json;
use veil_engine::noir::{self, Expectation};
use veil_engine::prelude::to_hex;
use veil_engine::preview;

/// How programs are named, for every command that takes one.
const PROGRAM_NAMES: &str =
    "Programs are named as Veil names a statement at a shape everywhere (the Groth16 key id): \
preview-membership-d20-k8-m6 is the preview twin at depth 20, 8 samples, 6 columns. The base \
programs are compiled at the shared test vectors' shapes (`veil noir gates` lists every compiled \
program); other shapes are compiled from noir/shapes.json by `veil noir build --variants`. A Nargo \
package name (preview_membership) or an artifact path (*.json) works too.";

#[derive(Subcommand, Debug)]
pub enum NoirCommand {
    /// Compile every Noir program (node build.mjs in the Noir workspace) unless the artifacts
    /// are current.
    Build {
        /// Also compile the shapes listed in noir/shapes.json (add a shape there to prove at it).
        #[arg(long)]
        variants: bool,
    },
    /// Gate counts of every compiled program (bb gates; no CRS needed).
    Gates,
    /// Seller: the inputs of the preview's Noir twin (same statement as `veil preview prove`, no
    /// Groth16 keys needed); prove them with `veil noir prove`.
    PreviewInputs {
        #[command(flatten)]
        args: super::preview::PreviewArgs,
        /// Where to write the inputs (JSON).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Execute a program on JSON inputs with the ACVM: prints its public inputs and return value
    /// as JSON, or the assertion that failed.
    #[command(after_help = PROGRAM_NAMES)]
    Execute {
        /// The program (see below).
        program: String,
        /// Inputs as JSON, one entry per parameter.
        #[arg(long, value_name = "FILE")]
        inputs: PathBuf,
        /// Also write the solved witness (bb's -w file) here.
        #[arg(long, value_name = "FILE")]
        witness: Option<PathBuf>,
    },
    /// Prove a program with UltraHonk (needs Barretenberg's CRS: docs/noir.md, section 5).
    #[command(after_help = PROGRAM_NAMES)]
    Prove {
        /// The program (see below).
        program: String,
        /// Inputs as JSON.
        #[arg(long, value_name = "FILE")]
        inputs: PathBuf,
        /// Proof file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        crs: CrsArg,
    },
    /// Verify an UltraHonk proof file against the key of the program you name, derived from
    /// its artifact (needs the CRS). Say what you expect the proof to say: --preview and
    /// --listing for a preview proof, or --expect for any program.
    #[command(after_help = PROGRAM_NAMES)]
    Verify {
        /// Proof file.
        proof: PathBuf,
        /// The program it must be a proof of [default: the one the file names, which must be one
        /// of Veil's].
        #[arg(long)]
        program: Option<String>,
        /// Preview proofs: the preview file (challenge, indices, revealed cells) whose public
        /// inputs the proof must have, checked with --listing.
        #[arg(long, requires = "listing", value_name = "FILE")]
        preview: Option<PathBuf>,
        /// Preview proofs: the seller's listing.
        #[arg(long, requires = "preview", value_name = "FILE")]
        listing: Option<PathBuf>,
        /// The public inputs the proof must have: a JSON list of 0x-hex field elements.
        #[arg(long, conflicts_with = "preview", value_name = "FILE")]
        expect: Option<PathBuf>,
        #[command(flatten)]
        crs: CrsArg,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: NoirCommand) -> Result<()> {
    match cmd {
        NoirCommand::Build { variants } => {
            let t = Instant::now();
            let paths = noir::build(variants, &*bars())?;
            for p in &paths {
                println!("{}", p.display());
            }
            eprintln!("{} programs compiled and current{}", paths.len(), took(t));
        }
        NoirCommand::Gates => {
            let gates = noir::gates()?;
            println!(
                "{:<32} {:>12} {:>14} {:>12}",
                "program", "acir opcodes", "circuit size", "crs points"
            );
            for (name, g) in gates {
                println!(
                    "{name:<32} {:>12} {:>14} {:>12}",
                    g.acir_opcodes,
                    g.circuit_size,
                    g.crs_points()
                );
            }
        }
        NoirCommand::PreviewInputs { args, out, force } => {
            writable(&out, force)?;
            let (inputs, name) = preview::noir_inputs(args.request(), &bars())?;
            write_json(&out, &inputs)?;
            let note = if noir::program_path(&name).is_ok() {
                String::new()
            } else {
                " (not compiled yet: add the shape to noir/shapes.json, then `veil noir build --variants`)".into()
            };
            println!("wrote the inputs of {name} to {}{note}", out.display());
        }
        NoirCommand::Execute {
            program,
            inputs,
            witness,
        } => {
            let x = noir::execute(&program, &inputs, witness.as_deref())?;
            let public: Vec<String> = x.public_inputs.iter().map(to_hex).collect();
            let out = json!({ "program": x.program, "public_inputs": public, "return_value": x.return_value });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        NoirCommand::Prove {
            program,
            inputs,
            out,
            force,
            crs,
        } => {
            writable(&out, force)?;
            let t = Instant::now();
            let proof = noir::prove(&program, &inputs, &out, crs.crs)?;
            println!(
                "proved {} ({} public inputs) into {}{}",
                proof.key,
                proof.public_inputs.len(),
                out.display(),
                took(t)
            );
        }
        NoirCommand::Verify {
            proof,
            program,
            preview,
            listing,
            expect,
            crs,
            json,
        } => {
            let expectation = match (preview, listing, expect) {
                (Some(preview), Some(listing), _) => Expectation::Preview { preview, listing },
                (_, _, Some(e)) => Expectation::Inputs(e),
                _ => Expectation::Nothing,
            };
            let outcome = noir::verify(&proof, program, &expectation, crs.crs).map(|v| Accepted {
                summary: format!(
                    "{} proof verifies against the program's own key ({} public inputs{})",
                    v.program,
                    v.public_inputs,
                    if v.checked {
                        ", as expected"
                    } else {
                        "; NOT checked against any you expect: pass --preview/--listing or --expect"
                    }
                ),
                details: vec![],
                json: json!({
                    "program": v.program,
                    "public_inputs": v.public_inputs,
                    "public_inputs_checked": v.checked,
                }),
            });
            verdict(json, outcome.map_err(Into::into))?;
        }
    }
    Ok(())
}
