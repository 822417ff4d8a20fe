//! One interface over every statement, so that backends, key stores, the engine and the shared
//! tests handle them alike: a name, shapes with key ids, public inputs as field elements in the
//! order every backend and the Noir twin use, and the native relation (the source of truth).
//! Each statement implements it in its own folder (`preview/statement.rs`, ...).

use crate::{Fr, Result};
use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

/// What fixes a statement's circuit size: one key per shape.
pub trait Shape: Clone + Debug + PartialEq + Serialize + DeserializeOwned + Send + Sync {
    /// The key id, e.g. `preview-membership-d20-k8-m6` (file-name safe; it starts with the
    /// statement's name).
    fn id(&self) -> String;
    /// Checks that the shape is supported.
    fn validate(&self) -> Result<()>;
}

/// A statement's public inputs.
pub trait PublicInputs: Clone + Debug + PartialEq + Send + Sync {
    /// The field elements, in circuit order (every backend and the Noir twin use it).
    fn to_field_elements(&self) -> Vec<Fr>;
}

/// A statement Veil proves.
pub trait Statement {
    /// What fixes the circuit's size.
    type Shape: Shape;
    /// The public inputs.
    type Public: PublicInputs;
    /// The witness.
    type Witness: Clone + Debug + PartialEq + Send + Sync;
    /// Name in proof files and key manifests.
    const NAME: &'static str;
    /// The native relation: `Ok` exactly when the circuit is satisfiable for these values;
    /// an `Error::Unsatisfied` names the broken rule.
    fn check(shape: &Self::Shape, public: &Self::Public, witness: &Self::Witness) -> Result<()>;
    /// The key id of a shape, e.g. `preview-membership-d20-k8-m6`.
    fn key_id(shape: &Self::Shape) -> String {
        shape.id()
    }
    /// Checks that a shape is supported.
    fn validate(shape: &Self::Shape) -> Result<()> {
        shape.validate()
    }
    /// The public inputs as field elements, in circuit order.
    fn public_inputs(public: &Self::Public) -> Vec<Fr> {
        public.to_field_elements()
    }
}

/// A statement with an R1CS circuit (Groth16 proves these): how a shape's constraints are
/// written, and a placeholder assignment of the shape. Its circuit is [`Circuit<Self>`].
#[cfg(feature = "r1cs")]
pub trait R1csStatement: Statement + Sized {
    /// Writes the constraints of `circuit`'s shape, assigned `circuit`'s values. Public inputs
    /// are allocated in [`Statement::public_inputs`] order; an assignment of another shape is
    /// refused before any constraint.
    fn synthesize(
        circuit: Circuit<Self>,
        cs: ark_relations::gr1cs::ConstraintSystemRef<Fr>,
    ) -> std::result::Result<(), ark_relations::gr1cs::SynthesisError>;
    /// Placeholder values of the right lengths for a shape, for setup and for extracting the
    /// constraint matrices (they do not satisfy the constraints).
    fn placeholder(shape: &Self::Shape) -> (Self::Public, Self::Witness);
    /// The circuit with an assignment.
    fn circuit(shape: &Self::Shape, public: Self::Public, witness: Self::Witness) -> Circuit<Self> {
        Circuit {
            shape: shape.clone(),
            public,
            witness,
        }
    }
    /// The circuit of a shape with placeholder values.
    fn blank(shape: &Self::Shape) -> Circuit<Self> {
        let (public, witness) = Self::placeholder(shape);
        Self::circuit(shape, public, witness)
    }
}

/// The R1CS circuit of statement `S` at one shape, with an assignment.
#[cfg(feature = "r1cs")]
pub struct Circuit<S: Statement> {
    /// Shape.
    pub shape: S::Shape,
    /// Public inputs.
    pub public: S::Public,
    /// Witness.
    pub witness: S::Witness,
}

#[cfg(feature = "r1cs")]
impl<S: R1csStatement> Circuit<S> {
    /// The circuit of `shape` with placeholder values (see [`R1csStatement::placeholder`]).
    pub fn blank(shape: S::Shape) -> Self {
        S::blank(&shape)
    }
}

#[cfg(feature = "r1cs")]
impl<S: Statement> Clone for Circuit<S> {
    fn clone(&self) -> Self {
        Circuit {
            shape: self.shape.clone(),
            public: self.public.clone(),
            witness: self.witness.clone(),
        }
    }
}

#[cfg(feature = "r1cs")]
impl<S: Statement> Debug for Circuit<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(S::NAME)
            .field("shape", &self.shape)
            .field("public", &self.public)
            .field("witness", &self.witness)
            .finish()
    }
}

#[cfg(feature = "r1cs")]
impl<S: R1csStatement> ark_relations::gr1cs::ConstraintSynthesizer<Fr> for Circuit<S> {
    fn generate_constraints(
        self,
        cs: ark_relations::gr1cs::ConstraintSystemRef<Fr>,
    ) -> std::result::Result<(), ark_relations::gr1cs::SynthesisError> {
        S::synthesize(self, cs)
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
            Err(crate::Error::Unsatisfied(r)) => {
                assert!(r.contains(reason), "{name}: refused for {r:?}")
            }
            other => panic!("{name}: expected a refusal for {reason:?}, got {other:?}"),
        }
        crate::lying::Synthesised::new(S::circuit(shape, p, w)).assert_broken_by(rule, name);
    }
}
