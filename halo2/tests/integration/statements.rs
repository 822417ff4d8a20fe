//! Every statement's shared cases (`veil_circuits::statements::*::cases`, the same ones the
//! Groth16 circuits run): the honest witness satisfies the halo2 circuit at the statement's
//! `k`, and every mutation the native relation refuses breaks the circuit too.

use halo2_proofs::dev::MockProver;
use halo2_proofs::poly::commitment::Params as _;
use veil_circuits::statements::{
    usage::cases, CallShape, Mutation, Statement, TierShape, UsageCall, UsageTier,
};
use veil_halo2::halo2_proofs;
use veil_halo2::kzg;
use veil_halo2::statements::Halo2Statement;

/// Whether the circuit of `(public, witness)` is satisfied with the statement's public inputs.
fn satisfied<S: Halo2Statement>(
    shape: &S::Shape,
    public: &S::Public,
    witness: &S::Witness,
) -> bool {
    let instance = kzg::instance(&S::public_inputs(public));
    let circuit = S::circuit(shape, public.clone(), witness.clone());
    let prover =
        MockProver::run(S::k(shape).expect("k"), &circuit, vec![instance]).expect("synthesis at k");
    prover.verify().is_ok()
}

/// The honest case holds natively and in the circuit; every mutation fails both.
fn assert_mutations_refused<S: Halo2Statement>(
    shape: &S::Shape,
    honest: &(S::Public, S::Witness),
    mutations: &[Mutation<S>],
) {
    let (p, w) = honest;
    S::check(shape, p, w).unwrap_or_else(|e| panic!("{}: honest refused: {e}", S::NAME));
    assert!(
        satisfied::<S>(shape, p, w),
        "{}: honest circuit unsatisfied",
        S::NAME
    );
    for (name, reason, _, edit) in mutations {
        let (mut p, mut w) = honest.clone();
        edit(&mut p, &mut w);
        let refusal = S::check(shape, &p, &w).expect_err(name).to_string();
        assert!(refusal.contains(reason), "{name}: refused for {refusal:?}");
        assert!(
            !satisfied::<S>(shape, &p, &w),
            "{name}: the halo2 circuit accepts it"
        );
    }
}

#[test]
fn call_holds_and_refuses_every_mutation() {
    for depth in [3, 6] {
        let shape = CallShape { depth };
        for counter in [0, 3] {
            assert_mutations_refused::<UsageCall>(&shape, &cases::honest_call(depth, counter), &[]);
        }
    }
    assert_mutations_refused::<UsageCall>(
        &CallShape { depth: 6 },
        &cases::honest_call(6, 1),
        &cases::call_mutations(),
    );
}

