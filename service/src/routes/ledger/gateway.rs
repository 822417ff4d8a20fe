//! The gateway's metered calls: each verified and its nullifier spent atomically, alone or in
//! bursts verified as one batch.

use crate::auth::{Caller, Role};
use crate::error::{AuthErrors, BodyErrors, ErrorBody, Result, ServiceError};
use crate::metrics::Metrics;
use crate::routes::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use veil_engine::gateway::{Accepted, Gateway};
use veil_engine::prelude::{to_hex, Fr};
use veil_engine::store::LedgerError;
use veil_engine::verifier::proof::ProofEnvelope;
use veil_engine::EngineError;

/// A metered call to check.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallCheck {
    /// The listing this gateway serves.
    pub listing_id: String,
    /// The current epoch.
    #[schema(maximum = 4294967295_u64)]
    pub epoch: u64,
    /// The request that came with the proof.
    pub request: String,
    /// The call's proof envelope.
    #[schema(value_type = Object)]
    pub proof: Value,
}

/// An accepted call.
#[derive(Serialize, ToSchema)]
pub struct CallAccepted {
    /// The epoch it counts in.
    #[schema(maximum = 4294967295_u64)]
    pub epoch: u64,
    /// Its nullifier, now spent.
    pub nullifier: String,
    /// Its leaf in the epoch's calls tree.
    pub position: u64,
}

/// Checks a metered call and spends its nullifier, atomically (gateway). A replay is a 409.
#[utoipa::path(post, path = "/v1/gateway/calls", tag = "gateway", security(("bearer" = [])),
    request_body = CallCheck,
    responses((status = 200, description = "Accepted and counted", body = CallAccepted),
              (status = 403, description = "Not a gateway", body = ErrorBody),
              (status = 409, description = "A replay, or the epoch is closed", body = ErrorBody),
              (status = 422, description = "The proof is refused", body = ErrorBody),
              AuthErrors, BodyErrors))]
pub async fn check_call(
    caller: Caller,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CallCheck>,
) -> Result<Json<CallAccepted>> {
    caller.require(&[Role::Gateway], "checking metered calls")?;
    let env: ProofEnvelope = serde_json::from_value(req.proof)
        .map_err(|e| ServiceError::BadRequest(format!("`proof` is not a proof envelope: {e}")))?;
    let st = state.clone();
    let result = state
        .blocking(move |store| {
            let shared = st.shared();
            let keys = shared.call_keys(store.licence_depth(), [env.backend.as_str()])?;
            let gw = Gateway::new(
                store,
                keys,
                veil_engine::meter::listing_value(&req.listing_id),
                shared.config.accept_roots,
            );
            Ok(gw.check_call(
                &env,
                req.epoch,
                veil_engine::meter::request_value(&req.request),
            ))
        })
        .await?;
    let m = &state.shared().metrics;
    match result {
        Ok(a) => {
            Metrics::verdict(&m.gateway_checks, "accepted");
            Ok(Json(CallAccepted {
                epoch: a.epoch,
                nullifier: to_hex(&a.nullifier),
                position: a.position,
            }))
        }
        Err(e) => {
            let replay = matches!(e, EngineError::Ledger(LedgerError::Replay { .. }));
            if replay {
                m.nullifier_rejections.inc();
            }
            Metrics::verdict(&m.gateway_checks, if replay { "replay" } else { "refused" });
            Err(e.into())
        }
    }
}

/// The most calls one burst may carry.
pub const MAX_BURST: usize = 1024;

/// A burst of metered calls to check at once, in one listing and epoch.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallBurst {
    /// The listing this gateway serves.
    pub listing_id: String,
    /// The current epoch.
    #[schema(maximum = 4294967295_u64)]
    pub epoch: u64,
    /// The calls, in the order their nullifiers are to be spent.
    #[schema(min_items = 1, max_items = 1024)]
    pub calls: Vec<BurstCall>,
}

/// One call of a burst.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BurstCall {
    /// The request that came with the proof.
    pub request: String,
    /// The call's proof envelope.
    #[schema(value_type = Object)]
    pub proof: Value,
}

/// What became of one call of a burst.
#[derive(Serialize, ToSchema)]
pub struct CallVerdict {
    /// Accepted and counted (its nullifier spent).
    pub accepted: bool,
    /// Its nullifier, when accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nullifier: Option<String>,
    /// Its leaf in the epoch's calls tree, when accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u64>,
    /// Why it was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Refused as a replay (its nullifier was already spent, perhaps earlier in this burst).
    pub replay: bool,
}

/// A checked burst: one verdict per call, in order.
#[derive(Serialize, ToSchema)]
pub struct BurstChecked {
    /// The epoch the calls count in.
    #[schema(maximum = 4294967295_u64)]
    pub epoch: u64,
    /// Calls accepted.
    pub accepted: usize,
    /// Calls refused.
    pub refused: usize,
    /// One verdict per call, in the burst's order.
    pub calls: Vec<CallVerdict>,
}

