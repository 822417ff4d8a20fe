//! Running a plan: each case's provers timed in interleaved rounds on one honest assignment,
//! beside halo2, bb, snarkjs, batch verification and throughput where the plan asks.

use super::{
    snarkjs, BenchPlan, BenchRecord, BenchReport, Machine, ProverName, REPORT_VERSION,
    SNARKJS_MAX_CONSTRAINTS,
};
use crate::progress::{check, Progress, Unit};
use crate::registry::{BenchRun, Registry};
use crate::{EngineError, Result};
use ark_ec::{AffineRepr, CurveGroup};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::path::Path;
use std::time::Instant;
use veil_circuits::statements::totals::{BatchPublic, BatchWitness, TotalsShape};
use veil_circuits::statements::{DisclosureTotals, R1csStatement, Statement};
use veil_circuits::Fr;
use veil_halo2::aggregate;
use veil_halo2::kzg;
use veil_halo2::statements::Halo2Statement;
use veil_noir::twins::NoirTwin;
use veil_prover::backend::groth16::{self as g16, Groth16Prover};

/// Runs `plan` over the standard registry, using `scratch` for temporary files (a ledger for
/// the totals' receipts). Stops between proofs when `progress` is cancelled.
pub fn run(plan: &BenchPlan, scratch: &Path, progress: &dyn Progress) -> Result<BenchReport> {
    run_in(Registry::standard(), plan, scratch, progress)
}

/// Runs `plan`, its statements named in `registry`.
pub fn run_in(
    registry: &Registry,
    plan: &BenchPlan,
    scratch: &Path,
    progress: &dyn Progress,
) -> Result<BenchReport> {
    plan.validate_in(registry)?;
    let bench = BenchRun {
        plan,
        scratch,
        progress,
    };
    let all = || -> Result<Vec<BenchRecord>> {
        progress.start("benchmark", plan.cases.len() as u64, Unit::Items);
        let mut records = Vec::new();
        for (i, case) in plan.cases.iter().enumerate() {
            check(progress)?;
            let entry = registry.get(&case.statement)?;
            records.extend(entry.bench(case.size(entry), &bench)?);
            progress.set(i as u64 + 1);
        }
        progress.finish();
        Ok(records)
    };
    let records = match plan.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| EngineError::Refused(format!("cannot start {n} prover threads: {e}")))?
            .install(all)?,
        None => all()?,
    };
    Ok(BenchReport {
        version: REPORT_VERSION,
        veil: env!("CARGO_PKG_VERSION").into(),
        machine: Machine::this(),
        plan: plan.clone(),
        records,
    })
}

