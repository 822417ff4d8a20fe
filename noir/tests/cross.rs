//! Cross tests: the Rust engine builds each statement's witness from the shared vectors, the
//! Noir twin executes it through the ACVM, and its public inputs (public parameters, then the
//! return value) must equal the Rust public inputs. Every tampered input must make execution
//! fail, with the assertion that catches it.

use veil_circuits::statements::PublicInputs as _;
use veil_testkit::vectors;

use serde_json::{json, Value};
use vectors::{buyer, payment, terms};
use veil_circuits::field::to_hex;
use veil_circuits::statements::settlement::{self, Counter};
use veil_circuits::statements::totals::Receipt;
use veil_circuits::statements::usage;
use veil_circuits::Fr;
use veil_noir::{execute, from_acir, toolchain::load_for_test, twins, Artifact, Error};

fn public_of(a: &Artifact, inputs: &Value) -> Vec<Fr> {
    match execute(a, inputs) {
        Ok(x) => x.public_inputs.into_iter().map(from_acir).collect(),
        Err(e) => panic!("{} refused honest inputs: {e}", a.name),
    }
}

#[track_caller]
fn refused(a: &Artifact, inputs: &Value, why: &str) {
    match execute(a, inputs) {
        Err(Error::Unsatisfied { message, .. }) => {
            assert!(
                message.contains(why),
                "{}: refused with {message:?}, expected {why:?}",
                a.name
            )
        }
        Err(e) => panic!("{}: expected a refusal ({why}), got {e}", a.name),
        Ok(_) => panic!("{}: accepted a tampered input (expected: {why})", a.name),
    }
}

/// `v` with the value at JSON pointer `ptr` replaced.
fn with(v: &Value, ptr: &str, x: Value) -> Value {
    let mut v = v.clone();
    *v.pointer_mut(ptr).unwrap_or_else(|| panic!("no {ptr}")) = x;
    v
}

fn hex(x: Fr) -> Value {
    Value::String(to_hex(&x))
}

#[test]
fn preview_membership_matches_rust() {
    let Some(a) = load_for_test("preview_membership") else {
        return;
    };
    for mask in [0b110, 0b001, 0b000, 0b111] {
        let (p, w) = vectors::preview(mask);
        assert_eq!(
            public_of(&a, &twins::preview(&p, &w)),
            p.to_field_elements(),
            "mask {mask:b}"
        );
    }
}

#[test]
fn preview_membership_refuses_tampering() {
    let Some(a) = load_for_test("preview_membership") else {
        return;
    };
    let (p, w) = vectors::preview(0b110);
    let honest = twins::preview(&p, &w);
    let one = hex(Fr::from(1u64));
    refused(
        &a,
        &with(&honest, "/commitment", one.clone()),
        "commitment does not open",
    );
    refused(
        &a,
        &with(&honest, "/root", one.clone()),
        "commitment does not open",
    );
    refused(
        &a,
        &with(&honest, "/records", json!(7)),
        "commitment does not open",
    );
    refused(
        &a,
        &with(&honest, "/schema", one.clone()),
        "commitment does not open",
    );
    refused(
        &a,
        &with(&honest, "/mask", json!(0b1110)),
        "beyond the schema",
    );
    // Another challenge draws other rows than the paths are for.
    refused(
        &a,
        &with(&honest, "/challenge", hex(Fr::from(0xc0ffefu64))),
        "not in the dataset",
    );
    // A redacted cell's value, a revealed one, the salt and a sibling are all bound.
    for ptr in [
        "/samples/0/values/0",
        "/samples/1/values/2",
        "/samples/2/salt",
        "/samples/3/siblings/1",
    ] {
        refused(&a, &with(&honest, ptr, one.clone()), "not in the dataset");
    }
    // A real row of the dataset (sample 2 is record 5) offered for a sample that drew record 2.
    assert_eq!((p.samples[0].index, p.samples[2].index), (2, 5));
    let mut swapped = honest.clone();
    swapped["samples"][0] = honest["samples"][2].clone();
    refused(&a, &swapped, "not in the dataset");
}

