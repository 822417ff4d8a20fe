//! The job queue: idempotent submission, claims under leases, one result per job whoever ran
//! it, cancellation, deadlines, retries with back-off, and concurrent workers that never share
//! a job.

use std::collections::HashSet;
use std::sync::{Arc, Barrier};
use std::time::Duration;
use veil_ledger::{
    JobState, Lease, LedgerError, ListingRecord, NewJob, Outcome, ServiceStore, Submitted,
    TokenRecord,
};

use crate::{common, on_both};
use common::Db;

fn job(request: &str, key: Option<&str>) -> NewJob {
    NewJob {
        kind: "preview".into(),
        request: request.into(),
        owner: "tok-seller".into(),
        idempotency_key: key.map(Into::into),
        deadline: Duration::from_secs(600),
        max_attempts: 3,
    }
}

/// Submits `j`, returning its id.
fn submit(s: &dyn ServiceStore, j: NewJob) -> String {
    s.submit(&j, 10).unwrap().job().id.clone()
}

/// A job allowed two attempts.
fn two_attempts() -> NewJob {
    NewJob {
        max_attempts: 2,
        ..job("{}", None)
    }
}

const LEASE: Duration = Duration::from_secs(30);

fn a_job_runs_once_and_keeps_its_result(db: &Db) {
    let s = &*db.open();
    let j = s.submit(&job("{\"a\":1}", None), 10).unwrap();
    let Submitted::Created(j) = j else {
        panic!("new job")
    };
    assert_eq!(j.state, JobState::Queued);
    assert_eq!(s.queue_depth().unwrap().queued, 1);
    let c = s.claim("w1", LEASE).unwrap().expect("a job");
    assert_eq!(
        (c.id.as_str(), c.state, c.attempts),
        (j.id.as_str(), JobState::Running, 1)
    );
    assert!(
        s.claim("w2", LEASE).unwrap().is_none(),
        "one job, one worker"
    );
    assert_eq!(
        s.heartbeat(&j.id, "w1", LEASE, "proving", 1, 4).unwrap(),
        Lease::Held
    );
    let running = s.job(&j.id).unwrap().unwrap();
    assert_eq!(
        (running.stage.as_deref(), running.done, running.total),
        (Some("proving"), 1, 4)
    );
    assert!(
        !s.finish(&j.id, "w2", &Outcome::Succeeded("{}".into()))
            .unwrap(),
        "not w2's"
    );
    assert!(s
        .finish(&j.id, "w1", &Outcome::Succeeded("{\"ok\":1}".into()))
        .unwrap());
    assert!(!s
        .finish(&j.id, "w1", &Outcome::Succeeded("{\"again\":1}".into()))
        .unwrap());
    assert_eq!(s.job_result(&j.id).unwrap().as_deref(), Some("{\"ok\":1}"));
    let done = s.job(&j.id).unwrap().unwrap();
    assert!(done.state.is_final() && done.has_result && done.finished_ms.is_some());
    // Results expire; the job row stays.
    assert_eq!(s.expire_results(Duration::ZERO).unwrap(), 1);
    assert_eq!(s.job_result(&j.id).unwrap(), None);
    assert_eq!(s.job(&j.id).unwrap().unwrap().state, JobState::Succeeded);
}

fn idempotency_keys_return_the_first_job_or_refuse_another_body(db: &Db) {
    let s = &*db.open();
    let a = s.submit(&job("{\"a\":1}", Some("k1")), 10).unwrap();
    let b = s.submit(&job("{\"a\":1}", Some("k1")), 10).unwrap();
    assert!(matches!(a, Submitted::Created(_)) && matches!(b, Submitted::Existing(_)));
    assert_eq!(a.job().id, b.job().id);
    match s.submit(&job("{\"a\":2}", Some("k1")), 10) {
        Err(LedgerError::IdempotencyConflict { key, job }) => {
            assert_eq!((key.as_str(), job.as_str()), ("k1", a.job().id.as_str()))
        }
        other => panic!("{other:?}"),
    }
    // Keys are per owner.
    let other = NewJob {
        owner: "tok-other".into(),
        ..job("{\"a\":2}", Some("k1"))
    };
    assert!(matches!(
        s.submit(&other, 10).unwrap(),
        Submitted::Created(_)
    ));
    assert_eq!(s.jobs(Some("tok-seller"), 10).unwrap().len(), 1);
    assert_eq!(s.jobs(None, 10).unwrap().len(), 2);
}

