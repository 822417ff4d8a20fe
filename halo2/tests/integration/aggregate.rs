//! One proof per audit period: the batch proofs of a report chain folded by the aggregation
//! circuit. The chain rules are checked on their constraints (`MockProver`, no native check in
//! the way) in a 2^10-row circuit of their own, an honest period on the whole 2^18-row circuit,
//! a forged batch on the folded accumulator's pairing. `--ignored` (`scripts/test.sh --full`,
//! minutes each): the chain rules inside the whole circuit, and the full key generation, proof
//! and one-check verification (`a_period_proof_verifies_with_one_check`, also in `veil bench`).

use halo2_base::gates::circuit::builder::BaseCircuitBuilder;
use halo2_base::gates::circuit::CircuitBuilderStage;
use snark_verifier_sdk::halo2::aggregation::AggregationConfigParams;
use snark_verifier_sdk::Snark;
use std::sync::OnceLock;
use veil_circuits::statements::totals::cases::{market, mutations, SHAPE};
use veil_circuits::statements::totals::{BatchPublic, BatchWitness};
use veil_circuits::statements::DisclosureTotals;
use veil_circuits::statements::PublicInputs as _;
use veil_circuits::Fr;
use veil_halo2::aggregate::{self, ACCUMULATOR_LEN};
use veil_halo2::field::{from_halo2, to_halo2};
use veil_halo2::halo2_proofs::dev::MockProver;
use veil_halo2::kzg::{self, Params, ProvingKeyBn};
use veil_halo2::statements::Halo2Statement;

/// Rows of the aggregation circuit in the constraint tests (halo2-base adds columns to fit).
const K: u32 = 18;

struct Fixture {
    params: Params,
    pk: ProvingKeyBn,
    chain: Vec<(BatchPublic, BatchWitness)>,
    snarks: Vec<Snark>,
}

/// Seller 1's chain over `[130, 180)` (three batches of four), each batch proved for folding.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let params = kzg::insecure_setup(DisclosureTotals::k(&SHAPE).expect("k"));
        let pk = kzg::keygen::<DisclosureTotals>(&params, &SHAPE).expect("keys");
        let chain = market(10).chain(&SHAPE, 1, 130, 180);
        assert_eq!(chain.len(), 3);
        let prover = crate::prover(&params);
        let snarks = chain
            .iter()
            .cloned()
            .map(|(p, w)| aggregate::batch_snark(&prover, &pk, &SHAPE, p, w).expect("a batch"))
            .collect();
        Fixture {
            params,
            pk,
            chain,
            snarks,
        }
    })
}

/// Lays the aggregation circuit out over `snarks`: its public inputs, and (when `check`) whether
/// its constraints hold.
fn fold(snarks: Vec<Snark>, check: bool) -> (Vec<Fr>, bool) {
    let f = fixture();
    let mut c = aggregate::period_circuit(
        CircuitBuilderStage::Mock,
        AggregationConfigParams {
            degree: K,
            lookup_bits: K as usize - 1,
            ..Default::default()
        },
        &f.params,
        &SHAPE,
        snarks,
    );
    c.calculate_params(Some(20));
    let instance: Vec<_> = c.builder.assigned_instances[0]
        .iter()
        .map(|v| *v.value())
        .collect();
    let holds = check
        && MockProver::run(K, &c, vec![instance.clone()])
            .expect("the circuit lays out")
            .verify()
            .is_ok();
    (instance.iter().map(from_halo2).collect(), holds)
}

#[test]
fn an_honest_period_folds_and_shows_only_the_period_and_its_totals() {
    let f = fixture();
    for s in &f.snarks {
        aggregate::verify_batch(&f.params, f.pk.get_vk(), s).expect("a batch verifies");
    }
    let (public, holds) = fold(f.snarks.clone(), true);
    assert!(holds, "the honest chain satisfies the aggregation circuit");
    aggregate::decide(&f.params, &public).expect("the folded accumulator's pairing holds");
    let last = &f.chain[2].0;
    let mut want = last.to_field_elements()[..5 + SHAPE.edges].to_vec();
    want.extend(last.totals.to_field_elements());
    assert_eq!(&public[ACCUMULATOR_LEN..], &want[..]);
    assert!(last.totals.count > 0, "the fixture's period has sales");
}

/// Whether the chain rules alone ([`aggregate::constrain_chain`]) hold over these batches'
/// public inputs, in a 2^10-row circuit.
fn chain_holds(batches: &[Vec<Fr>]) -> bool {
    const K: usize = 10;
    let mut b = BaseCircuitBuilder::from_stage(CircuitBuilderStage::Mock).use_k(K);
    let ctx = b.main(0);
    let cells: Vec<_> = batches
        .iter()
        .map(|v| ctx.assign_witnesses(v.iter().map(to_halo2)))
        .collect();
    aggregate::constrain_chain(ctx, SHAPE.edges, &cells);
    b.calculate_params(Some(9));
    MockProver::run(K as u32, &b, vec![])
        .expect("the circuit lays out")
        .verify()
        .is_ok()
}

