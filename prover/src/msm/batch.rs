//! What every bucket accumulator shares, the portable one ([`pippenger`](super::pippenger))
//! and the eight-lane one (`ifma`): how many additions a batch takes, and where a bucket that
//! stays busy batch after batch spills.

use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ff::Zero;

/// Additions per batch: large enough to amortise the inversion, small enough that few points
/// find their bucket busy.
pub fn batch_size(buckets: usize) -> usize {
    (buckets / 2).clamp(4, 256)
}

/// Projective overflow per bucket, made on first need: where points for a bucket that is busy
/// batch after batch go.
pub struct Spill<P: SWCurveConfig> {
    buckets: usize,
    sums: Option<Vec<Projective<P>>>,
}

impl<P: SWCurveConfig> Spill<P> {
    /// Nothing spilled yet, for `buckets` buckets.
    pub fn new(buckets: usize) -> Self {
        Spill {
            buckets,
            sums: None,
        }
    }

    /// Adds `point` to `bucket`'s overflow.
    pub fn add(&mut self, bucket: usize, point: &Affine<P>) {
        let n = self.buckets;
        self.sums.get_or_insert_with(|| vec![Projective::zero(); n])[bucket] += point;
    }

    /// `running += ` what spilled into `bucket`.
    pub fn add_to(&self, bucket: usize, running: &mut Projective<P>) {
        if let Some(sums) = &self.sums {
            *running += &sums[bucket];
        }
    }
}
