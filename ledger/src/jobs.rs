//! The durable job queue and the service's registry (access tokens, listings), kept in the same
//! store as licences, nullifiers and receipts so that one database is the service's whole state.
//!
//! A job is a row. Workers *claim* the oldest runnable job under a *lease* (a deadline they
//! renew with heartbeats while they work); a job whose lease runs out (its worker died) is
//! claimed again by another worker. A result is written once: [`Jobs::finish`] only succeeds for
//! the worker that holds the lease, so a job has exactly one result however many times it ran.
//! Jobs are pure (they read the ledger and write only their own row), so running one twice
//! changes nothing else. See `docs/service.md` for the lifecycle.

use crate::Result;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (the queue's clock).
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A fresh job id: 24 random hex digits.
pub(crate) fn new_job_id() -> String {
    use rand::RngCore;
    let mut raw = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut raw);
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting for a worker (also between retries).
    Queued,
    /// A worker holds its lease.
    Running,
    /// Done; its result is stored.
    Succeeded,
    /// Refused or failed for good; the reason is stored.
    Failed,
    /// Cancelled by its owner; any running work stops at its next heartbeat.
    Cancelled,
    /// Its deadline passed before it finished.
    TimedOut,
}

impl JobState {
    /// Every state, in lifecycle order.
    pub const ALL: [JobState; 6] = [
        JobState::Queued,
        JobState::Running,
        JobState::Succeeded,
        JobState::Failed,
        JobState::Cancelled,
        JobState::TimedOut,
    ];

    /// The state's name as stored and shown (`queued`, `running`, ..., `timed_out`).
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
            JobState::TimedOut => "timed_out",
        }
    }

    /// Parses a stored state name.
    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the job will not change any more.
    pub fn is_final(self) -> bool {
        !matches!(self, JobState::Queued | JobState::Running)
    }
}

/// A job to enqueue.
#[derive(Clone, Debug)]
pub struct NewJob {
    /// What to do (`preview`, `audit-report`, ...); the service defines the kinds.
    pub kind: String,
    /// The request, JSON, as the worker will read it.
    pub request: String,
    /// Who submitted it (a token id); jobs are listed and idempotency keys scoped per owner.
    pub owner: String,
    /// A client-chosen key: submitting the same key again returns the first job.
    pub idempotency_key: Option<String>,
    /// Time from submission after which the job is timed out.
    pub deadline: Duration,
    /// Attempts before a job that keeps failing (or losing its worker) fails for good.
    pub max_attempts: u32,
}

/// A stored job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// Its id (random, hex).
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its request, JSON.
    pub request: String,
    /// Its owner (token id).
    pub owner: String,
    /// Its idempotency key, if any.
    pub idempotency_key: Option<String>,
    /// Its state.
    pub state: JobState,
    /// Attempts started so far.
    pub attempts: u32,
    /// Attempts allowed.
    pub max_attempts: u32,
    /// Submission time (ms since the Unix epoch).
    pub created_ms: u64,
    /// When the first attempt started.
    pub started_ms: Option<u64>,
    /// When it reached a final state.
    pub finished_ms: Option<u64>,
    /// When it times out.
    pub deadline_ms: u64,
    /// The stage it is in (while running) or ended in.
    pub stage: Option<String>,
    /// Units of the stage done.
    pub done: u64,
    /// Units of the stage in all (0: unknown).
    pub total: u64,
    /// Why it failed, timed out or was retried.
    pub error: Option<String>,
    /// Whether a result is stored (succeeded and not yet expired).
    pub has_result: bool,
}

/// What [`Jobs::submit`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Submitted {
    /// A new job was queued.
    Created(Job),
    /// The idempotency key was used before with the same request: that job.
    Existing(Job),
}

impl Submitted {
    /// The job, new or existing.
    pub fn job(&self) -> &Job {
        match self {
            Submitted::Created(j) | Submitted::Existing(j) => j,
        }
    }
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done, with its result (JSON).
    Succeeded(String),
    /// Failed for good (bad input, a refusal): no retry.
    Failed(String),
    /// Failed for a reason that is not the client's (I/O, a crash): retried after `after`
    /// unless the attempts are used up.
    Retry {
        /// Why.
        reason: String,
        /// Back-off before the next attempt.
        after: Duration,
    },
    /// Its deadline passed or it was stopped for running too long.
    TimedOut(String),
}

impl Outcome {
    /// The state a job ends in with this outcome (a retry ends nothing: `Queued`).
    pub fn final_state(&self) -> JobState {
        match self {
            Outcome::Succeeded(_) => JobState::Succeeded,
            Outcome::Failed(_) => JobState::Failed,
            Outcome::TimedOut(_) => JobState::TimedOut,
            Outcome::Retry { .. } => JobState::Queued,
        }
    }
}

/// What a heartbeat of `worker` finds at `now` in a job's stored `(state, holder, deadline)`
/// (`None`: no such job). On `Expired` the caller times the job out.
pub(crate) fn lease_of(
    row: Option<(String, Option<String>, i64)>,
    worker: &str,
    now: i64,
) -> Lease {
    let Some((state, holder, deadline)) = row else {
        return Lease::Lost;
    };
    match state.as_str() {
        "cancelled" => Lease::Cancelled,
        "timed_out" => Lease::Expired,
        "running" if holder.as_deref() == Some(worker) && deadline <= now => Lease::Expired,
        "running" if holder.as_deref() == Some(worker) => Lease::Held,
        _ => Lease::Lost,
    }
}

