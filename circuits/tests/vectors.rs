//! Test vectors in `tests/vectors/`: generated here from fixed inputs, checked in, and compared
//! on every run, so that any change to an encoding is seen. Later backends (halo2, Noir) read
//! the same files. Regenerate deliberately with `VEIL_BLESS=1 cargo test -p veil-circuits --test vectors`.

use serde_json::{json, Value};
use std::path::PathBuf;
use veil_circuits::dataset::{self, IterRecords, Listing, SellerSecret};
use veil_circuits::field::{from_hex, to_hex};
use veil_circuits::statements::preview::{self, PreviewShape};
use veil_circuits::statements::PublicInputs as _;
use veil_circuits::{poseidon2, tags, Fr};

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn check_or_bless(name: &str, value: &Value) {
    let path = vectors_dir().join(name);
    let text = serde_json::to_string_pretty(value).unwrap() + "\n";
    if std::env::var_os("VEIL_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (VEIL_BLESS=1 writes it)", path.display()));
    assert_eq!(
        stored,
        text,
        "{} differs from what the code computes now",
        path.display()
    );
}

const CSV: &str = "order_id,city,amount\nA-1,Lyon,12.50\nA-2,Oslo,7.00\nA-3,Lima,199.99\nA-4,Lyon,0.10\nA-5,Perth,55.00\nA-6,Osaka,3.30\n";

#[test]
fn poseidon2_and_tags() {
    let inputs: Vec<Vec<u64>> = vec![
        vec![],
        vec![1, 2],
        vec![0, 0, 0],
        vec![1, 2, 3, 4],
        vec![7; 7],
    ];
    let cases: Vec<Value> = inputs
        .iter()
        .map(|xs| {
            let fs: Vec<Fr> = xs.iter().map(|&x| Fr::from(x)).collect();
            json!({ "inputs": xs, "hash": to_hex(&poseidon2::hash(&fs)) })
        })
        .collect();
    let mut perm = [0u64, 1, 2, 3].map(Fr::from);
    poseidon2::permute(&mut perm);
    let tag_table: Vec<Value> = tags::ALL
        .iter()
        .map(|(n, v)| json!({ "name": n, "value": to_hex(&Fr::from(*v)) }))
        .collect();
    let v = json!({
        "description": "Poseidon2 (Barretenberg/Noir) sponge hashes, one permutation, and Veil's domain tags",
        "hash": cases,
        "permutation": { "input": [0, 1, 2, 3], "output": perm.iter().map(to_hex).collect::<Vec<_>>() },
        "tags": tag_table,
    });
    assert_eq!(
        v["hash"][1]["hash"],
        "0x038682aa1cb5ae4e0a3f13da432a95c77c5c111f6f030faf9cad641ce1ed7383"
    );
    check_or_bless("poseidon2.json", &v);
}

