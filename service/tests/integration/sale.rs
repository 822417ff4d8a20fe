//! The fair sale's dispute over HTTP: a seller encrypts its dataset and switches a row; the
//! buyer's dispute, proved with the key settlement released, is accepted by `POST /v1/verify`
//! against the listing it was sold under, and refused against the honest listing and against
//! a registered listing that names no ciphertext.

use crate::common::Service;
use serde_json::{json, Value};
use std::sync::Arc;
use veil_engine::{BackendKind, Progress, Silent};

#[test]
fn a_buyers_dispute_is_judged_over_http() {
    let s = Service::start(|_| {});
    let sale = s.path("sale");
    std::fs::create_dir_all(&sale).unwrap();
    let progress: Arc<dyn Progress> = Arc::new(Silent);
    let encrypted = veil_engine::delivery::encrypt(
        &veil_engine::delivery::EncryptRequest {
            data: s.path("sales.csv"),
            secret_file: s.path("seller.key"),
            listing: s.path("listing.json"),
            read: Default::default(),
        },
        &sale.join("sales.veilct"),
        Some(&sale.join("listing.json")),
        false,
        &progress,
    )
    .unwrap();
    veil_engine::dataset::export_key(
        &s.path("seller.key"),
        &sale.join("listing.json"),
        &sale.join("sales.key"),
        false,
    )
    .unwrap();
    veil_testkit::sale::switch_record(&sale, 5, &["5", "Atlantis", "0"]);
    let opts = veil_engine::setup::ShapeOptions {
        elements: Some(encrypted.record_elements),
        ..Default::default()
    };
    veil_engine::setup::setup(
        "delivery-dispute",
        &opts,
        Some(s.path("params")),
        false,
        &Silent,
    )
    .unwrap();
    let req = veil_engine::dispute::DisputeRequest {
        ciphertext: sale.join("switched.veilct"),
        listing: sale.join("switched.json"),
        key: sale.join("sales.key"),
        index: None,
        backend: BackendKind::Groth16,
    };
    let out = sale.join("dispute.json");
    veil_engine::dispute::prove(&req, Some(s.path("params")), &out, false, &progress).unwrap();
    let dispute: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let listing = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(sale.join(name)).unwrap()).unwrap()
    };

    let body =
        json!({ "kind": "dispute", "dispute": dispute, "listing": listing("switched.json") });
    let v = s.expect(200, "POST", "/v1/verify", Some("buyer"), Some(&body));
    assert_eq!(
        (v["accepted"].clone(), v["details"]["index"].clone()),
        (json!(true), json!(5)),
        "{v}"
    );
    assert!(
        v["details"]["rule"].as_str().unwrap().contains("leaf"),
        "{v}"
    );

    // The honest listing names another ciphertext: the dispute is not about it.
    let body = json!({ "kind": "dispute", "dispute": dispute, "listing": listing("listing.json") });
    let v = s.expect(200, "POST", "/v1/verify", Some("auditor"), Some(&body));
    assert_eq!(v["accepted"], false);
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("not in the listed ciphertext"),
        "{v}"
    );

    // A registered listing from before encryption names no ciphertext at all.
    let reg = json!({ "dataset": "sales.csv" });
    s.expect(201, "POST", "/v1/listings", Some("seller"), Some(&reg));
    let body = json!({ "kind": "dispute", "dispute": dispute, "listing_id": "sales.csv" });
    let v = s.expect(200, "POST", "/v1/verify", Some("buyer"), Some(&body));
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("names no ciphertext"),
        "{v}"
    );

    // An edited dispute is refused by name; one that is not a dispute is a bad request.
    let mut edited = dispute.clone();
    edited["proof"]["public_inputs"][0] = json!(format!("0x{:064x}", 1));
    let body = json!({ "kind": "dispute", "dispute": edited, "listing": listing("switched.json") });
    let v = s.expect(200, "POST", "/v1/verify", Some("buyer"), Some(&body));
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("key id is not the listing's"),
        "{v}"
    );
    let body = json!({ "kind": "dispute", "dispute": listing("switched.json"), "listing": listing("switched.json") });
    let e = s.expect(400, "POST", "/v1/verify", Some("buyer"), Some(&body));
    assert!(e.to_string().contains("`dispute`"), "{e}");
}

