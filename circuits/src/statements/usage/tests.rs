use super::*;
use crate::error::assert_refused;
use crate::merkle::TreeBuilder;
use ark_ff::Zero;
use rand::SeedableRng;

/// A licence in a small tree of other licences, and an honest call.
pub(crate) fn honest_call(depth: u32, counter: u64) -> (CallPublic, CallWitness) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(counter + 100);
    let listing = listing_field("weather-api");
    let others: Vec<Fr> = (0..5)
        .map(|_| Licence::issue(&mut rng, listing, 3, 9).unwrap().note())
        .collect();
    let lic = Licence::issue(&mut rng, listing, 4, 10).unwrap();
    let mut b = TreeBuilder::new(depth, &[5]).unwrap();
    b.push(&others).unwrap();
    b.push(&[lic.note()]).unwrap();
    let t = b.finish().unwrap();
    let epoch = 7;
    let public = CallPublic {
        root: t.root,
        listing,
        epoch,
        nullifier: lic.nullifier(epoch, counter),
        request: crate::dataset::value_hash(b"GET /v1/forecast?city=Lyon"),
    };
    (
        public,
        CallWitness {
            licence: lic,
            counter,
            path: t.paths[0].clone(),
        },
    )
}

type CallMutation = crate::statements::Mutation<crate::statements::UsageCall>;

/// Each must break the call relation and circuit, each for its stated reason.
pub(crate) fn call_mutations() -> Vec<CallMutation> {
    vec![
        (
            "counter at quota",
            "counter is not below the quota",
            "counter_below_quota",
            Box::new(|p, w| {
                w.counter = w.licence.quota;
                p.nullifier = w.licence.nullifier(p.epoch, w.counter);
            }),
        ),
        (
            "expired",
            "licence expired",
            "epoch_not_after_expiry",
            Box::new(|p, w| {
                p.epoch = w.licence.expiry + 1;
                p.nullifier = w.licence.nullifier(p.epoch, w.counter);
            }),
        ),
        (
            "wrong listing",
            "licence is for another listing",
            "licence_in_tree",
            Box::new(|p, _| p.listing = listing_field("other-api")),
        ),
        (
            "wrong nullifier",
            "nullifier is not",
            "nullifier_of_the_slot",
            Box::new(|p, w| p.nullifier = w.licence.nullifier(p.epoch, w.counter + 1)),
        ),
        (
            "licence not in tree",
            "licence is not in the tree",
            "licence_in_tree",
            Box::new(|_, w| w.licence.quota += 1),
        ),
        (
            "wrong root",
            "licence is not in the tree",
            "licence_in_tree",
            Box::new(|p, _| p.root += Fr::from(1u64)),
        ),
        (
            "wrong index",
            "licence is not in the tree",
            "licence_in_tree",
            Box::new(|_, w| w.path.index ^= 1),
        ),
        (
            "another buyer key (its own nullifier)",
            "licence is not in the tree",
            "licence_in_tree",
            Box::new(|p, w| {
                w.licence.sk += Fr::from(1u64);
                p.nullifier = w.licence.nullifier(p.epoch, w.counter);
            }),
        ),
        (
            "another note salt",
            "licence is not in the tree",
            "licence_in_tree",
            Box::new(|_, w| w.licence.salt += Fr::from(1u64)),
        ),
    ]
}

#[test]
fn honest_calls_hold_and_mutations_fail() {
    for c in 0..4 {
        let (p, w) = honest_call(6, c);
        check_call(6, &p, &w).unwrap();
    }
    for (name, reason, _, m) in call_mutations() {
        let (mut p, mut w) = honest_call(6, 1);
        m(&mut p, &mut w);
        match check_call(6, &p, &w) {
            Err(crate::Error::Unsatisfied(r)) => assert!(r.contains(reason), "{name}: {r}"),
            other => panic!("{name}: expected a refusal for {reason:?}, got {other:?}"),
        }
    }
}

#[test]
fn nullifiers_are_distinct_and_unlinkable_in_form() {
    let (_, w) = honest_call(6, 0);
    let l = w.licence;
    let a = crate::field::to_hex(&l.nullifier(7, 0));
    let b = crate::field::to_hex(&l.nullifier(7, 1));
    let c = crate::field::to_hex(&l.nullifier(8, 0));
    assert!(a != b && a != c && b != c);
    assert_eq!(a.len(), 66);
    // No shared prefix derived from the key (beyond chance: 2 hex digits).
    let common = |x: &str, y: &str| {
        x.chars()
            .zip(y.chars())
            .skip(2)
            .take_while(|(p, q)| p == q)
            .count()
    };
    assert!(common(&a, &b) < 3 && common(&a, &c) < 3);
}

