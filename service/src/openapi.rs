//! The OpenAPI document, generated from the handlers' annotations (`utoipa`).

use crate::routes::{jobs, ledger, listings, meta, verify};
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
        meta::openapi,
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