#[test]
fn disclosure_totals_matches_rust() {
    let Some(a) = load_for_test("disclosure_totals") else {
        return;
    };
    // Seller 0: a full batch handing a blinded state to an empty last batch; seller 1: one
    // batch of two receipts then empty slots. Noir computes c_out and the totals itself.
    for seller in [0, 1] {
        let chain = vectors::totals_chain(seller);
        let mut c_in = Fr::from(0u64);
        for (k, (p, w)) in chain.iter().enumerate() {
            let got = public_of(&a, &twins::totals(p, w));
            assert_eq!(got, p.to_field_elements(), "seller {seller} batch {k}");
            assert_eq!(p.c_in, c_in, "linked");
            c_in = p.c_out;
        }
    }
    // The chain's links and ends are bound.
    let chain = vectors::totals_chain(0);
    let (first, last) = (
        twins::totals(&chain[0].0, &chain[0].1),
        twins::totals(&chain[1].0, &chain[1].1),
    );
    refused(
        &a,
        &with(&last, "/c_in", hex(Fr::from(1u64))),
        "c_in does not open",
    );
    refused(
        &a,
        &with(&last, "/first", json!(true)),
        "the first batch continues a chain",
    );
    refused(&a, &with(&last, "/last", json!(false)), "not full");
    refused(
        &a,
        &with(&first, "/last", json!(true)),
        "does not reach past the period",
    );
    refused(
        &a,
        &with(&first, "/chain/totals_in/count", json!(1)),
        "zero totals",
    );
}

fn slot_of(r: &Receipt) -> Value {
    json!({
        "leaf": hex(r.note()), "listing": hex(r.listing), "buyer_tag": hex(r.buyer_tag),
        "amount": r.amount, "fee": r.fee, "time": r.time, "cum": r.cum, "salt": hex(r.salt),
    })
}

#[test]
fn disclosure_totals_refuses_tampering() {
    let Some(a) = load_for_test("disclosure_totals") else {
        return;
    };
    let (p, w) = vectors::totals_batch(0);
    let honest = twins::totals(&p, &w);
    let r1 = w.slots[1].unwrap();
    // An amount edited under the same leaf.
    refused(
        &a,
        &with(&honest, "/slots/1/amount", json!(r1.amount + 1)),
        "not this seller's receipt",
    );
    // A receipt re-hashed with a wrong fee: the fee rule refuses it.
    let bad_fee = Receipt {
        fee: r1.fee + 1,
        ..r1
    };
    refused(
        &a,
        &with(&honest, "/slots/1", slot_of(&bad_fee)),
        "fee is not floor",
    );
    // A consistent receipt whose running total skips: the chain refuses it.
    let bad_cum = Receipt {
        cum: r1.cum + 1,
        ..r1
    };
    refused(
        &a,
        &with(&honest, "/slots/1", slot_of(&bad_cum)),
        "does not chain",
    );
    refused(
        &a,
        &with(&honest, "/chain/cum_in", json!(5)),
        "running total other than 0",
    );
    // A receipt left out (its slot emptied) while a later one stays.
    let empty = json!({"leaf": "0x00", "listing": "0x00", "buyer_tag": "0x00", "amount": 0,
                       "fee": 0, "time": 0, "cum": 0, "salt": "0x00"});
    refused(
        &a,
        &with(&honest, "/slots/1", empty),
        "follows an empty slot",
    );
    // Time going backwards within a consistent receipt.
    let early = Receipt {
        time: w.slots[0].unwrap().time - 1,
        ..r1
    };
    refused(
        &a,
        &with(&honest, "/slots/1", slot_of(&early)),
        "time goes backwards",
    );
    // Another seller, batch, rate or root.
    refused(
        &a,
        &with(&honest, "/seller", json!(1)),
        "not this seller's receipt",
    );
    refused(
        &a,
        &with(&honest, "/chain/j", json!(1)),
        "not this seller's receipt",
    );
    refused(&a, &with(&honest, "/bps", json!(999)), "fee is not floor");
    refused(
        &a,
        &with(&honest, "/bps", json!(10_001)),
        "fee rate above 100%",
    );
    refused(
        &a,
        &with(&honest, "/root", hex(Fr::from(1u64))),
        "not under the root",
    );
    refused(
        &a,
        &with(&honest, "/siblings/29", hex(Fr::from(1u64))),
        "not under the root",
    );
    refused(&a, &with(&honest, "/seller", json!(4096)), "not below 2^12");
}

