//! UltraHonk proofs of the Noir twins through Barretenberg's native `bb` (the binary the npm
//! package `@aztec/bb.js@5.0.0` ships), driven as a subprocess: the witness comes from
//! [`veil_noir::execute`], `bb prove` writes Barretenberg's own `proof`, `public_inputs` and
//! `vk` files, and [`UltraHonkProof`] carries them unchanged (hex) in a versioned envelope.
//!
//! `bb` needs the Aztec Ignition CRS (`bn254_g1.dat`, 64 bytes per point, and
//! `bn254_g2.dat`) and would download it on first use. Veil never lets it: the CRS directory is
//! configuration (`VEIL_CRS_PATH` or [`UltraHonk::with_crs`]), and proving or verifying without
//! one, or with too few points for the circuit, is refused up front with an error that says
//! what to provide (see `docs/noir.md`). Counting gates needs no CRS.
//!
//! Proofs travel in Veil's one [`ProofEnvelope`] (backend [`ULTRAHONK`], key = the program),
//! with bb's verification key and its hash beside the proof; [`UltraHonkBackend`] proves any
//! statement with a Noir twin through the [`Backend`] seam.

use super::{Backend, BackendKind};
use crate::{ProverError, Result};
use ark_ff::{BigInteger, PrimeField};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;
use veil_noir::artifact::Artifact;
use veil_noir::twins::NoirTwin;
use veil_noir::Execution;
use veil_verifier::formats::{statement_of, UltraHonkData};
use veil_verifier::params::sha256_hex;
use veil_verifier::proof::{ProofEnvelope, PROOF_VERSION, ULTRAHONK};
use veil_verifier::VerifyError;

/// The proof flavour: `noir-recursive` proofs are what `std::verify_proof_with_type` (proof
/// type 6 in bb 5.0.0) verifies inside another Noir program, e.g. settlement.
pub const VERIFIER_TARGET: &str = "noir-recursive";
/// Bytes per G1 point in an uncompressed CRS file.
pub const G1_POINT_BYTES: u64 = 64;

/// Gate counts of one program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateCount {
    /// ACIR opcodes.
    pub acir_opcodes: u64,
    /// UltraHonk rows (before padding to a power of two).
    pub circuit_size: u64,
}

impl GateCount {
    /// CRS points a proof needs: the circuit padded to a power of two.
    pub fn crs_points(&self) -> u64 {
        self.circuit_size.next_power_of_two()
    }
}

/// What `bb verify` decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The proof verifies.
    Accepted,
    /// It does not; `stage` is where bb's verifier stopped (`"reduction step"` for a proof or
    /// public input that does not match, `"pairing check"` for a proof whose only fault is the
    /// final pairing, e.g. one made with an insecure development CRS).
    Rejected {
        /// bb's words for the failing step.
        stage: String,
    },
}

impl Verdict {
    /// Whether the proof verified.
    pub fn accepted(&self) -> bool {
        *self == Verdict::Accepted
    }
}

/// A handle on `bb`, with an optional CRS directory.
#[derive(Clone, Debug)]
pub struct UltraHonk {
    bb: PathBuf,
    version: String,
    crs: Option<PathBuf>,
}

