//! Checking a delivered file against its listing in shares, so that a browser spreads the work
//! over Web Workers: each worker reads the whole file (parsing is cheap) and hashes the leaves
//! of every `workers`-th block of [`BLOCK_RECORDS`] records ([`hash_share`]); one
//! [`TreeCheck`] takes the blocks in order, rebuilds the tree and compares the commitment
//! with the listing's. With one worker it is exactly `veil delivery verify`'s computation
//! (`dataset::commit_in`); the tests hold the two equal for one to three shares. An encrypted
//! delivery is checked before payment ([`check_ciphertext`]) and decrypted
//! ([`decrypt_ciphertext`]) as the native commands do, in one worker.

use crate::{Result, VerifyError};
use ark_ff::{BigInteger, PrimeField};
use std::io::{BufReader, BufWriter, Read, Write};
use veil_circuits::dataset::encrypted::{self, Decryption};
use veil_circuits::dataset::{self, DatasetKey, Listing, RecordSource};
use veil_circuits::merkle::TreeBuilder;
use veil_circuits::Fr;

/// Records per block: the unit of work one share hashes and hands on.
pub const BLOCK_RECORDS: u64 = 1024;

/// The listing and its dataset key, checked to belong together.
pub fn listing_and_key(listing: &str, key: &str) -> Result<(Listing, DatasetKey)> {
    let listing = Listing::from_json(listing)?;
    let key = dataset::keys::load_dataset_key(key, &listing.dataset_id)?;
    listing.check_key(&key)?;
    Ok((listing, key))
}

/// What one share read: every record of the file, whichever blocks it hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareRead {
    /// Records in the file.
    pub records: u64,
    /// `H(schema)` of the file as read.
    pub schema_hash: Fr,
}

/// The format and chunk size the listing's dataset is read with (as `veil delivery verify`).
pub fn read_options(listing: &Listing) -> (dataset::Format, usize) {
    let chunk_size = match listing.schema.chunk_size {
        0 => dataset::DEFAULT_CHUNK_SIZE,
        n => n as usize,
    };
    (listing.schema.format, chunk_size)
}

/// Reads every record of `source` and hashes the leaves of blocks `b` with
/// `b % workers == worker`, handing each block to `emit` with the index of its first record.
pub fn hash_share(
    source: &mut dyn RecordSource,
    key: &DatasetKey,
    worker: u32,
    workers: u32,
    emit: &mut dyn FnMut(u64, &[Fr]) -> Result<()>,
) -> Result<ShareRead> {
    if workers == 0 || worker >= workers {
        return Err(VerifyError::Malformed(format!(
            "share {worker} of {workers} does not exist"
        )));
    }
    // A block's records are hashed together (`dataset::leaves`): in pairs, where the build has
    // a two-lane permutation.
    let mut next = 0u64;
    let mut block = Vec::with_capacity(BLOCK_RECORDS as usize);
    while let Some(record) = source.next_record()? {
        if (next / BLOCK_RECORDS) % workers as u64 == worker as u64 {
            block.push(record);
        }
        next += 1;
        if next.is_multiple_of(BLOCK_RECORDS) && !block.is_empty() {
            let first = next - BLOCK_RECORDS;
            emit(first, &dataset::leaves(key, first, &block))?;
            block.clear();
        }
    }
    if !block.is_empty() {
        let first = next - block.len() as u64;
        emit(first, &dataset::leaves(key, first, &block))?;
    }
    Ok(ShareRead {
        records: next,
        schema_hash: source.schema().hash(),
    })
}

/// A buyer's check of a ciphertext (`.veilct`) before paying, without the key: as
/// `veil delivery check` (`encrypted::check`), the summary as JSON.
pub fn check_ciphertext(input: impl Read, listing: &str) -> Result<serde_json::Value> {
    let listing = Listing::from_json(listing)?;
    let found = encrypted::check(&mut BufReader::with_capacity(1 << 16, input), &listing)?;
    Ok(serde_json::json!({
        "dataset_id": listing.dataset_id,
        "records": found.records,
        "record_elements": found.record_elements,
        "ciphertext_root": hex::encode(found.ciphertext_root),
    }))
}

