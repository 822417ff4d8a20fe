//! The honest assignments a benchmark proves, built from generated data: a dataset of short
//! rows, simulated sales, a licence tree, an epoch's calls.

use crate::{EngineError, Result};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::path::Path;
use veil_circuits::dataset::{commit, Format, IterRecords, Record, Schema, SellerSecret};
use veil_circuits::merkle::TreeBuilder;
use veil_circuits::statements::preview::{self, PreviewShape};
use veil_circuits::statements::totals::{BatchPublic, BatchWitness, Sale, TotalsShape};
use veil_circuits::statements::usage::{self, CallsTree, Licence};
use veil_circuits::statements::{
    dispute, opening, CallShape, CiphertextOpening, DeliveryDispute, DisputeShape, OpeningShape,
    PreviewMembership, Statement, TierShape, UsageCall, UsageTier,
};
use veil_circuits::Fr;
use veil_ledger::{SqliteStore, Store};

/// The schema of the generated datasets: three short columns.
pub fn short_schema() -> Schema {
    Schema {
        format: Format::Csv,
        columns: vec!["id".into(), "city".into(), "amount".into()],
        chunk_size: 0,
    }
}

/// Record `i` of the generated dataset: about 20 bytes over three cells.
pub fn short_row(i: u64) -> Record {
    vec![
        i.to_string().into_bytes(),
        format!("city{}", i % 97).into_bytes(),
        format!("{}.{:02}", i % 1000, i % 100).into_bytes(),
    ]
}

/// Rows of the generated preview dataset.
pub(crate) const PREVIEW_ROWS: u64 = 4096;
/// The preview benchmark's tree depth (a million-row dataset's).
pub(crate) const PREVIEW_DEPTH: u32 = 20;

pub(crate) fn preview_shape(samples: usize) -> PreviewShape {
    PreviewShape {
        depth: PREVIEW_DEPTH,
        samples,
        columns: short_schema().columns.len(),
    }
}

pub(crate) fn totals_shape(batch: usize) -> TotalsShape {
    TotalsShape { batch, edges: 3 }
}

pub(crate) type Fixture<S> = (
    <S as Statement>::Shape,
    <S as Statement>::Public,
    <S as Statement>::Witness,
);

/// A preview of `k` samples of 4,096 generated rows committed at depth 20, two of three
/// columns revealed.
pub(crate) fn preview_fixture(k: usize) -> Result<Fixture<PreviewMembership>> {
    let shape = preview_shape(k);
    let key = SellerSecret(Fr::from(1u64)).dataset_key("bench");
    let rows = || IterRecords::new(short_schema(), (0..PREVIEW_ROWS).map(short_row));
    let first = commit(&mut rows(), &key, PREVIEW_DEPTH, &[])?;
    let challenge = Fr::from(42u64);
    let idx = preview::sample_indices(first.commitment, challenge, PREVIEW_ROWS, k);
    let done = commit(&mut rows(), &key, PREVIEW_DEPTH, &idx)?;
    let (public, witness) = preview::build(&shape, &done, &key, challenge, 0b110)?;
    Ok((shape, public, witness))
}

/// The report chain over `sales` simulated sales of one seller, all in the period.
pub(crate) fn totals_chain(
    batch: usize,
    sales: usize,
    scratch: &Path,
) -> Result<(TotalsShape, Vec<(BatchPublic, BatchWitness)>)> {
    let shape = totals_shape(batch);
    let path = scratch.join(format!("bench-ledger-{}-{batch}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let built = (|| -> Result<_> {
        let ledger = SqliteStore::create(&path)?;
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let sales = sales as u64;
        ledger.settle(&Sale::simulated(&mut rng, sales, 1, 1_000))?;
        let to = 1_000 + 60 * sales;
        let (_, batches) = ledger.report_batches(&shape, 0, 0, to, &[1_000, 10_000, 100_000])?;
        Ok(batches)
    })();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok((shape, built?))
}

/// A call of the first licence in a licence tree of `depth`.
pub(crate) fn call_fixture(depth: usize) -> Result<Fixture<UsageCall>> {
    let depth = u32::try_from(depth).map_err(|_| EngineError::Refused("depth too large".into()))?;
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let listing = usage::listing_field("bench-api");
    let licence = Licence::issue(&mut rng, listing, 1000, 100)?;
    let mut tree = TreeBuilder::new(depth, &[0])?;
    tree.push(&[licence.note(), Fr::from(1u64), Fr::from(2u64)])?;
    let t = tree.finish()?;
    let path = t
        .paths
        .first()
        .cloned()
        .ok_or_else(|| EngineError::Refused("the licence tree has no path".into()))?;
    let (public, witness) = usage::call_statement(&licence, 7, 5, Fr::from(99u64), t.root, path);
    Ok((CallShape { depth }, public, witness))
}

/// A tier `[1000, 5000)` over an epoch of 1,234 calls.
pub(crate) fn tier_fixture() -> Result<Fixture<UsageTier>> {
    let listing = usage::listing_field("bench-api");
    let nullifiers: Vec<Fr> = (1..=1234u64).map(Fr::from).collect();
    let calls = CallsTree::build(&nullifiers)?;
    let (public, witness) = calls.tier_statement(listing, 5, Fr::from(7u64), 1000, 5000);
    Ok((TierShape::default(), public, witness))
}

/// An opening of `samples` records of a two-column delivery of `width` elements, the first
/// column revealed.
pub(crate) fn opening_fixture(samples: usize, width: u32) -> Result<Fixture<CiphertextOpening>> {
    let shape = OpeningShape {
        samples,
        elements: width,
    };
    CiphertextOpening::validate(&shape)?;
    let key = SellerSecret(Fr::from(5u64)).dataset_key("bench-delivery");
    let half = width as usize / 2;
    let layout =
        veil_circuits::dataset::encrypted::Layout::Columns(vec![half, width as usize - half]);
    let reveal = opening::reveal_bits(&layout, 0b01).unwrap_or_default();
    let indices: Vec<u64> = (0..samples as u64).map(|j| 7 * j + 3).collect();
    let (public, witness) = opening::opening(&key, Fr::from(11u64), &reveal, &indices);
    Ok((shape, public, witness))
}

/// A dispute about record 3 of a delivery of one-cell records of `width` elements.
pub(crate) fn dispute_fixture(width: usize) -> Result<Fixture<DeliveryDispute>> {
    use veil_circuits::dataset::encrypted::{record, EncryptionKey};
    let shape = DisputeShape {
        elements: u32::try_from(width).unwrap_or(u32::MAX),
    };
    DeliveryDispute::validate(&shape)?;
    let key = SellerSecret(Fr::from(5u64)).dataset_key("bench-delivery");
    let nonce = Fr::from(11u64);
    let cell = vec![b'x'; width * veil_circuits::field::CHUNK_BYTES - record::LENGTH_BYTES];
    let x = record::encode(&vec![cell], width)?;
    let cipher = EncryptionKey::derive(&key, nonce).encrypt(3, &x);
    let (public, witness) = dispute::disputed(&key, nonce, 3, &cipher);
    Ok((shape, public, witness))
}
