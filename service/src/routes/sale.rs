//! The fair sale over HTTP: the seller's service encrypts a listing's dataset (the listing
//! becomes version 3, naming the ciphertext's root `E`), anyone downloads the ciphertext to
//! check it before paying (`veil delivery check`), and at settlement the seller's service hands
//! the dataset key to the buyer in a key note sealed to the buyer's box key
//! (`veil delivery open-note` opens it). The ciphertext lives in the service's work folder,
//! `ciphertexts/<SHA-256 of the listing id>-<E>.veilct`: shared storage when api nodes are many.

use crate::auth::{Caller, Role};
use crate::error::{AuthErrors, BodyErrors, ErrorBody, Result, ServiceError};
use crate::jobs::{listing_of, registered};
use crate::routes::listings::{view, ListingView};
use crate::routes::ApiJson;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use utoipa::ToSchema;
use veil_engine::delivery::EncryptRequest;
use veil_engine::key_note::{self, BuyerAddress};
use veil_engine::ledger::ListingRecord;
use veil_engine::prelude::from_hex_strict;
use veil_engine::{Progress, Silent};

/// The listing `id`, which `caller` must own (or be admin), as `what` needs.
fn owned(
    store: &dyn veil_engine::ledger::ServiceStore,
    caller: &Caller,
    id: &str,
    what: &str,
) -> Result<ListingRecord> {
    let record = registered(store, id)?;
    if !caller.owns(&record.owner) {
        return Err(ServiceError::Forbidden(format!(
            "{what}: listing {id:?} is another seller's"
        )));
    }
    Ok(record)
}

/// Encrypts the dataset of a listing this service holds (seller).
#[utoipa::path(post, path = "/v1/listings/{id}/ciphertext", tag = "listings",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The dataset id")),
    responses((status = 201, description = "Encrypted; the listing now names E", body = ListingView),
              (status = 403, description = "Not the listing's seller", body = ErrorBody),
              (status = 404, description = "No such listing", body = ErrorBody),
              (status = 409, description = "Encrypted already", body = ErrorBody),
              (status = 422, description = "No dataset or seller secret here, or not the committed file", body = ErrorBody),
              AuthErrors))]
pub async fn encrypt(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ListingView>)> {
    caller.require(&[Role::Seller], "encrypting a listing's dataset")?;
    let st = state.clone();
    let record = state
        .blocking(move |store| {
            let config = &st.shared().config;
            let record = owned(store, &caller, &id, "encrypting")?;
            let Some(data) = record.dataset.clone() else {
                return Err(ServiceError::Unprocessable(format!(
                    "this service does not hold the dataset of listing {id:?} (register it \
                     with `dataset`)"
                )));
            };
            let secret = config.seller_secret_to("encrypt datasets")?.to_path_buf();
            if let Some(root) = listing_of(&record.listing)?.ciphertext_root {
                if config.ciphertext_path(&id, &root).is_file() {
                    return Err(ServiceError::Conflict(format!(
                        "listing {id:?} is encrypted already (E = {root}); buyers may have \
                         checked that ciphertext, so it is not replaced"
                    )));
                }
            }
            let work = |e: std::io::Error| {
                ServiceError::Internal(format!("{}: {e}", config.work_dir.display()))
            };
            std::fs::create_dir_all(config.work_dir.join("ciphertexts")).map_err(work)?;
            let listing_in = config
                .work_dir
                .join(format!("listing-{}.json", rand::random::<u64>()));
            let listing_out = listing_in.with_extension("v3.json");
            std::fs::write(&listing_in, &record.listing).map_err(work)?;
            let progress: Arc<dyn Progress> = Arc::new(Silent);
            let req = EncryptRequest {
                data: PathBuf::from(data),
                secret_file: secret,
                listing: listing_in.clone(),
                read: Default::default(),
            };
            // Written under a name of its own, then renamed to its root's once that is known.
            let fresh = listing_in.with_extension("veilct");
            let done =
                veil_engine::delivery::encrypt(&req, &fresh, Some(&listing_out), false, &progress)
                    .map_err(ServiceError::from)
                    .and_then(|done| {
                        let root = done.listing.ciphertext_root.clone().unwrap_or_default();
                        std::fs::rename(&fresh, config.ciphertext_path(&id, &root))
                            .map_err(work)?;
                        Ok(done.listing)
                    });
            for temporary in [&listing_in, &listing_out, &fresh] {
                let _ = std::fs::remove_file(temporary);
            }
            let record = ListingRecord {
                listing: done?.to_json(),
                ..record
            };
            store.register_listing(&record)?;
            Ok(record)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view(&record)?)))
}