/// Decrypts a ciphertext with the dataset key, writing the plaintext to `out`, as
/// `veil delivery decrypt` (`encrypted::decrypt`): the records on success; a record that is not
/// the committed one is refused by index and rule (a dispute's subject), and then what `out`
/// holds is incomplete.
pub fn decrypt_ciphertext(
    input: impl Read,
    listing: &str,
    key: &str,
    out: &mut dyn Write,
) -> Result<serde_json::Value> {
    let (listing, key) = listing_and_key(listing, key)?;
    let mut buffered = BufWriter::with_capacity(1 << 20, out);
    let found = encrypted::decrypt(
        &mut BufReader::with_capacity(1 << 16, input),
        &listing,
        &key,
        &mut buffered,
    )?;
    buffered
        .flush()
        .map_err(|e| VerifyError::Malformed(format!("writing the plaintext: {e}")))?;
    match found {
        Decryption::Delivered { records } => Ok(serde_json::json!({
            "dataset_id": listing.dataset_id,
            "records": records,
        })),
        Decryption::Disputable(finding) => Err(VerifyError::Mismatch(format!(
            "record {} of {:?} is not the committed record: {}; the seller can be disputed at \
             this record (`veil dispute prove`), and the plaintext before it is incomplete",
            finding.index, listing.dataset_id, finding.rule
        ))),
    }
}

/// The tree of a delivered file, rebuilt from the shares' blocks in order.
pub struct TreeCheck {
    listing: Listing,
    tree: TreeBuilder,
    pushed: u64,
}

impl TreeCheck {
    /// A tree of the listing's arity and depth.
    pub fn new(listing: Listing) -> Result<Self> {
        let tree = TreeBuilder::with_arity(listing.arity(), listing.depth, &[])?;
        Ok(TreeCheck {
            listing,
            tree,
            pushed: 0,
        })
    }

    /// The listing checked against.
    pub fn listing(&self) -> &Listing {
        &self.listing
    }

    /// Appends the block whose first record is `first` (blocks arrive in order).
    pub fn push(&mut self, first: u64, leaves: &[Fr]) -> Result<()> {
        if first != self.pushed {
            return Err(VerifyError::Malformed(format!(
                "block of record {first} arrived where record {} was due",
                self.pushed
            )));
        }
        self.tree.push(leaves).map_err(|e| {
            VerifyError::Mismatch(format!(
                "{e}: the listing's depth is {}",
                self.listing.depth
            ))
        })?;
        self.pushed += leaves.len() as u64;
        Ok(())
    }

    /// Compares the rebuilt commitment with the listing's; `read` is what the shares read,
    /// `sha256` the file's digest (named in a mismatch, as `veil delivery verify` does).
    pub fn finish(self, name: &str, read: &ShareRead, sha256: &[u8; 32]) -> Result<u64> {
        let listing = &self.listing;
        if read.records == 0 {
            return Err(VerifyError::Malformed(format!("{name} holds no records")));
        }
        if self.pushed != read.records {
            return Err(VerifyError::Malformed(format!(
                "{} of {} records were hashed",
                self.pushed, read.records
            )));
        }
        let built = self.tree.finish()?;
        let commitment = dataset::commitment_in(
            listing.arity(),
            built.root,
            read.records,
            listing.depth,
            read.schema_hash,
        );
        if commitment != listing.commitment {
            let sha = hex::encode(sha256);
            return Err(VerifyError::Mismatch(format!(
                "{name} is not the committed dataset {:?} ({} records read, {} listed; SHA-256 {})",
                listing.dataset_id,
                read.records,
                listing.records,
                if sha == listing.file_sha256 {
                    "matches"
                } else {
                    "differs"
                }
            )));
        }
        Ok(read.records)
    }
}

/// A leaf as 32 little-endian bytes (how shares hand blocks to the tree).
pub fn leaf_bytes(leaf: &Fr) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&leaf.into_bigint().to_bytes_le());
    out
}

