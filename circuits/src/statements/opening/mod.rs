//! Statement 5, the ciphertext opening: the elements of a preview's revealed columns in the
//! encrypted delivery decrypt, under the listing's key, to exactly the revealed cells, so that a
//! buyer knows before paying that the file on offer holds the rows the preview shows. Together
//! with a preview proof (statement 1) it binds the preview to the ciphertext root `E`.
//!
//! ```text
//! key id     key_id = H(KEY_ID, k)                   published in the listing
//! enc key    ek     = H(ENC_KEY, k, nonce)           nonce: the ciphertext header's
//! keystream  ks_jt  = P([ek, i_j, b, STREAM])[t mod 3], b = floor(t / 3)
//! opened     e_jt   = r_t ks_jt                      r_t = 1: element t is a revealed column's
//! ```
//!
//! **Shape** `(K, W)`: samples and elements per record (key id `ciphertext-opening-kK-wW`).
//! **Public inputs**, in order: `key_id, nonce, r_0..r_(W-1)`, then for each sample `j < K`:
//! `i_j, e_j0..e_j(W-1)`.
//! **Witness**: the dataset key `k`.
//! **Constraints**:
//! 1. `key_id = H(KEY_ID, k)`: the key is the listing's (`key_is_the_listings`);
//! 2. `r_t (1 - r_t) = 0` for every `t < W` (`reveal_bits_are_boolean`);
//! 3. `e_jt = r_t ks_jt` for every sample and element, the keystream under
//!    `ek = H(ENC_KEY, k, nonce)` at record `i_j` (`opened_keystream`).
//!
//! **What the verifier does with it** (outside the circuit, over public values): `i_j` are the
//! preview's sampled indices; `r` is the preview's reveal mask spread over the ciphertext's
//! column slots (version 2, [`crate::dataset::encrypted::Layout::Columns`]): `r_t = 1` exactly
//! for the elements of revealed columns; each sample's ciphertext record `c_j` lies at `i_j`
//! under `E` (a SHA-256 path); and for every revealed column `c`, the slot `c_jt - e_jt`
//! decodes to the preview's cell. A redacted column's keystream is never published (its
//! `r_t = 0`), so its cells stay hidden; what binds them is the leaf under `C` and, after the
//! key arrives, a dispute (statement 4). Decoding in the verifier costs nothing; in a circuit,
//! thousands of constraints an element: the circuit is `K ceil(W / 3) + 2` permutations.
//!
//! **Why it is sound.** `key_id` fixes `k` (Poseidon2's collision resistance), so `e` is the
//! keystream of the key the buyer will receive in settlement, and `c - e` is what that key will
//! decrypt. **What it reveals**: the revealed cells (already in the preview) and the keystream
//! elements under them; each keystream block is a fresh output of `P` under the secret `ek`,
//! so published lanes say nothing of the unpublished ones, nor of other records'.

mod statement;
pub use statement::{CiphertextOpening, OpeningShape};

#[cfg(feature = "r1cs")]
mod circuit;
#[cfg(feature = "r1cs")]
pub use circuit::OpeningCircuit;

#[cfg(any(test, feature = "fixtures"))]
pub mod cases;
#[cfg(test)]
mod tests;

use crate::dataset::encrypted::stream::BLOCK;
use crate::dataset::encrypted::{EncryptionKey, Layout};
use crate::dataset::DatasetKey;
use crate::statements::PublicInputs;
use crate::{Error, Fr, Result};
use ark_ff::Zero;

/// The statement's name.
pub const NAME: &str = "ciphertext-opening";
/// Its Noir twin's package.
pub const PROGRAM: &str = "ciphertext_opening";

/// One sample's opened keystream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedSample {
    /// The record's index.
    pub index: u64,
    /// Its keystream at the revealed elements, `0` elsewhere (`W` elements).
    pub keystream: Vec<Fr>,
}

/// The public inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpeningPublic {
    /// The listing's `H(KEY_ID, k)`.
    pub key_id: Fr,
    /// The ciphertext header's nonce.
    pub nonce: Fr,
    /// Per element: whether it belongs to a revealed column.
    pub reveal: Vec<bool>,
    /// The samples, in the preview's draw order.
    pub samples: Vec<OpenedSample>,
}