/// A listing's ciphertext, for a buyer to check before paying (any role).
#[utoipa::path(get, path = "/v1/listings/{id}/ciphertext", tag = "listings",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The dataset id")),
    responses((status = 200, description = "The `.veilct` file", content_type = "application/octet-stream", body = Vec<u8>),
              (status = 404, description = "No such listing, or it names no ciphertext", body = ErrorBody),
              AuthErrors))]
pub async fn ciphertext(
    _caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response> {
    let st = state.clone();
    let path = state
        .blocking(move |store| {
            let listing = listing_of(&registered(store, &id)?.listing)?;
            let Some(root) = listing.ciphertext_root else {
                return Err(ServiceError::NotFound(format!(
                    "listing {id:?} names no ciphertext (POST /v1/listings/{{id}}/ciphertext \
                     encrypts it)"
                )));
            };
            let path = st.shared().config.ciphertext_path(&id, &root);
            if !path.is_file() {
                return Err(ServiceError::NotFound(format!(
                    "listing {id:?} names a ciphertext this service does not hold"
                )));
            }
            Ok(path)
        })
        .await?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| ServiceError::Internal(format!("{}: {e}", path.display())))?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Response::builder()
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(body)
        .map_err(|e| ServiceError::Internal(format!("a ciphertext response: {e}")))
}

/// Where to send a key note: the buyer's address, as `veil delivery address` prints it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyNoteRequest {
    /// The buyer's key commitment `H(KEY, sk)`, 0x and 64 hex digits.
    pub buyer: String,
    /// The buyer's X25519 box public key, 64 hex digits.
    pub box_public_key: String,
}

/// A key note handing the listing's dataset key to one buyer (the listing's seller, or the
/// operator at settlement).
#[utoipa::path(post, path = "/v1/listings/{id}/key-notes", tag = "listings",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The dataset id")),
    request_body = KeyNoteRequest,
    responses((status = 201, description = "The key note (`key-note.json`)", body = Object),
              (status = 403, description = "Not the listing's seller", body = ErrorBody),
              (status = 404, description = "No such listing", body = ErrorBody),
              (status = 422, description = "A malformed address, or no seller secret here", body = ErrorBody),
              AuthErrors, BodyErrors))]
pub async fn key_note(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<KeyNoteRequest>,
) -> Result<(StatusCode, Json<serde_json::Value>)> {
    caller.require(&[Role::Seller], "issuing a key note")?;
    let to = BuyerAddress {
        buyer: from_hex_strict("buyer", &req.buyer)
            .map_err(|e| ServiceError::Unprocessable(e.to_string()))?,
        box_public_key: key_note::parse_box_key(&req.box_public_key)?,
    };
    let st = state.clone();
    let note = state
        .blocking(move |store| {
            let record = owned(store, &caller, &id, "issuing a key note")?;
            let secret = st.shared().config.seller_secret_to("issue key notes")?;
            let listing = listing_of(&record.listing)?;
            let key = veil_engine::dataset::load_key(secret, "seller secret", &listing.dataset_id)?;
            Ok(key_note::seal(&listing, key, &to)?)
        })
        .await?;
    let json = serde_json::to_value(&note)
        .map_err(|e| ServiceError::Internal(format!("a key note: {e}")))?;
    Ok((StatusCode::CREATED, Json(json)))
}
