//! Scale-out on PostgreSQL, as processes: one api node and two worker nodes over one
//! database. 16 proof jobs submitted to the api node are proved by both workers; one worker is
//! killed with SIGKILL in the middle of a job, whose lease runs out so that the other worker
//! finishes it; every job ends with exactly one result, and each result verifies.

use crate::common;

use common::nodes::{free_port, wait_until, Node, Operator};
use std::time::Duration;
use veil_engine::store::{PgStore, Store};
use veil_testkit::postgres::PgCluster;

#[test]
fn an_api_node_and_two_workers_share_jobs_and_survive_a_killed_worker() {
    let cluster = PgCluster::start();
    let url = cluster.database();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let params = dir.join("params");
    // The operator's set-up, as `veil setup` and `veil serve token create --database` do it.
    let store = PgStore::connect(&url, None, 2).unwrap();
    let op = Operator::prepare(&params, &store);
    let receipts_before = store.receipts_of(1).unwrap();

    let node = |role: &str, extra: &[&str]| {
        let mut args = vec!["--role", role, "--database", &url, "--lease", "2"];
        args.extend_from_slice(extra);
        let args: Vec<std::ffi::OsString> = args
            .into_iter()
            .map(Into::into)
            .chain(["--params".into(), params.clone().into_os_string()])
            .collect();
        Node::start(free_port(), &args)
    };
    let api = node("api", &[]);
    let work = |name: &str| dir.join(name).display().to_string();
    let (w1_dir, w2_dir) = (work("jobs-1"), work("jobs-2"));
    let mut w1 = node("worker", &["--workers", "1", "--work-dir", &w1_dir]);
    let w2 = node("worker", &["--workers", "1", "--work-dir", &w2_dir]);
    // A worker node serves no API.
    assert_eq!(w1.call("GET", "/v1/ledger", &op.admin, None).0, 404);

    let submitted = op.submit(&api, 12, 4);

    // Both workers prove; kill the first while it is in the middle of a job.
    wait_until(
        Duration::from_secs(120),
        "no proofs on both workers",
        || {
            w1.metric("veil_proofs_total") >= 1.0
                && w2.metric("veil_proofs_total") >= 1.0
                && w1.metric("veil_jobs_running_here") >= 1.0
        },
    );
    w1.kill();
    let w2_before = w2.metric("veil_proofs_total");

    wait_until(Duration::from_secs(300), "jobs did not finish", || {
        api.jobs(&op.admin)
            .iter()
            .all(|j| j["state"] != "queued" && j["state"] != "running")
    });
    let all = api.jobs(&op.admin);
    assert_eq!(all.len(), 16, "no job lost or duplicated");
    assert!(
        all.iter().any(|j| j["attempts"] == 2),
        "the killed worker's job was taken over"
    );
    assert!(
        w2.metric("veil_proofs_total") > w2_before,
        "the survivor went on"
    );
    for j in &all {
        assert!(submitted.contains(&j["id"].as_str().unwrap().to_string()));
        api.assert_result_verifies(j, &op);
    }
    // Jobs wrote nothing but their results.
    assert_eq!(store.receipts_of(1).unwrap(), receipts_before);
    let calls = store.calls(veil_engine::meter::listing_value("api"), 1);
    assert_eq!(calls.unwrap().len(), 0);
}