impl PublicInputs for OpeningPublic {
    fn to_field_elements(&self) -> Vec<Fr> {
        let mut v = vec![self.key_id, self.nonce];
        v.extend(self.reveal.iter().map(|&r| Fr::from(r as u64)));
        for s in &self.samples {
            v.push(Fr::from(s.index));
            v.extend_from_slice(&s.keystream);
        }
        v
    }
}

/// The witness: the dataset key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct OpeningWitness {
    /// The key `k`.
    pub key: DatasetKey,
}

impl std::fmt::Debug for OpeningWitness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpeningWitness(..)")
    }
}

/// Which elements of a record laid out as `layout` belong to the columns `mask` reveals
/// (bit `c` for column `c`); `None` for a version-1 (packed) layout, which cannot be opened
/// column by column.
pub fn reveal_bits(layout: &Layout, mask: u64) -> Option<Vec<bool>> {
    let Layout::Columns(widths) = layout else {
        return None;
    };
    Some(
        widths
            .iter()
            .enumerate()
            .flat_map(|(c, &w)| {
                std::iter::repeat_n(crate::statements::preview::is_revealed(mask, c), w)
            })
            .collect(),
    )
}

/// The keystream of record `index` under `ek` at the elements `reveal` marks, `0` elsewhere.
pub fn opened_keystream(ek: &EncryptionKey, index: u64, reveal: &[bool]) -> Vec<Fr> {
    reveal
        .chunks(BLOCK)
        .enumerate()
        .flat_map(|(b, rs)| {
            let ks = ek.block(index, b as u64);
            rs.iter()
                .zip(ks)
                .map(|(&r, k)| if r { k } else { Fr::zero() })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The public values and witness opening records `indices` at the elements `reveal` marks.
pub fn opening(
    key: &DatasetKey,
    nonce: Fr,
    reveal: &[bool],
    indices: &[u64],
) -> (OpeningPublic, OpeningWitness) {
    let ek = EncryptionKey::derive(key, nonce);
    let public = OpeningPublic {
        key_id: key.id(),
        nonce,
        reveal: reveal.to_vec(),
        samples: indices
            .iter()
            .map(|&index| OpenedSample {
                index,
                keystream: opened_keystream(&ek, index, reveal),
            })
            .collect(),
    };
    (public, OpeningWitness { key: *key })
}

/// The plaintext elements a verifier reads from ciphertext `cipher` with the opened keystream:
/// `c_t - e_t` where revealed (the rest is meaningless and must not be used).
pub fn open(cipher: &[Fr], sample: &OpenedSample) -> Vec<Fr> {
    cipher
        .iter()
        .zip(&sample.keystream)
        .map(|(c, e)| *c - e)
        .collect()
}

fn unsatisfied(why: String) -> Error {
    Error::Unsatisfied(why)
}

/// The native relation, rule by rule.
pub fn check(shape: &OpeningShape, p: &OpeningPublic, w: &OpeningWitness) -> Result<()> {
    use crate::statements::Shape as _;
    shape.validate()?;
    let width = shape.elements as usize;
    if p.reveal.len() != width
        || p.samples.len() != shape.samples
        || p.samples.iter().any(|s| s.keystream.len() != width)
    {
        return Err(Error::InvalidParameter(format!(
            "an opening of shape {} has {} samples of {width} elements and {width} reveal bits",
            shape.id(),
            shape.samples
        )));
    }
    if w.key.id() != p.key_id {
        return Err(unsatisfied(
            "the key is not the listing's (H(KEY_ID, k) != key_id)".into(),
        ));
    }
    let ek = EncryptionKey::derive(&w.key, p.nonce);
    for (j, s) in p.samples.iter().enumerate() {
        if opened_keystream(&ek, s.index, &p.reveal) != s.keystream {
            return Err(unsatisfied(format!(
                "sample {j}: the opened keystream is not record {}'s under the key at the \
                 revealed elements",
                s.index
            )));
        }
    }
    Ok(())
}
