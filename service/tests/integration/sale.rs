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