fn a_full_queue_refuses_and_says_how_full(db: &Db) {
    let s = &*db.open();
    for i in 0..3 {
        s.submit(&job(&format!("{{\"i\":{i}}}"), None), 3).unwrap();
    }
    match s.submit(&job("{}", None), 3) {
        Err(LedgerError::QueueFull { queued }) => assert_eq!(queued, 3),
        other => panic!("{other:?}"),
    }
    // A claimed job leaves room.
    s.claim("w", LEASE).unwrap().unwrap();
    s.submit(&job("{}", None), 3).unwrap();
}

fn a_dead_workers_job_is_taken_over_and_its_late_result_refused(db: &Db) {
    let s = &*db.open();
    let id = s.submit(&job("{}", None), 10).unwrap().job().id.clone();
    s.claim("dead", Duration::ZERO).unwrap().unwrap();
    std::thread::sleep(Duration::from_millis(5));
    let again = s
        .claim("alive", LEASE)
        .unwrap()
        .expect("the expired lease is claimable");
    assert_eq!((again.id.as_str(), again.attempts), (id.as_str(), 2));
    assert_eq!(
        s.heartbeat(&id, "dead", LEASE, "x", 0, 0).unwrap(),
        Lease::Lost
    );
    assert!(!s
        .finish(&id, "dead", &Outcome::Succeeded("late".into()))
        .unwrap());
    assert!(s
        .finish(&id, "alive", &Outcome::Succeeded("ok".into()))
        .unwrap());
    assert_eq!(s.job_result(&id).unwrap().as_deref(), Some("ok"));
}

