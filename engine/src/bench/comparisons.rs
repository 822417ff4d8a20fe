//! What a plan measures beside Veil's Groth16 prover: the halo2 backend, bb (UltraHonk),
//! snarkjs, batch verification and a period's batches folded into one halo2 proof.

use super::timing::*;
use super::{snarkjs, BenchRecord, ProverName};
use crate::progress::{check, Progress};
use crate::{EngineError, Result};
use ark_ec::{AffineRepr, CurveGroup};
use rand_chacha::ChaCha20Rng;
use std::path::Path;
use std::time::Instant;
use veil_circuits::statements::totals::{BatchPublic, BatchWitness, TotalsShape};
use veil_circuits::statements::{DisclosureTotals, Statement};
use veil_circuits::Fr;
use veil_halo2::aggregate;
use veil_halo2::kzg;
use veil_halo2::statements::Halo2Statement;
use veil_noir::twins::NoirTwin;
use veil_prover::backend::groth16::{self as g16};
use veil_prover::backend::halo2::prover_params;

/// A case under the halo2 backend: insecure universal parameters for the circuit's `2^k` rows
/// (not timed: one file serves every circuit) and its keys (timed as its setup).
pub(crate) struct Halo2Run {
    pub(crate) k: u32,
    pub(crate) params: kzg::ProverParams,
    pub(crate) pk: kzg::ProvingKeyBn,
    pub(crate) keygen_s: f64,
}

impl Halo2Run {
    pub(crate) fn new<S: Halo2Statement>(shape: &S::Shape) -> Result<Self> {
        let k = S::k(shape)?;
        let params = kzg::insecure_setup(k);
        let t = Instant::now();
        let pk = kzg::keygen::<S>(&params, shape)?;
        let keygen_s = t.elapsed().as_secs_f64();
        Ok(Halo2Run {
            k,
            params: prover_params(params)?,
            pk,
            keygen_s,
        })
    }

    pub(crate) fn record(
        &self,
        base: &BenchRecord,
        (runs, peak): (Vec<f64>, Option<u64>),
        proof: &[u8],
        inputs: &[Fr],
    ) -> Result<BenchRecord> {
        let vk = self.pk.get_vk();
        let verify_s = time_verify(|| {
            kzg::verify(self.params.kzg(), vk, inputs, proof)
                .map_err(|e| veil_verifier::VerifyError::Rejected(e.to_string()))
        })?;
        let raw = veil_halo2::halo2_proofs::SerdeFormat::RawBytes;
        Ok(BenchRecord {
            backend: veil_verifier::proof::HALO2.into(),
            prover: ProverName::Halo2.name().into(),
            constraints_or_gates: 1 << self.k,
            setup_s: Some(self.keygen_s),
            prove_s: median(&runs),
            proofs_per_s: 1.0 / median(&runs),
            prove_runs_s: runs,
            verify_s: Some(verify_s),
            proof_bytes: proof.len(),
            pk_bytes: self.pk.to_bytes(raw).len(),
            vk_bytes: vk.to_bytes(raw).len(),
            peak_mem_bytes: peak,
            prepare_s: None,
            prepared_bytes: None,
            ..base.clone()
        })
    }
}

