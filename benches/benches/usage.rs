//! Usage counters: proving and verifying a metered call (licence tree depth 16, the default,
//! and 20) and a billing tier.
use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use veil_circuits::merkle::TreeBuilder;
use veil_circuits::statements::usage::{
    self, CallCircuit, CallsTree, Licence, TierCircuit, DEFAULT_LICENCE_DEPTH,
};
use veil_circuits::statements::{CallShape, TierShape, UsageCall, UsageTier};
use veil_circuits::Fr;
use veil_prover::backend::groth16::{insecure_setup, Groth16Prover};

fn bench(c: &mut Criterion) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(4);
    let listing = usage::listing_field("bench-api");
    let licence = Licence::issue(&mut rng, listing, 1000, 100).expect("licence");
    let request = Fr::from(99u64);
    let mut g = c.benchmark_group("usage");
    g.sample_size(30);
    for depth in [DEFAULT_LICENCE_DEPTH, 20] {
        let mut tree = TreeBuilder::new(depth, &[0]).expect("tree");
        tree.push(&[licence.note(), Fr::from(1u64), Fr::from(2u64)])
            .expect("push");
        let t = tree.finish().expect("tree");
        let pk = insecure_setup(CallCircuit::blank(CallShape { depth }), &mut rng).expect("setup");
        let prover =
            Groth16Prover::new(pk, CallCircuit::blank(CallShape { depth })).expect("prover");
        eprintln!(
            "usage-call d{depth}: {} constraints",
            prover.matrices.num_constraints
        );
        let path = t.paths[0].clone();
        let mut counter = 0u64;
        g.bench_function(format!("call-prove/d{depth}"), |b| {
            b.iter(|| {
                counter = (counter + 1) % 1000;
                let (public, witness) =
                    usage::call_statement(&licence, counter, 5, request, t.root, path.clone());
                prover
                    .prove_statement::<UsageCall, _>(
                        &CallShape { depth },
                        public,
                        witness,
                        &mut rng,
                    )
                    .expect("prove")
            })
        });
        let (public, witness) =
            usage::call_statement(&licence, 0, 5, request, t.root, path.clone());
        let env = prover
            .prove_statement::<UsageCall, _>(&CallShape { depth }, public, witness, &mut rng)
            .expect("prove");
        let vk = veil_verifier::groth16::prepare(&prover.pk.vk);
        g.bench_function(format!("call-verify/d{depth}"), |b| {
            b.iter(|| veil_verifier::usage::verify_call(&env, &vk, depth).expect("verify"))
        });
    }
    let tier = Groth16Prover::new(
        insecure_setup(TierCircuit::blank(TierShape::default()), &mut rng).expect("setup"),
        TierCircuit::blank(TierShape::default()),
    )
    .expect("prover");
    eprintln!("usage-tier: {} constraints", tier.matrices.num_constraints);
    let nfs: Vec<Fr> = (1..=1234u64).map(Fr::from).collect();
    let calls = CallsTree::build(&nfs).expect("calls tree");
    let salt = Fr::from(7u64);
    g.bench_function("tier-prove", |b| {
        b.iter(|| {
            let (public, witness) = calls.tier_statement(listing, 5, salt, 1000, 5000);
            tier.prove_statement::<UsageTier, _>(&TierShape::default(), public, witness, &mut rng)
                .expect("prove")
        })
    });
    let (public, witness) = calls.tier_statement(listing, 5, salt, 1000, 5000);
    let env = tier
        .prove_statement::<UsageTier, _>(&TierShape::default(), public, witness, &mut rng)
        .expect("prove");
    let vk = veil_verifier::groth16::prepare(&tier.pk.vk);
    g.bench_function("tier-verify", |b| {
        b.iter(|| veil_verifier::usage::verify_tier(&env, &vk).expect("verify"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
