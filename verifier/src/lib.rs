//! Veil's verifier: proof and key formats, Groth16 verification, halo2 verification (feature
//! `halo2`), and snarkjs export.
//!
//! It depends on the circuits crate only for native encodings (no R1CS, no prover), and with
//! `halo2` on `veil-halo2`'s circuits and KZG without aggregation, so it is small enough for a
//! buyer's browser: `cargo build -p veil-verifier --target wasm32-unknown-unknown --features
//! wasm,halo2 --release`, loaded by `verifier/js/veil-verifier.mjs`.
#![deny(missing_docs)]

pub mod delivery;
pub mod digest;
pub mod dispute;
pub mod error;
pub mod formats;
pub mod groth16;
pub mod halo2;
pub mod key_note;
pub mod opening;
pub mod params;
pub mod preview;
pub mod proof;
pub mod snarkjs;
pub mod totals;
pub mod usage;
#[cfg(feature = "wasm")]
pub mod wasm;

pub use error::{Result, VerifyError};
