//! `veil serve` processes for the service tests: started on a free loopback port and waited
//! for, called over HTTP, read through `/metrics`, killed with SIGKILL.

use serde_json::{json, Value};
use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What the process tests' operator set up: keys in `params` for report batches of 4 with one
/// band edge and for usage tiers; 12 sales of seller 1 settled; epoch 1 of listing `api`
/// closed; an admin, an auditor and a gateway token.
pub struct Operator {
    pub admin: String,
    pub auditor: String,
    pub gateway: String,
}

impl Operator {
    /// Sets up `params` and `store`.
    pub fn prepare(params: &Path, store: &dyn veil_engine::store::ServiceStore) -> Operator {
        use veil_engine::setup::{setup, ShapeOptions};
        let totals = ShapeOptions {
            batch: Some(4),
            edges: Some(1),
            ..Default::default()
        };
        let params = Some(params.to_path_buf());
        let silent = veil_engine::Silent;
        setup("disclosure-totals", &totals, params.clone(), false, &silent).unwrap();
        setup(
            "usage-tier",
            &ShapeOptions::default(),
            params,
            false,
            &silent,
        )
        .unwrap();
        for k in 0..12u64 {
            veil_engine::audit::settle(store, 1, "maps", 100 + k, 1_000 + k).unwrap();
        }
        veil_engine::meter::close_epoch(store, "api", 1).unwrap();
        let token = |r| veil_service::create_token(store, r, "t").unwrap().0;
        use veil_service::Role;
        Operator {
            admin: token(Role::Admin),
            auditor: token(Role::Auditor),
            gateway: token(Role::Gateway),
        }
    }

    /// Submits `tiers` usage-tier jobs and `reports` report jobs to `node`, all different;
    /// returns their ids.
    pub fn submit(&self, node: &Node, tiers: u64, reports: u64) -> Vec<String> {
        let tier = |hi| json!({ "kind": "usage-tier", "listing_id": "api", "epoch": 1, "lo": 0, "hi": hi });
        let report = |k| {
            json!({ "kind": "audit-report", "seller": 1, "from": 1_000,
                                 "to": 1_003 + k, "batch": 4, "edges": [105] })
        };
        let jobs = (1..=tiers)
            .map(|hi| (&self.gateway, tier(hi)))
            .chain((0..reports).map(|k| (&self.auditor, report(k))));
        jobs.map(|(token, body)| {
            let (s, v) = node.call("POST", "/v1/jobs", token, Some(body));
            assert_eq!(s, 201, "{v}");
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One `veil serve` process.
pub struct Node {
    child: Option<Child>,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Node {
    /// Starts `veil serve --listen 127.0.0.1:PORT ARGS...` and waits until `/healthz` answers.
    pub fn start<S: AsRef<OsStr>>(port: u16, args: &[S]) -> Node {
        let child = Command::new(env!("CARGO_BIN_EXE_veil"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            // The tests' keys are `veil setup`'s own.
            .arg("--allow-insecure-keys")
            .args(args)
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
        Node {
            child: Some(child),
            port,
        }
    }

    /// Kills the process with SIGKILL (no chance to clean up) and waits for it.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    /// A JSON request with a bearer token: the status and the body.
    pub fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let req = ureq::request(method, &format!("http://127.0.0.1:{}{path}", self.port))
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

    /// Every job, as an admin sees them.
    pub fn jobs(&self, admin: &str) -> Vec<Value> {
        let (s, v) = self.call("GET", "/v1/jobs?limit=1000", admin, None);
        assert_eq!(s, 200, "{v}");
        v["jobs"].as_array().unwrap().clone()
    }

    /// Requires that `job` (as `GET /v1/jobs` shows it) succeeded and that its one result
    /// verifies on this node (a job [`Operator::submit`] made).
    pub fn assert_result_verifies(&self, job: &Value, operator: &Operator) {
        assert_eq!(job["state"], "succeeded", "{job}");
        let id = job["id"].as_str().unwrap();
        let tier = job["kind"] == "usage-tier";
        let owner = if tier {
            &operator.gateway
        } else {
            &operator.auditor
        };
        let (s, out) = self.call("GET", &format!("/v1/jobs/{id}/result"), owner, None);
        assert_eq!(s, 200, "{out}");
        let req = &job["request"];
        let check = if tier {
            json!({ "kind": "usage-tier", "proof": out["proof"], "listing_id": "api", "epoch": 1 })
        } else {
            json!({ "kind": "report", "report": out, "seller": 1, "from": req["from"], "to": req["to"] })
        };
        let (s, v) = self.call("POST", "/v1/verify", owner, Some(check));
        assert_eq!((s, v["accepted"].as_bool()), (200, Some(true)), "{v}");
    }

    /// The sum of a metric's samples on this node's `/metrics` (0 when absent).
    pub fn metric(&self, name: &str) -> f64 {
        let text = ureq::get(&format!("http://127.0.0.1:{}/metrics", self.port))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        text.lines()
            .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waits until `done` holds, or fails saying `what` after `limit`.
pub fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what} after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
