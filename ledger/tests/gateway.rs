//! Metered calls end to end: issue a licence, spend the quota, refuse the next call in the
//! client and a hand-built over-quota proof at the gateway, refuse replays (concurrent ones and
//! after a restart), and prove a usage tier.

use rand::SeedableRng;
use std::sync::{Arc, Barrier};
use veil_circuits::dataset::value_hash;
use veil_circuits::statements::usage::{
    self, CallCircuit, CallPublic, CallWitness, Licence, TierCircuit,
};
use veil_circuits::Fr;
use veil_ledger::{Gateway, Ledger, LedgerError};
use veil_prover::backend::groth16::{insecure_setup, Groth16Prover};
use veil_prover::usage::{prove_call, prove_tier, reserve_counter};
use veil_verifier::proof::ProofEnvelope;

struct Fixture {
    dir: tempfile::TempDir,
    prover: Groth16Prover,
    licence: Licence,
    index: u64,
}

fn fixture(quota: u64) -> Fixture {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(quota);
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(&dir.path().join("market.db")).unwrap();
    let depth = ledger.licence_depth();
    let listing = usage::listing_field("weather-api");
    for _ in 0..3 {
        ledger
            .issue_licence(Licence::issue(&mut rng, listing, 9, 99).unwrap().note())
            .unwrap();
    }
    let licence = Licence::issue(&mut rng, listing, quota, 50).unwrap();
    let (index, _) = ledger.issue_licence(licence.note()).unwrap();
    let pk = insecure_setup(CallCircuit::blank(depth), &mut rng).unwrap();
    let prover = Groth16Prover::new(pk, CallCircuit::blank(depth)).unwrap();
    Fixture {
        dir,
        prover,
        licence,
        index,
    }
}

impl Fixture {
    fn gateway(&self) -> Gateway {
        let ledger = Ledger::open(&self.dir.path().join("market.db")).unwrap();
        let vk = veil_verifier::groth16::prepare(&self.prover.pk.vk);
        Gateway::new(ledger, vk, self.licence.listing, 16)
    }

    fn call(&self, counter: u64, epoch: u64, request: &[u8]) -> ProofEnvelope {
        let ledger = Ledger::open(&self.dir.path().join("market.db")).unwrap();
        let (root, path) = ledger.licence_path(self.index).unwrap();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(counter * 1000 + epoch);
        prove_call(
            &self.prover,
            ledger.licence_depth(),
            &self.licence,
            counter,
            epoch,
            value_hash(request),
            root,
            path,
            &mut rng,
        )
        .unwrap()
    }
}

#[test]
fn quota_calls_pass_then_the_client_and_the_gateway_refuse() {
    let f = fixture(3);
    let gw = f.gateway();
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
    assert_eq!(gw.ledger().calls_in_epoch(epoch).unwrap(), 3);

    // A hand-built proof with counter = quota (skipping the native check) does not verify.
    let ledger = Ledger::open(&f.dir.path().join("market.db")).unwrap();
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
        depth: ledger.licence_depth(),
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
        serde_json::json!({}),
        inputs,
        &proof,
    );
    let err = gw.check_call(&env, epoch, request).unwrap_err();
    assert!(
        matches!(
            err,
            LedgerError::Verify(veil_verifier::VerifyError::Rejected(_))
        ),
        "{err}"
    );
    assert_eq!(
        gw.ledger().calls_in_epoch(epoch).unwrap(),
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
                let gw = f.gateway(); // its own connection, as separate gateway processes would have
                s.spawn(move || {
                    barrier.wait();
                    match gw.check_call(&call, epoch, value_hash(req)) {
                        Ok(_) => true,
                        Err(LedgerError::Replay { .. }) => false,
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
    let gw = f.gateway();
    assert!(matches!(
        gw.check_call(&call, epoch, value_hash(req)),
        Err(LedgerError::Replay { .. })
    ));
    assert_eq!(gw.ledger().calls_in_epoch(epoch).unwrap(), 1);
}

#[test]
fn wrong_listing_epoch_request_or_root_is_refused_and_nothing_recorded() {
    let f = fixture(4);
    let gw = f.gateway();
    let call = f.call(1, 9, b"GET /a");
    // Another request.
    assert!(matches!(
        gw.check_call(&call, 9, value_hash(b"GET /b")),
        Err(LedgerError::Verify(_))
    ));
    // Another epoch.
    assert!(matches!(
        gw.check_call(&call, 10, value_hash(b"GET /a")),
        Err(LedgerError::Verify(_))
    ));
    // Another listing's gateway.
    let other = Gateway::new(
        Ledger::open(&f.dir.path().join("market.db")).unwrap(),
        veil_verifier::groth16::prepare(&f.prover.pk.vk),
        usage::listing_field("other-api"),
        16,
    );
    assert!(matches!(
        other.check_call(&call, 9, value_hash(b"GET /a")),
        Err(LedgerError::Verify(_))
    ));
    // An edited public input (the nullifier) breaks the proof.
    let mut edited = call.clone();
    edited.public_inputs[3] += Fr::from(1u64);
    assert!(matches!(
        gw.check_call(&edited, 9, value_hash(b"GET /a")),
        Err(LedgerError::Verify(_))
    ));
    // A root the gateway never published.
    let mut edited = call.clone();
    edited.public_inputs[0] += Fr::from(1u64);
    assert!(matches!(
        gw.check_call(&edited, 9, value_hash(b"GET /a")),
        Err(LedgerError::UnknownRoot(_))
    ));
    assert_eq!(gw.ledger().calls_in_epoch(9).unwrap(), 0);
    // The honest call still goes through afterwards, and the root survives new issuances.
    let mut ledger = Ledger::open(&f.dir.path().join("market.db")).unwrap();
    ledger.issue_licence(Fr::from(123u64)).unwrap();
    gw.check_call(&call, 9, value_hash(b"GET /a")).unwrap();
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
    assert!(
        reserve_counter(&state, &f.licence, 2).is_err(),
        "the 41st is past the quota"
    );
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
fn tier_proof_verifies_and_refuses_a_wrong_tier() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
    let pk = insecure_setup(TierCircuit::blank(), &mut rng).unwrap();
    let prover = Groth16Prover::new(pk, TierCircuit::blank()).unwrap();
    let listing = usage::listing_field("weather-api");
    let (env, _salt) = prove_tier(&prover, listing, 4, 1234, 1000, 5000, &mut rng).unwrap();
    let vk = veil_verifier::groth16::prepare(&prover.pk.vk);
    let p = veil_verifier::usage::verify_tier(&env, &vk).unwrap();
    assert_eq!((p.lo, p.hi, p.epoch), (1000, 5000, 4));
    assert!(prove_tier(&prover, listing, 4, 1234, 1235, 5000, &mut rng).is_err());
    let mut edited = env.clone();
    edited.public_inputs[4] = Fr::from(2000u64); // claim a narrower tier
    assert!(veil_verifier::usage::verify_tier(&edited, &vk).is_err());
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
fn licence_tree_root_and_paths_equal_the_dense_builder() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(&dir.path().join("l.db")).unwrap();
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
    assert!(ledger.licence_path(9).is_err(), "no licence 9");
    assert_eq!(ledger.recent_roots(1).unwrap(), vec![root]);
}
