#![allow(dead_code)] // each test module uses part of it
//! A service under test: a temporary folder with keys for small shapes, a ledger, a seller
//! secret and a dataset, tokens for every role, and the service running in-process on a free
//! loopback port; plus a small JSON client.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use veil_engine::setup::{self, ShapeOptions};
use veil_engine::{Progress, Silent};
use veil_service::{Config, Role};

/// A new database in the throwaway PostgreSQL cluster this test binary shares (stopped when
/// it exits); its URL.
pub fn postgres_database() -> String {
    static CLUSTER: std::sync::OnceLock<veil_testkit::postgres::PgCluster> =
        std::sync::OnceLock::new();
    CLUSTER
        .get_or_init(veil_testkit::postgres::PgCluster::start_for_process)
        .database()
}

/// The shapes the tests prove at.
pub const BATCH: usize = 4;
pub const EDGES: [u64; 2] = [1_000, 10_000];

/// A running service and what its clients hold.
pub struct Service {
    pub dir: tempfile::TempDir,
    pub url: String,
    pub tokens: std::collections::HashMap<&'static str, String>,
    pub runtime: tokio::runtime::Runtime,
    pub running: Option<veil_service::Running>,
}

/// Makes the folder: dataset, seller secret, listing (for the preview key's shape), keys.
pub fn prepare(dir: &Path) {
    let mut csv = String::from("id,city,amount\n");
    for i in 0..12 {
        csv += &format!("{i},city{i},{}\n", 10 * i + 5);
    }
    std::fs::write(dir.join("sales.csv"), csv).unwrap();
    veil_engine::dataset::keygen(&dir.join("seller.key"), false).unwrap();
    let progress: Arc<dyn Progress> = Arc::new(Silent);
    let listing = dir.join("listing.json");
    veil_engine::dataset::commit(
        &veil_engine::dataset::CommitRequest {
            data: dir.join("sales.csv"),
            secret_file: dir.join("seller.key"),
            dataset_id: None,
            depth: 4,
            read: Default::default(),
        },
        &listing,
        &progress,
    )
    .unwrap();
    let params = Some(dir.join("params"));
    for (statement, o) in [
        (
            "preview-membership",
            ShapeOptions {
                listing: Some(listing.clone()),
                samples: Some(2),
                ..Default::default()
            },
        ),
        (
            "disclosure-totals",
            ShapeOptions {
                batch: Some(BATCH),
                edges: Some(EDGES.len()),
                ..Default::default()
            },
        ),
        ("usage-call", ShapeOptions::default()),
        ("usage-tier", ShapeOptions::default()),
        // The sales' three short columns: one element each.
        (
            "ciphertext-opening",
            ShapeOptions {
                samples: Some(2),
                elements: Some(3),
                ..Default::default()
            },
        ),
    ] {
        setup::setup(statement, &o, params.clone(), false, &Silent).unwrap();
    }
}

impl Service {
    /// A prepared folder with the service started over it.
    pub fn start(configure: impl FnOnce(&mut Config)) -> Service {
        let dir = tempfile::tempdir().unwrap();
        prepare(dir.path());
        Self::start_in(dir, configure)
    }

    /// The service over an already prepared folder.
    pub fn start_in(dir: tempfile::TempDir, configure: impl FnOnce(&mut Config)) -> Service {
        let d = dir.path();
        let mut config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            ledger: d.join("veil.db"),
            params: d.join("params"),
            work_dir: d.join("jobs"),
            seller_secret: Some(d.join("seller.key")),
            data_dir: d.to_path_buf(),
            // The tests' keys are `veil setup`'s own.
            allow_insecure_keys: true,
            ..Config::default()
        };
        configure(&mut config);
        let store = veil_service::open_store(&config).unwrap();
        let mut tokens = std::collections::HashMap::new();
        for role in Role::ALL {
            let (t, _) = veil_service::create_token(&*store, role, "test").unwrap();
            tokens.insert(role.as_str(), t);
        }
        drop(store);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let store = veil_service::open_store(&config).unwrap();
        let running = runtime
            .block_on(veil_service::start(config, store, Duration::from_secs(1)))
            .unwrap();
        Service {
            url: format!("http://{}", running.addr),
            dir,
            tokens,
            runtime,
            running: Some(running),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Stops the service gracefully and returns its folder.
    pub fn stop(mut self) -> tempfile::TempDir {
        if let Some(r) = self.running.take() {
            self.runtime.block_on(r.stop()).unwrap();
        }
        std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap())
    }