fn bb_error(what: &str, out: &std::process::Output) -> ProverError {
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    let tail: Vec<&str> = text.lines().rev().take(6).collect();
    ProverError::Barretenberg(format!(
        "{what} failed ({}):\n{}",
        out.status,
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    ))
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> ProverError {
    move |error| ProverError::Io { context, error }
}

impl UltraHonk {
    /// `bb` from `VEIL_BB` or `noir/node_modules`, CRS from `VEIL_CRS_PATH` (if set).
    pub fn from_env() -> Result<Self> {
        let h = UltraHonk::new(veil_noir::toolchain::bb_path())?;
        Ok(match std::env::var_os("VEIL_CRS_PATH") {
            Some(p) => h.with_crs(PathBuf::from(p)),
            None => h,
        })
    }

    /// A handle on the `bb` binary at `path`.
    pub fn new(path: PathBuf) -> Result<Self> {
        if !path.is_file() {
            return Err(ProverError::Barretenberg(format!(
                "no bb binary at {}: run `npm install` in noir/ (it ships in @aztec/bb.js) or set VEIL_BB",
                path.display()
            )));
        }
        let out = Command::new(&path)
            .arg("--version")
            .output()
            .map_err(io(format!("running {}", path.display())))?;
        if !out.status.success() {
            return Err(bb_error("bb --version", &out));
        }
        Ok(UltraHonk {
            version: String::from_utf8_lossy(&out.stdout).trim().to_string(),
            bb: path,
            crs: None,
        })
    }

    /// Uses the CRS in `dir`.
    pub fn with_crs(mut self, dir: PathBuf) -> Self {
        self.crs = Some(dir);
        self
    }

    /// `bb --version`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// `bb gates`: the program's size (no CRS needed).
    pub fn gates(&self, artifact: &Path) -> Result<GateCount> {
        let out = Command::new(&self.bb)
            .args(["gates", "-t", VERIFIER_TARGET, "-b"])
            .arg(artifact)
            .output()
            .map_err(io(format!("running {}", self.bb.display())))?;
        if !out.status.success() {
            return Err(bb_error("bb gates", &out));
        }
        #[derive(Deserialize)]
        struct Report {
            functions: Vec<GateCount>,
        }
        let report: Report = serde_json::from_slice(&out.stdout).map_err(|e| {
            ProverError::Barretenberg(format!("bb gates printed something unexpected: {e}"))
        })?;
        report
            .functions
            .first()
            .copied()
            .ok_or_else(|| ProverError::Barretenberg("bb gates reported no functions".into()))
    }

    /// The CRS directory, checked to hold enough points for `gates` (bb would otherwise try to
    /// download the rest, which fails offline after long retries).
    pub fn crs_for(&self, gates: GateCount) -> Result<&Path> {
        let dir = self.crs.as_deref().ok_or_else(|| {
            ProverError::Crs(
                "UltraHonk needs the Aztec Ignition CRS and none is configured: set VEIL_CRS_PATH \
                 (or --crs) to a directory with bn254_g1.dat and bn254_g2.dat; docs/noir.md says \
                 how to get them"
                    .into(),
            )
        })?;
        let g2 = dir.join("bn254_g2.dat");
        if !g2.is_file() {
            return Err(ProverError::Crs(format!(
                "no CRS at {}: {} is missing (docs/noir.md says how to get the Ignition files)",
                dir.display(),
                g2.display()
            )));
        }
        let g1 = dir.join("bn254_g1.dat");
        let points = std::fs::metadata(&g1)
            .map(|m| m.len() / G1_POINT_BYTES)
            .map_err(|_| {
                ProverError::Crs(format!(
                    "no CRS at {}: {} is missing (docs/noir.md says how to get the Ignition files)",
                    dir.display(),
                    g1.display()
                ))
            })?;
        if points < gates.crs_points() {
            return Err(ProverError::Crs(format!(
                "{} holds {points} points; this circuit needs {}",
                g1.display(),
                gates.crs_points()
            )));
        }
        check_crs_files(&g1, &g2)?;
        Ok(dir)
    }

    /// Proves `artifact` on `inputs` (JSON, as [`veil_noir::abi::encode`] reads them).
    pub fn prove(&self, artifact_path: &Path, inputs: &serde_json::Value) -> Result<ProofEnvelope> {
        let artifact = Artifact::load(artifact_path)?;
        let execution = veil_noir::execute(&artifact, inputs)?;
        let gates = self.gates(artifact_path)?;
        self.prove_execution(artifact_path, &artifact.name, &execution, gates)
    }

    /// Proves a solved execution of the program at `artifact_path` (whose size is `gates`).
    pub fn prove_execution(
        &self,
        artifact_path: &Path,
        program: &str,
        execution: &Execution,
        gates: GateCount,
    ) -> Result<ProofEnvelope> {
        let crs = self.crs_for(gates)?;
        let dir = tempfile::tempdir().map_err(io("making a temporary directory".into()))?;
        let witness = dir.path().join("witness.gz");
        std::fs::write(&witness, execution.witness_bytes()?)
            .map_err(io(format!("writing {}", witness.display())))?;
        self.run(
            "bb prove",
            Command::new(&self.bb)
                .args(["prove", "--write_vk", "-t", VERIFIER_TARGET, "-b"])
                .arg(artifact_path)
                .arg("-w")
                .arg(&witness)
                .arg("-o")
                .arg(dir.path())
                .arg("-c")
                .arg(crs),
        )?;
        let read = |name: &str| {
            let p = dir.path().join(name);
            std::fs::read(&p).map_err(io(format!("reading bb's {}", p.display())))
        };
        let public = read("public_inputs")?;
        let expected: Vec<u8> = execution
            .public_inputs
            .iter()
            .flat_map(|x| veil_noir::from_acir(*x).into_bigint().to_bytes_be())
            .collect();
        if public != expected {
            return Err(ProverError::Barretenberg(
                "bb's public inputs differ from the ACVM's execution".into(),
            ));
        }
        let vk = read("vk")?;
        Ok(ProofEnvelope {
            veil: PROOF_VERSION,
            statement: statement_of(program),
            backend: ULTRAHONK.into(),
            key: program.to_string(),
            vk_sha256: Some(sha256_hex(&vk)),
            shape: serde_json::Value::Null,
            public_inputs: execution
                .public_inputs
                .iter()
                .map(|x| veil_noir::from_acir(*x))
                .collect(),
            proof: hex::encode(read("proof")?),
            ultrahonk: Some(UltraHonkData {
                bb_version: self.version.clone(),
                verifier_target: VERIFIER_TARGET.into(),
                vk: hex::encode(&vk),
                vk_hash: hex::encode(read("vk_hash")?),
            }),
        })
    }

    /// Runs a bb command to completion; a failure carries the tail of its output.
    fn run(&self, what: &str, cmd: &mut Command) -> Result<()> {
        let out = cmd
            .output()
            .map_err(io(format!("running {}", self.bb.display())))?;
        if !out.status.success() {
            return Err(bb_error(what, &out));
        }
        Ok(())
    }

    /// The verification key of the program at `artifact_path` (`bb write_vk` for this build's
    /// verifier target; needs the CRS).
    pub fn verification_key(&self, artifact_path: &Path) -> Result<Vec<u8>> {
        let crs = self.crs_for(self.gates(artifact_path)?)?;
        self.write_vk(artifact_path, crs)
    }

    fn write_vk(&self, artifact_path: &Path, crs: &Path) -> Result<Vec<u8>> {
        let dir = tempfile::tempdir().map_err(io("making a temporary directory".into()))?;
        self.run(
            "bb write_vk",
            Command::new(&self.bb)
                .args(["write_vk", "-t", VERIFIER_TARGET, "-b"])
                .arg(artifact_path)
                .arg("-o")
                .arg(dir.path())
                .arg("-c")
                .arg(crs),
        )?;
        let p = dir.path().join("vk");
        std::fs::read(&p).map_err(io(format!("reading bb's {}", p.display())))
    }

    /// Verifies `proof` as a proof of the program at `artifact_path`, with `bb verify` and the
    /// verification key derived from that artifact (never the one the proof file carries:
    /// a proof of another circuit with its own key would otherwise verify). The file's key must
    /// be that key, and its public inputs as many as the program has.
    pub fn verify(&self, artifact_path: &Path, proof: &ProofEnvelope) -> Result<Verdict> {
        let refuse = |m: String| Err(ProverError::Verify(VerifyError::Mismatch(m)));
        let malformed = |m: String| Err(ProverError::Verify(VerifyError::Malformed(m)));
        if proof.backend != ULTRAHONK {
            return malformed(format!(
                "the proof is a {} proof, not an UltraHonk one",
                proof.backend
            ));
        }
        let Some(data) = &proof.ultrahonk else {
            return malformed("an UltraHonk proof without its `ultrahonk` section".into());
        };
        if data.verifier_target != VERIFIER_TARGET {
            return refuse(format!(
                "the proof is for verifier target {:?}; Veil verifies {VERIFIER_TARGET:?}",
                data.verifier_target
            ));
        }
        let artifact = Artifact::load(artifact_path)?;
        let expected = artifact.public_input_count();
        if proof.public_inputs.len() != expected {
            return refuse(format!(
                "the proof has {} public inputs; program {} has {expected}",
                proof.public_inputs.len(),
                artifact.name
            ));
        }
        let crs = self.crs_for(self.gates(artifact_path)?)?;
        let vk = self.write_vk(artifact_path, crs)?;
        if data.vk != hex::encode(&vk) {
            return refuse(format!(
                "the proof file's verification key is not program {}'s (derived from {})",
                artifact.name,
                artifact_path.display()
            ));
        }
        let unhex = |what: &str, s: &str| {
            hex::decode(s).map_err(|e| ProverError::Barretenberg(format!("{what} is not hex: {e}")))
        };
        let public: Vec<u8> = proof
            .public_inputs
            .iter()
            .flat_map(|x| x.into_bigint().to_bytes_be())
            .collect();
        let dir = tempfile::tempdir().map_err(io("making a temporary directory".into()))?;
        for (name, bytes) in [
            ("proof", unhex("proof", &proof.proof)?),
            ("vk", vk),
            ("public_inputs", public),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).map_err(io(format!("writing {}", p.display())))?;
        }
        let out = Command::new(&self.bb)
            .args(["verify", "-t", VERIFIER_TARGET, "-p"])
            .arg(dir.path().join("proof"))
            .arg("-k")
            .arg(dir.path().join("vk"))
            .arg("-i")
            .arg(dir.path().join("public_inputs"))
            .arg("-c")
            .arg(crs)
            .output()
            .map_err(io(format!("running {}", self.bb.display())))?;
        if out.status.success() {
            return Ok(Verdict::Accepted);
        }
        let text = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        let stage = text
            .lines()
            .find_map(|l| l.split("verification failed at ").nth(1))
            .map(|s| s.split(" (mem").next().unwrap_or(s).trim().to_string());
        match stage {
            Some(stage) => Ok(Verdict::Rejected { stage }),
            None => Err(bb_error("bb verify", &out)),
        }
    }
}

