use super::*;
use std::io::{Read, Write};

fn write(name: &str, body: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::File::create(&p).unwrap().write_all(body).unwrap();
    (dir, p)
}

fn key() -> DatasetKey {
    SellerSecret(Fr::from(42u64)).dataset_key("test")
}

fn commit_file(
    name: &str,
    body: &[u8],
    depth: u32,
    watch: &[u64],
) -> Result<(Committed, [u8; 32])> {
    let (_d, p) = write(name, body);
    let mut f = open(&p, None, 4, None)?;
    let c = commit(f.records(), &key(), depth, watch)?;
    Ok((c, f.digest().0))
}

#[test]
fn csv_commitment_matches_a_plain_recomputation() {
    let body = b"name,age\nalice,30\n\"bob, jr\",41\ncarol,\n";
    let (c, sha) = commit_file("d.csv", body, 3, &[1]).unwrap();
    assert_eq!(c.records, 3);
    assert_eq!(c.schema.columns, vec!["name", "age"]);
    let rows: Vec<Record> = vec![
        vec![b"alice".to_vec(), b"30".to_vec()],
        vec![b"bob, jr".to_vec(), b"41".to_vec()],
        vec![b"carol".to_vec(), b"".to_vec()],
    ];
    let leaves: Vec<Fr> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| leaf(&key(), i as u64, r))
        .collect();
    // Depth 3: 8 leaf slots in a quaternary tree of 16, two levels of compression.
    let mut level = leaves.clone();
    level.resize(16, Fr::from(0u64));
    while level.len() > 1 {
        level = level
            .chunks(4)
            .map(|p| crate::poseidon2::compress([p[0], p[1], p[2], p[3]]))
            .collect();
    }
    assert_eq!(c.root, level[0]);
    assert_eq!(c.commitment, commitment(level[0], 3, 3, c.schema.hash()));
    assert_eq!(c.watched[0], rows[1]);
    assert_eq!(c.paths[0].root(leaves[1]), c.root);
    use sha2::Digest;
    assert_eq!(sha, <[u8; 32]>::from(sha2::Sha256::digest(body)));
}

#[test]
fn same_input_same_commitment_other_key_other_commitment() {
    let body = b"a,b\n1,2\n3,4\n";
    let (c1, _) = commit_file("d.csv", body, 4, &[]).unwrap();
    let (c2, _) = commit_file("d.csv", body, 4, &[]).unwrap();
    assert_eq!(c1.commitment, c2.commitment);
    let (_d, p) = write("d.csv", body);
    let mut f = open(&p, None, 4, None).unwrap();
    let other = SellerSecret(Fr::from(43u64)).dataset_key("test");
    assert_ne!(
        commit(f.records(), &other, 4, &[]).unwrap().commitment,
        c1.commitment
    );
    let (c3, _) = commit_file("d.csv", b"a,b\n1,2\n3,5\n", 4, &[]).unwrap();
    assert_ne!(c3.commitment, c1.commitment);
}

