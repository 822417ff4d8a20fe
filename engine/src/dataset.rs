//! Sellers' datasets: a master secret, the commitment (a listing), the dataset key that
//! travels with a delivery; and buyers' delivery check.

use crate::error::refuse;
use crate::files::{file_size, read_parsed, read_secret, write_output, write_secret_replacing};
use crate::progress::{Progress, Unit};
use crate::{EngineError, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use veil_circuits::dataset::{
    self, keys::load_dataset_key, DatasetKey, Format, Listing, SellerSecret,
};

/// How to read a dataset file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// Record format (`None`: from the extension, or the listing's).
    pub format: Option<Format>,
    /// Bytes per record for chunked files (a listing's own chunk size wins).
    pub chunk_size: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            chunk_size: dataset::DEFAULT_CHUNK_SIZE,
        }
    }
}

impl ReadOptions {
    /// The options for reading the dataset of `listing`: its format and chunk size win.
    pub fn for_listing(&self, listing: &Listing) -> ReadOptions {
        ReadOptions {
            format: self.format.or(Some(listing.schema.format)),
            chunk_size: if listing.schema.chunk_size > 0 {
                listing.schema.chunk_size as usize
            } else {
                self.chunk_size
            },
        }
    }
}

/// Parses a format name, as a door takes it: `csv`, `jsonl` (or `ndjson`), `chunks`.
pub fn parse_format(s: &str) -> std::result::Result<Format, String> {
    match s {
        "csv" => Ok(Format::Csv),
        "jsonl" | "ndjson" => Ok(Format::Jsonl),
        "chunks" => Ok(Format::Chunks),
        _ => Err(format!("unknown format {s:?}: use csv, jsonl or chunks")),
    }
}

/// Reads a listing file.
pub fn load_listing(path: &Path) -> Result<Listing> {
    read_parsed(path, "listing", Listing::from_json)
}

/// Reads the key of dataset `dataset_id` from a secret file (a seller secret, from which the
/// key derives, or the dataset key itself).
pub fn load_key(path: &Path, what: &str, dataset_id: &str) -> Result<DatasetKey> {
    read_secret(path, what, |t| load_dataset_key(t, dataset_id))
}

/// Opens a dataset file with a byte progress callback.
pub(crate) fn open_dataset(
    path: &Path,
    read: ReadOptions,
    progress: &Arc<dyn Progress>,
    stage: &str,
) -> Result<dataset::DatasetFile> {
    progress.start(stage, file_size(path), Unit::Bytes);
    let p = progress.clone();
    Ok(dataset::open(
        path,
        read.format,
        read.chunk_size,
        Some(Arc::new(move |n| p.set(n))),
    )?)
}

/// Makes a seller master secret at `out` (replacing one only with `force`).
pub fn keygen(out: &Path, force: bool) -> Result<()> {
    let secret = SellerSecret::random(&mut rand::rngs::OsRng);
    write_secret_replacing(out, &secret.to_file(), force)
}

/// What a seller commits.
#[derive(Clone, Debug)]
pub struct CommitRequest {
    /// The dataset file.
    pub data: PathBuf,
    /// The seller secret (or dataset key) file.
    pub secret_file: PathBuf,
    /// The dataset's id (`None`: the file name); its key derives from it.
    pub dataset_id: Option<String>,
    /// Merkle tree depth.
    pub depth: u32,
    /// How to read the file.
    pub read: ReadOptions,
}

/// Commits a dataset and writes its listing to `out`.
pub fn commit(req: &CommitRequest, out: &Path, progress: &Arc<dyn Progress>) -> Result<Listing> {
    let id = match &req.dataset_id {
        Some(id) => id.clone(),
        None => match req.data.file_name().and_then(|n| n.to_str()) {
            Some(n) => n.to_string(),
            None => refuse!("cannot name the dataset from its path; pass --dataset-id"),
        },
    };
    let key = load_key(&req.secret_file, "secret file", &id)?;
    let mut file = open_dataset(&req.data, req.read, progress, "committing")?;
    let committed = dataset::commit(file.records(), &key, req.depth, &[])?;
    progress.finish();
    let (sha, bytes) = file.digest();
    let listing = Listing::new(&id, &committed, &key, sha, bytes);
    write_output(out, &listing.to_json())?;
    Ok(listing)
}

/// Writes the key of the dataset of `listing` (derived from the seller secret) to `out`, for a
/// buyer's delivery (replacing a file there only with `replace`).
pub fn export_key(
    secret_file: &Path,
    listing: &Path,
    out: &Path,
    replace: bool,
) -> Result<Listing> {
    let listing = load_listing(listing)?;
    let key = load_key(secret_file, "secret file", &listing.dataset_id)?;
    listing.check_key(&key)?;
    write_secret_replacing(out, &key.to_file(&listing.dataset_id), replace)?;
    Ok(listing)
}

/// A delivery that matches its listing.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The listing it matched.
    pub listing: Listing,
    /// Records read.
    pub records: u64,
}

/// Recomputes the commitment of a delivered file with the delivered key and compares it with
/// the listing.
pub fn verify_delivery(
    data: &Path,
    listing: &Path,
    key: &Path,
    read: ReadOptions,
    progress: &Arc<dyn Progress>,
) -> Result<Delivery> {
    let listing = load_listing(listing)?;
    let key = load_key(key, "key file", &listing.dataset_id)?;
    listing.check_key(&key)?;
    let mut file = open_dataset(data, read.for_listing(&listing), progress, "verifying")?;
    let committed = dataset::commit_in(listing.arity(), file.records(), &key, listing.depth, &[])?;
    progress.finish();
    let (sha, _) = file.digest();
    if committed.commitment != listing.commitment {
        let sha_hex: String = sha.iter().map(|x| format!("{x:02x}")).collect();
        return Err(EngineError::Refused(format!(
            "mismatch: {} is not the committed dataset {:?} ({} records read, {} listed; SHA-256 {})",
            data.display(),
            listing.dataset_id,
            committed.records,
            listing.records,
            if sha_hex == listing.file_sha256 { "matches" } else { "differs" }
        )));
    }
    Ok(Delivery {
        records: committed.records,
        listing,
    })
}
