//! The crate's one error type. "Input malformed", "does not match" and "proof rejected" are
//! different outcomes, so callers (and people) can tell a broken file from a false claim.

use thiserror::Error;

/// Why a verification did not accept.
#[derive(Debug, Error)]
pub enum VerifyError {
    /// A file could not be read or parsed (truncated, edited into invalid JSON, wrong version).
    #[error("malformed input: {0}")]
    Malformed(String),
    /// A Veil file of another kind than the one asked for ("this is a seller secret; expected
    /// a preview").
    #[error("{0}")]
    WrongFile(String),
    /// The files do not belong together, or a field disagrees with what it must be.
    #[error("mismatch: {0}")]
    Mismatch(String),
    /// The proof does not verify for these public inputs.
    #[error("proof rejected: {0}")]
    Rejected(String),
    /// Keys are missing or do not match their manifest.
    #[error("keys: {0}")]
    Keys(String),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, VerifyError>;

impl From<veil_circuits::Error> for VerifyError {
    fn from(e: veil_circuits::Error) -> Self {
        match e {
            veil_circuits::Error::Mismatch(m) => VerifyError::Mismatch(m),
            e @ veil_circuits::Error::WrongKind { .. } => VerifyError::WrongFile(e.to_string()),
            other => VerifyError::Malformed(other.to_string()),
        }
    }
}
