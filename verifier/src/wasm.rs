//! A dependency-free WebAssembly interface: plain exported functions over linear memory, so a
//! browser or Node loads `veil_verifier.wasm` with `WebAssembly.instantiate` and no generated
//! glue. `verifier/js/veil-verifier.mjs` wraps it.
//!
//! Protocol: the host copies each input into memory from `veil_alloc(len)`, calls
//! `veil_verify_preview` (Groth16), `veil_verify_bound_preview` (Groth16, a preview bound to
//! its ciphertext) or, built with `halo2`, `veil_verify_preview_halo2`, reads the one-line
//! message at `veil_message_ptr()` /
//! `veil_message_len()`, and releases inputs with `veil_free(ptr, len)`.
//! Return codes: 0 accepted, 1 proof rejected, 2 mismatch, 3 malformed input, 4 bad key.

use crate::{groth16, preview, VerifyError};
use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use ark_serialize::CanonicalDeserialize;
use std::cell::RefCell;
use veil_circuits::dataset::Listing;

// Verifying never draws randomness; proving (compiled in with halo2, never called here) would.
#[cfg(all(feature = "halo2", target_arch = "wasm32"))]
getrandom::register_custom_getrandom!(no_randomness);

#[cfg(all(feature = "halo2", target_arch = "wasm32"))]
fn no_randomness(_: &mut [u8]) -> Result<(), getrandom::Error> {
    Err(getrandom::Error::UNSUPPORTED)
}

thread_local! {
    static MESSAGE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Allocates `len` bytes for the host to write an input into.
#[no_mangle]
pub extern "C" fn veil_alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len.max(1));
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// Frees a buffer from [`veil_alloc`].
///
/// # Safety
/// `ptr` and `len` must come from one `veil_alloc(len)` call, freed once.
#[no_mangle]
pub unsafe extern "C" fn veil_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len.max(1)));
}

/// Address of the last call's message (UTF-8).
#[no_mangle]
pub extern "C" fn veil_message_ptr() -> *const u8 {
    MESSAGE.with(|m| m.borrow().as_ptr())
}

/// Length of the last call's message in bytes.
#[no_mangle]
pub extern "C" fn veil_message_len() -> usize {
    MESSAGE.with(|m| m.borrow().len())
}

unsafe fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ptr, len)
    }
}

fn text(bytes: &[u8], what: &str) -> Result<String, VerifyError> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| VerifyError::Malformed(format!("{what} is not UTF-8")))
}

/// A compressed Groth16 verifying key; `what` names it in the error.
fn groth16_key(bytes: &[u8], what: &str) -> Result<VerifyingKey<Bn254>, VerifyError> {
    VerifyingKey::<Bn254>::deserialize_compressed(bytes)
        .map_err(|e| VerifyError::Keys(format!("{what} verifying key: {e}")))
}

/// What a verdict must add for a preview bound to a ciphertext: this entry point checks the
/// membership proof only, not the opening (`veil preview verify` checks both).
fn unchecked_binding(file: &preview::PreviewFile) -> &'static str {
    if file.ciphertext.is_some() {
        "; its binding to the ciphertext is not checked here (`veil_verify_bound_preview` and \
         `veil preview verify` check it)"
    } else {
        ""
    }
}

/// Verifies `preview.json` against `listing.json` with the compressed verifying key of the
/// preview's shape (whose SHA-256 the host checks against the published manifest).
///
/// # Safety
/// Each `(ptr, len)` must describe readable memory, as from [`veil_alloc`].
#[no_mangle]
pub unsafe extern "C" fn veil_verify_preview(
    preview_ptr: *const u8,
    preview_len: usize,
    listing_ptr: *const u8,
    listing_len: usize,
    vk_ptr: *const u8,
    vk_len: usize,
) -> u32 {
    let result = (|| {
        let (file, listing) = preview_and_listing(
            input(preview_ptr, preview_len),
            input(listing_ptr, listing_len),
        )?;
        let vk = groth16_key(input(vk_ptr, vk_len), "preview")?;
        preview::verify(&file, &listing, &groth16::prepare(&vk))?;
        Ok::<_, VerifyError>(format!(
            "OK: preview of {} rows of {:?} verified{}",
            file.samples.len(),
            listing.dataset_id,
            unchecked_binding(&file)
        ))
    })();
    report(result)
}

