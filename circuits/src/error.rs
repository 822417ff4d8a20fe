//! The crate's one error type.

use thiserror::Error;

/// Everything that can go wrong while reading datasets or building witnesses.
#[derive(Debug, Error)]
pub enum Error {
    /// An I/O error, with what was being read or written.
    #[error("{context}: {error}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error (in the message, so not a `source`: printed once).
        error: std::io::Error,
    },
    /// A dataset could not be parsed; the message names the record and what is wrong.
    #[error("malformed dataset: {0}")]
    MalformedDataset(String),
    /// The dataset holds no records.
    #[error("empty dataset: the file holds no records")]
    EmptyDataset,
    /// The dataset has more records than the tree depth allows.
    #[error("dataset has more than 2^{depth} records; raise the tree depth (at most 32)")]
    TooManyRecords {
        /// The tree depth in use.
        depth: u32,
    },
    /// A parameter is out of range.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// A value failed to parse (hex, field element, key file...).
    #[error("cannot parse {what}: {why}")]
    Parse {
        /// What was being parsed.
        what: String,
        /// Why it failed.
        why: String,
    },
    /// A Veil file of another kind than the one asked for (its `kind` field says which).
    #[error("this is {found}; expected {expected}")]
    WrongKind {
        /// What the file is, in words (`a seller secret`).
        found: String,
        /// What was asked for, in words (`a listing`).
        expected: String,
    },
    /// A witness does not satisfy its statement (native check).
    #[error("statement not satisfied: {0}")]
    Unsatisfied(String),
    /// A secret or listing does not belong with the data it was used with.
    #[error("mismatch: {0}")]
    Mismatch(String),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            error: source,
        }
    }
    /// A parse error.
    pub fn parse(what: impl Into<String>, why: impl ToString) -> Self {
        Error::Parse {
            what: what.into(),
            why: why.to_string(),
        }
    }
}

/// Asserts that `r` is an error whose message contains `why` (tests: a refusal must be for the
/// reason the test means).
#[cfg(test)]
#[track_caller]
pub(crate) fn assert_refused<T>(r: Result<T>, why: &str) {
    match r {
        Ok(_) => panic!("accepted; expected a refusal: {why}"),
        Err(e) => {
            let e = e.to_string();
            assert!(e.contains(why), "refused with {e:?}, expected {why:?}");
        }
    }
}
