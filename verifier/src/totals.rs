//! `report.json`: an audit report (a chain of batch proofs over one seller's receipts for a
//! period) and its verification.
//!
//! ```json
//! { "veil": 1, "kind": "totals-report",
//!   "period": { "root": "0x..", "seller": 7, "t0": .., "t1": .., "bps": 1000, "edges": [1000, 10000, 100000] },
//!   "batch": 16, "batches": [ {envelope}, ... ] }
//! ```

use crate::groth16::PreparedKey;
use crate::proof::ProofEnvelope;
use crate::{Result, VerifyError};
use ark_ff::{BigInteger, PrimeField};
use serde::{Deserialize, Serialize};
use veil_circuits::field::to_hex;
use veil_circuits::statements::totals::{BatchPublic, Period, TotalsShape, NAME};
use veil_circuits::Fr;

/// Report format version.
pub const REPORT_VERSION: u32 = 1;

/// An audit report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Format version.
    pub veil: u32,
    /// Always `"totals-report"`.
    pub kind: String,
    /// Root, seller, period, fee rate and band edges every batch must share.
    pub period: Period,
    /// Slots per batch.
    pub batch: usize,
    /// The batch proofs, in order.
    pub batches: Vec<ProofEnvelope>,
}

/// What a verified report establishes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Totals {
    /// Sales in the period.
    pub count: u64,
    /// Their total amount.
    pub amount: u128,
    /// Their total fees.
    pub fees: u128,
    /// Per band (`[0, e1), [e1, e2), ..., [eE, inf)`): count.
    pub band_counts: Vec<u64>,
    /// Per band: amount.
    pub band_sums: Vec<u128>,
    /// Batches checked.
    pub batches: usize,
}

impl Report {
    /// Parses a report.
    pub fn from_json(text: &str) -> Result<Self> {
        let r: Report = serde_json::from_str(text)
            .map_err(|e| VerifyError::Malformed(format!("report: {e}")))?;
        if r.veil != REPORT_VERSION || r.kind != "totals-report" {
            return Err(VerifyError::Malformed(format!(
                "report: kind {:?} version {}",
                r.kind, r.veil
            )));
        }
        Ok(r)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("reports serialise") + "\n"
    }

    /// The batch circuit's shape.
    pub fn shape(&self) -> TotalsShape {
        TotalsShape {
            batch: self.batch,
            edges: self.period.edges.len(),
        }
    }
}

fn int(x: &Fr, bits: u64, what: &str) -> Result<u128> {
    let b = x.into_bigint();
    if b.num_bits() as u64 > bits {
        return Err(VerifyError::Malformed(format!(
            "{what} does not fit {bits} bits"
        )));
    }
    let l = b.as_ref();
    Ok(l[0] as u128 | (l[1] as u128) << 64)
}

/// Reads a batch's public inputs.
pub fn batch_public(env: &ProofEnvelope, shape: &TotalsShape) -> Result<BatchPublic> {
    let e = shape.edges;
    if env.statement != NAME || env.key != shape.id() {
        return Err(VerifyError::Mismatch(format!(
            "a batch is for {} ({}), expected {}",
            env.statement,
            env.key,
            shape.id()
        )));
    }
    let x = &env.public_inputs;
    if x.len() != BatchPublic::len_for(e) {
        return Err(VerifyError::Malformed(format!(
            "{} public inputs, expected {}",
            x.len(),
            BatchPublic::len_for(e)
        )));
    }
    let u = |i: usize, w: &str| int(&x[i], 64, w).map(|v| v as u64);
    let big = |i: usize, w: &str| int(&x[i], 100, w);
    let flag = |i: usize, w: &str| match u(i, w)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(VerifyError::Malformed(format!("{w} is not a bit"))),
    };
    let o = 5 + e;
    Ok(BatchPublic {
        period: Period {
            root: x[0],
            seller: u(1, "seller")?,
            t0: u(2, "t0")?,
            t1: u(3, "t1")?,
            bps: u(4, "bps")?,
            edges: (0..e).map(|k| u(5 + k, "edge")).collect::<Result<_>>()?,
        },
        batch: u(o, "batch")?,
        cum_in: u(o + 1, "cum_in")?,
        cum_out: u(o + 2, "cum_out")?,
        present: u(o + 3, "present")?,
        opens: flag(o + 4, "opens")?,
        closes: flag(o + 5, "closes")?,
        count: u(o + 6, "count")?,
        amount: big(o + 7, "amount")?,
        fees: big(o + 8, "fees")?,
        band_counts: (0..=e)
            .map(|k| u(o + 9 + k, "band count"))
            .collect::<Result<_>>()?,
        band_sums: (0..=e)
            .map(|k| big(o + 10 + e + k, "band sum"))
            .collect::<Result<_>>()?,
    })
}

/// Verifies every batch and the chain; returns the totals. `root`, when given, is the
/// receipt-tree root the auditor trusts (published by the marketplace).
pub fn verify_report(report: &Report, vk: &PreparedKey, root: Option<Fr>) -> Result<Totals> {
    let shape = report.shape();
    shape.validate()?;
    let mismatch = |m: String| Err(VerifyError::Mismatch(m));
    if let Some(r) = root.filter(|r| *r != report.period.root) {
        return mismatch(format!(
            "the report is against root {}, not {}",
            to_hex(&report.period.root),
            to_hex(&r)
        ));
    }
    if report.period.t0 > report.period.t1 || report.period.edges.windows(2).any(|w| w[0] >= w[1]) {
        return Err(VerifyError::Malformed(
            "period or band edges out of order".into(),
        ));
    }
    if report.batches.is_empty() {
        return Err(VerifyError::Malformed(
            "a report needs at least one batch".into(),
        ));
    }
    let mut totals = Totals {
        band_counts: vec![0; shape.edges + 1],
        band_sums: vec![0; shape.edges + 1],
        ..Default::default()
    };
    let mut prev: Option<BatchPublic> = None;
    for (k, env) in report.batches.iter().enumerate() {
        let p = batch_public(env, &shape)?;
        if p.period != report.period {
            return mismatch(format!(
                "batch {k} is for another root, seller, period, rate or bands"
            ));
        }
        match &prev {
            None => {
                if !(p.batch == 0 && p.cum_in == 0 || p.opens) {
                    return mismatch("the first batch does not start before the period: earlier receipts may be missing".into());
                }
            }
            Some(q) => {
                if p.batch != q.batch + 1 {
                    return mismatch(format!("batch {k} is batch {} but follows batch {}: a batch is missing or repeated", p.batch, q.batch));
                }
                if p.cum_in != q.cum_out || q.present != report.batch as u64 {
                    return mismatch(format!("batch {k} does not chain from the one before (running total or a short batch)"));
                }
            }
        }
        env.verify_groth16(vk, &env.public_inputs)
            .map_err(|e| VerifyError::Rejected(format!("batch {k}: {e}")))?;
        totals.count += p.count;
        totals.amount += p.amount;
        totals.fees += p.fees;
        for (t, c) in totals.band_counts.iter_mut().zip(&p.band_counts) {
            *t += c;
        }
        for (t, s) in totals.band_sums.iter_mut().zip(&p.band_sums) {
            *t += s;
        }
        totals.batches += 1;
        prev = Some(p);
    }
    if !prev.is_some_and(|p| p.closes) {
        return mismatch(
            "the last batch does not reach past the period: later receipts may be missing".into(),
        );
    }
    Ok(totals)
}
