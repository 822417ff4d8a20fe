//! A seller who baits and switches, for the fair-sale tests of the command line and the
//! service: record `index` of an honest ciphertext re-encrypted as other cells, under the
//! right key and beside the committed leaf, so that the check before payment passes.

use std::path::Path;
use veil_circuits::dataset::encrypted::{file, tree, CiphertextReader, EncryptionKey};
use veil_circuits::dataset::{keys::load_dataset_key, Listing};

/// A row of `examples/sales.csv`'s shape that a cheating seller puts in place of a committed
/// record (record 3, in the tests) after committing.
pub const SWITCHED_ROW: [&str; 6] = [
    "ORD-10003",
    "2026-08-22",
    "Porto",
    "apparel",
    "1.00",
    "x@y.z",
];

/// Rewrites record `index` of the ciphertext as the encryption of `cells` under the right key
/// and its published leaf, and a listing naming the result: a seller who baits and switches.
///
/// `dir` holds `listing.json`, `sales.key` and `sales.veilct`; the
/// result is `switched.veilct` and its listing `switched.json`.
pub fn switch_record(dir: &Path, index: u64, cells: &[&str]) {
    let listing =
        Listing::from_json(&std::fs::read_to_string(dir.join("listing.json")).unwrap()).unwrap();
    let key = load_dataset_key(
        &std::fs::read_to_string(dir.join("sales.key")).unwrap(),
        &listing.dataset_id,
    )
    .unwrap();
    let bytes = std::fs::read(dir.join("sales.veilct")).unwrap();
    let mut reader = CiphertextReader::new(&bytes[..]).unwrap();
    let header = reader.header.clone();
    let ek = EncryptionKey::derive(&key, header.nonce);
    let mut out = header.line();
    let mut sha = tree::ShaTree::new(header.depth, None);
    let mut i = 0;
    loop {
        let blobs = reader.next_batch().unwrap();
        if blobs.is_empty() {
            break;
        }
        for b in blobs {
            let (leaf, mut c) = file::parse_blob(i, &b).unwrap();
            if i == index {
                let r: Vec<Vec<u8>> = cells.iter().map(|c| c.as_bytes().to_vec()).collect();
                let layout = header.layout(listing.schema.columns.len());
                c = ek.encrypt(i, &layout.encode(&r).unwrap());
            }
            let blob = file::record_blob(&leaf, &c);
            sha.push(tree::leaf_hash(&blob));
            out.extend_from_slice(&blob);
            i += 1;
        }
    }
    std::fs::write(dir.join("switched.veilct"), out).unwrap();
    let e = header.ciphertext_root(&sha.finish().0);
    std::fs::write(
        dir.join("switched.json"),
        listing.with_ciphertext(e).to_json(),
    )
    .unwrap();
}
