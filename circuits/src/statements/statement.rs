//! One interface over every statement, so that backends, key stores, the engine and the shared
//! tests handle them alike: a name, shapes with key ids, public inputs as field elements in the
//! order every backend and the Noir twin use, and the native relation (the source of truth).
//! Each statement implements it in its own folder (`preview/statement.rs`, ...).

use crate::{Fr, Result};
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
            Err(crate::Error::Unsatisfied(r)) => {
                assert!(r.contains(reason), "{name}: refused for {r:?}")
            }
            other => panic!("{name}: expected a refusal for {reason:?}, got {other:?}"),
        }
        crate::lying::Synthesised::new(S::circuit(shape, p, w)).assert_broken_by(rule, name);
    }
}
