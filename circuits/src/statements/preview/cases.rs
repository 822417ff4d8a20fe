//! An honest preview of a small dataset, and the edits the statement must refuse: the cases
//! every backend's tests run (feature `fixtures`).

use super::*;
use crate::dataset::{commit, Format, IterRecords, Record, Schema, SellerSecret};

/// A three-column CSV dataset of `rows` records.
pub fn small_dataset(rows: u64) -> (Schema, Vec<Record>) {
    let schema = Schema {
        format: Format::Csv,
        columns: vec!["id".into(), "city".into(), "amount".into()],
        chunk_size: 0,
    };
    let records = (0..rows)
        .map(|i| {
            vec![
                format!("{i}").into_bytes(),
                format!("city-{}", i % 7).into_bytes(),
                format!("{}.{:02}", i * 13 % 1000, i % 100).into_bytes(),
            ]
        })
        .collect();
    (schema, records)
}

/// An honest (shape, public, witness) for a small dataset.
pub fn honest(
    depth: u32,
    k: usize,
    rows: u64,
    mask: u64,
    challenge: u64,
) -> (PreviewShape, PreviewPublic, PreviewWitness) {
    let (schema, records) = small_dataset(rows);
    let key = SellerSecret(Fr::from(5u64)).dataset_key("sample");
    let shape = PreviewShape {
        depth,
        samples: k,
        columns: 3,
    };
    let first = commit(
        &mut IterRecords::new(schema.clone(), records.clone().into_iter()),
        &key,
        depth,
        &[],
    )
    .expect("a fixture");
    let idx = sample_indices(first.commitment, Fr::from(challenge), first.records, k);
    let c = commit(
        &mut IterRecords::new(schema, records.into_iter()),
        &key,
        depth,
        &idx,
    )
    .expect("a fixture");
    let (p, w) = build(&shape, &c, &key, Fr::from(challenge), mask).expect("a fixture");
    (shape, p, w)
}

/// A named edit of an honest preview, with its refusal and broken rule.
pub type Mutation = crate::statements::Mutation<crate::statements::PreviewMembership>;

/// Each mutation must break the native relation and (feature r1cs) the circuit, each for its
/// stated reason.
pub fn mutations() -> Vec<Mutation> {
    vec![
        (
            "changed index",
            "is not the drawn one",
            "index_is_the_draw",
            Box::new(|p, w| {
                p.samples[0].index = (p.samples[0].index + 1) % w.records;
                w.samples[0].path.index = p.samples[0].index;
            }),
        ),
        (
            "edited revealed cell",
            "is not in the tree",
            "row_in_tree",
            Box::new(|p, _| p.samples[1].revealed[0] += Fr::from(1u64)),
        ),
        (
            "other challenge",
            "is not the drawn one",
            "index_is_the_draw",
            Box::new(|p, _| p.challenge += Fr::from(1u64)),
        ),
        (
            "other commitment",
            "commitment does not open",
            "commitment_opens",
            Box::new(|p, _| p.commitment += Fr::from(1u64)),
        ),
        (
            "redacted cell published",
            "publishes a value",
            "redacted_cell_is_zero",
            Box::new(|p, w| p.samples[0].revealed[1] = w.samples[0].values[1]),
        ),
        (
            "mask claims an unrevealed column",
            "is not in the tree",
            "row_in_tree",
            Box::new(|p, _| p.reveal_mask |= 0b010),
        ),
        (
            "mask beyond the columns",
            "bits beyond 3 columns",
            "mask_bits",
            Box::new(|p, _| p.reveal_mask |= 1 << 3),
        ),
        (
            "wrong sibling",
            "is not in the tree",
            "row_in_tree",
            Box::new(|_, w| w.samples[0].path.siblings[2] += Fr::from(1u64)),
        ),
        (
            "edited cap node",
            "the cap does not hash to the root",
            "cap_hashes_to_the_root",
            Box::new(|_, w| w.cap[1] += Fr::from(1u64)),
        ),
        (
            "cap nodes swapped",
            "the cap does not hash to the root",
            "cap_hashes_to_the_root",
            Box::new(|_, w| w.cap.swap(0, 1)),
        ),
        (
            "wrong salt",
            "is not in the tree",
            "row_in_tree",
            Box::new(|_, w| w.samples[1].salt += Fr::from(1u64)),
        ),
        (
            "wrong record count",
            "commitment does not open",
            "commitment_opens",
            Box::new(|_, w| w.records += 1),
        ),
    ]
}
