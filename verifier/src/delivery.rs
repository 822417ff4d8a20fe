//! Checking a delivered file against its listing in shares, so that a browser spreads the work
//! over Web Workers: each worker reads the whole file (parsing is cheap) and hashes the leaves
//! of every `workers`-th block of [`BLOCK_RECORDS`] records ([`hash_share`]); one
//! [`TreeCheck`] takes the blocks in order, rebuilds the tree and compares the commitment
//! with the listing's. With one worker it is exactly `veil delivery verify`'s computation
//! (`dataset::commit_in`); the tests hold the two equal for one to three shares.

use crate::{Result, VerifyError};
use ark_ff::{BigInteger, PrimeField};
use sha2::{Digest, Sha256};
use std::io::Read;
use veil_circuits::dataset::{self, DatasetKey, Listing};
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

/// Reads every record of `file` (in the listing's format) and hashes the leaves of blocks `b`
/// with `b % workers == worker`, handing each block to `emit` with the index of its first
/// record.
pub fn hash_share(
    file: impl Read + 'static,
    name: &str,
    listing: &Listing,
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
    let chunk_size = match listing.schema.chunk_size {
        0 => dataset::DEFAULT_CHUNK_SIZE,
        n => n as usize,
    };
    let mut source = dataset::from_reader(file, name, listing.schema.format, chunk_size)?;
    let mut next = 0u64;
    let mut leaves = Vec::with_capacity(BLOCK_RECORDS as usize);
    while let Some(record) = source.next_record()? {
        if (next / BLOCK_RECORDS) % workers as u64 == worker as u64 {
            leaves.push(dataset::leaf(key, next, &record));
        }
        next += 1;
        if next.is_multiple_of(BLOCK_RECORDS) && !leaves.is_empty() {
            emit(next - BLOCK_RECORDS, &leaves)?;
            leaves.clear();
        }
    }
    if !leaves.is_empty() {
        emit(next - leaves.len() as u64, &leaves)?;
    }
    Ok(ShareRead {
        records: next,
        schema_hash: source.schema().hash(),
    })
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

/// `inner`, hashed with SHA-256 as it is read: the reader (for [`hash_share`], which owns it)
/// and the running digest.
pub fn sha256_reader<R: Read + 'static>(
    inner: R,
) -> (impl Read + 'static, std::rc::Rc<std::cell::RefCell<Sha256>>) {
    let sha = std::rc::Rc::new(std::cell::RefCell::new(Sha256::new()));
    let shared = sha.clone();
    struct Shared<R> {
        inner: R,
        sha: std::rc::Rc<std::cell::RefCell<Sha256>>,
    }
    impl<R: Read> Read for Shared<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.sha.borrow_mut().update(&buf[..n]);
            Ok(n)
        }
    }
    (Shared { inner, sha }, shared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use veil_circuits::dataset::SellerSecret;

    fn csv(rows: usize) -> Vec<u8> {
        let mut s = String::from("id,city,amount\n");
        for i in 0..rows {
            s.push_str(&format!("{i},city{},{}.{:02}\n", i % 7, i * 13, i % 100));
        }
        s.into_bytes()
    }

    fn check(bytes: &[u8], listing: &Listing, key: &DatasetKey, workers: u32) -> Result<u64> {
        let mut blocks: Vec<(u64, Vec<Fr>)> = Vec::new();
        let mut read = None;
        for w in 0..workers {
            let r = hash_share(
                Cursor::new(bytes.to_vec()),
                "data.csv",
                listing,
                key,
                w,
                workers,
                &mut |f, l| {
                    blocks.push((f, l.to_vec()));
                    Ok(())
                },
            )?;
            read = Some(r);
        }
        blocks.sort_by_key(|b| b.0);
        let mut tree = TreeCheck::new(listing.clone())?;
        for (f, l) in &blocks {
            let back = leaves_from_bytes(&l.iter().flat_map(leaf_bytes).collect::<Vec<_>>())?;
            tree.push(*f, &back)?;
        }
        let sha: [u8; 32] = Sha256::digest(bytes).into();
        tree.finish("data.csv", &read.expect("one share"), &sha)
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