fn a_job_that_keeps_losing_its_worker_fails_and_says_why(db: &Db) {
    let s = &*db.open();
    let id = submit(s, two_attempts());
    for w in ["a", "b"] {
        s.claim(w, Duration::ZERO).unwrap().unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(s.claim("c", LEASE).unwrap().is_none());
    let j = s.job(&id).unwrap().unwrap();
    assert_eq!(j.state, JobState::Failed);
    assert!(j.error.unwrap().contains("on every one of its 2 attempts"));
}

fn retries_back_off_then_fail_for_good(db: &Db) {
    let s = &*db.open();
    let id = submit(s, two_attempts());
    s.claim("w", LEASE).unwrap().unwrap();
    let retry = Outcome::Retry {
        reason: "disk full".into(),
        after: Duration::from_millis(200),
    };
    assert!(s.finish(&id, "w", &retry).unwrap());
    let j = s.job(&id).unwrap().unwrap();
    assert_eq!(
        (j.state, j.error.as_deref()),
        (JobState::Queued, Some("disk full"))
    );
    assert!(s.claim("w", LEASE).unwrap().is_none(), "backing off");
    std::thread::sleep(Duration::from_millis(250));
    s.claim("w", LEASE).unwrap().expect("after the back-off");
    assert!(s.finish(&id, "w", &retry).unwrap());
    assert_eq!(s.job(&id).unwrap().unwrap().state, JobState::Failed);
}

fn cancelling_stops_the_worker_and_keeps_no_result(db: &Db) {
    let s = &*db.open();
    let queued = s
        .submit(&job("{\"q\":1}", None), 10)
        .unwrap()
        .job()
        .id
        .clone();
    let running = s
        .submit(&job("{\"r\":1}", None), 10)
        .unwrap()
        .job()
        .id
        .clone();
    assert_eq!(
        s.cancel(&queued).unwrap().unwrap().state,
        JobState::Cancelled
    );
    let c = s.claim("w", LEASE).unwrap().unwrap();
    assert_eq!(c.id, running, "a cancelled job is never claimed");
    s.cancel(&running).unwrap();
    assert_eq!(
        s.heartbeat(&running, "w", LEASE, "x", 0, 0).unwrap(),
        Lease::Cancelled
    );
    assert!(!s
        .finish(&running, "w", &Outcome::Succeeded("{}".into()))
        .unwrap());
    assert_eq!(s.job_result(&running).unwrap(), None);
    assert_eq!(s.cancel("nope").unwrap(), None);
    // Cancelling a final job changes nothing.
    assert_eq!(
        s.cancel(&running).unwrap().unwrap().state,
        JobState::Cancelled
    );
}

fn deadlines_time_jobs_out_queued_or_running(db: &Db) {
    let s = &*db.open();
    let short = |r: &str| NewJob {
        deadline: Duration::from_millis(50),
        ..job(r, None)
    };
    let a = s.submit(&short("{\"a\":1}"), 10).unwrap().job().id.clone();
    let b = s.submit(&short("{\"b\":1}"), 10).unwrap().job().id.clone();
    s.claim("w", LEASE).unwrap().unwrap();
    std::thread::sleep(Duration::from_millis(80));
    assert_eq!(
        s.heartbeat(&a, "w", LEASE, "x", 0, 0).unwrap(),
        Lease::Expired
    );
    assert!(s.claim("w", LEASE).unwrap().is_none());
    for id in [a, b] {
        assert_eq!(s.job(&id).unwrap().unwrap().state, JobState::TimedOut);
    }
}

fn a_shutdown_puts_running_jobs_back_without_counting_the_attempt(db: &Db) {
    let s = &*db.open();
    let id = s.submit(&job("{}", None), 10).unwrap().job().id.clone();
    s.claim("w", LEASE).unwrap().unwrap();
    assert_eq!(s.release("w").unwrap(), 1);
    let j = s.job(&id).unwrap().unwrap();
    assert_eq!((j.state, j.attempts), (JobState::Queued, 0));
}

fn concurrent_workers_never_share_a_job(db: &Db) {
    let s = db.open();
    for i in 0..60 {
        s.submit(&job(&format!("{{\"i\":{i}}}"), None), 100)
            .unwrap();
    }
    let barrier = Arc::new(Barrier::new(6));
    let claimed: Vec<String> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..6)
            .map(|w| {
                let barrier = barrier.clone();
                sc.spawn(move || {
                    // Each worker its own connection, as separate processes would have.
                    let s = db.open();
                    barrier.wait();
                    let mut mine = Vec::new();
                    while let Some(j) = s.claim(&format!("w{w}"), LEASE).unwrap() {
                        assert!(s
                            .finish(&j.id, &format!("w{w}"), &Outcome::Succeeded("{}".into()))
                            .unwrap());
                        mine.push(j.id);
                    }
                    mine
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(claimed.len(), 60);
    assert_eq!(claimed.iter().collect::<HashSet<_>>().len(), 60);
}

fn tokens_are_found_by_hash_and_revoked_and_listings_keep_their_owner(db: &Db) {
    let s = &*db.open();
    let t = TokenRecord {
        id: "t1".into(),
        role: "seller".into(),
        label: "shop".into(),
    };
    s.add_token(&t, "aa").unwrap();
    assert_eq!(s.token("aa").unwrap(), Some(t));
    assert_eq!(s.token("bb").unwrap(), None);
    assert!(s.revoke_token("t1").unwrap());
    assert_eq!(s.token("aa").unwrap(), None);
    let l = ListingRecord {
        id: "sales".into(),
        listing: "{}".into(),
        dataset: Some("/data/sales.csv".into()),
        owner: "t1".into(),
    };
    s.register_listing(&l).unwrap();
    s.register_listing(&l).unwrap();
    let theirs = ListingRecord {
        owner: "t2".into(),
        ..l.clone()
    };
    assert!(
        matches!(s.register_listing(&theirs), Err(LedgerError::Taken(m)) if m.contains("another seller"))
    );
    assert_eq!(s.listing("sales").unwrap(), Some(l));
}

on_both!(
    a_job_runs_once_and_keeps_its_result,
    idempotency_keys_return_the_first_job_or_refuse_another_body,
    a_full_queue_refuses_and_says_how_full,
    a_dead_workers_job_is_taken_over_and_its_late_result_refused,
    a_job_that_keeps_losing_its_worker_fails_and_says_why,
    retries_back_off_then_fail_for_good,
    cancelling_stops_the_worker_and_keeps_no_result,
    deadlines_time_jobs_out_queued_or_running,
    a_shutdown_puts_running_jobs_back_without_counting_the_attempt,
    tokens_are_found_by_hash_and_revoked_and_listings_keep_their_owner,
    concurrent_workers_never_share_a_job,
);