#[test]
fn a_licence_only_joins_its_own_key() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let lic = Licence::issue(&mut rng, listing_field("a"), 2, 3).unwrap();
    assert_eq!(Licence::new(lic.sk, &lic.terms()).unwrap(), lic);
    assert_refused(
        Licence::new(lic.sk + Fr::from(1u64), &lic.terms()),
        "the buyer key is not the one this licence was issued to",
    );
}

/// A tier over an epoch with `calls` accepted calls, proving `[lo, hi)`.
pub(crate) fn honest_tier(calls: u64, lo: u64, hi: u64) -> (TierPublic, TierWitness) {
    let listing = listing_field("weather-api");
    let lic = Licence::issue(
        &mut rand_chacha::ChaCha20Rng::seed_from_u64(9),
        listing,
        1000,
        9,
    )
    .unwrap();
    let nfs: Vec<Fr> = (0..calls).map(|c| lic.nullifier(3, c)).collect();
    let tree = CallsTree::build(&nfs).unwrap();
    if calls == 5 {
        assert_eq!(nfs, five_calls());
    }
    let salt = Fr::from(77u64);
    let p = TierPublic {
        usage: usage_commitment(listing, 3, tree.root, salt),
        listing,
        epoch: 3,
        lo,
        hi,
    };
    (p, tree.tier_witness(salt))
}

type TierEdit = Box<dyn Fn(&mut TierPublic, &mut TierWitness)>;
type TierMutation = crate::statements::Mutation<crate::statements::UsageTier>;

fn five_calls() -> Vec<Fr> {
    let lic = Licence::issue(
        &mut rand_chacha::ChaCha20Rng::seed_from_u64(9),
        listing_field("weather-api"),
        1000,
        9,
    )
    .unwrap();
    (0..5).map(|c| lic.nullifier(3, c)).collect()
}

/// The path of leaf `i` in the honest tree of 5 calls.
fn path_in_five(i: u64) -> Vec<Fr> {
    let mut b = TreeBuilder::new(CALLS_TREE_DEPTH, &[i]).unwrap();
    b.push(&five_calls()).unwrap();
    b.push(&[Fr::zero()]).unwrap(); // leaf 5 is empty: its path too
    b.finish().unwrap().paths[0].siblings.clone()
}

/// Claims `count` calls over the honest tree of 5, with leaf `count - 1` and its true path.
fn claim(count: u64) -> TierEdit {
    Box::new(move |p, w| {
        w.count = count;
        p.lo = 0;
        if count == 0 {
            w.last_leaf = Fr::zero();
        } else {
            w.last_leaf = five_calls()[count as usize - 1];
            w.path.index = count - 1;
            w.path.siblings = path_in_five(count - 1);
        }
    })
}

/// Each breaks the tier relation (for the reason given) and the circuit. The honest tier is
/// 5 calls in `[2, 8)`.
pub(crate) fn tier_mutations() -> Vec<TierMutation> {
    vec![
        (
            "lo above the count",
            "count is not in the tier",
            "count_not_below_lo",
            Box::new(|p, _| p.lo = 6),
        ),
        (
            "hi at the count",
            "count is not in the tier",
            "count_below_hi",
            Box::new(|p, _| p.hi = 5),
        ),
        (
            "lo above hi",
            "count is not in the tier",
            "count_not_below_lo",
            Box::new(|p, _| {
                p.lo = 7;
                p.hi = 3;
            }),
        ),
        (
            "hi of 2^32",
            "out of range",
            "hi_range",
            Box::new(|p, _| p.hi = 1 << 32),
        ),
        (
            "another salt",
            "does not open",
            "usage_opens",
            Box::new(|_, w| w.salt += Fr::from(1u64)),
        ),
        (
            "another epoch",
            "does not open",
            "usage_opens",
            Box::new(|p, _| p.epoch = 4),
        ),
        (
            "another listing",
            "does not open",
            "usage_opens",
            Box::new(|p, _| p.listing = listing_field("maps-api")),
        ),
        (
            "under-report by one (leaf 3 as the last)",
            "not empty",
            "no_call_after_the_last",
            claim(4),
        ),
        (
            "under-report to one",
            "not empty",
            "no_call_after_the_last",
            claim(1),
        ),
        (
            "claim no calls",
            "not empty",
            "no_calls_is_the_empty_tree",
            claim(0),
        ),
        (
            "over-report (leaf 5 is empty)",
            "is empty",
            "last_call_not_empty",
            Box::new(|_, w| {
                w.count = 6;
                w.path.index = 5;
                w.path.siblings = path_in_five(5);
                w.last_leaf = Fr::zero();
            }),
        ),
        (
            "over-report with a made-up leaf",
            "not in the calls tree",
            "last_call_in_tree",
            Box::new(|_, w| {
                w.count = 6;
                w.path.index = 5;
                w.path.siblings = path_in_five(5);
                w.last_leaf = Fr::from(1u64);
            }),
        ),
        (
            "a wrong left sibling",
            "not in the calls tree",
            "last_call_in_tree",
            Box::new(|_, w| {
                w.path.siblings[2] += Fr::from(1u64); // leaf 4: the node at height 2 is a right child
            }),
        ),
    ]
}

