//! Encrypted delivery: the buyer holds the dataset, encrypted, before paying; the key arrives
//! with settlement; a seller who encrypted anything but the committed records is convicted.
//!
//! The design is FairSwap's (Dziembowski, Eckey, Faust, CCS 2018) made smaller by the
//! commitment Veil already has. Every record's Merkle leaf is salted (`leaf_i =
//! H(ROW, i, salt_i, ...)`), so the leaves can be published without revealing anything: the
//! ciphertext file carries each record's leaf in the clear beside its ciphertext, and anyone
//! checks before paying that the leaves rebuild the listing's `root` and that the file is the
//! one the listing names (`ciphertext_root`). No node of the tree is then disputable (a wrong
//! one is seen before payment); what is left to dispute is one record: "record `i` decrypts to
//! something whose leaf is not `leaf_i`", or to no record at all ([`Malformed`]).
//!
//! ```text
//! record     x_i = encode(cells_i)                      W elements, a slot per column ([`record`])
//! keystream  ks_i = P([ek, i, b, STREAM])[0..3], b < ceil(W/3)   ek = H(ENC_KEY, key, nonce)
//! cipher     c_i = x_i + ks_i                           ([`stream`])
//! file       header line, then (leaf_i, c_i) per record ([`file`])
//! root       E = SHA-256 over the header and a SHA-256 tree of the records ([`tree`])
//! ```
//! [`survey`] reads the file once for the column slots and its framing, [`encrypt`] a second time to write
//! the ciphertext (both streaming, parallel in batches like [`super::commit`]); [`check`] is a
//! buyer's test before paying (no key), and [`decrypt`] the test after (with the key), writing
//! the plaintext as it goes and stopping at the first inconsistent record.

pub mod file;
pub mod framing;
pub mod record;
pub mod stream;
pub mod tree;

pub use file::{CiphertextHeader, CIPHERTEXT_VERSION};
pub use framing::Framing;
pub use record::{Layout, Malformed};
pub use stream::EncryptionKey;

use super::{leaf, DatasetFile, DatasetKey, Listing, Record, RecordSource, BATCH_RECORDS};
use crate::merkle::TreeBuilder;
use crate::{Error, Fr, Result};
#[cfg(feature = "parallel")]
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::io::{BufRead, Read, Write};
use tree::{Digest32, ShaTree};

/// What the first pass over a dataset file finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Survey {
    /// Records.
    pub records: u64,
    /// Elements per record, `W`: the sum of [`Survey::columns`].
    pub width: u32,
    /// Elements of each column's slot: its longest cell's.
    pub columns: Vec<u32>,
    /// The framing that reproduces the file.
    pub framing: Framing,
}

/// First pass: the record count, the column slots, and the file's framing (`head` is the file's
/// first bytes). A file no framing reproduces byte for byte is refused.
pub fn survey(file: &mut DatasetFile, head: &[u8]) -> Result<Survey> {
    let schema = file.records().schema().clone();
    let mut probe = framing::FramingProbe::new(&schema, head)?;
    let mut records = 0u64;
    let mut columns = vec![1usize; schema.columns.len().max(1)];
    let mut scratch = Vec::new();
    while let Some(r) = file.records().next_record()? {
        for (w, cell) in columns.iter_mut().zip(&r) {
            *w = (*w).max(record::slot_elements(cell));
        }
        probe.push(&r, &mut scratch);
        records += 1;
    }
    let width: usize = columns.iter().sum();
    if records == 0 {
        return Err(Error::EmptyDataset);
    }
    let width = u32::try_from(width)
        .ok()
        .filter(|&w| w <= file::MAX_RECORD_ELEMENTS)
        .ok_or_else(|| {
            Error::InvalidParameter(format!(
                "a record of {width} elements is longer than a ciphertext allows ({})",
                file::MAX_RECORD_ELEMENTS
            ))
        })?;
    let (sha, _) = file.digest();
    let framing = probe.finish(&sha).ok_or_else(|| {
        Error::InvalidParameter(
            "this CSV file cannot be rebuilt byte for byte from its cells (mixed line ends, or \
             quotes around some fields that need none): a buyer's decryption could not match \
             its SHA-256. Write it with one line end and minimal quoting (as Python's csv module \
             does), commit it again, then encrypt"
                .into(),
        )
    })?;
    Ok(Survey {
        records,
        width,
        // Each is at most `width`, which fits a u32.
        columns: columns.into_iter().map(|w| w as u32).collect(),
        framing,
    })
}

