//! The keystream: Poseidon2 in counter mode, keyed by the delivery's encryption key.
//!
//! ```text
//! ek        = H(ENC_KEY, key, nonce)                     nonce: random, in the ciphertext header
//! block b   = P([ek, i, b, STREAM])[0..3]                record i, elements 3b, 3b+1, 3b+2
//! c_t       = x_t + ks_t  (mod p)
//! ```
//! Why this and not Poseidon's duplex encryption: every record is masked independently (so
//! encryption, decryption and a dispute about one record touch that record alone, in parallel),
//! and a dispute circuit recomputes one record's keystream in `ceil(W / 3)` permutations. The
//! security argument is the sponge's: with `ek` secret, `P` on inputs that never repeat
//! (distinct `(i, b)`, the tag fixed in the fourth lane) behaves as a random function, and only
//! three of its four output lanes are used, so an output cannot be run backwards through `P` to
//! `ek` (one lane, 254 bits, stays unknown). The nonce makes a re-encryption of an edited
//! dataset under the same key use a fresh keystream. Confidentiality only: integrity comes
//! from the commitment (each record's leaf is public, so a wrong decryption is provable).

use crate::dataset::DatasetKey;
use crate::{poseidon2, tags, Fr};

/// Field elements per keystream block: the sponge's rate.
pub const BLOCK: usize = poseidon2::RATE;

/// The key that encrypts one delivery of a dataset.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EncryptionKey(Fr);

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncryptionKey(..)")
    }
}

impl EncryptionKey {
    /// `ek = H(ENC_KEY, key, nonce)`.
    pub fn derive(key: &DatasetKey, nonce: Fr) -> Self {
        EncryptionKey(poseidon2::hash(&[tags::fr(tags::ENC_KEY), key.0, nonce]))
    }

    /// The key as a field element (a circuit's witness).
    pub fn value(&self) -> Fr {
        self.0
    }

    /// Keystream block `block` of record `index`.
    pub fn block(&self, index: u64, block: u64) -> [Fr; BLOCK] {
        let mut s = [
            self.0,
            Fr::from(index),
            Fr::from(block),
            tags::fr(tags::STREAM),
        ];
        poseidon2::permute(&mut s);
        [s[0], s[1], s[2]]
    }

    /// Adds (`add`) or subtracts record `index`'s keystream to `elements` in place.
    fn apply(&self, index: u64, elements: &mut [Fr], add: bool) {
        for (b, chunk) in elements.chunks_mut(BLOCK).enumerate() {
            let ks = self.block(index, b as u64);
            for (x, k) in chunk.iter_mut().zip(ks) {
                if add {
                    *x += k
                } else {
                    *x -= k
                }
            }
        }
    }

    /// Record `index`'s ciphertext of `plain`.
    pub fn encrypt(&self, index: u64, plain: &[Fr]) -> Vec<Fr> {
        let mut c = plain.to_vec();
        self.apply(index, &mut c, true);
        c
    }

    /// Record `index`'s plaintext elements of `cipher`.
    pub fn decrypt(&self, index: u64, cipher: &[Fr]) -> Vec<Fr> {
        let mut x = cipher.to_vec();
        self.apply(index, &mut x, false);
        x
    }
}
