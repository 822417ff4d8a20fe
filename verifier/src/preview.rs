//! Verifying a preview (`preview.json`, [`crate::formats::preview`], re-exported here): its
//! sampled rows against the listing's commitment, and its proof.
//!
//! ```json
//! { "veil": 1, "kind": "preview", "dataset_id": "sales-2026", "commitment": "0x..",
//!   "challenge": "0x..", "revealed_columns": ["city", "amount"],
//!   "samples": [ { "index": 17, "cells": ["redacted", {"utf8": "Lyon"}, {"hex": "00ff"}] } ],
//!   "proof": { ...envelope... } }
//! ```
//! A revealed cell is its bytes, as `utf8` text when they are UTF-8 and as `hex` otherwise.

pub use crate::formats::preview::*;

use crate::groth16::PreparedKey;
use crate::{Result, VerifyError};
use veil_circuits::dataset::{value_hash, Listing};
use veil_circuits::statements::preview::{self, PreviewPublic, PreviewShape, SamplePublic};
use veil_circuits::statements::{PublicInputs as _, Shape as _};
use veil_circuits::Fr;

/// The reveal mask of the named columns.
pub fn reveal_mask(listing: &Listing, columns: &[String]) -> Result<u64> {
    let mut mask = 0u64;
    for c in columns {
        let i = listing.schema.column_index(c)?;
        if i >= 64 {
            return Err(VerifyError::Malformed(format!(
                "column {c:?} is past the 64 a preview supports"
            )));
        }
        mask |= 1 << i;
    }
    Ok(mask)
}

/// Checks everything a preview says against its listing, and returns the shape and the public
/// inputs the proof must verify for. Revealed cells are hashed here, from their plain text.
pub fn public_inputs(
    file: &PreviewFile,
    listing: &Listing,
) -> Result<(PreviewShape, PreviewPublic)> {
    listing.check()?;
    if file.dataset_id != listing.dataset_id || file.commitment != listing.commitment {
        return Err(VerifyError::Mismatch(format!(
            "the preview is for dataset {:?} (commitment {}), the listing is {:?} (commitment {})",
            file.dataset_id,
            veil_circuits::field::to_hex(&file.commitment),
            listing.dataset_id,
            veil_circuits::field::to_hex(&listing.commitment)
        )));
    }
    let shape = file.shape(listing);
    shape.validate()?;
    let env = &file.proof;
    let shape_json = serde_json::to_value(shape).expect("shapes serialise");
    env.check_claims(preview::NAME, &shape.id(), &shape_json)?;
    let mask = reveal_mask(listing, &file.revealed_columns)?;
    let drawn = preview::sample_indices(
        file.commitment,
        file.challenge,
        listing.records,
        shape.samples,
    );
    let mut samples = Vec::with_capacity(shape.samples);
    for (j, (s, want)) in file.samples.iter().zip(drawn).enumerate() {
        if s.index != want {
            return Err(VerifyError::Mismatch(format!(
                "sample {j}: index {} is not the row the challenge draws ({want})",
                s.index
            )));
        }
        if s.cells.len() != shape.columns {
            return Err(VerifyError::Malformed(format!(
                "sample {j}: {} cells, the schema has {}",
                s.cells.len(),
                shape.columns
            )));
        }
        let mut revealed = Vec::with_capacity(shape.columns);
        for (c, cell) in s.cells.iter().enumerate() {
            let open = preview::is_revealed(mask, c);
            match (open, cell.bytes()?) {
                (true, Some(b)) => revealed.push(value_hash(&b)),
                (false, None) => revealed.push(Fr::from(0u64)),
                (true, None) => {
                    return Err(VerifyError::Malformed(format!(
                        "sample {j}: revealed column {c} is marked redacted"
                    )))
                }
                (false, Some(_)) => {
                    return Err(VerifyError::Malformed(format!(
                        "sample {j}: column {c} is not revealed but has a value"
                    )))
                }
            }
        }
        samples.push(SamplePublic {
            index: s.index,
            revealed,
        });
    }
    let public = PreviewPublic {
        commitment: file.commitment,
        challenge: file.challenge,
        reveal_mask: mask,
        samples,
    };
    let elements = public.to_field_elements();
    if elements.len() != env.public_inputs.len() {
        return Err(VerifyError::Mismatch(format!(
            "the proof carries {} public inputs, this preview has {}",
            env.public_inputs.len(),
            elements.len()
        )));
    }
    if let Some(i) = elements
        .iter()
        .zip(&env.public_inputs)
        .position(|(a, b)| a != b)
    {
        return Err(VerifyError::Mismatch(format!(
            "public input {i} of the proof differs from the preview's content (edited cell, index or challenge)"
        )));
    }
    Ok((shape, public))
}

/// Verifies a preview against its listing with the (Groth16) verifying key of its shape.
pub fn verify(file: &PreviewFile, listing: &Listing, vk: &PreparedKey) -> Result<()> {
    let (_, public) = public_inputs(file, listing)?;
    file.proof.verify_groth16(vk, &public.to_field_elements())
}

/// Verifies a halo2 preview against its listing with the halo2 verifying key of its shape.
#[cfg(feature = "halo2")]
pub fn verify_halo2(
    file: &PreviewFile,
    listing: &Listing,
    key: &crate::halo2::Halo2Key,
) -> Result<()> {
    let (_, public) = public_inputs(file, listing)?;
    file.proof.verify_halo2(key, &public.to_field_elements())
}
