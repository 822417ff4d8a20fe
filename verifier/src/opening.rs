//! Verifying a preview's binding to the ciphertext on offer (`preview.json` version 2, its
//! `ciphertext` section; the statement is `veil_circuits::statements::opening`). Everything but
//! the proof is public and checked here: the header is the listed ciphertext's, each sample's
//! record lies at its index under `E`, the proof opens the elements of exactly the revealed
//! columns at exactly the sampled records under the listing's key id and the header's nonce,
//! and what those elements decrypt to is, cell for cell, what the preview reveals.

use crate::formats::preview::{PreviewCiphertext, PreviewFile};
use crate::{Result, VerifyError};
use veil_circuits::dataset::encrypted::record;
use veil_circuits::dataset::Listing;
use veil_circuits::statements::opening::{self, OpenedSample, OpeningPublic, NAME};
use veil_circuits::statements::preview::{self, PreviewPublic};
use veil_circuits::statements::{CiphertextOpening, OpeningShape, Statement};
use veil_circuits::Fr;

fn mismatch<T>(m: String) -> Result<T> {
    Err(VerifyError::Mismatch(m))
}

/// The opening's shape and public inputs, after checking every public part of `section`
/// against `listing` and the preview (`file`, whose own public inputs `preview` are already
/// checked by [`crate::preview::public_inputs`]).
pub fn public_inputs(
    file: &PreviewFile,
    section: &PreviewCiphertext,
    listing: &Listing,
    preview: &PreviewPublic,
) -> Result<(OpeningShape, OpeningPublic)> {
    let Some(listed_e) = listing.ciphertext_root.as_deref() else {
        return mismatch(format!(
            "the preview is bound to a ciphertext, but listing {:?} names none",
            listing.dataset_id
        ));
    };
    let header = &section.header;
    header.check()?;
    header.check_listing(listing)?;
    let columns = listing.schema.columns.len();
    let layout = header.layout(columns);
    let Some(reveal) = opening::reveal_bits(&layout, preview.reveal_mask) else {
        return Err(VerifyError::Malformed(
            "the ciphertext is version 1 (packed records): its cells cannot be opened column \
             by column"
                .into(),
        ));
    };
    let shape = OpeningShape {
        samples: preview.samples.len(),
        elements: header.record_elements,
    };
    let w = shape.elements as usize;
    let claimed = serde_json::to_value(shape).expect("shapes serialise");
    section
        .proof
        .check_claims(NAME, &CiphertextOpening::key_id(&shape), &claimed)?;
    let x = &section.proof.public_inputs;
    let want = 2 + w + shape.samples * (1 + w);
    if x.len() != want {
        return Err(VerifyError::Malformed(format!(
            "the opening proof carries {} public inputs, expected {want} for {} samples of {w} \
             elements",
            x.len(),
            shape.samples
        )));
    }
    if x[0] != listing.key_id {
        return mismatch("the opening proof's key id is not the listing's".into());
    }
    if x[1] != header.nonce {
        return mismatch("the opening proof's nonce is not the ciphertext header's".into());
    }
    if x[2..2 + w]
        .iter()
        .zip(&reveal)
        .any(|(r, &want)| *r != Fr::from(want as u64))
    {
        return mismatch(
            "the opening proof opens other elements than those of the revealed columns".into(),
        );
    }
    if section.records.len() != shape.samples {
        return Err(VerifyError::Malformed(format!(
            "the ciphertext section has {} records for {} samples",
            section.records.len(),
            shape.samples
        )));
    }
    let mut samples = Vec::with_capacity(shape.samples);
    for (j, (record, sample)) in section.records.iter().zip(&preview.samples).enumerate() {
        let at = 2 + w + j * (1 + w);
        if crate::dispute::small(&x[at], "a sample's index").ok() != Some(sample.index) {
            return mismatch(format!(
                "sample {j}: the opening proof is about another record than the preview's {}",
                sample.index
            ));
        }
        if record.cipher.len() != w {
            return Err(VerifyError::Malformed(format!(
                "ciphertext record {j}: {} elements, the header says {w}",
                record.cipher.len()
            )));
        }
        let e = crate::dispute::root_through(
            header,
            &record.leaf,
            &record.cipher,
            sample.index,
            &record.path,
            &format!("ciphertext record {j}'s path"),
        )?;
        if e != listed_e {
            return mismatch(format!(
                "sample {j}: record {} with this ciphertext is not in the listed ciphertext (root \
                 E {e}, the listing's {listed_e})",
                sample.index
            ));
        }
        let opened = OpenedSample {
            index: sample.index,
            keystream: x[at + 1..at + 1 + w].to_vec(),
        };
        let plain = opening::open(&record.cipher, &opened);
        for (c, cell) in file.samples[j].cells.iter().enumerate() {
            let Some(range) = layout.column_range(c) else {
                continue;
            };
            if !preview::is_revealed(preview.reveal_mask, c) {
                continue;
            }
            let read = record::decode(&plain[range], 1)
                .ok()
                .and_then(|cells| cells.into_iter().next());
            if read != cell.bytes()? {
                return mismatch(format!(
                    "sample {j}: record {}'s ciphertext does not decrypt to the preview's column \
                     {:?}: the file on offer is not the previewed one (do not pay for it)",
                    sample.index, listing.schema.columns[c]
                ));
            }
        }
        samples.push(opened);
    }
    let public = OpeningPublic {
        key_id: listing.key_id,
        nonce: header.nonce,
        reveal,
        samples,
    };
    Ok((shape, public))
}

/// Verifies a Groth16 preview bound to its ciphertext against `listing`: the membership proof
/// with `vk` (the preview shape's) and the opening with `opening_vk` (the opening shape's).
pub fn verify_groth16(
    file: &PreviewFile,
    listing: &Listing,
    vk: &crate::groth16::PreparedKey,
    opening_vk: &crate::groth16::PreparedKey,
) -> Result<()> {
    let Some(section) = &file.ciphertext else {
        return Err(VerifyError::Malformed(
            "this preview is not bound to a ciphertext (version 1: no `ciphertext`)".into(),
        ));
    };
    let (_, public) = crate::preview::public_inputs(file, listing)?;
    file.proof.verify_groth16(
        vk,
        &veil_circuits::statements::PublicInputs::to_field_elements(&public),
    )?;
    let (_, opened) = public_inputs(file, section, listing, &public)?;
    section.proof.verify_groth16(
        opening_vk,
        &veil_circuits::statements::PublicInputs::to_field_elements(&opened),
    )
}
