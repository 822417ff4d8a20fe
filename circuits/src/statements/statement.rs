//! One interface over every statement, so that backends, key stores, the engine and the shared
//! tests handle them alike: a name, shapes with key ids, public inputs as field elements in the
//! order every backend and the Noir twin use, and the native relation (the source of truth).

use super::{preview, settlement, totals, usage};
use crate::{Error, Fr, Result};
use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

/// A statement Veil proves.
pub trait Statement {
    /// What fixes the circuit's size (one key per shape).
    type Shape: Clone + Debug + PartialEq + Serialize + DeserializeOwned + Send + Sync;
    /// The public inputs.
    type Public: Clone + Debug + PartialEq + Send + Sync;
    /// The witness.
    type Witness: Clone + Debug + PartialEq + Send + Sync;
    /// Name in proof files and key manifests.
    const NAME: &'static str;
    /// The key id of a shape, e.g. `preview-membership-d20-k8-m6`.
    fn key_id(shape: &Self::Shape) -> String;
    /// Checks that a shape is supported.
    fn validate(shape: &Self::Shape) -> Result<()>;
    /// The public inputs as field elements, in circuit order.
    fn public_inputs(public: &Self::Public) -> Vec<Fr>;
    /// The native relation: `Ok` exactly when the circuit is satisfiable for these values;
    /// an `Error::Unsatisfied` names the broken rule.
    fn check(shape: &Self::Shape, public: &Self::Public, witness: &Self::Witness) -> Result<()>;
}

/// Sample-to-dataset membership (a preview).
#[derive(Clone, Copy, Debug)]
pub struct PreviewMembership;

impl Statement for PreviewMembership {
    type Shape = preview::PreviewShape;
    type Public = preview::PreviewPublic;
    type Witness = preview::PreviewWitness;
    const NAME: &'static str = preview::NAME;
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
        preview::check(shape, public, witness)
    }
}

/// One batch (a chain link) of an audit report.
#[derive(Clone, Copy, Debug)]
pub struct DisclosureTotals;

impl Statement for DisclosureTotals {
    type Shape = totals::TotalsShape;
    type Public = totals::BatchPublic;
    type Witness = totals::BatchWitness;
    const NAME: &'static str = totals::NAME;
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
        totals::check_batch(shape, public, witness)
    }
}

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
    type Public = usage::CallPublic;
    type Witness = usage::CallWitness;
    const NAME: &'static str = usage::CALL;
    fn key_id(shape: &Self::Shape) -> String {
        format!("{}-d{}", usage::CALL, shape.depth)
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
        usage::check_call(shape.depth, public, witness)
    }
}

/// The shape of a usage tier: the calls tree's depth (fixed, [`usage::CALLS_TREE_DEPTH`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierShape {
    /// Calls-tree depth.
    pub calls_depth: u32,
}

impl Default for TierShape {
    fn default() -> Self {
        TierShape {
            calls_depth: usage::CALLS_TREE_DEPTH,
        }
    }
}

/// A billing tier over an epoch's committed calls.
#[derive(Clone, Copy, Debug)]
pub struct UsageTier;

