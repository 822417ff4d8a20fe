//! The Noir twins for Aztec: compile, count gates, execute, and prove and verify with
//! UltraHonk. A verifier names the program it expects; the key is derived from that program's
//! artifact, never taken from the proof file.

use crate::dataset::load_listing;
use crate::error::{refuse, At};
use crate::files::{read_text, write_bytes, write_output};
use crate::preview::load as load_preview;
use crate::progress::{stage, Progress, Unit};
use crate::Result;
use std::path::{Path, PathBuf};
use veil_circuits::statements::PublicInputs as _;
use veil_circuits::Fr;
use veil_prover::backend::ultrahonk::{GateCount, UltraHonk, Verdict};
use veil_verifier::proof::ProofEnvelope;

pub use veil_noir::toolchain::{self, noir_dir, program_path, PROGRAMS};

/// Compiles every program unless the artifacts are current, and with `variants` the shapes of
/// `noir/shapes.json` too; returns the artifacts' paths.
pub fn build(variants: bool, progress: &dyn Progress) -> Result<Vec<PathBuf>> {
    stage(
        progress,
        "compiling the Noir programs",
        0,
        Unit::Steps,
        || {
            if variants {
                toolchain::ensure_variants()
            } else {
                toolchain::ensure_built()
            }
        },
    )?;
    let mut paths: Vec<PathBuf> = PROGRAMS
        .iter()
        .map(|p| toolchain::artifact_path(p))
        .collect();
    if variants {
        paths.extend(
            toolchain::variants()?
                .iter()
                .map(|v| toolchain::variant_path(v)),
        );
    }
    Ok(paths)
}

/// `bb` with the CRS in `crs` (default: `$VEIL_CRS_PATH`).
pub fn backend(crs: Option<PathBuf>) -> Result<UltraHonk> {
    let h = UltraHonk::from_env()?;
    Ok(match crs {
        Some(dir) => h.with_crs(dir),
        None => h,
    })
}

/// Gate counts of every program and every compiled shape variant, by name.
pub fn gates() -> Result<Vec<(String, GateCount)>> {
    toolchain::ensure_built()?;
    let bb = UltraHonk::from_env()?;
    let compiled_variants = toolchain::variants()?
        .into_iter()
        .map(|v| (toolchain::variant_path(&v), v))
        .filter(|(path, _)| path.is_file());
    let base = PROGRAMS
        .iter()
        .map(|p| (toolchain::artifact_path(p), toolchain::veil_name(p)));
    base.chain(compiled_variants)
        .map(|(path, name)| Ok((name, bb.gates(&path)?)))
        .collect()
}

fn read_inputs(path: &Path) -> Result<serde_json::Value> {
    serde_json::from_str(&read_text(path, "inputs")?)
        .map_err(|e| crate::EngineError::Refused(format!("{} is not JSON: {e}", path.display())))
}

/// An executed program.
#[derive(Debug)]
pub struct Executed {
    /// Its name.
    pub program: String,
    /// Its public inputs.
    pub public_inputs: Vec<Fr>,
    /// Its return value.
    pub return_value: Option<serde_json::Value>,
}

/// Executes a program (name, variant or artifact path) on JSON inputs; writes the solved
/// witness (bb's `-w` file) to `witness` if given.
pub fn execute(program: &str, inputs: &Path, witness: Option<&Path>) -> Result<Executed> {
    let artifact = veil_noir::Artifact::load(&toolchain::program_path(program)?)?;
    let x = veil_noir::execute(&artifact, &read_inputs(inputs)?).map_err(|e| match e {
        // Inputs of another shape: say which program they do not fit, and where to look.
        veil_noir::Error::Input { .. } => crate::EngineError::Refused(format!(
            "{}: these inputs do not fit {} ({e}); `veil noir preview-inputs` names the program \
             its inputs are for, and `veil noir gates` lists the compiled programs",
            inputs.display(),
            artifact.name
        )),
        other => other.into(),
    })?;
    if let Some(w) = witness {
        write_bytes(w, &x.witness_bytes()?)?;
    }
    Ok(Executed {
        program: artifact.name.clone(),
        public_inputs: x
            .public_inputs
            .iter()
            .map(|f| veil_noir::from_acir(*f))
            .collect(),
        return_value: x.return_value.clone(),
    })
}