/// Leaves from [`leaf_bytes`]; bytes that are no field element are refused.
pub fn leaves_from_bytes(bytes: &[u8]) -> Result<Vec<Fr>> {
    if !bytes.len().is_multiple_of(32) {
        return Err(VerifyError::Malformed(format!(
            "{} bytes of leaves are not whole 32-byte leaves",
            bytes.len()
        )));
    }
    bytes
        .chunks(32)
        .map(|c| {
            let v = Fr::from_le_bytes_mod_order(c);
            if leaf_bytes(&v) == c {
                Ok(v)
            } else {
                Err(VerifyError::Malformed(
                    "a leaf is not a field element".into(),
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};
    use std::io::Cursor;
    use veil_circuits::dataset::SellerSecret;

    fn csv(rows: usize) -> Vec<u8> {
        let mut s = String::from("id,city,amount\n");
        for i in 0..rows {
            s.push_str(&format!("{i},city{},{}.{:02}\n", i % 7, i * 13, i % 100));
        }
        s.into_bytes()
    }

    /// The page's check: share 0 digests the file, the others only read it.
    fn check(bytes: &[u8], listing: &Listing, key: &DatasetKey, workers: u32) -> Result<u64> {
        let (format, chunk_size) = read_options(listing);
        let mut blocks: Vec<(u64, Vec<Fr>)> = Vec::new();
        let mut emit = |f: u64, l: &[Fr]| {
            blocks.push((f, l.to_vec()));
            Ok(())
        };
        let mut first = dataset::DatasetFile::from_reader(
            Cursor::new(bytes.to_vec()),
            "data.csv",
            bytes.len() as u64,
            format,
            chunk_size,
            None,
        )?;
        let read = hash_share(first.records(), key, 0, workers, &mut emit)?;
        for w in 1..workers {
            let mut source =
                dataset::from_reader(Cursor::new(bytes.to_vec()), "data.csv", format, chunk_size)?;
            assert_eq!(
                hash_share(source.as_mut(), key, w, workers, &mut emit)?,
                read
            );
        }
        let (sha, _) = first.digest();
        assert_eq!(sha, <[u8; 32]>::from(Sha256::digest(bytes)));
        blocks.sort_by_key(|b| b.0);
        let mut tree = TreeCheck::new(listing.clone())?;
        for (f, l) in &blocks {
            let back = leaves_from_bytes(&l.iter().flat_map(leaf_bytes).collect::<Vec<_>>())?;
            tree.push(*f, &back)?;
        }
        tree.finish("data.csv", &read, &sha)
    }

    #[test]
    fn shares_rebuild_the_native_commitment_and_refuse_an_edit() {
        let bytes = csv(2 * BLOCK_RECORDS as usize + 5);
        let secret = SellerSecret(Fr::from(77u64));
        let key = secret.dataset_key("t");
        let mut source = dataset::from_reader(
            Cursor::new(bytes.clone()),
            "data.csv",
            dataset::Format::Csv,
            0,
        )
        .expect("csv");
        let c = dataset::commit(source.as_mut(), &key, 12, &[]).expect("commits");
        let sha: [u8; 32] = Sha256::digest(&bytes).into();
        let listing = Listing::new("t", &c, &key, sha, bytes.len() as u64);
        for workers in 1..=3 {
            assert_eq!(
                check(&bytes, &listing, &key, workers).expect("accepted"),
                c.records
            );
        }
        let mut edited = bytes.clone();
        let at = edited.len() - 3;
        edited[at] = b'9';
        let err = check(&edited, &listing, &key, 2).expect_err("an edited cell");
        assert!(
            matches!(err, VerifyError::Mismatch(ref m) if m.contains("SHA-256 differs")),
            "{err}"
        );
        let mut short = bytes.clone();
        short.truncate(bytes.len() - 20);
        assert!(matches!(
            check(&short, &listing, &key, 3),
            Err(VerifyError::Mismatch(_))
        ));
        let other = SellerSecret(Fr::from(78u64)).dataset_key("t");
        assert!(listing.check_key(&other).is_err());
        let mut tree = TreeCheck::new(listing).expect("tree");
        assert!(
            tree.push(BLOCK_RECORDS, &[Fr::from(1u64)]).is_err(),
            "out of order"
        );
        assert!(
            leaves_from_bytes(&[0xff; 32]).is_err(),
            "not a field element"
        );
        assert!(leaves_from_bytes(&[0; 31]).is_err(), "not whole leaves");
    }
}
