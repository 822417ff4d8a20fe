//! One halo2 proof per audit period: a seller proves the period's batches under halo2 and folds
//! them into one proof (`veil_halo2::aggregate`); an auditor checks that one proof and reads
//! only the period's totals.
//!
//! Keys are derived from the folder's universal parameters (`veil setup --backend halo2
//! --statement disclosure-totals` makes them large enough): the batch circuit's at its `2^k`,
//! the aggregation circuit's at `2^`[`aggregate::K`]. The auditor derives the aggregation
//! verifying key itself (once per batch shape and count: [`FoldKey`] keeps it in the folder)
//! and refuses a report made under any other.

use crate::audit::{Expected, ReportRequest};
use crate::error::refuse;
use crate::files::{params_dir, read_parsed, write_bytes, write_output};
use crate::progress::{stage, Progress, Unit};
use crate::Result;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use veil_circuits::statements::totals::TotalsShape;
use veil_circuits::statements::DisclosureTotals;
use veil_circuits::statements::Shape as _;
use veil_halo2::aggregate::{self, PeriodProof};
use veil_halo2::kzg::{self, Params, ProvingKeyBn, VerifyingKeyBn};
use veil_halo2::snark_verifier_sdk::halo2::aggregation::AggregationConfigParams;
use veil_halo2::statements::Halo2Statement;
use veil_halo2::Version;
use veil_prover::backend::halo2::prover_params;
use veil_verifier::proof::HALO2;
use veil_verifier::totals::{AggregateReport, Totals, AGGREGATE_VERSION};

/// [`FoldKey`] format version.
pub const FOLD_KEY_VERSION: u32 = 1;

/// The `kind` of an aggregated report file (a chain of batch proofs is `totals-report`).
pub const KIND: &str = veil_verifier::totals::AGGREGATE_KIND;

/// `log2` of the rows a fold runs at, whatever the batch size: the parameters it needs.
pub const FOLD_K: u32 = aggregate::K;

/// `fold-<key>-l2-n<N>.json` in a params folder, beside the aggregation verifying key
/// `fold-<key>-l2-n<N>.vk` (halo2 raw bytes): derived once per batch shape, batch count and
/// batch circuit layout from the folder's parameters, by whoever proved or verified there
/// first. Layout 1's (the first batch circuits) are `fold-<key>-n<N>.*`, kept for its reports.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FoldKey {
    /// Format version, [`FOLD_KEY_VERSION`].
    pub veil: u32,
    /// Always `"halo2-fold-key"`.
    pub kind: String,
    /// SHA-256 of the parameter file it was derived from.
    pub params_sha256: String,
    /// SHA-256 of the `.vk` file.
    pub vk_sha256: String,
    /// The aggregation circuit's configuration (reading the key needs it).
    pub config: AggregationConfigParams,
}

fn fold_key_paths(
    dir: &Path,
    shape: &TotalsShape,
    n: usize,
    layout: Version,
) -> (PathBuf, PathBuf) {
    let stem = match layout {
        Version::V1 => format!("fold-{}-n{n}", shape.id()),
        v => format!("fold-{}-l{}-n{n}", shape.id(), v.number()),
    };
    (
        dir.join(format!("{stem}.vk")),
        dir.join(format!("{stem}.json")),
    )
}

/// Keeps an aggregation verifying key in the params folder (best effort: a folder that cannot
/// be written only means the next check derives it again).
fn keep_fold_key(
    dir: &Path,
    shape: &TotalsShape,
    n: usize,
    params_sha256: &str,
    vk: &VerifyingKeyBn,
    config: AggregationConfigParams,
) {
    let (vk_path, info_path) = fold_key_paths(dir, shape, n, Version::CURRENT);
    let info = FoldKey {
        veil: FOLD_KEY_VERSION,
        kind: "halo2-fold-key".into(),
        params_sha256: params_sha256.into(),
        vk_sha256: kzg::vk_digest(vk),
        config,
    };
    let raw = vk.to_bytes(veil_halo2::halo2_proofs::SerdeFormat::RawBytes);
    if write_bytes(&vk_path, &raw).is_ok() {
        let _ = write_output(
            &info_path,
            &(serde_json::to_string_pretty(&info).expect("descriptions serialise") + "\n"),
        );
    }
}

