use super::*;
use crate::dataset::{self, open, SellerSecret};

fn key() -> DatasetKey {
    SellerSecret(Fr::from(42u64)).dataset_key("enc-test")
}

/// A file on disk, its listing (version 3) and its ciphertext bytes.
struct Sealed {
    _dir: tempfile::TempDir,
    listing: Listing,
    cipher: Vec<u8>,
}

fn seal(name: &str, body: &[u8], chunk: usize) -> Result<Sealed> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::File::create(&p).unwrap().write_all(body).unwrap();
    let depth = 4;
    let mut f = open(&p, None, chunk, None)?;
    let c = dataset::commit(f.records(), &key(), depth, &[])?;
    let (sha, bytes) = f.digest();
    let listing = Listing::new("enc-test", &c, &key(), sha, bytes);
    let mut f = open(&p, None, chunk, None)?;
    let s = survey(&mut f, &body[..body.len().min(1 << 16)])?;
    let header = CiphertextHeader {
        veil: CIPHERTEXT_VERSION,
        kind: "ciphertext".into(),
        dataset_id: listing.dataset_id.clone(),
        commitment: listing.commitment,
        records: s.records,
        depth,
        record_elements: s.width,
        column_elements: s.columns.clone(),
        nonce: Fr::from(7u64),
        framing: s.framing,
    };
    let mut f = open(&p, None, chunk, None)?;
    let mut cipher = Vec::new();
    let e = encrypt(f.records(), &key(), &header, &mut cipher)?;
    assert_eq!(e.commitment, listing.commitment);
    assert_eq!(cipher.len() as u64, header.file_bytes());
    Ok(Sealed {
        _dir: dir,
        listing: listing.with_ciphertext(e.ciphertext_root),
        cipher,
    })
}

fn open_it(s: &Sealed, cipher: &[u8]) -> Result<(Decryption, Vec<u8>)> {
    let mut out = Vec::new();
    let d = decrypt(&mut &cipher[..], &s.listing, &key(), &mut out)?;
    Ok((d, out))
}

const CSV: &[u8] = b"id,city,note\n1,Lyon,\"a, b\"\n2,Oslo,\"say \"\"hi\"\"\"\n3,,plain\n";

#[test]
fn csv_files_of_every_framing_come_back_byte_for_byte() {
    let crlf: Vec<u8> = String::from_utf8_lossy(CSV).replace('\n', "\r\n").into();
    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend_from_slice(CSV);
    let quoted = b"\"id\",\"city\"\n\"1\",\"Lyon\"\n\"2\",\"\"\n".to_vec();
    let unterminated = &CSV[..CSV.len() - 1];
    for body in [
        CSV.to_vec(),
        crlf,
        bom,
        quoted,
        unterminated.to_vec(),
        b"only\n\"\"\nx\n".to_vec(),
    ] {
        let s = seal("d.csv", &body, 4).unwrap();
        assert_eq!(
            check(&mut &s.cipher[..], &s.listing).unwrap().records,
            s.listing.records
        );
        let (d, out) = open_it(&s, &s.cipher).unwrap();
        assert_eq!(
            d,
            Decryption::Delivered {
                records: s.listing.records
            }
        );
        assert_eq!(out, body, "{}", String::from_utf8_lossy(&body));
    }
}

#[test]
fn chunked_files_come_back_byte_for_byte() {
    let body: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
    let s = seal("d.bin", &body, 64).unwrap();
    let (d, out) = open_it(&s, &s.cipher).unwrap();
    assert_eq!(d, Decryption::Delivered { records: 16 });
    assert_eq!(out, body);
}

#[test]
fn files_no_framing_reproduces_and_jsonl_are_refused() {
    // Quotes around one field that needs none, and mixed line ends.
    for body in [&b"a,b\n\"1\",2\n"[..], b"a,b\r\n1,2\n3,4\n"] {
        let e = seal("d.csv", body, 4).err().unwrap().to_string();
        assert!(e.contains("byte for byte"), "{e}");
    }
    let e = seal("d.jsonl", b"{\"a\":1}\n", 4)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("JSON Lines"), "{e}");
}

/// The offset of element `t` (0 = the leaf) of record `i`.
fn at(s: &Sealed, i: usize, t: usize) -> usize {
    let h = CiphertextReader::new(&s.cipher[..]).unwrap().header;
    h.line().len() + i * h.record_bytes() + t * file::ELEMENT_BYTES
}

