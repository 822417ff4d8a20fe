//! Load generator for `veil serve`: starts the service in-process on a throwaway folder (keys
//! for small shapes) over the SQLite ledger, then over a throwaway PostgreSQL cluster, and
//! measures on each, with concurrent HTTP clients,
//!
//! * verify requests per second (`POST /v1/verify` of one call proof, over and over),
//! * gateway checks per second (`POST /v1/gateway/calls`, every call distinct and accepted),
//! * proof jobs per minute (usage-tier jobs) with 1 and with 2 workers.
//!
//! ```text
//! cargo run --release -p veil-service --example load -- [SECONDS=10] [CLIENTS=8] [CALLS=200] [JOBS=24]
//! ```

#[path = "../tests/integration/common/mod.rs"]
mod common;

use common::Service;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn arg(i: usize, default: u64) -> u64 {
    std::env::args()
        .nth(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

/// Runs `clients` threads calling `f(k)` for k = 0, 1, ... until `stop` says so; returns the
/// number of calls and the seconds they took.
fn hammer(
    clients: usize,
    stop: impl Fn(usize, Duration) -> bool + Sync,
    f: impl Fn(usize) + Sync,
) -> (usize, f64) {
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|sc| {
        for _ in 0..clients {
            sc.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if stop(k, start.elapsed()) {
                    break;
                }
                f(k);
            });
        }
    });
    let n = next.load(Ordering::Relaxed).saturating_sub(clients);
    (n, start.elapsed().as_secs_f64())
}

/// Usage-tier proof jobs per minute: `jobs` submitted at once, until the last one finishes.
fn jobs_per_minute(s: &Service, jobs: u64) -> f64 {
    s.expect(
        200,
        "POST",
        "/v1/gateway/epochs/close",
        Some("gateway"),
        Some(&json!({ "listing_id": "billing", "epoch": 1 })),
    );
    let start = Instant::now();
    let ids: Vec<String> = (0..jobs)
        .map(|k| {
            let body = json!({ "kind": "usage-tier", "listing_id": "billing", "epoch": 1, "lo": 0, "hi": k + 1 });
            let v = s.expect(201, "POST", "/v1/jobs", Some("gateway"), Some(&body));
            v["id"].as_str().expect("an id").to_string()
        })
        .collect();
    for id in &ids {
        let j = s.wait_job(id, "gateway", Duration::from_secs(3600));
        assert_eq!(j["state"], "succeeded", "{j}");
    }
    jobs as f64 * 60.0 / start.elapsed().as_secs_f64()
}

/// The four measures on one database: `None`, a SQLite ledger; else a PostgreSQL URL.
fn measure(
    database: Option<String>,
    seconds: u64,
    clients: usize,
    calls: u64,
    jobs: u64,
) -> [f64; 4] {
    let on = |c: &mut veil_service::Config, workers| {
        c.workers = Some(workers);
        c.database = database.clone();
    };
    let s = Service::start(|c| on(c, 1));
    eprintln!("proving {calls} calls ...");
    let proved = s.prove_calls("api", calls, 99, 5);
    let one = json!({ "kind": "usage-call", "proof": proved[0]["proof"] });

    let limit = Duration::from_secs(seconds);
    let (n, t) = hammer(
        clients,
        |_, e| e >= limit,
        |_| {
            let v = s.expect(200, "POST", "/v1/verify", Some("buyer"), Some(&one));
            assert_eq!(v["accepted"], true);
        },
    );
    let verify_rps = n as f64 / t;
    let (n, t) = hammer(
        clients,
        |k, _| k >= proved.len(),
        |k| {
            s.expect(
                200,
                "POST",
                "/v1/gateway/calls",
                Some("gateway"),
                Some(&proved[k]),
            );
        },
    );
    let checks_ps = n as f64 / t;
    let one_worker = jobs_per_minute(&s, jobs);
    let dir = s.stop();
    let s = Service::start_in(dir, |c| on(c, 2));
    // The second service's tokens are new; the closed epoch is still there.
    s.expect(
        200,
        "POST",
        "/v1/gateway/epochs/close",
        Some("gateway"),
        Some(&json!({ "listing_id": "billing", "epoch": 1 })),
    );
    let two_workers = jobs_per_minute(&s, jobs);
    s.stop();
    [verify_rps, checks_ps, one_worker, two_workers]
}

fn main() {
    let (seconds, clients, calls, jobs) = (arg(1, 10), arg(2, 8) as usize, arg(3, 200), arg(4, 24));
    eprintln!("SQLite: preparing keys and a ledger ...");
    let sqlite = measure(None, seconds, clients, calls, jobs);
    eprintln!("PostgreSQL: a throwaway cluster, keys and a database ...");
    let postgres = measure(
        Some(common::postgres_database()),
        seconds,
        clients,
        calls,
        jobs,
    );

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("| measure ({cores} cores, {clients} clients) | SQLite | PostgreSQL |");
    println!("|---|---:|---:|");
    let names = [
        "verify requests/s (usage-call proof)",
        "gateway checks/s (distinct calls, each accepted)",
        "usage-tier proof jobs/minute, 1 worker",
        "usage-tier proof jobs/minute, 2 workers",
    ];
    for (i, name) in names.iter().enumerate() {
        println!("| {name} | {:.0} | {:.0} |", sqlite[i], postgres[i]);
    }
}
