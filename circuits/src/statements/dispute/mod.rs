//! Statement 4, the delivery dispute: a buyer proves what one record of an encrypted delivery
//! ([`crate::dataset::encrypted`]) decrypts to under the listing's key, without revealing the
//! key, so that anyone can see the seller delivered something other than the committed record.
//!
//! ```text
//! key id     key_id = H(KEY_ID, k)                   published in the listing
//! enc key    ek     = H(ENC_KEY, k, nonce)           nonce: the ciphertext header's
//! keystream  ks_t   = P([ek, i, b, STREAM])[t mod 3], b = floor(t / 3)
//! salt       salt_i = H(SALT, k, i)
//! ```
//!
//! **Shape**: `W`, the delivery's elements per record (key id `delivery-dispute-wW`).
//! **Public inputs**, in order: `key_id, nonce, i, c_0..c_(W-1), x_0..x_(W-1), salt_i`.
//! **Witness**: the dataset key `k`.
//! **Constraints**:
//! 1. `key_id = H(KEY_ID, k)`: the key is the listing's (`key_is_the_listings`);
//! 2. `x_t + ks_t = c_t` for every `t < W`, the keystream under `ek = H(ENC_KEY, k, nonce)` at
//!    record `i` (`plaintext_is_the_decryption`);
//! 3. `salt_i = H(SALT, k, i)` (`salt_of_the_record`).
//!
//! The proof makes `x` and `salt_i` public facts about the ciphertext: the record's decryption
//! and its salt. What convicts the seller is then a public computation over public values,
//! [`judge`], which every verifier replays: `x` decodes to no record
//! ([`Malformed`](crate::dataset::encrypted::Malformed)), or to a record whose leaf
//! `H(ROW, i, salt_i, v(cells))` is not the leaf published beside `c_i`. The rest of a dispute
//! is public too: `c_i` and `leaf_i` lie under the listing's ciphertext root `E` (a SHA-256
//! path) and `leaf_i` under the dataset root (a Poseidon2 path), so the record is the one the
//! buyer was sold. Decoding bytes in a circuit would cost thousands of constraints per element;
//! outside it, nothing. The disputed record's plaintext is revealed (it is the one the seller
//! got wrong); the key, and every other record, stays private.
//!
//! An honest delivery cannot be disputed: `key_id` fixes `k` (collision resistance), so `x` is
//! the one decryption of `c_i` and `salt_i` the record's salt, and for an honest record they
//! decode to cells whose leaf is `leaf_i`; [`judge`] finds nothing.

mod statement;
pub use statement::{DeliveryDispute, DisputeShape};

#[cfg(feature = "r1cs")]
mod circuit;
#[cfg(feature = "r1cs")]
pub use circuit::DisputeCircuit;

#[cfg(any(test, feature = "fixtures"))]
pub mod cases;
#[cfg(test)]
mod tests;

use crate::dataset::encrypted::{EncryptionKey, Layout};
use crate::dataset::{leaf_from_values, row_salt, value_hash, DatasetKey};
use crate::statements::PublicInputs;
use crate::{Error, Fr, Result};

/// The statement's name.
pub const NAME: &str = "delivery-dispute";
/// Its Noir twin's package.
pub const PROGRAM: &str = "delivery_dispute";
/// The widest record a dispute proves (elements): what `veil dataset encrypt` accepts, so that
/// every delivery is disputable.
pub const MAX_ELEMENTS: u32 = crate::dataset::encrypted::file::MAX_RECORD_ELEMENTS;

/// What a dispute makes public about one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisputePublic {
    /// The listing's `H(KEY_ID, k)`.
    pub key_id: Fr,
    /// The ciphertext header's nonce.
    pub nonce: Fr,
    /// The record's index.
    pub index: u64,
    /// Its ciphertext, `W` elements.
    pub cipher: Vec<Fr>,
    /// Its decryption, `W` elements.
    pub plain: Vec<Fr>,
    /// Its salt `H(SALT, k, i)`.
    pub salt: Fr,
}

impl PublicInputs for DisputePublic {
    fn to_field_elements(&self) -> Vec<Fr> {
        let mut v = vec![self.key_id, self.nonce, Fr::from(self.index)];
        v.extend_from_slice(&self.cipher);
        v.extend_from_slice(&self.plain);
        v.push(self.salt);
        v
    }
}

/// The dispute's witness: the dataset key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DisputeWitness {
    /// The key `k`.
    pub key: DatasetKey,
}

impl std::fmt::Debug for DisputeWitness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DisputeWitness(..)")
    }
}

/// The public values and witness of a dispute about record `index` of ciphertext `cipher`.
pub fn disputed(
    key: &DatasetKey,
    nonce: Fr,
    index: u64,
    cipher: &[Fr],
) -> (DisputePublic, DisputeWitness) {
    let plain = EncryptionKey::derive(key, nonce).decrypt(index, cipher);
    let public = DisputePublic {
        key_id: key.id(),
        nonce,
        index,
        cipher: cipher.to_vec(),
        plain,
        salt: row_salt(key, index),
    };
    (public, DisputeWitness { key: *key })
}

fn unsatisfied(why: &str) -> Error {
    Error::Unsatisfied(why.to_string())
}

/// The native relation, rule by rule.
pub fn check(shape: &DisputeShape, p: &DisputePublic, w: &DisputeWitness) -> Result<()> {
    use crate::statements::Shape as _;
    shape.validate()?;
    let width = shape.elements as usize;
    if p.cipher.len() != width || p.plain.len() != width {
        return Err(Error::InvalidParameter(format!(
            "a dispute of shape {} has {width} ciphertext and plaintext elements, not {} and {}",
            shape.id(),
            p.cipher.len(),
            p.plain.len()
        )));
    }
    if w.key.id() != p.key_id {
        return Err(unsatisfied(
            "the key is not the listing's (H(KEY_ID, k) != key_id)",
        ));
    }
    let ek = EncryptionKey::derive(&w.key, p.nonce);
    if ek.decrypt(p.index, &p.cipher) != p.plain {
        return Err(unsatisfied(
            "the plaintext is not the ciphertext's decryption under the key",
        ));
    }
    if row_salt(&w.key, p.index) != p.salt {
        return Err(unsatisfied("the salt is not the record's H(SALT, k, i)"));
    }
    Ok(())
}

/// The rule a proven decryption breaks: what convicts the seller.
pub use crate::dataset::encrypted::Inconsistency;

/// The public half of a dispute: given the proven decryption `plain` and salt of record
/// `index`, and the leaf published beside its ciphertext, which rule of the commitment the
/// seller broke, or `None` when the record is the committed one (the dispute convicts no one).
pub fn judge(
    index: u64,
    plain: &[Fr],
    salt: Fr,
    published_leaf: Fr,
    layout: &Layout,
) -> Option<Inconsistency> {
    match layout.decode(plain) {
        Err(m) => Some(Inconsistency::Malformed(m)),
        Ok(cells) => {
            let values: Vec<Fr> = cells.iter().map(|c| value_hash(c)).collect();
            (leaf_from_values(index, salt, &values) != published_leaf)
                .then_some(Inconsistency::WrongLeaf)
        }
    }
}

/// What [`judge`] found, as a sentence about the record.
pub fn describe(rule: &Inconsistency) -> String {
    match rule {
        Inconsistency::Malformed(m) => format!("it decrypts to no record ({m})"),
        Inconsistency::WrongLeaf => {
            "it decrypts to a record whose leaf is not the one published beside it".into()
        }
    }
}
