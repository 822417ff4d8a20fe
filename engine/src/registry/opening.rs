//! The ciphertext opening at the doors.

use super::{BenchRun, BenchSize, Registered};
use crate::bench::{opening_fixture, BenchRecord};
use crate::setup::keys::{SetupDone, SetupJob, ShapeOptions, DEFAULT_SAMPLES};
use crate::Result;
use veil_circuits::statements::{CiphertextOpening, OpeningShape, Statement};

/// Elements per record a benchmark opens (two columns of four, one revealed).
pub const BENCH_ELEMENTS: u32 = 8;

/// The opening entry.
pub(super) struct Opening;

impl Registered for Opening {
    fn name(&self) -> &'static str {
        CiphertextOpening::NAME
    }
    fn summary(&self) -> &'static str {
        "a ciphertext opening: a preview's revealed cells read from the encrypted delivery on \
         offer, under the listing's key, the redacted ones hidden"
    }
    fn shape_options(&self) -> &'static [&'static str] {
        &["samples", "elements"]
    }
    fn setup(&self, opts: &ShapeOptions, job: SetupJob<'_>) -> Result<SetupDone> {
        job.at::<CiphertextOpening>(&OpeningShape {
            samples: opts.samples.unwrap_or(DEFAULT_SAMPLES),
            elements: opts.elements.unwrap_or(super::DEFAULT_ELEMENTS),
        })
    }
    fn bench_case(&self) -> &'static str {
        "K sampled records of 8 elements, half of them revealed"
    }
    fn bench_size(&self) -> Option<BenchSize> {
        Some(BenchSize {
            letter: "K",
            default: DEFAULT_SAMPLES,
        })
    }
    fn bench_validate(&self, size: usize) -> Result<()> {
        Ok(CiphertextOpening::validate(&OpeningShape {
            samples: size,
            elements: BENCH_ELEMENTS,
        })?)
    }
    fn bench(&self, size: usize, run: &BenchRun<'_>) -> Result<Vec<BenchRecord>> {
        let (shape, public, witness) = opening_fixture(size, BENCH_ELEMENTS)?;
        run.measure::<CiphertextOpening>(&shape, public, witness)
    }
}
