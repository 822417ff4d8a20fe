//! The crate's one error type: the layers' errors, passed through with their own words, and
//! the engine's refusals.

use thiserror::Error;

/// Why a use-case did not complete.
#[derive(Debug, Error)]
pub enum EngineError {
    /// Bad input data or parameters.
    #[error(transparent)]
    Circuits(#[from] veil_circuits::Error),
    /// A proof, key or file did not verify or parse.
    #[error(transparent)]
    Verify(#[from] veil_verifier::VerifyError),
    /// Setup or proving failed.
    #[error(transparent)]
    Prover(#[from] veil_prover::ProverError),
    /// The ledger refused or failed.
    #[error(transparent)]
    Ledger(#[from] veil_ledger::LedgerError),
    /// A Noir program could not be built, loaded or executed.
    #[error(transparent)]
    Noir(#[from] veil_noir::Error),
    /// A request the engine refuses, in words for the person who made it.
    #[error("{0}")]
    Refused(String),
    /// Something read from `path` was wrong.
    #[error("{path}: {error}")]
    At {
        /// The file.
        path: String,
        /// What was wrong with it (shown in this error's message, so not its `source`).
        error: Box<EngineError>,
    },
    /// The work was stopped because its progress reported it cancelled (a cancelled or timed-out
    /// job).
    #[error("stopped: the work was cancelled")]
    Cancelled,
    /// Reading or writing a file failed.
    #[error("{context}: {error}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        error: std::io::Error,
    },
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, EngineError>;

/// Returns early with [`EngineError::Refused`] and a formatted message.
macro_rules! refuse {
    ($($arg:tt)*) => {
        return Err($crate::EngineError::Refused(format!($($arg)*)))
    };
}
pub(crate) use refuse;

/// Attaches the file an error came from.
pub(crate) trait At<T> {
    fn at(self, path: &std::path::Path) -> Result<T>;
}

impl<T, E: Into<EngineError>> At<T> for std::result::Result<T, E> {
    fn at(self, path: &std::path::Path) -> Result<T> {
        self.map_err(|e| EngineError::At {
            path: path.display().to_string(),
            error: Box::new(e.into()),
        })
    }
}

impl From<veil_halo2::Error> for EngineError {
    fn from(e: veil_halo2::Error) -> Self {
        EngineError::Prover(veil_prover::ProverError::Halo2(e))
    }
}
