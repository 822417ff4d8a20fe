//! One halo2 circuit per statement. Each takes the statement's own public inputs and witness
//! (`veil_circuits::statements`), so one witness proves under every backend; the instance
//! column holds `Statement::public_inputs` in order.

pub mod call;
pub mod measure;
pub mod preview;
pub mod tier;
pub mod totals;

use crate::Fp;
use halo2_proofs::plonk::Circuit;
use veil_circuits::statements::Statement;

/// A statement with a halo2 circuit.
pub trait Halo2Statement: Statement {
    /// The circuit.
    type Circuit: Circuit<Fp, Params = ()> + Clone + Send + Sync;
    /// The circuit with an assignment.
    fn circuit(shape: &Self::Shape, public: Self::Public, witness: Self::Witness) -> Self::Circuit;
    /// The circuit of a shape without values (key generation).
    fn blank(shape: &Self::Shape) -> Self::Circuit;
    /// `log2` of the rows the circuit of `shape` needs, measured by laying it out
    /// ([`measure::k_of`]).
    fn k(shape: &Self::Shape) -> crate::Result<u32> {
        measure::k_of(&Self::blank(shape)).map_err(|source| crate::Error::Halo2 {
            what: "layout",
            source,
        })
    }
}

#[cfg(test)]
mod tests;
