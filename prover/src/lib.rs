//! Veil's prover: key generation and storage per circuit shape, and proving.
//!
//! `backend/` holds the [`Backend`](backend::Backend) seam and one module per proof system
//! (Groth16, UltraHonk; halo2 next); `keys` stores keys under `params/` with a digest manifest.
//! Use-cases (what to prove from which files) live in `veil-engine`.
#![deny(missing_docs)]

pub mod backend;
pub mod error;
pub mod groth16;
pub mod keys;
pub mod msm;
pub mod qap;

pub use error::{ProverError, Result};
