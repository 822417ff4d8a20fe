//! [`PreviewMembership`]: the preview statement behind the one interface every backend, key
//! store and door uses ([`Statement`], and [`R1csStatement`] for Groth16).

use super::{check, PreviewPublic, PreviewShape, PreviewWitness, NAME};
#[cfg(feature = "r1cs")]
use crate::statements::R1csStatement;
use crate::statements::Statement;
use crate::{Fr, Result};

/// Sample-to-dataset membership (a preview).
#[derive(Clone, Copy, Debug)]
pub struct PreviewMembership;

impl Statement for PreviewMembership {
    type Shape = PreviewShape;
    type Public = PreviewPublic;
    type Witness = PreviewWitness;
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
        check(shape, public, witness)
    }
}

#[cfg(feature = "r1cs")]
impl R1csStatement for PreviewMembership {
    type Circuit = super::PreviewCircuit;
    fn circuit(shape: &Self::Shape, public: Self::Public, witness: Self::Witness) -> Self::Circuit {
        super::PreviewCircuit {
            shape: *shape,
            public,
            witness,
        }
    }
    fn blank(shape: &Self::Shape) -> Self::Circuit {
        super::PreviewCircuit::blank(*shape)
    }
}
