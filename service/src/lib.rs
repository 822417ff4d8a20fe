//! `veil serve`: Veil's HTTP service. An axum/tokio JSON API under `/v1` in front of the
//! engine (the same use-cases the command line calls, so the two never disagree), a durable
//! job queue in the store feeding prover worker threads, bearer tokens with roles, Prometheus
//! metrics and an OpenAPI document generated from the code. `docs/service.md` describes the
//! API, the roles, the job lifecycle and what each deployment trusts.
#![deny(missing_docs)]

pub mod auth;
pub mod config;
pub mod error;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod state;

pub use auth::{create_token, Role};
pub use config::{Config, NodeRole};
pub use error::{Result, ServiceError};
pub use state::AppState;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tower_http::trace::TraceLayer;
use veil_engine::ledger::{PgStore, ServiceStore, SqliteStore};

/// The router: every route (a worker node: health and metrics only), the body limit, request
/// tracing and a JSON 404.
pub fn app(state: AppState) -> Router {
    use routes::meta;
    let limit = state.shared().config.body_limit_bytes;
    let node = Router::new()
        .route("/healthz", get(meta::healthz))
        .route("/readyz", get(meta::readyz))
        .route("/metrics", get(meta::metrics));
    let routes = if state.shared().config.role == NodeRole::Worker {
        node
    } else {
        node.merge(api())
    };
    routes
        .fallback(meta::not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The buyer's page at `/` (gzip when the browser takes it: the verifier is megabytes).
fn page() -> Router<AppState> {
    use routes::web;
    let mut r = Router::new()
        .route("/", get(web::index))
        .route("/veil_verifier.wasm", get(web::verifier_wasm))
        .route(
            "/veil_verifier_relaxed.wasm",
            get(web::verifier_wasm_relaxed),
        );
    for name in web::page_files() {
        r = r.route(&format!("/{name}"), get(web::asset));
    }
    r.layer(tower_http::compression::CompressionLayer::new())
}

/// The API under `/v1`, and the page.
fn api() -> Router<AppState> {
    use routes::{jobs, ledger, listings, meta, sale, verify, web};
    page()
        .route("/v1/keys", get(web::manifest))
        .route("/v1/keys/{file}", get(web::key))
        .route("/v1/keys/halo2/{file}", get(web::halo2_key))
        .route("/v1/openapi.json", get(openapi::openapi))
        .route("/v1/docs", get(openapi::docs))
        .route("/v1/circuits", get(meta::circuits))
        .route("/v1/listings", post(listings::register))
        .route("/v1/listings/{id}", get(listings::get))
        .route(
            "/v1/listings/{id}/ciphertext",
            post(sale::encrypt).get(sale::ciphertext),
        )
        .route("/v1/listings/{id}/key-notes", post(sale::key_note))
        .route("/v1/jobs", post(jobs::submit).get(jobs::list))
        .route("/v1/jobs/{id}", get(jobs::get))
        .route("/v1/jobs/{id}/cancel", post(jobs::cancel))
        .route("/v1/jobs/{id}/result", get(jobs::result))
        .route("/v1/verify", post(verify::verify))
        .route("/v1/settlements", post(ledger::settle))
        .route("/v1/ledger", get(ledger::ledger))
        .route("/v1/licences", post(ledger::issue))
        .route("/v1/licences/{index}", get(ledger::licence_path))
        .route("/v1/gateway/calls", post(ledger::check_call))
        .route("/v1/gateway/calls/batch", post(ledger::check_calls))
        .route("/v1/gateway/epochs/close", post(ledger::close_epoch))
}

/// Opens the store the configuration names: the shared PostgreSQL database, or the SQLite
/// ledger (created if missing).
pub fn open_store(config: &Config) -> Result<Arc<dyn ServiceStore>> {
    config.check()?;
    match &config.database {
        Some(url) => {
            let store = PgStore::connect(url, None, config.database_connections)
                .map_err(|e| ServiceError::Config(e.to_string()))?;
            Ok(Arc::new(store))
        }
        None => {
            let store = SqliteStore::create(&config.ledger)
                .map_err(|e| ServiceError::Config(format!("{}: {e}", config.ledger.display())))?;
            Ok(Arc::new(store))
        }
    }
}

/// A running service: its address, and the handle that stops it.
pub struct Running {
    /// The address it listens on (the bound port when the configuration asked for port 0).
    pub addr: std::net::SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<Result<()>>,
}

impl Running {
    /// Waits until the service stops (on SIGINT or SIGTERM).
    pub async fn wait(self) -> Result<()> {
        let Running { stop, done, .. } = self;
        let out = done
            .await
            .map_err(|e| ServiceError::Internal(format!("the service task failed: {e}")))?;
        drop(stop);
        out
    }

    /// Stops gracefully (as on SIGTERM) and waits until it has.
    pub async fn stop(self) -> Result<()> {
        let _ = self.stop.send(());
        self.done
            .await
            .map_err(|e| ServiceError::Internal(format!("the service task failed: {e}")))?
    }
}

/// Starts the service on `config` over `store`: the listener, the workers, and the graceful
/// shutdown that runs when [`Running::stop`] is called or the process gets SIGINT or SIGTERM.
/// Running jobs get `grace` to finish; what is still running then is put back in the queue.
pub async fn start(
    config: Config,
    store: Arc<dyn ServiceStore>,
    grace: Duration,
) -> Result<Running> {
    config.check()?;
    let insecure = config.check_keys()?;
    if !insecure.is_empty() {
        tracing::warn!(
            keys = %insecure.join(", "),
            "serving on INSECURE keys (single-party setup: their maker can forge proofs); \
             development only"
        );
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| ServiceError::Config(format!("listening on {}: {e}", config.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServiceError::Config(e.to_string()))?;
    let workers = config.worker_count();
    if workers > 0 {
        // Workers prove against the same keys again and again: keep them loaded and prepared.
        veil_engine::provers::keep(config.precompute_mib << 20);
    }
    let state = AppState::new(store, config);
    let prefix = format!("worker-{}-{:x}", std::process::id(), rand::random::<u32>());
    let handles = jobs::worker::start(&state, &prefix, workers);
    tracing::info!(%addr, workers, "veil serve listening");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let st = state.clone();
    let done = tokio::spawn(async move {
        let signal = async move {
            tokio::select! {
                _ = stopped => {}
                _ = shutdown_signal() => {}
            }
            tracing::info!("shutting down: no new requests; running jobs get a grace period");
        };
        let served = axum::serve(listener, app(st.clone()))
            .with_graceful_shutdown(signal)
            .await
            .map_err(|e| ServiceError::Internal(format!("serving: {e}")));
        st.shared().stopping.store(true, Ordering::SeqCst);
        let names: Vec<String> = handles.iter().map(|(n, _)| n.clone()).collect();
        let deadline = tokio::time::Instant::now() + grace;
        while handles.iter().any(|(_, h)| !h.is_finished())
            && tokio::time::Instant::now() < deadline
        {
            st.shared().wakeup.notify();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Whatever still runs goes back to the queue for the next start (or another node).
        // The state moves to a blocking thread so that the store is dropped there: the
        // PostgreSQL client closes its connections by blocking, which no async thread may do.
        let requeued = tokio::task::spawn_blocking(move || {
            let store = &st.shared().store;
            names
                .iter()
                .map(|n| store.release(n).unwrap_or(0))
                .sum::<u64>()
        })
        .await
        .unwrap_or(0);
        if requeued > 0 {
            tracing::info!(requeued, "running jobs put back in the queue");
        }
        served
    });
    Ok(Running { addr, stop, done })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
