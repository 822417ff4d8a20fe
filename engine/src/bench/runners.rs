//! Running a plan: each case's provers timed in interleaved rounds on one honest assignment,
//! beside halo2, bb, snarkjs, batch verification and throughput where the plan asks.

use super::comparisons::*;
use super::timing::*;
use super::{
    BenchPlan, BenchRecord, BenchReport, Machine, ProverName, REPORT_VERSION,
    SNARKJS_MAX_CONSTRAINTS,
};
use crate::progress::{check, Progress, Unit};
use crate::registry::{BenchRun, Registry};
use crate::{EngineError, Result};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::path::Path;
use std::time::Instant;
use veil_circuits::statements::R1csStatement;
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
