//! Health, readiness, metrics and the circuits this service has keys for (the OpenAPI
//! document and its docs page are served by `crate::openapi`).

use crate::auth::Caller;
use crate::error::{AuthErrors, ErrorBody, Result, ServiceError};
use crate::metrics::StateLabel;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// A liveness answer.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// A readiness answer.
#[derive(Serialize, ToSchema)]
pub struct Ready {
    /// `ready`.
    pub status: String,
    /// Jobs waiting.
    pub queued: u64,
    /// Jobs running.
    pub running: u64,
    /// Keys (and halo2 parameters) from a single-party setup this service proves and verifies
    /// with: non-zero only when started with `--allow-insecure-keys`.
    pub insecure_keys: u64,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// The service can serve: its store answers.
#[utoipa::path(get, path = "/readyz", tag = "service",
    responses((status = 200, description = "Ready", body = Ready),
              (status = 500, description = "The store does not answer", body = ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Ready>> {
    let d = state.blocking(|s| Ok(s.queue_depth()?)).await?;
    Ok(Json(Ready {
        status: "ready".into(),
        queued: d.queued,
        running: d.running,
        insecure_keys: insecure_keys(&state).await? as u64,
    }))
}

/// How many keys of the params folder come from a single-party setup.
async fn insecure_keys(state: &AppState) -> Result<usize> {
    let params = state.shared().config.params.clone();
    let keys = tokio::task::spawn_blocking(move || veil_engine::setup::insecure_keys(&params))
        .await
        .map_err(|e| ServiceError::Internal(format!("reading the key manifest: {e}")))??;
    Ok(keys.len())
}

/// Prometheus metrics (OpenMetrics text).
#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, description = "OpenMetrics text", body = String, content_type = "application/openmetrics-text"),
              (status = 500, description = "The store does not answer", body = ErrorBody)))]
pub async fn metrics(State(state): State<AppState>) -> Result<Response> {
    let d = state.blocking(|s| Ok(s.queue_depth()?)).await?;
    let m = &state.shared().metrics;
    m.keys_insecure.set(insecure_keys(&state).await? as i64);
    for (name, n) in [("queued", d.queued), ("running", d.running)] {
        m.queue_depth
            .get_or_create(&StateLabel { state: name.into() })
            .set(n as i64);
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        m.encode(),
    )
        .into_response())
}

/// The circuits this service has keys for: its key manifest (`params/manifest.json`).
#[utoipa::path(get, path = "/v1/circuits", tag = "service", security(("bearer" = [])),
    responses((status = 200, description = "The key manifest", body = Object),
              (status = 404, description = "No keys are set up", body = ErrorBody),
              AuthErrors))]
pub async fn circuits(_caller: Caller, State(state): State<AppState>) -> Result<Response> {
    let path = state.shared().config.params.join("manifest.json");
    let text = tokio::fs::read_to_string(&path).await.map_err(|_| {
        ServiceError::NotFound(
            "this service has no keys yet: the operator runs `veil setup`".into(),
        )
    })?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response())
}

/// A JSON 404 for every unknown route.
pub async fn not_found() -> ServiceError {
    ServiceError::NotFound("no such route: see /v1/openapi.json".into())
}