#[test]
fn a_replaced_record_is_found_and_named() {
    let s = seal("d.csv", CSV, 4).unwrap();
    // Record 1 of another dataset (another key) under this file's leaf: decrypts to garbage.
    let mut c = s.cipher.clone();
    let o = at(&s, 1, 1);
    c[o + 31] ^= 1;
    // The keyless check passes only if E matches: it does not, the file was edited.
    assert!(check(&mut &c[..], &s.listing)
        .unwrap_err()
        .to_string()
        .contains("root E"));
    // Against a listing naming the edited file (a seller who encrypted the edit), decryption
    // finds record 1.
    let e = {
        let mut r = CiphertextReader::new(&c[..]).unwrap();
        while !r.next_batch().unwrap().is_empty() {}
        r.ciphertext_root()
    };
    let lying = s.listing.with_ciphertext(e);
    let mut out = Vec::new();
    let d = decrypt(&mut &c[..], &lying, &key(), &mut out).unwrap();
    let Decryption::Disputable(f) = d else {
        panic!("{d:?}")
    };
    assert_eq!(f.index, 1);
    // The plaintext holds the header and record 0 only.
    assert_eq!(out, b"id,city,note\n1,Lyon,\"a, b\"");
}

/// A seller who encrypts `other` under the leaves of `honest`.
fn bait(honest: &Sealed, other_cells: Vec<Vec<Vec<u8>>>) -> (Listing, Vec<u8>) {
    let mut r = CiphertextReader::new(&honest.cipher[..]).unwrap();
    let header = r.header.clone();
    let ek = EncryptionKey::derive(&key(), header.nonce);
    let mut out = header.line();
    let mut sha = ShaTree::new(header.depth, None);
    let mut i = 0u64;
    loop {
        let blobs = r.next_batch().unwrap();
        if blobs.is_empty() {
            break;
        }
        for b in blobs {
            let (l, c) = file::parse_blob(i, &b).unwrap();
            let c = match other_cells.get(i as usize) {
                Some(cells) if !cells.is_empty() => ek.encrypt(
                    i,
                    &header
                        .layout(honest.listing.schema.columns.len())
                        .encode(cells)
                        .unwrap(),
                ),
                _ => c,
            };
            let blob = file::record_blob(&l, &c);
            sha.push(tree::leaf_hash(&blob));
            out.extend_from_slice(&blob);
            i += 1;
        }
    }
    let e = header.ciphertext_root(&sha.finish().0);
    (honest.listing.with_ciphertext(e), out)
}

#[test]
fn a_row_swapped_after_commitment_is_disputable_at_that_row() {
    let s = seal("d.csv", CSV, 4).unwrap();
    let swapped = vec![
        vec![],
        vec![],
        vec![b"3".to_vec(), b"Rome".to_vec(), b"plain".to_vec()],
    ];
    let (listing, c) = bait(&s, swapped);
    // The file is the listed one and its leaves rebuild the root: the buyer pays...
    check(&mut &c[..], &listing).unwrap();
    let mut out = Vec::new();
    let d = decrypt(&mut &c[..], &listing, &key(), &mut out).unwrap();
    assert_eq!(
        d,
        Decryption::Disputable(Finding {
            index: 2,
            rule: Inconsistency::WrongLeaf
        })
    );
}

#[test]
fn a_record_that_decrypts_to_no_record_is_malformed() {
    let s = seal("d.csv", CSV, 4).unwrap();
    // Three cells whose lengths overrun the record: one cell with a huge length.
    let header = CiphertextReader::new(&s.cipher[..]).unwrap().header;
    let w = header.record_elements as usize;
    let mut bogus = vec![Fr::from(0u64); w];
    bogus[0] = Fr::from(0xffff_ffffu64)
        * Fr::from(1u64 << 56)
        * Fr::from(1u64 << 56)
        * Fr::from(1u64 << 56)
        * Fr::from(1u64 << 48);
    let ek = EncryptionKey::derive(&key(), header.nonce);
    let mut c = s.cipher.clone();
    let o = at(&s, 0, 1);
    let ct = ek.encrypt(0, &bogus);
    for (t, x) in ct.iter().enumerate() {
        c[o + 32 * t..o + 32 * (t + 1)].copy_from_slice(&file::element_bytes(x));
    }
    let mut r = CiphertextReader::new(&c[..]).unwrap();
    while !r.next_batch().unwrap().is_empty() {}
    let listing = s.listing.with_ciphertext(r.ciphertext_root());
    let d = decrypt(&mut &c[..], &listing, &key(), &mut Vec::new()).unwrap();
    assert_eq!(
        d,
        Decryption::Disputable(Finding {
            index: 0,
            rule: Inconsistency::Malformed(Malformed::CellOverflow {
                cell: 0,
                capacity: 31, // column 0's slot, one element
            })
        })
    );
}

