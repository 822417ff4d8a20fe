//! Veil's verifier: proof and key formats, Groth16 verification, and snarkjs export.
//!
//! It depends on the circuits crate only for native encodings (no R1CS, no prover), so it is
//! small enough for a buyer's browser: `cargo build -p veil-verifier --target
//! wasm32-unknown-unknown --features wasm --release`, loaded by `verifier/js/veil-verifier.mjs`.
#![deny(missing_docs)]

pub mod error;
pub mod formats;
pub mod groth16;
pub mod halo2;
pub mod params;
pub mod preview;
pub mod proof;
pub mod snarkjs;
pub mod totals;
pub mod usage;
#[cfg(feature = "wasm")]
pub mod wasm;

pub use error::{Result, VerifyError};
