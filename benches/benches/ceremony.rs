//! Keys from a snarkjs phase-2 ceremony prove with snarkjs's reduction (`veil_prover::qap`):
//! its witness map beside libsnark's on the same domain, and a preview proof (d20, K = 8) with
//! a key of each shape, beside arkworks' stock prover on the ceremony-shaped key. The
//! preview's 30,466 rows take 2^15 points under both reductions, so the comparison is fair.
use ark_bn254::Bn254;
use ark_groth16::Groth16;
use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use veil_benches::{short_row, short_schema};
use veil_circuits::dataset::{commit, IterRecords, SellerSecret};
use veil_circuits::statements::preview::{self, PreviewCircuit, PreviewShape};
use veil_circuits::Fr;
use veil_prover::backend::groth16::{insecure_setup, prove_stock, Groth16Prover};
use veil_prover::qap::{KeyQap, SnarkjsReduction};

fn bench(c: &mut Criterion) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let key = SellerSecret(Fr::from(1u64)).dataset_key("bench");
    let (rows, depth, k) = (4096u64, 20, 8);
    let shape = PreviewShape {
        depth,
        samples: k,
        columns: 3,
    };
    let records = || IterRecords::new(short_schema(), (0..rows).map(short_row));
    let first = commit(&mut records(), &key, depth, &[]).expect("commit");
    let challenge = Fr::from(42u64);
    let idx = preview::sample_indices(first.commitment, challenge, rows, k);
    let done = commit(&mut records(), &key, depth, &idx).expect("commit");
    let (public, witness) = preview::build(&shape, &done, &key, challenge, 0b110).expect("witness");
    let circuit = PreviewCircuit {
        shape,
        public,
        witness,
    };
    let blank = || PreviewCircuit::blank(shape);
    let own = Groth16Prover::new(insecure_setup(blank(), &mut rng).expect("setup"), blank())
        .expect("prover");
    let ceremony_pk =
        Groth16::<Bn254, SnarkjsReduction>::generate_random_parameters_with_reduction(
            blank(),
            &mut rng,
        )
        .expect("a ceremony-shaped key");
    let ceremony = Groth16Prover::new(ceremony_pk.clone(), blank()).expect("prover");
    let m = &own.matrices;
    let rows = m.num_constraints + m.num_instance;
    let full = own.assignment(circuit.clone()).expect("assignment");
    let mut g = c.benchmark_group("ceremony-key");
    g.sample_size(10);
    for (name, h) in [
        ("libsnark", own.pk.h_query.len()),
        ("snarkjs", ceremony_pk.h_query.len()),
    ] {
        let qap = KeyQap::of_key(h, rows).expect("a QAP");
        eprintln!(
            "{name}: {:?} on {} points",
            qap.reduction,
            qap.domain_size()
        );
        g.bench_function(format!("witness-map/{name}/d{depth}/k{k}"), |b| {
            b.iter(|| {
                qap.witness_map(&m.abc, m.num_instance, m.num_constraints, &full)
                    .expect("map")
            })
        });
    }
    g.bench_function(format!("prove/veil-own-key/d{depth}/k{k}"), |b| {
        b.iter(|| own.prove(circuit.clone(), &mut rng).expect("prove"))
    });
    g.bench_function(format!("prove/veil-ceremony-key/d{depth}/k{k}"), |b| {
        b.iter(|| ceremony.prove(circuit.clone(), &mut rng).expect("prove"))
    });
    g.bench_function(format!("prove/arkworks-ceremony-key/d{depth}/k{k}"), |b| {
        b.iter(|| prove_stock(&ceremony_pk, circuit.clone(), &mut rng).expect("prove"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