#[test]
fn malformed_and_empty_inputs_are_clear_errors() {
    let e = commit_file("d.csv", b"a,b\n1,2\n3\n", 4, &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 3") && e.contains("1 fields"), "{e}");
    assert!(matches!(
        commit_file("d.csv", b"", 4, &[]),
        Err(Error::EmptyDataset)
    ));
    assert!(matches!(
        commit_file("d.csv", b"a,b\n", 4, &[]),
        Err(Error::EmptyDataset)
    ));
    assert!(matches!(
        commit_file("d.jsonl", b"\n", 4, &[]),
        Err(Error::EmptyDataset)
    ));
    assert!(matches!(
        commit_file("d.bin", b"", 4, &[]),
        Err(Error::EmptyDataset)
    ));
    let e = commit_file("d.jsonl", b"{\"a\":1}\n[1]\n", 4, &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2"), "{e}");
    let e = commit_file("d.jsonl", b"{\"a\":1}\n{\"b\":1}\n", 4, &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing key \"a\""), "{e}");
    assert!(matches!(
        commit_file("d.csv", b"a\n1\n2\n3\n", 1, &[]),
        Err(Error::TooManyRecords { depth: 1 })
    ));
}

#[test]
fn jsonl_cells_are_string_content_or_source_text() {
    let (c, _) = commit_file(
        "d.jsonl",
        b"{\"b\": 1.50, \"a\": \"x\\n\"}\n\n{\"a\":\"y\",\"b\":{\"k\": [1]}}\n",
        3,
        &[0, 1],
    )
    .unwrap();
    assert_eq!(c.schema.columns, vec!["a", "b"]);
    assert_eq!(c.watched[0], vec![b"x\n".to_vec(), b"1.50".to_vec()]);
    assert_eq!(c.watched[1], vec![b"y".to_vec(), b"{\"k\": [1]}".to_vec()]);
}

#[test]
fn chunks_split_any_file() {
    let (c, _) = commit_file("d.bin", b"0123456789", 3, &[2]).unwrap();
    assert_eq!(c.records, 3);
    assert_eq!(c.schema.chunk_size, 4);
    assert_eq!(c.watched[0], vec![b"89".to_vec()]);
}

#[test]
fn listing_round_trips_and_detects_edits_and_wrong_keys() {
    let (c, sha) = commit_file("d.csv", b"a\n1\n", 2, &[]).unwrap();
    let l = Listing::new("test", &c, &key(), sha, 4);
    let back = Listing::from_json(&l.to_json()).unwrap();
    assert_eq!(back, l);
    back.check_key(&key()).unwrap();
    assert!(back
        .check_key(&SellerSecret(Fr::from(1u64)).dataset_key("test"))
        .is_err());
    let mut edited = l.clone();
    edited.records = 2;
    assert!(Listing::from_json(&edited.to_json()).is_err());
}

#[test]
fn key_files_round_trip_and_bind_the_dataset_id() {
    let s = SellerSecret(Fr::from(9u64));
    let k = keys::load_dataset_key(&s.to_file(), "x").unwrap();
    assert_eq!(k, s.dataset_key("x"));
    assert_ne!(k, s.dataset_key("y"));
    let dk = keys::load_dataset_key(&k.to_file("x"), "x").unwrap();
    assert_eq!(dk, k);
    assert!(keys::load_dataset_key(&k.to_file("x"), "y").is_err());
    assert!(keys::load_dataset_key("{}", "x").is_err());
    assert!(keys::load_dataset_key("not json", "x").is_err());
}

#[test]
fn value_hash_separates_lengths() {
    assert_ne!(value_hash(b""), value_hash(b"\0"));
    assert_ne!(value_hash(&[0u8; 31]), value_hash(&[0u8; 32]));
}

/// A file without line ends is refused after `MAX_RECORD_BYTES`, not read into memory whole.
#[test]
fn a_record_without_end_is_refused_at_the_limit() {
    let endless = std::io::repeat(b'x').take(MAX_RECORD_BYTES as u64 + (1 << 20));
    let err = from_reader(endless, "huge.csv", Format::Csv, 0)
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("a record of more than 64 MiB"),
        "{err}"
    );
    let endless = std::io::repeat(b' ').take(MAX_RECORD_BYTES as u64 + (1 << 20));
    let err = from_reader(endless, "huge.jsonl", Format::Jsonl, 0)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("longer than 64 MiB"), "{err}");
}

#[test]
fn paired_leaves_equal_one_leaf_at_a_time() {
    // Cells empty, short, one chunk exactly, several chunks; rows of different widths; an odd
    // number of records, so the last hash of each kind goes alone.
    let cell = |n: usize| (0..n).map(|i| (i * 31 + n) as u8).collect::<Vec<u8>>();
    let rows: Vec<Record> = (0..7)
        .map(|r| {
            (0..1 + r % 3)
                .map(|c| cell((r * 13 + c * 29) % 97))
                .collect()
        })
        .collect();
    for first in [0, 5, 1 << 40] {
        let one: Vec<Fr> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| leaf(&key(), first + i as u64, r))
            .collect();
        assert_eq!(leaves(&key(), first, &rows), one, "first {first}");
    }
    assert!(leaves(&key(), 0, &[]).is_empty());
}