#[test]
fn a_replaced_leaf_is_refused_before_payment() {
    let s = seal("d.csv", CSV, 4).unwrap();
    let mut c = s.cipher.clone();
    let o = at(&s, 1, 0);
    c[o + 31] ^= 1;
    let mut r = CiphertextReader::new(&c[..]).unwrap();
    while !r.next_batch().unwrap().is_empty() {}
    let listing = s.listing.with_ciphertext(r.ciphertext_root());
    let e = check(&mut &c[..], &listing).unwrap_err().to_string();
    assert!(e.contains("do not rebuild the root"), "{e}");
}

#[test]
fn truncated_extended_and_foreign_ciphertexts_are_refused_by_name() {
    let s = seal("d.csv", CSV, 4).unwrap();
    let n = s.cipher.len();
    let e = check(&mut &s.cipher[..n - 5], &s.listing)
        .unwrap_err()
        .to_string();
    assert!(e.contains("truncated") && e.contains("record 2"), "{e}");
    let mut longer = s.cipher.clone();
    longer.push(0);
    let e = check(&mut &longer[..], &s.listing).unwrap_err().to_string();
    assert!(e.contains("bytes follow"), "{e}");
    let e = check(&mut &b""[..], &s.listing).unwrap_err().to_string();
    assert!(e.contains("empty"), "{e}");
    // Another dataset's ciphertext: the header names its own commitment.
    let other = seal("d.csv", b"id,city,note\n9,Rome,x\n", 4).unwrap();
    let e = check(&mut &other.cipher[..], &s.listing)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`commitment`"), "{e}");
    // A plain listing names no ciphertext.
    let mut plain = s.listing.clone();
    plain.veil = 2;
    plain.ciphertext_root = None;
    let e = check(&mut &s.cipher[..], &plain).unwrap_err().to_string();
    assert!(e.contains("names no ciphertext"), "{e}");
    // Another dataset's key.
    let wrong = SellerSecret(Fr::from(43u64)).dataset_key("enc-test");
    let e = decrypt(&mut &s.cipher[..], &s.listing, &wrong, &mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(e.contains("key"), "{e}");
}

#[test]
fn every_redundant_header_field_is_checked_against_the_listing() {
    let s = seal("d.csv", CSV, 4).unwrap();
    let line_len = CiphertextReader::new(&s.cipher[..])
        .unwrap()
        .header
        .line()
        .len();
    let header: serde_json::Value = serde_json::from_slice(&s.cipher[..line_len - 1]).unwrap();
    for (field, value, want) in [
        ("dataset_id", serde_json::json!("other"), "`dataset_id`"),
        ("records", serde_json::json!(2), "`records`"),
        ("depth", serde_json::json!(5), "`depth`"),
        (
            "framing",
            serde_json::json!({"format": "chunks"}),
            "`framing`",
        ),
        ("records", serde_json::json!(17), "records"),
        ("record_elements", serde_json::json!(0), "record_elements"),
        (
            "column_elements",
            serde_json::json!([1, 1]),
            "column_elements",
        ),
        (
            "column_elements",
            serde_json::json!([]),
            "needs `column_elements`",
        ),
        ("veil", serde_json::json!(1), "version-1 header has no"),
        ("veil", serde_json::json!(3), "version"),
        ("extra", serde_json::json!(1), "extra"),
    ] {
        let mut h = header.clone();
        h[field] = value;
        let mut c = serde_json::to_vec(&h).unwrap();
        c.extend_from_slice(&s.cipher[line_len - 1..]);
        let e = check(&mut &c[..], &s.listing).unwrap_err().to_string();
        assert!(e.contains(want), "{field}: {e}");
    }
}

#[test]
fn records_encode_to_exactly_one_element_string() {
    let r: Record = vec![b"".to_vec(), vec![0u8; 40], b"x".to_vec()];
    let w = record::elements_for(&r);
    assert_eq!(w, (4 * 3 + 41_usize).div_ceil(31));
    let x = record::encode(&r, w + 1).unwrap();
    assert_eq!(record::decode(&x, 3).unwrap(), r);
    assert!(record::encode(&r, w - 1).is_err());
    // A non-zero byte in the padding, an element of 2^248, too few bytes for the cells.
    let mut y = x.clone();
    y[w] += Fr::from(1u64);
    assert!(matches!(
        record::decode(&y, 3),
        Err(Malformed::TrailingBytes { .. })
    ));
    let mut y = x.clone();
    y[0] = -Fr::from(1u64);
    assert_eq!(
        record::decode(&y, 3),
        Err(Malformed::ElementTooLarge { element: 0 })
    );
    assert!(matches!(
        record::decode(&x[..w - 1], 3),
        Err(Malformed::CellOverflow { cell: 1, .. })
    ));
}

/// Version 2: each column in its own slot, decoded as strictly as a packed record, so that
/// the elements of one column say nothing of another's.
#[test]
fn column_slots_encode_each_cell_apart_and_decode_strictly() {
    let r: Record = vec![b"".to_vec(), vec![7u8; 40], b"x".to_vec()];
    let widths: Vec<usize> = r.iter().map(|c| record::slot_elements(c)).collect();
    assert_eq!(widths, vec![1, 2, 1]);
    let layout = Layout::Columns(widths);
    let x = layout.encode(&r).unwrap();
    assert_eq!(x.len(), 4);
    assert_eq!(layout.decode(&x).unwrap(), r);
    assert_eq!(layout.column_range(1), Some(1..3));
    // Column 1's slot is its own encoding: another column's cells do not move it.
    let other: Record = vec![b"abc".to_vec(), vec![7u8; 40], b"".to_vec()];
    assert_eq!(layout.encode(&other).unwrap()[1..3], x[1..3]);
    assert!(Layout::Columns(vec![1, 1, 1]).encode(&r).is_err());
    // A non-zero byte after a cell, in its own slot; an element of 2^248; a short record.
    let mut y = x.clone();
    y[0] += Fr::from(1u64);
    assert_eq!(
        layout.decode(&y),
        Err(Malformed::TrailingBytes { offset: 30 })
    );
    let mut y = x.clone();
    y[2] = -Fr::from(1u64);
    assert_eq!(
        layout.decode(&y),
        Err(Malformed::ElementTooLarge { element: 2 })
    );
    assert!(matches!(
        layout.decode(&x[..3]),
        Err(Malformed::CellOverflow { cell: 2, .. })
    ));
    let mut longer = x.clone();
    longer.push(Fr::from(0u64));
    assert!(matches!(
        layout.decode(&longer),
        Err(Malformed::TrailingBytes { .. })
    ));
}

/// The survey gives each column its longest cell's slot.
#[test]
fn a_surveyed_header_lays_out_each_column_by_its_longest_cell() {
    let s = seal("d.csv", CSV, 4).unwrap();
    let header = CiphertextReader::new(&s.cipher[..]).unwrap().header;
    assert_eq!(header.veil, 2);
    assert_eq!(header.column_elements, vec![1, 1, 1]);
    assert_eq!(header.record_elements, 3);
}

#[test]
fn keystream_blocks_differ_by_record_block_and_nonce() {
    let a = EncryptionKey::derive(&key(), Fr::from(1u64));
    let b = EncryptionKey::derive(&key(), Fr::from(2u64));
    let blocks = [a.block(0, 0), a.block(0, 1), a.block(1, 0), b.block(0, 0)];
    for i in 0..blocks.len() {
        for j in i + 1..blocks.len() {
            assert_ne!(blocks[i], blocks[j]);
        }
    }
    let x: Vec<Fr> = (0..7u64).map(Fr::from).collect();
    assert_eq!(a.decrypt(5, &a.encrypt(5, &x)), x);
    assert_ne!(a.decrypt(6, &a.encrypt(5, &x)), x);
}

#[test]
fn the_sha_tree_matches_a_plain_recomputation_and_its_paths_verify() {
    let leaves: Vec<Digest32> = (0..11u8).map(|i| tree::leaf_hash(&[i])).collect();
    for n in [1usize, 2, 3, 8, 11] {
        for depth in [4u32, 5] {
            let mut level: Vec<Digest32> = leaves[..n].to_vec();
            level.resize(1 << depth, [0u8; 32]);
            for _ in 0..depth {
                level = level
                    .chunks(2)
                    .map(|p| tree::node_hash(&p[0], &p[1]))
                    .collect();
            }
            for w in 0..n as u64 {
                let mut t = ShaTree::new(depth, Some(w));
                for l in &leaves[..n] {
                    t.push(*l);
                }
                let (root, path) = t.finish();
                assert_eq!(root, level[0], "n {n} depth {depth}");
                let path = path.unwrap();
                assert_eq!(tree::root_from_path(leaves[w as usize], w, &path), root);
            }
        }
    }
    let mut full = ShaTree::new(2, Some(3));
    for l in &leaves[..4] {
        full.push(*l);
    }
    let (root, path) = full.finish();
    assert_eq!(tree::root_from_path(leaves[3], 3, &path.unwrap()), root);
}
