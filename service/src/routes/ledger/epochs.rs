//! Epochs: closing one commits to its calls, the commitment a usage tier is proved against.

use crate::auth::{Caller, Role};
use crate::error::{AuthErrors, BodyErrors, ErrorBody, Result};
use crate::routes::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use veil_engine::prelude::to_hex;

/// An epoch to close.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseEpoch {
    /// The listing.
    pub listing_id: String,
    /// The epoch.
    #[schema(maximum = 4294967295_u64)]
    pub epoch: u64,
}

/// A closed epoch's published commitment.
#[derive(Serialize, ToSchema)]
pub struct EpochClosed {
    /// The listing.
    pub listing_id: String,
    /// The epoch.
    #[schema(maximum = 4294967295_u64)]
    pub epoch: u64,
    /// The usage commitment `U` (publish it; tier proofs verify against it).
    pub usage: String,
    /// Calls counted (the gateway's own knowledge; a tier proof hides it from others).
    pub calls: u64,
}

/// Closes an epoch of a listing: commits to its calls (gateway). Closing again returns the
/// first commitment.
#[utoipa::path(post, path = "/v1/gateway/epochs/close", tag = "gateway", security(("bearer" = [])),
    request_body = CloseEpoch,
    responses((status = 200, description = "The epoch's commitment", body = EpochClosed),
              (status = 422, description = "Refused (an epoch past 2^32)", body = ErrorBody),
              (status = 403, description = "Not a gateway", body = ErrorBody),
              AuthErrors, BodyErrors))]
pub async fn close_epoch(
    caller: Caller,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CloseEpoch>,
) -> Result<Json<EpochClosed>> {
    caller.require(&[Role::Gateway], "closing epochs")?;
    let closed = state
        .blocking(move |s| {
            let u = veil_engine::meter::close_epoch(s, &req.listing_id, req.epoch)?;
            Ok(EpochClosed {
                listing_id: req.listing_id,
                epoch: req.epoch,
                usage: to_hex(&u.usage),
                calls: u.calls,
            })
        })
        .await?;
    Ok(Json(closed))
}
