//! Sale receipts and period reports: settlement records sales in the receipt ledger; a seller
//! proves a period's totals as a chain of batch proofs; an auditor verifies them against the
//! published receipt root; one receipt can be opened to one auditor.

use crate::error::refuse;
use crate::files::{params_dir, read_parsed, write_output};
use crate::progress::{Progress, Unit};
use crate::Result;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use veil_circuits::statements::totals::{
    BatchPublic, BatchWitness, Period, Receipt, Sale, TotalsShape, SELLER_BITS,
};
use veil_circuits::statements::DisclosureTotals;
use veil_circuits::statements::Shape as _;
use veil_circuits::Fr;
use veil_ledger::Store;
use veil_prover::backend::groth16::Groth16Prover;
use veil_verifier::totals::{verify_report, ReceiptOpening, Report, Totals, REPORT_VERSION};

/// Default band edges (in the currency's smallest unit): [0, 10), [10, 100), [100, 1000),
/// [1000, inf) units.
pub const DEFAULT_EDGES: [u64; 3] = [1_000, 10_000, 100_000];

/// The field value a listing id settles under (the same encoding licences use).
pub fn listing_value(listing_id: &str) -> Fr {
    veil_circuits::statements::usage::listing_field(listing_id)
}

/// Settles one sale of `listing_id` by `seller` (a fresh buyer tag and blinding); returns its
/// receipt and the new receipt root.
pub fn settle(
    store: &dyn Store,
    seller: u64,
    listing_id: &str,
    amount: u64,
    time: u64,
) -> Result<(Receipt, Fr)> {
    let mut rng = rand::rngs::OsRng;
    let sale = Sale {
        listing: listing_value(listing_id),
        seller,
        buyer_tag: Fr::from(rng.gen::<u128>()),
        amount,
        time,
        salt: Fr::from(rng.gen::<u128>()),
    };
    let (mut receipts, root) = store.settle(&[sale])?;
    Ok((receipts.remove(0), root))
}

