use super::cases::*;
use super::*;
use crate::error::assert_refused;
use ark_ff::Zero;
use rand::SeedableRng;

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
                shape: CallShape { depth: 6 },
                public: p,
                witness: w
            })
            .0
        );
        for (name, _, rule, m) in call_mutations() {
            let (mut p, mut w) = honest_call(6, 1);
            m(&mut p, &mut w);
            crate::lying::Synthesised::new(CallCircuit {
                shape: CallShape { depth: 6 },
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