/// Measures every prover of `plan` on one honest assignment of `S`.
pub(crate) fn measure<S: R1csStatement + NoirTwin + Halo2Statement>(
    shape: &S::Shape,
    public: S::Public,
    witness: S::Witness,
    plan: &BenchPlan,
    scratch: &Path,
    progress: &dyn Progress,
) -> Result<Vec<BenchRecord>> {
    S::check(shape, &public, &witness)?;
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let threads = rayon::current_num_threads();
    reset_peak_memory();
    let t = Instant::now();
    let pk = g16::insecure_setup(<S as R1csStatement>::blank(shape), &mut rng)?;
    let setup_s = t.elapsed().as_secs_f64();
    let prover = Groth16Prover::new(pk, <S as R1csStatement>::blank(shape))?;
    let t = Instant::now();
    let prover = prover.precompute(plan.precompute_mib << 20);
    let prepare_s = t.elapsed().as_secs_f64();
    let prepared_bytes = prover.prepared().map(|p| p.bytes() as u64);
    let (pk_bytes, vk_bytes) = g16::key_bytes(&prover.pk);
    let pvk = veil_verifier::groth16::prepare(&prover.pk.vk);
    let base = BenchRecord {
        statement: S::NAME.into(),
        backend: "groth16".into(),
        prover: ProverName::Veil.name().into(),
        mode: "latency".into(),
        shape: S::key_id(shape),
        constraints_or_gates: prover.matrices.num_constraints as u64,
        threads,
        setup_s: Some(setup_s),
        prove_s: 0.0,
        prove_runs_s: Vec::new(),
        proofs_per_s: 0.0,
        verify_s: None,
        proof_bytes: 0,
        pk_bytes,
        vk_bytes,
        peak_mem_bytes: None,
        runs: plan.runs,
        prepare_s: None,
        prepared_bytes: None,
    };

    // Veil, the floor, stock and bb in rounds, each proving once per round (interleaved): a
    // machine whose speed drifts during the run weighs on all of them alike.
    let inputs = S::public_inputs(&public);
    let latency_with = |pvk: &veil_verifier::groth16::PreparedKey,
                        prover: ProverName,
                        (runs, peak): (Vec<f64>, Option<u64>),
                        proof|
     -> Result<BenchRecord> {
        let verify_s = time_verify(|| veil_verifier::groth16::verify(pvk, &inputs, &proof))?;
        Ok(BenchRecord {
            prover: prover.name().into(),
            setup_s: base.setup_s.filter(|_| prover == ProverName::Veil),
            prepare_s: Some(prepare_s).filter(|_| prover == ProverName::Veil),
            prepared_bytes: prepared_bytes.filter(|_| prover == ProverName::Veil),
            prove_s: median(&runs),
            proofs_per_s: 1.0 / median(&runs),
            prove_runs_s: runs,
            verify_s: Some(verify_s),
            proof_bytes: g16::proof_bytes(&proof),
            peak_mem_bytes: peak,
            ..base.clone()
        })
    };
    // The floor: the same proof's MSMs and FFTs alone, from a ready assignment.
    let full = prover.assignment(<S as R1csStatement>::circuit(
        shape,
        public.clone(),
        witness.clone(),
    ))?;
    // arkworks proves on a 2^k QAP domain only: where Veil's key is on 3 * 2^k, the stock
    // prover gets a key from arkworks' own setup (not timed; the same circuit).
    let stock_pk = match plan.stock && !(prover.pk.h_query.len() + 1).is_power_of_two() {
        true => Some(g16::stock_setup(
            <S as R1csStatement>::blank(shape),
            &mut rng,
        )?),
        false => None,
    };
    let stock_pvk = stock_pk
        .as_ref()
        .map(|pk| veil_verifier::groth16::prepare(&pk.vk));
    let bb = match plan.bb {
        true => {
            check(progress)?;
            Some(BbRun::new::<S>(shape, &public, &witness, scratch)?)
        }
        false => None,
    };
    let h2 = match plan.halo2 {
        true => {
            check(progress)?;
            Some(Halo2Run::new::<S>(shape)?)
        }
        false => None,
    };
    let (mut env, mut floor, mut stock, mut bb_proof) = (None, None, None, None);
    let mut h2_proof = None;
    let mut rngs: Vec<ChaCha20Rng> = (0..3).map(ChaCha20Rng::seed_from_u64).collect();
    let measured = {
        let [r_veil, r_floor, r_stock] = &mut rngs[..] else {
            unreachable!("three generators")
        };
        let mut provers: Vec<Timed<'_>> = vec![
            (
                ProverName::Veil,
                Box::new(|| {
                    let (p, w) = (public.clone(), witness.clone());
                    env = Some(prover.prove_statement::<S, _>(shape, p, w, r_veil)?);
                    Ok(())
                }),
            ),
            (
                ProverName::Floor,
                Box::new(|| {
                    floor = Some(prover.prove_assignment(&full, r_floor)?);
                    Ok(())
                }),
            ),
        ];
        if plan.stock {
            let pk = stock_pk.as_ref().unwrap_or(&prover.pk);
            provers.push((
                ProverName::ArkGroth16Stock,
                Box::new(|| {
                    let circuit =
                        <S as R1csStatement>::circuit(shape, public.clone(), witness.clone());
                    stock = Some(g16::prove_stock(pk, circuit, r_stock)?);
                    Ok(())
                }),
            ));
        }
        if let Some(bb) = &bb {
            provers.push((
                ProverName::Bb,
                Box::new(|| {
                    bb_proof = Some(bb.prove()?);
                    Ok(())
                }),
            ));
        }
        if let Some(h) = &h2 {
            provers.push((
                ProverName::Halo2,
                Box::new(|| {
                    let (p, w) = (public.clone(), witness.clone());
                    h2_proof = Some(kzg::prove::<S>(&h.params, &h.pk, shape, p, w)?);
                    Ok(())
                }),
            ));
        }
        let names: Vec<ProverName> = provers.iter().map(|(n, _)| *n).collect();
        names
            .into_iter()
            .zip(interleaved(plan.runs, progress, &mut provers)?)
            .collect::<Vec<_>>()
    };
    let missing = || EngineError::Refused("no proof was made".into());
    let mut records = Vec::new();
    for (name, measured) in measured {
        records.push(match name {
            ProverName::Veil => latency_with(
                &pvk,
                name,
                measured,
                env.as_ref().ok_or_else(missing)?.groth16_proof()?,
            )?,
            ProverName::Floor => {
                latency_with(&pvk, name, measured, floor.take().ok_or_else(missing)?)?
            }
            ProverName::ArkGroth16Stock => latency_with(
                stock_pvk.as_ref().unwrap_or(&pvk),
                name,
                measured,
                stock.take().ok_or_else(missing)?,
            )?,
            ProverName::Halo2 => match &h2 {
                Some(h) => h.record(
                    &base,
                    measured,
                    h2_proof.as_deref().ok_or_else(missing)?,
                    &inputs,
                )?,
                None => return Err(missing()),
            },
            _ => match &bb {
                Some(bb) => bb.record(measured.0, bb_proof.as_ref().ok_or_else(missing)?),
                None => return Err(missing()),
            },
        });
    }
    let env = env.ok_or_else(missing)?;

    if plan.snarkjs && prover.matrices.num_constraints <= SNARKJS_MAX_CONSTRAINTS {
        check(progress)?;
        reset_peak_memory();
        let mut r = measure_snarkjs(
            &prover.matrices,
            &full,
            &inputs,
            plan.runs,
            scratch,
            progress,
        )?;
        r.shape = S::key_id(shape);
        r.statement = S::NAME.into();
        records.push(r);
    }

    if plan.batch_verify > 0 {
        check(progress)?;
        let proof = env.groth16_proof()?;
        let made = BenchRecord {
            proof_bytes: records[0].proof_bytes,
            ..base.clone()
        };
        records.extend(measure_batch_verify(
            &prover.pk.vk,
            &pvk,
            &inputs,
            &proof,
            plan.batch_verify,
            &made,
            &mut rng,
        )?);
    }

    if plan.throughput && threads > 1 {
        check(progress)?;
        reset_peak_memory();
        let t = Instant::now();
        let made: Vec<Result<usize>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|w| {
                    let (prover, public, witness) = (&prover, &public, &witness);
                    scope.spawn(move || -> Result<usize> {
                        let pool = rayon::ThreadPoolBuilder::new()
                            .num_threads(1)
                            .build()
                            .map_err(|e| EngineError::Refused(format!("a prover thread: {e}")))?;
                        let mut rng = ChaCha20Rng::seed_from_u64(w as u64);
                        pool.install(|| {
                            for _ in 0..plan.runs {
                                check(progress)?;
                                prover.prove_statement::<S, _>(
                                    shape,
                                    public.clone(),
                                    witness.clone(),
                                    &mut rng,
                                )?;
                            }
                            Ok(plan.runs)
                        })
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join().unwrap_or_else(|_| {
                        Err(EngineError::Refused("a prover thread panicked".into()))
                    })
                })
                .collect()
        });
        let wall = t.elapsed().as_secs_f64();
        let proofs = made.into_iter().sum::<Result<usize>>()?;
        records.push(BenchRecord {
            mode: "throughput".into(),
            setup_s: None,
            prove_s: wall / proofs as f64,
            prove_runs_s: vec![wall],
            proofs_per_s: proofs as f64 / wall,
            verify_s: None,
            proof_bytes: records[0].proof_bytes,
            peak_mem_bytes: peak_memory(),
            runs: proofs,
            ..base
        });
    }
    Ok(records)
}

