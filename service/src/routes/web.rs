//! The buyer's and auditor's page (`verifier/web`, built into this binary) and the public
//! verification material it reads: the key manifest, verifying keys and the halo2 parameters'
//! description. Nothing here takes a token: a verifier must be able to get what it checks
//! against, and none of it is secret. Proving keys and parameter files are never served.

use crate::error::{ErrorBody, Result, ServiceError};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The page's files: name, media type, content.
const PAGE: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("../../../verifier/web/index.html"),
    ),
    (
        "app.mjs",
        "text/javascript; charset=utf-8",
        include_str!("../../../verifier/web/app.mjs"),
    ),
    (
        "delivery-worker.mjs",
        "text/javascript; charset=utf-8",
        include_str!("../../../verifier/web/delivery-worker.mjs"),
    ),
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../../../verifier/web/style.css"),
    ),
    (
        "veil-verifier.mjs",
        "text/javascript; charset=utf-8",
        include_str!("../../../verifier/js/veil-verifier.mjs"),
    ),
];

/// The names the page is served under (for the router).
pub fn page_files() -> impl Iterator<Item = &'static str> {
    PAGE.iter().map(|(name, _, _)| *name)
}

fn page_file(name: &str) -> Response {
    match PAGE.iter().find(|(n, _, _)| *n == name) {
        Some((_, media, body)) => (
            [
                (header::CONTENT_TYPE, *media),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *body,
        )
            .into_response(),
        None => ServiceError::NotFound(format!("no page file {name:?}")).into_response(),
    }
}

/// The page.
pub async fn index() -> Response {
    page_file("index.html")
}

/// One of the page's files, by the path it was asked under.
pub async fn asset(uri: axum::http::Uri) -> Response {
    page_file(uri.path().trim_start_matches('/'))
}

/// The WebAssembly verifier the page loads.
pub async fn verifier_wasm(State(state): State<AppState>) -> Result<Response> {
    wasm_file(&state, None).await
}

/// The relaxed-SIMD build the page's delivery check uses where the browser runs it
/// (`scripts/build-wasm.sh`), beside the plain one.
pub async fn verifier_wasm_relaxed(State(state): State<AppState>) -> Result<Response> {
    wasm_file(&state, Some(RELAXED_WASM)).await
}

/// The relaxed-SIMD build's file name, beside `veil_verifier.wasm`.
const RELAXED_WASM: &str = "veil_verifier_relaxed.wasm";

/// The plain verifier, or the file `sibling` beside it.
async fn wasm_file(state: &AppState, sibling: Option<&str>) -> Result<Response> {
    let path = state.shared().config.verifier_wasm_path().ok_or_else(|| {
        ServiceError::NotFound(
            "this service has no WebAssembly verifier: build it (scripts/build-wasm.sh) or \
             name it with --verifier-wasm"
                .into(),
        )
    })?;
    let path = match sibling {
        Some(name) => path.with_file_name(name),
        None => path,
    };
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        ServiceError::NotFound(format!("the WebAssembly verifier {}: {e}", path.display()))
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/wasm"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes,
    )
        .into_response())
}

/// The key manifest (`params/manifest.json`), without a token.
#[utoipa::path(get, path = "/v1/keys", tag = "service",
    responses((status = 200, description = "The key manifest", body = Object),
              (status = 404, description = "No keys are set up", body = ErrorBody)))]
pub async fn manifest(State(state): State<AppState>) -> Result<Response> {
    public_file(&state, "manifest.json", "application/json").await
}

/// A verifying key (`NAME.vk`) or the halo2 parameters' description (`kzg-bn254.json`).
#[utoipa::path(get, path = "/v1/keys/{file}", tag = "service",
    params(("file" = String, Path, description = "A verifying key file (NAME.vk) or kzg-bn254.json")),
    responses((status = 200, description = "The file", body = Vec<u8>, content_type = "application/octet-stream"),
              (status = 404, description = "No such verifying key", body = ErrorBody)))]
pub async fn key(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response> {
    if file == "kzg-bn254.json" {
        return public_file(&state, &file, "application/json").await;
    }
    public_file(
        &state,
        &verifying_key_name(&file)?,
        "application/octet-stream",
    )
    .await
}

/// A halo2 verifying key (`halo2/NAME.vk`).
#[utoipa::path(get, path = "/v1/keys/halo2/{file}", tag = "service",
    params(("file" = String, Path, description = "A halo2 verifying key file (NAME.vk)")),
    responses((status = 200, description = "The key", body = Vec<u8>, content_type = "application/octet-stream"),
              (status = 404, description = "No such verifying key", body = ErrorBody)))]
pub async fn halo2_key(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response> {
    let name = format!("halo2/{}", verifying_key_name(&file)?);
    public_file(&state, &name, "application/octet-stream").await
}

/// `file` if it names a verifying key: `NAME.vk` with a key id's characters only.
fn verifying_key_name(file: &str) -> Result<String> {
    let id = file.strip_suffix(".vk").unwrap_or("");
    let ok = !id.is_empty()
        && id.len() <= 200
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && !id.starts_with('.');
    if !ok {
        return Err(ServiceError::NotFound(format!(
            "{file:?} is not a verifying key's name (NAME.vk, or kzg-bn254.json)"
        )));
    }
    Ok(file.to_string())
}

async fn public_file(state: &AppState, name: &str, media: &'static str) -> Result<Response> {
    let path = state.shared().config.params.join(name);
    let bytes = tokio::fs::read(&path).await.map_err(|_| {
        ServiceError::NotFound(format!(
            "this service has no {name} (the operator runs `veil setup`)"
        ))
    })?;
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, media)], bytes).into_response())
}
