//! Dataset commitments: how a seller commits a file, and how a buyer recomputes it.
//!
//! A dataset is a sequence of records with `m` cells each: CSV rows (the header is the
//! schema), JSON Lines objects (the first object's keys are the schema), or fixed-size byte
//! chunks of any other file (one cell per record). Encodings (all `H` = Poseidon2 sponge):
//!
//! ```text
//! value hash   v      = H(VALUE, len, chunk_0, ..., chunk_k)      31-byte big-endian chunks
//! row salt     salt_i = H(SALT, key, i)                           key = the dataset key
//! leaf         leaf_i = H(ROW, i, salt_i, v_i0, ..., v_i(m-1))
//! schema       S      = H(SCHEMA, format, chunk_size, m, v(name_0), ..., v(name_(m-1)))
//! commitment   C      = H(DATASET_V2, root, n, depth, S)
//! ```
//! `root` is the root of a quaternary Merkle tree ([`TREE_ARITY`]) over the leaves: `2^depth`
//! leaf slots, records first, the rest empty (`0`); inner nodes are Poseidon2's compression of
//! their four children (`crate::merkle`). Listing version 1 had a binary tree and another tag.
//! The salt hides low-entropy datasets: without the key, no one can test a guess of the
//! data against `C`. The key travels to the buyer with the delivery, so the buyer recomputes
//! `C` with the same code.

mod chunks;
mod csv;
pub mod encrypted;
mod jsonl;
pub mod keys;
mod listing;
mod source;

pub use keys::{DatasetKey, SellerSecret};
pub use listing::{Listing, ENCRYPTED_LISTING_VERSION, LISTING_VERSION};
pub use source::{detect_format, from_reader, open, DatasetFile, IterRecords, RecordSource};

use crate::merkle::{Arity, MerklePath, TreeBuilder};
use crate::{field, poseidon2, tags, Error, Fr, Result};
#[cfg(feature = "parallel")]
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Default Merkle tree depth: up to 2^20 (about a million) records.
pub const DEFAULT_DEPTH: u32 = 20;
/// Default chunk size for files that are neither CSV nor JSON Lines.
pub const DEFAULT_CHUNK_SIZE: usize = 1024;

/// The largest CSV record or JSON Lines line read: a multi-gigabyte file without line ends is
/// refused after this much, not read into memory whole.
pub const MAX_RECORD_BYTES: usize = 64 << 20;
/// Records hashed together in one parallel batch while streaming.
const BATCH_RECORDS: usize = 8192;

/// One record: the bytes of each cell, in schema order.
pub type Record = Vec<Vec<u8>>;

/// How a file is split into records and cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated values with a header row; a cell is the field's unquoted bytes.
    Csv,
    /// One JSON object per line; a cell is a string's UTF-8 content, or the exact source
    /// text of any other value.
    Jsonl,
    /// Fixed-size byte chunks, one cell each.
    Chunks,
}

impl Format {
    /// The format's code in the schema hash.
    pub fn code(self) -> u64 {
        match self {
            Format::Csv => 1,
            Format::Jsonl => 2,
            Format::Chunks => 3,
        }
    }
}

/// The dataset's schema: its format and column names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// Record format.
    pub format: Format,
    /// Column names, in cell order.
    pub columns: Vec<String>,
    /// Bytes per record, for [`Format::Chunks`]; 0 otherwise.
    #[serde(default)]
    pub chunk_size: u64,
}

impl Schema {
    /// `S = H(SCHEMA, format, chunk_size, m, v(name_0), ...)`.
    pub fn hash(&self) -> Fr {
        let mut inputs = vec![
            tags::fr(tags::SCHEMA),
            Fr::from(self.format.code()),
            Fr::from(self.chunk_size),
            Fr::from(self.columns.len() as u64),
        ];
        inputs.extend(self.columns.iter().map(|c| value_hash(c.as_bytes())));
        poseidon2::hash(&inputs)
    }

