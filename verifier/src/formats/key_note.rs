//! `key-note.json`: a sale's dataset key, handed to its buyer outside Aztec (`veil serve`, the
//! CLI), as the Noir program `key_release` hands it on Aztec. The opening `(k, salt)` of the key
//! note `N = H(KEY_NOTE, buyer, k, salt)` is sealed to the buyer's X25519 public key with
//! libsodium's sealed box (`crypto_box_seal`: an ephemeral X25519 key, XSalsa20-Poly1305), so
//! only the buyer opens it; any libsodium binding (PyNaCl, libsodium.js) opens it too.
//!
//! ```json
//! { "veil": 1, "kind": "key-note", "dataset_id": "sales-2026", "key_id": "0x..",
//!   "buyer": "0x..", "box_public_key": "<hex, 32 bytes>", "note": "0x..",
//!   "sealed": "<hex: crypto_box_seal(box_public_key, k || salt), 64 + 48 bytes>" }
//! ```
//! `key_id` is the listing's, `buyer` the buyer's key commitment `H(KEY, sk)`, `note` is `N`.
//! Opening it is [`veil_circuits::statements::settlement::release::check_received`] after the
//! unsealing: the opening must hash to `note`, for `buyer`, with a key whose id is `key_id`.

use crate::Result;
use serde::{Deserialize, Serialize};
use veil_circuits::field::serde_hex;
use veil_circuits::Fr;

/// Key note file format version.
pub const KEY_NOTE_VERSION: u32 = 1;
/// Bytes of a sealed opening: the key and salt (32 each) plus the box's 32-byte ephemeral key
/// and 16-byte tag.
pub const SEALED_BYTES: usize = 64 + 48;

/// `key-note.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyNoteFile {
    /// Format version, [`KEY_NOTE_VERSION`].
    pub veil: u32,
    /// Always `"key-note"`.
    pub kind: String,
    /// The listing's dataset id.
    pub dataset_id: String,
    /// The listing's key id `H(KEY_ID, k)`.
    #[serde(with = "serde_hex")]
    pub key_id: Fr,
    /// The buyer's key commitment `H(KEY, sk)`.
    #[serde(with = "serde_hex")]
    pub buyer: Fr,
    /// The buyer's X25519 public key the opening is sealed to, hex.
    pub box_public_key: String,
    /// The note `N`.
    #[serde(with = "serde_hex")]
    pub note: Fr,
    /// The sealed opening, hex.
    pub sealed: String,
}

impl KeyNoteFile {
    /// Parses a key note file.
    pub fn from_json(text: &str) -> Result<Self> {
        let file: Self = veil_circuits::format::parse(
            text,
            Some("key-note"),
            KEY_NOTE_VERSION..=KEY_NOTE_VERSION,
        )?;
        let bytes = |s: &str| hex::decode(s).ok().map(|b| b.len());
        if bytes(&file.box_public_key) != Some(32) {
            return Err(
                veil_circuits::Error::parse("box_public_key", "not 32 bytes of hex").into(),
            );
        }
        if bytes(&file.sealed) != Some(SEALED_BYTES) {
            return Err(veil_circuits::Error::parse(
                "sealed",
                format!("not {SEALED_BYTES} bytes of hex"),
            )
            .into());
        }
        Ok(file)
    }

    /// Pretty JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("key notes serialise") + "\n"
    }
}