    /// A request as `role` (None: no token): the status and the JSON body (or the text as a
    /// JSON string when it is not JSON).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        role: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        self.call_with(method, path, role, body, &[])
    }

    pub fn call_with(
        &self,
        method: &str,
        path: &str,
        role: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = ureq::request(method, &format!("{}{path}", self.url));
        if let Some(r) = role {
            req = req.set("Authorization", &format!("Bearer {}", self.tokens[r]));
        }
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let res = match body {
            Some(b) => req.send_json(b.clone()),
            None => req.call(),
        };
        let resp = match res {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let status = resp.status();
        let text = resp.into_string().unwrap();
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v)
    }

    /// The body of a request that must answer `status`.
    #[track_caller]
    pub fn expect(
        &self,
        status: u16,
        method: &str,
        path: &str,
        role: Option<&str>,
        body: Option<&Value>,
    ) -> Value {
        let (s, v) = self.call(method, path, role, body);
        assert_eq!(s, status, "{method} {path} as {role:?}: {v}");
        v
    }

    /// The error of a request that must answer `status` with a message containing `needle`.
    #[track_caller]
    pub fn refused(
        &self,
        status: u16,
        method: &str,
        path: &str,
        role: Option<&str>,
        body: Option<&Value>,
        needle: &str,
    ) -> Value {
        let v = self.expect(status, method, path, role, body);
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(needle),
            "{method} {path}: {v}, expected {needle:?}"
        );
        v
    }

    /// A licence for `listing_id` (quota `n`, expiry `expiry`) issued over HTTP to a fresh buyer
    /// key, and its `n` calls in `epoch` (requests `GET /q/0`, `GET /q/1`, ...) proved in
    /// parallel from the path the service serves: each as the body of `POST /v1/gateway/calls`.
    pub fn prove_calls(&self, listing_id: &str, n: u64, expiry: u64, epoch: u64) -> Vec<Value> {
        self.prove_calls_with(listing_id, n, expiry, epoch, false)
    }

    /// [`Self::prove_calls`], under halo2 when `halo2` (parameters and keys from the params
    /// folder, `veil setup --backend halo2`).
    pub fn prove_calls_with(
        &self,
        listing_id: &str,
        n: u64,
        expiry: u64,
        epoch: u64,
        halo2: bool,
    ) -> Vec<Value> {
        use rayon::prelude::*;
        use veil_circuits::statements::usage::{self, key_commitment};
        use veil_circuits::statements::{CallShape, UsageCall};
        use veil_engine::prelude::{from_hex_strict, to_hex};
        let fr = |v: &Value| from_hex_strict("value", v.as_str().unwrap()).unwrap();
        let sk = veil_circuits::field::random(&mut rand::rngs::OsRng);
        let issue = json!({ "listing_id": listing_id, "buyer": to_hex(&key_commitment(sk)),
                            "quota": n, "expiry": expiry });
        let file = self.expect(201, "POST", "/v1/licences", Some("admin"), Some(&issue));
        let file = veil_engine::wallet::LicenceFile::from_json(&file.to_string()).unwrap();
        let licence = file
            .licence(&veil_engine::wallet::BuyerKeyFile::new(sk))
            .unwrap();
        let path = format!("/v1/licences/{}", file.index);
        let path = self.expect(200, "GET", &path, Some("buyer"), None);
        let root = fr(&path["root"]);
        let merkle = veil_circuits::merkle::MerklePath {
            arity: veil_circuits::merkle::Arity::Binary,
            index: file.index,
            siblings: path["siblings"]
                .as_array()
                .unwrap()
                .iter()
                .map(fr)
                .collect(),
        };
        assert_eq!(
            merkle.root(licence.note()),
            root,
            "the served path opens the licence"
        );
        let backend = veil_prover::backend::groth16::Groth16Backend::new(
            veil_prover::keys::KeyStore::new(self.path("params")),
        );
        let shape = CallShape { depth: 16 };
        let (prover, _) = backend.prover::<UsageCall>(&shape).unwrap();
        let halo2 = halo2.then(|| veil_engine::provers::halo2(self.path("params")).unwrap().0);
        (0..n)
            .into_par_iter()
            .map(|c| {
                let request = format!("GET /q/{c}");
                let (public, witness) = usage::call_statement(
                    &licence,
                    c,
                    epoch,
                    veil_engine::meter::request_value(&request),
                    root,
                    merkle.clone(),
                );
                let env = match &halo2 {
                    Some(b) => veil_prover::backend::Backend::<UsageCall>::prove(
                        &**b, &shape, public, witness,
                    )
                    .unwrap(),
                    None => prover
                        .prove_statement::<UsageCall, _>(
                            &shape,
                            public,
                            witness,
                            &mut rand::rngs::OsRng,
                        )
                        .unwrap(),
                };
                json!({ "listing_id": listing_id, "epoch": epoch, "request": request, "proof": env })
            })
            .collect()
    }

    /// Waits until job `id` (of `role`) is final; returns it.
    pub fn wait_job(&self, id: &str, role: &str, limit: Duration) -> Value {
        let start = Instant::now();
        loop {
            let j = self.expect(200, "GET", &format!("/v1/jobs/{id}"), Some(role), None);
            let state = j["state"].as_str().unwrap().to_string();
            if !["queued", "running"].contains(&state.as_str()) {
                return j;
            }
            assert!(
                start.elapsed() < limit,
                "job {id} still {state} after {limit:?}: {j}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Service {
    /// Waits for job `id` (up to 5 minutes), requires that it succeeded, and returns its result.
    #[track_caller]
    pub fn result_of(&self, id: &str, role: &str) -> Value {
        let done = self.wait_job(id, role, Duration::from_secs(300));
        assert_eq!(done["state"], "succeeded", "{done}");
        self.expect(
            200,
            "GET",
            &format!("/v1/jobs/{id}/result"),
            Some(role),
            None,
        )
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            let _ = self.runtime.block_on(r.stop());
        }
    }
}