/// Noir accepts each of the vector's calls. The call's public inputs are inputs to the program
/// (it asserts them, it returns nothing), so the values Noir *computes* for them (the licence
/// note and root, every slot's nullifier) are compared with the file in
/// `noir_recomputes_the_shared_encodings`; the tier's calls root and usage commitment too.
#[test]
fn usage_call_matches_rust() {
    let Some(a) = load_for_test("usage_call") else {
        return;
    };
    for c in 0..3 {
        let (p, w) = vectors::call(c);
        assert_eq!(
            public_of(&a, &twins::call(&p, &w)),
            p.to_field_elements(),
            "counter {c}"
        );
    }
}

#[test]
fn usage_call_refuses_tampering() {
    let Some(a) = load_for_test("usage_call") else {
        return;
    };
    let (p, w) = vectors::call(1);
    let honest = twins::call(&p, &w);
    // The vector's over-quota call: counter = quota, with its own (correct) nullifier.
    let (p3, w3) = vectors::call(3);
    refused(&a, &twins::call(&p3, &w3), "not below the quota");
    refused(
        &a,
        &with(&honest, "/nullifier", hex(p3.nullifier)),
        "wrong nullifier",
    );
    refused(&a, &with(&honest, "/counter", json!(2)), "wrong nullifier");
    refused(&a, &with(&honest, "/epoch", json!(10)), "wrong nullifier");
    refused(&a, &with(&honest, "/epoch", json!(13)), "licence expired");
    refused(
        &a,
        &with(&honest, "/root", hex(Fr::from(1u64))),
        "not in the tree",
    );
    refused(
        &a,
        &with(&honest, "/listing", hex(Fr::from(1u64))),
        "not in the tree",
    );
    refused(
        &a,
        &with(&honest, "/sk", hex(Fr::from(6u64))),
        "not in the tree",
    );
    refused(&a, &with(&honest, "/index", json!(3)), "not in the tree");
    refused(&a, &with(&honest, "/quota", json!(4)), "not in the tree");
    // An index past the tree (2^16 + 2: the same low bits) is not a path of this tree.
    match execute(&a, &with(&honest, "/index", json!(65_538))) {
        Ok(_) => panic!("index beyond 2^16 accepted"),
        Err(e) => assert!(matches!(e, Error::Unsatisfied { .. }), "{e}"),
    }
    // A counter that does not fit u32 is refused at the ABI, naming the input.
    match execute(&a, &with(&honest, "/counter", json!(1u64 << 32))) {
        Err(Error::Input { name, .. }) => assert_eq!(name, "counter"),
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn usage_tier_matches_rust_and_refuses_other_tiers_and_miscounts() {
    let Some(a) = load_for_test("usage_tier") else {
        return;
    };
    // The vector's epoch has 3 calls.
    for (lo, hi) in [(0, 10), (3, 4)] {
        let (p, w) = vectors::tier(lo, hi);
        usage::check_tier(&p, &w).unwrap();
        assert_eq!(public_of(&a, &twins::tier(&p, &w)), p.to_field_elements());
    }
    let (p, w) = vectors::tier(0, 3);
    refused(&a, &twins::tier(&p, &w), "count above the tier");
    let (p, w) = vectors::tier(4, 10);
    refused(&a, &twins::tier(&p, &w), "count below the tier");
    // Miscounts: each refused by Noir and by the Rust relation for the same reason.
    let (p, honest_w) = vectors::tier(0, 10);
    let nfs = vectors::frs(&vectors::load("usage/weather-d16.json")["usage"]["calls"]);
    let path_of = |i: u64, leaves: &[Fr]| {
        let mut b = veil_circuits::merkle::TreeBuilder::new(usage::CALLS_TREE_DEPTH, &[i]).unwrap();
        b.push(leaves).unwrap();
        b.finish().unwrap().paths[0].clone()
    };
    let mut with_empty = nfs.clone();
    with_empty.push(Fr::from(0u64));
    let miscounts: Vec<(&str, usage::TierWitness)> = vec![
        (
            "a leaf after count - 1 is not empty",
            usage::TierWitness {
                count: 2,
                last_leaf: nfs[1],
                path: path_of(1, &nfs),
                ..honest_w.clone()
            },
        ),
        (
            "count 0 but the calls tree is not empty",
            usage::TierWitness {
                count: 0,
                ..honest_w.clone()
            },
        ),
        (
            "leaf count - 1 is empty",
            usage::TierWitness {
                count: 4,
                last_leaf: Fr::from(0u64),
                path: path_of(3, &with_empty),
                ..honest_w.clone()
            },
        ),
        (
            "the last leaf is not in the calls tree",
            usage::TierWitness {
                count: 4,
                last_leaf: Fr::from(5u64),
                path: path_of(3, &with_empty),
                ..honest_w.clone()
            },
        ),
    ];
    for (why, w) in miscounts {
        match usage::check_tier(&p, &w) {
            Err(veil_circuits::Error::Unsatisfied(m)) => assert_eq!(m, why),
            other => panic!("Rust: {other:?}"),
        }
        refused(&a, &twins::tier(&p, &w), why);
    }
    let honest = twins::tier(&p, &honest_w);
    refused(
        &a,
        &with(&honest, "/salt", hex(Fr::from(1u64))),
        "does not open",
    );
    refused(&a, &with(&honest, "/epoch", json!(10)), "does not open");
    refused(
        &a,
        &with(&honest, "/usage", hex(Fr::from(1u64))),
        "does not open",
    );
}

#[test]
fn settlement_matches_rust_over_a_chain_of_sales() {
    let Some(a) = load_for_test("settlement") else {
        return;
    };
    let t = terms();
    let mut counter = Counter::initial(t.seller, Fr::from(9u64));
    for i in 0..3u64 {
        let b = buyer(i);
        let (p, w) = settlement::purchase(
            t,
            counter,
            payment(&b, 1_000 + 500 * i),
            b,
            100 + i,
            1_000,
            Fr::from(10 + i),
        );
        if i == 0 {
            refused(&a, &twins::settlement(&p, &w), "underpayment");
            assert!(settlement::settle(&p, &w).is_err());
            continue;
        }
        let (out, _) = settlement::settle(&p, &w).unwrap();
        let mut expected = p.to_field_elements();
        expected.extend(out.to_field_elements());
        assert_eq!(
            public_of(&a, &twins::settlement(&p, &w)),
            expected,
            "sale {i}"
        );
        counter = w.next;
    }
    assert_eq!((counter.count, counter.cum), (2, 2_500));
}

/// The key release: the note Noir returns is the native twin's, for the listing's key only.
#[test]
fn key_release_matches_rust_and_refuses_another_datasets_key() {
    let Some(a) = load_for_test(settlement::release::PROGRAM) else {
        return;
    };
    use veil_circuits::dataset::SellerSecret;
    use veil_circuits::statements::settlement::release::{release, KeyNote};
    let key = SellerSecret(Fr::from(3u64)).dataset_key("sales");
    let note = KeyNote {
        buyer: usage::key_commitment(buyer(0).sk),
        key,
        salt: Fr::from(0x600u64),
    };
    let n = release(key.id(), &note).unwrap();
    assert_eq!(
        public_of(&a, &twins::key_release(key.id(), &note)),
        vec![key.id(), note.buyer, n]
    );
    // Another buyer gets another note; another dataset's key (or a listing's key id for
    // another key) is refused by the program itself, as by the twin.
    let theirs = KeyNote {
        buyer: note.buyer + Fr::from(1u64),
        ..note
    };
    assert_ne!(public_of(&a, &twins::key_release(key.id(), &theirs))[2], n);
    let other = KeyNote {
        key: SellerSecret(Fr::from(3u64)).dataset_key("other"),
        ..note
    };
    refused(
        &a,
        &twins::key_release(key.id(), &other),
        "the key is not the listing's",
    );
    assert!(release(key.id(), &other).is_err());
    refused(
        &a,
        &twins::key_release(key.id() + Fr::from(1u64), &note),
        "the key is not the listing's",
    );
}

#[test]
fn settlement_refuses_what_it_must() {
    let Some(a) = load_for_test("settlement") else {
        return;
    };
    let t = terms();
    let b = buyer(0);
    let counter = Counter {
        seller: 7,
        count: 4,
        cum: 9_000,
        last_time: 50,
        salt: Fr::from(1u64),
    };
    let (p, w) = settlement::purchase(t, counter, payment(&b, 2_000), b, 60, 1_000, Fr::from(2u64));
    let honest = twins::settlement(&p, &w);
    public_of(&a, &honest);
    // Underpayment: a note worth one less than the price.
    let (p1, w1) =
        settlement::purchase(t, counter, payment(&b, 1_249), b, 60, 1_000, Fr::from(2u64));
    refused(&a, &twins::settlement(&p1, &w1), "underpayment");
    // A wrong listing commitment: the public one, or the terms' opening.
    refused(
        &a,
        &with(&honest, "/commitment", hex(Fr::from(0xbadu64))),
        "wrong listing commitment",
    );
    refused(
        &a,
        &with(&honest, "/terms/commitment", hex(Fr::from(0xbadu64))),
        "terms do not match",
    );
    refused(
        &a,
        &with(&honest, "/terms/price", json!(1)),
        "terms do not match",
    );
    // A counter note that does not advance by exactly one.
    for count in [4, 6] {
        refused(
            &a,
            &with(&honest, "/next/count", json!(count)),
            "advance by exactly one",
        );
    }
    refused(&a, &with(&honest, "/next/cum", json!(9_000)), "cum + price");
    refused(
        &a,
        &with(&honest, "/next/last_time", json!(50)),
        "time is not the sale's",
    );
    refused(
        &a,
        &with(&honest, "/next/seller", json!(8)),
        "changes seller",
    );
    // An amount that overflows the running total.
    let near = Counter {
        cum: u64::MAX - 1_000,
        ..counter
    };
    let (p2, w2) = settlement::purchase(t, near, payment(&b, 2_000), b, 60, 1_000, Fr::from(2u64));
    refused(&a, &twins::settlement(&p2, &w2), "overflows");
    assert!(settlement::settle(&p2, &w2).is_err());
    // Someone else's payment note, counter note, or a sale before the last one.
    refused(
        &a,
        &with(&honest, "/buyer/sk", hex(Fr::from(0xeeeu64))),
        "not the buyer's",
    );
    refused(
        &a,
        &with(&honest, "/payment_in", hex(Fr::from(3u64))),
        "payment note does not open",
    );
    refused(
        &a,
        &with(&honest, "/counter_in", hex(Fr::from(3u64))),
        "counter note does not open",
    );
    refused(
        &a,
        &with(
            &with(&honest, "/time", json!(49)),
            "/next/last_time",
            json!(49),
        ),
        "time goes backwards",
    );
    refused(
        &a,
        &with(&honest, "/bps", json!(10_001)),
        "fee rate above 100%",
    );
}

#[test]
fn noir_recomputes_the_shared_encodings() {
    let Some(a) = load_for_test("encodings") else {
        return;
    };
    let pv = vectors::load("preview/sales-d4-k4.json");
    let tv = vectors::load("totals/two-sellers-b4.json");
    let uv = vectors::load("usage/weather-d16.json");
    let bytes = |s: &str| twins::bounded_bytes(s.as_bytes(), 40);
    let csv = pv["csv"].as_str().unwrap();
    let mut lines = csv.lines();
    let columns: Vec<Value> = lines.next().unwrap().split(',').map(bytes).collect();
    let rows: Vec<Value> = lines
        .map(|l| Value::Array(l.split(',').map(bytes).collect()))
        .collect();
    let receipts: Vec<&Value> = tv["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["seller"] == 0)
        .take(3)
        .collect();
    let sales: Vec<Value> = receipts
        .iter()
        .map(|r| {
            json!({"listing": r["listing"], "seller": r["seller"], "buyer_tag": r["buyer_tag"],
                        "amount": r["amount"], "time": r["time"], "salt": r["salt"]})
        })
        .collect();
    let inputs = json!({
        "master": pv["seller_secret"],
        "dataset_id": bytes(pv["dataset_id"].as_str().unwrap()),
        "format": 1,
        "columns": columns,
        "rows": rows,
        "sales": sales,
        "bps": tv["fee_bps"],
        "sk": uv["sk"],
        "listing_id": bytes(uv["listing_id"].as_str().unwrap()),
        "quota": uv["quota"],
        "expiry": uv["expiry"],
        "licence_salt": uv["salt"],
        "other_licences": [uv["tree"]["leaves"][0], uv["tree"]["leaves"][1]],
        "epoch": uv["epoch"],
        "calls": uv["usage"]["calls"],
        "usage_salt": uv["usage"]["salt"],
    });
    let out = execute(&a, &inputs).unwrap().return_value.unwrap();
    let (dataset, chain, usage) = (&out[0], &out[1], &out[2]);
    assert_eq!(dataset["key"], pv["dataset_key"]);
    assert_eq!(dataset["key_id"], pv["key_id"]);
    assert_eq!(dataset["schema"], pv["schema_hash"]);
    assert_eq!(dataset["root"], pv["root"]);
    assert_eq!(dataset["commitment"], pv["commitment"]);
    let notes: Vec<&Value> = receipts.iter().map(|r| &r["note"]).collect();
    assert_eq!(chain.as_array().unwrap().iter().collect::<Vec<_>>(), notes);
    // The call and tier vectors' derived values, computed by Noir from the sources: the
    // licence note at leaf 2 and the tree's root, each slot's nullifier (the calls' public
    // input 3, then the over-quota slot's), the calls tree and the usage commitment.
    assert_eq!(usage["listing"], uv["listing"]);
    assert_eq!(usage["key"], uv["key_commitment"]);
    assert_eq!(usage["note"], uv["note"]);
    assert_eq!(usage["note"], uv["tree"]["leaves"][2]);
    assert_eq!(usage["licence_root"], uv["tree"]["root"]);
    let calls = uv["calls"].as_array().unwrap();
    for (c, call) in calls.iter().enumerate() {
        assert_eq!(usage["nullifiers"][c], call["public_inputs"][3], "slot {c}");
        assert_eq!(call["public_inputs"][0], uv["tree"]["root"]);
    }
    assert_eq!(usage["nullifiers"][3], uv["over_quota"]["nullifier"]);
    assert_eq!(usage["calls_root"], uv["usage"]["calls_root"]);
    assert_eq!(usage["usage"], uv["usage"]["commitment"]);
    // One changed cell changes the commitment.
    let edited = with(&inputs, "/rows/2/2", bytes("199.98"));
    let out = execute(&a, &edited).unwrap().return_value.unwrap();
    assert_ne!(out[0]["commitment"], pv["commitment"]);
}

/// The library at the production shapes of `noir/shapes.json` (other depths, sample counts
/// and batch heights than the vectors'): same public inputs as the Rust engine.
#[test]
fn production_shapes_match_rust() {
    use veil_noir::toolchain::{ensure_variants, variant_path};
    if let Err(e) = ensure_variants() {
        if std::env::var_os("VEIL_REQUIRE_NOIR").is_some() {
            panic!("VEIL_REQUIRE_NOIR is set: {e}");
        }
        veil_noir::toolchain::skip(&e.to_string());
        return;
    }
    let load = |name: &str| Artifact::load(&variant_path(name)).unwrap();
    for (name, k) in [
        ("preview-membership-d20-k1-m3", 1),
        ("preview-membership-d20-k8-m3", 8),
    ] {
        let (p, w) = vectors::preview_at(40, 20, k);
        assert_eq!(
            public_of(&load(name), &twins::preview(&p, &w)),
            p.to_field_elements(),
            "{name}"
        );
    }
    for (name, b) in [
        ("disclosure-totals-b16-e3", 16),
        ("disclosure-totals-b64-e3", 64),
    ] {
        let (p, w) = vectors::totals_at(b);
        assert_eq!(
            public_of(&load(name), &twins::totals(&p, &w)),
            p.to_field_elements(),
            "{name}"
        );
    }
    let (p, w) = vectors::call_at(20);
    assert_eq!(
        public_of(&load("usage-call-d20"), &twins::call(&p, &w)),
        p.to_field_elements()
    );
}

/// `tests/vectors/settlement/two-sales.json`, rebuilt from its own fields: Noir's public inputs
/// and outputs are the file's.
#[test]
fn settlement_reproduces_the_shared_vector() {
    let Some(a) = load_for_test("settlement") else {
        return;
    };
    for (p, w, listed) in vectors::settlement_sales() {
        assert_eq!(public_of(&a, &twins::settlement(&p, &w)), listed);
    }
}

/// The dispute twin executes the Rust dispute to the same public inputs, on the fixture's
/// switched row and on every record of the honest delivery (a true decryption proves; the
/// judge, not the circuit, finds nothing wrong), and refuses each lie the R1CS circuit does.
#[test]
fn delivery_dispute_matches_rust_and_refuses_every_lie() {
    use veil_circuits::statements::dispute::cases;
    let Some(a) = load_for_test("delivery_dispute") else {
        return;
    };
    let (_, p, w) = cases::honest_dispute();
    assert_eq!(
        public_of(&a, &twins::dispute(&p, &w)),
        p.to_field_elements()
    );
    let d = cases::honest_delivery();
    for i in 0..d.records.len() {
        let (p, w) = d.dispute(i);
        assert_eq!(
            public_of(&a, &twins::dispute(&p, &w)),
            p.to_field_elements()
        );
    }
    for (name, _, rule, edit) in cases::dispute_mutations() {
        let (_, mut p, mut w) = cases::honest_dispute();
        edit(&mut p, &mut w);
        let why = match rule {
            "key_is_the_listings" => "the key is not the listing's",
            "plaintext_is_the_decryption" => "the plaintext is not the decryption",
            "salt_of_the_record" => "the salt is not the record's",
            other => panic!("{name}: no Noir assertion for rule {other}"),
        };
        refused(&a, &twins::dispute(&p, &w), why);
    }
}

/// The opening twin executes the Rust opening to the same public inputs and refuses each lie
/// the R1CS circuit does, and a reveal bit of 2 (with `2 ks` published) by the bit check.
#[test]
fn ciphertext_opening_matches_rust_and_refuses_every_lie() {
    use veil_circuits::dataset::encrypted::EncryptionKey;
    use veil_circuits::statements::opening::cases;
    let Some(a) = load_for_test("ciphertext_opening") else {
        return;
    };
    let (_, p, w) = cases::honest_opening();
    assert_eq!(
        public_of(&a, &twins::opening(&p, &w)),
        p.to_field_elements()
    );
    for (name, _, rule, edit) in cases::opening_mutations() {
        let (_, mut p, mut w) = cases::honest_opening();
        edit(&mut p, &mut w);
        let why = match rule {
            "key_is_the_listings" => "the key is not the listing's",
            "opened_keystream" => "the opened keystream is not the record's",
            other => panic!("{name}: no Noir assertion for rule {other}"),
        };
        refused(&a, &twins::opening(&p, &w), why);
    }
    let ek = EncryptionKey::derive(&w.key, p.nonce);
    let mut inputs = twins::opening(&p, &w);
    inputs["reveal"][0] = "0x02".into();
    for (j, s) in p.samples.iter().enumerate() {
        let two = veil_circuits::Fr::from(2u64) * ek.block(s.index, 0)[0];
        inputs["samples"][j][1][0] = veil_circuits::field::to_hex(&two).into();
    }
    refused(&a, &inputs, "a reveal bit is not a bit");
}
