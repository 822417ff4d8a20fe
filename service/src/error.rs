//! The crate's one error type, and how every error becomes an HTTP answer: a status and a JSON
//! body `{"error": {"code": ..., "message": ...}}` naming the problem. A client's mistake is a
//! 4xx; a 500 is only for what the service itself failed at (a database or disk error).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use thiserror::Error;
use veil_engine::store::LedgerError;
use veil_engine::verifier::VerifyError;
use veil_engine::EngineError;

/// Why a request failed.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// No or an unknown bearer token.
    #[error("{0}")]
    Unauthenticated(String),
    /// The token's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The request is malformed or names something invalid.
    #[error("{0}")]
    BadRequest(String),
    /// No such job, listing or route.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with stored state (an idempotency key reused with another body, a
    /// result of a job that did not succeed, a listing id taken).
    #[error("{0}")]
    Conflict(String),
    /// The thing asked for existed but is gone (an expired result).
    #[error("{0}")]
    Gone(String),
    /// The request is well-formed but refused (a proof that does not verify where one must).
    #[error("{0}")]
    Unprocessable(String),
    /// The request itself was refused before reading it (malformed JSON, a wrong content type,
    /// a body over the limit), with the status that says which.
    #[error("{message}")]
    Request {
        /// 400, 413, 415 or 422.
        status: StatusCode,
        /// What was wrong.
        message: String,
    },
    /// The queue is full; retry after the given seconds.
    #[error("{message}")]
    Busy {
        /// What to tell the client.
        message: String,
        /// Seconds to wait.
        retry_after: u64,
    },
    /// The engine refused or failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The service failed (database, disk, a worker thread).
    #[error("{0}")]
    Internal(String),
    /// Configuration or start-up failed.
    #[error("{0}")]
    Config(String),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, ServiceError>;

impl From<LedgerError> for ServiceError {
    fn from(e: LedgerError) -> Self {
        ServiceError::Engine(EngineError::Ledger(e))
    }
}

impl From<VerifyError> for ServiceError {
    fn from(e: VerifyError) -> Self {
        ServiceError::Engine(EngineError::Verify(e))
    }
}

/// The JSON error body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable code (`bad_request`, `not_found`, `replay`, ...).
    pub code: String,
    /// What was wrong, for a person.
    pub message: String,
}

/// What any route that takes a bearer token may answer besides its own responses.
#[derive(utoipa::IntoResponses)]
pub enum AuthErrors {
    /// No or an unknown or revoked token.
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// The service failed (its database or disk).
    #[response(status = 500)]
    Internal(ErrorBody),
}

/// What any route that reads a JSON body may answer about the body itself.
#[derive(utoipa::IntoResponses)]
pub enum BodyErrors {
    /// Malformed JSON, a missing or unknown field, a value of the wrong type.
    #[response(status = 400)]
    Malformed(ErrorBody),
    /// The body is larger than the service accepts.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// The body is not `application/json`.
    #[response(status = 415)]
    NotJson(ErrorBody),
}

/// An engine error's status and code: the client's mistakes are 4xx, the service's own 500.
fn engine_status(e: &EngineError) -> (StatusCode, &'static str) {
    match e {
        EngineError::Ledger(l) => match l {
            LedgerError::Replay { .. } => (StatusCode::CONFLICT, "replay"),
            LedgerError::EpochClosed { .. } => (StatusCode::CONFLICT, "epoch_closed"),
            LedgerError::UnknownRoot(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unknown_root"),
            LedgerError::IdempotencyConflict { .. } => {
                (StatusCode::CONFLICT, "idempotency_conflict")
            }
            LedgerError::QueueFull { .. } => (StatusCode::TOO_MANY_REQUESTS, "queue_full"),
            LedgerError::Taken(_) => (StatusCode::CONFLICT, "taken"),
            LedgerError::Circuits(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            LedgerError::Db(_)
            | LedgerError::Pg(_)
            | LedgerError::Missing(_)
            | LedgerError::Corrupt(_) => (StatusCode::INTERNAL_SERVER_ERROR, "ledger"),
            LedgerError::Pool(_) => (StatusCode::SERVICE_UNAVAILABLE, "ledger_unavailable"),
        },
        EngineError::Verify(v) => match v {
            VerifyError::Rejected(_) => (StatusCode::UNPROCESSABLE_ENTITY, "proof_rejected"),
            VerifyError::Keys(_) => (StatusCode::UNPROCESSABLE_ENTITY, "keys"),
            _ => (StatusCode::UNPROCESSABLE_ENTITY, "mismatch"),
        },
        EngineError::Circuits(_) | EngineError::Refused(_) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "refused")
        }
        EngineError::Prover(_) => (StatusCode::UNPROCESSABLE_ENTITY, "prover"),
        EngineError::Cancelled => (StatusCode::CONFLICT, "cancelled"),
        EngineError::At { error, .. } => engine_status(error),
        EngineError::Noir(_) | EngineError::Io { .. } => {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal")
        }
    }
}

impl ServiceError {
    /// The HTTP status and the stable error code.
    pub fn status(&self) -> (StatusCode, &'static str) {
        match self {
            ServiceError::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ServiceError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ServiceError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ServiceError::Gone(_) => (StatusCode::GONE, "gone"),
            ServiceError::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
            ServiceError::Busy { .. } => (StatusCode::TOO_MANY_REQUESTS, "queue_full"),
            ServiceError::Request { status, .. } => (
                *status,
                match status.as_u16() {
                    413 => "too_large",
                    415 => "unsupported_media_type",
                    _ => "bad_request",
                },
            ),
            ServiceError::Engine(e) => engine_status(e),
            ServiceError::Internal(_) | ServiceError::Config(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let (status, code) = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let retry_after = match &self {
            ServiceError::Busy { retry_after, .. } => Some(*retry_after),
            ServiceError::Engine(EngineError::Ledger(LedgerError::QueueFull { .. })) => Some(5),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: self.to_string(),
            },
        };
        let mut r = (status, axum::Json(body)).into_response();
        if let Some(s) = retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r
    }
}
