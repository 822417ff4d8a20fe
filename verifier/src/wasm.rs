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
//!
//! The buyer's page (`verifier/web`) adds: `veil_verify_report` (an audit report, its totals as
//! JSON at `veil_details_ptr()` / `veil_details_len()`), `veil_sha256` (a key's digest, since
//! `crypto.subtle` exists only in secure contexts), and the delivery check in shares
//! ([`crate::delivery`]): `veil_delivery_share` pulls the file from the host's `veil.read`
//! import and hands leaf blocks to `veil.leaves`; `veil_tree_begin`, `veil_tree_push` and
//! `veil_tree_finish` rebuild the tree from them. A host that checks no delivery gives
//! imports that refuse (as `verifier/js/veil-verifier.mjs` does).

use crate::formats::{BuyerKeyFile, KeyNoteFile};
use crate::{delivery, groth16, preview, totals, VerifyError};
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
    static DETAILS: RefCell<String> = const { RefCell::new(String::new()) };
    static TREE: RefCell<Option<delivery::TreeCheck>> = const { RefCell::new(None) };
}

#[link(wasm_import_module = "veil")]
extern "C" {
    /// Fills up to `len` bytes at `ptr` with the next bytes of the file being checked: the
    /// count, 0 at its end, negative when it cannot be read.
    #[link_name = "read"]
    fn host_read(ptr: *mut u8, len: usize) -> i32;
    /// Takes a block of leaves (32 little-endian bytes each) whose first record is `first`.
    #[link_name = "leaves"]
    fn host_leaves(first: f64, ptr: *const u8, len: usize);
    /// Takes the next `len` bytes of a decrypted file at `ptr`: `len`, or negative when it
    /// cannot keep them.
    #[link_name = "write"]
    fn host_write(ptr: *const u8, len: usize) -> i32;
}

/// The host's file, read through [`host_read`].
struct HostFile;

impl std::io::Read for HostFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // SAFETY: the host writes at most `buf.len()` bytes into `buf`.
        let n = unsafe { host_read(buf.as_mut_ptr(), buf.len()) };
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= buf.len())
            .ok_or_else(|| std::io::Error::other("the browser could not read the file"))
    }
}

/// The host's output file, written through [`host_write`].
struct HostOutput;

impl std::io::Write for HostOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // SAFETY: the host copies the bytes out before it returns.
        let n = unsafe { host_write(buf.as_ptr(), buf.len()) };
        usize::try_from(n)
            .ok()
            .filter(|&n| n == buf.len())
            .ok_or_else(|| std::io::Error::other("the browser could not keep the plaintext"))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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

/// Address of the last call's details (JSON; empty when it has none).
#[no_mangle]
pub extern "C" fn veil_details_ptr() -> *const u8 {
    DETAILS.with(|m| m.borrow().as_ptr())
}

