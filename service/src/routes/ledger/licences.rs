//! Licences: the operator issues them; buyers read their paths to prove calls.

use crate::auth::Caller;
use crate::error::{AuthErrors, BodyErrors, ErrorBody, Result, ServiceError};
use crate::routes::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use veil_engine::meter::IssueRequest;
use veil_engine::prelude::{from_hex_strict, to_hex};
use veil_engine::store::LedgerError;

/// A licence to issue.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueLicence {
    /// The metered listing.
    pub listing_id: String,
    /// The buyer's key commitment, hex (`veil meter keygen` prints it).
    pub buyer: String,
    /// Calls per epoch.
    pub quota: u64,
    /// Last epoch it is valid in.
    pub expiry: u64,
}

/// Issues a licence (admin); returns the buyer's licence file (hand it to the buyer: it holds
/// the note's blinding).
#[utoipa::path(post, path = "/v1/licences", tag = "ledger", security(("bearer" = [])),
    request_body = IssueLicence,
    responses((status = 201, description = "The licence file", body = Object),
              (status = 403, description = "Not the operator", body = ErrorBody),
              (status = 422, description = "Refused (quota or expiry out of range)", body = ErrorBody),
              AuthErrors, BodyErrors))]
pub async fn issue(
    caller: Caller,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<IssueLicence>,
) -> Result<(StatusCode, Json<Value>)> {
    caller.require(&[], "issuing licences")?;
    let buyer = from_hex_strict("buyer", &req.buyer)
        .map_err(|e| ServiceError::BadRequest(e.to_string()))?;
    let st = state.clone();
    let file = state
        .blocking(move |store| {
            let dir = &st.shared().config.work_dir;
            std::fs::create_dir_all(dir)
                .map_err(|e| ServiceError::Internal(format!("{}: {e}", dir.display())))?;
            let out = dir.join(format!("licence-{}.json", rand::random::<u64>()));
            let issued = veil_engine::meter::issue(
                store,
                &IssueRequest {
                    listing_id: req.listing_id,
                    quota: req.quota,
                    expiry: req.expiry,
                    buyer,
                },
                &out,
                true,
            );
            let _ = std::fs::remove_file(&out);
            let (file, _) = issued?;
            serde_json::to_value(&file).map_err(|e| ServiceError::Internal(e.to_string()))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// A licence's path in the licence tree.
#[derive(Serialize, ToSchema)]
pub struct LicencePath {
    /// The licence's leaf index.
    pub index: u64,
    /// The current licence root.
    pub root: String,
    /// Siblings from the leaf up, hex.
    pub siblings: Vec<String>,
}

/// Licence `index`'s path to the current root (any role: a buyer proves calls with it).
#[utoipa::path(get, path = "/v1/licences/{index}", tag = "ledger", security(("bearer" = [])),
    params(("index" = u64, Path, description = "The licence's leaf index")),
    responses((status = 200, description = "The path", body = LicencePath),
              (status = 400, description = "Not an index", body = ErrorBody),
              (status = 404, description = "No such licence", body = ErrorBody),
              AuthErrors))]
pub async fn licence_path(
    _caller: Caller,
    State(state): State<AppState>,
    index: std::result::Result<Path<u64>, axum::extract::rejection::PathRejection>,
) -> Result<Json<LicencePath>> {
    let Path(index) = index.map_err(|e| ServiceError::BadRequest(e.body_text()))?;
    let p = state
        .blocking(move |s| {
            let (root, path) = s.licence_path(index).map_err(|e| match e {
                LedgerError::Circuits(c) => ServiceError::NotFound(c.to_string()),
                other => other.into(),
            })?;
            Ok(LicencePath {
                index,
                root: to_hex(&root),
                siblings: path.siblings.iter().map(to_hex).collect(),
            })
        })
        .await?;
    Ok(Json(p))
}