/// The whole fair sale over HTTP: the seller's service encrypts a registered dataset, a buyer
/// downloads the ciphertext and checks it against the listing before paying, the seller's
/// service issues the key note to the buyer's address, and the buyer opens it and decrypts
/// the seller's file byte for byte. Who may do what, and bad addresses, are refused by name.
#[test]
fn the_fair_sale_runs_over_http() {
    let s = Service::start(|_| {});
    let buyer_dir = s.path("buyer");
    std::fs::create_dir_all(&buyer_dir).unwrap();
    let at = |name: &str| buyer_dir.join(name);
    let reg = json!({ "dataset": "sales.csv" });
    s.expect(201, "POST", "/v1/listings", Some("seller"), Some(&reg));
    let path = "/v1/listings/sales.csv/ciphertext";
    s.refused(404, "GET", path, Some("buyer"), None, "names no ciphertext");
    s.refused(
        403,
        "POST",
        path,
        Some("buyer"),
        None,
        "needs the role seller",
    );
    s.refused(
        404,
        "POST",
        "/v1/listings/nothing/ciphertext",
        Some("seller"),
        None,
        "no listing \"nothing\"",
    );
    let v = s.expect(201, "POST", path, Some("seller"), None);
    assert_eq!(v["listing"]["veil"], 3, "{v}");
    let root = v["listing"]["ciphertext_root"]
        .as_str()
        .unwrap()
        .to_string();

    // Buyer, before paying: the listing and the ciphertext, checked against each other.
    let listing = s.expect(200, "GET", "/v1/listings/sales.csv", Some("buyer"), None);
    std::fs::write(at("listing.json"), listing["listing"].to_string()).unwrap();
    let resp = ureq::get(&format!("{}{path}", s.url))
        .set("Authorization", &format!("Bearer {}", s.tokens["buyer"]))
        .call()
        .unwrap();
    assert_eq!(resp.content_type(), "application/octet-stream");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut resp.into_reader(), &mut bytes).unwrap();
    std::fs::write(at("sales.veilct"), &bytes).unwrap();
    let progress: Arc<dyn Progress> = Arc::new(Silent);
    let checked =
        veil_engine::delivery::check(&at("sales.veilct"), &at("listing.json"), &progress).unwrap();
    assert_eq!(
        checked.listing.ciphertext_root.as_deref(),
        Some(root.as_str())
    );

    // Settlement: the key note to the buyer's address, from the seller's service only.
    veil_engine::meter::keygen(&at("wallet.key"), false).unwrap();
    let me = veil_engine::key_note::address(&at("wallet.key")).unwrap();
    let address = json!({
        "buyer": veil_engine::prelude::to_hex(&me.buyer),
        "box_public_key": me.box_public_key_hex(),
    });
    let notes = "/v1/listings/sales.csv/key-notes";
    s.refused(
        403,
        "POST",
        notes,
        Some("buyer"),
        Some(&address),
        "needs the role seller",
    );
    let mut bad = address.clone();
    bad["box_public_key"] = json!("abcd");
    s.refused(
        422,
        "POST",
        notes,
        Some("seller"),
        Some(&bad),
        "not 32 bytes",
    );
    let mut bad = address.clone();
    bad["buyer"] = json!("0x12");
    s.refused(422, "POST", notes, Some("seller"), Some(&bad), "buyer");
    let note = s.expect(201, "POST", notes, Some("seller"), Some(&address));
    assert_eq!(note["kind"], "key-note");
    std::fs::write(at("key-note.json"), note.to_string()).unwrap();

    // Buyer: open the note, decrypt, byte for byte.
    veil_engine::key_note::open(
        &at("key-note.json"),
        &at("listing.json"),
        &at("wallet.key"),
        &at("sales.key"),
        false,
    )
    .unwrap();
    let done = veil_engine::delivery::decrypt(
        &at("sales.veilct"),
        &at("listing.json"),
        &at("sales.key"),
        &at("sales.csv"),
        false,
        &progress,
    )
    .unwrap();
    assert!(
        matches!(done, veil_engine::delivery::Decrypted::Delivered { .. }),
        "{done:?}"
    );
    assert_eq!(
        std::fs::read(at("sales.csv")).unwrap(),
        std::fs::read(s.path("sales.csv")).unwrap()
    );
}
