//! A job's life over HTTP: a full queue answers 429 with `Retry-After`; a cancelled queued job
//! never runs and has no result; a running report job cancelled mid-way stops and writes no
//! result; a job still running at shutdown is put back in the queue and finished by the next
//! start; results of other tokens' jobs are not disclosed.

use crate::common;

use common::{Service, BATCH, EDGES};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(300);

/// Settles `n` sales of seller 2, one a second from t = 1000.
fn settle(s: &Service, n: u64) {
    let sales: Vec<Value> = (0..n)
        .map(|k| json!({ "seller": 2, "listing_id": "maps", "price": 100 + k, "time": 1_000 + k }))
        .collect();
    s.expect(
        200,
        "POST",
        "/v1/settlements",
        Some("admin"),
        Some(&json!({ "sales": sales })),
    );
}

fn report(to: u64) -> Value {
    json!({ "kind": "audit-report", "seller": 2, "from": 1_000, "to": to, "batch": BATCH, "edges": EDGES })
}

#[test]
fn a_full_queue_cancellation_and_foreign_jobs_on_an_api_only_node() {
    // No workers: jobs stay queued.
    let s = Service::start(|c| {
        c.workers = Some(0);
        c.queue_limit = 2;
    });
    settle(&s, 3);
    let a = s.expect(
        201,
        "POST",
        "/v1/jobs",
        Some("auditor"),
        Some(&report(1_001)),
    );
    s.expect(
        201,
        "POST",
        "/v1/jobs",
        Some("auditor"),
        Some(&report(1_002)),
    );
    let (st, body) = s.call("POST", "/v1/jobs", Some("auditor"), Some(&report(1_003)));
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (429, Some("queue_full")),
        "{body}"
    );
    let resp = ureq::post(&format!("{}/v1/jobs", s.url))
        .set("Authorization", &format!("Bearer {}", s.tokens["auditor"]))
        .send_json(report(1_003));
    match resp {
        Err(ureq::Error::Status(429, r)) => assert_eq!(r.header("retry-after"), Some("5")),
        other => panic!("{other:?}"),
    }
    let id = a["id"].as_str().unwrap();
    // Another token sees nothing of it.
    s.expect(404, "GET", &format!("/v1/jobs/{id}"), Some("gateway"), None);
    s.expect(
        404,
        "POST",
        &format!("/v1/jobs/{id}/cancel"),
        Some("gateway"),
        None,
    );
    assert_eq!(
        s.expect(200, "GET", "/v1/jobs", Some("gateway"), None)["jobs"],
        json!([])
    );
    let result = format!("/v1/jobs/{id}/result");
    s.refused(
        409,
        "GET",
        &result,
        Some("auditor"),
        None,
        "is queued: no result yet",
    );
    let c = s.expect(
        200,
        "POST",
        &format!("/v1/jobs/{id}/cancel"),
        Some("auditor"),
        None,
    );
    assert_eq!(c["state"], "cancelled");
    s.refused(409, "GET", &result, Some("auditor"), None, "was cancelled");
    // The cancelled job left room in the queue.
    s.expect(
        201,
        "POST",
        "/v1/jobs",
        Some("auditor"),
        Some(&report(1_003)),
    );
    // Bad listings of jobs.
    s.expect(400, "GET", "/v1/jobs?limit=0", Some("auditor"), None);
    s.expect(400, "GET", "/v1/jobs?limit=x", Some("auditor"), None);
    s.expect(404, "GET", "/v1/jobs/nope", Some("auditor"), None);
}

