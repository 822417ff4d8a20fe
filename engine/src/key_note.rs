//! Key notes outside Aztec: the seller hands a sale's dataset key to its buyer as the Noir
//! program `key_release` does on Aztec, the opening `(k, salt)` of `N = H(KEY_NOTE, buyer, k,
//! salt)` sealed to the buyer's X25519 key with libsodium's sealed box (the `crypto_box` crate).
//! The file is `veil_verifier::formats::KeyNoteFile`; the note's rule is
//! `veil_circuits::statements::settlement::release`.
//!
//! A buyer's box key is derived from its buyer key (`veil meter keygen`), so a buyer has one
//! secret: `box_secret = SHA-256("veil/key-note-box-v1" || sk)`, `sk` as 32 big-endian bytes.

use crate::dataset::{load_key, load_listing};
use crate::error::refuse;
use crate::files::{
    read_parsed, read_secret, refuse_existing, write_output, write_secret_replacing,
};
use crate::Result;
use crypto_box::PublicKey;
use std::path::Path;
use veil_circuits::dataset::{DatasetKey, Listing};
use veil_circuits::statements::settlement::release::{release, KeyNote};
use veil_circuits::statements::usage::key_commitment;
use veil_circuits::Fr;
use veil_verifier::formats::{BuyerKeyFile, KeyNoteFile, KEY_NOTE_VERSION};
use veil_verifier::key_note::{be32, box_secret};

/// Where a seller sends a buyer's key note: the buyer's key commitment and box public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuyerAddress {
    /// `H(KEY, sk)`.
    pub buyer: Fr,
    /// The X25519 public key the note is sealed to.
    pub box_public_key: [u8; 32],
}

impl BuyerAddress {
    /// The box public key as 64 hex digits, as `veil delivery address` prints it.
    pub fn box_public_key_hex(&self) -> String {
        hex::encode(self.box_public_key)
    }
}

/// The address of the buyer whose key file is `buyer_key`.
pub fn address(buyer_key: &Path) -> Result<BuyerAddress> {
    let file = read_secret(buyer_key, "buyer key", BuyerKeyFile::from_json)?;
    Ok(BuyerAddress {
        buyer: key_commitment(file.sk),
        box_public_key: box_secret(&file.sk).public_key().to_bytes(),
    })
}

/// Parses a box public key given as hex.
pub fn parse_box_key(text: &str) -> Result<[u8; 32]> {
    let mut out = [0u8; 32];
    if hex::decode_to_slice(text.trim_start_matches("0x"), &mut out).is_err() {
        refuse!("the box public key is not 32 bytes of hex: {text:?}");
    }
    Ok(out)
}

/// Seller: the key note handing the listing's dataset key to `to`, written to `out` (replacing
/// a file there only with `force`).
pub fn issue(
    secret_file: &Path,
    listing: &Path,
    to: &BuyerAddress,
    out: &Path,
    force: bool,
) -> Result<KeyNoteFile> {
    if !force {
        refuse_existing(out, "a key note")?;
    }
    let listing = load_listing(listing)?;
    let key = load_key(secret_file, "secret file", &listing.dataset_id)?;
    let file = seal(&listing, key, to)?;
    write_output(out, &file.to_json())?;
    Ok(file)
}

/// The key note handing `key`, which must be the key of `listing`, to `to`: a fresh salt, the
/// note `N`, and the opening sealed to the buyer's box key.
pub fn seal(listing: &Listing, key: DatasetKey, to: &BuyerAddress) -> Result<KeyNoteFile> {
    listing.check_key(&key)?;
    let note = KeyNote {
        buyer: to.buyer,
        key,
        salt: veil_circuits::field::random(&mut rand::rngs::OsRng),
    };
    let n = release(listing.key_id, &note)?;
    let mut opening = be32(&key.0).to_vec();
    opening.extend_from_slice(&be32(&note.salt));
    let Ok(sealed) =
        PublicKey::from_bytes(to.box_public_key).seal(&mut rand::rngs::OsRng, &opening)
    else {
        refuse!(
            "cannot seal the key note to box key {}",
            to.box_public_key_hex()
        );
    };
    Ok(KeyNoteFile {
        veil: KEY_NOTE_VERSION,
        kind: "key-note".into(),
        dataset_id: listing.dataset_id.clone(),
        key_id: listing.key_id,
        buyer: to.buyer,
        box_public_key: to.box_public_key_hex(),
        note: n,
        sealed: hex::encode(sealed),
    })
}

/// Buyer: opens the key note at `note` for the listing at `listing` with the buyer key at
/// `buyer_key`, checks it, and writes the dataset key file to `out` (replacing one only with
/// `force`). Every check names what does not match; nothing is written unless the key is the
/// listing's.
pub fn open(
    note: &Path,
    listing: &Path,
    buyer_key: &Path,
    out: &Path,
    force: bool,
) -> Result<DatasetKey> {
    let file = read_parsed(note, "key note", KeyNoteFile::from_json)?;
    let listing = load_listing(listing)?;
    let buyer = read_secret(buyer_key, "buyer key", BuyerKeyFile::from_json)?;
    let key = veil_verifier::key_note::open(&file, &listing, &buyer)?;
    write_secret_replacing(out, &key.to_file(&listing.dataset_id), force)?;
    Ok(key)
}
