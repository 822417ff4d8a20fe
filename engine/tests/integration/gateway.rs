//! Metered calls end to end: issue a licence, spend the quota, refuse the next call in the
//! client and a hand-built over-quota proof at the gateway, refuse replays (concurrent ones and
//! after a restart), and prove a usage tier.

use rand::SeedableRng;
use std::sync::{Arc, Barrier};
use veil_circuits::dataset::value_hash;
use veil_circuits::statements::usage::{
    self, CallCircuit, CallPublic, CallWitness, CallsTree, Licence, TierCircuit,
};
use veil_circuits::statements::{CallShape, TierShape, UsageCall, UsageTier};
use veil_circuits::Fr;
use veil_engine::gateway::{CallKeys, Gateway};
use veil_engine::store::{LedgerError, SqliteStore, Store};
use veil_engine::wallet::reserve_counter;
use veil_engine::EngineError;
use veil_prover::backend::groth16::{insecure_setup, Groth16Prover};
use veil_verifier::proof::ProofEnvelope;
use veil_verifier::VerifyError;

/// Proves a tier over `calls` (native check first), as the gateway does.
#[allow(clippy::too_many_arguments)]
fn prove_tier(
    tier: &Groth16Prover,
    listing: Fr,
    epoch: u64,
    calls: &CallsTree,
    salt: Fr,
    lo: u64,
    hi: u64,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> veil_prover::Result<ProofEnvelope> {
    let (public, witness) = calls.tier_statement(listing, epoch, salt, lo, hi);
    tier.prove_statement::<UsageTier, _>(&TierShape::default(), public, witness, rng)
}

/// The ledger error inside an engine error.
fn ledger_err(e: &EngineError) -> Option<&LedgerError> {
    match e {
        EngineError::Ledger(l) => Some(l),
        _ => None,
    }
}

struct Fixture {
    dir: tempfile::TempDir,
    prover: Groth16Prover,
    licence: Licence,
    index: u64,
}

fn fixture(quota: u64) -> Fixture {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(quota);
    let dir = tempfile::tempdir().unwrap();
    let ledger = SqliteStore::create(&dir.path().join("market.db")).unwrap();
    let depth = ledger.licence_depth();
    let listing = usage::listing_field("weather-api");
    for _ in 0..3 {
        ledger
            .issue_licence(Licence::issue(&mut rng, listing, 9, 99).unwrap().note())
            .unwrap();
    }
    let licence = Licence::issue(&mut rng, listing, quota, 50).unwrap();
    let (index, _) = ledger.issue_licence(licence.note()).unwrap();
    let pk = insecure_setup(CallCircuit::blank(CallShape { depth }), &mut rng).unwrap();
    let prover = Groth16Prover::new(pk, CallCircuit::blank(CallShape { depth })).unwrap();
    Fixture {
        dir,
        prover,
        licence,
        index,
    }
}

impl Fixture {
    /// A fresh connection to the ledger, as a separate gateway process would have.
    fn store(&self) -> SqliteStore {
        SqliteStore::open(&self.dir.path().join("market.db")).unwrap()
    }

    fn gateway<'a>(&self, store: &'a SqliteStore) -> Gateway<'a> {
        let vk = veil_verifier::groth16::prepare(&self.prover.pk.vk);
        Gateway::new(store, CallKeys::groth16(vk), self.licence.listing, 16)
    }

    fn call(&self, counter: u64, epoch: u64, request: &[u8]) -> ProofEnvelope {
        self.call_with(&self.licence, self.index, counter, epoch, request)
    }

    fn call_with(
        &self,
        licence: &Licence,
        index: u64,
        counter: u64,
        epoch: u64,
        request: &[u8],
    ) -> ProofEnvelope {
        let ledger = SqliteStore::open(&self.dir.path().join("market.db")).unwrap();
        let (root, path) = ledger.licence_path(index).unwrap();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(counter * 1000 + epoch);
        let (public, witness) =
            usage::call_statement(licence, counter, epoch, value_hash(request), root, path);
        let shape = CallShape {
            depth: ledger.licence_depth(),
        };
        self.prover
            .prove_statement::<UsageCall, _>(&shape, public, witness, &mut rng)
            .unwrap()
    }
}

