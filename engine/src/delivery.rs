//! Encrypted delivery: the seller encrypts a committed dataset and publishes its root `E` in
//! the listing; the buyer checks the ciphertext before paying, and decrypts it with the key that
//! settlement releases. The encodings are in `veil_circuits::dataset::encrypted`.

use crate::dataset::{load_key, load_listing, open_dataset, ReadOptions};
use crate::error::{refuse, At};
use crate::files::{file_size, refuse_existing, write_output, StreamedFile};
use crate::progress::{Progress, Unit};
use crate::{EngineError, Result};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use veil_circuits::dataset::encrypted::{
    self, CiphertextHeader, Decryption, Finding, CIPHERTEXT_VERSION,
};
use veil_circuits::dataset::{self, Listing};
use veil_circuits::field;

/// Reads with a byte-progress callback.
struct Counted<R> {
    inner: R,
    done: u64,
    progress: Arc<dyn Progress>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.progress.cancelled() {
            return Err(std::io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        self.progress.set(self.done);
        Ok(n)
    }
}

fn open_counted(
    path: &Path,
    what: &str,
    progress: &Arc<dyn Progress>,
    stage: &str,
) -> Result<BufReader<Counted<std::fs::File>>> {
    let file = std::fs::File::open(path).map_err(|error| EngineError::Io {
        context: format!("cannot read {what} {}", path.display()),
        error,
    })?;
    progress.start(stage, file_size(path), Unit::Bytes);
    Ok(BufReader::with_capacity(
        1 << 16,
        Counted {
            inner: file,
            done: 0,
            progress: progress.clone(),
        },
    ))
}

/// What a seller encrypts.
#[derive(Clone, Debug)]
pub struct EncryptRequest {
    /// The dataset file, as committed.
    pub data: PathBuf,
    /// The seller secret (or dataset key) file.
    pub secret_file: PathBuf,
    /// The dataset's listing (version 2 or 3).
    pub listing: PathBuf,
    /// How to read the file (the listing's format and chunk size win).
    pub read: ReadOptions,
}

/// What encryption wrote.
#[derive(Clone, Debug)]
pub struct EncryptOutcome {
    /// The listing naming the ciphertext (version 3).
    pub listing: Listing,
    /// Elements per record, `W`.
    pub record_elements: u32,
    /// Bytes of the ciphertext file.
    pub ciphertext_bytes: u64,
}

/// Encrypts the dataset of a listing to `out` (replacing a file there only with `force`) and
/// rewrites the listing (to `listing_out`, the given listing by default) as version 3 naming
/// the ciphertext's root `E`. The file must be the committed one: its commitment is
/// recomputed, and nothing is written when it differs.
pub fn encrypt(
    req: &EncryptRequest,
    out: &Path,
    listing_out: Option<&Path>,
    force: bool,
    progress: &Arc<dyn Progress>,
) -> Result<EncryptOutcome> {
    if !force {
        refuse_existing(out, "a ciphertext")?;
    }
    let listing = load_listing(&req.listing)?;
    let key = load_key(&req.secret_file, "secret file", &listing.dataset_id)?;
    listing.check_key(&key)?;
    if listing.arity() != dataset::TREE_ARITY {
        refuse!(
            "listing {:?} is version 1 (a binary tree); commit the dataset again \
             (`veil dataset commit`) before encrypting it",
            listing.dataset_id
        );
    }
    let read = req.read.for_listing(&listing);
    let mut head = Vec::new();
    std::fs::File::open(&req.data)
        .and_then(|f| f.take(1 << 16).read_to_end(&mut head))
        .map_err(|error| EngineError::Io {
            context: format!("cannot read {}", req.data.display()),
            error,
        })?;
    let mut file = open_dataset(&req.data, read, progress, "surveying")?;
    let survey = encrypted::survey(&mut file, &head).at(&req.data)?;
    progress.finish();
    let (sha, _) = file.digest();
    if hex::encode(sha) != listing.file_sha256 {
        refuse!(
            "{} is not the file listing {:?} commits (its SHA-256 differs)",
            req.data.display(),
            listing.dataset_id
        );
    }
    let header = CiphertextHeader {
        veil: CIPHERTEXT_VERSION,
        kind: "ciphertext".into(),
        dataset_id: listing.dataset_id.clone(),
        commitment: listing.commitment,
        records: survey.records,
        depth: listing.depth,
        record_elements: survey.width,
        column_elements: survey.columns,
        nonce: field::random(&mut rand::rngs::OsRng),
        framing: survey.framing,
    };
    let mut file = open_dataset(&req.data, read, progress, "encrypting")?;
    let mut target = StreamedFile::create(out, false)?;
    let sealed = {
        let mut w = BufWriter::with_capacity(1 << 20, target.file());
        let sealed = encrypted::encrypt(file.records(), &key, &header, &mut w).at(&req.data)?;
        w.flush().map_err(|error| EngineError::Io {
            context: format!("writing {}", out.display()),
            error,
        })?;
        sealed
    };
    progress.finish();
    if sealed.commitment != listing.commitment {
        refuse!(
            "{} does not give the commitment of listing {:?}: nothing was written",
            req.data.display(),
            listing.dataset_id
        );
    }
    target.publish()?;
    let listing = listing.with_ciphertext(sealed.ciphertext_root);
    write_output(listing_out.unwrap_or(&req.listing), &listing.to_json())?;
    Ok(EncryptOutcome {
        listing,
        record_elements: header.record_elements,
        ciphertext_bytes: header.file_bytes(),
    })
}

/// A ciphertext that a buyer may pay for.
#[derive(Clone, Debug)]
pub struct Checked {
    /// Its listing.
    pub listing: Listing,
    /// What the check found.
    pub found: encrypted::Checked,
}

/// A buyer's check before paying (no key needed): the ciphertext is the one the listing names,
/// and it holds one record per committed leaf.
pub fn check(ciphertext: &Path, listing: &Path, progress: &Arc<dyn Progress>) -> Result<Checked> {
    let listing = load_listing(listing)?;
    check_with(ciphertext, listing, progress)
}

/// As [`check`], with the listing given.
pub fn check_with(
    ciphertext: &Path,
    listing: Listing,
    progress: &Arc<dyn Progress>,
) -> Result<Checked> {
    let mut input = open_counted(ciphertext, "ciphertext", progress, "checking")?;
    let found = encrypted::check(&mut input, &listing).at(ciphertext)?;
    progress.finish();
    Ok(Checked { listing, found })
}

/// What decryption gave the buyer.
#[derive(Clone, Debug)]
pub enum Decrypted {
    /// The plaintext is the seller's file, byte for byte, and it is under the asked name.
    Delivered {
        /// The listing.
        listing: Listing,
        /// Records.
        records: u64,
    },
    /// A record is not the committed one: the plaintext up to it is kept at `partial`, and the
    /// finding is what a dispute proves.
    Disputable {
        /// The listing.
        listing: Listing,
        /// The first inconsistent record.
        finding: Finding,
        /// Where the incomplete plaintext is.
        partial: PathBuf,
    },
}

/// `<out>.partial`.
pub fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// Decrypts a ciphertext with the dataset key to `out`. The plaintext gets its name only when
/// every record decrypts to its committed record and the file's SHA-256 is the listing's;
/// otherwise nothing is at `out` (an inconsistent record leaves the plaintext before it at
/// `<out>.partial`, and names the record).
pub fn decrypt(
    ciphertext: &Path,
    listing: &Path,
    key: &Path,
    out: &Path,
    force: bool,
    progress: &Arc<dyn Progress>,
) -> Result<Decrypted> {
    if !force {
        refuse_existing(out, "a file")?;
    }
    let listing = load_listing(listing)?;
    let key = load_key(key, "key file", &listing.dataset_id)?;
    listing.check_key(&key)?;
    let mut input = open_counted(ciphertext, "ciphertext", progress, "decrypting")?;
    let mut target = StreamedFile::create(out, false)?;
    let found = {
        let mut w = BufWriter::with_capacity(1 << 20, target.file());
        let found = encrypted::decrypt(&mut input, &listing, &key, &mut w).at(ciphertext)?;
        w.flush().map_err(|error| EngineError::Io {
            context: format!("writing {}", out.display()),
            error,
        })?;
        found
    };
    progress.finish();
    match found {
        Decryption::Delivered { records } => {
            target.publish()?;
            Ok(Decrypted::Delivered { listing, records })
        }
        Decryption::Disputable(finding) => {
            let partial = partial_path(out);
            target.keep_as(&partial)?;
            Ok(Decrypted::Disputable {
                listing,
                finding,
                partial,
            })
        }
    }
}
