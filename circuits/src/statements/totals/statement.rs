//! [`DisclosureTotals`]: one batch of an audit report behind the one interface every backend,
//! key store and door uses ([`Statement`]; its R1CS circuit is in `circuit.rs`).

use super::{check_batch, BatchPublic, BatchWitness, TotalsShape, NAME};
use crate::statements::Statement;
use crate::Result;

/// One batch (a chain link) of an audit report.
#[derive(Clone, Copy, Debug)]
pub struct DisclosureTotals;

impl Statement for DisclosureTotals {
    const NAME: &'static str = NAME;
    type Shape = TotalsShape;
    type Public = BatchPublic;
    type Witness = BatchWitness;
    fn check(shape: &TotalsShape, batch: &BatchPublic, witness: &BatchWitness) -> Result<()> {
        check_batch(shape, batch, witness)
    }
}
