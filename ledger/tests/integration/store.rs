//! The stores on their own: what any `Store` implementation must do, on SQLite and on
//! PostgreSQL (the gateway and audit tests in `veil-engine` exercise the rest through the
//! use-cases), including what two processes or nodes sharing one database may do at once.

use std::collections::HashMap;
use std::sync::Barrier;
use veil_circuits::statements::totals::Sale;
use veil_circuits::Fr;
use veil_ledger::{CallRecord, LedgerError, SqliteStore, Store};

use crate::{common, on_both};
use common::Db;

/// Nodes opening a new SQLite ledger at the same moment all open it: the switch to WAL and the
/// schema are taken in turn, never refused as busy.
#[test]
fn nodes_opening_a_new_sqlite_ledger_at_once_all_open_it() {
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("veil.db");
        let opened: Vec<_> = std::thread::scope(|sc| {
            let nodes: Vec<_> = (0..4)
                .map(|_| sc.spawn(|| SqliteStore::create(&path).map(|_| ())))
                .collect();
            nodes.into_iter().map(|n| n.join()).collect()
        });
        for (node, r) in opened.into_iter().enumerate() {
            match r {
                Ok(Ok(())) => {}
                Ok(Err(e)) => panic!("round {round}, node {node}: {e}"),
                Err(_) => panic!("round {round}, node {node} panicked"),
            }
        }
    }
}

#[test]
fn a_missing_ledger_is_refused_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.db");
    assert!(matches!(
        SqliteStore::open(&path),
        Err(LedgerError::Missing(_))
    ));
    assert!(!path.exists(), "nothing was created");
}

fn licence_tree_root_and_paths_equal_the_dense_builder(db: &Db) {
    let ledger = db.open();
    let notes: Vec<Fr> = (1..=9u64).map(Fr::from).collect();
    let mut root = Fr::from(0u64);
    for n in &notes {
        root = ledger.issue_licence(*n).unwrap().1;
    }
    let mut b = veil_circuits::merkle::TreeBuilder::new(ledger.licence_depth(), &[6]).unwrap();
    b.push(&notes).unwrap();
    let dense = b.finish().unwrap();
    assert_eq!(root, dense.root);
    assert_eq!(
        ledger.licence_path(6).unwrap(),
        (dense.root, dense.paths[0].clone())
    );
    let e = ledger.licence_path(9).unwrap_err().to_string();
    assert!(e.contains("no licence 9: 9 issued"), "{e}");
    assert_eq!(ledger.recent_roots(1).unwrap(), vec![root]);
}

fn accept_call_checks_root_epoch_and_nullifier_in_one_call(db: &Db) {
    let store = db.open();
    let (_, root) = store.issue_licence(Fr::from(5u64)).unwrap();
    let call = |nullifier: u64, licence_root: Fr| CallRecord {
        listing: Fr::from(1u64),
        epoch: 3,
        nullifier: Fr::from(nullifier),
        request: Fr::from(9u64),
        licence_root,
    };
    assert_eq!(store.accept_call(&call(10, root), 16).unwrap(), 0);
    assert_eq!(store.accept_call(&call(11, root), 16).unwrap(), 1);
    assert!(matches!(
        store.accept_call(&call(10, root), 16),
        Err(LedgerError::Replay { .. })
    ));
    assert!(matches!(
        store.accept_call(&call(12, Fr::from(7u64)), 16),
        Err(LedgerError::UnknownRoot(_))
    ));
    // A root falls out of the accepted window as new licences are issued.
    let (_, newer) = store.issue_licence(Fr::from(6u64)).unwrap();
    assert!(matches!(
        store.accept_call(&call(13, root), 1),
        Err(LedgerError::UnknownRoot(_))
    ));
    assert_eq!(store.accept_call(&call(13, newer), 1).unwrap(), 2);
    let u = store
        .close_epoch(Fr::from(1u64), 3, Fr::from(4u64))
        .unwrap();
    assert_eq!(u.calls, 3);
    assert!(matches!(
        store.accept_call(&call(14, newer), 16),
        Err(LedgerError::EpochClosed { epoch: 3 })
    ));
    assert_eq!(
        store.calls(Fr::from(1u64), 3).unwrap(),
        [10u64, 11, 13].map(Fr::from)
    );
}

