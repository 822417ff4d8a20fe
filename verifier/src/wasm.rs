//! JavaScript bindings: a buyer's browser checks a preview against a listing.

use crate::{groth16, preview};
use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use ark_serialize::CanonicalDeserialize;
use veil_circuits::dataset::Listing;
use wasm_bindgen::prelude::*;

/// Verifies `preview.json` against `listing.json` with the shape's verifying key (the
/// compressed bytes of the `.vk` file, whose SHA-256 the caller checks against the published
/// manifest). Returns a one-line summary, or throws an error naming what is wrong.
#[wasm_bindgen(js_name = verifyPreview)]
pub fn verify_preview(
    preview_json: &str,
    listing_json: &str,
    verifying_key: &[u8],
) -> Result<String, JsError> {
    let file =
        preview::PreviewFile::from_json(preview_json).map_err(|e| JsError::new(&e.to_string()))?;
    let listing = Listing::from_json(listing_json).map_err(|e| JsError::new(&e.to_string()))?;
    let vk = VerifyingKey::<Bn254>::deserialize_compressed(verifying_key)
        .map_err(|e| JsError::new(&format!("verifying key: {e}")))?;
    preview::verify(&file, &listing, &groth16::prepare(&vk))
        .map_err(|e| JsError::new(&e.to_string()))?;
    Ok(format!(
        "preview of {} rows of {:?} verified against commitment {}",
        file.samples.len(),
        listing.dataset_id,
        veil_circuits::field::to_hex(&listing.commitment)
    ))
}
