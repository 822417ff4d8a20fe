//! The job queue and the registry in SQLite. A claim is one `UPDATE ... RETURNING` inside a
//! write transaction taken up front (`BEGIN IMMEDIATE`), so two workers can never claim the same
//! job; PostgreSQL's equivalent is `SELECT ... FOR UPDATE SKIP LOCKED`.

use super::db::write;
use super::SqliteStore;
use crate::jobs::{
    Job, JobState, Jobs, Lease, ListingRecord, NewJob, Outcome, QueueDepth, Registry, Submitted,
    TokenRecord,
};
use crate::{LedgerError, Result};
use rusqlite::{params, OptionalExtension, Row, Transaction};
use std::time::Duration;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    request TEXT NOT NULL,
    owner TEXT NOT NULL,
    idem_key TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    not_before INTEGER NOT NULL,
    deadline INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    worker TEXT,
    lease_until INTEGER,
    stage TEXT,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    result TEXT,
    UNIQUE (owner, idem_key));
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, seq);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, role TEXT NOT NULL, label TEXT NOT NULL,
    created_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS listings (
    id TEXT PRIMARY KEY, listing TEXT NOT NULL, dataset TEXT, owner TEXT NOT NULL,
    created_at INTEGER NOT NULL);
";

const COLUMNS: &str = "id, kind, request, owner, idem_key, state, attempts, max_attempts, \
     created_at, started_at, finished_at, deadline, stage, done, total, error, result IS NOT NULL";

use crate::jobs::now_ms;

fn ms(d: Duration) -> i64 {
    d.as_millis().min(i64::MAX as u128) as i64
}

fn job_of(r: &Row) -> rusqlite::Result<Job> {
    let state: String = r.get(5)?;
    let opt = |i: usize| -> rusqlite::Result<Option<u64>> {
        Ok(r.get::<_, Option<i64>>(i)?.map(|v| v as u64))
    };
    Ok(Job {
        id: r.get(0)?,
        kind: r.get(1)?,
        request: r.get(2)?,
        owner: r.get(3)?,
        idempotency_key: r.get(4)?,
        state: JobState::parse(&state).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                5,
                rusqlite::types::Type::Text,
                format!("job state {state:?}").into(),
            )
        })?,
        attempts: r.get(6)?,
        max_attempts: r.get(7)?,
        created_ms: r.get::<_, i64>(8)? as u64,
        started_ms: opt(9)?,
        finished_ms: opt(10)?,
        deadline_ms: r.get::<_, i64>(11)? as u64,
        stage: r.get(12)?,
        done: r.get::<_, i64>(13)? as u64,
        total: r.get::<_, i64>(14)? as u64,
        error: r.get(15)?,
        has_result: r.get(16)?,
    })
}

