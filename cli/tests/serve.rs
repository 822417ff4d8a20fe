//! `veil serve` as a process: killed with SIGKILL while 50 jobs are queued or running, then
//! started again, every job completes exactly once (one result each, each result a proof that
//! verifies), jobs caught mid-run are taken over after their lease, and nothing in the ledger is
//! duplicated. Also: `veil serve` refuses a bad configuration by name.

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use veil_engine::setup::{self, ShapeOptions};
use veil_engine::store::{SqliteStore, Store};
use veil_engine::Silent;
use veil_service::Role;

fn veil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_veil"))
}

/// A free loopback port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn(dir: &Path, port: u16) -> Child {
    let child = veil()
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--workers",
            "2",
            "--lease",
            "2",
        ])
        .arg("--ledger")
        .arg(dir.join("veil.db"))
        .arg("--params")
        .arg(dir.join("params"))
        .arg("--work-dir")
        .arg(dir.join("jobs"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while ureq::get(&format!("http://127.0.0.1:{port}/healthz"))
        .call()
        .is_err()
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "veil serve did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

fn call(port: u16, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let req = ureq::request(method, &format!("http://127.0.0.1:{port}{path}"))
        .set("Authorization", &format!("Bearer {token}"));
    let res = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    let r = match res {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: {e}"),
    };
    (r.status(), r.into_json().unwrap_or(Value::Null))
}

fn jobs(port: u16, admin: &str) -> Vec<Value> {
    let (s, v) = call(port, "GET", "/v1/jobs?limit=1000", admin, None);
    assert_eq!(s, 200, "{v}");
    v["jobs"].as_array().unwrap().clone()
}

#[test]
fn a_killed_service_finishes_every_job_exactly_once_after_a_restart() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let params = Some(dir.join("params"));
    let totals = ShapeOptions {
        batch: Some(4),
        edges: Some(1),
        ..Default::default()
    };
    setup::setup("disclosure-totals", &totals, params.clone(), false, &Silent).unwrap();
    setup::setup(
        "usage-tier",
        &ShapeOptions::default(),
        params,
        false,
        &Silent,
    )
    .unwrap();
    let store = SqliteStore::create(&dir.join("veil.db")).unwrap();
    for k in 0..12u64 {
        veil_engine::audit::settle(&store, 1, "maps", 100 + k, 1_000 + k).unwrap();
    }
    veil_engine::meter::close_epoch(&store, "api", 1).unwrap();
    let token = |r| veil_service::create_token(&store, r, "t").unwrap().0;
    let (admin, auditor, gateway) = (
        token(Role::Admin),
        token(Role::Auditor),
        token(Role::Gateway),
    );
    let receipts_before = store.receipts_of(1).unwrap();

    let port = free_port();
    let mut child = spawn(dir, port);
    // 40 tier jobs and 10 report jobs, all different.
    let mut submitted = Vec::new();
    for hi in 1..=40u64 {
        let body =
            json!({ "kind": "usage-tier", "listing_id": "api", "epoch": 1, "lo": 0, "hi": hi });
        let (s, v) = call(port, "POST", "/v1/jobs", &gateway, Some(body));
        assert_eq!(s, 201, "{v}");
        submitted.push(v["id"].as_str().unwrap().to_string());
    }
    for k in 0..10u64 {
        let body = json!({ "kind": "audit-report", "seller": 1, "from": 1_000, "to": 1_003 + k,
                           "batch": 4, "edges": [105] });
        let (s, v) = call(port, "POST", "/v1/jobs", &auditor, Some(body));
        assert_eq!(s, 201, "{v}");
        submitted.push(v["id"].as_str().unwrap().to_string());
    }
    // Kill it once some jobs are done and some are running.
    let start = Instant::now();
    loop {
        let all = jobs(port, &admin);
        let n = |st: &str| all.iter().filter(|j| j["state"] == st).count();
        if n("succeeded") >= 2 && n("running") >= 1 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no progress: {}",
            serde_json::to_string(&all[..3]).unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill = {
        let s = SqliteStore::open(&dir.join("veil.db")).unwrap();
        veil_engine::store::Jobs::jobs(&s, None, 1000).unwrap()
    };
    let running: Vec<String> = at_kill
        .iter()
        .filter(|j| j.state == veil_ledger::JobState::Running)
        .map(|j| j.id.clone())
        .collect();
    assert!(!running.is_empty());
    assert!(at_kill.iter().any(|j| !j.state.is_final()), "work was left");

    let mut child = spawn(dir, port);
    let start = Instant::now();
    let all = loop {
        let all = jobs(port, &admin);
        if all
            .iter()
            .all(|j| j["state"] != "queued" && j["state"] != "running")
        {
            break all;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "jobs did not finish"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(all.len(), 50, "no job lost or duplicated");
    for j in &all {
        assert_eq!(j["state"], "succeeded", "{j}");
        let id = j["id"].as_str().unwrap();
        assert!(submitted.contains(&id.to_string()));
        if running.contains(&id.to_string()) {
            assert_eq!(j["attempts"], 2, "taken over after the kill: {j}");
        }
        // Its one result verifies.
        let owner = if j["kind"] == "usage-tier" {
            &gateway
        } else {
            &auditor
        };
        let (s, out) = call(port, "GET", &format!("/v1/jobs/{id}/result"), owner, None);
        assert_eq!(s, 200, "{out}");
        let req = &j["request"];
        let check = if j["kind"] == "usage-tier" {
            json!({ "kind": "usage-tier", "proof": out["proof"], "listing_id": "api", "epoch": 1 })
        } else {
            json!({ "kind": "report", "report": out, "seller": 1, "from": req["from"], "to": req["to"] })
        };
        let (s, v) = call(port, "POST", "/v1/verify", owner, Some(check));
        assert_eq!((s, &v["accepted"]), (200, &json!(true)), "{v}");
    }
    // Nothing in the ledger was written twice.
    let s = SqliteStore::open(&dir.join("veil.db")).unwrap();
    assert_eq!(s.receipts_of(1).unwrap(), receipts_before);
    assert_eq!(
        s.calls(veil_engine::meter::listing_value("api"), 1)
            .unwrap()
            .len(),
        0
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_bad_configuration_is_refused_by_name() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("veil.toml"),
        "listen = \"127.0.0.1:0\"\nqueue_limt = 5\n",
    )
    .unwrap();
    let o = veil()
        .args(["serve", "--config"])
        .arg(d.path().join("veil.toml"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("unknown field `queue_limt`"), "{err}");
    let o = veil()
        .args(["serve", "--queue-limit", "0"])
        .current_dir(d.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("queue_limit must be at least 1"), "{err}");
}
