//! The SQLite store on its own: what any `Store` implementation must do (the gateway and
//! audit tests in `veil-engine` exercise the rest through the use-cases).

use veil_circuits::Fr;
use veil_ledger::{CallRecord, LedgerError, SqliteStore, Store};

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

#[test]
fn licence_tree_root_and_paths_equal_the_dense_builder() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = SqliteStore::create(&dir.path().join("l.db")).unwrap();
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

#[test]
fn accept_call_checks_root_epoch_and_nullifier_in_one_call() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::create(&dir.path().join("s.db")).unwrap();
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
/// data kept, the new tables added, its version recorded as 3. A newer version is refused.
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
    assert_eq!(v, "3");
    c.execute(
        "UPDATE meta SET value = '4' WHERE key = 'schema_version'",
        [],
    )
    .unwrap();
    drop(c);
    let err = SqliteStore::open(&path).err().expect("refused").to_string();
    assert!(
        err.contains("has ledger schema version 4; this build reads version 3"),
        "{err}"
    );
}
