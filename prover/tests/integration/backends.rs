//! The all-backends test: for each statement, one honest witness proves under Groth16 and
//! halo2 with identical public inputs in the envelope, each proof verifies under its own
//! backend only, and every shared mutation (`veil_circuits::statements::*::cases`) is refused
//! by both. (The circuits themselves refuse the mutations too, without the native check: the
//! R1CS and halo2 circuit tests run the same cases on the constraints.)

use veil_circuits::statements::usage::cases;
use veil_circuits::statements::{
    CallShape, Mutation, R1csStatement, TierShape, UsageCall, UsageTier,
};
use veil_circuits::Fr;
use veil_halo2::statements::Halo2Statement;
use veil_prover::backend::groth16::Groth16Backend;
use veil_prover::backend::halo2::Halo2Backend;
use veil_prover::backend::{Backend, BackendKind};
use veil_prover::keys::KeyStore;
use veil_verifier::proof::{GROTH16, HALO2};

fn under_groth16_and_halo2<S: R1csStatement + Halo2Statement>(
    shape: &S::Shape,
    honest: &(S::Public, S::Witness),
    mutations: &[Mutation<S>],
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let groth16 = Groth16Backend::new(KeyStore::new(dir.path().to_path_buf()));
    groth16.setup::<S>(shape, false).expect("groth16 setup");
    let halo2 = Halo2Backend::new(veil_halo2::kzg::insecure_setup(S::k(shape).expect("k")));
    assert_eq!(Backend::<S>::kind(&halo2), BackendKind::Halo2);

    let (p, w) = honest.clone();
    let g = Backend::<S>::prove(&groth16, shape, p.clone(), w.clone()).expect("groth16 proves");
    let h = Backend::<S>::prove(&halo2, shape, p.clone(), w.clone()).expect("halo2 proves");
    assert_eq!((g.backend.as_str(), h.backend.as_str()), (GROTH16, HALO2));
    assert_eq!(
        g.public_inputs,
        h.public_inputs,
        "{}: the same public inputs",
        S::NAME
    );
    assert_eq!(
        (&g.statement, &g.key, &g.shape),
        (&h.statement, &h.key, &h.shape)
    );
    Backend::<S>::verify(&groth16, shape, &p, &g).expect("groth16 verifies");
    Backend::<S>::verify(&halo2, shape, &p, &h).expect("halo2 verifies");
    assert!(
        Backend::<S>::verify(&halo2, shape, &p, &g).is_err(),
        "a Groth16 proof is not a halo2 one"
    );
    assert!(
        Backend::<S>::verify(&groth16, shape, &p, &h).is_err(),
        "a halo2 proof is not a Groth16 one"
    );

    // A forged proof and another statement's public inputs are refused.
    let mut forged = h.clone();
    let flip = if forged.proof.as_bytes()[70] == b'0' {
        "1"
    } else {
        "0"
    };
    forged.proof.replace_range(70..71, flip);
    assert!(
        Backend::<S>::verify(&halo2, shape, &p, &forged).is_err(),
        "{}: forged halo2 proof",
        S::NAME
    );
    let mut moved = h.clone();
    moved.public_inputs[0] += Fr::from(1u64);
    assert!(Backend::<S>::verify(&halo2, shape, &p, &moved).is_err());

    for (name, reason, _, edit) in mutations {
        let (mut p, mut w) = honest.clone();
        edit(&mut p, &mut w);
        for (backend, r) in [
            (
                "groth16",
                Backend::<S>::prove(&groth16, shape, p.clone(), w.clone()),
            ),
            (
                "halo2",
                Backend::<S>::prove(&halo2, shape, p.clone(), w.clone()),
            ),
        ] {
            let e = r
                .err()
                .unwrap_or_else(|| panic!("{name}: {backend} proved it"));
            assert!(
                e.to_string().contains(reason),
                "{name}: {backend} refused for {e}"
            );
        }
    }
}

#[test]
fn usage_call_under_both_backends() {
    under_groth16_and_halo2::<UsageCall>(
        &CallShape { depth: 6 },
        &cases::honest_call(6, 1),
        &cases::call_mutations(),
    );
}

#[test]
fn usage_tier_under_both_backends() {
    under_groth16_and_halo2::<UsageTier>(
        &TierShape::default(),
        &cases::honest_tier(5, 2, 8),
        &cases::tier_mutations(),
    );
}

#[test]
fn preview_membership_under_both_backends() {
    use veil_circuits::statements::preview::cases as preview;
    let (shape, p, w) = preview::honest(5, 3, 20, 0b101, 7);
    under_groth16_and_halo2::<veil_circuits::statements::PreviewMembership>(
        &shape,
        &(p, w),
        &preview::mutations(),
    );
}

#[test]
fn disclosure_totals_under_both_backends() {
    use veil_circuits::statements::totals::cases::{market, mutations, SHAPE};
    let mut mk = market(10);
    let chain = mk.chain(&SHAPE, 1, 130, 180);
    for (k, batch) in chain.iter().enumerate() {
        let these: Vec<_> = mutations()
            .into_iter()
            .filter(|(i, _)| *i == k)
            .map(|(_, m)| m)
            .collect();
        under_groth16_and_halo2::<veil_circuits::statements::DisclosureTotals>(
            &SHAPE, batch, &these,
        );
    }
}
