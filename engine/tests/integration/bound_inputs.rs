//! Every public input of a preview is bound by the proof: each is edited *consistently* (the
//! listing, the draw and the plain-text cells all agree with the edit, so every check the
//! verifier makes outside the proof passes) and the proof itself must refuse it
//! (`VerifyError::Rejected`, the pairing check, not a mismatch found beforehand).
//!
//! The other statements have the same test beside their fixtures: calls in `gateway.rs`
//! (`every_call_input_edited_consistently_is_refused_by_the_proof`), tiers in `gateway.rs`,
//! report batches in `totals.rs` (`consistent_edits_of_the_period_and_links_are_refused_by_the_proof`).

use std::path::Path;
use std::sync::Arc;
use veil_circuits::dataset::{commitment, value_hash, Listing};
use veil_circuits::statements::preview::{sample_indices, PreviewPublic, SamplePublic};
use veil_circuits::statements::PublicInputs as _;
use veil_circuits::Fr;
use veil_engine::dataset::{self, CommitRequest, ReadOptions};
use veil_engine::preview::{self, PreviewRequest};
use veil_engine::setup::{self, ShapeOptions};
use veil_engine::{Progress, Silent};
use veil_verifier::groth16::PreparedKey;
use veil_verifier::preview::{Cell, PreviewFile};
use veil_verifier::VerifyError;

/// A proved preview of 2 samples from an 11-row, 3-column dataset revealing `city`, its
/// listing and the verifying key of its shape.
fn proved(dir: &Path) -> (PreviewFile, Listing, PreparedKey) {
    let mut csv = String::from("id,city,amount\n");
    for (i, city) in [
        "Oslo", "Lyon", "Perth", "Quito", "Accra", "Lima", "Riga", "Baku", "Hue", "Kiev", "Bern",
    ]
    .iter()
    .enumerate()
    {
        csv += &format!("{i},{city},{}\n", 10 * i + 3);
    }
    let data = dir.join("sales.csv");
    std::fs::write(&data, csv).unwrap();
    let silent: Arc<dyn Progress> = Arc::new(Silent);
    let secret = dir.join("seller.key");
    dataset::keygen(&secret, false).unwrap();
    let listing_path = dir.join("listing.json");
    let req = CommitRequest {
        data: data.clone(),
        secret_file: secret.clone(),
        dataset_id: None,
        depth: 4,
        read: ReadOptions::default(),
    };
    dataset::commit(&req, &listing_path, &silent).unwrap();
    let params = Some(dir.join("params"));
    let opts = ShapeOptions {
        listing: Some(listing_path.clone()),
        samples: Some(2),
        ..ShapeOptions::default()
    };
    setup::setup("preview-membership", &opts, params.clone(), false, &Silent).unwrap();
    let preview_path = dir.join("preview.json");
    let preq = PreviewRequest {
        dataset: data,
        secret_file: secret,
        listing: listing_path.clone(),
        challenge: "0x0badcafe".into(),
        samples: 2,
        reveal: vec!["city".into()],
        read: ReadOptions::default(),
        backend: veil_engine::BackendKind::Groth16,
        ciphertext: None,
    };
    preview::prove(preq, params.clone(), &preview_path, &silent).unwrap();
    let v = preview::verify(&preview_path, &listing_path, params.clone()).unwrap();
    let (vk, _) =
        veil_verifier::params::load_verifying_key(&dir.join("params"), &v.file.proof.key).unwrap();
    (v.file, v.listing, veil_verifier::groth16::prepare(&vk))
}

/// The samples the verifier draws for `file` under `listing`, written into `file`.
fn redraw(file: &mut PreviewFile, listing: &Listing) {
    let drawn = sample_indices(
        file.commitment,
        file.challenge,
        listing.records,
        file.samples.len(),
    );
    for (s, i) in file.samples.iter_mut().zip(drawn) {
        s.index = i;
    }
}

