//! [`Settlement`]: one sale's settlement behind the one interface every backend and door uses
//! ([`Statement`]; proven by its Noir twin, it has no R1CS circuit).

use super::{settle, SettlementOutputs, SettlementPublic, SettlementWitness, NAME};
use crate::statements::{PublicInputs, Shape, Statement};
use crate::{Error, Fr, Result};

/// The shape of settlement: none (one circuit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NoShape {}

impl Shape for NoShape {
    fn id(&self) -> String {
        NAME.to_string()
    }

    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// The settlement inputs followed by the outputs the relation computes.
impl PublicInputs for (SettlementPublic, SettlementOutputs) {
    fn to_field_elements(&self) -> Vec<Fr> {
        let (public, outputs) = self;
        let mut v = public.to_field_elements();
        v.extend(outputs.to_field_elements());
        v
    }
}

/// One sale's settlement (proven by its Noir twin on Aztec). Its public inputs are the
/// settlement inputs followed by the outputs the relation computes.
#[derive(Clone, Copy, Debug)]
pub struct Settlement;

impl Statement for Settlement {
    type Shape = NoShape;
    type Public = (SettlementPublic, SettlementOutputs);
    type Witness = SettlementWitness;
    const NAME: &'static str = NAME;
    fn check(_: &Self::Shape, (public, outputs): &Self::Public, w: &Self::Witness) -> Result<()> {
        let (got, _) = settle(public, w)?;
        if got != *outputs {
            return Err(Error::Unsatisfied(
                "the outputs are not the ones the settlement computes".into(),
            ));
        }
        Ok(())
    }
}
