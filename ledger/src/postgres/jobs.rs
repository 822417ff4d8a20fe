//! The job queue and the registry in PostgreSQL. A claim is one
//! `UPDATE ... WHERE seq = (SELECT ... FOR UPDATE SKIP LOCKED)`: workers on any number of nodes
//! each take a different job without waiting on each other; a job whose lease ran out is
//! claimed again the same way.

use super::{count, PgStore};
use crate::jobs::{
    Job, JobState, Jobs, Lease, ListingRecord, NewJob, Outcome, QueueDepth, Registry, Submitted,
    TokenRecord,
};
use crate::{LedgerError, Result};
use postgres::{GenericClient, Row};
use std::time::Duration;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    request TEXT NOT NULL,
    owner TEXT NOT NULL,
    idem_key TEXT,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    not_before BIGINT NOT NULL,
    deadline BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    worker TEXT,
    lease_until BIGINT,
    stage TEXT,
    done BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    result TEXT,
    UNIQUE (owner, idem_key));
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, seq);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, role TEXT NOT NULL, label TEXT NOT NULL,
    created_at BIGINT NOT NULL, revoked BOOLEAN NOT NULL DEFAULT FALSE);
CREATE TABLE IF NOT EXISTS listings (
    id TEXT PRIMARY KEY, listing TEXT NOT NULL, dataset TEXT, owner TEXT NOT NULL,
    created_at BIGINT NOT NULL);
";

const COLUMNS: &str = "id, kind, request, owner, idem_key, state, attempts, max_attempts, \
     created_at, started_at, finished_at, deadline, stage, done, total, error, result IS NOT NULL";

fn job_of(r: &Row) -> Result<Job> {
    let state: String = r.try_get(5)?;
    let opt =
        |i: usize| -> Result<Option<u64>> { Ok(r.try_get::<_, Option<i64>>(i)?.map(|v| v as u64)) };
    Ok(Job {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        request: r.try_get(2)?,
        owner: r.try_get(3)?,
        idempotency_key: r.try_get(4)?,
        state: JobState::parse(&state)
            .ok_or_else(|| LedgerError::Corrupt(format!("job state {state:?}")))?,
        attempts: r.try_get::<_, i64>(6)? as u32,
        max_attempts: r.try_get::<_, i64>(7)? as u32,
        created_ms: r.try_get::<_, i64>(8)? as u64,
        started_ms: opt(9)?,
        finished_ms: opt(10)?,
        deadline_ms: r.try_get::<_, i64>(11)? as u64,
        stage: r.try_get(12)?,
        done: r.try_get::<_, i64>(13)? as u64,
        total: r.try_get::<_, i64>(14)? as u64,
        error: r.try_get(15)?,
        has_result: r.try_get(16)?,
    })
}

fn get_job(c: &mut impl GenericClient, id: &str) -> Result<Option<Job>> {
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
    c.query_opt(sql.as_str(), &[&id])?
        .map(|r| job_of(&r))
        .transpose()
}

/// Times out every job whose deadline has passed, and fails running jobs that lost their
/// worker on their last attempt.
fn sweep(c: &mut impl GenericClient, now: i64) -> Result<()> {
    c.execute(
        "UPDATE jobs SET state = 'timed_out', finished_at = $1, worker = NULL, lease_until = NULL,
             error = 'its deadline passed before it finished'
         WHERE state IN ('queued', 'running') AND deadline <= $1",
        &[&now],
    )?;
    c.execute(
        "UPDATE jobs SET state = 'failed', finished_at = $1, worker = NULL, lease_until = NULL,
             error = 'its worker stopped (crashed or was killed) on every one of its ' || attempts || ' attempts'
         WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts",
        &[&now],
    )?;
    Ok(())
}

fn now() -> i64 {
    crate::jobs::now_ms() as i64
}

fn ms(d: Duration) -> i64 {
    d.as_millis().min(i64::MAX as u128) as i64
}

