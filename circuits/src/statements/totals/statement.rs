//! [`DisclosureTotals`]: one batch of an audit report behind the one interface every backend,
//! key store and door uses ([`Statement`], and [`R1csStatement`] for Groth16).

use super::{check_batch, BatchPublic, BatchWitness, TotalsShape, NAME};
#[cfg(feature = "r1cs")]
use crate::statements::R1csStatement;
use crate::statements::Statement;
use crate::{Fr, Result};

/// One batch (a chain link) of an audit report.
#[derive(Clone, Copy, Debug)]
pub struct DisclosureTotals;

impl Statement for DisclosureTotals {
    type Shape = TotalsShape;
    type Public = BatchPublic;
    type Witness = BatchWitness;
    const NAME: &'static str = NAME;
    fn key_id(shape: &Self::Shape) -> String {
        shape.id()
    }
    fn validate(shape: &Self::Shape) -> Result<()> {
        shape.validate()
    }
    fn public_inputs(public: &Self::Public) -> Vec<Fr> {
        public.to_field_elements()
    }
    fn check(shape: &Self::Shape, public: &Self::Public, witness: &Self::Witness) -> Result<()> {
        check_batch(shape, public, witness)
    }
}

#[cfg(feature = "r1cs")]
impl R1csStatement for DisclosureTotals {
    type Circuit = super::TotalsCircuit;
    fn circuit(shape: &Self::Shape, public: Self::Public, witness: Self::Witness) -> Self::Circuit {
        super::TotalsCircuit {
            shape: *shape,
            public,
            witness,
        }
    }
    fn blank(shape: &Self::Shape) -> Self::Circuit {
        super::TotalsCircuit::blank(*shape)
    }
}
