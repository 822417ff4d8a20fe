//! [`UsageCall`] and [`UsageTier`]: the metered call and the billing tier behind the one
//! interface every backend, key store and door uses ([`Statement`], and [`R1csStatement`] for
//! Groth16), with their shapes.

use super::{check_call, check_tier, CallPublic, CallWitness, TierPublic, TierWitness};
use super::{CALL, CALLS_TREE_DEPTH, TIER};
#[cfg(feature = "r1cs")]
use crate::statements::R1csStatement;
use crate::statements::Statement;
use crate::{Error, Fr, Result};

/// The shape of a usage call: the licence tree's depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallShape {
    /// Licence-tree depth.
    pub depth: u32,
}

/// A metered call.
#[derive(Clone, Copy, Debug)]
pub struct UsageCall;

impl Statement for UsageCall {
    type Shape = CallShape;
    type Public = CallPublic;
    type Witness = CallWitness;
    const NAME: &'static str = CALL;
    fn key_id(shape: &Self::Shape) -> String {
        format!("{CALL}-d{}", shape.depth)
    }
    fn validate(shape: &Self::Shape) -> Result<()> {
        if shape.depth == 0 || shape.depth > crate::merkle::MAX_DEPTH {
            return Err(Error::InvalidParameter(format!(
                "licence depth {} is not in 1..={}",
                shape.depth,
                crate::merkle::MAX_DEPTH
            )));
        }
        Ok(())
    }
    fn public_inputs(public: &Self::Public) -> Vec<Fr> {
        public.to_field_elements()
    }
    fn check(shape: &Self::Shape, public: &Self::Public, witness: &Self::Witness) -> Result<()> {
        check_call(shape.depth, public, witness)
    }
}

/// The shape of a usage tier: the calls tree's depth (fixed, [`CALLS_TREE_DEPTH`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierShape {
    /// Calls-tree depth.
    pub calls_depth: u32,
}

impl Default for TierShape {
    fn default() -> Self {
        TierShape {
            calls_depth: CALLS_TREE_DEPTH,
        }
    }
}

/// A billing tier over an epoch's committed calls.
#[derive(Clone, Copy, Debug)]
pub struct UsageTier;

impl Statement for UsageTier {
    type Shape = TierShape;
    type Public = TierPublic;
    type Witness = TierWitness;
    const NAME: &'static str = TIER;
    fn key_id(shape: &Self::Shape) -> String {
        format!("{TIER}-d{}", shape.calls_depth)
    }
    fn validate(shape: &Self::Shape) -> Result<()> {
        if *shape != TierShape::default() {
            return Err(Error::InvalidParameter(format!(
                "the calls tree has depth {CALLS_TREE_DEPTH}, not {}",
                shape.calls_depth
            )));
        }
        Ok(())
    }
    fn public_inputs(public: &Self::Public) -> Vec<Fr> {
        public.to_field_elements()
    }
    fn check(shape: &Self::Shape, public: &Self::Public, witness: &Self::Witness) -> Result<()> {
        Self::validate(shape)?;
        check_tier(public, witness)
    }
}

#[cfg(feature = "r1cs")]
impl R1csStatement for UsageCall {
    type Circuit = super::CallCircuit;
    fn circuit(shape: &Self::Shape, public: Self::Public, witness: Self::Witness) -> Self::Circuit {
        super::CallCircuit {
            depth: shape.depth,
            public,
            witness,
        }
    }
    fn blank(shape: &Self::Shape) -> Self::Circuit {
        super::CallCircuit::blank(shape.depth)
    }
}

#[cfg(feature = "r1cs")]
impl R1csStatement for UsageTier {
    type Circuit = super::TierCircuit;
    fn circuit(_: &Self::Shape, public: Self::Public, witness: Self::Witness) -> Self::Circuit {
        super::TierCircuit { public, witness }
    }
    fn blank(_: &Self::Shape) -> Self::Circuit {
        super::TierCircuit::blank()
    }
}
