//! Previews: the seller proves that rows drawn by the buyer's challenge, with only some
//! columns revealed, are in the committed dataset; the buyer verifies before paying.
//!
//! One streaming pass over the dataset collects the drawn rows and their paths; the statement
//! is checked natively, proved by a backend, then verified once more before it is handed out.

use crate::dataset::{load_key, load_listing, ReadOptions};
use crate::error::At as _;
use crate::files::{params_dir, read_parsed, write_output};
use crate::progress::{Progress, Unit};
use crate::Result;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use veil_circuits::dataset::encrypted;
use veil_circuits::dataset::{self, DatasetKey, Listing};
use veil_circuits::statements::opening;
use veil_circuits::statements::preview::{
    self, challenge_from_hex, PreviewPublic, PreviewShape, PreviewWitness,
};
use veil_circuits::statements::Shape as _;
use veil_circuits::statements::{CiphertextOpening, OpeningShape, PreviewMembership};
use veil_circuits::Fr;
use veil_prover::backend::BackendKind;
use veil_verifier::preview::reveal_mask;
pub use veil_verifier::preview::{Cell, PreviewCiphertext, PreviewFile, Sample, SampleCiphertext};

/// What a seller asks for, as a door takes it.
#[derive(Clone, Debug)]
pub struct PreviewRequest {
    /// The dataset file.
    pub dataset: PathBuf,
    /// The seller secret (or dataset key) file.
    pub secret_file: PathBuf,
    /// The dataset's listing file (read by [`PreviewRequest::load`]; [`PreviewRequest::load_with`]
    /// takes the listing itself and reads no file).
    pub listing: PathBuf,
    /// The buyer's challenge, hex (at most 32 bytes).
    pub challenge: String,
    /// Number of sampled rows `K`.
    pub samples: usize,
    /// Names (or numbers) of the columns to reveal.
    pub reveal: Vec<String>,
    /// How to read the dataset.
    pub read: ReadOptions,
    /// The proof system.
    pub backend: BackendKind,
    /// The encrypted delivery on offer (`veil dataset encrypt`): when given, the preview is
    /// bound to it by an opening proof of the revealed cells (preview version 2).
    pub ciphertext: Option<PathBuf>,
}

/// A request with its files read and checked: the listing, the dataset key, the challenge.
#[derive(Debug)]
pub struct LoadedRequest {
    /// The request.
    pub request: PreviewRequest,
    /// The listing.
    pub listing: Listing,
    /// The dataset key (checked against the listing).
    pub key: DatasetKey,
    /// The challenge, reduced into the field.
    pub challenge: Fr,
}

impl PreviewRequest {
    /// Reads the listing and the key, and parses the challenge.
    pub fn load(self) -> Result<LoadedRequest> {
        let listing = load_listing(&self.listing)?;
        self.load_with(listing)
    }

    /// As [`PreviewRequest::load`] with the listing given (a service holds it already; the
    /// request's `listing` path is not read).
    pub fn load_with(self, listing: Listing) -> Result<LoadedRequest> {
        let challenge = challenge_from_hex(&self.challenge)?;
        if listing.arity() != dataset::TREE_ARITY {
            crate::error::refuse!(
                "listing {:?} is version {}: its records sit in a binary Merkle tree, and previews \
                 are proved against the quaternary tree of version {}; re-attest the dataset \
                 (`veil dataset commit`) and publish the new listing",
                listing.dataset_id,
                listing.veil,
                dataset::LISTING_VERSION
            );
        }
        let key = load_key(&self.secret_file, "secret file", &listing.dataset_id)?;
        listing.check_key(&key)?;
        Ok(LoadedRequest {
            request: self,
            listing,
            key,
            challenge,
        })
    }
}

/// Checks what a preview asks for against its listing before anything is read or proved: the
/// shape (`samples` within the dataset and the supported bounds), the columns to reveal and the
/// challenge. Proving runs it first; the service checks a preview job with it before queueing.
pub fn validate(
    listing: &Listing,
    samples: usize,
    reveal: &[String],
    challenge: &str,
) -> Result<PreviewShape> {
    let shape = shape_for(listing, samples)?;
    reveal_mask(listing, reveal)?;
    challenge_from_hex(challenge)?;
    Ok(shape)
}

/// The shape a request needs, after checking it against its listing.
pub fn shape_for(listing: &Listing, samples: usize) -> Result<PreviewShape> {
    listing.check()?;
    let shape = PreviewShape {
        depth: listing.depth,
        samples,
        columns: listing.schema.columns.len(),
    };
    shape.validate()?;
    if samples as u64 > listing.records {
        return Err(veil_circuits::Error::InvalidParameter(format!(
            "{samples} samples asked, but the dataset has only {} records",
            listing.records
        ))
        .into());
    }
    Ok(shape)
}

