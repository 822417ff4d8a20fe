//! Disclosure totals at the doors.

use super::{BenchRun, BenchSize, Registered};
use crate::bench::{measure_aggregate, totals_chain, totals_shape, BenchRecord, MAX_BATCH};
use crate::error::refuse;
use crate::progress::check;
use crate::setup::keys::{SetupDone, SetupJob, ShapeOptions, DEFAULT_BATCH};
use crate::Result;
use veil_circuits::statements::totals::TotalsShape;
use veil_circuits::statements::{DisclosureTotals, Statement};

/// The totals entry.
pub(super) struct Totals;

impl Registered for Totals {
    fn name(&self) -> &'static str {
        DisclosureTotals::NAME
    }
    fn summary(&self) -> &'static str {
        "one batch of a period report: counts, sums, fees and price bands over committed receipts"
    }
    fn shape_options(&self) -> &'static [&'static str] {
        &["batch", "edges"]
    }
    fn setup(&self, opts: &ShapeOptions, job: SetupJob<'_>) -> Result<SetupDone> {
        let shape = TotalsShape {
            batch: opts.batch.unwrap_or(DEFAULT_BATCH),
            edges: opts.edges.unwrap_or(crate::audit::DEFAULT_EDGES.len()),
        };
        job.at::<DisclosureTotals>(&shape)
    }
    fn bench_case(&self) -> &'static str {
        "one full batch of B receipts, 3 band edges"
    }
    fn bench_size(&self) -> Option<BenchSize> {
        Some(BenchSize {
            letter: "B",
            default: 16,
        })
    }
    fn bench_validate(&self, size: usize) -> Result<()> {
        if size > MAX_BATCH {
            refuse!("a totals benchmark takes batches of at most {MAX_BATCH}, not {size}");
        }
        Ok(DisclosureTotals::validate(&totals_shape(size))?)
    }
    fn bench(&self, size: usize, run: &BenchRun<'_>) -> Result<Vec<BenchRecord>> {
        // A chain ends with the batch after its last receipt: `B` receipts make one full batch
        // and an empty one, `n × B - 1` receipts `n` batches (proving costs the same however
        // full a batch is).
        let sales = match run.plan.aggregate {
            0 => size,
            n => n * size - 1,
        };
        let (shape, chain) = totals_chain(size, sales, run.scratch)?;
        let (public, witness) = chain[0].clone();
        let mut records = run.measure::<DisclosureTotals>(&shape, public, witness)?;
        if run.plan.aggregate > 0 {
            check(run.progress)?;
            records.extend(measure_aggregate(&shape, chain, run.progress)?);
        }
        Ok(records)
    }
}
