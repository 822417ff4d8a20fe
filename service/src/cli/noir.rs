//! `veil noir`: the Noir twins (compile, count gates, execute, prove and verify with UltraHonk).

use super::{read_text, write_output};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use veil_noir::toolchain::{self, PROGRAMS};
use veil_prover::backend::ultrahonk::{UltraHonk, UltraHonkProof, Verdict};

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

/// A program by name (base or shape variant) or by artifact path.
fn program_path(name: &str) -> Result<PathBuf> {
    if name.ends_with(".json") {
        return Ok(PathBuf::from(name));
    }
    toolchain::ensure_built()?;
    if PROGRAMS.contains(&name) {
        return Ok(toolchain::artifact_path(name));
    }
    let variant = toolchain::variant_path(name);
    if variant.is_file() {
        return Ok(variant);
    }
    bail!(
        "no Noir program {name:?}; the programs are {} (shape variants: `node build.mjs --variants` in {})",
        PROGRAMS.join(", "),
        toolchain::noir_dir().display()
    )
}

fn backend(crs: Option<PathBuf>) -> Result<UltraHonk> {
    let h = UltraHonk::from_env()?;
    Ok(match crs {
        Some(dir) => h.with_crs(dir),
        None => h,
    })
}

fn read_inputs(path: &Path) -> Result<serde_json::Value> {
    serde_json::from_str(&read_text(path, "inputs")?)
        .with_context(|| format!("{} is not JSON", path.display()))
}

pub fn run(cmd: NoirCommand) -> Result<()> {
    match cmd {
        NoirCommand::Build => {
            toolchain::ensure_built()?;
            for p in PROGRAMS {
                println!("{}", toolchain::artifact_path(p).display());
            }
        }
        NoirCommand::Gates => {
            toolchain::ensure_built()?;
            let bb = UltraHonk::from_env()?;
            println!(
                "{:<32} {:>12} {:>14} {:>12}",
                "program", "acir opcodes", "circuit size", "crs points"
            );
            let compiled_variants = toolchain::variants()?
                .into_iter()
                .map(|v| (toolchain::variant_path(&v), v))
                .filter(|(path, _)| path.is_file());
            let base = PROGRAMS
                .iter()
                .map(|p| (toolchain::artifact_path(p), p.to_string()));
            for (path, name) in base.chain(compiled_variants) {
                let g = bb.gates(&path)?;
                println!(
                    "{name:<32} {:>12} {:>14} {:>12}",
                    g.acir_opcodes,
                    g.circuit_size,
                    g.crs_points()
                );
            }
        }
        NoirCommand::PreviewInputs { args, out } => {
            let (listing, key, challenge) = args.load()?;
            let req = args.request(&listing, key, challenge);
            let (bar, progress) = args.progress();
            let st = veil_prover::preview::statement(&req, Some(progress))?;
            bar.finish_and_clear();
            let inputs = veil_noir::twins::preview(&st.public, &st.witness);
            write_output(&out, &(serde_json::to_string_pretty(&inputs)? + "\n"))?;
            let s = st.shape;
            let name = if (s.depth, s.samples, s.columns) == (4, 4, 3) {
                "preview_membership".to_string()
            } else {
                format!(
                    "preview_membership-d{}_k{}_m{}",
                    s.depth, s.samples, s.columns
                )
            };
            let note = if program_path(&name).is_ok() {
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
            let artifact = veil_noir::Artifact::load(&program_path(&program)?)?;
            let program = artifact.name.clone();
            let x = veil_noir::execute(&artifact, &read_inputs(&inputs)?)?;
            if let Some(w) = witness {
                let bytes = x.witness_bytes()?;
                if let Some(dir) = w.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
                veil_prover::keys::write_atomic(&w, &bytes)?;
            }
            let public: Vec<String> = x
                .public_inputs
                .iter()
                .map(|f| veil_circuits::field::to_hex(&veil_noir::from_acir(*f)))
                .collect();
            let out = serde_json::json!({ "program": program, "public_inputs": public, "return_value": x.return_value });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        NoirCommand::Prove {
            program,
            inputs,
            out,
            crs,
        } => {
            let path = program_path(&program)?;
            let inputs = read_inputs(&inputs)?;
            let proof = backend(crs)?.prove(&path, &inputs)?;
            write_output(&out, &(serde_json::to_string_pretty(&proof)? + "\n"))?;
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
            let file: UltraHonkProof = serde_json::from_str(&read_text(&proof, "proof")?)
                .with_context(|| format!("{} is not an UltraHonk proof file", proof.display()))?;
            let program = match program {
                Some(p) if p != file.program => bail!(
                    "mismatch: {} is a proof of {:?}, not of {p:?}",
                    proof.display(),
                    file.program
                ),
                Some(p) => p,
                None if file.program.ends_with(".json") || file.program.contains('/') => bail!(
                    "{} names its program by a path ({:?}); say which program you expect with --program",
                    proof.display(),
                    file.program
                ),
                None => file.program.clone(),
            };
            let path = program_path(&program)?;
            let got = file
                .public_inputs
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    veil_circuits::field::from_hex(&format!("public input {i}"), x)
                        .map_err(anyhow::Error::from)
                })
                .collect::<Result<Vec<_>>>()?;
            let expected = match (preview, listing, expect) {
                (Some(p), Some(l), _) => {
                    let pf =
                        veil_verifier::preview::PreviewFile::from_json(&read_text(&p, "preview")?)
                            .with_context(|| format!("{}", p.display()))?;
                    let l = super::read_listing(&l)?;
                    let (_, public) = veil_verifier::preview::public_inputs(&pf, &l)?;
                    Some(public.to_field_elements())
                }
                (_, _, Some(e)) => {
                    let xs: Vec<String> = serde_json::from_str(&read_text(&e, "expected inputs")?)
                        .with_context(|| {
                            format!("{} is not a JSON list of hex strings", e.display())
                        })?;
                    Some(
                        xs.iter()
                            .enumerate()
                            .map(|(i, x)| {
                                veil_circuits::field::from_hex_strict(
                                    &format!("expected input {i}"),
                                    x,
                                )
                                .map_err(anyhow::Error::from)
                            })
                            .collect::<Result<Vec<_>>>()?,
                    )
                }
                _ => None,
            };
            if let Some(expected) = &expected {
                if expected.len() != got.len() {
                    bail!(
                        "mismatch: the proof has {} public inputs, you expect {}",
                        got.len(),
                        expected.len()
                    );
                }
                if let Some(i) = (0..got.len()).find(|&i| got[i] != expected[i]) {
                    bail!("mismatch: public input {i} of the proof is not the one you expect");
                }
            }
            match backend(crs)?.verify(&path, &file)? {
                Verdict::Accepted => println!(
                    "ok: {program} proof verifies against the program's own key ({} public inputs{})",
                    file.public_inputs.len(),
                    if expected.is_some() {
                        ", as expected"
                    } else {
                        "; NOT checked against any you expect: pass --preview/--listing or --expect"
                    }
                ),
                Verdict::Rejected { stage } => bail!(
                    "{}: the {program} proof does not verify (bb stopped at the {stage})",
                    proof.display(),
                ),
            }
        }
    }
    Ok(())
}
