//! The shared vectors of `tests/vectors/`, rebuilt by the Rust engine into each statement's
//! public inputs and witness (and checked against the vector file on the way).

use serde_json::Value;
use std::path::PathBuf;
use veil_circuits::dataset::{self, SellerSecret};
use veil_circuits::field::{from_hex, to_hex};
use veil_circuits::merkle::sparse::{MemoryNodes, SparseTree};
use veil_circuits::merkle::TreeBuilder;
use veil_circuits::statements::preview::{self, PreviewPublic, PreviewShape, PreviewWitness};
use veil_circuits::statements::settlement::{
    self, Buyer, Counter, Payment, SettlementPublic, SettlementWitness, Terms,
};
use veil_circuits::statements::totals::{
    build_batch, next_receipt, report_chain, BatchPublic, BatchWitness, ChainState, Period,
    PeriodTotals, Receipt, Sale, TotalsShape, RECEIPT_DEPTH, SEQ_BITS,
};
use veil_circuits::statements::usage::{
    self, key_commitment, CallPublic, CallWitness, Licence, LicenceTerms, TierPublic, TierWitness,
};
use veil_circuits::statements::PublicInputs as _;
use veil_circuits::Fr;

pub fn load(name: &str) -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

pub fn fr(v: &Value) -> Fr {
    from_hex("vector", v.as_str().unwrap()).unwrap()
}

pub fn frs(v: &Value) -> Vec<Fr> {
    v.as_array().unwrap().iter().map(fr).collect()
}

pub fn hexes(xs: &[Fr]) -> Vec<String> {
    xs.iter().map(to_hex).collect()
}

