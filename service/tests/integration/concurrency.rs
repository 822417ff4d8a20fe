//! Many clients at once: 8 settling for one seller, 8 gateways checking the same 16 calls (so
//! every call is also replayed 7 times, concurrently) and 8 job submissions, all together. No
//! client sees a 5xx (no `database is locked`), each nullifier is accepted exactly once, the
//! seller's receipts are numbered 0, 1, 2, ... with no gap or repeat, and every job succeeds.
//! On one SQLite node, and on two api nodes sharing one PostgreSQL database (every client
//! alternating between them).

use crate::common;

use common::Service;
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

#[test]
fn settlement_gateways_and_jobs_at_once() {
    at_once(&[Service::start(|c| c.workers = Some(2))]);
}

#[test]
fn two_nodes_on_postgresql_settle_check_calls_and_take_jobs_at_once() {
    let url = common::postgres_database();
    let on = |c: &mut veil_service::Config| {
        c.workers = Some(1);
        c.database = Some(url.clone());
    };
    let first = Service::start(on);
    // The second node proves and verifies with the first one's keys, as a deployment's do.
    let params = first.path("params");
    let second = Service::start(|c| {
        on(c);
        c.params = params;
    });
    at_once(&[first, second]);
}

/// Every client of kind `k` talks to `nodes[k % n]`; each node has its own tokens, all valid in
/// the shared store.
fn at_once(nodes: &[Service]) {
    let s = &nodes[0];
    let node = |k: usize| &nodes[k % nodes.len()];
    // 16 calls of one licence, proved up front.
    let calls = s.prove_calls("api", 16, 99, 3);
    // An epoch for the tier jobs.
    s.expect(
        200,
        "POST",
        "/v1/gateway/epochs/close",
        Some("gateway"),
        Some(&json!({ "listing_id": "other", "epoch": 1 })),
    );

    let (gateway, settled, jobs) = std::thread::scope(|sc| {
        let gateways: Vec<_> = (0..8usize)
            .map(|g| {
                let (s, calls) = (node(g), &calls);
                sc.spawn(move || {
                    // Each gateway sends every call, starting at its own offset.
                    (0..calls.len())
                        .map(|k| {
                            let c = &calls[(k + 5 * g) % calls.len()];
                            let (st, v) =
                                s.call("POST", "/v1/gateway/calls", Some("gateway"), Some(c));
                            (c["request"].as_str().unwrap().to_string(), st, v)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let settlers: Vec<_> = (0..8u64)
            .map(|t| {
                let s = node(t as usize);
                sc.spawn(move || {
                    (0..10u64)
                        .map(|k| {
                            let sale = json!({ "sales": [{ "seller": 5, "listing_id": "maps",
                                                           "price": 100 + t, "time": 1_000 }] });
                            let (st, v) =
                                s.call("POST", "/v1/settlements", Some("admin"), Some(&sale));
                            assert_eq!(st, 200, "settler {t} sale {k}: {v}");
                            v["receipts"][0]["seq"].as_u64().unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let submitters: Vec<_> = (0..8u64)
            .map(|k| {
                let s = node(k as usize);
                sc.spawn(move || {
                    let body = json!({ "kind": "usage-tier", "listing_id": "other", "epoch": 1, "lo": 0, "hi": k + 1 });
                    let (st, v) = s.call("POST", "/v1/jobs", Some("gateway"), Some(&body));
                    assert_eq!(st, 201, "{v}");
                    (k as usize, v["id"].as_str().unwrap().to_string())
                })
            })
            .collect();
        (
            gateways
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
            settlers
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
            submitters
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
        )
    });

    // Each call accepted exactly once; every other attempt a replay; nothing else.
    let mut accepted: HashMap<String, usize> = HashMap::new();
    for (request, st, v) in &gateway {
        match st {
            200 => *accepted.entry(request.clone()).or_default() += 1,
            409 => assert_eq!(v["error"]["code"], "replay", "{v}"),
            other => panic!("{request}: {other} {v}"),
        }
    }
    assert_eq!(accepted.len(), 16);
    assert!(accepted.values().all(|&n| n == 1), "{accepted:?}");
    // Receipts 0..80 of seller 5, each once.
    let mut seqs = settled;
    seqs.sort_unstable();
    assert_eq!(seqs, (0..80).collect::<Vec<_>>());
    // The calls tree of the epoch holds the 16 calls.
    let closed = s.expect(
        200,
        "POST",
        "/v1/gateway/epochs/close",
        Some("gateway"),
        Some(&json!({ "listing_id": "api", "epoch": 3 })),
    );
    assert_eq!(closed["calls"], 16);
    // Each job on the node (and token) that took it.
    for (k, id) in jobs {
        assert_eq!(
            node(k).wait_job(&id, "gateway", Duration::from_secs(300))["state"],
            "succeeded"
        );
    }
}