/// Length of the last call's details in bytes.
#[no_mangle]
pub extern "C" fn veil_details_len() -> usize {
    DETAILS.with(|m| m.borrow().len())
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

fn text_ref<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str, VerifyError> {
    std::str::from_utf8(bytes).map_err(|_| VerifyError::Malformed(format!("{what} is not UTF-8")))
}

fn text(bytes: &[u8], what: &str) -> Result<String, VerifyError> {
    text_ref(bytes, what).map(str::to_owned)
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

/// SHA-256 of the input, as hex in the message (a key's digest, compared with the manifest).
///
/// # Safety
/// `(ptr, len)` must describe readable memory, as from [`veil_alloc`].
#[no_mangle]
pub unsafe extern "C" fn veil_sha256(ptr: *const u8, len: usize) -> u32 {
    use sha2::Digest;
    report(Ok(hex::encode(sha2::Sha256::digest(input(ptr, len)))))
}

/// Verifies an audit report (a chain of Groth16 batch proofs) with the compressed verifying
/// key of its batch shape against the receipt root the auditor trusts (`0x` and 64 hex
/// digits); the totals are the details (JSON: seller, period, count, amount, fees, bands).
///
/// # Safety
/// Each `(ptr, len)` must describe readable memory, as from [`veil_alloc`].
#[no_mangle]
pub unsafe extern "C" fn veil_verify_report(
    report_ptr: *const u8,
    report_len: usize,
    vk_ptr: *const u8,
    vk_len: usize,
    root_ptr: *const u8,
    root_len: usize,
) -> u32 {
    let result = (|| {
        let text = text(input(report_ptr, report_len), "report")?;
        let r = totals::Report::from_json(&text)?;
        let root = veil_circuits::field::from_hex_strict(
            "the published root",
            text_ref(input(root_ptr, root_len), "the published root")?.trim(),
        )?;
        let vk = groth16_key(input(vk_ptr, vk_len), "report")?;
        let t = totals::verify_report(&r, &groth16::prepare(&vk), Some(root))?;
        let p = &r.period;
        let bands: Vec<serde_json::Value> = t
            .bands(&p.edges)
            .iter()
            .map(|b| {
                serde_json::json!({
                    "from": b.from, "to": b.to, "count": b.count, "amount": b.amount.to_string()
                })
            })
            .collect();
        let details = serde_json::json!({
            "seller": p.seller, "from": p.t0, "to": p.t1, "bps": p.bps,
            "root": veil_circuits::field::to_hex(&p.root), "batches": t.batches,
            "count": t.count, "amount": t.amount.to_string(), "fees": t.fees.to_string(),
            "bands": bands,
        });
        let message = format!(
            "OK: seller {}, period [{}, {}): {} batch proofs verified against receipt root {}",
            p.seller,
            p.t0,
            p.t1,
            t.batches,
            veil_circuits::field::to_hex(&root)
        );
        Ok::<_, VerifyError>((message, details.to_string()))
    })();
    report_with(result)
}

/// What this build's two-lane Poseidon2 does here, after checking `pairs` pairs of states
/// against arkworks' permutation: 2 when both lanes run at once and agree, 1 when the build
/// (or the engine's unfused multiply-add) runs them one after the other, 0 when they disagree
/// (then the page uses the plain build).
#[no_mangle]
pub extern "C" fn veil_two_lanes(pairs: u32) -> u32 {
    if !veil_circuits::poseidon2::permute2_agrees(pairs as usize) {
        0
    } else if veil_circuits::poseidon2::two_lanes() {
        2
    } else {
        1
    }
}

/// One share of a delivery check ([`delivery::hash_share`]): reads the whole file from the
/// host's `veil.read`, hashes the leaves of blocks `worker`, `worker + workers`, ... and hands
/// each block to `veil.leaves`. With `sha256` set it also digests the file. The message is the
/// share's summary, JSON: `{"records", "schema_hash", "sha256"}`.
///
/// # Safety
/// Each `(ptr, len)` pair must describe readable memory (from [`veil_alloc`]).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn veil_delivery_share(
    listing_ptr: *const u8,
    listing_len: usize,
    key_ptr: *const u8,
    key_len: usize,
    name_ptr: *const u8,
    name_len: usize,
    worker: u32,
    workers: u32,
    sha256: u32,
) -> u32 {
    let result = (|| {
        let (listing, key) = delivery::listing_and_key(
            text_ref(input(listing_ptr, listing_len), "listing")?,
            text_ref(input(key_ptr, key_len), "key file")?,
        )?;
        let name = text_ref(input(name_ptr, name_len), "file name")?;
        let (format, chunk_size) = delivery::read_options(&listing);
        let mut bytes = Vec::new();
        let mut emit = |first: u64, leaves: &[veil_circuits::Fr]| {
            bytes.clear();
            bytes.extend(leaves.iter().flat_map(delivery::leaf_bytes));
            // SAFETY: the host copies the block out before it returns.
            unsafe { host_leaves(first as f64, bytes.as_ptr(), bytes.len()) };
            Ok(())
        };
        let (read, sha) = if sha256 != 0 {
            let mut file = veil_circuits::dataset::DatasetFile::from_reader(
                HostFile, name, 0, format, chunk_size, None,
            )?;
            let read = delivery::hash_share(file.records(), &key, worker, workers, &mut emit)?;
            (read, Some(hex::encode(file.digest().0)))
        } else {
            let mut source =
                veil_circuits::dataset::from_reader(HostFile, name, format, chunk_size)?;
            let read = delivery::hash_share(source.as_mut(), &key, worker, workers, &mut emit)?;
            (read, None)
        };
        Ok::<_, VerifyError>(
            serde_json::json!({
                "records": read.records,
                "schema_hash": veil_circuits::field::to_hex(&read.schema_hash),
                "sha256": sha,
            })
            .to_string(),
        )
    })();
    report(result)
}

/// A ciphertext (`.veilct`, read through `veil.read`) checked before payment against
/// `listing.json` (version 3), with no key: the message is the summary as JSON
/// (`{"dataset_id", "records", "record_elements", "ciphertext_root"}`).
///
/// # Safety
/// `(ptr, len)` must describe readable memory, as from [`veil_alloc`].
#[no_mangle]
pub unsafe extern "C" fn veil_ciphertext_check(listing_ptr: *const u8, listing_len: usize) -> u32 {
    let result = (|| {
        let listing = text_ref(input(listing_ptr, listing_len), "listing")?;
        Ok::<_, VerifyError>(delivery::check_ciphertext(HostFile, listing)?.to_string())
    })();
    report(result)
}

/// A ciphertext (read through `veil.read`) decrypted with the dataset key, the plaintext handed
/// to `veil.write` as it comes: accepted (`{"dataset_id", "records"}`) only when every record
/// is the committed one and the file's SHA-256 is the listing's; a mismatch names the first
/// record that is not (what was written is then incomplete).
///
/// # Safety
/// Each `(ptr, len)` pair must describe readable memory (from [`veil_alloc`]).
#[no_mangle]
pub unsafe extern "C" fn veil_decrypt(
    listing_ptr: *const u8,
    listing_len: usize,
    key_ptr: *const u8,
    key_len: usize,
) -> u32 {
    let result = (|| {
        let listing = text_ref(input(listing_ptr, listing_len), "listing")?;
        let key = text_ref(input(key_ptr, key_len), "key file")?;
        let found = delivery::decrypt_ciphertext(HostFile, listing, key, &mut HostOutput)?;
        Ok::<_, VerifyError>(found.to_string())
    })();
    report(result)
}

/// Opens a key note (`key-note` JSON) of `listing.json` with the buyer key (`buyer-key`
/// JSON), as `veil delivery open-note` does ([`crate::key_note::open`]): the message is the
/// dataset key file (`dataset-key` JSON) for [`veil_decrypt`].
///
/// # Safety
/// Each `(ptr, len)` pair must describe readable memory (from [`veil_alloc`]).
#[no_mangle]
pub unsafe extern "C" fn veil_open_note(
    note_ptr: *const u8,
    note_len: usize,
    listing_ptr: *const u8,
    listing_len: usize,
    buyer_ptr: *const u8,
    buyer_len: usize,
) -> u32 {
    let result = (|| {
        let note = KeyNoteFile::from_json(text_ref(input(note_ptr, note_len), "key note")?)?;
        let listing = Listing::from_json(text_ref(input(listing_ptr, listing_len), "listing")?)?;
        let buyer = BuyerKeyFile::from_json(text_ref(input(buyer_ptr, buyer_len), "buyer key")?)?;
        let key = crate::key_note::open(&note, &listing, &buyer)?;
        Ok::<_, VerifyError>(key.to_file(&listing.dataset_id))
    })();
    report(result)
}

/// Starts rebuilding the tree of a delivered file for `listing.json`.
///
/// # Safety
/// `(ptr, len)` must describe readable memory, as from [`veil_alloc`].
#[no_mangle]
pub unsafe extern "C" fn veil_tree_begin(listing_ptr: *const u8, listing_len: usize) -> u32 {
    let result = (|| {
        let listing = Listing::from_json(text_ref(input(listing_ptr, listing_len), "listing")?)?;
        let tree = delivery::TreeCheck::new(listing)?;
        TREE.with(|t| *t.borrow_mut() = Some(tree));
        Ok::<_, VerifyError>("OK".into())
    })();
    report(result)
}

/// Appends a block of leaves from a share (blocks in order of their first record).
///
/// # Safety
/// `(ptr, len)` must describe readable memory, as from [`veil_alloc`].
#[no_mangle]
pub unsafe extern "C" fn veil_tree_push(first: f64, ptr: *const u8, len: usize) -> u32 {
    let result = TREE.with(|t| {
        let mut t = t.borrow_mut();
        let tree = t
            .as_mut()
            .ok_or_else(|| VerifyError::Malformed("no tree begun (veil_tree_begin)".into()))?;
        tree.push(first as u64, &delivery::leaves_from_bytes(input(ptr, len))?)?;
        Ok::<_, VerifyError>("OK".into())
    });
    report(result)
}

/// Finishes the tree and compares its commitment with the listing's; `summary` is the JSON
/// of share 0 (the one that digested the file), `name` the file's name.
///
/// # Safety
/// Each `(ptr, len)` pair must describe readable memory (from [`veil_alloc`]).
#[no_mangle]
pub unsafe extern "C" fn veil_tree_finish(
    name_ptr: *const u8,
    name_len: usize,
    summary_ptr: *const u8,
    summary_len: usize,
) -> u32 {
    let result = (|| {
        let tree = TREE
            .with(|t| t.borrow_mut().take())
            .ok_or_else(|| VerifyError::Malformed("no tree begun (veil_tree_begin)".into()))?;
        let name = text_ref(input(name_ptr, name_len), "file name")?;
        #[derive(serde::Deserialize)]
        struct Summary {
            records: u64,
            schema_hash: String,
            sha256: String,
        }
        let s: Summary = serde_json::from_slice(input(summary_ptr, summary_len))
            .map_err(|e| VerifyError::Malformed(format!("share summary: {e}")))?;
        let read = delivery::ShareRead {
            records: s.records,
            schema_hash: veil_circuits::field::from_hex_strict("schema hash", &s.schema_hash)?,
        };
        let sha: [u8; 32] = hex::decode(&s.sha256)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                VerifyError::Malformed("share summary: sha256 is not 32 bytes".into())
            })?;
        let dataset_id = tree.listing().dataset_id.clone();
        let records = tree.finish(name, &read, &sha)?;
        Ok::<_, VerifyError>(format!(
            "OK: {name} matches the commitment of {dataset_id:?} ({records} records)"
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
    DETAILS.with(|d| d.borrow_mut().clear());
    code
}

/// [`report`] of a result with details (JSON), kept when it is accepted.
fn report_with(result: Result<(String, String), VerifyError>) -> u32 {
    match result {
        Ok((message, details)) => {
            let code = report(Ok(message));
            DETAILS.with(|d| *d.borrow_mut() = details);
            code
        }
        Err(e) => report(Err(e)),
    }
}