impl Jobs for PgStore {
    fn submit(&self, job: &NewJob, queue_limit: u64) -> Result<Submitted> {
        self.write(|tx| {
            if let Some(key) = &job.idempotency_key {
                // Two submissions with one key, on two nodes, go one at a time.
                tx.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 1))",
                    &[&format!("{}:{}{key}", job.owner.len(), job.owner)],
                )?;
                let found = tx.query_opt(
                    "SELECT id, kind, request FROM jobs WHERE owner = $1 AND idem_key = $2",
                    &[&job.owner, key],
                )?;
                if let Some(r) = found {
                    let (id, kind, request): (String, String, String) =
                        (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
                    if kind != job.kind || request != job.request {
                        return Err(LedgerError::IdempotencyConflict {
                            key: key.clone(),
                            job: id,
                        });
                    }
                    let existing = get_job(tx, &id)?
                        .ok_or_else(|| LedgerError::Corrupt(format!("job {id} vanished")))?;
                    return Ok(Submitted::Existing(existing));
                }
            }
            let queued = count(tx, "SELECT COUNT(*) FROM jobs WHERE state = 'queued'", &[])?;
            if queued >= queue_limit {
                return Err(LedgerError::QueueFull { queued });
            }
            let id = crate::jobs::new_job_id();
            let now = now();
            tx.execute(
                "INSERT INTO jobs (id, kind, request, owner, idem_key, state, max_attempts,
                     not_before, deadline, created_at)
                 VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $7)",
                &[
                    &id,
                    &job.kind,
                    &job.request,
                    &job.owner,
                    &job.idempotency_key,
                    &(job.max_attempts.max(1) as i64),
                    &now,
                    &now.saturating_add(ms(job.deadline)),
                ],
            )?;
            let created = get_job(tx, &id)?
                .ok_or_else(|| LedgerError::Corrupt(format!("job {id} vanished")))?;
            Ok(Submitted::Created(created))
        })
    }

    fn claim(&self, worker: &str, lease: Duration) -> Result<Option<Job>> {
        self.write(|tx| {
            let now = now();
            sweep(tx, now)?;
            let sql = format!(
                "UPDATE jobs SET state = 'running', worker = $1, lease_until = $2,
                     attempts = attempts + 1, started_at = COALESCE(started_at, $3),
                     stage = NULL, done = 0, total = 0
                 WHERE seq = (SELECT seq FROM jobs
                              WHERE (state = 'queued' AND not_before <= $3)
                                 OR (state = 'running' AND lease_until < $3)
                              ORDER BY seq LIMIT 1
                              FOR UPDATE SKIP LOCKED)
                 RETURNING {COLUMNS}"
            );
            tx.query_opt(
                sql.as_str(),
                &[&worker, &now.saturating_add(ms(lease)), &now],
            )?
            .map(|r| job_of(&r))
            .transpose()
        })
    }

    fn heartbeat(
        &self,
        id: &str,
        worker: &str,
        lease: Duration,
        stage: &str,
        done: u64,
        total: u64,
    ) -> Result<Lease> {
        self.write(|tx| {
            let now = now();
            let row = tx.query_opt(
                "SELECT state, worker, deadline FROM jobs WHERE id = $1 FOR UPDATE",
                &[&id],
            )?;
            let Some(row) = row else {
                return Ok(Lease::Lost);
            };
            let (state, holder, deadline): (String, Option<String>, i64) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            match state.as_str() {
                "cancelled" => return Ok(Lease::Cancelled),
                "timed_out" => return Ok(Lease::Expired),
                "running" if holder.as_deref() == Some(worker) => {}
                _ => return Ok(Lease::Lost),
            }
            if deadline <= now {
                sweep(tx, now)?;
                return Ok(Lease::Expired);
            }
            tx.execute(
                "UPDATE jobs SET lease_until = $2, stage = $3, done = $4, total = $5 WHERE id = $1",
                &[
                    &id,
                    &now.saturating_add(ms(lease)),
                    &stage,
                    &(done as i64),
                    &(total as i64),
                ],
            )?;
            Ok(Lease::Held)
        })
    }

    fn finish(&self, id: &str, worker: &str, outcome: &Outcome) -> Result<bool> {
        self.write(|tx| {
            let now = now();
            let held = "WHERE id = $1 AND state = 'running' AND worker = $2";
            let n = match outcome {
                Outcome::Succeeded(result) => tx.execute(
                    format!(
                        "UPDATE jobs SET state = 'succeeded', result = $3, finished_at = $4,
                             worker = NULL, lease_until = NULL, error = NULL {held}"
                    )
                    .as_str(),
                    &[&id, &worker, result, &now],
                )?,
                Outcome::Failed(reason) | Outcome::TimedOut(reason) => {
                    let state = match outcome {
                        Outcome::Failed(_) => "failed",
                        _ => "timed_out",
                    };
                    tx.execute(
                        format!(
                            "UPDATE jobs SET state = $5, error = $3, finished_at = $4,
                                 worker = NULL, lease_until = NULL {held}"
                        )
                        .as_str(),
                        &[&id, &worker, reason, &now, &state],
                    )?
                }
                Outcome::Retry { reason, after } => tx.execute(
                    format!(
                        "UPDATE jobs SET
                             state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                             finished_at = CASE WHEN attempts >= max_attempts THEN $4::BIGINT ELSE NULL END,
                             not_before = $4::BIGINT + $5::BIGINT, error = $3, worker = NULL, lease_until = NULL {held}"
                    )
                    .as_str(),
                    &[&id, &worker, reason, &now, &ms(*after)],
                )?,
            };
            Ok(n == 1)
        })
    }

    fn release(&self, worker: &str) -> Result<u64> {
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE jobs SET state = 'queued', worker = NULL, lease_until = NULL,
                     attempts = GREATEST(attempts - 1, 0),
                     error = 'interrupted by a shutdown; queued again'
                 WHERE state = 'running' AND worker = $1",
                &[&worker],
            )?)
        })
    }

    fn cancel(&self, id: &str) -> Result<Option<Job>> {
        self.write(|tx| {
            tx.execute(
                "UPDATE jobs SET state = 'cancelled', finished_at = $2, worker = NULL,
                     lease_until = NULL, error = 'cancelled by its owner'
                 WHERE id = $1 AND state IN ('queued', 'running')",
                &[&id, &now()],
            )?;
            get_job(tx, id)
        })
    }

    fn job(&self, id: &str) -> Result<Option<Job>> {
        get_job(&mut *self.conn()?, id)
    }

    fn job_result(&self, id: &str) -> Result<Option<String>> {
        Ok(self
            .conn()?
            .query_opt(
                "SELECT result FROM jobs WHERE id = $1 AND state = 'succeeded'",
                &[&id],
            )?
            .map(|r| r.try_get::<_, Option<String>>(0))
            .transpose()?
            .flatten())
    }

    fn jobs(&self, owner: Option<&str>, limit: usize) -> Result<Vec<Job>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM jobs WHERE $1::TEXT IS NULL OR owner = $1
             ORDER BY seq DESC LIMIT $2"
        );
        self.conn()?
            .query(sql.as_str(), &[&owner, &(limit as i64)])?
            .iter()
            .map(job_of)
            .collect()
    }

    fn queue_depth(&self) -> Result<QueueDepth> {
        let r = self.conn()?.query_one(
            "SELECT COUNT(*) FILTER (WHERE state = 'queued'),
                    COUNT(*) FILTER (WHERE state = 'running') FROM jobs",
            &[],
        )?;
        Ok(QueueDepth {
            queued: r.try_get::<_, i64>(0)? as u64,
            running: r.try_get::<_, i64>(1)? as u64,
        })
    }

    fn expire_results(&self, age: Duration) -> Result<u64> {
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE jobs SET result = NULL WHERE result IS NOT NULL AND finished_at <= $1",
                &[&now().saturating_sub(ms(age))],
            )?)
        })
    }
}

