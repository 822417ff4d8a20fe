//! Veil's Noir twins, seen from Rust.
//!
//! The Noir library and programs in `noir/` re-state Veil's encodings and statements so that
//! settlement on Aztec checks exactly what the Rust engine commits and proves. This crate
//! closes the loop: it loads the programs as compiled by `noir_wasm` ([`artifact`]), turns the
//! Rust engine's public inputs and witnesses into their ABI inputs ([`twins`], [`abi`]),
//! executes them with the ACVM and Barretenberg's black-box solver ([`execute`]), and finds or
//! builds the artifacts ([`toolchain`]). Proving them with UltraHonk is `veil-prover`'s job.

pub mod abi;
pub mod artifact;
pub mod execute;
pub mod tags;
pub mod toolchain;
pub mod twins;

pub use artifact::Artifact;
pub use execute::{execute, Execution};

/// The field of ACIR programs (BN254's scalar field, arkworks inside).
pub type FieldElement = acir::FieldElement;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A compiled program that cannot be read.
    #[error("{path}: {message}")]
    Artifact {
        /// The artifact file.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// An input that does not fit the program's ABI.
    #[error("input `{name}`: {message}")]
    Input {
        /// Dotted path of the offending parameter.
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// The program's constraints refuse the inputs (a failed `assert`).
    #[error("{program} refuses the inputs: {message}")]
    Unsatisfied {
        /// Program name.
        program: String,
        /// The assertion's message, or the failing opcode.
        message: String,
    },
    /// No program of that name is compiled.
    #[error("{0}")]
    UnknownProgram(String),
    /// The Noir toolchain (Node, noir_wasm) is missing or failed.
    #[error("noir toolchain: {0}")]
    Toolchain(String),
    /// File-system trouble.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// A Veil field element as an ACIR one (both are arkworks' BN254 `Fr`).
pub fn to_acir(x: veil_circuits::Fr) -> FieldElement {
    FieldElement::from_repr(x)
}

/// An ACIR field element as a Veil one.
pub fn from_acir(x: FieldElement) -> veil_circuits::Fr {
    x.into_repr()
}