/// A version-2 ledger (no job queue, tokens or listings) is upgraded in place on open: its
/// data kept, the new tables added, its version recorded as the current one (4). A newer
/// version is refused.
#[test]
fn a_version_2_ledger_is_upgraded_and_a_newer_one_refused() {
    use veil_ledger::{Jobs, NewJob};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    let (_, root) = SqliteStore::create(&path)
        .unwrap()
        .issue_licence(Fr::from(7u64))
        .unwrap();
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "DROP TABLE jobs; DROP TABLE tokens; DROP TABLE listings;
             UPDATE meta SET value = '2' WHERE key = 'schema_version';",
        )
        .unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.recent_roots(1).unwrap(), vec![root], "its data kept");
    let job = NewJob {
        kind: "usage-tier".into(),
        request: "{}".into(),
        owner: "t".into(),
        idempotency_key: None,
        deadline: std::time::Duration::from_secs(60),
        max_attempts: 1,
    };
    s.submit(&job, 10).unwrap();
    drop(s);
    let c = rusqlite::Connection::open(&path).unwrap();
    let v: String = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(v, "4");
    c.execute(
        "UPDATE meta SET value = '5' WHERE key = 'schema_version'",
        [],
    )
    .unwrap();
    drop(c);
    let err = SqliteStore::open(&path).err().expect("refused").to_string();
    assert!(
        err.contains("has ledger schema version 5; this build reads version 4"),
        "{err}"
    );
}

/// A version-3 ledger holds receipts noted in protocol version 2's encoding: with receipts it
/// is refused whole (naming the count and what to do) and left as it was, on SQLite and on
/// PostgreSQL.
fn a_version_3_ledger_with_receipts_is_refused_and_kept(db: &Db) {
    db.open().settle(&[sale()]).unwrap();
    db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
    let err = db.try_open().err().expect("refused").to_string();
    assert!(
        err.contains("schema version 3 with 1 sale receipts")
            && err.contains("protocol version 2")
            && err.contains("new ledger"),
        "{err}"
    );
    let kept = db.text(
        "SELECT CAST((SELECT COUNT(*) FROM receipts) AS TEXT) || ' ' || value \
         FROM meta WHERE key = 'schema_version'",
    );
    assert_eq!(kept, "1 3", "left as it was");
}

/// Without receipts, a version-3 ledger is upgraded in place: its licences kept, receipts
/// settled under the new notes.
fn a_version_3_ledger_without_receipts_is_upgraded(db: &Db) {
    let (_, licences) = db.open().issue_licence(Fr::from(7u64)).unwrap();
    db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
    let s = db.try_open().unwrap();
    assert_eq!(s.recent_roots(1).unwrap(), vec![licences], "licences kept");
    let (receipts, root) = s.settle(&[sale()]).unwrap();
    assert_eq!(s.receipt_root().unwrap(), root);
    let mut nodes = veil_circuits::merkle::sparse::MemoryNodes::default();
    let tree = veil_circuits::merkle::sparse::SparseTree::new(
        veil_circuits::statements::totals::RECEIPT_DEPTH,
    );
    let expected = tree
        .set_leaf(&mut nodes, receipts[0].index(), receipts[0].note())
        .unwrap();
    assert_eq!(root, expected, "the receipt's leaf is its v3 note");
    assert_eq!(
        db.text("SELECT value FROM meta WHERE key = 'schema_version'"),
        "4"
    );
}

fn sale() -> Sale {
    Sale {
        listing: Fr::from(1u64),
        seller: 2,
        buyer_tag: Fr::from(3u64),
        amount: 500,
        time: 9,
        salt: Fr::from(4u64),
    }
}

