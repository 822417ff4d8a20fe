//! The crate's one error type.

use thiserror::Error;

/// Why a setup or proof did not complete.
#[derive(Debug, Error)]
pub enum ProverError {
    /// Bad input data, key files or parameters (from the circuits crate).
    #[error(transparent)]
    Circuits(#[from] veil_circuits::Error),
    /// Keys, formats or a self-check failed (from the verifier crate).
    #[error(transparent)]
    Verify(#[from] veil_verifier::VerifyError),
    /// A Noir program could not be loaded or executed (from the Noir crate).
    #[error(transparent)]
    Noir(#[from] veil_noir::Error),
    /// halo2 parameters, keys or proving failed.
    #[error(transparent)]
    Halo2(#[from] veil_halo2::Error),
    /// UltraHonk needs a CRS (the Aztec Ignition setup) that is not where configured.
    #[error("{0}")]
    Crs(String),
    /// Barretenberg's `bb` is missing or failed.
    #[error("bb: {0}")]
    Barretenberg(String),
    /// Constraint synthesis or proving failed.
    #[error("proving failed: {0}")]
    Proving(String),
    /// A proving key made for another circuit than this build's (its encoding changed).
    #[error("{0}")]
    OtherCircuit(String),
    /// Refusing to overwrite existing keys.
    #[error("{0}")]
    Overwrite(String),
    /// Reading or writing a file failed.
    #[error("{context}: {error}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error (in the message, so not a `source`: printed once).
        error: std::io::Error,
    },
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, ProverError>;

impl From<ark_relations::gr1cs::SynthesisError> for ProverError {
    fn from(e: ark_relations::gr1cs::SynthesisError) -> Self {
        ProverError::Proving(e.to_string())
    }
}