impl Registry for PgStore {
    fn add_token(&self, record: &TokenRecord, sha256: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO tokens (id, sha256, role, label, created_at) VALUES ($1, $2, $3, $4, $5)",
                &[&record.id, &sha256, &record.role, &record.label, &now()],
            )?;
            Ok(())
        })
    }

    fn token(&self, sha256: &str) -> Result<Option<TokenRecord>> {
        self.conn()?
            .query_opt(
                "SELECT id, role, label FROM tokens WHERE sha256 = $1 AND NOT revoked",
                &[&sha256],
            )?
            .map(|r| {
                Ok(TokenRecord {
                    id: r.try_get(0)?,
                    role: r.try_get(1)?,
                    label: r.try_get(2)?,
                })
            })
            .transpose()
    }

    fn revoke_token(&self, id: &str) -> Result<bool> {
        self.write(|tx| {
            Ok(tx.execute("UPDATE tokens SET revoked = TRUE WHERE id = $1", &[&id])? == 1)
        })
    }

    fn register_listing(&self, record: &ListingRecord) -> Result<()> {
        self.write(|tx| {
            // Inserted, or replaced only for the same owner.
            let n = tx.execute(
                "INSERT INTO listings (id, listing, dataset, owner, created_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (id) DO UPDATE SET listing = EXCLUDED.listing,
                     dataset = EXCLUDED.dataset, created_at = EXCLUDED.created_at
                 WHERE listings.owner = EXCLUDED.owner",
                &[
                    &record.id,
                    &record.listing,
                    &record.dataset,
                    &record.owner,
                    &now(),
                ],
            )?;
            if n == 0 {
                return Err(LedgerError::Taken(format!(
                    "listing {:?} is registered by another seller",
                    record.id
                )));
            }
            Ok(())
        })
    }

    fn listing(&self, id: &str) -> Result<Option<ListingRecord>> {
        self.conn()?
            .query_opt(
                "SELECT id, listing, dataset, owner FROM listings WHERE id = $1",
                &[&id],
            )?
            .map(|r| {
                Ok(ListingRecord {
                    id: r.try_get(0)?,
                    listing: r.try_get(1)?,
                    dataset: r.try_get(2)?,
                    owner: r.try_get(3)?,
                })
            })
            .transpose()
    }
}