/// Two nodes (separate connections) check the same 60 calls at once, each call twice on each
/// node: every nullifier is accepted exactly once, and the calls tree has 60 dense positions.
fn two_nodes_accept_each_nullifier_once(db: &Db) {
    let first = db.open();
    let (_, root) = first.issue_licence(Fr::from(5u64)).unwrap();
    let call = |n: u64| CallRecord {
        listing: Fr::from(1u64),
        epoch: 7,
        nullifier: Fr::from(1_000 + n),
        request: Fr::from(n),
        licence_root: root,
    };
    let barrier = Barrier::new(4);
    let accepted: Vec<(u64, u64)> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..4)
            .map(|t| {
                let barrier = &barrier;
                sc.spawn(move || {
                    let node = db.open();
                    barrier.wait();
                    let mut mine = Vec::new();
                    for n in 0..60u64 {
                        // Half the threads go forwards, half backwards: collisions everywhere.
                        let n = if t % 2 == 0 { n } else { 59 - n };
                        match node.accept_call(&call(n), 16) {
                            Ok(pos) => mine.push((n, pos)),
                            Err(LedgerError::Replay { .. }) => {}
                            Err(e) => panic!("call {n}: {e}"),
                        }
                    }
                    mine
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut by_call: HashMap<u64, u64> = HashMap::new();
    for (n, pos) in &accepted {
        assert!(
            by_call.insert(*n, *pos).is_none(),
            "call {n} accepted twice"
        );
    }
    assert_eq!(by_call.len(), 60);
    let mut positions: Vec<u64> = by_call.values().copied().collect();
    positions.sort();
    assert_eq!(positions, (0..60).collect::<Vec<_>>());
    assert_eq!(first.calls(Fr::from(1u64), 7).unwrap().len(), 60);
}

/// Two nodes settle sales of the same seller at once: the seller's receipts are numbered
/// 0, 1, 2, ... with running totals that chain, and the stored root is the root of exactly
/// those receipts.
fn two_nodes_settling_for_one_seller_number_receipts_once(db: &Db) {
    // Opened before the threads start: a failed open then fails the test instead of leaving
    // the other node waiting at the barrier.
    let stores = [db.open(), db.open()];
    let barrier = Barrier::new(2);
    std::thread::scope(|sc| {
        for (node, store) in stores.iter().enumerate() {
            let (barrier, node) = (&barrier, node as u64);
            sc.spawn(move || {
                barrier.wait();
                for k in 0..10u64 {
                    let sale = Sale {
                        listing: Fr::from(node),
                        seller: 4,
                        buyer_tag: Fr::from(100 * node + k),
                        amount: 1_000 + k,
                        time: 5_000,
                        salt: Fr::from(7 + k),
                    };
                    store.settle(&[sale]).unwrap();
                }
            });
        }
    });
    let store = db.open();
    let receipts = store.receipts_of(4).unwrap();
    assert_eq!(
        receipts.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (0..20).collect::<Vec<_>>()
    );
    let mut cum = 0;
    for r in &receipts {
        cum += r.amount;
        assert_eq!(r.cum, cum, "receipt {} chains from the one before", r.seq);
    }
    // The root recomputed from the receipts alone.
    let tree = veil_circuits::merkle::sparse::SparseTree::new(
        veil_circuits::statements::totals::RECEIPT_DEPTH,
    );
    let mut nodes = veil_circuits::merkle::sparse::MemoryNodes::default();
    let mut root = tree.root(&mut nodes).unwrap();
    for r in &receipts {
        root = tree.set_leaf(&mut nodes, r.index(), r.note()).unwrap();
    }
    assert_eq!(store.receipt_root().unwrap(), root);
    assert!(store.is_receipt_root(root).unwrap());
}

on_both!(
    a_version_3_ledger_with_receipts_is_refused_and_kept,
    a_version_3_ledger_without_receipts_is_upgraded,
    licence_tree_root_and_paths_equal_the_dense_builder,
    accept_call_checks_root_epoch_and_nullifier_in_one_call,
    two_nodes_accept_each_nullifier_once,
    two_nodes_settling_for_one_seller_number_receipts_once,
);