#[test]
fn the_chain_rules_refuse_a_missing_reordered_or_edited_batch() {
    let chain: Vec<Vec<Fr>> = market(10)
        .chain(&SHAPE, 1, 130, 180)
        .iter()
        .map(|(p, _)| p.to_field_elements())
        .collect();
    assert_eq!(chain.len(), 3);
    assert!(chain_holds(&chain), "the honest chain satisfies the rules");
    let o = 5 + SHAPE.edges;
    let edited = |i: usize, j: usize| {
        let mut c = chain.clone();
        c[i][j] += Fr::from(1u64);
        c
    };
    let cases: Vec<(&str, Vec<Vec<Fr>>)> = vec![
        (
            "middle batch missing",
            vec![chain[0].clone(), chain[2].clone()],
        ),
        (
            "last batch missing",
            vec![chain[0].clone(), chain[1].clone()],
        ),
        (
            "first batch missing",
            vec![chain[1].clone(), chain[2].clone()],
        ),
        (
            "batches swapped",
            vec![chain[1].clone(), chain[0].clone(), chain[2].clone()],
        ),
        (
            "a batch repeated",
            vec![
                chain[0].clone(),
                chain[1].clone(),
                chain[1].clone(),
                chain[2].clone(),
            ],
        ),
        ("another root in a batch", edited(1, 0)),
        ("another seller in a batch", edited(2, 1)),
        ("another band edge in a batch", edited(1, 5)),
        (
            "a batch's c_in off its predecessor's c_out",
            edited(2, o + 2),
        ),
        ("a first batch with c_in", edited(0, o + 2)),
        ("a last batch with c_out", edited(2, o + 3)),
    ];
    for (what, batches) in cases {
        assert!(
            !chain_holds(&batches),
            "{what}: the chain rules must refuse it"
        );
    }
}

#[test]
#[ignore = "minutes on two cores: three 2^18-row MockProver runs (the rules are tested at 2^10 above)"]
fn a_missing_repeated_or_reordered_batch_breaks_the_chain_rules() {
    let s = &fixture().snarks;
    // Each breaks a different rule: `c_in` = previous `c_out`; only the last is `last` and ends
    // the chain; only the first is `first`.
    let cases: [(&str, Vec<Snark>); 3] = [
        ("middle batch missing", vec![s[0].clone(), s[2].clone()]),
        ("last batch missing", vec![s[0].clone(), s[1].clone()]),
        (
            "batches swapped",
            vec![s[1].clone(), s[0].clone(), s[2].clone()],
        ),
    ];
    for (what, snarks) in cases {
        let (_, holds) = fold(snarks, true);
        assert!(!holds, "{what}: the aggregation circuit must refuse it");
    }
}

#[test]
fn a_forged_batch_fails_the_folded_pairing() {
    let f = fixture();
    // A proof left as it was, its public totals raised: no chain rule reads them (the fold is
    // laid out, not checked), so only the accumulator can catch it.
    let mut edited = f.snarks.clone();
    edited[2].instances[0][5 + SHAPE.edges + 5] += veil_halo2::Fp::one();
    assert!(aggregate::verify_batch(&f.params, f.pk.get_vk(), &edited[2]).is_err());
    let (public, _) = fold(edited, false);
    assert!(aggregate::decide(&f.params, &public).is_err());

    // A lying prover: a proof of a batch that breaks the statement, with no native check.
    for (k, (what, _, _, edit)) in mutations().into_iter().filter(|(k, _)| *k == 2).take(1) {
        let (mut p, mut w) = f.chain[k].clone();
        edit(&mut p, &mut w);
        let instance = kzg::instance(&p.to_field_elements());
        let circuit = DisclosureTotals::circuit(&SHAPE, p, w);
        let lie =
            aggregate::batch_snark_unchecked(&crate::prover(&f.params), &f.pk, circuit, instance)
                .expect("a lying prover still gets bytes out");
        let mut snarks = f.snarks.clone();
        snarks[k] = lie;
        let (public, _) = fold(snarks, false);
        assert!(
            aggregate::decide(&f.params, &public).is_err(),
            "{what}: a false batch must not fold"
        );
    }
}

#[test]
#[ignore = "minutes on two cores: key generation and an aggregated proof at 2^18 rows"]
fn a_period_proof_verifies_with_one_check() {
    let f = fixture();
    let params = kzg::insecure_setup(K);
    let batch_params = kzg::fit(&params, f.params_k()).expect("fits");
    let key = aggregate::keygen(&params, &batch_params, f.pk.get_vk(), &SHAPE, 3).expect("keys");
    let period =
        aggregate::aggregate(&crate::prover(&params), &key, f.snarks.clone()).expect("folds");
    aggregate::verify(&params, key.vk(), &period).expect("one check");
    let mut moved = period.clone();
    let last = moved.public_inputs.len() - 1;
    moved.public_inputs[last] += Fr::from(1u64);
    assert!(aggregate::verify(&params, key.vk(), &moved).is_err());
    let mut short = f.snarks.clone();
    short.pop();
    assert!(aggregate::aggregate(&crate::prover(&params), &key, short).is_err());
}

impl Fixture {
    fn params_k(&self) -> u32 {
        use veil_halo2::halo2_proofs::poly::commitment::Params as _;
        self.params.k()
    }
}