#[test]
fn dataset_commitment_and_preview() {
    let secret = SellerSecret(from_hex("secret", "0x0123456789abcdef").unwrap());
    let id = "vector-sales";
    let key = secret.dataset_key(id);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sales.csv");
    std::fs::write(&path, CSV).unwrap();
    let depth = 4;
    let mut f = dataset::open(&path, None, dataset::DEFAULT_CHUNK_SIZE, None).unwrap();
    let challenge = preview::challenge_from_hex("0xc0ffee").unwrap();
    let first = dataset::commit(f.records(), &key, depth, &[]).unwrap();
    let (sha, bytes) = f.digest();
    let listing = Listing::new(id, &first, &key, sha, bytes);
    let k = 4;
    let indices = preview::sample_indices(first.commitment, challenge, first.records, k);
    let mut f = dataset::open(&path, None, dataset::DEFAULT_CHUNK_SIZE, None).unwrap();
    let c = dataset::commit(f.records(), &key, depth, &indices).unwrap();
    let shape = PreviewShape {
        depth,
        samples: k,
        columns: 3,
    };
    let mask = 0b110; // city, amount revealed; order_id redacted
    let (public, _) = preview::build(&shape, &c, &key, challenge, mask).unwrap();

    // Per-record encodings, spelled out for other implementations.
    let records: Vec<Value> = CSV
        .lines()
        .skip(1)
        .enumerate()
        .map(|(i, line)| {
            let cells: Vec<&str> = line.split(',').collect();
            let values: Vec<Fr> = cells
                .iter()
                .map(|c| dataset::value_hash(c.as_bytes()))
                .collect();
            let salt = dataset::row_salt(&key, i as u64);
            json!({
                "cells": cells,
                "value_hashes": values.iter().map(to_hex).collect::<Vec<_>>(),
                "salt": to_hex(&salt),
                "leaf": to_hex(&dataset::leaf_from_values(i as u64, salt, &values)),
            })
        })
        .collect();
    // The same leaves from the in-memory source: file and memory paths agree.
    let rows: Vec<Vec<Vec<u8>>> = CSV
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|c| c.as_bytes().to_vec()).collect())
        .collect();
    let mem = dataset::commit(
        &mut IterRecords::new(c.schema.clone(), rows.into_iter()),
        &key,
        depth,
        &[],
    )
    .unwrap();
    assert_eq!(mem.commitment, c.commitment);

    let v = json!({
        "description": "A 6-row CSV committed at depth 4, and a 4-sample preview revealing columns 1 and 2",
        "csv": CSV,
        "dataset_id": id,
        "seller_secret": to_hex(&secret.0),
        "dataset_key": to_hex(&key.0),
        "key_id": to_hex(&key.id()),
        "depth": depth,
        "records": records,
        "schema_hash": to_hex(&c.schema_hash),
        "root": to_hex(&c.root),
        "commitment": to_hex(&c.commitment),
        "listing": serde_json::to_value(&listing).unwrap(),
        "preview": {
            "challenge": to_hex(&challenge),
            "samples": k,
            "sample_seed": to_hex(&preview::sample_seed(c.commitment, challenge)),
            "indices": indices,
            "reveal_mask": mask,
            "public_inputs": public.to_field_elements().iter().map(to_hex).collect::<Vec<_>>(),
            "expect": "accept",
        },
    });
    check_or_bless("preview/sales-d4-k4.json", &v);
}

#[test]
fn usage_counters() {
    use veil_circuits::merkle::TreeBuilder;
    use veil_circuits::statements::usage::{
        self, key_commitment, CallPublic, Licence, LicenceTerms,
    };
    let listing = usage::listing_field("weather-api");
    let sk = from_hex("sk", "0x05").unwrap();
    let terms = LicenceTerms {
        listing,
        key_commitment: key_commitment(sk),
        quota: 3,
        expiry: 12,
        salt: from_hex("salt", "0x0777").unwrap(),
    };
    let licence = Licence::new(sk, &terms).unwrap();
    let depth = usage::DEFAULT_LICENCE_DEPTH;
    let others = [Fr::from(11u64), Fr::from(12u64)];
    let mut b = TreeBuilder::new(depth, &[2]).unwrap();
    b.push(&others).unwrap();
    b.push(&[terms.note()]).unwrap();
    let t = b.finish().unwrap();
    let epoch = 9;
    let calls: Vec<Value> = (0..terms.quota)
        .map(|c| {
            let p = CallPublic {
                root: t.root,
                listing,
                epoch,
                nullifier: licence.nullifier(epoch, c),
                request: dataset::value_hash(format!("GET /forecast/{c}").as_bytes()),
            };
            json!({ "counter": c, "request": format!("GET /forecast/{c}"),
                    "public_inputs": p.to_field_elements().iter().map(to_hex).collect::<Vec<_>>(), "expect": "accept" })
        })
        .collect();
    let salt = from_hex("salt", "0x99").unwrap();
    let nullifiers: Vec<Fr> = (0..terms.quota)
        .map(|c| licence.nullifier(epoch, c))
        .collect();
    let calls_tree = usage::CallsTree::build(&nullifiers).unwrap();
    let v = json!({
        "description": "A licence (quota 3, expiry 12) at leaf 2 of a depth-16 licence tree, its calls in epoch 9, and the epoch's usage commitment over the tree of their nullifiers",
        "listing_id": "weather-api",
        "listing": to_hex(&listing),
        "sk": to_hex(&sk),
        "key_commitment": to_hex(&terms.key_commitment),
        "salt": to_hex(&terms.salt),
        "quota": terms.quota,
        "expiry": terms.expiry,
        "note": to_hex(&terms.note()),
        "tree": { "depth": depth, "leaves": [to_hex(&others[0]), to_hex(&others[1]), to_hex(&terms.note())], "root": to_hex(&t.root) },
        "epoch": epoch,
        "calls": calls,
        "over_quota": { "counter": 3, "nullifier": to_hex(&licence.nullifier(epoch, 3)), "expect": "reject", "reason": "counter is not below the quota" },
        "usage": { "epoch": epoch, "count": calls_tree.count, "salt": to_hex(&salt),
                   "calls": nullifiers.iter().map(to_hex).collect::<Vec<_>>(),
                   "calls_depth": usage::CALLS_TREE_DEPTH, "calls_root": to_hex(&calls_tree.root),
                   "commitment": to_hex(&usage::usage_commitment(listing, epoch, calls_tree.root, salt)) },
    });
    check_or_bless("usage/weather-d16.json", &v);
}

