//! [`UsageCall`] and [`UsageTier`]: the metered call and the billing tier behind the one
//! interface every backend, key store and door uses ([`Statement`], and [`R1csStatement`] for
//! Groth16), with their shapes.

use super::{check_call, check_tier, CallPublic, CallWitness, TierPublic, TierWitness};
use super::{CALL, CALLS_TREE_DEPTH, TIER};
use crate::statements::{Shape, Statement};
use crate::{Error, Result};

/// The shape of a usage call: the licence tree's depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallShape {
    /// Licence-tree depth.
    pub depth: u32,
}

impl Shape for CallShape {
    fn id(&self) -> String {
        format!("{CALL}-d{}", self.depth)
    }

    fn validate(&self) -> Result<()> {
        if self.depth == 0 || self.depth > crate::merkle::MAX_DEPTH {
            return Err(Error::InvalidParameter(format!(
                "licence depth {} is not in 1..={}",
                self.depth,
                crate::merkle::MAX_DEPTH
            )));
        }
        Ok(())
    }
}

/// A metered call.
#[derive(Clone, Copy, Debug)]
pub struct UsageCall;

impl Statement for UsageCall {
    type Shape = CallShape;
    type Public = CallPublic;
    type Witness = CallWitness;
    const NAME: &'static str = CALL;
    fn check(shape: &CallShape, call: &CallPublic, witness: &CallWitness) -> Result<()> {
        check_call(shape.depth, call, witness)
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

impl Shape for TierShape {
    fn id(&self) -> String {
        format!("{TIER}-d{}", self.calls_depth)
    }

    fn validate(&self) -> Result<()> {
        if *self != TierShape::default() {
            return Err(Error::InvalidParameter(format!(
                "the calls tree has depth {CALLS_TREE_DEPTH}, not {}",
                self.calls_depth
            )));
        }
        Ok(())
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
    fn check(shape: &TierShape, public: &TierPublic, witness: &TierWitness) -> Result<()> {
        shape.validate()?;
        check_tier(public, witness)
    }
}
