//! What every request and worker shares: the store, the configuration, the metrics, and the
//! signal that wakes idle workers when a job is queued.

use crate::config::Config;
use crate::error::{Result, ServiceError};
use crate::metrics::Metrics;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use veil_engine::gateway::CallKeys;
use veil_engine::ledger::ServiceStore;
use veil_engine::verifier::groth16::PreparedKey;
use veil_engine::verifier::proof::{GROTH16, HALO2};

/// Wakes idle workers when a job is queued (they also poll, for jobs queued by another
/// process or due after a back-off).
#[derive(Default)]
pub struct Wakeup {
    pending: Mutex<bool>,
    cv: Condvar,
}

impl Wakeup {
    /// Wakes one waiting worker.
    pub fn notify(&self) {
        *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cv.notify_one();
    }

    /// Waits for a notification or `timeout`.
    pub fn wait(&self, timeout: Duration) {
        let guard = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let (mut pending, _) = self
            .cv
            .wait_timeout_while(guard, timeout, |p| !*p)
            .unwrap_or_else(|e| e.into_inner());
        *pending = false;
    }
}

/// The service's shared state.
pub struct Shared {
    /// The ledger, job queue and registry.
    pub store: Arc<dyn ServiceStore>,
    /// The configuration.
    pub config: Config,
    /// The metrics.
    pub metrics: Metrics,
    /// Wakes workers.
    pub wakeup: Wakeup,
    /// Set when the service is shutting down: workers stop claiming.
    pub stopping: AtomicBool,
    /// Verifying keys read and prepared once (the gateway checks every call with the same key).
    keys: Mutex<HashMap<String, Arc<PreparedKey>>>,
}

impl Shared {
    /// The prepared verifying key `key` from the params folder, read once per process (after
    /// `veil setup --force` replaces keys, restart the service).
    pub fn prepared_key(&self, key: &str) -> Result<Arc<PreparedKey>> {
        if let Some(k) = self.keys.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
            return Ok(k.clone());
        }
        let (vk, _) = veil_engine::verifier::params::load_verifying_key(&self.config.params, key)?;
        let prepared = Arc::new(veil_engine::verifier::groth16::prepare(&vk));
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), prepared.clone());
        Ok(prepared)
    }

    /// The call circuit's keys at licence-tree `depth` for the `backends` a request's
    /// envelopes name: Groth16's prepared once per process ([`Self::prepared_key`]), halo2's
    /// read (or derived) once per process by the engine.
    pub fn call_keys<'b>(
        &self,
        depth: u32,
        backends: impl IntoIterator<Item = &'b str>,
    ) -> Result<CallKeys> {
        let mut keys = CallKeys::default();
        for backend in backends {
            if backend == GROTH16 && keys.groth16.is_none() {
                let id = veil_engine::verifier::usage::call_key(depth);
                keys.groth16 = Some((*self.prepared_key(&id)?).clone());
            } else if backend == HALO2 && keys.halo2.is_none() {
                let shape = veil_engine::circuits::statements::CallShape { depth };
                let (key, _) = veil_engine::halo2_params::verifying_key::<
                    veil_engine::circuits::statements::UsageCall,
                >(&self.config.params, &shape)?;
                keys.halo2 = Some(key);
            }
        }
        Ok(keys)
    }
}

/// A handle on the shared state (cheap to clone).
#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl AppState {
    /// State over `store` with `config`.
    pub fn new(store: Arc<dyn ServiceStore>, config: Config) -> Self {
        AppState(Arc::new(Shared {
            store,
            config,
            metrics: Metrics::default(),
            wakeup: Wakeup::default(),
            stopping: AtomicBool::new(false),
            keys: Mutex::new(HashMap::new()),
        }))
    }

    /// The shared state.
    pub fn shared(&self) -> &Shared {
        &self.0
    }

    /// Runs blocking work (the store, the engine) off the async threads.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn ServiceStore) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let shared = self.0.clone();
        tokio::task::spawn_blocking(move || f(&*shared.store))
            .await
            .map_err(|e| ServiceError::Internal(format!("a request's worker thread failed: {e}")))?
    }

    /// Whether the service is shutting down.
    pub fn stopping(&self) -> bool {
        self.0.stopping.load(Ordering::SeqCst)
    }
}