#[test]
fn tier_relation_and_circuit_refuse_every_miscount() {
    let shape = crate::statements::TierShape::default();
    for (calls, lo, hi) in [(0, 0, 1), (1, 1, 2)] {
        crate::statements::assert_mutations_refused::<crate::statements::UsageTier>(
            &shape,
            &honest_tier(calls, lo, hi),
            &[],
        );
    }
    crate::statements::assert_mutations_refused::<crate::statements::UsageTier>(
        &shape,
        &honest_tier(5, 2, 8),
        &tier_mutations(),
    );
}

#[test]
fn calls_tree_counts_its_leaves() {
    let t = CallsTree::build(&[Fr::from(3u64), Fr::from(4u64)]).unwrap();
    assert_eq!(t.count, 2);
    let (leaf, path) = t.last.clone().unwrap();
    assert_eq!(
        (leaf, path.index, path.root(leaf)),
        (Fr::from(4u64), 1, t.root)
    );
    assert_eq!(
        CallsTree::build(&[]).unwrap().root,
        crate::merkle::zero_hashes(CALLS_TREE_DEPTH)[CALLS_TREE_DEPTH as usize]
    );
    assert_refused(
        CallsTree::build(&[Fr::zero()]),
        "a nullifier of 0 cannot be a calls-tree leaf",
    );
}

#[cfg(feature = "r1cs")]
mod r1cs {
    use super::*;

    use crate::gadgets::satisfied as sat;

    #[test]
    fn call_circuit_matches_the_relation() {
        let (p, w) = honest_call(6, 3);
        assert!(
            sat(CallCircuit {
                depth: 6,
                public: p,
                witness: w
            })
            .0
        );
        for (name, _, rule, m) in call_mutations() {
            let (mut p, mut w) = honest_call(6, 1);
            m(&mut p, &mut w);
            crate::lying::Synthesised::new(CallCircuit {
                depth: 6,
                public: p,
                witness: w,
            })
            .assert_broken_by(rule, name);
        }
        // Constraint counts are in tests/snapshots/sizes.json (266 per licence-tree level).
    }
}

/// What a lying prover can try against the R1CS circuits themselves (`crate::lying`): every
/// witness is pinned, and a dishonest witness with every other check consistent (the nullifier
/// recomputed, the hints a prover would pick) is refused by the one range check that matters.
#[cfg(feature = "r1cs")]
mod lying_prover {
    use super::*;
    use crate::lying::Synthesised;
    use crate::statements::{CallShape, R1csStatement, TierShape, UsageCall, UsageTier};

    fn call(edit: impl Fn(&mut CallPublic, &mut CallWitness)) -> Synthesised {
        let (mut p, mut w) = honest_call(4, 1);
        edit(&mut p, &mut w);
        Synthesised::new(UsageCall::circuit(&CallShape { depth: 4 }, p, w))
    }

    fn tier(calls: u64, lo: u64, hi: u64) -> Synthesised {
        let (p, w) = honest_tier(calls, lo, hi);
        Synthesised::new(UsageTier::circuit(&TierShape::default(), p, w))
    }

    #[test]
    fn no_witness_variable_is_free() {
        call(|_, _| {}).assert_pinned();
        tier(5, 2, 8).assert_pinned();
    }

    #[test]
    fn a_slot_past_the_quota_or_an_expired_licence_fails_its_range_check() {
        // Counter = quota: the nullifier is the slot's own, the slack wraps.
        let over = call(|p, w| {
            w.counter = w.licence.quota;
            p.nullifier = w.licence.nullifier(p.epoch, w.counter);
        });
        let broken = over.broken().expect("refused");
        assert!(broken.contains("counter_below_quota"), "{broken}");
        // Epoch after expiry (at expiry is the last valid one).
        let late = call(|p, w| {
            p.epoch = w.licence.expiry + 1;
            p.nullifier = w.licence.nullifier(p.epoch, w.counter);
        });
        let broken = late.broken().expect("refused");
        assert!(broken.contains("epoch_not_after_expiry"), "{broken}");
        let last = call(|p, w| {
            p.epoch = w.licence.expiry;
            p.nullifier = w.licence.nullifier(p.epoch, w.counter);
        });
        assert_eq!(last.broken(), None, "the expiry epoch itself is valid");
    }

    #[test]
    fn a_count_outside_the_tier_fails_its_range_check() {
        let broken = tier(5, 6, 9).broken().expect("refused");
        assert!(broken.contains("count_not_below_lo"), "{broken}");
        let broken = tier(5, 2, 5).broken().expect("refused");
        assert!(broken.contains("count_below_hi"), "{broken}");
        assert_eq!(tier(5, 5, 6).broken(), None);
    }
}