#[test]
fn call_proves_and_verifies_with_kzg_and_binds_its_public_inputs() {
    let shape = CallShape { depth: 4 };
    let params = kzg::insecure_setup(UsageCall::k(&shape).expect("k"));
    let pk = kzg::keygen::<UsageCall>(&params, &shape).expect("keys");
    let (p, w) = cases::honest_call(4, 2);
    let proof =
        kzg::prove::<UsageCall>(&crate::prover(&params), &pk, &shape, p, w.clone()).expect("proof");
    let public = UsageCall::public_inputs(&p);
    kzg::verify(&params, pk.get_vk(), &public, &proof).expect("verifies");
    for i in 0..public.len() {
        let mut other = public.clone();
        other[i] += veil_circuits::Fr::from(1u64);
        assert!(
            kzg::verify(&params, pk.get_vk(), &other, &proof).is_err(),
            "public input {i}"
        );
    }
    let mut forged = proof.clone();
    forged[40] ^= 1;
    assert!(kzg::verify(&params, pk.get_vk(), &public, &forged).is_err());

    // A verifier holding only the key's bytes and three points reaches the same verdicts.
    let vk_bytes = kzg::vk_bytes(pk.get_vk());
    let vk = kzg::read_vk(&vk_bytes).expect("the key reads back");
    assert_eq!(kzg::vk_digest(&vk), kzg::vk_digest(pk.get_vk()));
    let points = kzg::VerifierPoints::from_bytes(&kzg::VerifierPoints::of(&params).to_bytes())
        .expect("the points read back");
    let small = points.params(params.k());
    kzg::verify(&small, &vk, &public, &proof).expect("verifies from the points");
    assert!(kzg::verify(&small, &vk, &public, &forged).is_err());
    let mut other = public.clone();
    other[0] += veil_circuits::Fr::from(1u64);
    assert!(kzg::verify(&small, &vk, &other, &proof).is_err());
    // Points of another setup (another τ), or of another size, do not verify it.
    let foreign = kzg::VerifierPoints {
        s_g2: kzg::VerifierPoints::of(&kzg::Params::setup(1, rand::rngs::OsRng)).s_g2,
        ..points
    };
    assert!(kzg::verify(&foreign.params(params.k()), &vk, &public, &proof).is_err());
    let e = kzg::verify(&points.params(params.k() + 1), &vk, &public, &proof).unwrap_err();
    assert!(e.to_string().contains("rows"), "{e}");
    // Damaged keys and points are refused by name, never a panic.
    for cut in [0, 1, 5, 40, vk_bytes.len() - 1] {
        let e = kzg::read_vk(&vk_bytes[..cut]).unwrap_err().to_string();
        assert!(e.contains("not a halo2 verifying key"), "{cut}: {e}");
    }
    let mut long = vk_bytes.clone();
    long.push(0);
    assert!(kzg::read_vk(&long).is_err());
    let mut huge_k = vk_bytes.clone();
    // After the layout mark (2 bytes) and halo2's version byte.
    assert_eq!(vk_bytes[..3], [kzg::VK_MARK, 2, 0x02]);
    huge_k[3..7].copy_from_slice(&40u32.to_le_bytes());
    assert!(kzg::read_vk(&huge_k)
        .unwrap_err()
        .to_string()
        .contains("2^40"));
    assert!(kzg::VerifierPoints::from_bytes(&[0; 7]).is_err());
    let mut bent = points.to_bytes();
    bent[..32].fill(0xff);
    assert!(kzg::VerifierPoints::from_bytes(&bent).is_err());
    // A lying prover (no native check) on a mutated witness gets no valid proof.
    let (_, _, _, edit) = &cases::call_mutations()[0];
    let (mut lp, mut lw) = (p, w);
    edit(&mut lp, &mut lw);
    let lie = UsageCall::circuit(&shape, lp, lw);
    let lie_public = kzg::instance(&UsageCall::public_inputs(&lp));
    if let Ok(proof) = kzg::prove_unchecked(&crate::prover(&params), &pk, lie, &lie_public) {
        assert!(kzg::verify(&params, pk.get_vk(), &UsageCall::public_inputs(&lp), &proof).is_err());
    }
}

#[test]
fn tier_holds_and_refuses_every_miscount() {
    let shape = TierShape::default();
    for (calls, lo, hi) in [(0, 0, 1), (1, 1, 2)] {
        assert_mutations_refused::<UsageTier>(&shape, &cases::honest_tier(calls, lo, hi), &[]);
    }
    assert_mutations_refused::<UsageTier>(
        &shape,
        &cases::honest_tier(5, 2, 8),
        &cases::tier_mutations(),
    );
}

#[test]
fn k_is_measured_and_grows_with_the_shape() {
    use veil_halo2::Version;
    let k = |depth, v| UsageCall::k_at(&CallShape { depth }, v).expect("k");
    // 21 permutations at depth 16: 1,365 rows in layout 1 (2^11), 777 in layout 2 (2^10).
    assert_eq!((k(16, Version::V1), k(16, Version::V2)), (11, 10));
    assert!(k(4, Version::V2) <= k(16, Version::V2) && k(16, Version::V2) <= k(32, Version::V2));
    assert_eq!(
        UsageCall::k(&CallShape { depth: 16 }).expect("k"),
        10,
        "layout 2 is current"
    );
    let tier = |v| UsageTier::k_at(&TierShape::default(), v).expect("k");
    assert_eq!((tier(Version::V1), tier(Version::V2)), (12, 11));
    // The shapes Veil sets up by default (docs/halo2.md), in both layouts.
    use veil_circuits::statements::preview::PreviewShape;
    use veil_circuits::statements::totals::TotalsShape;
    use veil_circuits::statements::{DisclosureTotals, PreviewMembership};
    let preview = |samples| PreviewShape {
        depth: 20,
        samples,
        columns: 3,
    };
    for (samples, k1, k2) in [(1, 11, 10), (8, 13, 12)] {
        let k = |v| PreviewMembership::k_at(&preview(samples), v).expect("k");
        assert_eq!((k(Version::V1), k(Version::V2)), (k1, k2), "K = {samples}");
    }
    for (batch, k1, k2) in [(16, 13, 12), (64, 14, 14), (256, 16, 15)] {
        let k = |v| DisclosureTotals::k_at(&TotalsShape { batch, edges: 3 }, v).expect("k");
        assert_eq!((k(Version::V1), k(Version::V2)), (k1, k2), "B = {batch}");
    }
}

