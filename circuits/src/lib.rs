//! Veil's circuits crate: one definition of every encoding, hash and statement.
//!
//! The data path reads in one direction: file → [`dataset`] records → cells → leaves →
//! [`merkle`] tree → statement witness ([`statements`]) → circuit (feature `r1cs`).
//! Native code here is the source of truth; the R1CS gadgets, and later the halo2 chips and
//! the Noir library, must agree with it on the vectors in `tests/vectors/`.
#![deny(missing_docs)]

pub mod dataset;
pub mod error;
pub mod field;
pub mod format;
pub mod merkle;
pub mod poseidon2;
pub mod statements;
pub mod tags;

#[cfg(feature = "r1cs")]
pub mod gadgets;
#[cfg(all(test, feature = "r1cs"))]
pub(crate) mod lying;

pub use ark_bn254::Fr;
pub use error::{Error, Result};
