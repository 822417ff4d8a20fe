//! The job queue ([`Jobs`]) and the registry ([`Registry`]) written once, over any
//! [`Db`]: SQLite and PostgreSQL differ only in their claim statement, a row lock on the
//! heartbeat's read, and how a write transaction is taken (see `sql.rs`).

use crate::jobs::{
    lease_of, new_job_id, now_ms, resubmitted, Job, Jobs, Lease, ListingRecord, NewJob, Outcome,
    QueueDepth, Registry, Submitted, TokenRecord,
};
use crate::sql::{self, all, job_of, one, Arg, Db, Tx};
use crate::{LedgerError, Result};
use std::time::Duration;
use Arg::{Int, OptText, Text};

fn get_job(tx: &mut dyn Tx, id: &str) -> Result<Option<Job>> {
    one(tx, sql::GET_JOB, &[Text(id)], job_of)
}

/// Times out every job past its deadline; fails running jobs that lost their worker on their
/// last attempt.
fn sweep(tx: &mut dyn Tx, now: i64) -> Result<()> {
    tx.run(sql::SWEEP_DEADLINES, &[Int(now)])?;
    tx.run(sql::SWEEP_LOST, &[Int(now)])?;
    Ok(())
}

fn ms(d: Duration) -> i64 {
    d.as_millis().min(i64::MAX as u128) as i64
}

fn now() -> i64 {
    now_ms() as i64
}

impl<D: Db> Jobs for D {
    fn submit(&self, job: &NewJob, queue_limit: u64) -> Result<Submitted> {
        self.write(&mut |tx| {
            if let Some(key) = &job.idempotency_key {
                // Two submissions with one key (on two nodes) go one at a time.
                self.lock(tx, &format!("{}:{}{key}", job.owner.len(), job.owner))?;
                let found = one(
                    tx,
                    sql::FIND_IDEMPOTENT,
                    &[Text(&job.owner), Text(key)],
                    |r| Ok((r.text(0)?, r.text(1)?, r.text(2)?)),
                )?;
                if let Some(found) = found {
                    return resubmitted(job, key, found, |id| get_job(tx, id));
                }
            }
            let queued = one(tx, sql::COUNT_QUEUED, &[], |r| r.int(0))?.unwrap_or(0) as u64;
            if queued >= queue_limit {
                return Err(LedgerError::QueueFull { queued });
            }
            let id = new_job_id();
            let now = now();
            tx.run(
                sql::INSERT_JOB,
                &[
                    Text(&id),
                    Text(&job.kind),
                    Text(&job.request),
                    Text(&job.owner),
                    OptText(job.idempotency_key.as_deref()),
                    Int(job.max_attempts.max(1) as i64),
                    Int(now),
                    Int(now.saturating_add(ms(job.deadline))),
                ],
            )?;
            let created = get_job(tx, &id)?
                .ok_or_else(|| LedgerError::Corrupt(format!("job {id} vanished")))?;
            Ok(Submitted::Created(created))
        })
    }

