//! Verification of any Veil proof, as the command line's `verify` commands do it: 200 with
//! `accepted: true` and what the proof establishes, or `accepted: false` and the reason (a
//! refused proof is an answer, not an error). A body that is not a Veil document is a 400.

use crate::auth::Caller;
use crate::error::{AuthErrors, BodyErrors, ErrorBody, Result, ServiceError};
use crate::jobs::{listing_of, registered};
use crate::metrics::Metrics;
use crate::routes::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;
use veil_engine::audit::Expected;
use veil_engine::circuits::statements::{preview, totals, usage};
use veil_engine::meter::TierExpected;
use veil_engine::prelude::{from_hex_strict, to_hex};
use veil_engine::verifier::proof::ProofEnvelope;
use veil_engine::EngineError;

/// What to verify.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum VerifyRequest {
    /// A preview (`preview.json`) against a listing: registered here (`listing_id`) or given.
    Preview {
        /// The preview.
        #[schema(value_type = Object)]
        preview: Value,
        /// A listing registered on this service.
        listing_id: Option<String>,
        /// Or the listing itself.
        #[schema(value_type = Object)]
        listing: Option<Value>,
    },
    /// A period report against the seller and period the auditor asked for, and a receipt root
    /// (default: any root this ledger ever had).
    Report {
        /// The report.
        #[schema(value_type = Object)]
        report: Value,
        /// The seller.
        seller: u64,
        /// Period start (inclusive).
        from: u64,
        /// Period end (exclusive).
        to: u64,
        /// The receipt root the auditor trusts, hex.
        root: Option<String>,
    },
    /// A usage-tier proof against the usage commitment the gateway published (default: this
    /// ledger's commitment for the listing and epoch).
    UsageTier {
        /// The proof envelope.
        #[schema(value_type = Object)]
        proof: Value,
        /// The listing.
        listing_id: String,
        /// The epoch.
        #[schema(maximum = 4294967295_u64)]
        epoch: u64,
        /// The published usage commitment, hex.
        usage: Option<String>,
    },
    /// A buyer's dispute (`dispute.json`, `veil dispute prove`) against the listing it was sold
    /// under: registered here (`listing_id`) or given. Accepted means the seller delivered a
    /// record other than the committed one; `details` names the record and the rule.
    Dispute {
        /// The dispute.
        #[schema(value_type = Object)]
        dispute: Value,
        /// A listing registered on this service.
        listing_id: Option<String>,
        /// Or the listing itself.
        #[schema(value_type = Object)]
        listing: Option<Value>,
    },
    /// A metered call's proof, verified only (no nullifier is spent: gateways use
    /// `/v1/gateway/calls`).
    UsageCall {
        /// The proof envelope.
        #[schema(value_type = Object)]
        proof: Value,
    },
}

/// A verification's answer.
#[derive(Serialize, ToSchema)]
pub struct Verdict {
    /// Whether the proof verified and says what was expected.
    pub accepted: bool,
    /// Why not.
    pub reason: Option<String>,
    /// What an accepted proof establishes (revealed cells, period totals, the tier, ...).
    #[schema(value_type = Object)]
    pub details: Value,
}

fn parse<T: serde::de::DeserializeOwned>(v: Value, what: &str) -> Result<T> {
    serde_json::from_value(v)
        .map_err(|e| ServiceError::BadRequest(format!("`{what}` is not a Veil {what}: {e}")))
}

fn hex(what: &str, s: &str) -> Result<veil_engine::prelude::Fr> {
    from_hex_strict(what, s).map_err(|e| ServiceError::BadRequest(e.to_string()))
}

/// Verifies a proof (any role).
#[utoipa::path(post, path = "/v1/verify", tag = "verify", security(("bearer" = [])),
    request_body = VerifyRequest,
    responses((status = 200, description = "The verdict", body = Verdict),
              (status = 400, description = "Not a Veil document", body = ErrorBody),
              (status = 404, description = "The listing is not registered", body = ErrorBody),
              AuthErrors, BodyErrors))]
