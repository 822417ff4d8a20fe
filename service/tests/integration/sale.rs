//! The fair sale's dispute over HTTP: a seller encrypts its dataset and switches a row; the
//! buyer's dispute, proved with the key settlement released, is accepted by `POST /v1/verify`
//! against the listing it was sold under, and refused against the honest listing and against
//! a registered listing that names no ciphertext.

use crate::common::Service;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use veil_engine::{BackendKind, Progress, Silent};

/// A seller's folder `sale/` beside the service: its dataset encrypted, the dataset key
/// exported (`sales.key`), record 5 switched (`switched.veilct`, `switched.json`), and dispute
/// keys for its width set up in the service's params.
fn switched_sale(s: &Service) -> std::path::PathBuf {
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
    sale
}

#[test]
fn a_buyers_dispute_is_judged_over_http() {
    let s = Service::start(|_| {});
    let sale = switched_sale(&s);
    let progress: Arc<dyn Progress> = Arc::new(Silent);
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

/// The dispute as a job (buyer): the service holds the listed ciphertext, the buyer posts the
/// key settlement released, and the job proves the first inconsistent record; the result is
/// accepted by `POST /v1/verify`. A key of another dataset, a listing without a ciphertext, a
/// record that is consistent and a seller's token are refused by name.
#[test]
fn a_dispute_job_convicts_a_switched_delivery_held_here() {
    use sha2::Digest as _;
    let s = Service::start(|_| {});
    let sale = switched_sale(&s);
    let listing: Value =
        serde_json::from_str(&std::fs::read_to_string(sale.join("switched.json")).unwrap())
            .unwrap();
    let id = listing["dataset_id"].as_str().unwrap().to_string();
    let root = listing["ciphertext_root"].as_str().unwrap();
    // The seller's node holds the switched ciphertext it listed (as `POST .../ciphertext` keeps
    // an honest one).
    s.expect(
        201,
        "POST",
        "/v1/listings",
        Some("seller"),
        Some(&json!({ "listing": listing })),
    );
    let held = s.path("jobs/ciphertexts").join(format!(
        "{}-{root}.veilct",
        hex::encode(sha2::Sha256::digest(id.as_bytes()))
    ));
    std::fs::create_dir_all(held.parent().unwrap()).unwrap();
    std::fs::copy(sale.join("switched.veilct"), &held).unwrap();
    let key: Value =
        serde_json::from_str(&std::fs::read_to_string(sale.join("sales.key")).unwrap()).unwrap();
    let job = json!({ "kind": "delivery-dispute", "listing_id": id, "key": key });
    let e = s.expect(403, "POST", "/v1/jobs", Some("seller"), Some(&job));
    assert!(e.to_string().contains("needs the role buyer"), "{e}");
    let mut other = key.clone();
    other["key"] = json!(format!("0x{:064x}", 5));
    let bad = json!({ "kind": "delivery-dispute", "listing_id": id, "key": other });
    let e = s.expect(422, "POST", "/v1/jobs", Some("buyer"), Some(&bad));
    assert!(e.to_string().contains("field `key`"), "{e}");

    let run = |job: &Value| {
        let j = s.expect(201, "POST", "/v1/jobs", Some("buyer"), Some(job));
        s.wait_job(j["id"].as_str().unwrap(), "buyer", Duration::from_secs(300))
    };
    let done = run(&job);
    assert_eq!(done["state"], "succeeded", "{done}");
    // The key stays in the queue: the job's view (and its webhook) shows it redacted.
    assert_eq!(done["request"]["key"]["key"], "redacted", "{done}");
    let dispute = s.expect(
        200,
        "GET",
        done["result"].as_str().unwrap(),
        Some("buyer"),
        None,
    );
    assert_eq!(dispute["kind"], "dispute");
    let body = json!({ "kind": "dispute", "dispute": dispute, "listing_id": id });
    let v = s.expect(200, "POST", "/v1/verify", Some("auditor"), Some(&body));
    assert_eq!(
        (v["accepted"].clone(), v["details"]["index"].clone()),
        (json!(true), json!(5)),
        "{v}"
    );
    // A consistent record: the job fails, saying there is nothing to dispute there.
    let consistent =
        json!({ "kind": "delivery-dispute", "listing_id": id, "key": key, "index": 2 });
    let done = run(&consistent);
    assert_eq!(done["state"], "failed", "{done}");
    assert!(done.to_string().contains("nothing to dispute"), "{done}");
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
    let reg = json!({ "dataset": "sales.csv", "depth": 4 });
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

    // A preview the service proves now is bound to that ciphertext: the buyer reads its
    // revealed cells from the file on offer. Edited, the binding is refused by name.
    let job = json!({ "kind": "preview", "listing_id": "sales.csv", "challenge": "0x0e",
                      "samples": 2, "reveal": ["city"] });
    let job = s.expect(201, "POST", "/v1/jobs", Some("seller"), Some(&job));
    let id = job["id"].as_str().unwrap().to_string();
    let done = s.wait_job(&id, "seller", Duration::from_secs(300));
    assert_eq!(done["state"], "succeeded", "{done}");
    let preview = s.expect(
        200,
        "GET",
        &format!("/v1/jobs/{id}/result"),
        Some("seller"),
        None,
    );
    assert_eq!(preview["veil"], 2, "{preview}");
    assert_eq!(
        preview["ciphertext"]["proof"]["statement"],
        "ciphertext-opening"
    );
    let v = json!({ "kind": "preview", "preview": preview, "listing_id": "sales.csv" });
    let verdict = s.expect(200, "POST", "/v1/verify", Some("buyer"), Some(&v));
    assert_eq!(verdict["accepted"], true, "{verdict}");
    assert_eq!(
        verdict["details"]["ciphertext_root"],
        json!(root),
        "{verdict}"
    );
    let mut edited = preview.clone();
    edited["ciphertext"]["records"][1]["cipher"][0] = json!(format!("0x{:064x}", 7));
    let v = json!({ "kind": "preview", "preview": edited, "listing_id": "sales.csv" });
    let verdict = s.expect(200, "POST", "/v1/verify", Some("buyer"), Some(&v));
    assert_eq!(verdict["accepted"], false, "{verdict}");
    assert!(
        verdict.to_string().contains("not in the listed ciphertext"),
        "{verdict}"
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
