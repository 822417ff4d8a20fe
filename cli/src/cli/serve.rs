//! `veil serve`: the HTTP service, and its access tokens.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use veil_service::{Config, NodeRole, Role};

/// Serve Veil over HTTP (the API under /v1, docs at /v1/docs), or manage its tokens.
///
/// Without a subcommand: start the service. Settings come from the defaults, then `--config`,
/// then the flags and their environment variables. `veil serve` alone listens on
/// 127.0.0.1:7878 over ./veil.db and ./params.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServeArgs {
    #[command(subcommand)]
    command: Option<ServeCommand>,
    #[command(flatten)]
    options: ServeOptions,
}

#[derive(Subcommand, Debug)]
enum ServeCommand {
    /// Access tokens (bearer tokens with a role).
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Make a token; prints it once (only its hash is stored): `T=$(veil serve token create --role auditor)`.
    Create {
        /// What the token may do.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A label for people (who holds it).
        #[arg(long, default_value = "")]
        label: String,
        #[command(flatten)]
        ledger: TokenLedger,
    },
    /// Revoke a token by its id (`tok_...`, shown when it was made and in the service's logs).
    Revoke {
        /// The token's id.
        id: String,
        #[command(flatten)]
        ledger: TokenLedger,
    },
}

/// The store the tokens are kept in: the service's.
#[derive(Args, Debug)]
struct TokenLedger {
    /// The ledger database the service runs over.
    #[arg(
        long = "ledger",
        value_name = "FILE",
        env = "VEIL_LEDGER",
        default_value = "veil.db"
    )]
    path: PathBuf,
    /// The shared PostgreSQL database the service runs over, instead of the ledger file.
    #[arg(long, value_name = "URL", env = "VEIL_DATABASE")]
    database: Option<String>,
}

impl TokenLedger {
    /// Opens the store, and names it for people.
    fn open(&self) -> Result<(std::sync::Arc<dyn veil_engine::store::ServiceStore>, String)> {
        let config = Config {
            ledger: self.path.clone(),
            database: self.database.clone(),
            ..Config::default()
        };
        Ok((veil_service::open_store(&config)?, config.store_name()))
    }
}

fn parse_role(s: &str) -> std::result::Result<Role, String> {
    Role::parse(s).map_err(|e| e.to_string())
}

/// The service's settings (each overrides the config file).
#[derive(Args, Debug)]
struct ServeOptions {
    /// A TOML file of settings (keys as in docs/service.md).
    #[arg(long, value_name = "FILE", env = "VEIL_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:7878].
    #[arg(long, value_name = "ADDR", env = "VEIL_LISTEN")]
    listen: Option<SocketAddr>,
    /// What this process does: api (HTTP, no workers), worker (prover workers; HTTP only for
    /// /healthz, /readyz, /metrics) or both [default: both].
    #[arg(long, value_name = "ROLE", value_parser = NodeRole::parse)]
    role: Option<NodeRole>,
    /// A shared PostgreSQL database (postgres://user:password@host:port/db) instead of the
    /// ledger file: every node of a deployment names the same one.
    #[arg(long, value_name = "URL", env = "VEIL_DATABASE")]
    database: Option<String>,
    /// The ledger database (created if missing) [default: veil.db].
    #[arg(long, value_name = "FILE", env = "VEIL_LEDGER")]
    ledger: Option<PathBuf>,
    /// The params folder (keys) [default: params].
    #[arg(long, value_name = "DIR", env = "VEIL_PARAMS")]
    params: Option<PathBuf>,
    /// Prover workers; 0 runs none (an API-only node) [default: one per core].
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Jobs that may wait before submissions get 429 [default: 1000].
    #[arg(long, value_name = "N")]
    queue_limit: Option<u64>,
    /// A job's deadline from submission, seconds [default: 3600].
    #[arg(long, value_name = "SECS")]
    job_deadline: Option<u64>,
    /// A worker's lease on a job, seconds (a dead worker's job is taken over after it) [default: 30].
    #[arg(long, value_name = "SECS")]
    lease: Option<u64>,
    /// The seller secret, on a seller's own service (previews over registered datasets).
    #[arg(long, value_name = "FILE", env = "VEIL_SELLER_SECRET")]
    seller_secret: Option<PathBuf>,
    /// The folder registered datasets must be in [default: the current folder].
    #[arg(long, value_name = "DIR", env = "VEIL_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Memory per proving key a worker may spend preparing it for faster proofs (fixed-base
    /// tables, kept while the service runs), MiB; 0: none [default: 1024].
    #[arg(long, value_name = "MIB")]
    precompute_mib: Option<usize>,
    /// A folder for jobs' working files [default: veil-jobs].
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// Serve on keys from a single-party setup (`veil setup`'s own, local halo2 parameters),
    /// whose maker can forge proofs: development only. Without it, `veil serve` refuses them.
    #[arg(long, env = "VEIL_ALLOW_INSECURE_KEYS")]
    allow_insecure_keys: bool,
    /// The WebAssembly verifier the buyer's page at / loads [default: veil_verifier.wasm
    /// beside this executable, else the build's wasm32-unknown-unknown/release/ one].
    #[arg(long, value_name = "FILE", env = "VEIL_VERIFIER_WASM")]
    verifier_wasm: Option<PathBuf>,
    /// Seconds running jobs get to finish on shutdown before they are queued again.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    grace: u64,
}