/// Folds `n` batches of a totals shape into one halo2 proof: the fold's key generation, proof
/// and one check (mode `aggregate`), beside verifying the `n` batch proofs one by one (mode
/// `verify-chain`).
pub(crate) fn measure_aggregate(
    shape: &TotalsShape,
    batches: Vec<(BatchPublic, BatchWitness)>,
    progress: &dyn Progress,
) -> Result<Vec<BenchRecord>> {
    let n = batches.len();
    let kb = DisclosureTotals::k(shape)?;
    let params = kzg::insecure_setup(kb.max(aggregate::K));
    let (bp, ap) = (kzg::fit(&params, kb)?, kzg::fit(&params, aggregate::K)?);
    let pk = kzg::keygen::<DisclosureTotals>(&bp, shape)?;
    let bp_prover = prover_params(bp.clone())?;
    let mut snarks = Vec::with_capacity(n);
    for (public, witness) in batches {
        check(progress)?;
        snarks.push(aggregate::batch_snark(
            &bp_prover, &pk, shape, public, witness,
        )?);
    }
    let chain_bytes = snarks.iter().map(|s| s.proof.len()).sum();
    let t = Instant::now();
    let mut chain = Vec::with_capacity(3);
    for _ in 0..3 {
        for s in &snarks {
            aggregate::verify_batch(&bp, pk.get_vk(), s)?;
        }
        chain.push(t.elapsed().as_secs_f64() - chain.iter().sum::<f64>());
    }
    check(progress)?;
    reset_peak_memory();
    let t = Instant::now();
    let key = aggregate::keygen(&ap, &bp, pk.get_vk(), shape, n)?;
    let keygen_s = t.elapsed().as_secs_f64();
    check(progress)?;
    // The bases converted for Veil's MSM once, outside the fold's time (a prover keeps them).
    let ap = prover_params(ap)?;
    let t = Instant::now();
    let folded = aggregate::aggregate(&ap, &key, snarks)?;
    let prove_s = t.elapsed().as_secs_f64();
    let peak = peak_memory();
    let verify_s = time_verify(|| {
        aggregate::verify(ap.kzg(), key.vk(), &folded)
            .map_err(|e| veil_verifier::VerifyError::Rejected(e.to_string()))
    })?;
    let raw = veil_halo2::halo2_proofs::SerdeFormat::RawBytes;
    let fold = BenchRecord {
        statement: DisclosureTotals::NAME.into(),
        backend: veil_verifier::proof::HALO2.into(),
        prover: ProverName::Halo2.name().into(),
        mode: "aggregate".into(),
        shape: format!("{}-n{n}", DisclosureTotals::key_id(shape)),
        constraints_or_gates: 1 << aggregate::K,
        threads: rayon::current_num_threads(),
        setup_s: Some(keygen_s),
        prove_s,
        prove_runs_s: vec![prove_s],
        proofs_per_s: 1.0 / prove_s,
        verify_s: Some(verify_s),
        proof_bytes: folded.proof.len(),
        pk_bytes: key.pk.to_bytes(raw).len(),
        vk_bytes: key.vk().to_bytes(raw).len(),
        peak_mem_bytes: peak,
        runs: 1,
        prepare_s: None,
        prepared_bytes: None,
    };
    let chain_s = median(&chain);
    Ok(vec![
        BenchRecord {
            mode: "verify-chain".into(),
            setup_s: None,
            prove_s: 0.0,
            prove_runs_s: Vec::new(),
            proofs_per_s: n as f64 / chain_s,
            verify_s: Some(chain_s),
            proof_bytes: chain_bytes,
            pk_bytes: 0,
            vk_bytes: 0,
            peak_mem_bytes: None,
            runs: n,
            ..fold.clone()
        },
        fold,
    ])
}

/// Where `bb` is looked for (`$VEIL_BB`, else `noir/node_modules`): [`BenchPlan::bb`] needs it.
pub fn bb_path() -> std::path::PathBuf {
    veil_noir::toolchain::bb_path()
}

/// `S`'s Noir twin ready for bb: its compiled program, gate count and an **insecure**
/// development CRS made for the case (proving time does not depend on the CRS's points; such
/// proofs never verify, so no verification time). Each proof is the ACVM's witness and a `bb
/// prove` process, as Veil's UltraHonk backend runs it.
pub(crate) struct BbRun {
    pub(crate) shape: String,
    pub(crate) statement: &'static str,
    pub(crate) program: String,
    pub(crate) path: std::path::PathBuf,
    pub(crate) artifact: veil_noir::Artifact,
    pub(crate) bb: veil_prover::backend::ultrahonk::UltraHonk,
    pub(crate) gates: veil_prover::backend::ultrahonk::GateCount,
    pub(crate) crs: std::path::PathBuf,
    pub(crate) inputs: serde_json::Value,
}