/// What encryption produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encrypted {
    /// The dataset commitment the records give (compare with the listing's).
    pub commitment: Fr,
    /// Their Merkle root.
    pub root: Fr,
    /// Records written.
    pub records: u64,
    /// The ciphertext root `E`.
    pub ciphertext_root: Digest32,
}

/// Reads a batch of up to [`BATCH_RECORDS`] records.
fn next_batch(source: &mut dyn RecordSource, batch: &mut Vec<Record>) -> Result<()> {
    batch.clear();
    while batch.len() < BATCH_RECORDS {
        match source.next_record()? {
            Some(r) => batch.push(r),
            None => break,
        }
    }
    Ok(())
}

/// Second pass: writes `header` and every record's leaf and ciphertext to `out`.
pub fn encrypt(
    source: &mut dyn RecordSource,
    key: &DatasetKey,
    header: &CiphertextHeader,
    out: &mut dyn Write,
) -> Result<Encrypted> {
    let write_err = |e| Error::io("writing the ciphertext", e);
    let ek = EncryptionKey::derive(key, header.nonce);
    let layout = header.layout(source.schema().columns.len());
    let schema_hash = source.schema().hash();
    let mut tree = TreeBuilder::with_arity(super::TREE_ARITY, header.depth, &[])?;
    let mut sha_tree = ShaTree::new(header.depth, None);
    out.write_all(&header.line()).map_err(write_err)?;
    let mut batch = Vec::with_capacity(BATCH_RECORDS);
    let mut next = 0u64;
    loop {
        next_batch(source, &mut batch)?;
        if batch.is_empty() {
            break;
        }
        let first = next;
        #[cfg(feature = "parallel")]
        let it = batch.par_iter().enumerate();
        #[cfg(not(feature = "parallel"))]
        let it = batch.iter().enumerate();
        let sealed = it
            .map(|(k, r)| {
                let i = first + k as u64;
                let l = leaf(key, i, r);
                let c = ek.encrypt(i, &layout.encode(r)?);
                let blob = file::record_blob(&l, &c);
                let h = tree::leaf_hash(&blob);
                Ok((l, blob, h))
            })
            .collect::<Result<Vec<_>>>()?;
        if next + sealed.len() as u64 > header.records {
            return Err(Error::Mismatch(format!(
                "the file has more records than the {} its first reading found (did it change?)",
                header.records
            )));
        }
        let leaves: Vec<Fr> = sealed.iter().map(|(l, _, _)| *l).collect();
        tree.push(&leaves)?;
        for (_, blob, h) in &sealed {
            out.write_all(blob).map_err(write_err)?;
            sha_tree.push(*h);
        }
        next += sealed.len() as u64;
    }
    if next != header.records {
        return Err(Error::Mismatch(format!(
            "the file has {next} records, its first reading found {} (did it change?)",
            header.records
        )));
    }
    let built = tree.finish()?;
    let (sha_root, _) = sha_tree.finish();
    Ok(Encrypted {
        commitment: super::commitment(built.root, next, header.depth, schema_hash),
        root: built.root,
        records: next,
        ciphertext_root: header.ciphertext_root(&sha_root),
    })
}

/// Reads a ciphertext file: its header, then its records in batches.
pub struct CiphertextReader<R> {
    input: R,
    /// The header.
    pub header: CiphertextHeader,
    read: u64,
    sha_tree: ShaTree,
}

impl<R: BufRead> CiphertextReader<R> {
    /// Reads and checks the header line.
    pub fn new(input: R) -> Result<Self> {
        Self::watching(input, None)
    }

    /// Reads and checks the header line, keeping the SHA-256 path of record `watch`.
    pub fn watching(input: R, watch: Option<u64>) -> Result<Self> {
        Self::watching_many(input, watch.as_slice())
    }