/// UltraHonk as a [`Backend`]: a statement is proved by its Noir twin (the program of its
/// shape, compiled), the witness solved by the ACVM, the proof made and checked by `bb`.
pub struct UltraHonkBackend {
    bb: UltraHonk,
}

impl UltraHonkBackend {
    /// The backend over a `bb` handle (with its CRS).
    pub fn new(bb: UltraHonk) -> Self {
        UltraHonkBackend { bb }
    }
}

impl<S: NoirTwin> Backend<S> for UltraHonkBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::UltraHonk
    }

    fn key_id(&self, shape: &S::Shape) -> String {
        S::program(shape)
    }

    fn prove(
        &self,
        shape: &S::Shape,
        public: S::Public,
        witness: S::Witness,
    ) -> Result<ProofEnvelope> {
        S::validate(shape)?;
        S::check(shape, &public, &witness)?;
        let path = veil_noir::toolchain::program_path(&S::program(shape))?;
        let env = self.bb.prove(&path, &S::inputs(&public, &witness))?;
        if env.public_inputs != S::public_inputs(&public) {
            return Err(ProverError::Proving(format!(
                "the Noir twin's public inputs differ from the {} statement's",
                S::NAME
            )));
        }
        Ok(env)
    }

    fn verify(&self, shape: &S::Shape, public: &S::Public, proof: &ProofEnvelope) -> Result<()> {
        let program = S::program(shape);
        proof.check_claims(S::NAME, &program, &serde_json::Value::Null)?;
        if proof.public_inputs != S::public_inputs(public) {
            return Err(VerifyError::Mismatch(
                "the proof's public inputs are not the statement's".into(),
            )
            .into());
        }
        let path = veil_noir::toolchain::program_path(&program)?;
        match self.bb.verify(&path, proof)? {
            Verdict::Accepted => Ok(()),
            Verdict::Rejected { stage } => {
                Err(VerifyError::Rejected(format!("bb stopped at the {stage}")).into())
            }
        }
    }
}