impl BbRun {
    pub(crate) fn new<S: NoirTwin>(
        shape: &S::Shape,
        public: &S::Public,
        witness: &S::Witness,
        scratch: &Path,
    ) -> Result<Self> {
        use veil_prover::backend::ultrahonk::{write_insecure_dev_crs, UltraHonk};
        veil_noir::toolchain::ensure_variants()?;
        let program = S::program(shape);
        let path = veil_noir::toolchain::program_path(&program)?;
        let artifact = veil_noir::Artifact::load(&path)?;
        let bb = UltraHonk::from_env()?;
        let gates = bb.gates(&path)?;
        let crs = scratch.join(format!("dev-crs-{program}"));
        let points = usize::try_from(gates.crs_points())
            .map_err(|_| EngineError::Refused("a CRS too large for this machine".into()))?;
        write_insecure_dev_crs(&crs, points)?;
        Ok(BbRun {
            shape: S::key_id(shape),
            statement: S::NAME,
            bb: bb.with_crs(crs.clone()),
            inputs: S::inputs(public, witness),
            program,
            path,
            artifact,
            gates,
            crs,
        })
    }

    pub(crate) fn prove(&self) -> Result<veil_verifier::proof::ProofEnvelope> {
        let execution = veil_noir::execute(&self.artifact, &self.inputs)?;
        Ok(self
            .bb
            .prove_execution(&self.path, &self.program, &execution, self.gates)?)
    }

    pub(crate) fn record(
        &self,
        times: Vec<f64>,
        proof: &veil_verifier::proof::ProofEnvelope,
    ) -> BenchRecord {
        let vk_bytes = proof.ultrahonk.as_ref().map_or(0, |u| u.vk.len() / 2);
        BenchRecord {
            statement: self.statement.into(),
            backend: "ultrahonk".into(),
            prover: ProverName::Bb.name().into(),
            mode: "latency".into(),
            shape: self.shape.clone(),
            constraints_or_gates: self.gates.circuit_size,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            setup_s: None,
            prove_s: median(&times),
            proofs_per_s: 1.0 / median(&times),
            runs: times.len(),
            prove_runs_s: times,
            verify_s: None,
            proof_bytes: proof.proof.len() / 2,
            pk_bytes: 0,
            vk_bytes,
            peak_mem_bytes: None,
            prepare_s: None,
            prepared_bytes: None,
        }
    }
}

impl Drop for BbRun {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.crs);
    }
}

