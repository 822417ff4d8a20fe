//! Preview proofs at depth 20 for K = 1 and K = 8 (3 columns): proving with cached matrices,
//! arkworks' plain prover (re-synthesises the shape every time) for comparison, and verifying.
use ark_bn254::Bn254;
use ark_groth16::Groth16;
use ark_snark::SNARK;
use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use veil_benches::{short_row, short_schema};
use veil_circuits::dataset::{commit, IterRecords, SellerSecret};
use veil_circuits::statements::preview::{self, PreviewCircuit, PreviewShape};
use veil_circuits::Fr;
use veil_prover::backend::groth16::{insecure_setup, stock_setup, Groth16Prover};

fn bench(c: &mut Criterion) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
    let key = SellerSecret(Fr::from(1u64)).dataset_key("bench");
    let rows = 4096u64;
    let depth = 20;
    let first = commit(
        &mut IterRecords::new(short_schema(), (0..rows).map(short_row)),
        &key,
        depth,
        &[],
    )
    .expect("commit");
    let mut g = c.benchmark_group("preview");
    g.sample_size(10);
    for k in [1usize, 8] {
        let shape = PreviewShape {
            depth,
            samples: k,
            columns: 3,
        };
        let challenge = Fr::from(42u64);
        let idx = preview::sample_indices(first.commitment, challenge, rows, k);
        let done = commit(
            &mut IterRecords::new(short_schema(), (0..rows).map(short_row)),
            &key,
            depth,
            &idx,
        )
        .expect("commit");
        let (public, witness) =
            preview::build(&shape, &done, &key, challenge, 0b110).expect("witness");
        let circuit = PreviewCircuit {
            shape,
            public: public.clone(),
            witness,
        };
        let pk = insecure_setup(PreviewCircuit::blank(shape), &mut rng).expect("setup");
        let prover = Groth16Prover::new(pk.clone(), PreviewCircuit::blank(shape)).expect("prover");
        // arkworks proves on a 2^k QAP domain only: its own setup's key.
        let stock_pk = stock_setup(PreviewCircuit::blank(shape), &mut rng).expect("stock setup");
        let m = &prover.matrices;
        let entries: usize = m.abc.iter().flatten().map(|row| row.len()).sum();
        eprintln!(
            "preview d{depth} k{k}: {} constraints, {} variables, {entries} matrix entries",
            m.num_constraints,
            m.num_instance + m.num_witness
        );
        g.bench_function(format!("synthesise-matrices/d{depth}/k{k}"), |b| {
            b.iter(|| {
                veil_prover::backend::groth16::constraint_matrices(PreviewCircuit::blank(shape))
                    .expect("matrices")
            })
        });
        g.bench_function(format!("prove/d{depth}/k{k}"), |b| {
            b.iter(|| prover.prove(circuit.clone(), &mut rng).expect("prove"))
        });
        g.bench_function(format!("prove-arkworks-resynthesis/d{depth}/k{k}"), |b| {
            b.iter(|| Groth16::<Bn254>::prove(&stock_pk, circuit.clone(), &mut rng).expect("prove"))
        });
        let (proof, inputs) = prover.prove(circuit.clone(), &mut rng).expect("prove");
        let pvk = veil_verifier::groth16::prepare(&pk.vk);
        g.bench_function(format!("verify/d{depth}/k{k}"), |b| {
            b.iter(|| veil_verifier::groth16::verify(&pvk, &inputs, &proof).expect("verify"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