    /// Reads and checks the header line, keeping the SHA-256 paths of the records `watch`.
    pub fn watching_many(mut input: R, watch: &[u64]) -> Result<Self> {
        let mut line = Vec::new();
        (&mut input)
            .take(file::MAX_HEADER_BYTES as u64)
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io("reading the ciphertext", e))?;
        if line.last() != Some(&b'\n') {
            return Err(Error::parse(
                "ciphertext",
                if line.is_empty() {
                    "the file is empty".to_string()
                } else {
                    format!(
                        "no header line (a JSON line of at most {} bytes)",
                        file::MAX_HEADER_BYTES
                    )
                },
            ));
        }
        line.pop();
        let header = CiphertextHeader::parse(&line)?;
        let sha_tree = ShaTree::watching(header.depth, watch);
        Ok(CiphertextReader {
            input,
            header,
            read: 0,
            sha_tree,
        })
    }

    /// The next batch of record blobs (empty at the end, after checking nothing follows).
    pub fn next_batch(&mut self) -> Result<Vec<Vec<u8>>> {
        let size = self.header.record_bytes();
        let left = self.header.records - self.read;
        let take = left.min(BATCH_RECORDS as u64) as usize;
        let mut blobs = Vec::with_capacity(take);
        for _ in 0..take {
            let mut blob = vec![0u8; size];
            self.input.read_exact(&mut blob).map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => Error::parse(
                    "ciphertext",
                    format!(
                        "truncated: the file ends inside record {} of {} ({} bytes expected in all)",
                        self.read + blobs.len() as u64,
                        self.header.records,
                        self.header.file_bytes()
                    ),
                ),
                _ => Error::io("reading the ciphertext", e),
            })?;
            blobs.push(blob);
        }
        if take == 0 {
            let mut rest = [0u8; 1];
            let n = self
                .input
                .read(&mut rest)
                .map_err(|e| Error::io("reading the ciphertext", e))?;
            if n > 0 {
                return Err(Error::parse(
                    "ciphertext",
                    format!(
                        "bytes follow the last of its {} records",
                        self.header.records
                    ),
                ));
            }
        }
        for b in &blobs {
            self.sha_tree.push(tree::leaf_hash(b));
        }
        self.read += take as u64;
        Ok(blobs)
    }

    /// The ciphertext root `E` of what was read (call once every batch is read).
    pub fn ciphertext_root(self) -> Digest32 {
        self.finish().0
    }

    /// `E`, and the watched record's SHA-256 path.
    pub fn finish(self) -> (Digest32, Option<Vec<Digest32>>) {
        let (e, paths) = self.finish_watching();
        (e, paths.into_iter().next().flatten())
    }

    /// `E`, and each watched record's SHA-256 path (`None` past the last record).
    pub fn finish_watching(self) -> (Digest32, Vec<Option<Vec<Digest32>>>) {
        let (root, paths) = self.sha_tree.finish_watching();
        (self.header.ciphertext_root(&root), paths)
    }
}

/// One record of a checked ciphertext, with what ties it to the listing: a dispute's public
/// half ([`crate::statements::dispute`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedRecord {
    /// The ciphertext's header.
    pub header: CiphertextHeader,
    /// The record's index.
    pub index: u64,
    /// Its published leaf.
    pub leaf: Fr,
    /// Its ciphertext.
    pub cipher: Vec<Fr>,
    /// SHA-256 siblings from its blob to the tree under `E`.
    pub ciphertext_path: Vec<Digest32>,
    /// Its leaf's path under the dataset root.
    pub dataset_path: crate::merkle::MerklePath,
}

/// Checks a ciphertext as [`check`] does and opens record `index` of it.
pub fn open_record(input: &mut dyn BufRead, listing: &Listing, index: u64) -> Result<OpenedRecord> {
    let mut opened = open_records(input, listing, &[index])?;
    opened
        .pop()
        .ok_or_else(|| Error::InvalidParameter(format!("record {index} was not read")))
}

