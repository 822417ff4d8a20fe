//! Honest calls and tiers, and the edits each statement must refuse: the cases every backend's
//! tests run (feature `fixtures`), so that one witness is proved, and one lie refused, by
//! Groth16 and halo2 alike.

use super::*;
use crate::merkle::TreeBuilder;
use ark_ff::Zero;
use rand::SeedableRng;

/// A licence in a small tree of other licences, and an honest call.
pub fn honest_call(depth: u32, counter: u64) -> (CallPublic, CallWitness) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(counter + 100);
    let listing = listing_field("weather-api");
    let others: Vec<Fr> = (0..5)
        .map(|_| {
            Licence::issue(&mut rng, listing, 3, 9)
                .expect("a fixture")
                .note()
        })
        .collect();
    let lic = Licence::issue(&mut rng, listing, 4, 10).expect("a fixture");
    let mut b = TreeBuilder::new(depth, &[5]).expect("a fixture");
    b.push(&others).expect("a fixture");
    b.push(&[lic.note()]).expect("a fixture");
    let t = b.finish().expect("a fixture");
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

/// An edit of an honest call.
pub type CallMutation = crate::statements::Mutation<crate::statements::UsageCall>;

/// Each must break the call relation and circuit, each for its stated reason.
pub fn call_mutations() -> Vec<CallMutation> {
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

/// A tier over an epoch with `calls` accepted calls, proving `[lo, hi)`.
pub fn honest_tier(calls: u64, lo: u64, hi: u64) -> (TierPublic, TierWitness) {
    let listing = listing_field("weather-api");
    let lic = Licence::issue(
        &mut rand_chacha::ChaCha20Rng::seed_from_u64(9),
        listing,
        1000,
        9,
    )
    .expect("a fixture");
    let nfs: Vec<Fr> = (0..calls).map(|c| lic.nullifier(3, c)).collect();
    let tree = CallsTree::build(&nfs).expect("a fixture");
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

/// An edit of an honest tier.
pub type TierEdit = Box<dyn Fn(&mut TierPublic, &mut TierWitness)>;
/// A named edit of an honest tier, with its refusal and broken rule.
pub type TierMutation = crate::statements::Mutation<crate::statements::UsageTier>;

fn five_calls() -> Vec<Fr> {
    let lic = Licence::issue(
        &mut rand_chacha::ChaCha20Rng::seed_from_u64(9),
        listing_field("weather-api"),
        1000,
        9,
    )
    .expect("a fixture");
    (0..5).map(|c| lic.nullifier(3, c)).collect()
}

/// The path of leaf `i` in the honest tree of 5 calls.
fn path_in_five(i: u64) -> Vec<Fr> {
    let mut b = TreeBuilder::new(CALLS_TREE_DEPTH, &[i]).expect("a fixture");
    b.push(&five_calls()).expect("a fixture");
    b.push(&[Fr::zero()]).expect("a fixture"); // leaf 5 is empty: its path too
    b.finish().expect("a fixture").paths[0].siblings.clone()
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
pub fn tier_mutations() -> Vec<TierMutation> {
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