fn get_job(tx: &rusqlite::Connection, id: &str) -> Result<Option<Job>> {
    Ok(tx
        .prepare_cached(&format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"))?
        .query_row(params![id], job_of)
        .optional()?)
}

/// Times out every job whose deadline has passed, and fails running jobs that lost their
/// worker on their last attempt.
fn sweep(tx: &Transaction, now: i64) -> Result<()> {
    tx.execute(
        "UPDATE jobs SET state = 'timed_out', finished_at = ?1, worker = NULL, lease_until = NULL,
             error = 'its deadline passed before it finished'
         WHERE state IN ('queued', 'running') AND deadline <= ?1",
        params![now],
    )?;
    tx.execute(
        "UPDATE jobs SET state = 'failed', finished_at = ?1, worker = NULL, lease_until = NULL,
             error = 'its worker stopped (crashed or was killed) on every one of its ' || attempts || ' attempts'
         WHERE state = 'running' AND lease_until < ?1 AND attempts >= max_attempts",
        params![now],
    )?;
    Ok(())
}

impl Jobs for SqliteStore {
    fn submit(&self, job: &NewJob, queue_limit: u64) -> Result<Submitted> {
        let conn = self.conn();
        write(&conn, |tx| {
            if let Some(key) = &job.idempotency_key {
                let found: Option<(String, String, String)> = tx
                    .query_row(
                        "SELECT id, kind, request FROM jobs WHERE owner = ?1 AND idem_key = ?2",
                        params![job.owner, key],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                if let Some((id, kind, request)) = found {
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
            let queued: i64 = tx.query_row(
                "SELECT COUNT(*) FROM jobs WHERE state = 'queued'",
                [],
                |r| r.get(0),
            )?;
            if queued as u64 >= queue_limit {
                return Err(LedgerError::QueueFull {
                    queued: queued as u64,
                });
            }
            let id = crate::jobs::new_job_id();
            let now = now_ms() as i64;
            tx.execute(
                "INSERT INTO jobs (id, kind, request, owner, idem_key, state, max_attempts,
                     not_before, deadline, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?7, ?8, ?7)",
                params![
                    id,
                    job.kind,
                    job.request,
                    job.owner,
                    job.idempotency_key,
                    job.max_attempts.max(1),
                    now,
                    now.saturating_add(ms(job.deadline)),
                ],
            )?;
            let created = get_job(tx, &id)?
                .ok_or_else(|| LedgerError::Corrupt(format!("job {id} vanished")))?;
            Ok(Submitted::Created(created))
        })
    }

    fn claim(&self, worker: &str, lease: Duration) -> Result<Option<Job>> {
        let conn = self.conn();
        write(&conn, |tx| {
            let now = now_ms() as i64;
            sweep(tx, now)?;
            let id: Option<String> = tx
                .query_row(
                    "UPDATE jobs SET state = 'running', worker = ?1, lease_until = ?2,
                         attempts = attempts + 1, started_at = COALESCE(started_at, ?3),
                         stage = NULL, done = 0, total = 0
                     WHERE seq = (SELECT seq FROM jobs
                                  WHERE (state = 'queued' AND not_before <= ?3)
                                     OR (state = 'running' AND lease_until < ?3)
                                  ORDER BY seq LIMIT 1)
                     RETURNING id",
                    params![worker, now.saturating_add(ms(lease)), now],
                    |r| r.get(0),
                )
                .optional()?;
            match id {
                Some(id) => get_job(tx, &id),
                None => Ok(None),
            }
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
        let conn = self.conn();
        write(&conn, |tx| {
            let now = now_ms() as i64;
            let row: Option<(String, Option<String>, i64)> = tx
                .query_row(
                    "SELECT state, worker, deadline FROM jobs WHERE id = ?1",
                    params![id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((state, holder, deadline)) = row else {
                return Ok(Lease::Lost);
            };
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
                "UPDATE jobs SET lease_until = ?2, stage = ?3, done = ?4, total = ?5 WHERE id = ?1",
                params![
                    id,
                    now.saturating_add(ms(lease)),
                    stage,
                    done as i64,
                    total as i64
                ],
            )?;
            Ok(Lease::Held)
        })
    }

    fn finish(&self, id: &str, worker: &str, outcome: &Outcome) -> Result<bool> {
        let conn = self.conn();
        write(&conn, |tx| {
            let now = now_ms() as i64;
            let held = "WHERE id = ?1 AND state = 'running' AND worker = ?2";
            let n = match outcome {
                Outcome::Succeeded(result) => tx.execute(
                    &format!(
                        "UPDATE jobs SET state = 'succeeded', result = ?3, finished_at = ?4,
                             worker = NULL, lease_until = NULL, error = NULL {held}"
                    ),
                    params![id, worker, result, now],
                )?,
                Outcome::Failed(reason) => tx.execute(
                    &format!(
                        "UPDATE jobs SET state = 'failed', error = ?3, finished_at = ?4,
                             worker = NULL, lease_until = NULL {held}"
                    ),
                    params![id, worker, reason, now],
                )?,
                Outcome::TimedOut(reason) => tx.execute(
                    &format!(
                        "UPDATE jobs SET state = 'timed_out', error = ?3, finished_at = ?4,
                             worker = NULL, lease_until = NULL {held}"
                    ),
                    params![id, worker, reason, now],
                )?,
                Outcome::Retry { reason, after } => tx.execute(
                    &format!(
                        "UPDATE jobs SET
                             state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                             finished_at = CASE WHEN attempts >= max_attempts THEN ?4 ELSE NULL END,
                             not_before = ?4 + ?5, error = ?3, worker = NULL, lease_until = NULL {held}"
                    ),
                    params![id, worker, reason, now, ms(*after)],
                )?,
            };
            Ok(n == 1)
        })
    }

    fn release(&self, worker: &str) -> Result<u64> {
        let conn = self.conn();
        write(&conn, |tx| {
            Ok(tx.execute(
                "UPDATE jobs SET state = 'queued', worker = NULL, lease_until = NULL,
                     attempts = MAX(attempts - 1, 0), error = 'interrupted by a shutdown; queued again'
                 WHERE state = 'running' AND worker = ?1",
                params![worker],
            )? as u64)
        })
    }

    fn cancel(&self, id: &str) -> Result<Option<Job>> {
        let conn = self.conn();
        write(&conn, |tx| {
            tx.execute(
                "UPDATE jobs SET state = 'cancelled', finished_at = ?2, worker = NULL,
                     lease_until = NULL, error = 'cancelled by its owner'
                 WHERE id = ?1 AND state IN ('queued', 'running')",
                params![id, now_ms() as i64],
            )?;
            get_job(tx, id)
        })
    }

    fn job(&self, id: &str) -> Result<Option<Job>> {
        get_job(&self.conn(), id)
    }

    fn job_result(&self, id: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT result FROM jobs WHERE id = ?1 AND state = 'succeeded'",
                params![id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    fn jobs(&self, owner: Option<&str>, limit: usize) -> Result<Vec<Job>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM jobs WHERE ?1 IS NULL OR owner = ?1 ORDER BY seq DESC LIMIT ?2"
        ))?;
        let rows = st.query_map(params![owner, limit as i64], job_of)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn queue_depth(&self) -> Result<QueueDepth> {
        Ok(self.conn().query_row(
            "SELECT COALESCE(SUM(state = 'queued'), 0), COALESCE(SUM(state = 'running'), 0) FROM jobs",
            [],
            |r| {
                Ok(QueueDepth {
                    queued: r.get::<_, i64>(0)? as u64,
                    running: r.get::<_, i64>(1)? as u64,
                })
            },
        )?)
    }

    fn expire_results(&self, age: Duration) -> Result<u64> {
        let conn = self.conn();
        write(&conn, |tx| {
            Ok(tx.execute(
                "UPDATE jobs SET result = NULL WHERE result IS NOT NULL AND finished_at <= ?1",
                params![(now_ms() as i64).saturating_sub(ms(age))],
            )? as u64)
        })
    }
}

impl Registry for SqliteStore {
    fn add_token(&self, record: &TokenRecord, sha256: &str) -> Result<()> {
        let conn = self.conn();
        write(&conn, |tx| {
            tx.execute(
                "INSERT INTO tokens (id, sha256, role, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![record.id, sha256, record.role, record.label, now_ms() as i64],
            )?;
            Ok(())
        })
    }

    fn token(&self, sha256: &str) -> Result<Option<TokenRecord>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT id, role, label FROM tokens WHERE sha256 = ?1 AND revoked = 0")?
            .query_row(params![sha256], |r| {
                Ok(TokenRecord {
                    id: r.get(0)?,
                    role: r.get(1)?,
                    label: r.get(2)?,
                })
            })
            .optional()?)
    }

    fn revoke_token(&self, id: &str) -> Result<bool> {
        let conn = self.conn();
        write(&conn, |tx| {
            Ok(tx.execute("UPDATE tokens SET revoked = 1 WHERE id = ?1", params![id])? == 1)
        })
    }

    fn register_listing(&self, record: &ListingRecord) -> Result<()> {
        let conn = self.conn();
        write(&conn, |tx| {
            let owner: Option<String> = tx
                .query_row(
                    "SELECT owner FROM listings WHERE id = ?1",
                    params![record.id],
                    |r| r.get(0),
                )
                .optional()?;
            if owner.as_ref().is_some_and(|o| *o != record.owner) {
                return Err(LedgerError::Taken(format!(
                    "listing {:?} is registered by another seller",
                    record.id
                )));
            }
            tx.execute(
                "INSERT OR REPLACE INTO listings (id, listing, dataset, owner, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    record.id,
                    record.listing,
                    record.dataset,
                    record.owner,
                    now_ms() as i64
                ],
            )?;
            Ok(())
        })
    }

    fn listing(&self, id: &str) -> Result<Option<ListingRecord>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT id, listing, dataset, owner FROM listings WHERE id = ?1")?
            .query_row(params![id], |r| {
                Ok(ListingRecord {
                    id: r.get(0)?,
                    listing: r.get(1)?,
                    dataset: r.get(2)?,
                    owner: r.get(3)?,
                })
            })
            .optional()?)
    }
}