/// Proves a program on JSON inputs with UltraHonk and writes the proof file to `out`.
pub fn prove(
    program: &str,
    inputs: &Path,
    out: &Path,
    crs: Option<PathBuf>,
) -> Result<ProofEnvelope> {
    let path = toolchain::program_path(program)?;
    let inputs = read_inputs(inputs)?;
    let proof = backend(crs)?.prove(&path, &inputs)?;
    write_output(out, &crate::files::to_json(&proof))?;
    Ok(proof)
}

/// What a verifier expects an UltraHonk proof to say.
#[derive(Clone, Debug)]
pub enum Expectation {
    /// Nothing (the result says so).
    Nothing,
    /// The public inputs of this preview file for this listing.
    Preview {
        /// The preview file.
        preview: PathBuf,
        /// The seller's listing.
        listing: PathBuf,
    },
    /// These public inputs (a JSON list of 0x-hex field elements in the file).
    Inputs(PathBuf),
}

/// A verified UltraHonk proof.
#[derive(Debug)]
pub struct NoirVerified {
    /// The program it proves.
    pub program: String,
    /// Its public inputs.
    pub public_inputs: usize,
    /// Whether they were checked against an expectation.
    pub checked: bool,
}

/// Verifies an UltraHonk proof file as a proof of `program` (default: the program the file
/// names, which must then be one of Veil's, never a path), for what the verifier expects.
pub fn verify(
    proof: &Path,
    program: Option<String>,
    expect: &Expectation,
    crs: Option<PathBuf>,
) -> Result<NoirVerified> {
    let file = ProofEnvelope::from_json(&read_text(proof, "proof")?).at(proof)?;
    let program = match program.map(|p| toolchain::canonical_name(&p)) {
        Some(p) if p != toolchain::canonical_name(&file.key) => refuse!(
            "mismatch: {} is a proof of {:?}, not of {p:?}",
            proof.display(),
            file.key
        ),
        Some(p) => p,
        None if file.key.ends_with(".json") || file.key.contains('/') => refuse!(
            "{} names its program by a path ({:?}); say which program you expect with --program",
            proof.display(),
            file.key
        ),
        None => toolchain::canonical_name(&file.key),
    };
    let path = toolchain::program_path(&program)?;
    let got = &file.public_inputs;
    let expected = match expect {
        Expectation::Nothing => None,
        Expectation::Preview { preview, listing } => {
            let pf = load_preview(preview)?;
            let l = load_listing(listing)?;
            let (_, public) = veil_verifier::preview::public_inputs(&pf, &l)?;
            Some(public.to_field_elements())
        }
        Expectation::Inputs(e) => {
            let xs: Vec<String> =
                serde_json::from_str(&read_text(e, "expected inputs")?).map_err(|err| {
                    crate::EngineError::Refused(format!(
                        "{} is not a JSON list of hex strings: {err}",
                        e.display()
                    ))
                })?;
            Some(
                xs.iter()
                    .enumerate()
                    .map(|(i, x)| {
                        veil_circuits::field::from_hex_strict(&format!("expected input {i}"), x)
                    })
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .at(e)?,
            )
        }
    };
    if let Some(expected) = &expected {
        if expected.len() != got.len() {
            refuse!(
                "mismatch: the proof has {} public inputs, you expect {}",
                got.len(),
                expected.len()
            );
        }
        if let Some(i) = (0..got.len()).find(|&i| got[i] != expected[i]) {
            refuse!("mismatch: public input {i} of the proof is not the one you expect");
        }
    }
    match backend(crs)?.verify(&path, &file)? {
        Verdict::Accepted => Ok(NoirVerified {
            program,
            public_inputs: file.public_inputs.len(),
            checked: expected.is_some(),
        }),
        Verdict::Rejected { stage } => refuse!(
            "{}: the {program} proof does not verify (bb stopped at the {stage})",
            proof.display(),
        ),
    }
}
