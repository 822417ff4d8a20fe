//! The key release: the sale's second step, what an Aztec contract's private `deliver`
//! function proves with the Noir program `key_release` (this module is its native twin). The
//! buyer's `buy` (settlement) leaves the payout pending; the seller's `deliver` proves a key
//! note that hands the buyer the listing's dataset key, and only then does the contract release
//! the payout. Payment and key change hands in that one transaction, or not at all.
//!
//! ```text
//! key note   N = H(KEY_NOTE, buyer, k, salt)         buyer = H(KEY, sk): the payment's owner
//! ```
//!
//! **Public inputs**, in order: `key_id` (the listing's, from the contract's registry), `buyer`
//! (the pending sale's buyer); then the output `N`.
//! **Witness**: the dataset key `k` and the note's salt.
//! **Constraints**: `H(KEY_ID, k) = key_id` (the key is the listing's); `N` opens to `buyer`
//! and `k`. A seller holding another dataset's key, or none, cannot make the note, so it cannot
//! claim the payout; the buyer's wallet, receiving the note's opening, checks it against `N`
//! and `key_id` and holds the key that decrypts the delivery (`veil delivery decrypt`).

use crate::dataset::DatasetKey;
use crate::{poseidon2, tags, Error, Fr, Result};

/// Its Noir program.
pub const PROGRAM: &str = "key_release";

/// A key note's opening: what the buyer receives, encrypted to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyNote {
    /// The buyer's key commitment `H(KEY, sk)`.
    pub buyer: Fr,
    /// The dataset key.
    pub key: DatasetKey,
    /// Note blinding.
    pub salt: Fr,
}

impl KeyNote {
    /// `N`.
    pub fn note(&self) -> Fr {
        poseidon2::hash(&[tags::fr(tags::KEY_NOTE), self.buyer, self.key.0, self.salt])
    }
}

/// The key release for a listing whose key id is `key_id`: the note hash `N`, or a refusal when
/// the note's key is not the listing's.
pub fn release(key_id: Fr, note: &KeyNote) -> Result<Fr> {
    if note.key.id() != key_id {
        return Err(Error::Unsatisfied("the key is not the listing's".into()));
    }
    Ok(note.note())
}

/// What a buyer's wallet checks on receiving a note's opening: that it is the note `n` the
/// contract recorded, addressed to `buyer`, holding the listing's key.
pub fn check_received(key_id: Fr, buyer: Fr, n: Fr, note: &KeyNote) -> Result<DatasetKey> {
    if note.buyer != buyer {
        return Err(Error::Unsatisfied(
            "the key note is addressed to another buyer".into(),
        ));
    }
    if note.note() != n {
        return Err(Error::Unsatisfied(
            "the key note does not open to the recorded note".into(),
        ));
    }
    release(key_id, note)?;
    Ok(note.key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::SellerSecret;
    use crate::statements::usage::key_commitment;

    fn note() -> (Fr, KeyNote) {
        let key = SellerSecret(Fr::from(3u64)).dataset_key("sales");
        let n = KeyNote {
            buyer: key_commitment(Fr::from(0xb0u64)),
            key,
            salt: Fr::from(9u64),
        };
        (key.id(), n)
    }

    #[test]
    fn the_listings_key_is_released_and_received() {
        let (key_id, n) = note();
        let hash = release(key_id, &n).unwrap();
        assert_eq!(check_received(key_id, n.buyer, hash, &n).unwrap(), n.key);
    }

    #[test]
    fn another_datasets_key_is_refused_by_the_release_and_the_wallet() {
        let (key_id, n) = note();
        let other = KeyNote {
            key: SellerSecret(Fr::from(3u64)).dataset_key("other"),
            ..n
        };
        let e = release(key_id, &other).unwrap_err().to_string();
        assert!(e.contains("the key is not the listing's"), "{e}");
        let e = check_received(key_id, n.buyer, other.note(), &other)
            .unwrap_err()
            .to_string();
        assert!(e.contains("the key is not the listing's"), "{e}");
    }

    #[test]
    fn the_wallet_refuses_a_note_for_another_buyer_or_another_opening() {
        let (key_id, n) = note();
        let hash = n.note();
        let theirs = KeyNote {
            buyer: n.buyer + Fr::from(1u64),
            ..n
        };
        let e = check_received(key_id, theirs.buyer, hash, &n)
            .unwrap_err()
            .to_string();
        assert!(e.contains("another buyer"), "{e}");
        let resalted = KeyNote {
            salt: n.salt + Fr::from(1u64),
            ..n
        };
        let e = check_received(key_id, n.buyer, hash, &resalted)
            .unwrap_err()
            .to_string();
        assert!(e.contains("recorded note"), "{e}");
    }
}