/// Settles `receipts` random sales over sellers `0..sellers`, one a minute from `start`
/// (seeded: the same arguments make the same ledger), in transactions of
/// [`SIMULATE_CHUNK`] sales, reporting each. Returns the receipt root.
pub fn simulate(
    store: &dyn Store,
    receipts: u64,
    sellers: u64,
    start: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Fr> {
    if sellers == 0 || sellers > 1 << SELLER_BITS {
        refuse!("sellers must be in 1..={}", 1u64 << SELLER_BITS);
    }
    // A seller's sales go forward in time: refuse up front, saying what start would do.
    let mut last = None;
    for s in store.sellers()?.into_iter().filter(|&s| s < sellers) {
        let t = store.receipts_of(s)?.last().map(|r| r.time);
        last = last.max(t);
    }
    if let Some(t) = last.filter(|&t| t > start) {
        refuse!(
            "the ledger already has sales up to time {t}, after the start {start}; simulate \
             later sales with a start of at least {t} (e.g. start {})",
            t + 60
        );
    }
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let sales = Sale::simulated(&mut rng, receipts, sellers, start);
    progress.start("settling sales", receipts, Unit::Items);
    let mut root = store.receipt_root()?;
    for (k, chunk) in sales.chunks(SIMULATE_CHUNK).enumerate() {
        root = store.settle(chunk)?.1;
        progress.set(((k * SIMULATE_CHUNK + chunk.len()) as u64).min(receipts));
    }
    progress.finish();
    Ok(root)
}

/// Sales per transaction in [`simulate`].
pub const SIMULATE_CHUNK: usize = 250;

/// What a seller asks to prove.
#[derive(Clone, Debug)]
pub struct ReportRequest {
    /// Seller id.
    pub seller: u64,
    /// Period start, Unix seconds (inclusive).
    pub from: u64,
    /// Period end, Unix seconds (exclusive).
    pub to: u64,
    /// Receipts per batch proof.
    pub batch: usize,
    /// Price band edges, increasing.
    pub edges: Vec<u64>,
}

impl ReportRequest {
    /// Checks the request before the ledger is read: the batch shape, the period and the band
    /// edges. Proving runs it first; the service checks a report job with it before queueing.
    pub fn validate(&self) -> Result<TotalsShape> {
        let shape = TotalsShape {
            batch: self.batch,
            edges: self.edges.len(),
        };
        shape.validate()?;
        if self.from > self.to {
            refuse!(
                "the period ends (to = {}) before it starts (from = {})",
                self.to,
                self.from
            );
        }
        if self.edges.windows(2).any(|w| w[0] >= w[1]) {
            refuse!("band edges {:?} are not increasing", self.edges);
        }
        Ok(shape)
    }
}

/// Proves a period report from the ledger (batches in parallel, progress per batch proved)
/// and writes it to `out`.
pub fn prove_report(
    store: &dyn Store,
    req: &ReportRequest,
    params: Option<PathBuf>,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Report> {
    let shape = req.validate()?;
    let backend = crate::provers::backend(params_dir(params));
    let (prover, _) = backend.prover::<DisclosureTotals>(&shape)?;
    let (period, batches) =
        store.report_batches(&shape, req.seller, req.from, req.to, &req.edges)?;
    let report = prove_batches(&prover, &shape, period, batches, progress)?;
    write_output(out, &report.to_json())?;
    Ok(report)
}

/// Proves a period's batches (each already checked natively by the ledger) into a report, in
/// parallel, reporting each batch proved.
pub fn prove_batches(
    prover: &Groth16Prover,
    shape: &TotalsShape,
    period: Period,
    batches: Vec<(BatchPublic, BatchWitness)>,
    progress: &dyn Progress,
) -> Result<Report> {
    progress.start("proving batches", batches.len() as u64, Unit::Items);
    let done = AtomicU64::new(0);
    // One proof per worker at a time. Handing rayon every batch at once lets a worker that
    // waits inside one proof's MSM steal the next batch, so all proofs run interleaved: memory
    // grows with the period (3.5 GB for 157 batches of 64) and none finishes until the end.
    let width = rayon::current_num_threads().max(1);
    let mut envelopes = Vec::with_capacity(batches.len());
    let mut batches = batches.into_iter();
    loop {
        crate::progress::check(progress)?;
        let wave: Vec<_> = batches.by_ref().take(width).collect();
        if wave.is_empty() {
            break;
        }
        let proved = wave
            .into_par_iter()
            .map(|(public, witness)| {
                let env = prover.prove_statement::<DisclosureTotals, _>(
                    shape,
                    public,
                    witness,
                    &mut rand::rngs::OsRng,
                )?;
                progress.set(done.fetch_add(1, Ordering::Relaxed) + 1);
                Ok(env)
            })
            .collect::<Result<Vec<_>>>()?;
        envelopes.extend(proved);
    }
    progress.finish();
    Ok(Report {
        veil: REPORT_VERSION,
        kind: "totals-report".into(),
        period,
        batch: shape.batch,
        batches: envelopes,
    })
}

/// Reads a report file.
pub fn load_report(path: &Path) -> Result<Report> {
    read_parsed(path, "report", Report::from_json)
}

/// What an auditor expects a report to be: for this seller and period, against this root.
#[derive(Clone, Copy, Debug)]
pub struct Expected {
    /// The receipt root the marketplace published.
    pub root: Fr,
    /// The seller.
    pub seller: u64,
    /// Period start (inclusive).
    pub from: u64,
    /// Period end (exclusive).
    pub to: u64,
}

impl Expected {
    /// Refuses a report for another seller or period than the auditor asked for ("this" names
    /// the report; callers put its path there).
    pub(crate) fn is_for(&self, p: &Period) -> Result<()> {
        let Expected {
            seller, from, to, ..
        } = *self;
        if (p.seller, p.t0, p.t1) != (seller, from, to) {
            refuse!(
                "mismatch: this is a report for seller {}, period [{}, {}); you asked for seller {seller}, [{from}, {to})",
                p.seller,
                p.t0,
                p.t1
            );
        }
        Ok(())
    }
}

/// Verifies a report file against what the auditor expects; returns it and its totals.
pub fn verify(
    path: &Path,
    expected: Expected,
    params: Option<PathBuf>,
) -> Result<(Report, Totals)> {
    let r = load_report(path)?;
    let t = verify_value(&r, expected, params).map_err(|e| match e {
        crate::EngineError::Refused(m) => {
            crate::EngineError::Refused(m.replacen("this", &path.display().to_string(), 1))
        }
        other => other,
    })?;
    Ok((r, t))
}

/// Verifies a report against what the auditor expects; returns its totals.
pub fn verify_value(r: &Report, expected: Expected, params: Option<PathBuf>) -> Result<Totals> {
    expected.is_for(&r.period)?;
    let (vk, _) = veil_verifier::params::load_shape_key(&params_dir(params), &r.shape())?;
    Ok(verify_report(
        r,
        &veil_verifier::groth16::prepare(&vk),
        Some(expected.root),
    )?)
}

/// Opens receipt `seq` of `seller` (its path to the current root) into `out`.
pub fn disclose(store: &dyn Store, seller: u64, seq: u64, out: &Path) -> Result<ReceiptOpening> {
    let (r, path, root) = store.disclose(seller, seq)?;
    let opening = ReceiptOpening::new(r, path, root);
    write_output(out, &opening.to_json())?;
    Ok(opening)
}

/// Checks an opening file against the root the auditor trusts; returns the receipt.
pub fn check_disclosure(path: &Path, root: Fr) -> Result<Receipt> {
    read_parsed(path, "opening", |t| {
        ReceiptOpening::from_json(t)?.check(root)
    })
}
