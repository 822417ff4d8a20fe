//! Settlement: the operator records sales as receipts; anyone reads the published roots.

use crate::auth::Caller;
use crate::error::{AuthErrors, BodyErrors, ErrorBody, Result, ServiceError};
use crate::routes::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use veil_engine::prelude::to_hex;

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
