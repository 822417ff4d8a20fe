use super::*;
use crate::merkle::TreeBuilder;
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

type CallMutation = (&'static str, Box<dyn Fn(&mut CallPublic, &mut CallWitness)>);

/// Each must break the call relation and circuit.
pub(crate) fn call_mutations() -> Vec<CallMutation> {
    vec![
        (
            "counter at quota",
            Box::new(|p, w| {
                w.counter = w.licence.quota;
                p.nullifier = w.licence.nullifier(p.epoch, w.counter);
            }),
        ),
        (
            "expired",
            Box::new(|p, w| {
                p.epoch = w.licence.expiry + 1;
                p.nullifier = w.licence.nullifier(p.epoch, w.counter);
            }),
        ),
        (
            "wrong listing",
            Box::new(|p, _| p.listing = listing_field("other-api")),
        ),
        (
            "wrong nullifier",
            Box::new(|p, w| p.nullifier = w.licence.nullifier(p.epoch, w.counter + 1)),
        ),
        ("licence not in tree", Box::new(|_, w| w.licence.quota += 1)),
        ("wrong root", Box::new(|p, _| p.root += Fr::from(1u64))),
        ("wrong index", Box::new(|_, w| w.path.index ^= 1)),
    ]
}

#[test]
fn honest_calls_hold_and_mutations_fail() {
    for c in 0..4 {
        let (p, w) = honest_call(6, c);
        check_call(6, &p, &w).unwrap();
    }
    for (name, m) in call_mutations() {
        let (mut p, mut w) = honest_call(6, 1);
        m(&mut p, &mut w);
        assert!(check_call(6, &p, &w).is_err(), "{name} accepted");
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
    assert!(Licence::new(lic.sk + Fr::from(1u64), &lic.terms()).is_err());
}

#[test]
fn tier_relation() {
    let listing = listing_field("weather-api");
    let salt = Fr::from(77u64);
    let u = usage_commitment(listing, 3, 1500, salt);
    let w = TierWitness { count: 1500, salt };
    let p = TierPublic {
        usage: u,
        listing,
        epoch: 3,
        lo: 1000,
        hi: 10_000,
    };
    check_tier(&p, &w).unwrap();
    assert!(check_tier(&TierPublic { lo: 1501, ..p }, &w).is_err());
    assert!(check_tier(&TierPublic { hi: 1500, ..p }, &w).is_err());
    assert!(check_tier(&p, &TierWitness { count: 1499, salt }).is_err());
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
        for (name, m) in call_mutations() {
            let (mut p, mut w) = honest_call(6, 1);
            m(&mut p, &mut w);
            assert!(
                !sat(CallCircuit {
                    depth: 6,
                    public: p,
                    witness: w
                })
                .0,
                "{name} satisfied"
            );
        }
        // Constraint counts, pinned: 265 per Merkle level + 1 for its direction bit.
        assert_eq!(sat(CallCircuit::blank(20)).1, CALL_CONSTRAINTS_D20);
        assert_eq!(
            sat(CallCircuit::blank(DEFAULT_LICENCE_DEPTH)).1,
            CALL_CONSTRAINTS_D20 - 4 * 266
        );
    }

    #[test]
    fn tier_circuit_matches_the_relation() {
        let listing = listing_field("x");
        let salt = Fr::from(5u64);
        let p = TierPublic {
            usage: usage_commitment(listing, 2, 40, salt),
            listing,
            epoch: 2,
            lo: 10,
            hi: 100,
        };
        let w = TierWitness { count: 40, salt };
        assert!(
            sat(TierCircuit {
                public: p,
                witness: w
            })
            .0
        );
        assert!(
            !sat(TierCircuit {
                public: TierPublic { lo: 41, ..p },
                witness: w
            })
            .0
        );
        assert!(
            !sat(TierCircuit {
                public: TierPublic { hi: 40, ..p },
                witness: w
            })
            .0
        );
        assert!(
            !sat(TierCircuit {
                public: TierPublic { hi: 1 << 33, ..p },
                witness: w
            })
            .0
        );
        assert!(
            !sat(TierCircuit {
                public: p,
                witness: TierWitness { count: 41, salt }
            })
            .0
        );
    }

    const CALL_CONSTRAINTS_D20: usize = 6841;
}