/// A submission whose idempotency key `key` found job `(id, kind, request)`: that job when the
/// request is the same (read with `get`), else a conflict.
pub(crate) fn resubmitted(
    job: &NewJob,
    key: &str,
    (id, kind, request): (String, String, String),
    get: impl FnOnce(&str) -> Result<Option<Job>>,
) -> Result<Submitted> {
    if kind != job.kind || request != job.request {
        return Err(crate::LedgerError::IdempotencyConflict {
            key: key.to_string(),
            job: id,
        });
    }
    let existing =
        get(&id)?.ok_or_else(|| crate::LedgerError::Corrupt(format!("job {id} vanished")))?;
    Ok(Submitted::Existing(existing))
}

/// What a heartbeat found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lease {
    /// The worker still holds the job: go on.
    Held,
    /// The owner cancelled it: stop.
    Cancelled,
    /// Its deadline passed: stop (the job is now timed out).
    Expired,
    /// Another worker took it over (this one was presumed dead): stop, write nothing.
    Lost,
}

/// Jobs by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueDepth {
    /// Waiting.
    pub queued: u64,
    /// Held by a worker.
    pub running: u64,
}

/// The durable job queue.
pub trait Jobs: Send + Sync {
    /// Enqueues `job`, unless its idempotency key was used before by the same owner: then the
    /// first job is returned if the request is the same, and [`LedgerError::IdempotencyConflict`]
    /// if it differs. Refuses with [`LedgerError::QueueFull`] when `queue_limit` jobs are
    /// already queued.
    ///
    /// [`LedgerError::IdempotencyConflict`]: crate::LedgerError::IdempotencyConflict
    /// [`LedgerError::QueueFull`]: crate::LedgerError::QueueFull
    fn submit(&self, job: &NewJob, queue_limit: u64) -> Result<Submitted>;

    /// Claims the oldest runnable job for `worker` under a lease of `lease`: a queued job whose
    /// back-off is over, or a running one whose lease ran out (its worker is presumed dead).
    /// Jobs past their deadline are timed out on the way, and a job that lost its worker on its
    /// last attempt fails.
    fn claim(&self, worker: &str, lease: Duration) -> Result<Option<Job>>;

    /// Renews `worker`'s lease on job `id` and records its progress.
    fn heartbeat(
        &self,
        id: &str,
        worker: &str,
        lease: Duration,
        stage: &str,
        done: u64,
        total: u64,
    ) -> Result<Lease>;

    /// Ends `worker`'s attempt at job `id`. Returns whether it was recorded: `false` when the
    /// worker no longer holds the job (cancelled, timed out or taken over), so a result is
    /// written once.
    fn finish(&self, id: &str, worker: &str, outcome: &Outcome) -> Result<bool>;

    /// Puts `worker`'s running jobs back in the queue (graceful shutdown), without counting
    /// the interrupted attempt. Returns how many.
    fn release(&self, worker: &str) -> Result<u64>;

    /// Cancels job `id` (a final job stays as it is). `None` if there is no such job.
    fn cancel(&self, id: &str) -> Result<Option<Job>>;

    /// Job `id`.
    fn job(&self, id: &str) -> Result<Option<Job>>;

    /// The result of job `id` (JSON), if it succeeded and the result has not expired.
    fn job_result(&self, id: &str) -> Result<Option<String>>;

    /// The newest `limit` jobs, of `owner` when given, newest first.
    fn jobs(&self, owner: Option<&str>, limit: usize) -> Result<Vec<Job>>;

    /// How many jobs are queued and running.
    fn queue_depth(&self) -> Result<QueueDepth>;

    /// Deletes the results of jobs finished more than `age` ago (the job rows stay). Returns
    /// how many.
    fn expire_results(&self, age: Duration) -> Result<u64>;
}

/// An access token's record: its id, role and label (the token itself is never stored, only
/// its SHA-256).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    /// The token's public id (what logs and job owners show).
    pub id: String,
    /// Its role's name.
    pub role: String,
    /// A label for people.
    pub label: String,
}

/// A registered listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingRecord {
    /// The dataset id.
    pub id: String,
    /// The listing, JSON.
    pub listing: String,
    /// The dataset's path on the seller's machine (a seller's service only).
    pub dataset: Option<String>,
    /// Who registered it (token id).
    pub owner: String,
}

/// The service's registry: access tokens and listings.
pub trait Registry: Send + Sync {
    /// Stores a token by the SHA-256 of its secret (hex), with its id, role and label.
    fn add_token(&self, record: &TokenRecord, sha256: &str) -> Result<()>;

    /// The token whose secret hashes to `sha256`, unless revoked.
    fn token(&self, sha256: &str) -> Result<Option<TokenRecord>>;

    /// Revokes token `id`; returns whether it existed.
    fn revoke_token(&self, id: &str) -> Result<bool>;

    /// Registers a listing; registering the same id again replaces it only for the same owner
    /// (another owner's id is [`LedgerError::Taken`]).
    ///
    /// [`LedgerError::Taken`]: crate::LedgerError::Taken
    fn register_listing(&self, record: &ListingRecord) -> Result<()>;

    /// Listing `id`.
    fn listing(&self, id: &str) -> Result<Option<ListingRecord>>;
}

/// Everything the service keeps: the ledger, the job queue and the registry in one store.
pub trait ServiceStore: crate::Store + Jobs + Registry {}

impl<T: crate::Store + Jobs + Registry> ServiceStore for T {}