/// A preview's statement, read from the dataset. Every backend proves this same statement.
#[derive(Debug)]
pub struct PreviewStatement {
    /// Circuit shape.
    pub shape: PreviewShape,
    /// Public inputs.
    pub public: PreviewPublic,
    /// Witness.
    pub witness: PreviewWitness,
    /// The drawn rows, revealed cells in plain text.
    pub samples: Vec<Sample>,
    /// Revealed columns, bit `c` for column `c`.
    pub mask: u64,
}

/// Reads the dataset once and builds the preview statement `req` asks for.
pub fn statement(req: &LoadedRequest, progress: &Arc<dyn Progress>) -> Result<PreviewStatement> {
    let listing = &req.listing;
    let shape = shape_for(listing, req.request.samples)?;
    let mask = reveal_mask(listing, &req.request.reveal)?;
    let indices = preview::sample_indices(
        listing.commitment,
        req.challenge,
        listing.records,
        shape.samples,
    );
    let path = &req.request.dataset;
    let read = req.request.read.for_listing(listing);
    // The listing holds the file's size: a wrong file is named before it is read.
    let size = std::fs::metadata(path)
        .map_err(|error| crate::EngineError::Io {
            context: format!("cannot read the dataset {}", path.display()),
            error,
        })?
        .len();
    if size != listing.file_bytes {
        return Err(veil_circuits::Error::Mismatch(format!(
            "{} is not the file listed as {:?}: it has {size} bytes, the listing {}",
            path.display(),
            listing.dataset_id,
            listing.file_bytes
        ))
        .into());
    }
    progress.start("reading", size, Unit::Bytes);
    let p = progress.clone();
    let mut file = dataset::open(
        path,
        read.format,
        read.chunk_size,
        Some(Arc::new(move |n| p.set(n))),
    )?;
    let committed = dataset::commit(file.records(), &req.key, listing.depth, &indices)?;
    progress.finish();
    if committed.commitment != listing.commitment {
        return Err(veil_circuits::Error::Mismatch(format!(
            "{} does not match the listing of {:?}: its commitment differs ({} records read, listing has {})",
            path.display(),
            listing.dataset_id,
            committed.records,
            listing.records
        ))
        .into());
    }
    let (public, witness) = preview::build(&shape, &committed, &req.key, req.challenge, mask)?;
    let samples = committed
        .watched
        .iter()
        .zip(&indices)
        .map(|(record, &index)| Sample {
            index,
            cells: record
                .iter()
                .enumerate()
                .map(|(c, bytes)| {
                    if preview::is_revealed(mask, c) {
                        Cell::revealed(bytes)
                    } else {
                        Cell::Redacted
                    }
                })
                .collect(),
        })
        .collect();
    Ok(PreviewStatement {
        shape,
        public,
        witness,
        samples,
        mask,
    })
}

/// A proved preview.
#[derive(Debug)]
pub struct Proved {
    /// The preview file's content.
    pub file: PreviewFile,
    /// Whether its keys (Groth16) or parameters (halo2) come from an insecure local setup.
    pub insecure: bool,
}

/// Proves a preview with the request's backend (Groth16 keys, or halo2 parameters, from
/// `params`, default: [`params_dir`]) and writes it to `out`.
pub fn prove(
    req: PreviewRequest,
    params: Option<PathBuf>,
    out: &Path,
    progress: &Arc<dyn Progress>,
) -> Result<Proved> {
    prove_loaded(req.load()?, params, out, progress)
}

/// As [`prove`], for a request already loaded ([`PreviewRequest::load_with`]).
pub fn prove_loaded(
    req: LoadedRequest,
    params: Option<PathBuf>,
    out: &Path,
    progress: &Arc<dyn Progress>,
) -> Result<Proved> {
    let backend = req.request.backend;
    let r = &req.request;
    let shape = validate(&req.listing, r.samples, &r.reveal, &r.challenge)?;
    let params_for_opening = params_dir(params.clone());
    // Load the keys before reading the dataset: a missing key is reported at once.
    let chosen = crate::provers::choose::<PreviewMembership>(backend, params_dir(params), &shape)?;
    let st = statement(&req, progress)?;
    crate::progress::check(&**progress)?;
    progress.start("proving", 0, Unit::Steps);
    let proof = chosen.prove::<PreviewMembership>(&st.shape, st.public, st.witness)?;
    progress.finish();
    let listing = &req.listing;
    let indices: Vec<u64> = st.samples.iter().map(|s| s.index).collect();
    let (ciphertext, opening_insecure) = match &r.ciphertext {
        Some(path) => {
            let (section, insecure) =
                prove_opening(&req, path, &indices, st.mask, backend, &params_for_opening)?;
            (Some(section), insecure)
        }
        None => (None, false),
    };
    let file = PreviewFile {
        veil: PreviewFile::version_for(&ciphertext),
        kind: "preview".into(),
        dataset_id: listing.dataset_id.clone(),
        commitment: listing.commitment,
        challenge: req.challenge,
        revealed_columns: (0..st.shape.columns)
            .filter(|&c| preview::is_revealed(st.mask, c))
            .map(|c| listing.schema.columns[c].clone())
            .collect(),
        samples: st.samples,
        proof,
        ciphertext,
    };
    // Self-check, as a buyer will run it: a proof this prover cannot verify is a bug, not
    // something to hand a buyer.
    let (shape, public) = veil_verifier::preview::public_inputs(&file, listing)?;
    chosen.verify::<PreviewMembership>(&shape, &public, &file.proof)?;
    if let Some(section) = &file.ciphertext {
        let (shape, opened) =
            veil_verifier::opening::public_inputs(&file, section, listing, &public)?;
        crate::provers::verify_any::<CiphertextOpening>(
            params_for_opening.clone(),
            &shape,
            &opened,
            &section.proof,
        )?;
    }
    write_output(out, &file.to_json())?;
    Ok(Proved {
        file,
        insecure: chosen.insecure() || opening_insecure,
    })
}

