//! The HTTP API, versioned under `/v1`: one module per area. Every handler names the roles it
//! admits, takes JSON through [`ApiJson`] (so a malformed body is a JSON 4xx like every other
//! error) and runs blocking work off the async threads.

pub mod jobs;
pub mod ledger;
pub mod listings;
pub mod meta;
pub mod sale;
pub mod verify;
pub mod web;

use crate::error::ServiceError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// A JSON body whose rejection (malformed JSON, a missing field, a wrong content type, a body
/// over the limit) is a JSON error naming the problem.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ServiceError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(rejection(r)),
        }
    }
}

/// Keeps 413 (too large) and 415 (not JSON); every other problem with the body is a 400.
fn rejection(r: JsonRejection) -> ServiceError {
    let status = match r.status() {
        s @ (StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE) => s,
        _ => StatusCode::BAD_REQUEST,
    };
    ServiceError::Request {
        status,
        message: format!("the request body: {}", r.body_text()),
    }
}
