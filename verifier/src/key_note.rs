//! Opening a key note, the buyer's side of a sale outside Aztec: the seller sealed the opening
//! `(k, salt)` of the note `N = H(KEY_NOTE, buyer, k, salt)` to the buyer's X25519 box key
//! with libsodium's sealed box (the `crypto_box` crate). Here, with no file handling, so that
//! the browser's page opens a note as `veil delivery open-note` does (`veil-engine` calls
//! [`open`] too). The note's rule is `veil_circuits::statements::settlement::release`.
//!
//! A buyer's box key is derived from its buyer key (`veil meter keygen`), so a buyer has one
//! secret: `box_secret = SHA-256("veil/key-note-box-v1" || sk)`, `sk` as 32 big-endian bytes.

use crate::formats::{BuyerKeyFile, KeyNoteFile};
use crate::{Result, VerifyError};
use crypto_box::SecretKey;
use sha2::{Digest, Sha256};
use veil_circuits::dataset::{DatasetKey, Listing};
use veil_circuits::field::{from_hex_strict, to_hex};
use veil_circuits::statements::settlement::release::{check_received, KeyNote};
use veil_circuits::statements::usage::key_commitment;
use veil_circuits::Fr;

/// A field element as 32 big-endian bytes.
pub fn be32(x: &Fr) -> [u8; 32] {
    let mut out = [0u8; 32];
    // `to_hex` is 0x and 64 hex digits, big-endian.
    if hex::decode_to_slice(&to_hex(x)[2..], &mut out).is_err() {
        unreachable!("to_hex writes 32 bytes");
    }
    out
}

/// The buyer's box secret key, derived from its buyer key's `sk`.
pub fn box_secret(sk: &Fr) -> SecretKey {
    let mut h = Sha256::new();
    h.update(b"veil/key-note-box-v1");
    h.update(be32(sk));
    SecretKey::from_bytes(h.finalize().into())
}

/// Opens the key note `file` of `listing` with the buyer key `buyer`: the dataset key, once the
/// note is for this listing and key, addressed and sealed to this buyer, and its opening is
/// the note `N` it names. Every check names what does not match.
pub fn open(file: &KeyNoteFile, listing: &Listing, buyer: &BuyerKeyFile) -> Result<DatasetKey> {
    let mismatch = |m: String| Err(VerifyError::Mismatch(m));
    if file.dataset_id != listing.dataset_id {
        return mismatch(format!(
            "the key note is for dataset {:?}, the listing is {:?}",
            file.dataset_id, listing.dataset_id
        ));
    }
    if file.key_id != listing.key_id {
        return mismatch(format!(
            "the key note names key id {}, the listing's is {}",
            to_hex(&file.key_id),
            to_hex(&listing.key_id)
        ));
    }
    let me = key_commitment(buyer.sk);
    if file.buyer != me {
        return mismatch(format!(
            "the key note is addressed to buyer {}, this buyer key is {}",
            to_hex(&file.buyer),
            to_hex(&me)
        ));
    }
    let secret = box_secret(&buyer.sk);
    if hex::encode(secret.public_key().to_bytes()) != file.box_public_key {
        return mismatch(format!(
            "the key note is sealed to box key {}, not this buyer key's",
            file.box_public_key
        ));
    }
    let sealed = hex::decode(&file.sealed).unwrap_or_default();
    let Ok(opening) = secret.unseal(&sealed) else {
        return Err(VerifyError::Malformed(
            "the key note's sealed opening does not open with this buyer key (edited?)".into(),
        ));
    };
    let field =
        |what: &str, bytes: &[u8]| from_hex_strict(what, &format!("0x{}", hex::encode(bytes)));
    let (key, salt) = match opening.len() {
        64 => (
            field("the key", &opening[..32])?,
            field("the salt", &opening[32..])?,
        ),
        n => {
            return Err(VerifyError::Malformed(format!(
                "the key note's opening is {n} bytes, not 64"
            )))
        }
    };
    let note = KeyNote {
        buyer: me,
        key: DatasetKey(key),
        salt,
    };
    Ok(check_received(listing.key_id, me, file.note, &note)?)
}
