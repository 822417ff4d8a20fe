//! Executing a program: the ACVM solves every witness from the inputs, with Barretenberg's
//! black-box functions (Poseidon2 among them) from `bn254_blackbox_solver`. A failed `assert`
//! comes back as [`Error::Unsatisfied`] with the assertion's message.

use crate::abi;
use crate::artifact::Artifact;
use crate::{Error, FieldElement, Result};
use acir::brillig::ForeignCallResult;
use acir::native_types::{Witness, WitnessMap, WitnessStack};
use acvm::pwg::{ACVMStatus, OpcodeResolutionError, ResolvedAssertionPayload, ACVM};
use bn254_blackbox_solver::Bn254BlackBoxSolver;
use serde_json::Value;

/// A solved execution.
#[derive(Clone, Debug)]
pub struct Execution {
    /// Every function's witnesses (`main` on top), as bb reads them.
    pub witness: WitnessStack<FieldElement>,
    /// What bb treats as public inputs: public parameters, then the return value, in order.
    pub public_inputs: Vec<FieldElement>,
    /// The return value, flattened.
    pub return_values: Vec<FieldElement>,
    /// The return value, decoded by the ABI.
    pub return_value: Option<Value>,
}

impl Execution {
    /// The witness file bb's `prove` and `check` take (`-w`): the gzipped, serialised stack.
    pub fn witness_bytes(&self) -> Result<Vec<u8>> {
        self.witness
            .serialize()
            .map_err(|e| Error::Toolchain(format!("cannot serialise the witness: {e}")))
    }
}

/// Executes `artifact` on JSON inputs (see [`abi::encode`]).
pub fn execute(artifact: &Artifact, inputs: &Value) -> Result<Execution> {
    let fields = abi::encode(&artifact.abi, inputs)?;
    execute_fields(artifact, &fields)
}

/// Executes `artifact` on its flattened inputs.
pub fn execute_fields(artifact: &Artifact, inputs: &[FieldElement]) -> Result<Execution> {
    if inputs.len() != artifact.input_size() {
        return Err(Error::Input {
            name: "(inputs)".into(),
            message: format!(
                "{} takes {} field elements, not {}",
                artifact.name,
                artifact.input_size(),
                inputs.len()
            ),
        });
    }
    let initial: WitnessMap<FieldElement> = inputs
        .iter()
        .enumerate()
        .map(|(i, x)| (Witness(i as u32), *x))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into();
    let mut stack = WitnessStack::default();
    let solver = Bn254BlackBoxSolver;
    let main = solve(artifact, 0, initial, &solver, &mut stack)?;
    let circuit = &artifact.program.functions[0];
    let value = |w: &Witness| {
        main.get(w).copied().ok_or_else(|| Error::Unsatisfied {
            program: artifact.name.clone(),
            message: format!("witness {} was not solved", w.0),
        })
    };
    let mut public = circuit
        .public_parameters
        .0
        .iter()
        .chain(&circuit.return_values.0)
        .copied()
        .collect::<Vec<_>>();
    public.sort();
    let public_inputs = public.iter().map(value).collect::<Result<Vec<_>>>()?;
    let return_values = circuit
        .return_values
        .0
        .iter()
        .map(value)
        .collect::<Result<Vec<_>>>()?;
    let return_value = artifact
        .abi
        .return_type
        .as_ref()
        .map(|r| abi::decode(&r.abi_type, &mut return_values.iter().copied()));
    Ok(Execution {
        witness: stack,
        public_inputs,
        return_values,
        return_value,
    })
}

fn solve(
    artifact: &Artifact,
    id: usize,
    initial: WitnessMap<FieldElement>,
    solver: &Bn254BlackBoxSolver,
    stack: &mut WitnessStack<FieldElement>,
) -> Result<WitnessMap<FieldElement>> {
    let program = &artifact.program;
    let circuit = program.functions.get(id).ok_or_else(|| Error::Artifact {
        path: artifact.name.clone(),
        message: format!("calls function {id}, which it does not have"),
    })?;
    let mut acvm = ACVM::new(
        solver,
        &circuit.opcodes,
        initial,
        &program.unconstrained_functions,
        &circuit.assert_messages,
    );
    loop {
        match acvm.solve() {
            ACVMStatus::Solved => break,
            ACVMStatus::InProgress => continue,
            ACVMStatus::Failure(e) => {
                return Err(Error::Unsatisfied {
                    program: artifact.name.clone(),
                    message: describe(artifact, &e),
                })
            }
            ACVMStatus::RequiresForeignCall(call) => {
                // Only `print`/`println` reach here from Veil's programs; they return nothing.
                if !call.function.starts_with("print") {
                    return Err(Error::Unsatisfied {
                        program: artifact.name.clone(),
                        message: format!("unsupported oracle `{}`", call.function),
                    });
                }
                acvm.resolve_pending_foreign_call(ForeignCallResult::default());
            }
            ACVMStatus::RequiresAcirCall(call) => {
                let callee = call.id.as_usize();
                let solved = solve(artifact, callee, call.initial_witness, solver, stack)?;
                let outputs = program.functions[callee]
                    .return_values
                    .0
                    .iter()
                    .map(|w| solved.get(w).copied().unwrap_or_default())
                    .collect();
                acvm.resolve_pending_acir_call(outputs);
            }
        }
    }
    let witness = acvm.finalize();
    stack.push(id as u32, witness.clone());
    Ok(witness)
}

fn describe(artifact: &Artifact, e: &OpcodeResolutionError<FieldElement>) -> String {
    let payload = match e {
        OpcodeResolutionError::UnsatisfiedConstrain { payload, .. } => payload.as_ref(),
        OpcodeResolutionError::BrilligFunctionFailed { payload, .. } => payload.as_ref(),
        _ => None,
    };
    match payload {
        Some(ResolvedAssertionPayload::String(s)) => s.clone(),
        Some(ResolvedAssertionPayload::Raw(raw)) => artifact
            .error_message(raw.selector.as_u64())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("assertion {} failed", raw.selector.as_u64())),
        None => e.to_string(),
    }
}