    /// The index of a column given by name or by 0-based number.
    pub fn column_index(&self, name: &str) -> Result<usize> {
        if let Some(i) = self.columns.iter().position(|c| c == name) {
            return Ok(i);
        }
        match name.parse::<usize>() {
            Ok(i) if i < self.columns.len() => Ok(i),
            _ => Err(Error::InvalidParameter(format!(
                "no column {name:?}; the schema has {} (or give a number: columns count from 0, \
                 so 0..={})",
                self.columns.join(", "),
                self.columns.len().saturating_sub(1)
            ))),
        }
    }
}

/// `v = H(VALUE, len, chunk_0, ...)`: the hash of a cell's bytes.
pub fn value_hash(bytes: &[u8]) -> Fr {
    let chunks = bytes.len().div_ceil(field::CHUNK_BYTES);
    let mut s = poseidon2::Sponge::new(2 + chunks);
    s.absorb(tags::fr(tags::VALUE));
    s.absorb(Fr::from(bytes.len() as u64));
    for c in field::bytes_to_chunks(bytes) {
        s.absorb(c);
    }
    s.finish()
}

/// The dataset tree's arity: four children per node, so a path costs half the permutations.
pub const TREE_ARITY: Arity = Arity::Quaternary;

/// `salt_i = H(SALT, key, i)`.
pub fn row_salt(key: &DatasetKey, index: u64) -> Fr {
    poseidon2::hash(&[tags::fr(tags::SALT), key.0, Fr::from(index)])
}

/// `leaf_i = H(ROW, i, salt_i, v_0, ..., v_(m-1))` from the cells' value hashes.
pub fn leaf_from_values(index: u64, salt: Fr, values: &[Fr]) -> Fr {
    let mut s = poseidon2::Sponge::new(3 + values.len());
    s.absorb(tags::fr(tags::ROW));
    s.absorb(Fr::from(index));
    s.absorb(salt);
    for v in values {
        s.absorb(*v);
    }
    s.finish()
}

/// The leaf of record `index`.
pub fn leaf(key: &DatasetKey, index: u64, record: &Record) -> Fr {
    let values: Vec<Fr> = record.iter().map(|c| value_hash(c)).collect();
    leaf_from_values(index, row_salt(key, index), &values)
}

/// The leaves of `records`, the first of them record `first`: equal to [`leaf`] of each, with
/// the independent hashes (every cell's value, every salt, then every leaf) paired through
/// [`poseidon2::hash_each`], so that a two-lane permutation ([`poseidon2::permute2`]) runs
/// both lanes full.
pub fn leaves(key: &DatasetKey, first: u64, records: &[Record]) -> Vec<Fr> {
    let value = tags::fr(tags::VALUE);
    let mut messages: Vec<Fr> = Vec::new();
    let mut ends: Vec<usize> = Vec::new();
    for cell in records.iter().flatten() {
        messages.push(value);
        messages.push(Fr::from(cell.len() as u64));
        messages.extend(field::bytes_to_chunks(cell));
        ends.push(messages.len());
    }
    let salt = tags::fr(tags::SALT);
    for i in 0..records.len() as u64 {
        messages.extend([salt, key.0, Fr::from(first + i)]);
        ends.push(messages.len());
    }
    let starts = std::iter::once(0).chain(ends.iter().copied());
    let hashes = poseidon2::hash_each(starts.zip(&ends).map(|(a, &b)| &messages[a..b]));
    let (values, salts) = hashes.split_at(hashes.len() - records.len());
    let mut rows: Vec<Fr> = Vec::new();
    let mut at = 0;
    for (i, (record, salt)) in records.iter().zip(salts).enumerate() {
        rows.extend([tags::fr(tags::ROW), Fr::from(first + i as u64), *salt]);
        rows.extend(&values[at..at + record.len()]);
        at += record.len();
    }
    let width = |r: &Record| 3 + r.len();
    let mut start = 0;
    poseidon2::hash_each(records.iter().map(|r| {
        let m = &rows[start..start + width(r)];
        start += width(r);
        m
    }))
}

/// `C = H(DATASET_V2, root, n, depth, S)`, over a quaternary tree.
pub fn commitment(root: Fr, records: u64, depth: u32, schema_hash: Fr) -> Fr {
    commitment_in(TREE_ARITY, root, records, depth, schema_hash)
}

