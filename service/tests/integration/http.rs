//! The whole marketplace over HTTP, roles enforced at every step: a seller registers a dataset
//! and proves a preview job; a buyer verifies it (and an edited copy is refused); the operator
//! settles sales; an auditor proves a period report job and verifies it against the published
//! root; the operator issues a licence, the buyer proves 24 metered calls, the gateway accepts
//! each once and refuses replays, closes the epoch and proves a usage tier that verifies. On
//! SQLite and on PostgreSQL.

use crate::common;

use common::{Service, BATCH, EDGES};
use serde_json::{json, Value};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(300);

#[test]
fn the_marketplace_end_to_end_over_http() {
    marketplace(Service::start(|_| {}));
}

/// The same test, unchanged, on a PostgreSQL database instead of the SQLite ledger.
#[test]
fn the_marketplace_end_to_end_over_http_on_postgresql() {
    let url = common::postgres_database();
    marketplace(Service::start(move |c| c.database = Some(url)));
}

/// halo2 beside Groth16 at the gateway and in `/v1/verify`: halo2 calls pass
/// `POST /v1/gateway/calls` and mixed bursts (a replay across backends and a flipped proof
/// refused alone); a fold job is refused at admission while the parameters are too small for
/// it.
#[test]
fn halo2_calls_beside_groth16_over_http() {
    let s = Service::start(|_| {});
    veil_engine::setup::setup_halo2(
        "usage-call",
        &Default::default(),
        Some(s.path("params")),
        None,
        false,
        &veil_engine::Silent,
    )
    .unwrap();
    let halo2 = s.prove_calls_with("api", 3, 9, 4, true);
    let groth16 = s.prove_calls("api", 1, 9, 4);
    assert_eq!(halo2[0]["proof"]["backend"], "halo2-kzg-bn254");
    let a = s.expect(
        200,
        "POST",
        "/v1/gateway/calls",
        Some("gateway"),
        Some(&halo2[0]),
    );
    assert_eq!(a["position"], 0);
    let burst_call = |c: &Value| json!({ "request": c["request"], "proof": c["proof"] });
    let forged = json!({ "request": halo2[2]["request"], "proof": flip(&halo2[2]["proof"]) });
    let burst = vec![
        burst_call(&halo2[1]),
        burst_call(&groth16[0]),
        burst_call(&halo2[0]),
        forged,
    ];
    let body = json!({ "listing_id": "api", "epoch": 4, "calls": burst });
    let b = s.expect(
        200,
        "POST",
        "/v1/gateway/calls/batch",
        Some("gateway"),
        Some(&body),
    );
    assert_eq!(
        (b["accepted"].clone(), b["refused"].clone()),
        (json!(2), json!(2)),
        "{b}"
    );
    let v = &b["calls"];
    assert_eq!(
        (v[0]["position"].clone(), v[1]["position"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(v[2]["replay"], true, "{b}");
    assert!(v[3]["error"].as_str().unwrap().contains("rejected"), "{b}");
    // Verified only (nothing spent), by the backend the envelope names.
    let check = json!({ "kind": "usage-call", "proof": halo2[2]["proof"] });
    let r = s.expect(200, "POST", "/v1/verify", Some("buyer"), Some(&check));
    assert_eq!(r["accepted"], true, "{r}");
    let check = json!({ "kind": "usage-call", "proof": flip(&halo2[2]["proof"]) });
    let r = s.expect(200, "POST", "/v1/verify", Some("buyer"), Some(&check));
    assert_eq!(r["accepted"], false, "{r}");
    // Folding a period runs at 2^18 rows: refused before it is queued while the parameters
    // are the call's 2^11.
    let fold = json!({ "kind": "audit-report", "seller": 3, "from": 0, "to": 10,
                       "batch": BATCH, "edges": EDGES, "backend": "halo2" });
    let e = s.expect(422, "POST", "/v1/jobs", Some("auditor"), Some(&fold));
    assert!(e.to_string().contains("needs 2^18"), "{e}");
}

/// An envelope with one hex digit of its proof changed.
fn flip(env: &Value) -> Value {
    let mut env = env.clone();
    let proof = env["proof"].as_str().unwrap().to_string();
    let flipped = if &proof[200..201] == "0" { "1" } else { "0" };
    env["proof"] = format!("{}{flipped}{}", &proof[..200], &proof[201..]).into();
    env
}

fn marketplace(s: Service) {
    // --- seller: register the dataset by path; only a seller may --------------------------
    // Only files in the service's data folder (relative paths are taken from it).
    let outside = json!({ "dataset": "/etc/passwd" });
    s.refused(
        422,
        "POST",
        "/v1/listings",
        Some("seller"),
        Some(&outside),
        "not a file in this service's data folder",
    );
    let up = json!({ "dataset": "../sales.csv" });
    s.refused(
        422,
        "POST",
        "/v1/listings",
        Some("seller"),
        Some(&up),
        "dataset \"../sales.csv\"",
    );
    let reg = json!({ "dataset": "sales.csv", "depth": 4 });
    let err = s.expect(403, "POST", "/v1/listings", Some("buyer"), Some(&reg));
    assert_eq!(err["error"]["code"], "forbidden");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("needs the role seller"));
    s.expect(401, "POST", "/v1/listings", None, Some(&reg));
    let listing = s.expect(201, "POST", "/v1/listings", Some("seller"), Some(&reg));
    assert_eq!(listing["id"], "sales.csv");
    assert_eq!(listing["listing"]["records"], 12);
    let got = s.expect(200, "GET", "/v1/listings/sales.csv", Some("buyer"), None);
    assert_eq!(got["listing"], listing["listing"]);
    s.expect(404, "GET", "/v1/listings/nope", Some("buyer"), None);

    // --- seller: a preview job, idempotent ----------------------------------------------------
    let job = json!({ "kind": "preview", "listing_id": "sales.csv", "challenge": "0xc0ffee",
                      "samples": 2, "reveal": ["city"] });
    let key = [("Idempotency-Key", "preview-1")];
    let (st, first) = s.call_with("POST", "/v1/jobs", Some("seller"), Some(&job), &key);
    assert_eq!(st, 201, "{first}");
    let (st, again) = s.call_with("POST", "/v1/jobs", Some("seller"), Some(&job), &key);
    assert_eq!((st, &again["id"]), (200, &first["id"]), "the same job");
    let other = json!({ "kind": "preview", "listing_id": "sales.csv", "challenge": "0xbeef",
                        "samples": 2, "reveal": ["city"] });
    let (st, conflict) = s.call_with("POST", "/v1/jobs", Some("seller"), Some(&other), &key);
    assert_eq!(
        (st, conflict["error"]["code"].as_str()),
        (409, Some("idempotency_conflict"))
    );
    let forbidden = s.expect(403, "POST", "/v1/jobs", Some("auditor"), Some(&job));
    assert!(forbidden["error"]["message"]
        .as_str()
        .unwrap()
        .contains("a preview job needs the role seller"));
    // A shape without keys, an unknown column: refused before queueing.
    let no_keys = json!({ "kind": "preview", "listing_id": "sales.csv", "challenge": "0x01",
                          "samples": 3, "reveal": [] });
    let e = s.expect(422, "POST", "/v1/jobs", Some("seller"), Some(&no_keys));
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("veil setup"),
        "{e}"
    );
    let bad_col = json!({ "kind": "preview", "listing_id": "sales.csv", "challenge": "0x01",
                          "samples": 2, "reveal": ["price"] });
    s.expect(422, "POST", "/v1/jobs", Some("seller"), Some(&bad_col));

    let id = first["id"].as_str().unwrap().to_string();
    let done = s.wait_job(&id, "seller", LONG);
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["result"], format!("/v1/jobs/{id}/result"));
    s.expect(404, "GET", &format!("/v1/jobs/{id}"), Some("buyer"), None);
    let preview = s.expect(
        200,
        "GET",
        &format!("/v1/jobs/{id}/result"),
        Some("seller"),
        None,
    );
    assert_eq!(preview["kind"], "preview");
    assert_eq!(preview["revealed_columns"], json!(["city"]));

    // --- buyer: verify the preview; an edited cell is refused --------------------------------
    let v = json!({ "kind": "preview", "preview": preview, "listing_id": "sales.csv" });
    let verdict = s.expect(200, "POST", "/v1/verify", Some("buyer"), Some(&v));
    assert_eq!(verdict["accepted"], true, "{verdict}");
    let mut edited = preview.clone();
    edited["samples"][0]["cells"][1] = json!({ "utf8": "Atlantis" });
    let v = json!({ "kind": "preview", "preview": edited, "listing_id": "sales.csv" });
    let verdict = s.expect(200, "POST", "/v1/verify", Some("buyer"), Some(&v));
    assert_eq!(verdict["accepted"], false);
    assert!(
        verdict["reason"].as_str().unwrap().contains("public input"),
        "{verdict}"
    );

    // --- operator: settle sales; only the operator may ----------------------------------------
    let sales: Vec<Value> = (0..10u64)
        .map(|i| json!({ "seller": 3, "listing_id": "sales.csv", "price": 500 + 1_700 * i, "time": 1_000 + 60 * i }))
        .collect();
    let body = json!({ "sales": sales });
    s.expect(403, "POST", "/v1/settlements", Some("seller"), Some(&body));
    let settled = s.expect(200, "POST", "/v1/settlements", Some("admin"), Some(&body));
    let seqs: Vec<u64> = settled["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (0..10).collect::<Vec<_>>());
    let ledger = s.expect(200, "GET", "/v1/ledger", Some("auditor"), None);
    assert_eq!(ledger["receipt_root"], settled["root"]);

    // --- auditor: a report job over [1060, 1480), verified against the published root ---------
    let report_job = json!({ "kind": "audit-report", "seller": 3, "from": 1_060, "to": 1_480,
                             "batch": BATCH, "edges": EDGES });
    s.expect(403, "POST", "/v1/jobs", Some("seller"), Some(&report_job));
    let j = s.expect(201, "POST", "/v1/jobs", Some("auditor"), Some(&report_job));
    let rid = j["id"].as_str().unwrap().to_string();
    let done = s.wait_job(&rid, "auditor", LONG);
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(
        (
            done["progress"]["done"].clone(),
            done["progress"]["total"].clone()
        ),
        (json!(3), json!(3)),
        "{done}"
    );
    let report = s.expect(
        200,
        "GET",
        &format!("/v1/jobs/{rid}/result"),
        Some("auditor"),
        None,
    );
    let v = json!({ "kind": "report", "report": report, "seller": 3, "from": 1_060, "to": 1_480,
                    "root": ledger["receipt_root"] });
    let verdict = s.expect(200, "POST", "/v1/verify", Some("auditor"), Some(&v));
    assert_eq!(verdict["accepted"], true, "{verdict}");
    // Sales 1..=7 fall in the period.
    let prices: Vec<u64> = (1..=7).map(|i| 500 + 1_700 * i).collect();
    assert_eq!(verdict["details"]["count"], 7);
    assert_eq!(verdict["details"]["amount"], prices.iter().sum::<u64>());
    let v = json!({ "kind": "report", "report": report, "seller": 3, "from": 1_000, "to": 1_480 });
    let verdict = s.expect(200, "POST", "/v1/verify", Some("auditor"), Some(&v));
    assert_eq!(verdict["accepted"], false, "another period than asked");

    // --- metered calls: a licence, 24 calls, replays refused -----------------------------------
    let issue = json!({ "listing_id": "weather", "buyer": "0x01", "quota": 24, "expiry": 9 });
    s.expect(403, "POST", "/v1/licences", Some("gateway"), Some(&issue));
    let epoch = 7;
    let calls = s.prove_calls("weather", 24, 9, epoch);
    let check = |c: &Value| c.clone();
    s.expect(
        403,
        "POST",
        "/v1/gateway/calls",
        Some("buyer"),
        Some(&check(&calls[0])),
    );
    for (k, c) in calls.iter().enumerate().take(12) {
        let a = s.expect(
            200,
            "POST",
            "/v1/gateway/calls",
            Some("gateway"),
            Some(&check(c)),
        );
        assert_eq!(a["position"], k);
    }
    // The other 12 as one burst (one batch verification), with a replay of an accepted call, a
    // call twice in the burst, call 14's inputs under call 15's proof, a call for another
    // request, and a body that is no proof: each refused alone, by name.
    let burst_call = |c: &Value| json!({ "request": c["request"], "proof": c["proof"] });
    let mut burst: Vec<Value> = calls[12..].iter().map(burst_call).collect();
    burst.push(burst_call(&calls[3]));
    burst.push(burst_call(&calls[13]));
    let mut forged = burst_call(&calls[14]);
    forged["proof"]["proof"] = calls[15]["proof"]["proof"].clone();
    burst.push(forged);
    let mut other = burst_call(&calls[16]);
    other["request"] = json!("GET /other");
    burst.push(other);
    burst.push(json!({ "request": "GET /x", "proof": { "veil": 2 } }));
    let body =
        |calls: Vec<Value>| json!({ "listing_id": "weather", "epoch": epoch, "calls": calls });
    s.expect(
        403,
        "POST",
        "/v1/gateway/calls/batch",
        Some("buyer"),
        Some(&body(burst.clone())),
    );
    s.expect(
        400,
        "POST",
        "/v1/gateway/calls/batch",
        Some("gateway"),
        Some(&body(vec![])),
    );
    // A `proof` that is no object at all breaks the schema: the whole burst is refused.
    let mut broken = burst.clone();
    broken.push(json!({ "request": "GET /y", "proof": [null] }));
    let e = s.expect(
        400,
        "POST",
        "/v1/gateway/calls/batch",
        Some("gateway"),
        Some(&body(broken)),
    );
    assert!(e.to_string().contains("call 17 of the burst"), "{e}");
    let b = s.expect(
        200,
        "POST",
        "/v1/gateway/calls/batch",
        Some("gateway"),
        Some(&body(burst)),
    );
    assert_eq!(
        (b["accepted"].clone(), b["refused"].clone()),
        (json!(12), json!(5)),
        "{b}"
    );
    let verdicts = b["calls"].as_array().unwrap();
    for (k, v) in verdicts.iter().take(12).enumerate() {
        assert_eq!(
            (v["accepted"].clone(), v["position"].clone()),
            (json!(true), json!(12 + k)),
            "{v}"
        );
    }
    let refused = |k: usize, needle: &str, replay: bool| {
        let v = &verdicts[k];
        assert_eq!(
            (v["accepted"].clone(), v["replay"].clone()),
            (json!(false), json!(replay)),
            "{v}"
        );
        let error = v["error"].as_str().unwrap_or_default();
        assert!(
            error.contains(needle),
            "verdict {k}: {needle:?} not in {error:?}"
        );
    };
    refused(12, "already", true);
    refused(13, "already", true);
    refused(14, "pairing", false);
    refused(15, "another request", false);
    refused(16, "not a proof envelope", false);
    for c in calls.iter().step_by(6) {
        let e = s.expect(
            409,
            "POST",
            "/v1/gateway/calls",
            Some("gateway"),
            Some(&check(c)),
        );
        assert_eq!(e["error"]["code"], "replay");
    }
    // A call for another request than its proof is refused, and counts nothing.
    let mut wrong = check(&calls[1]);
    wrong["request"] = json!("GET /other");
    let e = s.expect(
        422,
        "POST",
        "/v1/gateway/calls",
        Some("gateway"),
        Some(&wrong),
    );
    assert_eq!(e["error"]["code"], "mismatch");

    // --- gateway: close the epoch, prove a tier, anyone verifies it -----------------------------
    let tier = json!({ "kind": "usage-tier", "listing_id": "weather", "epoch": epoch, "lo": 16, "hi": 32 });
    let e = s.expect(422, "POST", "/v1/jobs", Some("gateway"), Some(&tier));
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("still open"),
        "{e}"
    );
    let closed = s.expect(
        200,
        "POST",
        "/v1/gateway/epochs/close",
        Some("gateway"),
        Some(&json!({ "listing_id": "weather", "epoch": epoch })),
    );
    assert_eq!(closed["calls"], 24);
    let j = s.expect(201, "POST", "/v1/jobs", Some("gateway"), Some(&tier));
    let tid = j["id"].as_str().unwrap().to_string();
    let out = s.result_of(&tid, "gateway");
    let v = json!({ "kind": "usage-tier", "proof": out["proof"], "listing_id": "weather", "epoch": epoch });
    let verdict = s.expect(200, "POST", "/v1/verify", Some("buyer"), Some(&v));
    assert_eq!(
        (
            verdict["accepted"].clone(),
            verdict["details"]["lo"].clone()
        ),
        (json!(true), json!(16)),
        "{verdict}"
    );
    // A call arriving after the epoch closed counts nothing.
    let late = check(&calls[0]);
    let e = s.expect(
        409,
        "POST",
        "/v1/gateway/calls",
        Some("gateway"),
        Some(&late),
    );
    assert_eq!(e["error"]["code"], "epoch_closed");

    // --- metrics say what happened --------------------------------------------------------------
    let (st, m) = s.call("GET", "/metrics", None, None);
    let m = m.as_str().unwrap().to_string();
    assert_eq!(st, 200);
    // 4 replays one by one, 2 in the burst; refused: 3 in the burst, 1 wrong request, 1 late.
    assert!(m.contains("veil_nullifier_rejections_total 6"), "{m}");
    assert!(
        m.contains("veil_gateway_checks_total{verdict=\"refused\"} 5"),
        "{m}"
    );
    assert!(
        m.contains("veil_gateway_checks_total{verdict=\"accepted\"} 24"),
        "{m}"
    );
    assert!(
        m.contains("veil_proofs_total{statement=\"disclosure-totals\",backend=\"groth16\"} 1"),
        "{m}"
    );
    s.stop();
}

