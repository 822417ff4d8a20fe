//! One halo2 circuit per statement. Each takes the statement's own public inputs and witness
//! (`veil_circuits::statements`), so one witness proves under every backend; the instance
//! column holds `Statement::public_inputs` in order.

pub mod call;
pub mod tier;

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
    /// `log2` of the rows the circuit of `shape` needs.
    fn k(shape: &Self::Shape) -> u32;
}

/// Rows halo2 keeps for blinding at the end of every column, with a margin.
const RESERVED_ROWS: usize = 12;

/// The smallest `k` whose `2^k` rows hold `rows` and the byte table.
pub(crate) fn k_for_rows(rows: usize) -> u32 {
    let need = rows.max(1 << crate::chips::range::LIMB_BITS) + RESERVED_ROWS;
    need.next_power_of_two().trailing_zeros()
}

#[cfg(test)]
mod tests;