/// Checks a burst of metered calls at once (gateway): each call's checks outside its proof,
/// then every proof in one batch verification (a false proof is found and named alone), then
/// each valid call's nullifier spent in order. Each call gets its own verdict; a refused call
/// records nothing and does not stop the others.
#[utoipa::path(post, path = "/v1/gateway/calls/batch", tag = "gateway", security(("bearer" = [])),
    request_body = CallBurst,
    responses((status = 200, description = "One verdict per call", body = BurstChecked),
              (status = 400, description = "No calls, more than 1024, a `proof` that is no object, or an epoch past 2^32 - 1", body = ErrorBody),
              (status = 422, description = "The burst cannot be checked (no call key in params)", body = ErrorBody),
              (status = 403, description = "Not a gateway", body = ErrorBody),
              AuthErrors, BodyErrors))]
pub async fn check_calls(
    caller: Caller,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CallBurst>,
) -> Result<Json<BurstChecked>> {
    caller.require(&[Role::Gateway], "checking metered calls")?;
    if req.epoch > u64::from(u32::MAX) {
        return Err(ServiceError::BadRequest(format!(
            "epoch {} is past 2^32 - 1, the last epoch a call can be in",
            req.epoch
        )));
    }
    if req.calls.is_empty() || req.calls.len() > MAX_BURST {
        return Err(ServiceError::BadRequest(format!(
            "a burst holds 1 to {MAX_BURST} calls, not {}",
            req.calls.len()
        )));
    }
    // A `proof` that is no JSON object breaks the request's schema: the whole burst is a 400.
    // Objects that are not proof envelopes are refused alone; the rest go to the gateway.
    if let Some(i) = req.calls.iter().position(|c| !c.proof.is_object()) {
        return Err(ServiceError::BadRequest(format!(
            "call {i} of the burst: `proof` is not a JSON object (a proof envelope)"
        )));
    }
    let mut parsed: Vec<std::result::Result<(ProofEnvelope, Fr), String>> = Vec::new();
    for call in req.calls {
        parsed.push(
            serde_json::from_value::<ProofEnvelope>(call.proof)
                .map(|env| (env, veil_engine::meter::request_value(&call.request)))
                .map_err(|e| format!("`proof` is not a proof envelope: {e}")),
        );
    }
    let st = state.clone();
    let (listing, epoch) = (req.listing_id, req.epoch);
    let outcomes = state
        .blocking(move |store| {
            let shared = st.shared();
            let backends = parsed
                .iter()
                .filter_map(|p| p.as_ref().ok().map(|(env, _)| env.backend.as_str()));
            let keys = shared.call_keys(store.licence_depth(), backends)?;
            let gw = Gateway::new(
                store,
                keys,
                veil_engine::meter::listing_value(&listing),
                shared.config.accept_roots,
            );
            let calls: Vec<(ProofEnvelope, Fr)> = parsed
                .iter()
                .filter_map(|p| p.as_ref().ok().cloned())
                .collect();
            let mut checked = gw.check_calls(&calls, epoch).into_iter();
            let outcomes: Vec<std::result::Result<Accepted, (String, bool)>> = parsed
                .iter()
                .map(|p| match p {
                    Err(why) => Err((why.clone(), false)),
                    Ok(_) => match checked.next() {
                        Some(Ok(a)) => Ok(a),
                        Some(Err(e)) => Err((
                            e.to_string(),
                            matches!(e, EngineError::Ledger(LedgerError::Replay { .. })),
                        )),
                        None => Err(("the gateway returned no verdict".into(), false)),
                    },
                })
                .collect();
            Ok(outcomes)
        })
        .await?;
    let m = &state.shared().metrics;
    let mut calls = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        calls.push(match outcome {
            Ok(a) => {
                Metrics::verdict(&m.gateway_checks, "accepted");
                CallVerdict {
                    accepted: true,
                    nullifier: Some(to_hex(&a.nullifier)),
                    position: Some(a.position),
                    error: None,
                    replay: false,
                }
            }
            Err((error, replay)) => {
                if replay {
                    m.nullifier_rejections.inc();
                }
                Metrics::verdict(&m.gateway_checks, if replay { "replay" } else { "refused" });
                CallVerdict {
                    accepted: false,
                    nullifier: None,
                    position: None,
                    error: Some(error),
                    replay,
                }
            }
        });
    }
    let accepted = calls.iter().filter(|c| c.accepted).count();
    Ok(Json(BurstChecked {
        epoch,
        accepted,
        refused: calls.len() - accepted,
        calls,
    }))
}
