//! Veil's prover: key generation and storage per circuit shape, and proving.
//!
//! `backend/` holds one module per proof system (Groth16 today; halo2 and UltraHonk are
//! planned beside it); `keys` stores keys under `params/` with a digest manifest; one module
//! per statement turns a dataset and a request into a proof file.
#![deny(missing_docs)]

pub mod backend;
pub mod error;
pub mod keys;
pub mod preview;
pub mod totals;
pub mod usage;

pub use error::{ProverError, Result};
