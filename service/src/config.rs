//! The service's configuration: defaults, then a TOML file, then the command line (which reads
//! `VEIL_*` environment variables), each overriding the one before. `veil serve` alone runs on
//! the defaults: loopback only, the ledger `veil.db` and the keys in `params/` of the current
//! folder.

use crate::error::{Result, ServiceError};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What one `veil serve` process does in a deployment of many.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeRole {
    /// The API and prover workers (one machine, or every node alike).
    #[default]
    Both,
    /// The API only: jobs are queued for worker nodes.
    Api,
    /// Prover workers only (and health and metrics over HTTP).
    Worker,
}

impl NodeRole {
    /// The role a name means.
    pub fn parse(s: &str) -> std::result::Result<NodeRole, String> {
        match s {
            "both" => Ok(NodeRole::Both),
            "api" => Ok(NodeRole::Api),
            "worker" => Ok(NodeRole::Worker),
            _ => Err(format!("unknown role {s:?}: use api, worker or both")),
        }
    }
}

/// Everything `veil serve` is configured by. Durations are in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// What this process does: `both` (the default), `api` (HTTP only, no workers) or
    /// `worker` (prover workers, and only `/healthz`, `/readyz`, `/metrics` over HTTP).
    pub role: NodeRole,
    /// The ledger database (SQLite file; created if missing). Unused with `database`.
    pub ledger: PathBuf,
    /// A shared PostgreSQL database, `postgres://user:password@host:port/db`, instead of the
    /// SQLite ledger: every api and worker node of one deployment names the same one.
    pub database: Option<String>,
    /// Connections in this process's PostgreSQL pool.
    pub database_connections: u32,
    /// The folder of proving and verifying keys (`veil setup`).
    pub params: PathBuf,
    /// A folder for jobs' working files.
    pub work_dir: PathBuf,
    /// Prover workers (none given: one per core; 0: none, an API-only node).
    pub workers: Option<usize>,
    /// Jobs that may wait in the queue; beyond it submissions get 429 with `Retry-After`.
    pub queue_limit: u64,
    /// A job's deadline from submission.
    pub job_deadline_secs: u64,
    /// Attempts for jobs that fail for reasons that are not the client's.
    pub max_attempts: u32,
    /// How long a finished job's result is kept.
    pub result_ttl_secs: u64,
    /// A worker's lease on a job, renewed by heartbeats; a dead worker's job is taken over
    /// after it runs out.
    pub lease_secs: u64,
    /// Largest request body.
    pub body_limit_bytes: usize,
    /// Recent licence roots a gateway accepts.
    pub accept_roots: usize,
    /// The seller secret, on a seller's own service (previews over registered datasets).
    pub seller_secret: Option<PathBuf>,
    /// The folder registered datasets must be in: a token holder can name no other file on the
    /// machine (relative paths are taken from here).
    pub data_dir: PathBuf,
    /// Memory per proving key a worker node may spend preparing it (fixed-base tables, built
    /// when the key is first used and kept): MiB, 0 for none.
    pub precompute_mib: usize,
    /// Serve on keys from a single-party setup (`veil setup`'s own, or local halo2
    /// parameters), whose maker can forge proofs: development only. Without it the service
    /// refuses to start on such keys, naming them.
    pub allow_insecure_keys: bool,
    /// The WebAssembly verifier the buyer's page at `/` loads (`scripts/build-wasm.sh`). None
    /// given: `veil_verifier.wasm` beside the executable, else the build's
    /// `../wasm32-unknown-unknown/release/veil_verifier.wasm` from it. Its relaxed-SIMD build,
    /// `veil_verifier_relaxed.wasm`, is served from beside it when there.
    pub verifier_wasm: Option<PathBuf>,
}

/// [`Config::precompute_mib`] unless told: every preview, call and tier key in full, the
/// largest totals keys in part.
pub const DEFAULT_PRECOMPUTE_MIB: usize = 1024;

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 7878)),
            role: NodeRole::Both,
            ledger: PathBuf::from("veil.db"),
            database: None,
            database_connections: 16,
            params: PathBuf::from("params"),
            work_dir: PathBuf::from("veil-jobs"),
            workers: None,
            queue_limit: 1_000,
            job_deadline_secs: 3_600,
            max_attempts: 3,
            result_ttl_secs: 7 * 24 * 3_600,
            lease_secs: 30,
            body_limit_bytes: 32 << 20,
            accept_roots: veil_engine::gateway::DEFAULT_ACCEPTED_ROOTS,
            seller_secret: None,
            data_dir: PathBuf::from("."),
            precompute_mib: DEFAULT_PRECOMPUTE_MIB,
            allow_insecure_keys: false,
            verifier_wasm: None,
        }
    }
}

