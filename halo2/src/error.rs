//! The crate's one error type.

/// What can go wrong proving or verifying with halo2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The native relation refused the assignment, or the shape is unsupported.
    #[error(transparent)]
    Statement(#[from] veil_circuits::Error),
    /// Universal parameters or keys that do not fit, or cannot be read.
    #[error("halo2 parameters: {0}")]
    Params(String),
    /// halo2 refused to synthesise, generate keys or prove.
    #[error("halo2 {what}: {source}")]
    Halo2 {
        /// What was being done.
        what: &'static str,
        /// halo2's error.
        source: halo2_proofs::plonk::Error,
    },
    /// A proof that does not decode or does not verify.
    #[error("halo2 proof rejected: {0}")]
    Rejected(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