impl Statement for UsageTier {
    type Shape = TierShape;
    type Public = usage::TierPublic;
    type Witness = usage::TierWitness;
    const NAME: &'static str = usage::TIER;
    fn key_id(shape: &Self::Shape) -> String {
        format!("{}-d{}", usage::TIER, shape.calls_depth)
    }
    fn validate(shape: &Self::Shape) -> Result<()> {
        if *shape != TierShape::default() {
            return Err(Error::InvalidParameter(format!(
                "the calls tree has depth {}, not {}",
                usage::CALLS_TREE_DEPTH,
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
        usage::check_tier(public, witness)
    }
}

/// The shape of settlement: none (one circuit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NoShape {}

/// One sale's settlement (proven by its Noir twin on Aztec). Its public inputs are the
/// settlement inputs followed by the outputs the relation computes.
#[derive(Clone, Copy, Debug)]
pub struct Settlement;

impl Statement for Settlement {
    type Shape = NoShape;
    type Public = (settlement::SettlementPublic, settlement::SettlementOutputs);
    type Witness = settlement::SettlementWitness;
    const NAME: &'static str = settlement::NAME;
    fn key_id(_: &Self::Shape) -> String {
        settlement::NAME.to_string()
    }
    fn validate(_: &Self::Shape) -> Result<()> {
        Ok(())
    }
    fn public_inputs((public, outputs): &Self::Public) -> Vec<Fr> {
        let mut v = public.to_field_elements();
        v.extend(outputs.to_field_elements());
        v
    }
    fn check(_: &Self::Shape, (public, outputs): &Self::Public, w: &Self::Witness) -> Result<()> {
        let (got, _) = settlement::settle(public, w)?;
        if got != *outputs {
            return Err(Error::Unsatisfied(
                "the outputs are not the ones the settlement computes".into(),
            ));
        }
        Ok(())
    }
}

/// A statement with an R1CS circuit (Groth16 proves these).
#[cfg(feature = "r1cs")]
pub trait R1csStatement: Statement {
    /// The circuit.
    type Circuit: ark_relations::gr1cs::ConstraintSynthesizer<Fr> + Clone + Send;
    /// The circuit with an assignment.
    fn circuit(shape: &Self::Shape, public: Self::Public, witness: Self::Witness) -> Self::Circuit;
    /// The circuit of a shape with placeholder values (for setup and matrix extraction).
    fn blank(shape: &Self::Shape) -> Self::Circuit;
}

#[cfg(feature = "r1cs")]
mod r1cs {
    use super::*;

    impl R1csStatement for PreviewMembership {
        type Circuit = preview::PreviewCircuit;
        fn circuit(
            shape: &Self::Shape,
            public: Self::Public,
            witness: Self::Witness,
        ) -> Self::Circuit {
            preview::PreviewCircuit {
                shape: *shape,
                public,
                witness,
            }
        }
        fn blank(shape: &Self::Shape) -> Self::Circuit {
            preview::PreviewCircuit::blank(*shape)
        }
    }

    impl R1csStatement for DisclosureTotals {
        type Circuit = totals::TotalsCircuit;
        fn circuit(
            shape: &Self::Shape,
            public: Self::Public,
            witness: Self::Witness,
        ) -> Self::Circuit {
            totals::TotalsCircuit {
                shape: *shape,
                public,
                witness,
            }
        }
        fn blank(shape: &Self::Shape) -> Self::Circuit {
            totals::TotalsCircuit::blank(*shape)
        }
    }

    impl R1csStatement for UsageCall {
        type Circuit = usage::CallCircuit;
        fn circuit(
            shape: &Self::Shape,
            public: Self::Public,
            witness: Self::Witness,
        ) -> Self::Circuit {
            usage::CallCircuit {
                depth: shape.depth,
                public,
                witness,
            }
        }
        fn blank(shape: &Self::Shape) -> Self::Circuit {
            usage::CallCircuit::blank(shape.depth)
        }
    }

    impl R1csStatement for UsageTier {
        type Circuit = usage::TierCircuit;
        fn circuit(_: &Self::Shape, public: Self::Public, witness: Self::Witness) -> Self::Circuit {
            usage::TierCircuit { public, witness }
        }
        fn blank(_: &Self::Shape) -> Self::Circuit {
            usage::TierCircuit::blank()
        }
    }
}

/// A named edit of an honest assignment, (part of) the reason the native relation must give
/// when refusing it, and the circuit rule (namespace) whose constraint must be the first to
/// break.
#[cfg(any(test, feature = "fixtures"))]
pub type Mutation<S> = (
    &'static str,
    &'static str,
    &'static str,
    Box<dyn Fn(&mut <S as Statement>::Public, &mut <S as Statement>::Witness)>,
);

/// The shared negative test: `honest` satisfies the native relation and the circuit, and every
/// mutation breaks both, the native relation for its stated reason and the circuit first at a
/// constraint of its stated rule.
#[cfg(all(test, feature = "r1cs"))]
pub(crate) fn assert_mutations_refused<S: R1csStatement>(
    shape: &S::Shape,
    honest: &(S::Public, S::Witness),
    mutations: &[Mutation<S>],
) {
    let (p, w) = honest;
    S::check(shape, p, w).unwrap_or_else(|e| panic!("{}: honest refused: {e}", S::NAME));
    let honest_circuit = crate::lying::Synthesised::new(S::circuit(shape, p.clone(), w.clone()));
    assert_eq!(
        honest_circuit.broken(),
        None,
        "{}: honest circuit unsatisfied",
        S::NAME
    );
    for (name, reason, rule, edit) in mutations {
        let (mut p, mut w) = honest.clone();
        edit(&mut p, &mut w);
        match S::check(shape, &p, &w) {
            Err(Error::Unsatisfied(r)) => assert!(r.contains(reason), "{name}: refused for {r:?}"),
            other => panic!("{name}: expected a refusal for {reason:?}, got {other:?}"),
        }
        crate::lying::Synthesised::new(S::circuit(shape, p, w)).assert_broken_by(rule, name);
    }
}