/// The envelope's public inputs restated from the file's content, as a prover that edits the
/// content would write them.
fn restate(file: &mut PreviewFile, listing: &Listing) {
    let mask = veil_verifier::preview::reveal_mask(listing, &file.revealed_columns).unwrap();
    let public = PreviewPublic {
        commitment: file.commitment,
        challenge: file.challenge,
        reveal_mask: mask,
        samples: file
            .samples
            .iter()
            .map(|s| SamplePublic {
                index: s.index,
                revealed: s
                    .cells
                    .iter()
                    .map(|c| match c.bytes().unwrap() {
                        Some(b) => value_hash(&b),
                        None => Fr::from(0u64),
                    })
                    .collect(),
            })
            .collect(),
    };
    file.proof.public_inputs = public.to_field_elements();
}

#[track_caller]
fn refused_by_the_proof(file: &PreviewFile, listing: &Listing, vk: &PreparedKey, what: &str) {
    let mut file = file.clone();
    restate(&mut file, listing);
    let file = &file;
    // Every check outside the proof passes: the edit is consistent.
    veil_verifier::preview::public_inputs(file, listing)
        .unwrap_or_else(|e| panic!("{what}: the edit is not consistent: {e}"));
    match veil_verifier::preview::verify(file, listing, vk) {
        Err(VerifyError::Rejected(_)) => {}
        other => panic!("{what}: expected the proof to refuse it, got {other:?}"),
    }
}

#[test]
fn every_preview_input_edited_consistently_is_refused_by_the_proof() {
    let d = tempfile::tempdir().unwrap();
    let (file, listing, vk) = proved(d.path());
    veil_verifier::preview::verify(&file, &listing, &vk).unwrap();
    // Restating an unedited preview changes nothing.
    let mut same = file.clone();
    restate(&mut same, &listing);
    assert_eq!(same, file);

    // Public inputs: commitment, challenge, reveal mask, then per sample its index and one
    // revealed value per column (0 where redacted).
    // The commitment: another dataset (root) with a listing that opens it, and the rows that
    // its draw picks.
    let mut other = listing.clone();
    other.root += Fr::from(1u64);
    other.commitment = commitment(other.root, other.records, other.depth, other.schema_hash);
    let mut f = file.clone();
    f.commitment = other.commitment;
    redraw(&mut f, &other);
    refused_by_the_proof(&f, &other, &vk, "commitment");

    // The challenge, with the rows it draws (this also moves the sample indices).
    let mut f = file.clone();
    f.challenge += Fr::from(1u64);
    redraw(&mut f, &listing);
    assert_ne!(
        f.samples.iter().map(|s| s.index).collect::<Vec<_>>(),
        file.samples.iter().map(|s| s.index).collect::<Vec<_>>(),
        "the new challenge draws other rows"
    );
    refused_by_the_proof(&f, &listing, &vk, "challenge and indices");

    // The reveal mask: one more column revealed, with plain text for it.
    let mut f = file.clone();
    f.revealed_columns.push("amount".into());
    for s in &mut f.samples {
        s.cells[2] = Cell::Utf8("13".into());
    }
    refused_by_the_proof(&f, &listing, &vk, "reveal mask");
    // One column less revealed.
    let mut f = file.clone();
    f.revealed_columns.clear();
    for s in &mut f.samples {
        s.cells[1] = Cell::Redacted;
    }
    refused_by_the_proof(&f, &listing, &vk, "reveal mask (fewer)");

    // Each revealed value: another city in its cell.
    for j in 0..file.samples.len() {
        let mut f = file.clone();
        f.samples[j].cells[1] = Cell::Utf8("Nice".into());
        refused_by_the_proof(&f, &listing, &vk, &format!("sample {j}'s revealed cell"));
    }
    // Each sample's index alone cannot be edited consistently (the verifier draws it from the
    // challenge): an edited one is a mismatch found before the proof.
    let mut f = file.clone();
    f.samples[0].index = (f.samples[0].index + 1) % listing.records;
    assert!(matches!(
        veil_verifier::preview::verify(&f, &listing, &vk),
        Err(VerifyError::Mismatch(m)) if m.contains("is not the row the challenge draws")
    ));
}
