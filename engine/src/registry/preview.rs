//! Sample-to-dataset membership at the doors.

use super::{BenchRun, BenchSize, Registered};
use crate::bench::{preview_fixture, preview_shape, BenchRecord, MAX_SAMPLES};
use crate::dataset::load_listing;
use crate::error::refuse;
use crate::setup::keys::{SetupDone, SetupJob, ShapeOptions, DEFAULT_SAMPLES};
use crate::Result;
use veil_circuits::statements::preview::PreviewShape;
use veil_circuits::statements::{PreviewMembership, Statement};

/// The preview entry.
pub(super) struct Preview;

impl Registered for Preview {
    fn name(&self) -> &'static str {
        PreviewMembership::NAME
    }
    fn summary(&self) -> &'static str {
        "sample rows of a committed dataset, picked by the buyer's challenge, some columns revealed"
    }
    fn shape_options(&self) -> &'static [&'static str] {
        &["listing", "depth", "samples", "columns"]
    }
    fn setup(&self, opts: &ShapeOptions, job: SetupJob<'_>) -> Result<SetupDone> {
        let (depth, columns) = match (&opts.listing, opts.columns) {
            (Some(l), _) => {
                let l = load_listing(l)?;
                (l.depth, l.schema.columns.len())
            }
            (None, Some(c)) => (
                opts.depth.unwrap_or(veil_circuits::dataset::DEFAULT_DEPTH),
                c,
            ),
            (None, None) => {
                refuse!("give --columns, or --listing to take depth and columns from a listing")
            }
        };
        let shape = PreviewShape {
            depth,
            samples: opts.samples.unwrap_or(DEFAULT_SAMPLES),
            columns,
        };
        job.at::<PreviewMembership>(&shape)
    }
    fn bench_case(&self) -> &'static str {
        "K samples of a depth-20, 3-column dataset"
    }
    fn bench_size(&self) -> Option<BenchSize> {
        Some(BenchSize {
            letter: "K",
            default: 1,
        })
    }
    fn bench_validate(&self, size: usize) -> Result<()> {
        if !(1..=MAX_SAMPLES).contains(&size) {
            refuse!("a preview benchmark takes 1 to {MAX_SAMPLES} samples, not {size}");
        }
        Ok(PreviewMembership::validate(&preview_shape(size))?)
    }
    fn bench(&self, size: usize, run: &BenchRun<'_>) -> Result<Vec<BenchRecord>> {
        let (shape, public, witness) = preview_fixture(size)?;
        run.measure::<PreviewMembership>(&shape, public, witness)
    }
}