#[test]
fn preview_holds_and_refuses_every_mutation() {
    use veil_circuits::statements::preview::cases as preview;
    use veil_circuits::statements::PreviewMembership;
    // Even and odd depths, caps of one and two levels.
    for (depth, k) in [(6, 1), (5, 2)] {
        let (shape, p, w) = preview::honest(depth, k, 20, 0b011, 1);
        assert_mutations_refused::<PreviewMembership>(&shape, &(p, w), &[]);
    }
    let (shape, p, w) = preview::honest(5, 3, 20, 0b101, 7);
    assert_mutations_refused::<PreviewMembership>(&shape, &(p, w), &preview::mutations());
}

#[test]
fn totals_hold_and_refuse_every_mutation() {
    use veil_circuits::statements::totals::cases::{market, mutations, SHAPE};
    use veil_circuits::statements::DisclosureTotals;
    let mut mk = market(10);
    // Chains that open, close and pass the period in different slots.
    for (t0, t1) in [(130u64, 170u64), (0, 1000), (0, 50)] {
        for batch in mk.chain(&SHAPE, 1, t0, t1) {
            assert_mutations_refused::<DisclosureTotals>(&SHAPE, &batch, &[]);
        }
    }
    let chain = mk.chain(&SHAPE, 1, 130, 180);
    for (k, m) in mutations() {
        assert_mutations_refused::<DisclosureTotals>(&SHAPE, &chain[k], &[m]);
    }
}

#[test]
fn totals_with_two_edges_or_none_compare_instead_of_naming_a_band() {
    use veil_circuits::statements::totals::{cases::market, TotalsShape};
    use veil_circuits::statements::DisclosureTotals;
    let mut mk = market(6);
    for edges in [&[][..], &[700][..], &[500, 1000][..]] {
        let shape = TotalsShape {
            batch: 4,
            edges: edges.len(),
        };
        for batch in mk.chain_with_edges(&shape, 0, 100, 200, edges) {
            assert_mutations_refused::<DisclosureTotals>(&shape, &batch, &[]);
        }
    }
}

#[test]
fn dispute_holds_refuses_every_mutation_and_proves_with_kzg() {
    use veil_circuits::statements::{dispute::cases as d, DeliveryDispute};
    let (shape, p, w) = d::honest_dispute();
    assert_mutations_refused::<DeliveryDispute>(&shape, &(p.clone(), w), &d::dispute_mutations());
    let params = kzg::insecure_setup(DeliveryDispute::k(&shape).expect("k"));
    let pk = kzg::keygen::<DeliveryDispute>(&params, &shape).expect("keys");
    let proof = kzg::prove::<DeliveryDispute>(&crate::prover(&params), &pk, &shape, p.clone(), w)
        .expect("proof");
    let public = DeliveryDispute::public_inputs(&p);
    kzg::verify(&params, pk.get_vk(), &public, &proof).expect("verifies");
    let mut edited = public.clone();
    edited[3] += veil_circuits::Fr::from(1u64);
    assert!(kzg::verify(&params, pk.get_vk(), &edited, &proof).is_err());
}

#[test]
fn opening_holds_refuses_every_mutation_and_proves_with_kzg() {
    use veil_circuits::statements::{opening::cases as o, CiphertextOpening};
    let (shape, p, w) = o::honest_opening();
    assert_mutations_refused::<CiphertextOpening>(&shape, &(p.clone(), w), &o::opening_mutations());
    let params = kzg::insecure_setup(CiphertextOpening::k(&shape).expect("k"));
    let pk = kzg::keygen::<CiphertextOpening>(&params, &shape).expect("keys");
    let proof = kzg::prove::<CiphertextOpening>(&crate::prover(&params), &pk, &shape, p.clone(), w)
        .expect("proof");
    let public = CiphertextOpening::public_inputs(&p);
    kzg::verify(&params, pk.get_vk(), &public, &proof).expect("verifies");
    // A redacted element's keystream claimed (its reveal bit 0): refused.
    let mut edited = public.clone();
    let width = shape.elements as usize;
    edited[2 + width + 1] += veil_circuits::Fr::from(1u64);
    assert!(kzg::verify(&params, pk.get_vk(), &edited, &proof).is_err());
}