/// Opens the sampled records of the ciphertext at `path` at the revealed columns and proves
/// it: the preview's binding to the file on offer. Returns the section and whether its keys
/// are insecure.
fn prove_opening(
    req: &LoadedRequest,
    path: &Path,
    indices: &[u64],
    mask: u64,
    backend: BackendKind,
    params: &Path,
) -> Result<(PreviewCiphertext, bool)> {
    let listing = &req.listing;
    let mut input = crate::files::open_ciphertext(path)?;
    let opened = encrypted::open_records(&mut input, listing, indices).at(path)?;
    let header = match opened.first() {
        Some(o) => o.header.clone(),
        None => crate::error::refuse!("a preview samples at least one record"),
    };
    let layout = header.layout(listing.schema.columns.len());
    let Some(reveal) = opening::reveal_bits(&layout, mask) else {
        crate::error::refuse!(
            "{} is a version-1 ciphertext (packed records): its cells cannot be opened column by \
             column. Encrypt the dataset again (`veil dataset encrypt`) to bind previews to it",
            path.display()
        );
    };
    let shape = OpeningShape {
        samples: indices.len(),
        elements: header.record_elements,
    };
    let (public, witness) = opening::opening(&req.key, header.nonce, &reveal, indices);
    let chosen =
        crate::provers::choose::<CiphertextOpening>(backend, params.to_path_buf(), &shape)?;
    let proof = chosen.prove::<CiphertextOpening>(&shape, public, witness)?;
    let records = opened
        .into_iter()
        .map(|o| SampleCiphertext {
            leaf: o.leaf,
            cipher: o.cipher,
            path: o.ciphertext_path.iter().map(hex::encode).collect(),
        })
        .collect();
    Ok((
        PreviewCiphertext {
            header,
            records,
            proof,
        },
        chosen.insecure(),
    ))
}

/// Reads a preview file.
pub fn load(path: &Path) -> Result<PreviewFile> {
    read_parsed(path, "preview", PreviewFile::from_json)
}

/// A verified preview.
#[derive(Debug)]
pub struct Verified {
    /// The preview.
    pub file: PreviewFile,
    /// Its listing.
    pub listing: Listing,
    /// Whether the keys or parameters it verified with come from an insecure local setup.
    pub insecure: bool,
    /// The ciphertext root `E` (hex) the preview is bound to, when it is (version 2).
    pub bound_to: Option<String>,
}

/// Verifies a preview file against a listing file with the verifying key (Groth16) or the
/// parameters (halo2) from `params`.
pub fn verify(preview: &Path, listing: &Path, params: Option<PathBuf>) -> Result<Verified> {
    verify_value(load(preview)?, load_listing(listing)?, params)
}

/// Verifies a preview against its listing, with the backend its proof names.
pub fn verify_value(
    file: PreviewFile,
    listing: Listing,
    params: Option<PathBuf>,
) -> Result<Verified> {
    let (shape, public) = veil_verifier::preview::public_inputs(&file, &listing)?;
    let dir = params_dir(params);
    let mut insecure =
        crate::provers::verify_any::<PreviewMembership>(dir.clone(), &shape, &public, &file.proof)?;
    let mut bound_to = None;
    if let Some(section) = &file.ciphertext {
        let (shape, opened) =
            veil_verifier::opening::public_inputs(&file, section, &listing, &public)?;
        insecure |=
            crate::provers::verify_any::<CiphertextOpening>(dir, &shape, &opened, &section.proof)?;
        bound_to = listing.ciphertext_root.clone();
    }
    Ok(Verified {
        file,
        listing,
        insecure,
        bound_to,
    })
}

/// The inputs of the preview's Noir twin for `req`, and the name of the program (base or shape
/// variant) that proves them.
pub fn noir_inputs(
    req: PreviewRequest,
    progress: &Arc<dyn Progress>,
) -> Result<(serde_json::Value, String)> {
    let req = req.load()?;
    let st = statement(&req, progress)?;
    Ok((
        veil_noir::twins::preview(&st.public, &st.witness),
        <PreviewMembership as veil_noir::twins::NoirTwin>::program(&st.shape),
    ))
}