/// Proves one case with snarkjs ([`snarkjs`]): the circuit and witness exported, checked by
/// `snarkjs wtns check`, set up by snarkjs over the run's powers of tau (`setup_s` is
/// `groth16 setup` alone), proved `runs` times (a Node process each, as a user runs it), and
/// the last proof verified by snarkjs for Veil's public inputs.
pub(crate) fn measure_snarkjs(
    matrices: &g16::ConstraintMatrices,
    full: &[Fr],
    inputs: &[Fr],
    runs: usize,
    scratch: &Path,
    progress: &dyn Progress,
) -> Result<BenchRecord> {
    let js = snarkjs::Snarkjs::find().ok_or_else(|| {
        EngineError::Refused(format!(
            "snarkjs not found at {} (`npm ci --prefix tools`)",
            snarkjs::snarkjs_path().display()
        ))
    })?;
    let dir = scratch.join(format!("snarkjs-{}", matrices.num_constraints));
    let io = |e: std::io::Error| EngineError::Refused(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    std::fs::write(dir.join("circuit.r1cs"), snarkjs::r1cs_bytes(matrices)?).map_err(io)?;
    std::fs::write(dir.join("witness.wtns"), snarkjs::wtns_bytes(full)?).map_err(io)?;
    js.run(&dir, &["wtns", "check", "circuit.r1cs", "witness.wtns"])?;
    let power = snarkjs::tau_power(matrices.num_constraints, inputs.len());
    let tau = js.tau(scratch, power)?;
    let tau = tau.to_string_lossy().into_owned();
    let t = Instant::now();
    js.run(
        &dir,
        &["groth16", "setup", "circuit.r1cs", &tau, "circuit.zkey"],
    )?;
    let setup_s = t.elapsed().as_secs_f64();
    let (times, _) = one_after_another(runs, progress, || {
        js.run(
            &dir,
            &[
                "groth16",
                "prove",
                "circuit.zkey",
                "witness.wtns",
                "proof.json",
                "public.json",
            ],
        )
    })?;
    js.run(
        &dir,
        &[
            "zkey",
            "export",
            "verificationkey",
            "circuit.zkey",
            "vk.json",
        ],
    )?;
    let said = js.run(
        &dir,
        &["groth16", "verify", "vk.json", "public.json", "proof.json"],
    )?;
    let public: Vec<String> = std::fs::read_to_string(dir.join("public.json"))
        .map_err(io)
        .and_then(|t| {
            serde_json::from_str(&t).map_err(|e| EngineError::Refused(format!("public.json: {e}")))
        })?;
    let ours: Vec<String> = inputs
        .iter()
        .map(veil_circuits::field::to_decimal)
        .collect();
    if !said.contains("OK") || public != ours {
        return Err(EngineError::Refused(format!(
            "snarkjs's proof is not of Veil's statement: {} (public {public:?})",
            said.trim()
        )));
    }
    let pk_bytes = std::fs::metadata(dir.join("circuit.zkey")).map_or(0, |m| m.len() as usize);
    let vk_bytes = std::fs::metadata(dir.join("vk.json")).map_or(0, |m| m.len() as usize);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(BenchRecord {
        statement: String::new(),
        backend: "groth16".into(),
        prover: ProverName::Snarkjs.name().into(),
        mode: "latency".into(),
        shape: String::new(),
        constraints_or_gates: matrices.num_constraints as u64,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        setup_s: Some(setup_s),
        prove_s: median(&times),
        proofs_per_s: 1.0 / median(&times),
        prove_runs_s: times,
        verify_s: None,
        proof_bytes: 128,
        pk_bytes,
        vk_bytes,
        peak_mem_bytes: None,
        runs,
        prepare_s: None,
        prepared_bytes: None,
    })
}

/// Verifies `n` distinct proofs of one statement (re-randomised from `proof`) one by one, then
/// as one batch on the current pool and on one thread; one record each, `verify_s` per proof.
/// A batch with one forged proof must fail, naming it (checked, not timed).
pub(crate) fn measure_batch_verify(
    vk: &ark_groth16::VerifyingKey<ark_bn254::Bn254>,
    pvk: &veil_verifier::groth16::PreparedKey,
    inputs: &[Fr],
    proof: &ark_groth16::Proof<ark_bn254::Bn254>,
    n: usize,
    base: &BenchRecord,
    rng: &mut ChaCha20Rng,
) -> Result<Vec<BenchRecord>> {
    use veil_verifier::groth16::{verify, verify_batch};
    let proofs: Vec<_> = (0..n).map(|_| g16::rerandomize(vk, proof, rng)).collect();
    let items: Vec<(&[Fr], &ark_groth16::Proof<ark_bn254::Bn254>)> =
        proofs.iter().map(|p| (inputs, p)).collect();
    let t = Instant::now();
    for p in &proofs {
        verify(pvk, inputs, p)?;
    }
    let one_by_one = t.elapsed().as_secs_f64();
    let t = Instant::now();
    verify_batch(pvk, &items)?;
    let batch = t.elapsed().as_secs_f64();
    let t = Instant::now();
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| EngineError::Refused(format!("a verifier thread: {e}")))?
        .install(|| verify_batch(pvk, &items))?;
    let batch_one_thread = t.elapsed().as_secs_f64();

    let mut forged = proofs[n / 2].clone();
    forged.c = (forged.c + ark_bn254::G1Affine::generator()).into_affine();
    let mut bad = items.clone();
    bad[n / 2].1 = &forged;
    match verify_batch(pvk, &bad) {
        Err(e) if e.to_string().contains(&format!("#{} (", n / 2)) => {}
        other => {
            return Err(EngineError::Refused(format!(
                "batch verification did not name a forged proof: {other:?}"
            )))
        }
    }

    let record = |mode: &str, threads: usize, wall: f64| BenchRecord {
        mode: mode.into(),
        threads,
        setup_s: None,
        prove_s: 0.0,
        prove_runs_s: Vec::new(),
        proofs_per_s: n as f64 / wall,
        verify_s: Some(wall / n as f64),
        proof_bytes: base.proof_bytes,
        peak_mem_bytes: None,
        runs: n,
        ..base.clone()
    };
    Ok(vec![
        record("verify-one-by-one", 1, one_by_one),
        record("verify-batch", rayon::current_num_threads(), batch),
        record("verify-batch", 1, batch_one_thread),
    ])
}
