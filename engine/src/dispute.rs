//! Disputes: a buyer whose delivery decrypted to something other than the committed records
//! proves it about one record, without revealing the key; anyone verifies the dispute against
//! the listing. The statement is `veil_circuits::statements::dispute`, the file
//! `veil_verifier::formats::DisputeFile`.

use crate::dataset::{load_key, load_listing};
use crate::error::{refuse, At};
use crate::files::{open_ciphertext, params_dir, read_parsed, refuse_existing, write_output};
use crate::progress::Progress;
use crate::{BackendKind, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use veil_circuits::dataset::encrypted::{self, Decryption, Inconsistency};
use veil_circuits::dataset::Listing;
use veil_circuits::statements::dispute::{self, DisputePublic};
use veil_circuits::statements::{DeliveryDispute, DisputeShape};
use veil_verifier::formats::{DisputeFile, DISPUTE_VERSION};

pub use veil_circuits::statements::dispute::describe;

/// What a buyer disputes.
#[derive(Clone, Debug)]
pub struct DisputeRequest {
    /// The ciphertext file.
    pub ciphertext: PathBuf,
    /// The listing it was sold under.
    pub listing: PathBuf,
    /// The dataset key settlement released.
    pub key: PathBuf,
    /// The record to dispute; `None`: the first inconsistent one.
    pub index: Option<u64>,
    /// The proof system.
    pub backend: BackendKind,
}

/// A dispute, proved or verified.
#[derive(Clone, Debug)]
pub struct Dispute {
    /// The file.
    pub file: DisputeFile,
    /// Its public inputs.
    pub public: DisputePublic,
    /// The rule the seller broke.
    pub rule: Inconsistency,
    /// Whether its keys (Groth16) or parameters (halo2) come from an insecure local setup.
    pub insecure: bool,
}

/// Proves a dispute about one record of a delivery and writes it to `out`. A record that
/// decrypts to its committed record is refused before anything is proved.
pub fn prove(
    req: &DisputeRequest,
    params: Option<PathBuf>,
    out: &Path,
    force: bool,
    progress: &Arc<dyn Progress>,
) -> Result<Dispute> {
    if !force {
        refuse_existing(out, "a file")?;
    }
    let listing = load_listing(&req.listing)?;
    let key = load_key(&req.key, "key file", &listing.dataset_id)?;
    listing.check_key(&key)?;
    let index = match req.index {
        Some(i) => i,
        None => {
            progress.start(
                "finding the inconsistent record",
                0,
                crate::progress::Unit::Steps,
            );
            let mut input = open_ciphertext(&req.ciphertext)?;
            let found = encrypted::decrypt(&mut input, &listing, &key, &mut std::io::sink())
                .at(&req.ciphertext)?;
            progress.finish();
            match found {
                Decryption::Disputable(f) => f.index,
                Decryption::Delivered { records } => refuse!(
                    "all {records} records of {} decrypt to their committed records: there is \
                     nothing to dispute",
                    req.ciphertext.display()
                ),
            }
        }
    };
    let opened = encrypted::open_record(&mut open_ciphertext(&req.ciphertext)?, &listing, index)
        .at(&req.ciphertext)?;
    let (public, witness) = dispute::disputed(&key, opened.header.nonce, index, &opened.cipher);
    let layout = opened.header.layout(listing.schema.columns.len());
    let Some(rule) = dispute::judge(index, &public.plain, public.salt, opened.leaf, &layout) else {
        refuse!(
            "record {index} decrypts to its committed record: there is nothing to dispute there"
        );
    };
    let shape = DisputeShape {
        elements: opened.header.record_elements,
    };
    let backend =
        crate::provers::choose::<DeliveryDispute>(req.backend, params_dir(params), &shape)?;
    let proof = backend.prove::<DeliveryDispute>(&shape, public.clone(), witness)?;
    backend.verify::<DeliveryDispute>(&shape, &public, &proof)?;
    let file = DisputeFile {
        veil: DISPUTE_VERSION,
        kind: "dispute".into(),
        dataset_id: listing.dataset_id.clone(),
        header: opened.header,
        leaf: opened.leaf,
        ciphertext_path: opened.ciphertext_path.iter().map(hex::encode).collect(),
        dataset_path: opened.dataset_path.siblings,
        proof,
    };
    write_output(out, &file.to_json())?;
    Ok(Dispute {
        file,
        public,
        rule,
        insecure: backend.insecure(),
    })
}

/// Reads a dispute file.
pub fn load(path: &Path) -> Result<DisputeFile> {
    read_parsed(path, "dispute", DisputeFile::from_json)
}

/// Verifies a dispute file against a listing file.
pub fn verify(path: &Path, listing: &Path, params: Option<PathBuf>) -> Result<Dispute> {
    verify_value(load(path)?, &load_listing(listing)?, params)
}

/// Verifies a dispute against its listing: its public parts, the proof (with the backend it
/// names), then the rule it shows broken; a dispute about a consistent record is refused.
pub fn verify_value(
    file: DisputeFile,
    listing: &Listing,
    params: Option<PathBuf>,
) -> Result<Dispute> {
    let (shape, public) = veil_verifier::dispute::public_inputs(&file, listing)?;
    let insecure = crate::provers::verify_any::<DeliveryDispute>(
        params_dir(params),
        &shape,
        &public,
        &file.proof,
    )?;
    let rule = veil_verifier::dispute::finding(&file, listing, &public)?;
    Ok(Dispute {
        file,
        public,
        rule,
        insecure,
    })
}