/// The aggregation verifying key kept in the folder for these parameters and batch circuit
/// layout, if any.
fn kept_fold_key(
    dir: &Path,
    shape: &TotalsShape,
    n: usize,
    params_sha256: &str,
    layout: Version,
) -> Option<VerifyingKeyBn> {
    let (vk_path, info_path) = fold_key_paths(dir, shape, n, layout);
    let text = std::fs::read_to_string(info_path).ok()?;
    let info: FoldKey = veil_circuits::format::parse(
        &text,
        Some("halo2-fold-key"),
        FOLD_KEY_VERSION..=FOLD_KEY_VERSION,
    )
    .ok()?;
    let raw = std::fs::read(vk_path).ok()?;
    if info.params_sha256 != params_sha256 {
        return None;
    }
    let vk = aggregate::read_verifying_key(&raw, info.config).ok()?;
    (kzg::vk_digest(&vk) == info.vk_sha256).then_some(vk)
}

/// The folder's parameters cut to the batch circuit and to the aggregation circuit, whether
/// they come from the insecure local setup, and their SHA-256.
fn params_for(dir: &Path, shape: &TotalsShape) -> Result<(Params, Params, bool, String)> {
    let (params, info) = crate::halo2_params::load(dir)?;
    let kb = DisclosureTotals::k(shape)?;
    let need = kb.max(aggregate::K);
    if info.k < need {
        refuse!(
            "the halo2 parameters in {} hold 2^{} rows; folding a period needs 2^{need}: run \
             `veil setup --backend halo2 --statement disclosure-totals --batch {}`",
            dir.display(),
            info.k,
            shape.batch
        );
    }
    Ok((
        kzg::fit(&params, kb)?,
        kzg::fit(&params, aggregate::K)?,
        info.insecure_dev_setup,
        info.sha256,
    ))
}

fn batch_key(batch_params: &Params, shape: &TotalsShape) -> Result<ProvingKeyBn> {
    Ok(kzg::keygen::<DisclosureTotals>(batch_params, shape)?)
}

