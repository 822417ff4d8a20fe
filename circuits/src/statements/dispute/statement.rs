//! [`DeliveryDispute`]: the dispute behind the one interface every backend, key store and door
//! uses ([`Statement`]; its R1CS circuit is in `circuit.rs`).

use super::{check, DisputePublic, DisputeWitness, MAX_ELEMENTS, NAME};
use crate::statements::{Shape, Statement};
use crate::{Error, Result};

/// The shape of a dispute: the delivery's elements per record `W`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisputeShape {
    /// Elements per record.
    pub elements: u32,
}

impl Shape for DisputeShape {
    fn id(&self) -> String {
        format!("{NAME}-w{}", self.elements)
    }

    fn validate(&self) -> Result<()> {
        if self.elements == 0 || self.elements > MAX_ELEMENTS {
            return Err(Error::InvalidParameter(format!(
                "a record of {} elements is not in 1..={MAX_ELEMENTS}",
                self.elements
            )));
        }
        Ok(())
    }
}

/// A buyer's dispute about one record of an encrypted delivery.
#[derive(Clone, Copy, Debug)]
pub struct DeliveryDispute;

impl Statement for DeliveryDispute {
    type Shape = DisputeShape;
    type Public = DisputePublic;
    type Witness = DisputeWitness;
    const NAME: &'static str = NAME;
    fn check(shape: &DisputeShape, public: &DisputePublic, witness: &DisputeWitness) -> Result<()> {
        check(shape, public, witness)
    }
}
