//! Proving a preview: one streaming pass over the dataset collects the drawn rows and their
//! paths, the witness is checked natively, then proved, then self-verified.

use crate::backend::groth16::Groth16Prover;
use crate::Result;
use ark_std::rand::{CryptoRng, RngCore};
use std::path::Path;
use std::sync::Arc;
use veil_circuits::dataset::{self, DatasetKey, Format, Listing};
use veil_circuits::statements::preview::{self, PreviewPublic, PreviewShape, PreviewWitness};
use veil_circuits::statements::PreviewMembership;
use veil_circuits::Fr;
use veil_verifier::preview::{reveal_mask, Cell, PreviewFile, Sample, PREVIEW_VERSION};

/// What a seller asks for.
pub struct PreviewRequest<'a> {
    /// The dataset file.
    pub dataset: &'a Path,
    /// Its format (default: from the file name).
    pub format: Option<Format>,
    /// Chunk size, for chunked files.
    pub chunk_size: usize,
    /// The dataset key.
    pub key: DatasetKey,
    /// The published listing.
    pub listing: &'a Listing,
    /// The buyer's challenge.
    pub challenge: Fr,
    /// Number of samples `K`.
    pub samples: usize,
    /// Names (or numbers) of the columns to reveal.
    pub reveal: Vec<String>,
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
pub fn statement(
    req: &PreviewRequest,
    progress: Option<Arc<dyn Fn(u64) + Send + Sync>>,
) -> Result<PreviewStatement> {
    let listing = req.listing;
    let shape = shape_for(listing, req.samples)?;
    listing.check_key(&req.key)?;
    let mask = reveal_mask(listing, &req.reveal)?;
    let indices = preview::sample_indices(
        listing.commitment,
        req.challenge,
        listing.records,
        shape.samples,
    );

    let mut file = dataset::open(req.dataset, req.format, req.chunk_size, progress)?;
    let committed = dataset::commit(file.records(), &req.key, listing.depth, &indices)?;
    if committed.commitment != listing.commitment {
        return Err(veil_circuits::Error::Mismatch(format!(
            "{} does not match the listing of {:?}: its commitment differs ({} records read, listing has {})",
            req.dataset.display(),
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
                    if (mask >> c) & 1 == 1 {
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

/// Makes a preview file: the drawn rows (revealed cells in plain text) and their proof.
pub fn prove<R: RngCore + CryptoRng>(
    req: &PreviewRequest,
    prover: &Groth16Prover,
    progress: Option<Arc<dyn Fn(u64) + Send + Sync>>,
    rng: &mut R,
) -> Result<PreviewFile> {
    let listing = req.listing;
    let PreviewStatement {
        shape,
        public,
        witness,
        samples,
        mask,
    } = statement(req, progress)?;
    let proof = prover.prove_statement::<PreviewMembership, _>(&shape, public, witness, rng)?;
    let out = PreviewFile {
        veil: PREVIEW_VERSION,
        kind: "preview".into(),
        dataset_id: listing.dataset_id.clone(),
        commitment: listing.commitment,
        challenge: req.challenge,
        revealed_columns: (0..shape.columns)
            .filter(|c| (mask >> c) & 1 == 1)
            .map(|c| listing.schema.columns[c].clone())
            .collect(),
        samples,
        proof,
    };
    // Self-check: a proof this prover cannot verify is a bug, not something to hand a buyer.
    let pvk = veil_verifier::groth16::prepare(&prover.pk.vk);
    veil_verifier::preview::verify(&out, listing, &pvk)?;
    Ok(out)
}