/// Booleanity: a reveal "bit" of 2 with `2 ks` published at every sample satisfies `e = r ks`,
/// and only the bit check stops it; the same edit with a bit of 1 (an honest opening of one more
/// element) is accepted, so the refusal is the bit check's.
#[test]
fn opening_refuses_a_reveal_bit_of_two() {
    use veil_circuits::dataset::encrypted::EncryptionKey;
    use veil_circuits::statements::{opening::cases as o, CiphertextOpening};
    let (shape, p, w) = o::honest_opening();
    let ek = EncryptionKey::derive(&w.key, p.nonce);
    let width = shape.elements as usize;
    let run = |bit: u64| {
        let mut public = CiphertextOpening::public_inputs(&p);
        public[2] = veil_circuits::Fr::from(bit);
        for (j, s) in p.samples.iter().enumerate() {
            public[2 + width + j * (1 + width) + 1] =
                veil_circuits::Fr::from(bit) * ek.block(s.index, 0)[0];
        }
        let circuit = CiphertextOpening::circuit(&shape, p.clone(), w);
        MockProver::run(
            CiphertextOpening::k(&shape).expect("k"),
            &circuit,
            vec![kzg::instance(&public)],
        )
        .expect("synthesis at k")
        .verify()
        .is_ok()
    };
    assert!(run(1), "an honest opening of one more element");
    assert!(!run(2), "a reveal bit of 2");
}

/// The call circuit's layout-1 verifying key at depth 4 under the insecure setup, as the build
/// before layouts had numbers derived it (`kzg::vk_digest`).
const CALL_D4_LAYOUT_1_VK: &str =
    "7574fa916a9d0c042094a9960cfe2b7c4438def136a6a882753cc07e40cd48f1";

#[test]
fn layout_1_keys_are_the_first_circuits_and_their_proofs_still_verify() {
    use halo2_proofs::plonk::{keygen_pk, keygen_vk};
    use veil_halo2::statements::OneRegion;
    use veil_halo2::Version;
    let shape = CallShape { depth: 4 };
    let (p, w) = cases::honest_call(4, 1);
    let public = UsageCall::public_inputs(&p);
    let (k1, k2) = (
        UsageCall::k_at(&shape, Version::V1).expect("k"),
        UsageCall::k(&shape).expect("k"),
    );
    assert_eq!((k1, k2), (10, 9), "layout 2 halves the rows");

    // Layout 1 is the first circuits, key for key.
    let params1 = kzg::insecure_setup(k1);
    let vk1 = kzg::keygen_verifying_at::<UsageCall>(&params1, &shape, Version::V1).expect("vk");
    assert_eq!(kzg::vk_digest(&vk1), CALL_D4_LAYOUT_1_VK);
    assert_eq!(kzg::vk_version(&vk1), Version::V1);
    let bytes1 = kzg::vk_bytes(&vk1);
    assert_eq!(bytes1[0], 0x02, "halo2's own encoding, no layout mark");
    let read1 = kzg::read_vk(&bytes1).expect("a layout 1 key reads");
    assert_eq!(kzg::vk_version(&read1), Version::V1);

    // A proof made under layout 1 verifies with its key, and not with layout 2's.
    let pk1 = keygen_pk(
        &params1,
        vk1.clone(),
        &UsageCall::blank_at(&shape, Version::V1),
    )
    .expect("pk");
    let circuit1 = OneRegion(UsageCall::circuit(&shape, p, w.clone()).0, Version::V1);
    let proof1 = kzg::prove_unchecked(
        &crate::prover(&params1),
        &pk1,
        circuit1,
        &kzg::instance(&public),
    )
    .expect("a layout 1 proof");
    kzg::verify(&params1, &read1, &public, &proof1).expect("verifies with the key it names");
    let params2 = kzg::insecure_setup(k2);
    let vk2 = keygen_vk(&params2, &UsageCall::blank(&shape)).expect("vk");
    assert_eq!(kzg::vk_version(&vk2), Version::V2);
    assert_ne!(kzg::vk_digest(&vk2), CALL_D4_LAYOUT_1_VK);
    assert!(kzg::verify(&params2, &vk2, &public, &proof1).is_err());
    // A layout the build does not know is refused by name.
    let mut future = kzg::vk_bytes(&vk2);
    future[1] = 9;
    let e = kzg::read_vk(&future).unwrap_err().to_string();
    assert!(e.contains("layout 9"), "{e}");
}
