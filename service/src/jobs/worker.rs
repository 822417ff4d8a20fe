//! Prover workers: threads that claim jobs from the store, run them through the engine and
//! write their outcome once. A heartbeat thread per running job renews the lease, records the
//! job's stage and `done/total`, and tells the engine to stop when the job is cancelled or its
//! deadline passes.
//!
//! Scheduling: when at least as many jobs wait as there are workers, each worker proves on its
//! own one-thread pool (throughput: one proof per core, no contention); otherwise a job gets
//! the shared pool of every core (latency: a lone large report uses the whole machine).

use super::JobRequest;
use crate::state::AppState;
use rayon::ThreadPool;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use veil_engine::ledger::{Job, Lease, Outcome};
use veil_engine::{EngineError, Progress, Unit};

/// The progress of one running job, shared with its heartbeat thread.
struct JobProgress {
    stage: Mutex<String>,
    done: AtomicU64,
    total: AtomicU64,
    /// Set by the heartbeat when the job was cancelled, timed out or taken over.
    stop: Mutex<Option<Lease>>,
    stopped: AtomicBool,
}

impl Progress for JobProgress {
    fn start(&self, stage: &str, total: u64, _unit: Unit) {
        *self.stage.lock().unwrap_or_else(|e| e.into_inner()) = stage.to_string();
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }
    fn set(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }
    fn finish(&self) {
        self.done
            .store(self.total.load(Ordering::Relaxed), Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Starts `n` worker threads named `{prefix}-{i}`; returns their handles.
pub fn start(
    state: &AppState,
    prefix: &str,
    n: usize,
) -> Vec<(String, std::thread::JoinHandle<()>)> {
    (0..n)
        .map(|i| {
            let name = format!("{prefix}-{i}");
            let (st, id) = (state.clone(), name.clone());
            let handle = std::thread::Builder::new()
                .name(name.clone())
                .spawn(move || run_worker(&st, &id))
                .expect("spawning a worker thread");
            (name, handle)
        })
        .collect()
}

fn run_worker(state: &AppState, worker: &str) {
    let shared = state.shared();
    let own_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(move |_| "veil-prover".into())
        .build()
        .ok();
    let workers = shared.config.worker_count().max(1) as u64;
    let mut last_expiry = Instant::now() - Duration::from_secs(60);
    while !state.stopping() {
        match shared.store.claim(worker, shared.config.lease()) {
            Ok(Some(job)) => {
                // Throughput mode when the queue alone would keep every worker busy.
                let busy = shared
                    .store
                    .queue_depth()
                    .map(|d| d.queued + 1 >= workers)
                    .unwrap_or(false);
                let pool = own_pool.as_ref().filter(|_| busy && workers > 1);
                run_job(state, worker, job, pool);
            }
            Ok(None) => shared.wakeup.wait(Duration::from_millis(500)),
            Err(e) => {
                tracing::error!(worker, error = %e, "claiming a job failed");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        if last_expiry.elapsed() >= Duration::from_secs(60) {
            last_expiry = Instant::now();
            if let Err(e) = shared
                .store
                .expire_results(Duration::from_secs(shared.config.result_ttl_secs))
            {
                tracing::warn!(error = %e, "expiring old results failed");
            }
        }
    }
}

fn run_job(state: &AppState, worker: &str, job: Job, pool: Option<&ThreadPool>) {
    let shared = state.shared();
    let m = &shared.metrics;
    let kind_label = crate::metrics::KindLabel {
        kind: job.kind.clone(),
    };
    let queued_s = now_ms().saturating_sub(job.created_ms) as f64 / 1e3;
    if job.attempts == 1 {
        m.job_queued_seconds
            .get_or_create(&kind_label)
            .observe(queued_s);
    }
    tracing::info!(job = %job.id, kind = %job.kind, attempt = job.attempts, worker, "job started");
    let request: JobRequest = match serde_json::from_str(&job.request) {
        Ok(r) => r,
        Err(e) => {
            finish(
                state,
                &job,
                worker,
                Outcome::Failed(format!("the stored request does not parse: {e}")),
            );
            return;
        }
    };
    let progress = Arc::new(JobProgress {
        stage: Mutex::new("starting".into()),
        done: AtomicU64::new(0),
        total: AtomicU64::new(0),
        stop: Mutex::new(None),
        stopped: AtomicBool::new(false),
    });
    let dir = shared.config.work_dir.join(&job.id);
    let started = Instant::now();
    let running = AtomicBool::new(true);
    m.jobs_running_here.inc();
    let outcome = std::thread::scope(|s| {
        let beat = s.spawn(|| heartbeat(state, &job.id, worker, &progress, &running));
        let dyn_progress: Arc<dyn Progress> = progress.clone();
        let work = || -> std::result::Result<String, EngineError> {
            std::fs::create_dir_all(&dir).map_err(|error| EngineError::Io {
                context: format!("creating the job folder {}", dir.display()),
                error,
            })?;
            request.run(shared, &dir, &dyn_progress)
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match pool {
            Some(p) => p.install(work),
            None => work(),
        }));
        running.store(false, Ordering::SeqCst);
        let _ = beat.join();
        result
    });
    m.jobs_running_here.dec();
    let _ = std::fs::remove_dir_all(&dir);
    m.job_running_seconds
        .get_or_create(&kind_label)
        .observe(started.elapsed().as_secs_f64());
    let mut stop = *progress.stop.lock().unwrap_or_else(|e| e.into_inner());
    if stop.is_none() {
        // The last progress (the heartbeat records it only every few seconds).
        let stage = progress
            .stage
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let (done, total) = (
            progress.done.load(Ordering::Relaxed),
            progress.total.load(Ordering::Relaxed),
        );
        match shared
            .store
            .heartbeat(&job.id, worker, shared.config.lease(), &stage, done, total)
        {
            Ok(Lease::Held) | Err(_) => {}
            Ok(other) => stop = Some(other),
        }
    }
    let outcome = match (outcome, stop) {
        (_, Some(Lease::Cancelled)) | (_, Some(Lease::Lost)) => {
            tracing::info!(job = %job.id, ?stop, "job stopped");
            if stop == Some(Lease::Cancelled) {
                announce(state, &job.id);
            }
            return;
        }
        (_, Some(Lease::Expired)) => Outcome::TimedOut("its deadline passed while it ran".into()),
        (Ok(Ok(result)), _) => {
            m.proofs
                .get_or_create(&crate::metrics::ProofLabel {
                    statement: request.statement().into(),
                    backend: "groth16".into(),
                })
                .inc();
            Outcome::Succeeded(result)
        }
        (Ok(Err(e)), _) => match e {
            // Not the client's doing: the disk, the database, a tool; worth another attempt.
            EngineError::Io { .. } | EngineError::Noir(_) => Outcome::Retry {
                reason: e.to_string(),
                after: Duration::from_secs(1 << job.attempts.min(6)),
            },
            EngineError::Ledger(ref l) if l.is_transient() => Outcome::Retry {
                reason: e.to_string(),
                after: Duration::from_secs(1 << job.attempts.min(6)),
            },
            other => Outcome::Failed(other.to_string()),
        },
        (Err(_), _) => Outcome::Failed(
            "the prover failed unexpectedly (an internal error, logged by the service)".into(),
        ),
    };
    finish(state, &job, worker, outcome);
}

/// Records an attempt's outcome (once; a job no longer held is left alone).
fn finish(state: &AppState, job: &Job, worker: &str, outcome: Outcome) {
    let shared = state.shared();
    let label = match &outcome {
        Outcome::Succeeded(_) => None,
        Outcome::Failed(_) => Some("failed"),
        Outcome::Retry { .. } => Some("retried"),
        Outcome::TimedOut(_) => Some("timed_out"),
    };
    match shared.store.finish(&job.id, worker, &outcome) {
        Ok(true) => {
            if let Some(l) = label {
                shared.metrics.failure(&job.kind, l);
            }
            tracing::info!(job = %job.id, outcome = label.unwrap_or("succeeded"), "job finished");
            if !matches!(outcome, Outcome::Retry { .. }) {
                announce(state, &job.id);
            }
        }
        Ok(false) => tracing::info!(job = %job.id, "job no longer ours; outcome dropped"),
        Err(e) => tracing::error!(job = %job.id, error = %e, "recording a job's outcome failed"),
    }
}

/// Renews the lease and records progress until the work ends; stops the work when the job is
/// cancelled, timed out or taken over.
fn heartbeat(
    state: &AppState,
    id: &str,
    worker: &str,
    progress: &JobProgress,
    running: &AtomicBool,
) {
    let shared = state.shared();
    let lease = shared.config.lease();
    let every = (lease / 4)
        .max(Duration::from_millis(50))
        .min(Duration::from_secs(2));
    let mut last = Instant::now() - every;
    while running.load(Ordering::SeqCst) {
        if last.elapsed() >= every {
            last = Instant::now();
            let stage = progress
                .stage
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            match shared.store.heartbeat(
                id,
                worker,
                lease,
                &stage,
                progress.done.load(Ordering::Relaxed),
                progress.total.load(Ordering::Relaxed),
            ) {
                Ok(Lease::Held) => {}
                Ok(other) => {
                    *progress.stop.lock().unwrap_or_else(|e| e.into_inner()) = Some(other);
                    progress.stopped.store(true, Ordering::Relaxed);
                    if other == Lease::Cancelled {
                        shared.metrics.failure(&kind_of(shared, id), "cancelled");
                    }
                    return;
                }
                Err(e) => tracing::warn!(job = id, error = %e, "heartbeat failed"),
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kind_of(shared: &crate::state::Shared, id: &str) -> String {
    shared
        .store
        .job(id)
        .ok()
        .flatten()
        .map_or_else(|| "unknown".into(), |j| j.kind)
}

/// POSTs a finished job (as `GET /v1/jobs/{id}` shows it) to its webhook, if it has one: in the
/// background, three attempts with back-off, each with a 10-second timeout. A webhook that
/// cannot be reached is logged; the job's outcome stands either way.
fn announce(state: &AppState, id: &str) {
    let job = match state.shared().store.job(id) {
        Ok(Some(j)) => j,
        _ => return,
    };
    let url = match serde_json::from_str::<JobRequest>(&job.request) {
        Ok(r) => match r.webhook() {
            Some(u) => u.to_string(),
            None => return,
        },
        Err(_) => return,
    };
    let body = crate::routes::jobs::JobView::of(job);
    let body = match serde_json::to_value(&body) {
        Ok(b) => b,
        Err(_) => return,
    };
    let id = id.to_string();
    std::thread::spawn(move || {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(10))
            .build();
        for attempt in 0..3u32 {
            match agent
                .post(&url)
                .set("Veil-Job", &id)
                .send_json(body.clone())
            {
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(job = %id, attempt, error = %e, "webhook failed");
                    std::thread::sleep(Duration::from_secs(1 << attempt));
                }
            }
        }
    });
}
