//! Tests a lying prover cannot pass: an honest synthesis whose witness a test may then set to
//! anything, checked against the constraint matrices, with the failing constraint named by
//! its namespace trace (`ns!` paths). A prover controls every witness variable, so each must be
//! *pinned*: changing any one of them alone must break a constraint. A variable that can
//! change freely is a degree of freedom the statement does not intend.

use crate::Fr;
use ark_relations::gr1cs::{
    predicate::polynomial_constraint::R1CS_PREDICATE_LABEL, ConstraintLayer, ConstraintSynthesizer,
    ConstraintSystem, Matrix,
};
use tracing_subscriber::layer::SubscriberExt;

/// Asserts that `circuit` refuses to synthesise at all (an assignment of another shape);
/// `what` names it in the failure.
pub fn assert_refused_before_synthesis<C: ConstraintSynthesizer<Fr>>(circuit: C, what: &str) {
    let r = circuit.generate_constraints(ConstraintSystem::<Fr>::new_ref());
    assert!(
        matches!(r, Err(ark_relations::gr1cs::SynthesisError::Unsatisfiable)),
        "{what}: {r:?}"
    );
}

/// A constraint's name: the `ns!` namespaces it was made in, outermost first, without the
/// library's own spans (`outer/inner/...`).
fn name_of(trace: &ark_relations::gr1cs::ConstraintTrace) -> String {
    let mut steps: Vec<&str> = trace
        .path()
        .iter()
        .filter(|s| !s.module_path.starts_with("ark_"))
        .map(|s| s.name)
        .collect();
    steps.reverse();
    steps.join("/")
}

/// An honest assignment of a circuit and its R1CS matrices.
pub struct Synthesised {
    /// `A, B, C`, rows indexed by constraint; columns: 1, instances, then witnesses.
    abc: Vec<Matrix<Fr>>,
    /// The full honest assignment `z = (1, x, w)`.
    z: Vec<Fr>,
    /// Index of the first witness in `z`.
    first_witness: usize,
    /// Constraint names (namespace traces), by row.
    names: Vec<String>,
    /// For every variable, the rows it appears in.
    rows_of: Vec<Vec<usize>>,
}

