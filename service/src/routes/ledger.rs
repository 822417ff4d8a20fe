//! The marketplace's ledger over HTTP: settlement (the operator records sales as receipts),
//! licences (the operator issues them; buyers read their paths), the gateway's metered calls
//! (verify and spend the nullifier, atomically) and epochs, and the published roots.

use crate::auth::{Caller, Role};
use crate::error::{AuthErrors, BodyErrors, ErrorBody, Result, ServiceError};
use crate::metrics::Metrics;
use crate::routes::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use veil_engine::gateway::{Accepted, Gateway};
use veil_engine::meter::IssueRequest;
use veil_engine::prelude::{from_hex_strict, to_hex, Fr};
use veil_engine::store::LedgerError;
use veil_engine::EngineError;
use veil_verifier::proof::ProofEnvelope;

/// One sale to settle.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleRequest {
    /// The seller id (below 2^12).
    pub seller: u64,
    /// The listing sold.
    pub listing_id: String,
    /// The price paid.
    pub price: u64,
    /// The sale's time, Unix seconds (not before the seller's previous sale).
    pub time: u64,
}

/// Sales to settle, in order.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettleRequest {
    /// The sales.
    pub sales: Vec<SaleRequest>,
}

/// A receipt as the operator sees it.
#[derive(Serialize, ToSchema)]
pub struct ReceiptView {
    /// Seller.
    pub seller: u64,
    /// Its sequence number in the seller's chain.
    pub seq: u64,
    /// Amount.
    pub amount: u64,
    /// Platform fee.
    pub fee: u64,
    /// Time.
    pub time: u64,
    /// The seller's running total after it.
    pub cum: u64,
}

/// Settled receipts and the new root.
#[derive(Serialize, ToSchema)]
pub struct Settled {
    /// One receipt per sale, in order.
    pub receipts: Vec<ReceiptView>,
    /// The receipt-tree root after the last.
    pub root: String,
}

/// Records sales as receipts (admin: the marketplace operator). Each sale is one atomic
/// transaction: a seller's receipt numbers are consecutive whoever settles.
#[utoipa::path(post, path = "/v1/settlements", tag = "ledger", security(("bearer" = [])),
    request_body = SettleRequest,
    responses((status = 200, description = "Settled", body = Settled),
              (status = 403, description = "Not the operator", body = ErrorBody),
              (status = 422, description = "A sale is refused (time backwards, amount 0, ...)", body = ErrorBody),
              AuthErrors, BodyErrors))]
pub async fn settle(
    caller: Caller,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SettleRequest>,
) -> Result<Json<Settled>> {
    caller.require(&[], "settling sales")?;
    if req.sales.is_empty() {
        return Err(ServiceError::BadRequest("`sales` is empty".into()));
    }
    let settled = state
        .blocking(move |store| {
            let mut receipts = Vec::with_capacity(req.sales.len());
            let mut root = None;
            for s in &req.sales {
                let (r, new_root) =
                    veil_engine::audit::settle(store, s.seller, &s.listing_id, s.price, s.time)?;
                receipts.push(ReceiptView {
                    seller: r.seller,
                    seq: r.seq,
                    amount: r.amount,
                    fee: r.fee,
                    time: r.time,
                    cum: r.cum,
                });
                root = Some(new_root);
            }
            Ok(Settled {
                receipts,
                root: root.map(|r| to_hex(&r)).unwrap_or_default(),
            })
        })
        .await?;
    Ok(Json(settled))
}

/// The ledger's published state.
#[derive(Serialize, ToSchema)]
pub struct LedgerView {
    /// The receipt-tree root (what auditors verify reports against).
    pub receipt_root: String,
    /// The most recent licence-tree root.
    pub licence_root: Option<String>,
    /// The licence tree's depth.
    pub licence_depth: u32,
    /// The platform fee, basis points.
    pub fee_bps: u64,
}

/// The ledger's roots and parameters (any role).
#[utoipa::path(get, path = "/v1/ledger", tag = "ledger", security(("bearer" = [])),
    responses((status = 200, description = "The ledger's state", body = LedgerView),
              AuthErrors))]
pub async fn ledger(_caller: Caller, State(state): State<AppState>) -> Result<Json<LedgerView>> {
    let v = state
        .blocking(|s| {
            Ok(LedgerView {
                receipt_root: to_hex(&s.receipt_root()?),
                licence_root: s.recent_roots(1)?.first().map(to_hex),
                licence_depth: s.licence_depth(),
                fee_bps: s.fee_bps()?,
            })
        })
        .await?;
    Ok(Json(v))
}

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