/// The preview vector: its statement with `mask`, rebuilt from the CSV and seller secret.
pub fn preview(mask: u64) -> (PreviewPublic, PreviewWitness) {
    let v = load("preview/sales-d4-k4.json");
    let key = SellerSecret(fr(&v["seller_secret"])).dataset_key(v["dataset_id"].as_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sales.csv");
    std::fs::write(&path, v["csv"].as_str().unwrap()).unwrap();
    let challenge = fr(&v["preview"]["challenge"]);
    let depth = v["depth"].as_u64().unwrap() as u32;
    let k = v["preview"]["samples"].as_u64().unwrap() as usize;
    let indices: Vec<u64> = serde_json::from_value(v["preview"]["indices"].clone()).unwrap();
    let mut f = dataset::open(&path, None, dataset::DEFAULT_CHUNK_SIZE, None).unwrap();
    let c = dataset::commit(f.records(), &key, depth, &indices).unwrap();
    assert_eq!(to_hex(&c.commitment), v["commitment"].as_str().unwrap());
    let shape = PreviewShape {
        depth,
        samples: k,
        columns: c.schema.columns.len(),
    };
    let (public, witness) = preview::build(&shape, &c, &key, challenge, mask).unwrap();
    if mask == v["preview"]["reveal_mask"].as_u64().unwrap() {
        assert_eq!(
            hexes(&public.to_field_elements()),
            serde_json::from_value::<Vec<String>>(v["preview"]["public_inputs"].clone()).unwrap()
        );
    }
    preview::check(&shape, &public, &witness).unwrap();
    (public, witness)
}

/// The receipt chains of the totals vector, rebuilt with settlement's rule.
pub fn receipt_chains() -> (Vec<Vec<Receipt>>, Fr, MemoryNodes) {
    let v = load("totals/two-sellers-b4.json");
    let bps = v["fee_bps"].as_u64().unwrap();
    let tree = SparseTree::new(RECEIPT_DEPTH);
    let mut nodes = MemoryNodes::default();
    let mut chains: Vec<Vec<Receipt>> = vec![vec![], vec![]];
    let mut root = tree.root(&mut nodes).unwrap();
    for r in v["receipts"].as_array().unwrap() {
        let seller = r["seller"].as_u64().unwrap();
        let sale = Sale {
            listing: fr(&r["listing"]),
            seller,
            buyer_tag: fr(&r["buyer_tag"]),
            amount: r["amount"].as_u64().unwrap(),
            time: r["time"].as_u64().unwrap(),
            salt: fr(&r["salt"]),
        };
        let receipt = next_receipt(chains[seller as usize].last(), &sale, bps).unwrap();
        assert_eq!(to_hex(&receipt.note()), r["note"].as_str().unwrap());
        root = tree
            .set_leaf(&mut nodes, receipt.index(), receipt.note())
            .unwrap();
        chains[seller as usize].push(receipt);
    }
    assert_eq!(to_hex(&root), v["root"].as_str().unwrap());
    (chains, root, nodes)
}

/// The report chain of `seller` over the vector's period (B = 4, its edges and blindings);
/// seller 0's is the vector's report, checked against the file.
pub fn totals_chain(seller: u64) -> Vec<(BatchPublic, BatchWitness)> {
    let v = load("totals/two-sellers-b4.json");
    let (chains, root, mut nodes) = receipt_chains();
    let shape = TotalsShape { batch: 4, edges: 3 };
    let rep = &v["report"];
    let period = Period {
        root,
        seller,
        t0: rep["t0"].as_u64().unwrap(),
        t1: rep["t1"].as_u64().unwrap(),
        bps: v["fee_bps"].as_u64().unwrap(),
        edges: serde_json::from_value(rep["edges"].clone()).unwrap(),
    };
    let tree = SparseTree::new(RECEIPT_DEPTH);
    let mut blinds = frs(&rep["blinds"]).into_iter();
    let chain = report_chain::<veil_circuits::Error>(
        &shape,
        &period,
        &chains[seller as usize],
        |j| {
            Ok(tree
                .path(
                    &mut nodes,
                    shape.height(),
                    (seller << (SEQ_BITS - shape.height())) | j,
                )
                .unwrap())
        },
        || blinds.next().unwrap(),
    )
    .unwrap();
    if seller == rep["seller"].as_u64().unwrap() {
        let got: Vec<Vec<String>> = chain
            .iter()
            .map(|(p, _)| hexes(&p.to_field_elements()))
            .collect();
        assert_eq!(
            got,
            serde_json::from_value::<Vec<Vec<String>>>(rep["batches"].clone()).unwrap()
        );
        let t = &chain.last().unwrap().0.totals;
        let want = &rep["totals"];
        assert_eq!(
            (t.count, t.amount as u64, t.fees as u64),
            (
                want["count"].as_u64().unwrap(),
                want["amount"].as_u64().unwrap(),
                want["fees"].as_u64().unwrap()
            )
        );
    }
    chain
}

/// The first batch of `seller`'s report chain.
pub fn totals_batch(seller: u64) -> (BatchPublic, BatchWitness) {
    totals_chain(seller).remove(0)
}

/// The usage vector's licence, in its depth-16 tree.
pub fn licence() -> (Licence, TreeBuilderResult) {
    let v = load("usage/weather-d16.json");
    let listing = usage::listing_field(v["listing_id"].as_str().unwrap());
    let sk = fr(&v["sk"]);
    let terms = LicenceTerms {
        listing,
        key_commitment: key_commitment(sk),
        quota: v["quota"].as_u64().unwrap(),
        expiry: v["expiry"].as_u64().unwrap(),
        salt: fr(&v["salt"]),
    };
    let leaves = frs(&v["tree"]["leaves"]);
    let index = leaves.iter().position(|l| *l == terms.note()).unwrap() as u64;
    let depth = v["tree"]["depth"].as_u64().unwrap() as u32;
    let mut b = TreeBuilder::new(depth, &[index]).unwrap();
    b.push(&leaves).unwrap();
    let t = b.finish().unwrap();
    assert_eq!(to_hex(&t.root), v["tree"]["root"].as_str().unwrap());
    (
        Licence::new(sk, &terms).unwrap(),
        TreeBuilderResult {
            root: t.root,
            path: t.paths[0].clone(),
        },
    )
}

pub struct TreeBuilderResult {
    pub root: Fr,
    pub path: veil_circuits::merkle::MerklePath,
}

/// Call `counter` of the usage vector (its public inputs checked against the file).
pub fn call(counter: u64) -> (CallPublic, CallWitness) {
    let v = load("usage/weather-d16.json");
    let (licence, t) = licence();
    let epoch = v["epoch"].as_u64().unwrap();
    let public = CallPublic {
        root: t.root,
        listing: licence.listing,
        epoch,
        nullifier: licence.nullifier(epoch, counter),
        request: dataset::value_hash(format!("GET /forecast/{counter}").as_bytes()),
    };
    if let Some(c) = v["calls"].as_array().unwrap().get(counter as usize) {
        assert_eq!(
            hexes(&public.to_field_elements()),
            serde_json::from_value::<Vec<String>>(c["public_inputs"].clone()).unwrap()
        );
    }
    let witness = CallWitness {
        licence,
        counter,
        path: t.path,
    };
    (public, witness)
}

/// The usage vector's tier statement for `[lo, hi)`.
pub fn tier(lo: u64, hi: u64) -> (TierPublic, TierWitness) {
    let v = load("usage/weather-d16.json");
    let u = &v["usage"];
    let public = TierPublic {
        usage: fr(&u["commitment"]),
        listing: fr(&v["listing"]),
        epoch: u["epoch"].as_u64().unwrap(),
        lo,
        hi,
    };
    let calls = usage::CallsTree::build(&frs(&u["calls"])).unwrap();
    assert_eq!(calls.root, fr(&u["calls_root"]));
    assert_eq!(calls.count, u["count"].as_u64().unwrap());
    let witness: TierWitness = calls.tier_witness(fr(&u["salt"]));
    assert_eq!(
        usage::usage_commitment(public.listing, public.epoch, calls.root, witness.salt),
        public.usage
    );
    (public, witness)
}

/// Settlement fixtures: buyer `i` and a payment note (defined in the circuits crate), and the
/// preview vector's listing terms.
pub use veil_circuits::statements::settlement::fixtures::{buyer, payment};

/// The listing terms of the preview vector.
pub fn terms() -> Terms {
    let v = load("preview/sales-d4-k4.json");
    Terms {
        listing: veil_circuits::dataset::value_hash(b"vector-sales"),
        commitment: fr(&v["commitment"]),
        seller: 7,
        seller_key: key_commitment(Fr::from(0x5e11u64)),
        price: 1_250,
        quota: 100,
        expiry: 30,
    }
}

/// The settlement vector's sales, rebuilt from the file's terms, buyers, payments and salts
/// (the terms' hash checked against the file): each sale's public inputs and witness, and the
/// public inputs and outputs the file lists for it.
pub fn settlement_sales() -> Vec<(SettlementPublic, SettlementWitness, Vec<Fr>)> {
    let v = load("settlement/two-sales.json");
    let t = &v["terms"];
    let n = |x: &Value| x.as_u64().unwrap();
    let terms = Terms {
        listing: fr(&t["listing"]),
        commitment: fr(&t["commitment"]),
        seller: n(&t["seller"]),
        seller_key: fr(&t["seller_key"]),
        price: n(&t["price"]),
        quota: n(&t["quota"]),
        expiry: n(&t["expiry"]),
    };
    assert_eq!(to_hex(&terms.hash()), t["hash"].as_str().unwrap());
    let mut counter = Counter::initial(terms.seller, fr(&v["first_counter"]["salt"]));
    let mut sales = Vec::new();
    for sale in v["sales"].as_array().unwrap() {
        let salts = frs(&sale["buyer"]["salts"]);
        let buyer = Buyer {
            sk: fr(&sale["buyer"]["sk"]),
            buyer_tag: fr(&sale["buyer"]["buyer_tag"]),
            receipt_salt: salts[0],
            licence_salt: salts[1],
            payout_salt: salts[2],
            change_salt: salts[3],
        };
        let payment = Payment {
            owner: key_commitment(buyer.sk),
            amount: n(&sale["payment"]["amount"]),
            salt: fr(&sale["payment"]["salt"]),
        };
        let (p, w) = settlement::purchase(
            terms,
            counter,
            payment,
            buyer,
            n(&sale["time"]),
            n(&v["fee_bps"]),
            fr(&sale["next_counter_salt"]),
        );
        let mut listed = frs(&sale["public_inputs"]);
        listed.extend(frs(&sale["outputs"]));
        counter = w.next;
        sales.push((p, w, listed));
    }
    sales
}

/// A preview of `rows` generated 3-column rows committed at `depth`, `k` samples, columns 1
/// and 2 revealed: production shapes without a file.
pub fn preview_at(rows: u64, depth: u32, k: usize) -> (PreviewPublic, PreviewWitness) {
    use veil_circuits::dataset::{Format, IterRecords, Schema};
    let schema = Schema {
        format: Format::Csv,
        columns: vec!["id".into(), "city".into(), "amount".into()],
        chunk_size: 0,
    };
    let row = |i: u64| {
        vec![
            i.to_string().into_bytes(),
            format!("city{}", i % 97).into_bytes(),
            format!("{}.{:02}", i % 1000, i % 100).into_bytes(),
        ]
    };
    let key = SellerSecret(Fr::from(1u64)).dataset_key("generated");
    let records = || IterRecords::new(schema.clone(), (0..rows).map(row));
    let first = dataset::commit(&mut records(), &key, depth, &[]).unwrap();
    let challenge = Fr::from(42u64);
    let idx = preview::sample_indices(first.commitment, challenge, rows, k);
    let c = dataset::commit(&mut records(), &key, depth, &idx).unwrap();
    let shape = PreviewShape {
        depth,
        samples: k,
        columns: 3,
    };
    preview::build(&shape, &c, &key, challenge, 0b110).unwrap()
}

/// Batch 0 of seller 3 holding `batch` receipts (a full batch), half of them in the period.
pub fn totals_at(batch: usize) -> (BatchPublic, BatchWitness) {
    let tree = SparseTree::new(RECEIPT_DEPTH);
    let mut nodes = MemoryNodes::default();
    let mut prev: Option<Receipt> = None;
    let mut slots = Vec::new();
    let mut root = tree.root(&mut nodes).unwrap();
    for i in 0..batch as u64 {
        let sale = Sale {
            listing: Fr::from(7u64),
            seller: 3,
            buyer_tag: Fr::from(100 + i),
            amount: 1 + (i * 7919) % 200_000,
            time: 1_000 + i,
            salt: Fr::from(200 + i),
        };
        let r = next_receipt(prev.as_ref(), &sale, 1_000).unwrap();
        root = tree.set_leaf(&mut nodes, r.index(), r.note()).unwrap();
        slots.push(Some(r));
        prev = Some(r);
    }
    let shape = TotalsShape { batch, edges: 3 };
    let period = Period {
        root,
        seller: 3,
        t0: 1_000,
        t1: 1_000 + batch as u64 / 2,
        bps: 1_000,
        edges: vec![1_000, 10_000, 100_000],
    };
    let path = tree
        .path(&mut nodes, shape.height(), 3 << (SEQ_BITS - shape.height()))
        .unwrap();
    let state_in = ChainState {
        next: 0,
        cum: 0,
        totals: PeriodTotals::zero(3),
        blind: Fr::from(0u64),
    };
    build_batch(
        &shape,
        &period,
        true,
        true,
        state_in,
        Fr::from(9u64),
        slots,
        path,
    )
    .unwrap()
}

/// A call with counter 7 against a licence alone in a tree of `depth`.
pub fn call_at(depth: u32) -> (CallPublic, CallWitness) {
    let terms = LicenceTerms {
        listing: Fr::from(5u64),
        key_commitment: key_commitment(Fr::from(6u64)),
        quota: 100,
        expiry: 30,
        salt: Fr::from(8u64),
    };
    let licence = Licence::new(Fr::from(6u64), &terms).unwrap();
    let mut b = TreeBuilder::new(depth, &[0]).unwrap();
    b.push(&[licence.note()]).unwrap();
    let t = b.finish().unwrap();
    let public = CallPublic {
        root: t.root,
        listing: licence.listing,
        epoch: 3,
        nullifier: licence.nullifier(3, 7),
        request: Fr::from(9u64),
    };
    let witness = CallWitness {
        licence,
        counter: 7,
        path: t.paths[0].clone(),
    };
    (public, witness)
}
