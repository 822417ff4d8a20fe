//! Every domain-separation tag, defined once.
//!
//! Each hash in Veil starts with one of these constants (`H(tag, ...)`), so that no two uses of
//! Poseidon2 can collide. A tag is the big-endian integer of its ASCII name (at most 31 bytes,
//! so it is a canonical field element); the Noir library and the docs carry the same table.

use crate::Fr;

/// Builds a tag from its ASCII name at compile time: the big-endian integer of the bytes.
const fn tag(name: &str) -> u128 {
    let b = name.as_bytes();
    assert!(b.len() <= 16, "tag names fit in 16 bytes");
    let mut v: u128 = 0;
    let mut i = 0;
    while i < b.len() {
        v = (v << 8) | b[i] as u128;
        i += 1;
    }
    v
}

/// `H(VALUE, len, chunk_0, ...)`: the hash of a cell's bytes.
pub const VALUE: u128 = tag("veil/value");
/// `H(SCHEMA, format, param, m, name_0, ...)`: the dataset schema.
pub const SCHEMA: u128 = tag("veil/schema");
/// `H(SALT, key, i)`: the blinding salt of row `i`.
pub const SALT: u128 = tag("veil/salt");
/// `H(ROW, i, salt, v_0, ..., v_{m-1})`: the Merkle leaf of row `i`.
pub const ROW: u128 = tag("veil/row");
/// `H(NODE, left, right)`: an inner Merkle node.
pub const NODE: u128 = tag("veil/node");
/// `H(DATASET_V2, root, n, depth, schema)`: the dataset commitment `C` over a quaternary tree
/// (listing version 2).
pub const DATASET_V2: u128 = tag("veil/dataset-v2");
/// `H(DATASET, root, n, depth, schema)`: listing version 1's commitment, over a binary tree;
/// still read, so old listings check and their deliveries verify.
pub const DATASET: u128 = tag("veil/dataset");
/// `H(DATASET_KEY, master, id)`: a dataset's key, derived from the seller's master secret.
pub const DATASET_KEY: u128 = tag("veil/dataset-key");
/// `H(KEY_ID, key)`: the public fingerprint of a dataset key.
pub const KEY_ID: u128 = tag("veil/key-id");
/// `H(SAMPLE_SEED, C, s)`: the seed of a preview's sample indices.
pub const SAMPLE_SEED: u128 = tag("veil/sample-seed");
/// `H(SAMPLE, seed, j)`: the hash that picks preview sample `j`.
pub const SAMPLE: u128 = tag("veil/sample");
/// `H(RECEIPT, listing, buyer_tag, a, b, salt)`, numbers packed in `a`, `b`: a sale receipt.
pub const RECEIPT: u128 = tag("veil/receipt");
/// `H(LICENCE, listing, K, quota, expiry, salt)`: a licence note.
pub const LICENCE: u128 = tag("veil/licence");
/// `H(KEY, sk)`: a buyer's key commitment `K`.
pub const KEY: u128 = tag("veil/key");
/// `H(NULLIFIER, sk, listing, epoch, c)`: a metered call's nullifier.
pub const NULLIFIER: u128 = tag("veil/nullifier");
/// `H(USAGE, listing, epoch, calls_root, salt)`: a usage commitment.
pub const USAGE: u128 = tag("veil/usage");

/// `H(LISTING, listing, C, seller, seller_key, price, quota, expiry)`: a listing's terms, as
/// the settlement contract registers them.
pub const LISTING: u128 = tag("veil/listing");
/// `H(COUNTER, seller, count, cum, last_time, salt)`: a seller's sales counter note.
pub const COUNTER: u128 = tag("veil/counter");
/// `H(PAYMENT, owner, amount, salt)`: a payment note owned by key commitment `owner`.
pub const PAYMENT: u128 = tag("veil/payment");
/// `H(SPENT, note)` / `H(SPENT, sk, note)`: the nullifier of a consumed counter / payment note.
pub const SPENT: u128 = tag("veil/spent");
/// `H(CHAIN, next, cum, count, amount, fees, band_counts.., band_sums.., blind)`: the blinded
/// state one batch of an audit report hands the next.
pub const CHAIN: u128 = tag("veil/chain");

/// `H(ENC_KEY, key, nonce)`: the key `ek` that encrypts one delivery of a dataset.
pub const ENC_KEY: u128 = tag("veil/enc-key");
/// `P([ek, i, b, STREAM])`: keystream block `b` of record `i`, in the permutation's fourth lane.
pub const STREAM: u128 = tag("veil/stream");
/// `H(KEY_NOTE, buyer, key, salt)`: the note that hands a sale's dataset key to its buyer.
pub const KEY_NOTE: u128 = tag("veil/key-note");
/// Every tag with its name, for docs, vectors and the uniqueness test.
pub const ALL: [(&str, u128); 24] = [
    ("veil/value", VALUE),
    ("veil/schema", SCHEMA),
    ("veil/salt", SALT),
    ("veil/row", ROW),
    ("veil/node", NODE),
    ("veil/dataset", DATASET),
    ("veil/dataset-v2", DATASET_V2),
    ("veil/dataset-key", DATASET_KEY),
    ("veil/key-id", KEY_ID),
    ("veil/sample-seed", SAMPLE_SEED),
    ("veil/sample", SAMPLE),
    ("veil/receipt", RECEIPT),
    ("veil/licence", LICENCE),
    ("veil/key", KEY),
    ("veil/nullifier", NULLIFIER),
    ("veil/usage", USAGE),
    ("veil/listing", LISTING),
    ("veil/counter", COUNTER),
    ("veil/payment", PAYMENT),
    ("veil/spent", SPENT),
    ("veil/chain", CHAIN),
    ("veil/enc-key", ENC_KEY),
    ("veil/stream", STREAM),
    ("veil/key-note", KEY_NOTE),
];

/// A tag as a field element.
pub fn fr(tag: u128) -> Fr {
    Fr::from(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_distinct_and_match_their_names() {
        let mut seen = std::collections::HashSet::new();
        for (name, value) in ALL {
            assert!(seen.insert(value), "duplicate tag {name}");
            let mut be = [0u8; 16];
            be[16 - name.len()..].copy_from_slice(name.as_bytes());
            assert_eq!(u128::from_be_bytes(be), value, "{name}");
        }
        assert_eq!(VALUE, 0x7665696c2f76616c7565);
    }

    /// The table in `docs/protocol.md` lists exactly these tags, in this order, with these
    /// values.
    #[test]
    fn the_protocol_documents_every_tag() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/protocol.md"),
        )
        .unwrap();
        let section = doc
            .split("### Domain tags")
            .nth(1)
            .and_then(|s| s.split("\n### ").next())
            .expect("docs/protocol.md has a `### Domain tags` section");
        let rows: Vec<(String, String)> = section
            .lines()
            .filter_map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                match cells.as_slice() {
                    ["", name, value, ""] if name.starts_with("`veil/") => Some((
                        name.trim_matches('`').to_string(),
                        value.trim_matches('`').to_string(),
                    )),
                    _ => None,
                }
            })
            .collect();
        let want: Vec<(String, String)> = ALL
            .iter()
            .map(|(name, value)| (name.to_string(), format!("{value:#x}")))
            .collect();
        assert_eq!(rows, want, "docs/protocol.md's tag table against tags::ALL");
    }
}
