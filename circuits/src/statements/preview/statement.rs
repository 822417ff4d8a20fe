//! [`PreviewMembership`]: the preview statement behind the one interface every backend, key
//! store and door uses ([`Statement`]; its R1CS circuit is in `circuit.rs`).

use super::{check, PreviewPublic, PreviewShape, PreviewWitness, NAME};
use crate::statements::Statement;
use crate::Result;

/// Sample-to-dataset membership (a preview).
#[derive(Clone, Copy, Debug)]
pub struct PreviewMembership;

impl Statement for PreviewMembership {
    type Shape = PreviewShape;
    type Public = PreviewPublic;
    type Witness = PreviewWitness;
    const NAME: &'static str = NAME;
    fn check(shape: &PreviewShape, public: &PreviewPublic, witness: &PreviewWitness) -> Result<()> {
        check(shape, public, witness)
    }
}