/// Proves a period from the ledger under halo2 and folds its batches into one proof, written
/// to `out`. Returns the report and whether the parameters are insecure.
pub fn prove(
    store: &dyn veil_ledger::Store,
    req: &ReportRequest,
    params: Option<PathBuf>,
    out: &Path,
    progress: &dyn Progress,
) -> Result<(AggregateReport, bool)> {
    let shape = TotalsShape {
        batch: req.batch,
        edges: req.edges.len(),
    };
    shape.validate()?;
    let dir = params_dir(params);
    let (bp, ap, insecure, params_sha256) = params_for(&dir, &shape)?;
    let (period, batches) =
        store.report_batches(&shape, req.seller, req.from, req.to, &req.edges)?;
    let n = batches.len();
    if n > aggregate::MAX_BATCHES {
        refuse!(
            "the period has {n} batches of {}; one aggregate folds at most {}: prove a shorter \
             period or larger batches (--batch)",
            shape.batch,
            aggregate::MAX_BATCHES
        );
    }
    let pk = stage(progress, "deriving the batch keys", 0, Unit::Steps, || {
        batch_key(&bp, &shape)
    })?;
    let bp_prover = prover_params(bp.clone())?;
    progress.start("proving batches for folding", n as u64, Unit::Items);
    let done = AtomicU64::new(0);
    let snarks = batches
        .into_par_iter()
        .map(|(public, witness)| {
            crate::progress::check(progress)?;
            let s = aggregate::batch_snark(&bp_prover, &pk, &shape, public, witness)?;
            progress.set(done.fetch_add(1, Ordering::Relaxed) + 1);
            Ok(s)
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    crate::progress::check(progress)?;
    let key = stage(
        progress,
        &format!(
            "deriving the aggregation keys ({n} batches, 2^{} rows)",
            aggregate::K
        ),
        0,
        Unit::Steps,
        || aggregate::keygen(&ap, &bp, pk.get_vk(), &shape, n),
    )?;
    keep_fold_key(&dir, &shape, n, &params_sha256, key.vk(), key.config);
    crate::progress::check(progress)?;
    let ap_prover = prover_params(ap)?;
    let folded = stage(progress, "folding the batches", 0, Unit::Steps, || {
        aggregate::aggregate(&ap_prover, &key, snarks)
    })?;
    let report = AggregateReport {
        veil: AGGREGATE_VERSION,
        kind: veil_verifier::totals::AGGREGATE_KIND.into(),
        backend: HALO2.into(),
        period,
        batch: shape.batch,
        batches: n,
        k: aggregate::K,
        vk_sha256: kzg::vk_digest(key.vk()),
        public_inputs: folded.public_inputs,
        proof: hex::encode(folded.proof),
    };
    write_output(out, &report.to_json())?;
    Ok((report, insecure))
}

/// Reads an aggregated report.
pub fn load(path: &Path) -> Result<AggregateReport> {
    read_parsed(path, "aggregated report", AggregateReport::from_json)
}

/// What an auditor learns from an aggregated report.
#[derive(Clone, Debug)]
pub struct Verified {
    /// The report.
    pub report: AggregateReport,
    /// The period's totals.
    pub totals: Totals,
    /// Whether the parameters are insecure.
    pub insecure: bool,
}

/// Verifies an aggregated report against what the auditor expects, with one check: the
/// aggregation verifying key derived here from the folder's parameters, the outer proof, the
/// pairing on its accumulator.
pub fn verify(path: &Path, expected: Expected, params: Option<PathBuf>) -> Result<Verified> {
    verify_value(load(path)?, &path.display().to_string(), expected, params)
}

/// [`verify`] on a report already read; `name` names it in refusals (its path, or "the
/// report").
pub fn verify_value(
    report: AggregateReport,
    name: &str,
    expected: Expected,
    params: Option<PathBuf>,
) -> Result<Verified> {
    let (p, root) = (&report.period, expected.root);
    expected.is_for(p).map_err(|e| match e {
        crate::EngineError::Refused(m) => crate::EngineError::Refused(m.replacen("this", name, 1)),
        other => other,
    })?;
    if p.root != root {
        refuse!(
            "mismatch: {} is against receipt root {}, not {}",
            name,
            veil_circuits::field::to_hex(&p.root),
            veil_circuits::field::to_hex(&root)
        );
    }
    if report.backend != HALO2 || report.k != aggregate::K {
        refuse!(
            "{} is a {} aggregate at 2^{} rows; this build folds {HALO2} at 2^{}",
            name,
            report.backend,
            report.k,
            aggregate::K
        );
    }
    if report.batches == 0 || report.batches > aggregate::MAX_BATCHES {
        refuse!(
            "{} claims {} batches; one aggregate folds 1 to {}",
            name,
            report.batches,
            aggregate::MAX_BATCHES
        );
    }
    let totals = report.totals()?;
    let shape = report.shape();
    shape.validate()?;
    let dir = params_dir(params);
    let n = report.batches;
    // With the fold's key kept, the check needs three points of the parameters (their
    // description), not the parameter file: an auditor may hold only kzg-bn254.json and the
    // fold-*.vk/.json files. Without it, the key is derived from the parameters (minutes).
    let info = crate::halo2_params::ParamsInfo::load(&dir)?;
    // The current layout's key, or the one of the layout the report was folded under.
    let kept = Version::ALL
        .into_iter()
        .filter_map(|layout| kept_fold_key(&dir, &shape, n, &info.sha256, layout))
        .find(|vk| kzg::vk_digest(vk) == report.vk_sha256)
        .or_else(|| kept_fold_key(&dir, &shape, n, &info.sha256, Version::CURRENT))
        .and_then(|vk| {
            let points = veil_verifier::halo2::verifier_points(&dir, &info).ok()?;
            Some((vk, points.params(aggregate::K)))
        });
    let insecure = info.insecure_dev_setup;
    let (vk, ap) = match kept {
        Some(kept) => kept,
        None => {
            let (bp, ap, _, params_sha256) = params_for(&dir, &shape)?;
            let batch_vk = batch_key(&bp, &shape)?.get_vk().clone();
            let (vk, config) = aggregate::verifying_key(&ap, &bp, &batch_vk, &shape, n)?;
            keep_fold_key(&dir, &shape, n, &params_sha256, &vk, config);
            (vk, ap)
        }
    };
    if kzg::vk_digest(&vk) != report.vk_sha256 {
        refuse!(
            "{} was made with aggregation key {}, not the one these parameters give for {} \
             batches of {} ({})",
            name,
            report.vk_sha256,
            report.batches,
            shape.id(),
            kzg::vk_digest(&vk)
        );
    }
    let folded = PeriodProof {
        public_inputs: report.public_inputs.clone(),
        proof: report.proof_bytes()?,
    };
    aggregate::verify(&ap, &vk, &folded)?;
    Ok(Verified {
        report,
        totals,
        insecure,
    })
}
