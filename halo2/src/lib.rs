//! Veil's statements as halo2 circuits: PLONKish arithmetisation with KZG commitments over
//! BN254 (the `halo2-axiom` fork of halo2), so that they share the field, the Poseidon2 and
//! every encoding with the Groth16 circuits and the Noir twins.
//!
//! * [`chips`]: the main gate, Barretenberg's Poseidon2 permutation, byte-lookup range checks
//!   and Merkle paths, halo2 style (configs owning columns and gates, regions laid out by a
//!   floor planner).
//! * [`statements`]: one circuit per statement, with the same public inputs, in the same
//!   order, as `veil_circuits::statements::Statement::public_inputs`.
//! * [`kzg`]: universal parameters (read from a file, or an insecure local setup for tests),
//!   key generation, proving and verifying (SHPLONK multi-opening, Blake2b transcript).
//! * [`commit`]: the seam where a proof's commitments (its MSMs) run: halo2curves', or any
//!   [`commit::G1Msm`] (Veil's, in `veil-prover`).
#![deny(missing_docs)]

#[cfg(feature = "aggregate")]
pub mod aggregate;
pub mod chips;
pub mod commit;
pub mod error;
pub mod field;
pub mod kzg;
pub mod ptau;
pub mod statements;
pub mod version;

pub use error::{Error, Result};
pub use halo2_proofs;
#[cfg(feature = "aggregate")]
pub use snark_verifier_sdk;
pub use version::Version;

/// BN254's scalar field as halo2 spells it.
pub type Fp = halo2_proofs::halo2curves::bn256::Fr;
