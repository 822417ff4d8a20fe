//! Proving an audit report: every batch of the period, in parallel across batches.

use crate::backend::groth16::Groth16Prover;
use crate::Result;
use rand::rngs::OsRng;
use rayon::prelude::*;
use veil_circuits::statements::totals::{BatchPublic, BatchWitness, Period, TotalsShape};
use veil_circuits::statements::DisclosureTotals;
use veil_verifier::totals::{Report, REPORT_VERSION};

/// Proves the batches (each already checked natively by the ledger) into a report.
pub fn prove_report(
    prover: &Groth16Prover,
    shape: &TotalsShape,
    period: &Period,
    batches: Vec<(BatchPublic, BatchWitness)>,
) -> Result<Report> {
    let envelopes = batches
        .into_par_iter()
        .map(|(public, witness)| {
            prover.prove_statement::<DisclosureTotals, _>(shape, public, witness, &mut OsRng)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Report {
        veil: REPORT_VERSION,
        kind: "totals-report".into(),
        period: period.clone(),
        batch: shape.batch,
        batches: envelopes,
    })
}