#[test]
fn a_running_job_stops_when_cancelled_and_is_requeued_at_shutdown() {
    let s = Service::start(|c| c.workers = Some(1));
    // 64 receipts: a report of 17 batches (16 full, one to close), proved in waves, so it
    // runs for a while.
    settle(&s, 64);
    let wait_running = |s: &Service, id: &str| {
        let start = Instant::now();
        loop {
            let j = s.expect(200, "GET", &format!("/v1/jobs/{id}"), Some("auditor"), None);
            if j["state"] == "running" && j["progress"]["done"].as_u64().unwrap_or(0) > 0 {
                return j;
            }
            assert!(j["state"] == "queued" || j["state"] == "running", "{j}");
            assert!(start.elapsed() < LONG, "never ran: {j}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // Cancelled while running: it stops, and no result is kept.
    let j = s.expect(
        201,
        "POST",
        "/v1/jobs",
        Some("auditor"),
        Some(&report(5_000)),
    );
    let id = j["id"].as_str().unwrap().to_string();
    let running = wait_running(&s, &id);
    assert_eq!(running["progress"]["stage"], "proving batches");
    assert_eq!(
        running["progress"]["total"], 17,
        "16 full batches and the one that closes"
    );
    s.expect(
        200,
        "POST",
        &format!("/v1/jobs/{id}/cancel"),
        Some("auditor"),
        None,
    );
    // The worker takes the next job only once it has stopped this one.
    let next = s.expect(
        201,
        "POST",
        "/v1/jobs",
        Some("auditor"),
        Some(&report(1_010)),
    );
    let next_id = next["id"].as_str().unwrap().to_string();
    assert_eq!(s.wait_job(&next_id, "auditor", LONG)["state"], "succeeded");
    let j = s.expect(200, "GET", &format!("/v1/jobs/{id}"), Some("auditor"), None);
    assert_eq!(
        (j["state"].as_str(), j["result"].is_null()),
        (Some("cancelled"), true),
        "{j}"
    );
    assert!(
        j["progress"]["done"].as_u64().unwrap() < 16,
        "it stopped early: {j}"
    );

    // Shut down while a job runs (a grace too short for it): it goes back to the queue, and
    // the next start finishes it.
    let j = s.expect(
        201,
        "POST",
        "/v1/jobs",
        Some("auditor"),
        Some(&report(5_001)),
    );
    let id = j["id"].as_str().unwrap().to_string();
    wait_running(&s, &id);
    let tokens = s.tokens.clone();
    let dir = s.stop();
    let store = veil_engine::store::SqliteStore::open(&dir.path().join("veil.db")).unwrap();
    let queued = veil_engine::store::Jobs::job(&store, &id).unwrap().unwrap();
    assert_eq!(queued.state, veil_ledger::JobState::Queued, "{queued:?}");
    assert_eq!(
        queued.error.as_deref(),
        Some("interrupted by a shutdown; queued again")
    );
    drop(store);
    let s = Service::start_in(dir, |c| c.workers = Some(1));
    let mut s = s;
    s.tokens = tokens;
    let report = s.result_of(&id, "auditor");
    assert_eq!(report["batches"].as_array().unwrap().len(), 17);
}

/// One HTTP request received on a loopback port: its headers and JSON body.
fn receive_one(listener: std::net::TcpListener) -> (String, Value) {
    use std::io::{BufRead, BufReader, Read, Write};
    let (mut stream, _) = listener.accept().unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        if line == "\r\n" {
            break;
        }
        head += &line;
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    stream
        .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    (head, serde_json::from_slice(&body).unwrap())
}

#[test]
fn a_finished_job_is_posted_to_its_webhook() {
    let s = Service::start(|c| c.workers = Some(1));
    s.expect(
        200,
        "POST",
        "/v1/gateway/epochs/close",
        Some("gateway"),
        Some(&json!({ "listing_id": "api", "epoch": 2 })),
    );
    let bad = json!({ "kind": "usage-tier", "listing_id": "api", "epoch": 2, "lo": 0, "hi": 1,
                      "webhook": "ftp://example.org/x" });
    s.refused(
        422,
        "POST",
        "/v1/jobs",
        Some("gateway"),
        Some(&bad),
        "not an http:// or https:// URL",
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got = std::thread::spawn(move || receive_one(listener));
    let job = json!({ "kind": "usage-tier", "listing_id": "api", "epoch": 2, "lo": 0, "hi": 1,
                      "webhook": url });
    let j = s.expect(201, "POST", "/v1/jobs", Some("gateway"), Some(&job));
    let (head, body) = got.join().unwrap();
    assert!(head.starts_with("POST /hook "), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("veil-job: {}", j["id"].as_str().unwrap())),
        "{head}"
    );
    assert_eq!(
        (&body["id"], &body["state"]),
        (&j["id"], &json!("succeeded")),
        "{body}"
    );
    assert_eq!(
        body["result"],
        format!("/v1/jobs/{}/result", j["id"].as_str().unwrap())
    );
}

#[test]
fn a_researcher_benchmarks_provers_and_nobody_else_may() {
    let s = Service::start(|_| {});
    let job = json!({
        "kind": "benchmark",
        "cases": [
            { "statement": "usage-call", "size": 4 },
            { "statement": "disclosure-totals", "size": 2 },
        ],
        "runs": 1,
        "throughput": false,
    });
    s.refused(
        403,
        "POST",
        "/v1/jobs",
        Some("seller"),
        Some(&job),
        "researcher",
    );
    type Edit<'a> = (u16, &'a dyn Fn(&mut Value), &'a str);
    let edits: [Edit; 3] = [
        (422, &|b| b["cases"][1]["size"] = json!(3), "power of two"),
        (
            400,
            &|b| b["cases"][1] = json!({ "statement": "nope" }),
            "unknown variant `nope`",
        ),
        (
            422,
            &|b| b["cases"] = json!(vec![json!({ "statement": "usage-tier" }); 17]),
            "at most 16 cases, not 17",
        ),
    ];
    for (status, edit, why) in edits {
        let mut bad = job.clone();
        edit(&mut bad);
        s.refused(
            status,
            "POST",
            "/v1/jobs",
            Some("researcher"),
            Some(&bad),
            why,
        );
    }

    let id = s.expect(201, "POST", "/v1/jobs", Some("researcher"), Some(&job))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let report = s.result_of(&id, "researcher");
    let records = report["records"].as_array().expect("records");
    let rows: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r["shape"].as_str().unwrap(), r["prover"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows,
        [
            ("usage-call-d4", "veil"),
            ("usage-call-d4", "floor"),
            ("usage-call-d4", "ark-groth16-stock"),
            ("disclosure-totals-b2-e3", "veil"),
            ("disclosure-totals-b2-e3", "floor"),
            ("disclosure-totals-b2-e3", "ark-groth16-stock"),
        ]
    );
    assert!(records.iter().all(|r| r["prove_s"].as_f64().unwrap() > 0.0));
    assert_eq!(report["version"], 3);
}

/// Keys from a single-party setup: the service refuses to start on them, naming one and the
/// switch, and leaves the store as it was; allowed, it says so at `/readyz` and `/metrics`.
#[test]
fn development_keys_are_refused_unless_allowed_and_then_shown() {
    let dir = tempfile::tempdir().unwrap();
    common::prepare(dir.path());
    let d = dir.path();
    let config = veil_service::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ledger: d.join("veil.db"),
        params: d.join("params"),
        work_dir: d.join("jobs"),
        data_dir: d.to_path_buf(),
        ..veil_service::Config::default()
    };
    let store = veil_service::open_store(&config).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let refused = runtime
        .block_on(veil_service::start(config, store, Duration::from_secs(1)))
        .err()
        .expect("refused")
        .to_string();
    for needle in [
        "ciphertext-opening",
        "4 more",
        "single-party",
        "--allow-insecure-keys",
    ] {
        assert!(refused.contains(needle), "{needle:?} not in {refused:?}");
    }
    drop(runtime);

    let s = Service::start_in(dir, |_| {});
    let ready = s.expect(200, "GET", "/readyz", None, None);
    assert_eq!(ready["insecure_keys"], 5, "{ready}");
    let (_, metrics) = s.call("GET", "/metrics", None, None);
    let text = metrics.as_str().unwrap();
    assert!(text.contains("\nveil_keys_insecure 5\n"), "{text}");
}