    fn claim(&self, worker: &str, lease: Duration) -> Result<Option<Job>> {
        self.write(&mut |tx| {
            let now = now();
            sweep(tx, now)?;
            let leased = Int(now.saturating_add(ms(lease)));
            one(tx, D::CLAIM, &[Text(worker), leased, Int(now)], job_of)
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
        self.write(&mut |tx| {
            let now = now();
            let row = one(tx, D::HEARTBEAT_READ, &[Text(id)], |r| {
                Ok((r.text(0)?, r.opt_text(1)?, r.int(2)?))
            })?;
            let held = lease_of(row, worker, now);
            match held {
                Lease::Held => {
                    let leased = Int(now.saturating_add(ms(lease)));
                    let progress = [Int(done as i64), Int(total as i64)];
                    let args = [Text(id), leased, Text(stage), progress[0], progress[1]];
                    tx.run(sql::HEARTBEAT_WRITE, &args)?;
                }
                Lease::Expired => sweep(tx, now)?,
                Lease::Cancelled | Lease::Lost => {}
            }
            Ok(held)
        })
    }

    fn finish(&self, id: &str, worker: &str, outcome: &Outcome) -> Result<bool> {
        self.write(&mut |tx| {
            let held = [Text(id), Text(worker)];
            let now = Int(now());
            let n = match outcome {
                Outcome::Succeeded(result) => tx.run(
                    sql::FINISH_SUCCEEDED,
                    &[held[0], held[1], Text(result), now],
                )?,
                Outcome::Failed(reason) | Outcome::TimedOut(reason) => {
                    let state = Text(outcome.final_state().as_str());
                    let args = [held[0], held[1], Text(reason), now, state];
                    tx.run(sql::FINISH_ENDED, &args)?
                }
                Outcome::Retry { reason, after } => {
                    let args = [held[0], held[1], Text(reason), now, Int(ms(*after))];
                    tx.run(sql::FINISH_RETRY, &args)?
                }
            };
            Ok(n == 1)
        })
    }

    fn release(&self, worker: &str) -> Result<u64> {
        self.write(&mut |tx| tx.run(sql::RELEASE, &[Text(worker)]))
    }

    fn cancel(&self, id: &str) -> Result<Option<Job>> {
        self.write(&mut |tx| {
            tx.run(sql::CANCEL, &[Text(id), Int(now())])?;
            get_job(tx, id)
        })
    }

    fn job(&self, id: &str) -> Result<Option<Job>> {
        self.read(&mut |tx| get_job(tx, id))
    }

    fn job_result(&self, id: &str) -> Result<Option<String>> {
        self.read(&mut |tx| Ok(one(tx, sql::RESULT, &[Text(id)], |r| r.opt_text(0))?.flatten()))
    }

    fn jobs(&self, owner: Option<&str>, limit: usize) -> Result<Vec<Job>> {
        let args = [OptText(owner), Int(limit as i64)];
        self.read(&mut |tx| all(tx, sql::LIST_JOBS, &args, job_of))
    }

    fn queue_depth(&self) -> Result<QueueDepth> {
        self.read(&mut |tx| {
            let depth = one(tx, sql::QUEUE_DEPTH, &[], |r| {
                Ok(QueueDepth {
                    queued: r.int(0)? as u64,
                    running: r.int(1)? as u64,
                })
            })?;
            Ok(depth.unwrap_or_default())
        })
    }

    fn expire_results(&self, age: Duration) -> Result<u64> {
        let before = Int(now().saturating_sub(ms(age)));
        self.write(&mut |tx| tx.run(sql::EXPIRE_RESULTS, &[before]))
    }
}

impl<D: Db> Registry for D {
    fn add_token(&self, record: &TokenRecord, sha256: &str) -> Result<()> {
        let r = record;
        let args = [
            Text(&r.id),
            Text(sha256),
            Text(&r.role),
            Text(&r.label),
            Int(now()),
        ];
        self.write(&mut |tx| tx.run(sql::ADD_TOKEN, &args).map(drop))
    }

    fn token(&self, sha256: &str) -> Result<Option<TokenRecord>> {
        self.read(&mut |tx| one(tx, sql::TOKEN, &[Text(sha256)], sql::token_of))
    }

    fn revoke_token(&self, id: &str) -> Result<bool> {
        self.write(&mut |tx| Ok(tx.run(sql::REVOKE_TOKEN, &[Text(id)])? == 1))
    }

    fn register_listing(&self, record: &ListingRecord) -> Result<()> {
        let r = record;
        let dataset = OptText(r.dataset.as_deref());
        let args = [
            Text(&r.id),
            Text(&r.listing),
            dataset,
            Text(&r.owner),
            Int(now()),
        ];
        self.write(&mut |tx| match tx.run(sql::REGISTER_LISTING, &args)? {
            0 => Err(LedgerError::Taken(format!(
                "listing {:?} is registered by another seller",
                r.id
            ))),
            _ => Ok(()),
        })
    }

    fn listing(&self, id: &str) -> Result<Option<ListingRecord>> {
        self.read(&mut |tx| one(tx, sql::LISTING, &[Text(id)], sql::listing_of))
    }
}