/// The buyer's page and the public verification material, without a token: the page, the key
/// manifest and a verifying key (its bytes the manifest's digest); never a proving key, a
/// parameter file or a path out of the key folder.
#[test]
fn the_page_and_verifying_keys_are_public_and_nothing_else_is() {
    let wasm_dir = tempfile::tempdir().unwrap();
    let wasm = wasm_dir.path().join("veil_verifier.wasm");
    let relaxed = wasm_dir.path().join("veil_verifier_relaxed.wasm");
    std::fs::write(&wasm, b"\0asm plain").unwrap();
    std::fs::write(&relaxed, b"\0asm relaxed").unwrap();
    let named = wasm.clone();
    let s = Service::start(move |c| c.verifier_wasm = Some(named));
    // Both builds of the verifier, the relaxed one from beside the named one; without it, a
    // 404 naming the file (the page then keeps the plain build).
    for (path, body) in [
        ("/veil_verifier.wasm", "\0asm plain"),
        ("/veil_verifier_relaxed.wasm", "\0asm relaxed"),
    ] {
        let resp = ureq::get(&format!("{}{path}", s.url)).call().unwrap();
        assert_eq!(resp.content_type(), "application/wasm");
        assert_eq!(resp.into_string().unwrap(), body, "{path}");
    }
    std::fs::remove_file(&relaxed).unwrap();
    s.refused(
        404,
        "GET",
        "/veil_verifier_relaxed.wasm",
        None,
        None,
        "veil_verifier_relaxed.wasm",
    );
    let page = s.expect(200, "GET", "/", None, None);
    assert!(page.as_str().unwrap().contains("Veil verifier"), "{page}");
    for file in [
        "/app.mjs",
        "/delivery-worker.mjs",
        "/style.css",
        "/veil-verifier.mjs",
    ] {
        s.expect(200, "GET", file, None, None);
    }
    let manifest = s.expect(200, "GET", "/v1/keys", None, None);
    let (id, entry) = manifest["keys"].as_object().unwrap().iter().next().unwrap();
    let vk = entry["verifying_key"]["file"].as_str().unwrap();
    let resp = ureq::get(&format!("{}/v1/keys/{vk}", s.url))
        .call()
        .unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut resp.into_reader(), &mut bytes).unwrap();
    use sha2::Digest;
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&bytes)),
        entry["verifying_key"]["sha256"].as_str().unwrap(),
        "{id}"
    );
    let pk = entry["proving_key"]["file"].as_str().unwrap();
    for path in [
        format!("/v1/keys/{pk}"),
        "/v1/keys/manifest.json".into(),
        "/v1/keys/..%2Fveil.db".into(),
        "/v1/keys/.vk".into(),
        "/v1/keys/halo2/..%2F..%2Fseller.key".into(),
    ] {
        s.refused(
            404,
            "GET",
            &path,
            None,
            None,
            "is not a verifying key's name",
        );
    }
    s.refused(
        404,
        "GET",
        "/v1/keys/halo2/none.vk",
        None,
        None,
        "this service has no halo2/none.vk",
    );
}