impl ServeOptions {
    fn config(&self) -> Result<Config> {
        let mut c = match &self.config {
            Some(f) => Config::from_file(f)?,
            None => Config::default(),
        };
        if let Some(v) = self.listen {
            c.listen = v;
        }
        if let Some(v) = self.role {
            c.role = v;
        }
        if let Some(v) = &self.ledger {
            c.ledger = v.clone();
        }
        if let Some(v) = &self.database {
            c.database = Some(v.clone());
        }
        if let Some(v) = &self.params {
            c.params = v.clone();
        }
        if let Some(v) = self.workers {
            c.workers = Some(v);
        }
        if let Some(v) = self.queue_limit {
            c.queue_limit = v;
        }
        if let Some(v) = self.job_deadline {
            c.job_deadline_secs = v;
        }
        if let Some(v) = self.lease {
            c.lease_secs = v;
        }
        if let Some(v) = &self.seller_secret {
            c.seller_secret = Some(v.clone());
        }
        if let Some(v) = &self.data_dir {
            c.data_dir = v.clone();
        }
        if let Some(v) = &self.work_dir {
            c.work_dir = v.clone();
        }
        if let Some(v) = self.precompute_mib {
            c.precompute_mib = v;
        }
        if let Some(v) = &self.verifier_wasm {
            c.verifier_wasm = Some(v.clone());
        }
        c.allow_insecure_keys |= self.allow_insecure_keys;
        c.check()?;
        Ok(c)
    }
}

/// Runs `veil serve`.
pub fn run(args: ServeArgs) -> Result<()> {
    match args.command {
        Some(ServeCommand::Token(TokenCommand::Create {
            role,
            label,
            ledger,
        })) => {
            let (store, name) = ledger.open()?;
            let (token, record) = veil_service::create_token(&*store, role, &label)?;
            eprintln!(
                "made {} token {} in {name} (shown once; keep it secret)",
                role.as_str(),
                record.id,
            );
            println!("{token}");
            Ok(())
        }
        Some(ServeCommand::Token(TokenCommand::Revoke { id, ledger })) => {
            if ledger.database.is_none() && !ledger.path.is_file() {
                anyhow::bail!("no ledger at {}", ledger.path.display());
            }
            let (store, name) = ledger.open()?;
            if !store.revoke_token(&id)? {
                anyhow::bail!("no token {id} in {name}");
            }
            println!("revoked {id}");
            Ok(())
        }
        None => {
            let config = args.options.config()?;
            let insecure = config.check_keys()?;
            let grace = Duration::from_secs(args.options.grace);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            // (Opened outside the async runtime: the PostgreSQL client blocks.)
            let store = veil_service::open_store(&config)?;
            runtime.block_on(async move {
                let (name, role) = (config.store_name(), config.role);
                let running = veil_service::start(config, store, grace).await?;
                let what = match role {
                    NodeRole::Worker => "a worker node (health and metrics only over HTTP)",
                    _ => "API docs at /v1/docs",
                };
                eprintln!(
                    "veil serve: listening on http://{} over {name} ({what}; Ctrl-C stops)",
                    running.addr,
                );
                if !insecure.is_empty() {
                    eprintln!(
                        "veil serve: INSECURE keys (single-party setup, development only): {}",
                        insecure.join(", ")
                    );
                }
                running.wait().await?;
                Ok(())
            })
        }
    }
}