/// Asserts that the pairing check itself refused a call (not a check made before it).
#[track_caller]
fn refused_by_the_proof<T: std::fmt::Debug>(r: Result<T, EngineError>, what: &str) {
    match r {
        Err(EngineError::Verify(VerifyError::Rejected(_))) => {}
        other => panic!("{what}: expected the proof to refuse it, got {other:?}"),
    }
}

/// Calls the gateway accepted for its listing in `epoch`.
fn calls(gw: &Gateway, listing: Fr, epoch: u64) -> usize {
    gw.store().calls(listing, epoch).unwrap().len()
}

#[test]
fn quota_calls_pass_then_the_client_and_the_gateway_refuse() {
    let f = fixture(3);
    let store = f.store();
    let gw = f.gateway(&store);
    let state = f.dir.path().join("counter.json");
    let epoch = 7;
    for i in 0..3 {
        let c = reserve_counter(&state, &f.licence, epoch).unwrap();
        assert_eq!(c, i);
        let req = format!("GET /forecast?i={i}");
        gw.check_call(
            &f.call(c, epoch, req.as_bytes()),
            epoch,
            value_hash(req.as_bytes()),
        )
        .unwrap();
    }
    let err = reserve_counter(&state, &f.licence, epoch)
        .unwrap_err()
        .to_string();
    assert!(err.contains("quota reached"), "{err}");
    assert_eq!(calls(&gw, f.licence.listing, epoch), 3);

    // A hand-built proof with counter = quota (skipping the native check) does not verify.
    let ledger = SqliteStore::open(&f.dir.path().join("market.db")).unwrap();
    let (root, path) = ledger.licence_path(f.index).unwrap();
    let request = value_hash(b"GET /forecast?i=3");
    let public = CallPublic {
        root,
        listing: f.licence.listing,
        epoch,
        nullifier: f.licence.nullifier(epoch, 3),
        request,
    };
    let circuit = CallCircuit {
        shape: CallShape {
            depth: ledger.licence_depth(),
        },
        public,
        witness: CallWitness {
            licence: f.licence,
            counter: 3,
            path,
        },
    };
    let (proof, inputs) = f
        .prover
        .prove(circuit, &mut rand_chacha::ChaCha20Rng::seed_from_u64(5))
        .unwrap();
    let env = ProofEnvelope::groth16(
        usage::CALL,
        veil_verifier::usage::call_key(ledger.licence_depth()),
        &f.prover.pk.vk,
        serde_json::json!({ "depth": ledger.licence_depth() }),
        inputs,
        &proof,
    );
    refused_by_the_proof(gw.check_call(&env, epoch, request), "counter = quota");
    assert_eq!(
        calls(&gw, f.licence.listing, epoch),
        3,
        "a refused call recorded nothing"
    );

    // The next epoch starts again at slot 0.
    assert_eq!(reserve_counter(&state, &f.licence, epoch + 1).unwrap(), 0);
}