/// Refuses CRS files that cannot be the Ignition transcript's in Barretenberg's layout, by
/// name: a `bn254_g1.dat` whose length is not whole 64-byte points (truncated) or whose first
/// point is not the generator `(1, 2)` (`τ^0·G1`; another file or another layout), and a
/// `bn254_g2.dat` that is not exactly one point of G2 (`τ·G2`, 128 bytes, on the twist and in
/// its subgroup).
fn check_crs_files(g1: &Path, g2: &Path) -> Result<()> {
    use ark_bn254::{Fq, Fq2, G2Affine};
    use ark_ec::AffineRepr;
    use ark_ff::PrimeField;
    use std::io::Read;
    let bad = |path: &Path, why: String| {
        ProverError::Crs(format!(
            "{} is not the Ignition CRS in Barretenberg's layout: {why} (docs/noir.md says how to \
             get the files)",
            path.display()
        ))
    };
    let len = std::fs::metadata(g1).map(|m| m.len()).unwrap_or(0);
    if !len.is_multiple_of(G1_POINT_BYTES) {
        return Err(bad(
            g1,
            format!("{len} bytes is not a whole number of 64-byte points: truncated"),
        ));
    }
    let mut first = [0u8; 64];
    std::fs::File::open(g1)
        .and_then(|mut f| f.read_exact(&mut first))
        .map_err(|e| bad(g1, format!("its first point cannot be read: {e}")))?;
    let mut generator = [0u8; 64];
    generator[31] = 1;
    generator[63] = 2;
    if first != generator {
        return Err(bad(
            g1,
            "its first point is not the generator (1, 2)".into(),
        ));
    }
    let g2_bytes = std::fs::read(g2).map_err(|e| bad(g2, e.to_string()))?;
    if g2_bytes.len() != 128 {
        return Err(bad(
            g2,
            format!("{} bytes; it holds one G2 point of 128", g2_bytes.len()),
        ));
    }
    let fq = |b: &[u8]| Fq::from_be_bytes_mod_order(b);
    // Big-endian `x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`, or `c0` first: accept the layout that is a point.
    let point = |order: [usize; 4]| {
        let c = |i: usize| fq(&g2_bytes[32 * order[i]..32 * order[i] + 32]);
        let p = G2Affine::new_unchecked(Fq2::new(c(0), c(1)), Fq2::new(c(2), c(3)));
        !p.is_zero() && p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()
    };
    if !(point([0, 1, 2, 3]) || point([1, 0, 3, 2])) {
        return Err(bad(g2, "it is not a point of G2".into()));
    }
    Ok(())
}

