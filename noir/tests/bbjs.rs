//! Poseidon2 against Barretenberg's own sponge (bb.js `poseidon2Hash`, run by Node): the sponge
//! on every length 0 to 10 and on random longer inputs, a dataset leaf, a Merkle node and a
//! receipt note, all on random field elements, must equal the Rust engine's; so must the
//! permutation (bb.js `poseidon2Permutation`) under the quaternary Merkle compression.

use ark_ff::PrimeField;
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::process::{Command, Stdio};
use veil_circuits::field::{from_hex, random, to_hex};
use veil_circuits::statements::totals::Receipt;
use veil_circuits::{dataset, merkle, poseidon2, tags, Fr};

/// bb.js's hashes of `inputs`, or `None` (with the reason printed) when the Noir toolchain's
/// node_modules are missing; an error under `VEIL_REQUIRE_NOIR=1`.
fn bbjs(inputs: &[Vec<Fr>]) -> Option<Vec<Fr>> {
    bbjs_run(None, inputs)
}

/// bb.js's outputs of `inputs` in the script's `mode` (`permute`: four lanes per input).
fn bbjs_run(mode: Option<&str>, inputs: &[Vec<Fr>]) -> Option<Vec<Fr>> {
    let dir = veil_noir::toolchain::noir_dir();
    if !dir.join("node_modules/@aztec/bb.js").is_dir() {
        let why = format!("bb.js is not installed in {}", dir.display());
        assert!(std::env::var_os("VEIL_REQUIRE_NOIR").is_none(), "{why}");
        veil_noir::toolchain::skip(&why);
        return None;
    }
    let json: Vec<Vec<String>> = inputs
        .iter()
        .map(|xs| xs.iter().map(to_hex).collect())
        .collect();
    let mut child = Command::new("node")
        .arg(dir.join("tests/bbjs_poseidon2.mjs"))
        .args(mode)
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&json).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "bb.js failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hashes: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    Some(
        hashes
            .iter()
            .map(|h| from_hex("bb.js hash", h).unwrap())
            .collect(),
    )
}

#[test]
fn sponge_leaf_and_node_match_bbjs() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2026);
    let mut inputs: Vec<Vec<Fr>> = (0..=10)
        .map(|n| (0..n).map(|_| random(&mut rng)).collect())
        .collect();
    for _ in 0..5 {
        let n = rng.gen_range(11..40);
        inputs.push((0..n).map(|_| random(&mut rng)).collect());
    }
    // A dataset leaf H(ROW, i, salt, v_0..v_3) and a Merkle node H(NODE, l, r), random operands.
    let (salt, values): (Fr, Vec<Fr>) =
        (random(&mut rng), (0..4).map(|_| random(&mut rng)).collect());
    let mut leaf_input = vec![tags::fr(tags::ROW), Fr::from(77u64), salt];
    leaf_input.extend(&values);
    let (l, r) = (random(&mut rng), random(&mut rng));
    inputs.push(leaf_input);
    inputs.push(vec![tags::fr(tags::NODE), l, r]);
    inputs.push(vec![Fr::from(1u64), Fr::from(2u64)]);
    // A receipt note as docs/protocol.md writes it (protocol v3), its words packed here by
    // byte concatenation: a = time || fee || amount, b = (seq + 2^20 seller) || cum.
    let receipt = Receipt {
        listing: random(&mut rng),
        seller: 4_095,
        buyer_tag: random(&mut rng),
        amount: u64::MAX,
        fee: rng.gen(),
        time: rng.gen(),
        seq: (1 << 20) - 1,
        cum: rng.gen(),
        salt: random(&mut rng),
    };
    let be = |words: &[u64]| {
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
        Fr::from_be_bytes_mod_order(&bytes)
    };
    let a = be(&[receipt.time, receipt.fee, receipt.amount]);
    let b = be(&[receipt.seq | receipt.seller << 20, receipt.cum]);
    let note_input = vec![
        tags::fr(tags::RECEIPT),
        receipt.listing,
        receipt.buyer_tag,
        a,
        b,
        receipt.salt,
    ];
    inputs.push(note_input);
    let Some(theirs) = bbjs(&inputs) else { return };
    assert_eq!(receipt.note(), theirs[inputs.len() - 1], "receipt note");
    let n = inputs.len() - 1;
    for (xs, h) in inputs[..n - 3].iter().zip(&theirs) {
        assert_eq!(poseidon2::hash(xs), *h, "sponge of {} elements", xs.len());
    }
    assert_eq!(
        dataset::leaf_from_values(77, salt, &values),
        theirs[n - 3],
        "dataset leaf"
    );
    assert_eq!(merkle::hash_node(l, r), theirs[n - 2], "Merkle node");
    // The value docs/protocol.md gives for H(1, 2).
    assert_eq!(
        to_hex(&theirs[n - 1]),
        "0x038682aa1cb5ae4e0a3f13da432a95c77c5c111f6f030faf9cad641ce1ed7383"
    );
}

