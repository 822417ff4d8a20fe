//! The metered call and the billing tier at the doors.

use super::{BenchRun, BenchSize, Registered};
use crate::bench::{call_fixture, tier_fixture, BenchRecord};
use crate::setup::keys::{SetupDone, SetupJob, ShapeOptions};
use crate::Result;
use veil_circuits::statements::usage::DEFAULT_LICENCE_DEPTH;
use veil_circuits::statements::{CallShape, Statement, TierShape, UsageCall, UsageTier};

/// The usage-call entry.
pub(super) struct Call;

impl Registered for Call {
    fn name(&self) -> &'static str {
        UsageCall::NAME
    }
    fn summary(&self) -> &'static str {
        "a metered call: a valid licence and an unused counter slot below its quota (a nullifier)"
    }
    fn shape_options(&self) -> &'static [&'static str] {
        &["depth"]
    }
    fn setup(&self, opts: &ShapeOptions, job: SetupJob<'_>) -> Result<SetupDone> {
        let depth = opts.depth.unwrap_or(DEFAULT_LICENCE_DEPTH);
        job.at::<UsageCall>(&CallShape { depth })
    }
    fn bench_case(&self) -> &'static str {
        "licence tree of depth D"
    }
    fn bench_size(&self) -> Option<BenchSize> {
        Some(BenchSize {
            letter: "D",
            default: DEFAULT_LICENCE_DEPTH as usize,
        })
    }
    fn bench_validate(&self, size: usize) -> Result<()> {
        let depth = u32::try_from(size).unwrap_or(u32::MAX);
        Ok(UsageCall::validate(&CallShape { depth })?)
    }
    fn bench(&self, size: usize, run: &BenchRun<'_>) -> Result<Vec<BenchRecord>> {
        let (shape, public, witness) = call_fixture(size)?;
        run.measure::<UsageCall>(&shape, public, witness)
    }
}

/// The usage-tier entry.
pub(super) struct Tier;

impl Registered for Tier {
    fn name(&self) -> &'static str {
        UsageTier::NAME
    }
    fn summary(&self) -> &'static str {
        "a billing tier: an epoch's committed calls number within [lo, hi), the count hidden"
    }
    fn shape_options(&self) -> &'static [&'static str] {
        &[]
    }
    fn setup(&self, _: &ShapeOptions, job: SetupJob<'_>) -> Result<SetupDone> {
        job.at::<UsageTier>(&TierShape::default())
    }
    fn bench_case(&self) -> &'static str {
        "an epoch of 1,234 calls"
    }
    fn bench_size(&self) -> Option<BenchSize> {
        None
    }
    fn bench_validate(&self, _: usize) -> Result<()> {
        Ok(())
    }
    fn bench(&self, _: usize, run: &BenchRun<'_>) -> Result<Vec<BenchRecord>> {
        let (shape, public, witness) = tier_fixture()?;
        run.measure::<UsageTier>(&shape, public, witness)
    }
}
