//! Verifying an audit report (a chain of batch proofs over one seller's receipts for a period):
//! each batch against its place in the chain, the chain against the published root. The files
//! themselves are in [`crate::formats::totals`] (re-exported here).
//!
//! ```json
//! { "veil": 2, "kind": "totals-report",
//!   "period": { "root": "0x..", "seller": 7, "t0": .., "t1": .., "bps": 1000, "edges": [1000, 10000, 100000] },
//!   "batch": 16, "batches": [ {envelope}, ... ] }
//! ```

pub use crate::formats::totals::*;
use crate::groth16::{batch_failures, PreparedKey};

use crate::formats::totals::{int, period_totals};
use crate::proof::ProofEnvelope;
use crate::{Result, VerifyError};
use ark_ff::Zero;
use veil_circuits::field::to_hex;
use veil_circuits::statements::totals::{BatchPublic, Period, PeriodTotals, TotalsShape, NAME};
use veil_circuits::statements::{PublicInputs as _, Shape as _};
use veil_circuits::Fr;

/// Reads a batch's public inputs.
pub fn batch_public(env: &ProofEnvelope, shape: &TotalsShape) -> Result<BatchPublic> {
    let e = shape.edges;
    let shape_json = serde_json::to_value(shape).expect("shapes serialise");
    env.check_claims(NAME, &shape.id(), &shape_json)?;
    let x = &env.public_inputs;
    if x.len() != BatchPublic::len_for(e) {
        return Err(VerifyError::Malformed(format!(
            "{} public inputs, expected {}",
            x.len(),
            BatchPublic::len_for(e)
        )));
    }
    let u = |i: usize, w: &str| int(&x[i], 64, w).map(|v| v as u64);
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
        first: flag(o, "first")?,
        last: flag(o + 1, "last")?,
        c_in: x[o + 2],
        c_out: x[o + 3],
        totals: period_totals(&x[o + 4..], e)?,
    })
}

/// Verifies every batch and the chain; returns the period's totals. `root`, when given, is the
/// receipt-tree root the auditor trusts (published by the marketplace).
///
/// The verifier fixes each batch's `first`, `last` and `c_in` itself (from its position and the
/// previous batch), so a batch proof only verifies in its place in the chain.
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
    let n = report.batches.len();
    if n == 0 {
        return Err(VerifyError::Malformed(
            "a report needs at least one batch".into(),
        ));
    }
    let mut c_in = Fr::zero();
    let mut totals = PeriodTotals::zero(shape.edges);
    let mut checked = Vec::with_capacity(n);
    for (k, env) in report.batches.iter().enumerate() {
        let p = batch_public(env, &shape)?;
        if p.period != report.period {
            return mismatch(format!(
                "batch {k} is for another root, seller, period, rate or bands"
            ));
        }
        let (first, last) = (k == 0, k + 1 == n);
        if (p.first, p.last) != (first, last) {
            return mismatch(format!(
                "batch {k} of {n} claims first = {}, last = {}: batches are missing, repeated or out of order",
                p.first, p.last
            ));
        }
        if p.c_in != c_in {
            return mismatch(format!(
                "batch {k} does not continue from the batch before it: a batch is missing, repeated or out of order"
            ));
        }
        if last != p.c_out.is_zero() {
            return mismatch(format!("batch {k}: only the last batch ends the chain"));
        }
        if !last && p.totals != PeriodTotals::zero(shape.edges) {
            return mismatch(format!(
                "batch {k} reveals totals before the end of the chain"
            ));
        }
        let expected = BatchPublic {
            period: report.period.clone(),
            first,
            last,
            c_in,
            c_out: p.c_out,
            totals: p.totals.clone(),
        };
        checked.push((expected.to_field_elements(), env.groth16_proof_for(vk)?));
        c_in = p.c_out;
        totals = p.totals;
    }
    // The chain's proofs share one key: one batch check (one final exponentiation), each
    // false proof named by its batch.
    let items: Vec<(&[Fr], &ark_groth16::Proof<ark_bn254::Bn254>)> =
        checked.iter().map(|(x, p)| (x.as_slice(), p)).collect();
    let failures = batch_failures(vk, &items);
    if let Some((k, why)) = failures.first() {
        let mut m = format!("batch {k}: {why}");
        if failures.len() > 1 {
            let others: Vec<String> = failures[1..].iter().map(|(k, _)| k.to_string()).collect();
            m.push_str(&format!(
                " (batches {} do not verify either)",
                others.join(", ")
            ));
        }
        return Err(VerifyError::Rejected(m));
    }
    Ok(Totals {
        count: totals.count,
        amount: totals.amount,
        fees: totals.fees,
        band_counts: totals.band_counts,
        band_sums: totals.band_sums,
        batches: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aggregate() -> AggregateReport {
        let period = Period {
            root: Fr::from(77u64),
            seller: 3,
            t0: 100,
            t1: 200,
            bps: 250,
            edges: vec![10, 20],
        };
        let mut public_inputs = vec![Fr::from(5u64); ACCUMULATOR_LIMBS];
        let whole = BatchPublic {
            period: period.clone(),
            first: true,
            last: true,
            c_in: Fr::zero(),
            c_out: Fr::zero(),
            totals: PeriodTotals {
                count: 4,
                amount: 90,
                fees: 2,
                band_counts: vec![1, 1, 2],
                band_sums: vec![5, 15, 70],
            },
        };
        public_inputs.extend_from_slice(&whole.to_field_elements()[..7]);
        public_inputs.extend(whole.totals.to_field_elements());
        AggregateReport {
            veil: AGGREGATE_VERSION,
            kind: AGGREGATE_KIND.into(),
            backend: crate::proof::HALO2.into(),
            period,
            batch: 4,
            batches: 2,
            k: 18,
            vk_sha256: "00".repeat(32),
            public_inputs,
            proof: "00".into(),
        }
    }

    #[test]
    fn an_aggregate_shows_the_totals_its_proof_binds_and_names_a_mismatch() {
        let a = aggregate();
        let back = AggregateReport::from_json(&a.to_json()).expect("reads back");
        assert_eq!(back, a);
        let t = a.totals().expect("totals");
        assert_eq!(
            (t.count, t.amount, t.fees, t.batches),
            (4, 90, 2, 2),
            "{t:?}"
        );
        assert_eq!(
            (t.band_counts, t.band_sums),
            (vec![1, 1, 2], vec![5, 15, 70])
        );

        let mut other = a.clone();
        other.period.seller = 4;
        let e = other.totals().unwrap_err().to_string();
        assert!(e.contains("another root, seller, period"), "{e}");
        let mut short = a.clone();
        short.public_inputs.pop();
        assert!(short
            .totals()
            .unwrap_err()
            .to_string()
            .contains("public inputs"));
        let mut huge = a;
        let count = ACCUMULATOR_LIMBS + 7;
        huge.public_inputs[count] = -Fr::from(1u64);
        assert!(huge.totals().unwrap_err().to_string().contains("count"));
    }
}