/// Checks a ciphertext as [`check`] does and opens the records `indices` of it (in that order,
/// repeats allowed), in one pass.
pub fn open_records(
    input: &mut dyn BufRead,
    listing: &Listing,
    indices: &[u64],
) -> Result<Vec<OpenedRecord>> {
    listed_root(listing)?;
    let mut reader = CiphertextReader::watching_many(input, indices)?;
    reader.header.check_listing(listing)?;
    if let Some(&index) = indices.iter().find(|&&i| i >= reader.header.records) {
        return Err(Error::InvalidParameter(format!(
            "record {index} is past the last of the ciphertext's {} records",
            reader.header.records
        )));
    }
    let mut tree = TreeBuilder::with_arity(super::TREE_ARITY, listing.depth, indices)?;
    let mut at = 0u64;
    let mut opened: Vec<Option<(Fr, Vec<Fr>)>> = vec![None; indices.len()];
    loop {
        let blobs = reader.next_batch()?;
        if blobs.is_empty() {
            break;
        }
        let parsed = blobs
            .iter()
            .enumerate()
            .map(|(k, b)| file::parse_blob(at + k as u64, b))
            .collect::<Result<Vec<_>>>()?;
        for (slot, &index) in opened.iter_mut().zip(indices) {
            if (at..at + parsed.len() as u64).contains(&index) {
                *slot = Some(parsed[(index - at) as usize].clone());
            }
        }
        let leaves: Vec<Fr> = parsed.iter().map(|(l, _)| *l).collect();
        tree.push(&leaves)?;
        at += blobs.len() as u64;
    }
    let built = tree.finish()?;
    let header = reader.header.clone();
    let (e, sha_paths) = reader.finish_watching();
    close(listing, built.root, e)?;
    let mut out = Vec::with_capacity(indices.len());
    for (((&index, record), sha_path), dataset_path) in
        indices.iter().zip(opened).zip(sha_paths).zip(built.paths)
    {
        let missing = || Error::InvalidParameter(format!("record {index} was not read"));
        let (leaf, cipher) = record.ok_or_else(missing)?;
        out.push(OpenedRecord {
            header: header.clone(),
            index,
            leaf,
            cipher,
            ciphertext_path: sha_path.ok_or_else(missing)?,
            dataset_path,
        });
    }
    if out.len() != indices.len() {
        return Err(Error::InvalidParameter(
            "not every record asked for was read".into(),
        ));
    }
    Ok(out)
}

/// What the check before payment found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// Records.
    pub records: u64,
    /// Elements per record.
    pub record_elements: u32,
    /// The ciphertext root `E`, equal to the listing's.
    pub ciphertext_root: Digest32,
}

/// The listing's ciphertext root, or an error naming a listing that has none.
fn listed_root(listing: &Listing) -> Result<&str> {
    listing.ciphertext_root.as_deref().ok_or_else(|| {
        Error::Mismatch(format!(
            "listing {:?} (version {}) names no ciphertext: the seller has not published an \
             encrypted delivery (`veil dataset encrypt`)",
            listing.dataset_id, listing.veil
        ))
    })
}

/// Compares the end of a reading with the listing: the leaves' root, then `E`.
fn close(listing: &Listing, root: Fr, e: Digest32) -> Result<()> {
    if root != listing.root {
        return Err(Error::Mismatch(format!(
            "the ciphertext's leaves do not rebuild the root of {:?}: a record or its leaf was \
             replaced (do not pay for this file)",
            listing.dataset_id
        )));
    }
    if hex::encode(e) != listed_root(listing)? {
        return Err(Error::Mismatch(format!(
            "this is not the ciphertext listing {:?} names: its root E is {}, the listing's {}",
            listing.dataset_id,
            hex::encode(e),
            listed_root(listing)?
        )));
    }
    Ok(())
}

/// A buyer's check before paying, without the key: the file is the listed ciphertext (`E`) and
/// its leaves rebuild the listing's root, so every record is either the committed one or
/// provably not.
pub fn check(input: &mut dyn BufRead, listing: &Listing) -> Result<Checked> {
    listed_root(listing)?;
    let mut reader = CiphertextReader::new(input)?;
    reader.header.check_listing(listing)?;
    let mut tree = TreeBuilder::with_arity(super::TREE_ARITY, listing.depth, &[])?;
    let mut index = 0u64;
    loop {
        let blobs = reader.next_batch()?;
        if blobs.is_empty() {
            break;
        }
        let leaves = blobs
            .iter()
            .enumerate()
            .map(|(k, b)| file::parse_blob(index + k as u64, b).map(|(l, _)| l))
            .collect::<Result<Vec<_>>>()?;
        tree.push(&leaves)?;
        index += blobs.len() as u64;
    }
    let root = tree.finish()?.root;
    let record_elements = reader.header.record_elements;
    let e = reader.ciphertext_root();
    close(listing, root, e)?;
    Ok(Checked {
        records: index,
        record_elements,
        ciphertext_root: e,
    })
}

