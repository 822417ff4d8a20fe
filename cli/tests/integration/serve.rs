//! `veil serve` as a process: killed with SIGKILL while 20 jobs are queued or running, then
//! started again, every job completes exactly once (one result each, each result a proof that
//! verifies), jobs caught mid-run are taken over after their lease, and nothing in the ledger is
//! duplicated. Also: `veil serve` refuses a bad configuration by name.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use veil_engine::store::{SqliteStore, Store};

use crate::common;
use common::nodes::{free_port, Node, Operator};

fn veil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_veil"))
}

/// `veil serve` over the folder's ledger and keys, two workers, a 2-second lease.
fn spawn(dir: &Path, port: u16) -> Node {
    let args: Vec<std::ffi::OsString> = vec![
        "--workers".into(),
        "2".into(),
        "--lease".into(),
        "2".into(),
        "--ledger".into(),
        dir.join("veil.db").into(),
        "--params".into(),
        dir.join("params").into(),
        "--work-dir".into(),
        dir.join("jobs").into(),
    ];
    Node::start(port, &args)
}

#[test]
fn a_killed_service_finishes_every_job_exactly_once_after_a_restart() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let store = SqliteStore::create(&dir.join("veil.db")).unwrap();
    let op = Operator::prepare(&dir.join("params"), &store);
    let Operator { admin, .. } = &op;
    let receipts_before = store.receipts_of(1).unwrap();

    let port = free_port();
    let mut node = spawn(dir, port);
    // 16 tier jobs and 4 report jobs, all different.
    let submitted = op.submit(&node, 16, 4);
    // Kill it once some jobs are done and some are running.
    let start = Instant::now();
    loop {
        let all = node.jobs(admin);
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
    node.kill(); // SIGKILL
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

    let mut node = spawn(dir, port);
    let start = Instant::now();
    let all = loop {
        let all = node.jobs(admin);
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
    assert_eq!(all.len(), 20, "no job lost or duplicated");
    for j in &all {
        let id = j["id"].as_str().unwrap();
        assert!(submitted.contains(&id.to_string()));
        if running.contains(&id.to_string()) {
            assert_eq!(j["attempts"], 2, "taken over after the kill: {j}");
        }
        node.assert_result_verifies(j, &op);
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
    node.kill();
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
    for (args, needle) in [
        (
            &["--database", "mysql://db/veil"][..],
            "database must be a postgres:// URL",
        ),
        (
            &["--role", "worker", "--workers", "0"],
            "a worker node needs at least one worker",
        ),
        (
            &["--role", "boss"],
            "unknown role \"boss\": use api, worker or both",
        ),
    ] {
        let o = veil()
            .arg("serve")
            .args(args)
            .current_dir(d.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains(needle),
            "{args:?}: {err}"
        );
    }
}

/// Keys from `veil setup` are a single party's: `veil setup --list` says so, and `veil serve`
/// refuses them by name unless told `--allow-insecure-keys`.
#[test]
fn serve_refuses_development_keys_unless_allowed() {
    let d = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        veil()
            .args(args)
            .env("RUST_LOG", "off")
            .current_dir(d.path())
            .output()
            .unwrap()
    };
    let o = run(&["setup", "--list", "--params", "p"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("no keys in p"));
    assert!(
        run(&["setup", "--statement", "usage-tier", "--params", "p"])
            .status
            .success()
    );
    let o = run(&["setup", "--list", "--params", "p"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with("usage-tier") && out.contains("insecure-local"),
        "{out}"
    );
    let serve = ["serve", "--listen", "127.0.0.1:0", "--params", "p"];
    let o = run(&serve);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    for needle in [
        "key usage-tier",
        "single-party setup",
        "--allow-insecure-keys",
    ] {
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
    assert!(!d.path().join("veil.db").exists(), "no store was made");
}