/// Veil's Groth16 prover alone on one honest assignment of `S` (latency, `plan.runs` proofs,
/// the median reported): what a statement without a halo2 circuit or a Noir twin is measured
/// by.
pub(crate) fn measure_groth16<S: R1csStatement>(
    shape: &S::Shape,
    public: S::Public,
    witness: S::Witness,
    plan: &BenchPlan,
    progress: &dyn Progress,
) -> Result<Vec<BenchRecord>> {
    S::check(shape, &public, &witness)?;
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    reset_peak_memory();
    let t = Instant::now();
    let pk = g16::insecure_setup(S::blank(shape), &mut rng)?;
    let setup_s = t.elapsed().as_secs_f64();
    let prover = Groth16Prover::new(pk, S::blank(shape))?;
    let (pk_bytes, vk_bytes) = g16::key_bytes(&prover.pk);
    let pvk = veil_verifier::groth16::prepare(&prover.pk.vk);
    let (runs, proof) = one_after_another(plan.runs, progress, || {
        check(progress)?;
        prover
            .prove_statement::<S, _>(shape, public.clone(), witness.clone(), &mut rng)?
            .groth16_proof()
            .map_err(EngineError::from)
    })?;
    let inputs = S::public_inputs(&public);
    let verify_s = time_verify(|| veil_verifier::groth16::verify(&pvk, &inputs, &proof))?;
    Ok(vec![BenchRecord {
        statement: S::NAME.into(),
        backend: "groth16".into(),
        prover: ProverName::Veil.name().into(),
        mode: "latency".into(),
        shape: S::key_id(shape),
        constraints_or_gates: prover.matrices.num_constraints as u64,
        threads: rayon::current_num_threads(),
        setup_s: Some(setup_s),
        prove_s: median(&runs),
        proofs_per_s: 1.0 / median(&runs),
        prove_runs_s: runs,
        verify_s: Some(verify_s),
        proof_bytes: g16::proof_bytes(&proof),
        pk_bytes,
        vk_bytes,
        peak_mem_bytes: peak_memory(),
        runs: plan.runs,
        prepare_s: None,
        prepared_bytes: None,
    }])
}