impl Synthesised {
    /// Synthesises `circuit` honestly, recording each constraint's namespace trace.
    pub fn new<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Self {
        let subscriber = tracing_subscriber::Registry::default().with(ConstraintLayer::default());
        tracing::subscriber::with_default(subscriber, || {
            let cs = ConstraintSystem::<Fr>::new_ref();
            circuit.generate_constraints(cs.clone()).expect("synthesis");
            cs.finalize();
            let abc = cs
                .to_matrices()
                .expect("matrices")
                .remove(R1CS_PREDICATE_LABEL)
                .expect("R1CS constraints");
            let mut z = cs.instance_assignment().expect("instances");
            let first_witness = z.len();
            z.extend(cs.witness_assignment().expect("witnesses"));
            let names = cs
                .borrow()
                .map(|inner| {
                    inner
                        .predicate_traces
                        .get(R1CS_PREDICATE_LABEL)
                        .map(|traces| {
                            traces
                                .iter()
                                .map(|t| t.as_ref().map_or_else(String::new, name_of))
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            let mut rows_of = vec![Vec::new(); z.len()];
            for m in &abc {
                for (row, terms) in m.iter().enumerate() {
                    for &(_, var) in terms {
                        if rows_of[var].last() != Some(&row) {
                            rows_of[var].push(row);
                        }
                    }
                }
            }
            let s = Synthesised {
                abc,
                z,
                first_witness,
                names,
                rows_of,
            };
            assert!(!s.abc[0].is_empty(), "a circuit with constraints");
            s
        })
    }

    /// The number of witness variables.
    pub fn num_witnesses(&self) -> usize {
        self.z.len() - self.first_witness
    }

    fn row_holds(&self, z: &[Fr], row: usize) -> bool {
        let eval = |m: &Matrix<Fr>| -> Fr { m[row].iter().map(|&(c, v)| c * z[v]).sum() };
        eval(&self.abc[0]) * eval(&self.abc[1]) == eval(&self.abc[2])
    }

    fn name(&self, row: usize) -> String {
        match self.names.get(row).filter(|n| !n.is_empty()) {
            Some(name) => format!("constraint {row}: {name}"),
            None => format!("constraint {row}"),
        }
    }

    /// The name of the first constraint the synthesised assignment breaks, if any (a dishonest
    /// witness goes in through the circuit's own inputs: what its hints would be).
    pub fn broken(&self) -> Option<String> {
        (0..self.abc[0].len())
            .find(|&r| !self.row_holds(&self.z, r))
            .map(|r| self.name(r))
    }

    /// The variable of witness `i` (for [`Synthesised::broken_by`]).
    pub fn witness_var(&self, i: usize) -> usize {
        self.first_witness + i
    }

    /// The variable of public input `i` (0 is the first, after the constant 1).
    pub fn input_var(&self, i: usize) -> usize {
        1 + i
    }

    /// The honest value of a variable.
    pub fn value(&self, var: usize) -> Fr {
        self.z[var]
    }

    /// The name of the first constraint the honest assignment with `edits` (variable, value:
    /// a lying prover sets witnesses and claims public inputs) breaks, or `None` when every
    /// constraint still holds.
    pub fn broken_by(&self, edits: &[(usize, Fr)]) -> Option<String> {
        let mut z = self.z.clone();
        let mut rows: Vec<usize> = Vec::new();
        for &(var, value) in edits {
            z[var] = value;
            rows.extend(&self.rows_of[var]);
        }
        rows.sort_unstable();
        rows.dedup();
        rows.into_iter()
            .find(|&r| !self.row_holds(&z, r))
            .map(|r| self.name(r))
    }

    /// The witness variables a prover could change alone (to `honest + 1`) without breaking a
    /// constraint: the degrees of freedom of the assignment. *Inert* variables are left out:
    /// those that only ever multiply a factor that is zero here, never on the `C` side (the
    /// inverse hint of `is_zero` when its input is zero): whatever their value, every product
    /// they are in stays zero, so nothing else depends on them.
    pub fn free_witnesses(&self) -> Vec<usize> {
        // The assignment must hold, else every edit would look refused.
        assert_eq!(self.broken(), None, "the assignment is not honest");
        (0..self.num_witnesses())
            .filter(|&i| {
                let var = self.witness_var(i);
                self.broken_by(&[(var, self.value(var) + Fr::from(1u64))])
                    .is_none()
                    && !self.inert(var)
            })
            .collect()
    }

    /// The public inputs a prover could claim otherwise (changed alone to `claimed + 1`)
    /// without breaking a constraint: inputs the statement does not bind. (The proof binds every
    /// input to the value proved with, but a statement that does not constrain an input proves
    /// the same for every value of it.)
    pub fn free_inputs(&self) -> Vec<usize> {
        assert_eq!(self.broken(), None, "the assignment is not honest");
        (0..self.first_witness - 1)
            .filter(|&i| {
                let var = self.input_var(i);
                self.broken_by(&[(var, self.value(var) + Fr::from(1u64))])
                    .is_none()
            })
            .collect()
    }

    /// Asserts that no witness is free and every public input is bound.
    pub fn assert_pinned(&self) {
        assert_eq!(self.free_witnesses(), Vec::<usize>::new(), "free witnesses");
        assert_eq!(
            self.free_inputs(),
            Vec::<usize>::new(),
            "unbound public inputs"
        );
    }

    /// Asserts that the first constraint the assignment breaks belongs to the rule (namespace)
    /// `rule`, its innermost name; `what` names the assignment in the failure.
    pub fn assert_broken_by(&self, rule: &str, what: &str) {
        let broken = self.broken();
        assert!(
            broken
                .as_deref()
                .and_then(|b| b.rsplit([':', '/']).next())
                .is_some_and(|last| last.trim() == rule),
            "{what}: expected {rule} to break, got {broken:?}"
        );
    }

    /// Whether `var` is in some constraint and only multiplies factors that are zero in this
    /// assignment.
    pub fn inert(&self, var: usize) -> bool {
        let has = |m: &Matrix<Fr>, r: usize| m[r].iter().any(|&(_, v)| v == var);
        let eval =
            |m: &Matrix<Fr>, r: usize| -> Fr { m[r].iter().map(|&(c, v)| c * self.z[v]).sum() };
        let [a, b, c] = [&self.abc[0], &self.abc[1], &self.abc[2]];
        !self.rows_of[var].is_empty()
            && self.rows_of[var].iter().all(|&r| {
                !has(c, r)
                    && match (has(a, r), has(b, r)) {
                        (true, false) => eval(b, r) == Fr::from(0u64),
                        (false, true) => eval(a, r) == Fr::from(0u64),
                        _ => false,
                    }
            })
    }

    /// The witness variables whose honest value is `value`, in allocation order.
    pub fn find(&self, value: Fr) -> Vec<usize> {
        (self.first_witness..self.z.len())
            .filter(|&v| self.z[v] == value)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_r1cs_std::{
        alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar,
    };
    use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
    use ark_relations::ns;

    /// `x` is a bit; `y` is allocated but constrained by nothing; `z = x + 1`; `zero_is_zero`
    /// is `is_zero(0)`, whose inverse hint is inert.
    struct Loose;

    impl ConstraintSynthesizer<Fr> for Loose {
        fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let x = Boolean::new_witness(ns!(cs, "x"), || Ok(true))?;
            let _y = FpVar::new_witness(ns!(cs, "y"), || Ok(Fr::from(7u64)))?;
            let z = FpVar::new_witness(ns!(cs, "z"), || Ok(Fr::from(2u64)))?;
            let one = FpVar::Constant(Fr::from(1u64));
            z.enforce_equal(&(FpVar::from(x) + one))?;
            let zero = FpVar::new_witness(ns!(cs, "zero"), || Ok(Fr::from(0u64)))?;
            zero.enforce_equal(&FpVar::Constant(Fr::from(0u64)))?;
            zero.is_zero()?.enforce_equal(&Boolean::TRUE)
        }
    }

    #[test]
    fn the_kit_finds_a_free_variable_and_names_a_broken_constraint() {
        let s = Synthesised::new(Loose);
        assert!(s.num_witnesses() > 4, "x, y, z, zero and is_zero's hints");
        assert_eq!(s.free_witnesses(), vec![1], "only y is free");
        assert_eq!(s.free_inputs(), Vec::<usize>::new(), "no inputs");
        let inert: Vec<usize> = (0..s.num_witnesses())
            .filter(|&i| s.inert(s.witness_var(i)))
            .collect();
        assert_eq!(inert.len(), 1, "is_zero(0)'s inverse: {inert:?}");
        // x = 2 (not a bit) with z = 3 (consistent): the booleanity constraint, named.
        let two = Fr::from(2u64);
        let (x, z) = (s.witness_var(0), s.witness_var(2));
        let broken = s.broken_by(&[(x, two), (z, Fr::from(3u64))]).unwrap();
        assert_eq!(broken, "constraint 0: x");
        assert_eq!(s.broken_by(&[(z, Fr::from(3u64))]).unwrap(), "constraint 1");
        assert_eq!(s.find(Fr::from(7u64)), vec![s.witness_var(1)]);
    }
}
