//! Proving an audit report: every batch of the period, in parallel across batches.

use crate::backend::groth16::Groth16Prover;
use crate::{ProverError, Result};
use rand::rngs::OsRng;
use rayon::prelude::*;
use veil_circuits::statements::totals::{
    self, BatchPublic, BatchWitness, Period, TotalsCircuit, TotalsShape,
};
use veil_verifier::proof::ProofEnvelope;
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
            totals::check_batch(shape, &public, &witness)?;
            let inputs_expected = public.to_field_elements();
            let (proof, inputs) = prover.prove(
                TotalsCircuit {
                    shape: *shape,
                    public,
                    witness,
                },
                &mut OsRng,
            )?;
            if inputs != inputs_expected {
                return Err(ProverError::Proving(
                    "batch public inputs differ from the statement's".into(),
                ));
            }
            Ok(ProofEnvelope::groth16(
                totals::NAME,
                shape.id(),
                &prover.pk.vk,
                serde_json::to_value(shape).expect("shapes serialise"),
                inputs,
                &proof,
            ))
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