pub async fn verify(
    _caller: Caller,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> Result<Json<Verdict>> {
    let st = state.clone();
    let verdict = state
        .blocking(move |store| {
            let params = Some(st.shared().config.params.clone());
            let outcome: std::result::Result<Value, EngineError> = match req {
                VerifyRequest::Preview {
                    preview,
                    listing_id,
                    listing,
                } => {
                    let file: veil_engine::preview::PreviewFile = parse(preview, "preview")?;
                    let listing = the_listing(store, listing_id, listing)?;
                    veil_engine::preview::verify_value(file, listing, params).map(|v| {
                        json!({ "statement": preview::NAME, "dataset_id": v.file.dataset_id,
                                "revealed_columns": v.file.revealed_columns, "samples": v.file.samples,
                                "ciphertext_root": v.bound_to })
                    })
                }
                VerifyRequest::Report {
                    report,
                    seller,
                    from,
                    to,
                    root,
                } => {
                    // A chain of batch proofs (Groth16), or one folded halo2 proof.
                    let folded = report.get("kind").and_then(Value::as_str)
                        == Some(veil_engine::verifier::totals::AGGREGATE_KIND);
                    let (report_root, report) = if folded {
                        let r = veil_engine::verifier::totals::AggregateReport::from_json(
                            &report.to_string(),
                        )
                        .map_err(|e| ServiceError::BadRequest(format!("`report`: {e}")))?;
                        (r.period.root, Err(r))
                    } else {
                        let r: veil_engine::verifier::totals::Report = parse(report, "report")?;
                        (r.period.root, Ok(r))
                    };
                    let root = match root {
                        Some(r) => hex("root", &r)?,
                        None => {
                            let r = report_root;
                            if !store.is_receipt_root(r)? {
                                return Ok(refused(format!(
                                    "the report is against root {}, which this ledger never had",
                                    to_hex(&r)
                                )));
                            }
                            r
                        }
                    };
                    let expected = Expected {
                        root,
                        seller,
                        from,
                        to,
                    };
                    let totals = match report {
                        Ok(chain) => veil_engine::audit::verify_value(&chain, expected, params),
                        Err(folded) => veil_engine::aggregate::verify_value(
                            folded,
                            "the report",
                            expected,
                            params,
                        )
                        .map(|v| v.totals),
                    };
                    totals.map(|t| {
                        json!({ "statement": totals::NAME, "root": to_hex(&root),
                                "count": t.count, "amount": t.amount, "fees": t.fees,
                                "band_counts": t.band_counts, "band_sums": t.band_sums,
                                "batches": t.batches, "folded": folded })
                    })
                }
                VerifyRequest::UsageTier {
                    proof,
                    listing_id,
                    epoch,
                    usage,
                } => {
                    let env: ProofEnvelope = parse(proof, "proof")?;
                    let usage = match usage {
                        Some(u) => hex("usage", &u)?,
                        None => {
                            let listing = veil_engine::meter::listing_value(&listing_id);
                            match store.epoch_usage(listing, epoch)? {
                                Some(u) => u.usage,
                                None => {
                                    return Ok(refused(format!(
                                        "epoch {epoch} of {listing_id:?} is open: no usage commitment is published"
                                    )))
                                }
                            }
                        }
                    };
                    let expected = TierExpected {
                        listing_id,
                        epoch,
                        usage,
                    };
                    veil_engine::meter::verify_tier_value(&env, &expected, params).map(|p| {
                        json!({ "statement": usage::TIER, "epoch": p.epoch, "lo": p.lo, "hi": p.hi,
                                "usage": to_hex(&p.usage) })
                    })
                }
                VerifyRequest::Dispute {
                    dispute,
                    listing_id,
                    listing,
                } => {
                    let file = veil_engine::verifier::formats::DisputeFile::from_json(
                        &dispute.to_string(),
                    )
                    .map_err(|e| ServiceError::BadRequest(format!("`dispute`: {e}")))?;
                    let listing = the_listing(store, listing_id, listing)?;
                    veil_engine::dispute::verify_value(file, &listing, params).map(|d| {
                        json!({ "statement": veil_engine::circuits::statements::dispute::NAME,
                                "dataset_id": d.file.dataset_id, "index": d.public.index,
                                "backend": d.file.proof.backend,
                                "rule": veil_engine::dispute::describe(&d.rule),
                                "insecure_keys": d.insecure })
                    })
                }
                VerifyRequest::UsageCall { proof } => {
                    let env: ProofEnvelope = parse(proof, "proof")?;
                    let depth = store.licence_depth();
                    let dir = veil_engine::files::params_dir(params);
                    let shape = veil_engine::circuits::statements::CallShape { depth };
                    veil_engine::verifier::usage::call_public(&env, depth)
                        .map_err(EngineError::from)
                        .and_then(|p| {
                            veil_engine::provers::verify_any::<veil_engine::circuits::statements::UsageCall>(
                                dir, &shape, &p, &env,
                            )
                            .map(|_| p)
                        })
                        .map(|p| {
                            json!({ "statement": usage::CALL, "root": to_hex(&p.root), "epoch": p.epoch,
                                    "nullifier": to_hex(&p.nullifier), "request": to_hex(&p.request) })
                        })
                }
            };
            Ok(match outcome {
                Ok(details) => Verdict {
                    accepted: true,
                    reason: None,
                    details,
                },
                Err(EngineError::Io { context, error }) => {
                    return Err(ServiceError::Internal(format!("{context}: {error}")))
                }
                Err(e) => refused(e.to_string()),
            })
        })
        .await?;
    Metrics::verdict(
        &state.shared().metrics.verifications,
        if verdict.accepted {
            "accepted"
        } else {
            "refused"
        },
    );
    Ok(Json(verdict))
}

/// The listing a request names: registered here, or given in the body.
fn the_listing(
    store: &dyn veil_engine::ledger::ServiceStore,
    id: Option<String>,
    given: Option<Value>,
) -> Result<veil_engine::circuits::dataset::Listing> {
    match (id, given) {
        (Some(id), None) => listing_of(&registered(store, &id)?.listing),
        (None, Some(l)) => parse(l, "listing"),
        _ => Err(ServiceError::BadRequest(
            "give one of `listing_id` and `listing`".into(),
        )),
    }
}

fn refused(reason: String) -> Verdict {
    Verdict {
        accepted: false,
        reason: Some(reason),
        details: Value::Null,
    }
}