#[test]
fn quaternary_merkle_nodes_are_bbjs_permutations_fed_forward() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(44);
    let mut states: Vec<Vec<Fr>> = (0..8)
        .map(|_| (0..4).map(|_| random(&mut rng)).collect())
        .collect();
    states.push(vec![Fr::from(0u64); 4]);
    let Some(lanes) = bbjs_run(Some("permute"), &states) else {
        return;
    };
    assert_eq!(lanes.len(), 4 * states.len());
    for (x, out) in states.iter().zip(lanes.chunks(4)) {
        let node = merkle::Arity::Quaternary.node(x);
        assert_eq!(node, out[0] + x[0], "compress({x:?})");
        assert_eq!(poseidon2::compress([x[0], x[1], x[2], x[3]]), node);
    }
}

/// The delivery's encodings against bb.js: `ek = H(ENC_KEY, key, nonce)`, a record's salt, the
/// key id and the key note `H(KEY_NOTE, buyer, key, salt)` by the sponge, and the keystream blocks `P([ek, i, b, STREAM])[0..3]` by the
/// permutation, so a ciphertext any Barretenberg-based tool decrypts is the one Veil writes.
#[test]
fn the_delivery_keystream_matches_bbjs() {
    use veil_circuits::dataset::encrypted::EncryptionKey;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(34);
    let key = dataset::DatasetKey(random(&mut rng));
    let nonce = random(&mut rng);
    let hashes = [
        vec![tags::fr(tags::ENC_KEY), key.0, nonce],
        vec![tags::fr(tags::KEY_ID), key.0],
        vec![tags::fr(tags::SALT), key.0, Fr::from(12u64)],
        vec![tags::fr(tags::KEY_NOTE), nonce, key.0, Fr::from(7u64)],
    ];
    let Some(h) = bbjs(&hashes) else {
        return;
    };
    let ek = EncryptionKey::derive(&key, nonce);
    let note = veil_circuits::statements::settlement::release::KeyNote {
        buyer: nonce,
        key,
        salt: Fr::from(7u64),
    };
    assert_eq!(
        h,
        vec![
            ek.value(),
            key.id(),
            dataset::row_salt(&key, 12),
            note.note()
        ]
    );
    let blocks: Vec<(u64, u64)> = vec![(0, 0), (0, 1), (12, 0), (12, 1), (12, 5), (u64::MAX, 3)];
    let states: Vec<Vec<Fr>> = blocks
        .iter()
        .map(|(i, b)| {
            vec![
                ek.value(),
                Fr::from(*i),
                Fr::from(*b),
                tags::fr(tags::STREAM),
            ]
        })
        .collect();
    let Some(lanes) = bbjs_run(Some("permute"), &states) else {
        return;
    };
    for ((i, b), out) in blocks.iter().zip(lanes.chunks(4)) {
        assert_eq!(ek.block(*i, *b)[..], out[..3], "record {i}, block {b}");
    }
    // And a whole record's ciphertext: x plus bb.js's blocks (12, 0) and (12, 1).
    let x: Vec<Fr> = (0..5).map(|_| random(&mut rng)).collect();
    let bb = |b: u64| {
        let k = blocks
            .iter()
            .position(|&s| s == (12, b))
            .expect("a listed block");
        &lanes[4 * k..4 * k + 3]
    };
    for (t, (c, x)) in ek.encrypt(12, &x).iter().zip(&x).enumerate() {
        assert_eq!(*c, *x + bb(t as u64 / 3)[t % 3], "element {t}");
    }
}
