//! [`CiphertextOpening`] behind the one interface every backend, key store and door uses
//! ([`Statement`]; its R1CS circuit is in `circuit.rs`).

use super::{check, OpeningPublic, OpeningWitness, NAME};
use crate::dataset::encrypted::file::MAX_RECORD_ELEMENTS;
use crate::statements::preview::MAX_SAMPLES;
use crate::statements::{Shape, Statement};
use crate::{Error, Result};

/// The shape of an opening: samples `K` and elements per record `W`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningShape {
    /// Samples.
    pub samples: usize,
    /// Elements per record.
    pub elements: u32,
}

impl Shape for OpeningShape {
    fn id(&self) -> String {
        format!("{NAME}-k{}-w{}", self.samples, self.elements)
    }

    fn validate(&self) -> Result<()> {
        if self.samples == 0 || self.samples > MAX_SAMPLES {
            return Err(Error::InvalidParameter(format!(
                "samples {} is not in 1..={MAX_SAMPLES}",
                self.samples
            )));
        }
        if self.elements == 0 || self.elements > MAX_RECORD_ELEMENTS {
            return Err(Error::InvalidParameter(format!(
                "a record of {} elements is not in 1..={MAX_RECORD_ELEMENTS}",
                self.elements
            )));
        }
        Ok(())
    }
}

/// The opening of a preview's revealed columns in an encrypted delivery.
#[derive(Clone, Copy, Debug)]
pub struct CiphertextOpening;

impl Statement for CiphertextOpening {
    type Shape = OpeningShape;
    type Public = OpeningPublic;
    type Witness = OpeningWitness;
    const NAME: &'static str = NAME;
    fn check(shape: &OpeningShape, public: &OpeningPublic, witness: &OpeningWitness) -> Result<()> {
        check(shape, public, witness)
    }
}