/// Verifies a Groth16 `preview.json` bound to its ciphertext (version 2) against
/// `listing.json`: the membership proof with the preview shape's compressed verifying key, and
/// the opening proof with the `ciphertext-opening` shape's, so the revealed cells are read from
/// the file on offer.
///
/// # Safety
/// Each `(ptr, len)` pair must describe readable memory (from [`veil_alloc`]).
#[no_mangle]
pub unsafe extern "C" fn veil_verify_bound_preview(
    preview_ptr: *const u8,
    preview_len: usize,
    listing_ptr: *const u8,
    listing_len: usize,
    vk_ptr: *const u8,
    vk_len: usize,
    opening_vk_ptr: *const u8,
    opening_vk_len: usize,
) -> u32 {
    let result = (|| {
        let (file, listing) = preview_and_listing(
            input(preview_ptr, preview_len),
            input(listing_ptr, listing_len),
        )?;
        let vk = groth16_key(input(vk_ptr, vk_len), "preview")?;
        let opening_vk = groth16_key(input(opening_vk_ptr, opening_vk_len), "opening")?;
        crate::opening::verify_groth16(
            &file,
            &listing,
            &groth16::prepare(&vk),
            &groth16::prepare(&opening_vk),
        )?;
        Ok::<_, VerifyError>(format!(
            "OK: preview of {} rows of {:?} verified, its revealed cells read from the ciphertext \
             on offer (E {})",
            file.samples.len(),
            listing.dataset_id,
            listing.ciphertext_root.as_deref().unwrap_or("?")
        ))
    })();
    report(result)
}

/// Verifies a halo2 `preview.json` against `listing.json` with the halo2 verifying key of the
/// preview's shape (`halo2/<key>.vk`) and the operator's `kzg-bn254.json` (its three verifier
/// points). The host checks the key's SHA-256 against what the operator publishes.
///
/// # Safety
/// Each `(ptr, len)` must describe readable memory, as from [`veil_alloc`].
#[cfg(feature = "halo2")]
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn veil_verify_preview_halo2(
    preview_ptr: *const u8,
    preview_len: usize,
    listing_ptr: *const u8,
    listing_len: usize,
    vk_ptr: *const u8,
    vk_len: usize,
    info_ptr: *const u8,
    info_len: usize,
) -> u32 {
    let result = (|| {
        let (file, listing) = preview_and_listing(
            input(preview_ptr, preview_len),
            input(listing_ptr, listing_len),
        )?;
        let info = crate::halo2::ParamsInfo::from_json(&text(
            input(info_ptr, info_len),
            "kzg-bn254.json",
        )?)
        .map_err(|e| VerifyError::Keys(format!("kzg-bn254.json: {e}")))?;
        let points = crate::halo2::verifier_points(std::path::Path::new("."), &info)?;
        let key = crate::halo2::Halo2Key::new(input(vk_ptr, vk_len), &points)?;
        preview::verify_halo2(&file, &listing, &key)?;
        Ok::<_, VerifyError>(format!(
            "OK: preview of {} rows of {:?} verified (halo2){}",
            file.samples.len(),
            listing.dataset_id,
            unchecked_binding(&file)
        ))
    })();
    report(result)
}

/// The preview and listing texts a host passed, parsed.
fn preview_and_listing(
    preview: &[u8],
    listing: &[u8],
) -> Result<(preview::PreviewFile, Listing), VerifyError> {
    Ok((
        preview::PreviewFile::from_json(&text(preview, "preview")?)?,
        Listing::from_json(&text(listing, "listing")?)?,
    ))
}

/// Keeps the message of `result` and returns its code.
fn report(result: Result<String, VerifyError>) -> u32 {
    let (code, message) = match result {
        Ok(m) => (0, m),
        Err(e @ VerifyError::Rejected(_)) => (1, e.to_string()),
        Err(e @ VerifyError::Mismatch(_)) => (2, e.to_string()),
        Err(e @ (VerifyError::Malformed(_) | VerifyError::WrongFile(_))) => (3, e.to_string()),
        Err(e @ VerifyError::Keys(_)) => (4, e.to_string()),
    };
    MESSAGE.with(|m| *m.borrow_mut() = message);
    code
}