impl Config {
    /// Where the ciphertext of root `root` of listing `id` is kept. Named by its root, so that
    /// two encryptions at once (two api nodes, a retry) never leave a listing naming another's
    /// file: each writes its own, and the stored listing's `E` says which one is served.
    pub fn ciphertext_path(&self, id: &str, root: &str) -> PathBuf {
        use sha2::Digest as _;
        let name = hex::encode(sha2::Sha256::digest(id.as_bytes()));
        self.work_dir
            .join("ciphertexts")
            .join(format!("{name}-{root}.veilct"))
    }

    /// Where the page's WebAssembly verifier is: [`Config::verifier_wasm`], or the first of
    /// its default places that holds one.
    pub fn verifier_wasm_path(&self) -> Option<PathBuf> {
        if let Some(p) = &self.verifier_wasm {
            return Some(p.clone());
        }
        let exe = std::env::current_exe().ok()?;
        let dir = exe.parent()?;
        [
            dir.join("veil_verifier.wasm"),
            dir.join("../wasm32-unknown-unknown/release/veil_verifier.wasm"),
        ]
        .into_iter()
        .find(|p| p.is_file())
    }

    /// Reads a TOML file over the defaults (unknown keys are refused, by name).
    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ServiceError::Config(format!("{}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| ServiceError::Config(format!("{}: {e}", path.display())))
    }

    /// Worker threads: none on an api node; else as configured, or one per core.
    pub fn worker_count(&self) -> usize {
        if self.role == NodeRole::Api {
            return 0;
        }
        self.workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// Where the state lives, for people (never the database URL, which may hold a password).
    pub fn store_name(&self) -> String {
        match &self.database {
            Some(_) => "the PostgreSQL database".into(),
            None => self.ledger.display().to_string(),
        }
    }

    /// The job deadline.
    pub fn job_deadline(&self) -> Duration {
        Duration::from_secs(self.job_deadline_secs)
    }

    /// The lease.
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_secs.max(1))
    }

    /// The dataset file a registration names: inside [`Config::data_dir`], or refused.
    pub fn dataset_path(&self, given: &str) -> Result<PathBuf> {
        let refuse = |m: String| ServiceError::Unprocessable(m);
        let root = self.data_dir.canonicalize().map_err(|e| {
            ServiceError::Internal(format!("the data folder {}: {e}", self.data_dir.display()))
        })?;
        let path = root
            .join(given)
            .canonicalize()
            .map_err(|e| refuse(format!("dataset {given:?}: {e}")))?;
        if !path.starts_with(&root) || !path.is_file() {
            return Err(refuse(format!(
                "dataset {given:?} is not a file in this service's data folder ({}; --data-dir)",
                root.display()
            )));
        }
        Ok(path)
    }

    /// The seller secret, without which this service cannot `do_what` (an error saying so).
    pub fn seller_secret_to(&self, do_what: &str) -> Result<&Path> {
        self.seller_secret.as_deref().ok_or_else(|| {
            ServiceError::Unprocessable(format!(
                "this service has no seller secret (--seller-secret), so it cannot {do_what}"
            ))
        })
    }

    /// The keys of [`Config::params`] from a single-party setup; refused (naming the first and
    /// the switch) unless [`Config::allow_insecure_keys`].
    pub fn check_keys(&self) -> Result<Vec<String>> {
        let insecure = veil_engine::setup::insecure_keys(&self.params)?;
        if let (Some(first), false) = (insecure.first(), self.allow_insecure_keys) {
            return Err(ServiceError::Config(format!(
                "{} in {} come{} from a single-party setup (`insecure_dev_setup`): whoever \
                 made {} can forge proofs. Import ceremony keys, or start with \
                 --allow-insecure-keys (allow_insecure_keys = true) for development",
                match insecure.len() {
                    1 => format!("key {first}"),
                    n => format!("key {first} and {} more", n - 1),
                },
                self.params.display(),
                if insecure.len() == 1 { "s" } else { "" },
                if insecure.len() == 1 { "it" } else { "them" },
            )));
        }
        Ok(insecure)
    }

    /// Checks values that would make the service misbehave.
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(ServiceError::Config(m));
        if self.queue_limit == 0 {
            return bad("queue_limit must be at least 1".into());
        }
        if self.precompute_mib > veil_engine::bench::MAX_PRECOMPUTE_MIB {
            return bad(format!(
                "precompute_mib must be at most {}, not {}",
                veil_engine::bench::MAX_PRECOMPUTE_MIB,
                self.precompute_mib
            ));
        }
        if self.max_attempts == 0 {
            return bad("max_attempts must be at least 1".into());
        }
        if self.role == NodeRole::Worker && self.workers == Some(0) {
            return bad("a worker node needs at least one worker (--workers)".into());
        }
        if let Some(url) = &self.database {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return bad(
                    "database must be a postgres:// URL (the SQLite ledger is `ledger`)".into(),
                );
            }
        }
        if self.database_connections == 0 {
            return bad("database_connections must be at least 1".into());
        }
        if self.body_limit_bytes < 1024 {
            return bad(format!(
                "body_limit_bytes {} is too small for any proof",
                self.body_limit_bytes
            ));
        }
        Ok(())
    }
}