/// The commitment to a tree of `arity`: version 2's ([`TREE_ARITY`]), or version 1's binary
/// one under its own tag, `H(DATASET, root, n, depth, S)`.
pub fn commitment_in(arity: Arity, root: Fr, records: u64, depth: u32, schema_hash: Fr) -> Fr {
    let tag = match arity {
        Arity::Quaternary => tags::DATASET_V2,
        Arity::Binary => tags::DATASET,
    };
    poseidon2::hash(&[
        tags::fr(tag),
        root,
        Fr::from(records),
        Fr::from(depth as u64),
        schema_hash,
    ])
}

/// The result of one streaming pass over a dataset.
#[derive(Clone, Debug)]
pub struct Committed {
    /// The dataset commitment `C`.
    pub commitment: Fr,
    /// Merkle root.
    pub root: Fr,
    /// Number of records `n`.
    pub records: u64,
    /// Tree depth.
    pub depth: u32,
    /// Schema.
    pub schema: Schema,
    /// `H(schema)`.
    pub schema_hash: Fr,
    /// Paths of the watched records, in the order asked.
    pub paths: Vec<MerklePath>,
    /// The tree's cap for those paths ([`crate::merkle::cap_levels`]).
    pub cap: Vec<Fr>,
    /// The watched records themselves, in the order asked.
    pub watched: Vec<Record>,
}

/// Streams every record of `source` into the tree, in parallel batches, keeping the records
/// and paths at the `watch` indices. Memory is bounded by one batch, whatever the file size.
pub fn commit(
    source: &mut dyn RecordSource,
    key: &DatasetKey,
    depth: u32,
    watch: &[u64],
) -> Result<Committed> {
    commit_in(TREE_ARITY, source, key, depth, watch)
}

/// As [`commit`], into a tree of `arity` ([`Listing::arity`]: binary for version 1 listings).
pub fn commit_in(
    arity: Arity,
    source: &mut dyn RecordSource,
    key: &DatasetKey,
    depth: u32,
    watch: &[u64],
) -> Result<Committed> {
    let schema = source.schema().clone();
    let mut tree = TreeBuilder::with_arity(arity, depth, watch)?;
    let mut wanted: HashMap<u64, Vec<usize>> = HashMap::new();
    for (slot, &i) in watch.iter().enumerate() {
        wanted.entry(i).or_default().push(slot);
    }
    let mut watched: Vec<Option<Record>> = vec![None; watch.len()];
    let mut next: u64 = 0;
    let mut batch: Vec<Record> = Vec::with_capacity(BATCH_RECORDS);
    loop {
        batch.clear();
        while batch.len() < BATCH_RECORDS {
            match source.next_record()? {
                Some(r) => batch.push(r),
                None => break,
            }
        }
        if batch.is_empty() {
            break;
        }
        let first = next;
        for (k, r) in batch.iter().enumerate() {
            if let Some(slots) = wanted.get(&(first + k as u64)) {
                for &s in slots {
                    watched[s] = Some(r.clone());
                }
            }
        }
        #[cfg(feature = "parallel")]
        let it = batch.par_iter().enumerate();
        #[cfg(not(feature = "parallel"))]
        let it = batch.iter().enumerate();
        let leaves: Vec<Fr> = it.map(|(k, r)| leaf(key, first + k as u64, r)).collect();
        tree.push(&leaves)?;
        next += batch.len() as u64;
    }
    if next == 0 {
        return Err(Error::EmptyDataset);
    }
    let built = tree.finish()?;
    let watched = watched
        .into_iter()
        .zip(watch)
        .map(|(r, i)| {
            r.ok_or_else(|| {
                Error::InvalidParameter(format!("record {i} is past the end ({next} records)"))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let schema_hash = schema.hash();
    Ok(Committed {
        commitment: commitment_in(arity, built.root, next, depth, schema_hash),
        root: built.root,
        records: next,
        depth,
        schema,
        schema_hash,
        paths: built.paths,
        cap: built.cap,
        watched,
    })
}

#[cfg(test)]
mod tests;