/// Why a record's decryption is not the committed record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Inconsistency {
    /// It decrypts to no record at all.
    #[error("it decrypts to no record: {0}")]
    Malformed(Malformed),
    /// It decrypts to a record whose leaf is not the one published.
    #[error("it decrypts to a record whose leaf is not the published leaf")]
    WrongLeaf,
}

/// The first record whose decryption is not the committed record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Its index.
    pub index: u64,
    /// What is wrong with it.
    pub rule: Inconsistency,
}

/// What decryption found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decryption {
    /// Every record decrypted to the committed one and the plaintext has the listing's SHA-256.
    Delivered {
        /// Records.
        records: u64,
    },
    /// A record is inconsistent: the plaintext is incomplete, and the seller disputable.
    Disputable(Finding),
}

/// Decrypts a ciphertext of `listing` with its dataset `key`, writing the plaintext file to
/// `out` as it goes. The file is checked as [`check`] does; at the first record that decrypts
/// to anything but its committed record, writing stops (the rest is still read, to check `E`).
/// Whatever `out` holds is trustworthy only on [`Decryption::Delivered`].
pub fn decrypt(
    input: &mut dyn BufRead,
    listing: &Listing,
    key: &DatasetKey,
    out: &mut dyn Write,
) -> Result<Decryption> {
    listed_root(listing)?;
    listing.check_key(key)?;
    let mut reader = CiphertextReader::new(input)?;
    reader.header.check_listing(listing)?;
    let framing = reader.header.framing;
    let layout = reader.header.layout(listing.schema.columns.len());
    let ek = EncryptionKey::derive(key, reader.header.nonce);
    let write_err = |e| Error::io("writing the plaintext", e);
    let mut plain_sha = Sha256::new();
    let mut bytes = framing.prefix(&listing.schema);
    let mut tree = TreeBuilder::with_arity(super::TREE_ARITY, listing.depth, &[])?;
    let mut finding: Option<Finding> = None;
    let mut index = 0u64;
    loop {
        let blobs = reader.next_batch()?;
        if blobs.is_empty() {
            break;
        }
        let first = index;
        let parsed = blobs
            .iter()
            .enumerate()
            .map(|(k, b)| file::parse_blob(first + k as u64, b))
            .collect::<Result<Vec<_>>>()?;
        let leaves: Vec<Fr> = parsed.iter().map(|(l, _)| *l).collect();
        tree.push(&leaves)?;
        index += blobs.len() as u64;
        if finding.is_some() {
            continue;
        }
        #[cfg(feature = "parallel")]
        let it = parsed.par_iter().enumerate();
        #[cfg(not(feature = "parallel"))]
        let it = parsed.iter().enumerate();
        let opened: Vec<std::result::Result<Record, Finding>> = it
            .map(|(k, (l, c))| {
                let i = first + k as u64;
                let fail = |rule| Finding { index: i, rule };
                let r = layout
                    .decode(&ek.decrypt(i, c))
                    .map_err(|m| fail(Inconsistency::Malformed(m)))?;
                if leaf(key, i, &r) != *l {
                    return Err(fail(Inconsistency::WrongLeaf));
                }
                Ok(r)
            })
            .collect();
        for r in opened {
            match r {
                Ok(r) => framing.record(&r, &mut bytes),
                Err(f) => {
                    finding = Some(f);
                    break;
                }
            }
        }
        plain_sha.update(&bytes);
        out.write_all(&bytes).map_err(write_err)?;
        bytes.clear();
    }
    let root = tree.finish()?.root;
    close(listing, root, reader.ciphertext_root())?;
    if let Some(f) = finding {
        return Ok(Decryption::Disputable(f));
    }
    let suffix = framing.suffix();
    plain_sha.update(suffix);
    out.write_all(suffix).map_err(write_err)?;
    if hex::encode(plain_sha.finalize()) != listing.file_sha256 {
        return Err(Error::Mismatch(format!(
            "every record of {:?} decrypted to its committed cells, but the file they make has \
             another SHA-256 than the listing's (the ciphertext header's framing is not the \
             seller's file's)",
            listing.dataset_id
        )));
    }
    Ok(Decryption::Delivered { records: index })
}

#[cfg(test)]
mod tests;
