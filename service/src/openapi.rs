//! The OpenAPI document, generated from the handlers' annotations (`utoipa`), and the two
//! routes that serve it (`/v1/openapi.json`, `/v1/docs`).

use crate::routes::{jobs, ledger, listings, meta, sale, verify, web};
use axum::response::Html;
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use veil_engine::registry::Registry;

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
        web::manifest,
        web::key,
        web::halo2_key,
        listings::register,
        listings::get,
        sale::encrypt,
        sale::ciphertext,
        sale::key_note,
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

/// The document for the statements of `registry`: a benchmark case's `statement` is one of
/// its names (each described with what its size means).
pub fn document(registry: &Registry) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;
    let mut doc = ApiDoc::openapi();
    let described: Vec<String> = registry
        .iter()
        .map(|e| match e.bench_size() {
            Some(size) => format!(
                "`{}` ({}): {}, size {} (default {})",
                e.name(),
                e.summary(),
                e.bench_case(),
                size.letter,
                size.default
            ),
            None => format!(
                "`{}` ({}): {}, no size",
                e.name(),
                e.summary(),
                e.bench_case()
            ),
        })
        .collect();
    let statement = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(registry.names()))
        .description(Some(format!("The statement. {}.", described.join(". "))))
        .build();
    if let Some(RefOr::T(Schema::Object(case))) = doc
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut("BenchCaseBody"))
    {
        case.properties
            .insert("statement".into(), RefOr::T(Schema::Object(statement)));
    }
    doc
}

/// This API's OpenAPI document.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "service",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document(Registry::standard()))
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
