//! Listings: a seller registers a dataset (by its path on the seller's machine, committed here
//! with the seller's secret, or with a listing made elsewhere); anyone reads a listing.

use crate::auth::{Caller, Role};
use crate::error::{AuthErrors, BodyErrors, ErrorBody, Result, ServiceError};
use crate::jobs::{listing_of, registered};
use crate::routes::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;
use veil_engine::dataset::{CommitRequest, ReadOptions};
use veil_engine::ledger::ListingRecord;
use veil_engine::{Progress, Silent};

/// A listing to register.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterListing {
    /// The dataset's path on this (the seller's) machine, inside the service's data folder
    /// (relative paths are taken from it). Without `listing`, the service commits the file
    /// with its seller secret and makes the listing.
    pub dataset: Option<String>,
    /// A listing made elsewhere (`veil dataset commit`); with `dataset`, the file must be the
    /// one it commits to (its SHA-256 is checked).
    #[schema(value_type = Object)]
    pub listing: Option<serde_json::Value>,
    /// The dataset id when committing here (default: the file's name).
    pub dataset_id: Option<String>,
    /// The Merkle depth when committing here (default 20).
    pub depth: Option<u32>,
}

/// A registered listing.
#[derive(Serialize, ToSchema)]
pub struct ListingView {
    /// The dataset id.
    pub id: String,
    /// The listing (`listing.json`).
    #[schema(value_type = Object)]
    pub listing: serde_json::Value,
    /// Whether this service holds the dataset (and can prove previews of it).
    pub has_dataset: bool,
}

pub(crate) fn view(r: &ListingRecord) -> Result<ListingView> {
    Ok(ListingView {
        id: r.id.clone(),
        listing: serde_json::from_str(&r.listing)
            .map_err(|e| ServiceError::Internal(format!("a stored listing: {e}")))?,
        has_dataset: r.dataset.is_some(),
    })
}

/// Registers a listing (seller).
#[utoipa::path(post, path = "/v1/listings", tag = "listings", security(("bearer" = [])),
    request_body = RegisterListing,
    responses((status = 201, description = "Registered", body = ListingView),
              (status = 403, description = "Not a seller", body = ErrorBody),
              (status = 409, description = "The id is another seller's", body = ErrorBody),
              (status = 422, description = "The listing or dataset is refused", body = ErrorBody),
              AuthErrors, BodyErrors))]
pub async fn register(
    caller: Caller,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterListing>,
) -> Result<(StatusCode, Json<ListingView>)> {
    caller.require(&[Role::Seller], "registering a listing")?;
    let st = state.clone();
    let record = state
        .blocking(move |store| {
            let config = &st.shared().config;
            let dataset = req
                .dataset
                .as_deref()
                .map(|d| config.dataset_path(d))
                .transpose()?;
            let listing = match (&req.listing, &dataset) {
                (Some(l), dataset) => {
                    let listing = listing_of(&l.to_string())
                        .map_err(|_| ServiceError::Unprocessable(
                            "`listing` is not a valid listing (veil dataset commit writes one)".into(),
                        ))?;
                    listing.check().map_err(veil_engine::EngineError::from)?;
                    if let Some(d) = dataset {
                        let sha = sha256_file(d)?;
                        if sha != listing.file_sha256 {
                            return Err(ServiceError::Unprocessable(format!(
                                "{} is not the file the listing commits to (SHA-256 {sha}, the listing says {})",
                                d.display(),
                                listing.file_sha256
                            )));
                        }
                    }
                    listing
                }
                (None, Some(d)) => {
                    let secret = config.seller_secret_to(
                        "commit datasets: send a `listing` made with `veil dataset commit`",
                    )?;
                    let out = config.work_dir.join(format!("listing-{}.json", rand::random::<u64>()));
                    std::fs::create_dir_all(&config.work_dir).map_err(|e| {
                        ServiceError::Internal(format!("{}: {e}", config.work_dir.display()))
                    })?;
                    let progress: Arc<dyn Progress> = Arc::new(Silent);
                    let req = CommitRequest {
                        data: d.clone(),
                        secret_file: secret.to_path_buf(),
                        dataset_id: req.dataset_id.clone(),
                        depth: req.depth.unwrap_or(veil_engine::prelude::DEFAULT_DEPTH),
                        read: ReadOptions::default(),
                    };
                    let listing = veil_engine::dataset::commit(&req, &out, &progress);
                    let _ = std::fs::remove_file(&out);
                    listing?
                }
                (None, None) => {
                    return Err(ServiceError::BadRequest(
                        "give `dataset` (a path to commit here), `listing`, or both".into(),
                    ))
                }
            };
            let record = ListingRecord {
                id: listing.dataset_id.clone(),
                listing: listing.to_json(),
                dataset: dataset.map(|d| d.display().to_string()),
                owner: caller.id.clone(),
            };
            store.register_listing(&record)?;
            Ok(record)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view(&record)?)))
}

/// A listing (any role).
#[utoipa::path(get, path = "/v1/listings/{id}", tag = "listings", security(("bearer" = [])),
    params(("id" = String, Path, description = "The dataset id")),
    responses((status = 200, description = "The listing", body = ListingView),
              (status = 404, description = "No such listing", body = ErrorBody),
              AuthErrors))]
pub async fn get(
    _caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ListingView>> {
    let record = state.blocking(move |s| registered(s, &id)).await?;
    Ok(Json(view(&record)?))
}

/// The SHA-256 of a file, hex.
fn sha256_file(path: &std::path::Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut f = std::fs::File::open(path)
        .map_err(|e| ServiceError::Unprocessable(format!("{}: {e}", path.display())))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)
        .map_err(|e| ServiceError::Unprocessable(format!("{}: {e}", path.display())))?;
    Ok(hex::encode(h.finalize()))
}
