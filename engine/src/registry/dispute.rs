//! The delivery dispute at the doors.

use super::{BenchRun, BenchSize, Registered};
use crate::bench::{dispute_fixture, BenchRecord};
use crate::setup::keys::{SetupDone, SetupJob, ShapeOptions};
use crate::Result;
use veil_circuits::statements::{DeliveryDispute, DisputeShape, Statement};

/// Elements per record a dispute is set up for unless said otherwise (records of up to 244
/// bytes: short CSV rows).
pub const DEFAULT_ELEMENTS: u32 = 8;

/// The dispute entry.
pub(super) struct Dispute;

impl Registered for Dispute {
    fn name(&self) -> &'static str {
        DeliveryDispute::NAME
    }
    fn summary(&self) -> &'static str {
        "a delivery dispute: what one record of an encrypted delivery decrypts to under the \
         listing's key, the key hidden"
    }
    fn shape_options(&self) -> &'static [&'static str] {
        &["elements"]
    }
    fn setup(&self, opts: &ShapeOptions, job: SetupJob<'_>) -> Result<SetupDone> {
        let elements = opts.elements.unwrap_or(DEFAULT_ELEMENTS);
        job.at::<DeliveryDispute>(&DisputeShape { elements })
    }
    fn bench_case(&self) -> &'static str {
        "a record of W elements (31 W bytes)"
    }
    fn bench_size(&self) -> Option<BenchSize> {
        Some(BenchSize {
            letter: "W",
            default: DEFAULT_ELEMENTS as usize,
        })
    }
    fn bench_validate(&self, size: usize) -> Result<()> {
        let elements = u32::try_from(size).unwrap_or(u32::MAX);
        Ok(DeliveryDispute::validate(&DisputeShape { elements })?)
    }
    fn bench(&self, size: usize, run: &BenchRun<'_>) -> Result<Vec<BenchRecord>> {
        let (shape, public, witness) = dispute_fixture(size)?;
        run.measure::<DeliveryDispute>(&shape, public, witness)
    }
}