#[test]
fn receipts_and_a_totals_batch() {
    use veil_circuits::merkle::sparse::{MemoryNodes, SparseTree};
    use veil_circuits::statements::totals::{
        next_receipt, report_chain, Period, Receipt, Sale, TotalsShape, RECEIPT_DEPTH, SEQ_BITS,
    };
    let bps = 1_000;
    let tree = SparseTree::new(RECEIPT_DEPTH);
    let mut nodes = MemoryNodes::default();
    let mut chains: Vec<Vec<Receipt>> = vec![vec![], vec![]];
    let sales = [
        (0u64, 1_250u64, 100u64),
        (1, 99, 105),
        (0, 20_000, 110),
        (0, 7, 120),
        (1, 5_000, 130),
        (0, 150_000, 140),
    ];
    let mut root = tree.root(&mut nodes).unwrap();
    for (k, &(seller, amount, time)) in sales.iter().enumerate() {
        let sale = Sale {
            listing: dataset::value_hash(b"sales-2026"),
            seller,
            buyer_tag: Fr::from(1000 + k as u64),
            amount,
            time,
            salt: Fr::from(2000 + k as u64),
        };
        let r = next_receipt(chains[seller as usize].last(), &sale, bps).unwrap();
        root = tree.set_leaf(&mut nodes, r.index(), r.note()).unwrap();
        chains[seller as usize].push(r);
    }
    let shape = TotalsShape { batch: 4, edges: 3 };
    // Seller 0's report for [105, 1000): batch 0 (full) hands a blinded state to batch 1 (empty).
    let period = Period {
        root,
        seller: 0,
        t0: 105,
        t1: 1000,
        bps,
        edges: vec![1_000, 10_000, 100_000],
    };
    let mut blinds = (0xb1..).map(Fr::from);
    let chain = report_chain::<veil_circuits::Error>(
        &shape,
        &period,
        &chains[0],
        |j| {
            Ok(tree
                .path(
                    &mut nodes,
                    shape.height(),
                    (period.seller << (SEQ_BITS - shape.height())) | j,
                )
                .unwrap())
        },
        || blinds.next().unwrap(),
    )
    .unwrap();
    assert_eq!(chain.len(), 2);
    let last = &chain[1].0;
    assert_eq!((last.totals.count, last.totals.amount), (3, 170_007));
    let receipts: Vec<Value> = chains
        .iter()
        .flatten()
        .map(|r| {
            json!({ "seller": r.seller, "seq": r.seq, "amount": r.amount, "fee": r.fee, "time": r.time, "cum": r.cum,
                    "listing": to_hex(&r.listing), "buyer_tag": to_hex(&r.buyer_tag), "salt": to_hex(&r.salt),
                    "leaf_index": r.index(), "note": to_hex(&r.note()) })
        })
        .collect();
    let v = json!({
        "description": "Six sales of two sellers at 10% fee in the sparse depth-32 receipt tree, and seller 0's report (B = 4) for [105, 1000): batch 0 hands a blinded state (blinding 0xb1) to batch 1, which holds the totals",
        "fee_bps": bps,
        "receipts": receipts,
        "root": to_hex(&root),
        "report": { "shape": { "batch": 4, "edges": 3 }, "seller": 0, "t0": 105, "t1": 1000, "edges": [1000, 10000, 100000],
                    "blinds": ["0xb1", "0xb2"],
                    "batches": chain.iter().map(|(p, _)| p.to_field_elements().iter().map(to_hex).collect::<Vec<_>>()).collect::<Vec<_>>(),
                    "totals": { "count": last.totals.count, "amount": last.totals.amount as u64, "fees": last.totals.fees as u64 },
                    "expect": "accept" },
    });
    check_or_bless("totals/two-sellers-b4.json", &v);
}