/// **INSECURE, for measuring proving time only.** Writes a CRS in Barretenberg's flat layout
/// (`bn254_g1.dat`: `tau^i * G1` for `i < points`, each coordinate 32 bytes big-endian;
/// `bn254_g2.dat`: `tau * G2`) from a `tau` drawn here and then dropped. Whoever runs this could
/// have kept `tau` and forge proofs; and bb 5.0.0 verifies against the real Ignition G2 point,
/// so proofs made with this file never verify. It lets a machine without the Ignition files
/// run `bb prove` and time it; it is never a default and every caller says so.
pub fn write_insecure_dev_crs(dir: &Path, points: usize) -> Result<()> {
    use ark_bn254::{Fr, G1Projective, G2Affine, G2Projective};
    use ark_ec::{CurveGroup, PrimeGroup, ScalarMul};
    use ark_ff::UniformRand;
    use ark_serialize::CanonicalSerialize;
    let tau = Fr::rand(&mut rand::thread_rng());
    let mut powers = Vec::with_capacity(points);
    let mut p = Fr::from(1u64);
    for _ in 0..points {
        powers.push(p);
        p *= tau;
    }
    let g1 = G1Projective::generator().batch_mul(&powers);
    let g2: G2Affine = (G2Projective::generator() * tau).into_affine();
    let big_endian = |a: &dyn Fn(&mut Vec<u8>)| {
        let mut b = Vec::new();
        a(&mut b);
        b.chunks_mut(32).for_each(|c| c.reverse());
        b
    };
    let mut g1_bytes = Vec::with_capacity(points * 64);
    for pt in &g1 {
        g1_bytes.extend(big_endian(&|b| {
            let _ = pt.x.serialize_uncompressed(&mut *b);
            let _ = pt.y.serialize_uncompressed(&mut *b);
        }));
    }
    let g2_bytes = big_endian(&|b| {
        let _ = g2.x.serialize_uncompressed(&mut *b);
        let _ = g2.y.serialize_uncompressed(&mut *b);
    });
    std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
    crate::keys::persist(&dir.join("bn254_g1.dat"), &g1_bytes)?;
    crate::keys::persist(&dir.join("bn254_g2.dat"), &g2_bytes)?;
    Ok(())
}
