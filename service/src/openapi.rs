//! The OpenAPI document, generated from the handlers' annotations (`utoipa`), and the two
//! routes that serve it (`/v1/openapi.json`, `/v1/docs`).

use crate::routes::{jobs, ledger, listings, meta, verify};
use axum::response::Html;
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Veil's HTTP API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Veil",
        description = "Zero-knowledge proofs for private data commerce: previews, period reports, metered calls. See docs/service.md."
    ),
    paths(
        meta::healthz,
        meta::readyz,
        meta::metrics,
        openapi,
        meta::circuits,
        listings::register,
        listings::get,
        jobs::submit,
        jobs::list,
        jobs::get,
        jobs::cancel,
        jobs::result,
        verify::verify,
        ledger::settle,
        ledger::ledger,
        ledger::issue,
        ledger::licence_path,
        ledger::check_call,
        ledger::check_calls,
        ledger::close_epoch,
    ),
    modifiers(&Bearer),
    tags(
        (name = "service", description = "Health, metrics, documents"),
        (name = "listings", description = "Sellers' datasets"),
        (name = "jobs", description = "Proof jobs"),
        (name = "verify", description = "Verification of any Veil proof"),
        (name = "ledger", description = "Settlement, licences, roots"),
        (name = "gateway", description = "Metered calls and epochs"),
    )
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// This API's OpenAPI document.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "service",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The API's documentation, rendered from `/v1/openapi.json` (Redoc, loaded by the browser).
pub async fn docs() -> Html<&'static str> {
    Html(
        "<!doctype html><html><head><title>Veil API</title><meta charset=\"utf-8\"></head><body>\
         <redoc spec-url=\"/v1/openapi.json\"></redoc>\
         <script src=\"https://cdn.redoc.ly/redoc/latest/bundles/redoc.standalone.js\"></script>\
         </body></html>",
    )
}