/// A case under the halo2 backend: insecure universal parameters for the circuit's `2^k` rows
/// (not timed: one file serves every circuit) and its keys (timed as its setup).
pub(crate) struct Halo2Run {
    k: u32,
    params: kzg::Params,
    pk: kzg::ProvingKeyBn,
    keygen_s: f64,
}

impl Halo2Run {
    fn new<S: Halo2Statement>(shape: &S::Shape) -> Result<Self> {
        let k = S::k(shape)?;
        let params = kzg::insecure_setup(k);
        let t = Instant::now();
        let pk = kzg::keygen::<S>(&params, shape)?;
        Ok(Halo2Run {
            k,
            params,
            pk,
            keygen_s: t.elapsed().as_secs_f64(),
        })
    }

    fn record(
        &self,
        base: &BenchRecord,
        (runs, peak): (Vec<f64>, Option<u64>),
        proof: &[u8],
        inputs: &[Fr],
    ) -> Result<BenchRecord> {
        let vk = self.pk.get_vk();
        let verify_s = time_verify(|| {
            kzg::verify(&self.params, vk, inputs, proof)
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
    let mut snarks = Vec::with_capacity(n);
    for (public, witness) in batches {
        check(progress)?;
        snarks.push(aggregate::batch_snark(&bp, &pk, shape, public, witness)?);
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
    let t = Instant::now();
    let folded = aggregate::aggregate(&ap, &key, snarks)?;
    let prove_s = t.elapsed().as_secs_f64();
    let peak = peak_memory();
    let verify_s = time_verify(|| {
        aggregate::verify(&ap, key.vk(), &folded)
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
    shape: String,
    statement: &'static str,
    program: String,
    path: std::path::PathBuf,
    artifact: veil_noir::Artifact,
    bb: veil_prover::backend::ultrahonk::UltraHonk,
    gates: veil_prover::backend::ultrahonk::GateCount,
    crs: std::path::PathBuf,
    inputs: serde_json::Value,
}

impl BbRun {
    fn new<S: NoirTwin>(
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

    fn prove(&self) -> Result<veil_verifier::proof::ProofEnvelope> {
        let execution = veil_noir::execute(&self.artifact, &self.inputs)?;
        Ok(self
            .bb
            .prove_execution(&self.path, &self.program, &execution, self.gates)?)
    }

    fn record(&self, times: Vec<f64>, proof: &veil_verifier::proof::ProofEnvelope) -> BenchRecord {
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

/// Proves `runs` times, one after another; returns each run's seconds and the last proof.
pub(crate) fn one_after_another<T, E: Into<EngineError>>(
    runs: usize,
    progress: &dyn Progress,
    mut prove: impl FnMut() -> std::result::Result<T, E>,
) -> Result<(Vec<f64>, T)> {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        check(progress)?;
        let t = Instant::now();
        last = Some(prove().map_err(Into::into)?);
        times.push(t.elapsed().as_secs_f64());
    }
    let last = last.ok_or_else(|| EngineError::Refused("no proof was made".into()))?;
    Ok((times, last))
}

/// A prover to time: one proof per call (it keeps what it made).
pub(crate) type Timed<'a> = (ProverName, Box<dyn FnMut() -> Result<()> + 'a>);

/// Times each of `provers` once per round for `runs` rounds (interleaved), after an untimed
/// round that measures each one's peak resident memory alone (from a trimmed heap) and warms it
/// up: per prover, the seconds of each timed run and that peak (this process's; a prover that
/// runs another process, like bb, reports its own share only). The timed rounds do not trim
/// the heap, so no prover pays for page faults another prover's run left behind.
pub(crate) fn interleaved(
    runs: usize,
    progress: &dyn Progress,
    provers: &mut [Timed<'_>],
) -> Result<Vec<(Vec<f64>, Option<u64>)>> {
    let mut out = Vec::with_capacity(provers.len());
    for (_, prove) in provers.iter_mut() {
        check(progress)?;
        reset_peak_memory();
        prove()?;
        out.push((Vec::with_capacity(runs), peak_memory()));
    }
    for _ in 0..runs {
        for ((_, prove), (times, _)) in provers.iter_mut().zip(&mut out) {
            check(progress)?;
            let t = Instant::now();
            prove()?;
            times.push(t.elapsed().as_secs_f64());
        }
    }
    Ok(out)
}

/// Median seconds of `verify` over 10 checks (each must accept).
pub(crate) fn time_verify(verify: impl Fn() -> veil_verifier::Result<()>) -> Result<f64> {
    let mut times = Vec::with_capacity(10);
    for _ in 0..10 {
        let t = Instant::now();
        verify()?;
        times.push(t.elapsed().as_secs_f64());
    }
    Ok(median(&times))
}

pub(crate) fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Resets the process's peak resident memory (Linux `clear_refs`; elsewhere nothing), after
/// handing memory freed by earlier cases back to the system, so that a peak is this
/// measurement's.
pub(crate) fn reset_peak_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free heap pages; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's peak resident memory since the last reset (Linux).
pub(crate) fn peak_memory() -> Option<u64> {
    proc_kib("/proc/self/status", "VmHWM:")
}

/// A `kB` value from a `/proc` file.
pub(crate) fn proc_kib(file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find_map(|l| l.strip_prefix(key))?;
    let kib: u64 = line.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}