#[test]
fn settlement_of_two_sales() {
    use veil_circuits::statements::settlement::{self, Counter, Payment, Terms};
    use veil_circuits::statements::usage::key_commitment;
    let f = |x: u64| Fr::from(x);
    let terms = Terms {
        listing: dataset::value_hash(b"vector-sales"),
        commitment: from_hex(
            "C",
            "0x04d26b22801cfb31f44dd1d8202399051715eb9440705d97391192bd76859125",
        )
        .unwrap(),
        seller: 7,
        seller_key: key_commitment(f(0x5e11)),
        price: 1_250,
        quota: 100,
        expiry: 30,
    };
    let mut counter = Counter::initial(terms.seller, f(9));
    let mut sales = Vec::new();
    for i in 0..2u64 {
        let buyer = settlement::fixtures::buyer(i);
        let payment = Payment {
            salt: f(0x500 + i),
            ..settlement::fixtures::payment(&buyer, 2_000)
        };
        let (p, w) =
            settlement::purchase(terms, counter, payment, buyer, 100 + i, 1_000, f(10 + i));
        let (out, receipt) = settlement::settle(&p, &w).unwrap();
        let hexes = |xs: Vec<Fr>| xs.iter().map(to_hex).collect::<Vec<_>>();
        sales.push(json!({
            "buyer": { "sk": to_hex(&buyer.sk), "buyer_tag": to_hex(&buyer.buyer_tag),
                       "salts": hexes(vec![buyer.receipt_salt, buyer.licence_salt, buyer.payout_salt, buyer.change_salt]) },
            "payment": { "amount": payment.amount, "salt": to_hex(&payment.salt) },
            "time": p.time,
            "next_counter_salt": to_hex(&w.next.salt),
            "receipt": { "seq": receipt.seq, "cum": receipt.cum, "fee": receipt.fee, "note": to_hex(&receipt.note()) },
            "public_inputs": hexes(p.to_field_elements()),
            "outputs": hexes(out.to_field_elements()),
            "expect": "accept",
        }));
        counter = w.next;
    }
    let v = json!({
        "description": "Two settlements of the preview vector's dataset at price 1250, 10% fee, from seller 7's first counter; outputs are nf(Q_in), nf(P_in), R, Q_out, L, payout, change",
        "terms": { "listing_id": "vector-sales", "listing": to_hex(&terms.listing), "commitment": to_hex(&terms.commitment),
                   "seller": terms.seller, "seller_key": to_hex(&terms.seller_key), "price": terms.price,
                   "quota": terms.quota, "expiry": terms.expiry, "hash": to_hex(&terms.hash()) },
        "first_counter": { "salt": to_hex(&f(9)), "note": to_hex(&Counter::initial(7, f(9)).note()) },
        "fee_bps": 1_000,
        "sales": sales,
    });
    check_or_bless("settlement/two-sales.json", &v);
}