#[test]
fn replays_are_refused_concurrently_and_after_restart() {
    let f = fixture(5);
    let epoch = 3;
    let req = b"GET /forecast?city=Oslo";
    let call = f.call(0, epoch, req);
    let barrier = Arc::new(Barrier::new(8));
    let results: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (barrier, call) = (barrier.clone(), call.clone());
                let f = &f;
                s.spawn(move || {
                    let store = f.store(); // its own connection, as separate gateway processes would have
                    let gw = f.gateway(&store);
                    barrier.wait();
                    match gw.check_call(&call, epoch, value_hash(req)) {
                        Ok(_) => true,
                        Err(EngineError::Ledger(LedgerError::Replay { .. })) => false,
                        Err(e) => panic!("unexpected error: {e}"),
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        results.iter().filter(|ok| **ok).count(),
        1,
        "exactly one of 8 concurrent submissions succeeds"
    );
    // A "restarted" gateway (a fresh open of the same file) still refuses it.
    let store = f.store();
    let gw = f.gateway(&store);
    assert!(matches!(
        gw.check_call(&call, epoch, value_hash(req)),
        Err(EngineError::Ledger(LedgerError::Replay { .. }))
    ));
    assert_eq!(calls(&gw, f.licence.listing, epoch), 1);
}

#[test]
fn wrong_listing_epoch_request_or_root_is_refused_and_nothing_recorded() {
    let f = fixture(4);
    let store = f.store();
    let gw = f.gateway(&store);
    let call = f.call(1, 9, b"GET /a");
    // Another request.
    assert!(matches!(
        gw.check_call(&call, 9, value_hash(b"GET /b")),
        Err(EngineError::Verify(VerifyError::Mismatch(m))) if m.contains("another request")
    ));
    // Another epoch.
    assert!(matches!(
        gw.check_call(&call, 10, value_hash(b"GET /a")),
        Err(EngineError::Verify(VerifyError::Mismatch(m))) if m.contains("gateway is in epoch 10")
    ));
    // Another listing's gateway.
    let other_store = f.store();
    let other = Gateway::new(
        &other_store,
        CallKeys::groth16(veil_verifier::groth16::prepare(&f.prover.pk.vk)),
        usage::listing_field("other-api"),
        16,
    );
    assert!(matches!(
        other.check_call(&call, 9, value_hash(b"GET /a")),
        Err(EngineError::Verify(VerifyError::Mismatch(m))) if m.contains("another listing")
    ));
    // An edited public input (the nullifier) breaks the proof.
    let mut edited = call.clone();
    edited.public_inputs[3] += Fr::from(1u64);
    assert!(matches!(
        gw.check_call(&edited, 9, value_hash(b"GET /a")),
        Err(EngineError::Verify(VerifyError::Rejected(_)))
    ));
    // A root the gateway never published.
    let mut edited = call.clone();
    edited.public_inputs[0] += Fr::from(1u64);
    assert!(matches!(
        gw.check_call(&edited, 9, value_hash(b"GET /a")),
        Err(EngineError::Ledger(LedgerError::UnknownRoot(_)))
    ));
    assert_eq!(calls(&gw, f.licence.listing, 9), 0);
    // The honest call still goes through afterwards, and the root survives new issuances.
    let ledger = SqliteStore::open(&f.dir.path().join("market.db")).unwrap();
    ledger.issue_licence(Fr::from(123u64)).unwrap();
    gw.check_call(&call, 9, value_hash(b"GET /a")).unwrap();
}

/// Each public input of a call edited *consistently*: the gateway is asked about the edited
/// listing, epoch or request, the edited root is one it published, the edited nullifier is
/// fresh; every check outside the proof passes and the proof itself refuses the call.
#[test]
fn every_call_input_edited_consistently_is_refused_by_the_proof() {
    let f = fixture(4);
    let store = f.store();
    let gw = f.gateway(&store);
    let call = f.call(1, 9, b"GET /a");
    // A second published root: another licence issued after the call was proved.
    f.store().issue_licence(Fr::from(321u64)).unwrap();
    let new_root = f.store().licence_path(0).unwrap().0;
    assert_ne!(new_root, call.public_inputs[0]);
    let other_store = f.store();
    let other = Gateway::new(
        &other_store,
        CallKeys::groth16(veil_verifier::groth16::prepare(&f.prover.pk.vk)),
        usage::listing_field("other-api"),
        16,
    );
    // (input, new value, gateway, epoch, request)
    let cases: [(usize, Fr, &Gateway, u64, Fr); 5] = [
        (0, new_root, &gw, 9, value_hash(b"GET /a")),
        (
            1,
            usage::listing_field("other-api"),
            &other,
            9,
            value_hash(b"GET /a"),
        ),
        (2, Fr::from(10u64), &gw, 10, value_hash(b"GET /a")),
        (3, Fr::from(777u64), &gw, 9, value_hash(b"GET /a")),
        (4, value_hash(b"GET /b"), &gw, 9, value_hash(b"GET /b")),
    ];
    for (i, value, gateway, epoch, request) in cases {
        let mut edited = call.clone();
        edited.public_inputs[i] = value;
        refused_by_the_proof(
            gateway.check_call(&edited, epoch, request),
            &format!("public input {i}"),
        );
    }
    assert_eq!(calls(&gw, f.licence.listing, 9), 0);
    assert_eq!(calls(&gw, f.licence.listing, 10), 0);
    // The unedited call is still accepted, under either published root.
    gw.check_call(&call, 9, value_hash(b"GET /a")).unwrap();
    // The licence's last epoch (its expiry, 50) is still one it may call in.
    gw.check_call(&f.call(0, 50, b"GET /z"), 50, value_hash(b"GET /z"))
        .unwrap();
}

#[test]
fn concurrent_reservations_never_share_a_slot() {
    let f = fixture(40);
    let state = f.dir.path().join("shared.json");
    let slots: Vec<u64> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    (0..5)
                        .map(|_| reserve_counter(&state, &f.licence, 2).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = slots.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (0..40).collect::<Vec<_>>(),
        "every slot handed out exactly once"
    );
    let e = reserve_counter(&state, &f.licence, 2)
        .unwrap_err()
        .to_string();
    assert!(e.contains("quota"), "the 41st is past the quota: {e}");
}

#[test]
fn a_lock_file_left_by_a_crashed_call_does_not_block() {
    let f = fixture(3);
    let state = f.dir.path().join("left.json");
    // A call that died mid-way leaves `<state>.lock` behind; the OS lock died with it.
    std::fs::write(f.dir.path().join("left.json.lock"), "").unwrap();
    assert_eq!(reserve_counter(&state, &f.licence, 1).unwrap(), 0);
    assert_eq!(reserve_counter(&state, &f.licence, 1).unwrap(), 1);
}

#[test]
fn counter_state_is_never_reused_and_corruption_is_refused() {
    let f = fixture(2);
    let state = f.dir.path().join("c.json");
    assert_eq!(reserve_counter(&state, &f.licence, 1).unwrap(), 0);
    assert_eq!(reserve_counter(&state, &f.licence, 1).unwrap(), 1);
    std::fs::write(&state, "{ not json").unwrap();
    let err = reserve_counter(&state, &f.licence, 1)
        .unwrap_err()
        .to_string();
    assert!(err.contains("counter state"), "{err}");
    std::fs::remove_file(&state).unwrap();
    let err = reserve_counter(&state, &f.licence, 51)
        .unwrap_err()
        .to_string();
    assert!(err.contains("expired"), "{err}");
}

#[test]
fn tier_counts_its_own_listing_and_is_bound_to_the_published_commitment() {
    let f = fixture(5);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
    let db = f.dir.path().join("market.db");
    let maps = Licence::issue(&mut rng, usage::listing_field("maps-api"), 5, 50).unwrap();
    let (maps_index, _) = SqliteStore::open(&db)
        .unwrap()
        .issue_licence(maps.note())
        .unwrap();
    let epoch = 5;
    let store = f.store();
    let gw = f.gateway(&store);
    let maps_store = SqliteStore::open(&db).unwrap();
    let maps_gw = Gateway::new(
        &maps_store,
        CallKeys::groth16(veil_verifier::groth16::prepare(&f.prover.pk.vk)),
        maps.listing,
        16,
    );
    for c in 0..3 {
        let req = format!("GET /w/{c}");
        let call = f.call(c, epoch, req.as_bytes());
        assert_eq!(
            gw.check_call(&call, epoch, value_hash(req.as_bytes()))
                .unwrap()
                .position,
            c
        );
    }
    for c in 0..2 {
        let req = format!("GET /m/{c}");
        let call = f.call_with(&maps, maps_index, c, epoch, req.as_bytes());
        maps_gw
            .check_call(&call, epoch, value_hash(req.as_bytes()))
            .unwrap();
    }
    let ledger = SqliteStore::open(&db).unwrap();
    let weather = f.licence.listing;
    let u = ledger.close_epoch(weather, epoch, Fr::from(99u64)).unwrap();
    assert_eq!(u.calls, 3, "only weather-api's calls");
    assert_eq!(
        ledger.close_epoch(weather, epoch, Fr::from(1u64)).unwrap(),
        u,
        "closing again returns the published commitment"
    );
    // A closed epoch takes no more calls (the published tree cannot change); maps-api's is open.
    let late = f.call(3, epoch, b"GET /late");
    let r = gw.check_call(&late, epoch, value_hash(b"GET /late"));
    assert!(
        matches!(
            r.as_ref().map_err(ledger_err),
            Err(Some(LedgerError::EpochClosed { epoch: 5 }))
        ),
        "{r:?}"
    );
    let call = f.call_with(&maps, maps_index, 2, epoch, b"GET /m/2");
    maps_gw
        .check_call(&call, epoch, value_hash(b"GET /m/2"))
        .unwrap();

    let pk = insecure_setup(TierCircuit::blank(TierShape::default()), &mut rng).unwrap();
    let tier = Groth16Prover::new(pk, TierCircuit::blank(TierShape::default())).unwrap();
    let vk = veil_verifier::groth16::prepare(&tier.pk.vk);
    let tree = ledger.calls_tree(weather, epoch).unwrap();
    let env = prove_tier(&tier, weather, epoch, &tree, u.salt, 3, 4, &mut rng).unwrap();
    let p = veil_verifier::usage::verify_tier(&env, &vk).unwrap();
    assert_eq!(
        (p.usage, p.listing, p.epoch, p.lo, p.hi),
        (u.usage, weather, 5, 3, 4)
    );
    // The true count is 3: [5, 6) cannot be proved from the ledger.
    match prove_tier(&tier, weather, epoch, &tree, u.salt, 5, 6, &mut rng) {
        Err(veil_prover::ProverError::Circuits(veil_circuits::Error::Unsatisfied(m))) => {
            assert!(m.contains("count is not in the tier"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    // A gateway that counts another listing's calls in makes another tree, so another U: the
    // proof verifies, but not for the published commitment.
    let mut mixed = ledger.calls(weather, epoch).unwrap();
    mixed.extend(ledger.calls(maps.listing, epoch).unwrap());
    let mixed = CallsTree::build(&mixed).unwrap();
    let env6 = prove_tier(&tier, weather, epoch, &mixed, u.salt, 6, 7, &mut rng).unwrap();
    assert_ne!(
        veil_verifier::usage::verify_tier(&env6, &vk).unwrap().usage,
        u.usage
    );
    // An unknown listing has no calls: [0, 1) only.
    let unknown = usage::listing_field("no-such-api");
    let u0 = ledger.close_epoch(unknown, epoch, Fr::from(7u64)).unwrap();
    assert_eq!(u0.calls, 0);
    let empty = ledger.calls_tree(unknown, epoch).unwrap();
    prove_tier(&tier, unknown, epoch, &empty, u0.salt, 0, 1, &mut rng).unwrap();
    veil_testkit::refused(
        prove_tier(&tier, unknown, epoch, &empty, u0.salt, 5, 6, &mut rng),
        "count is not in the tier",
    );
    // Every public input is bound by the proof: edit each consistently-typed value.
    for i in 0..5 {
        let mut edited = env.clone();
        edited.public_inputs[i] += Fr::from(1u64);
        assert!(
            matches!(
                veil_verifier::usage::verify_tier(&edited, &vk),
                Err(veil_verifier::VerifyError::Rejected(_))
            ),
            "public input {i}"
        );
    }
    // A version-1 envelope (written before proofs named their key) still verifies; a
    // version-2 one without its key digest is malformed.
    let mut v1 = env.clone();
    (v1.veil, v1.vk_sha256) = (1, None);
    veil_verifier::usage::verify_tier(&v1, &vk).unwrap();
    let mut bad = env.clone();
    bad.vk_sha256 = None;
    assert!(matches!(
        veil_verifier::usage::verify_tier(&bad, &vk),
        Err(veil_verifier::VerifyError::Malformed(_))
    ));
    // Another verifying key (another setup) is named as such, not reported as a forgery.
    let other = insecure_setup(TierCircuit::blank(TierShape::default()), &mut rng).unwrap();
    let err = veil_verifier::usage::verify_tier(&env, &veil_verifier::groth16::prepare(&other.vk))
        .unwrap_err();
    assert!(
        matches!(&err, veil_verifier::VerifyError::Keys(m) if m.contains("another verifying key")),
        "{err}"
    );
}

#[test]
fn two_buyers_calls_have_the_same_shape() {
    let (a, b) = (fixture(3), fixture(7));
    let (ca, cb) = (a.call(0, 5, b"GET /x"), b.call(2, 5, b"GET /x"));
    let keys = |e: &ProofEnvelope| {
        let v = serde_json::to_value(e).unwrap();
        v.as_object().unwrap().keys().cloned().collect::<Vec<_>>()
    };
    assert_eq!(keys(&ca), keys(&cb));
    assert_eq!(
        (&ca.statement, &ca.key, &ca.shape),
        (&cb.statement, &cb.key, &cb.shape)
    );
    assert_eq!(ca.public_inputs.len(), cb.public_inputs.len());
    assert_eq!(ca.proof.len(), cb.proof.len());
    assert_ne!(
        ca.public_inputs[3], cb.public_inputs[3],
        "different nullifiers"
    );
}

#[test]
fn halo2_calls_pass_the_same_gateway_beside_groth16_and_lies_are_refused_alone() {
    use veil_halo2::kzg::{self, VerifierPoints};
    use veil_halo2::statements::Halo2Statement;
    use veil_prover::backend::{halo2::Halo2Backend, Backend};
    use veil_verifier::halo2::Halo2Key;

    let f = fixture(6);
    let epoch = 4;
    let store = f.store();
    let shape = CallShape {
        depth: store.licence_depth(),
    };
    let params = kzg::insecure_setup(UsageCall::k(&shape).unwrap());
    let key = Halo2Key::from_vk(
        kzg::keygen_verifying::<UsageCall>(&params, &shape).unwrap(),
        &VerifierPoints::of(&params),
    );
    let halo2 = Halo2Backend::new(params);
    let prove_halo2 = |counter: u64, request: &[u8]| -> ProofEnvelope {
        let (root, path) = store.licence_path(f.index).unwrap();
        let (public, witness) =
            usage::call_statement(&f.licence, counter, epoch, value_hash(request), root, path);
        Backend::<UsageCall>::prove(&halo2, &shape, public, witness).unwrap()
    };
    let mut forged = prove_halo2(2, b"GET /c");
    let mut bytes = hex::decode(&forged.proof).unwrap();
    bytes[100] ^= 1;
    forged.proof = hex::encode(bytes);
    let burst = vec![
        (f.call(0, epoch, b"GET /a"), value_hash(b"GET /a")),
        (prove_halo2(1, b"GET /b"), value_hash(b"GET /b")),
        (forged, value_hash(b"GET /c")),
        // Slot 1 again, under the other backend: the same nullifier.
        (f.call(1, epoch, b"GET /d"), value_hash(b"GET /d")),
    ];
    let both = CallKeys {
        groth16: Some(veil_verifier::groth16::prepare(&f.prover.pk.vk)),
        halo2: Some(Arc::new(key)),
    };
    let gw = Gateway::new(&store, both.clone(), f.licence.listing, 16);
    let out = gw.check_calls(&burst, epoch);
    assert!(out[0].is_ok() && out[1].is_ok(), "{out:?}");
    assert!(
        matches!(&out[2], Err(EngineError::Verify(VerifyError::Rejected(_)))),
        "a flipped halo2 proof: {:?}",
        out[2]
    );
    assert!(
        matches!(
            &out[3],
            Err(EngineError::Ledger(LedgerError::Replay { .. }))
        ),
        "{:?}",
        out[3]
    );
    assert_eq!(calls(&gw, f.licence.listing, epoch), 2);
    // One by one too; a gateway without a halo2 key names what it lacks and records nothing.
    let call = prove_halo2(3, b"GET /e");
    let groth16_only = f.gateway(&store);
    let e = groth16_only
        .check_call(&call, epoch, value_hash(b"GET /e"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no halo2-kzg-bn254 key"), "{e}");
    assert_eq!(calls(&gw, f.licence.listing, epoch), 2);
    // A halo2 call checked for another request than it proves is refused before the proof.
    assert!(gw.check_call(&call, epoch, value_hash(b"GET /x")).is_err());
    let ok = gw.check_call(&call, epoch, value_hash(b"GET /e")).unwrap();
    assert_eq!(ok.position, 2);
    // Its public inputs edited (the epoch kept): refused by the proof.
    let mut edited = prove_halo2(4, b"GET /f");
    edited.public_inputs[3] += Fr::from(1u64);
    refused_by_the_proof(
        gw.check_call(&edited, epoch, value_hash(b"GET /f")),
        "a halo2 call with another nullifier",
    );
    assert_eq!(calls(&gw, f.licence.listing, epoch), 3);
}
