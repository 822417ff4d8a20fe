//! Disclosure totals: proving and verifying one full batch, for B = 16, 64, 256 (3 band edges).
use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use veil_circuits::statements::totals::{TotalsCircuit, TotalsShape};
use veil_ledger::{SqliteStore, Store};
use veil_prover::backend::groth16::{insecure_setup, Groth16Prover};

fn bench(c: &mut Criterion) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = SqliteStore::create(&dir.path().join("m.db")).expect("ledger");
    let sales = veil_circuits::statements::totals::Sale::simulated(&mut rng, 256, 1, 1_000);
    ledger.settle(&sales).expect("settle");
    let mut g = c.benchmark_group("totals");
    g.sample_size(10);
    for b in [16usize, 64, 256] {
        let shape = TotalsShape { batch: b, edges: 3 };
        let pk = insecure_setup(TotalsCircuit::blank(shape), &mut rng).expect("setup");
        let prover = Groth16Prover::new(pk, TotalsCircuit::blank(shape)).expect("prover");
        eprintln!(
            "totals b{b}: {} constraints ({:.0} per receipt)",
            prover.matrices.num_constraints,
            prover.matrices.num_constraints as f64 / b as f64
        );
        // The first batch, all slots full and in the period.
        let (_, mut batches) = ledger
            .report_batches(
                &shape,
                0,
                0,
                1_000 + 60 * b as u64,
                &[1_000, 10_000, 100_000],
            )
            .expect("batches");
        let (public, witness) = batches.remove(0);
        let circuit = TotalsCircuit {
            shape,
            public,
            witness,
        };
        g.bench_function(format!("prove/b{b}"), |bn| {
            bn.iter(|| prover.prove(circuit.clone(), &mut rng).expect("prove"))
        });
        let (proof, inputs) = prover.prove(circuit.clone(), &mut rng).expect("prove");
        let vk = veil_verifier::groth16::prepare(&prover.pk.vk);
        g.bench_function(format!("verify/b{b}"), |bn| {
            bn.iter(|| veil_verifier::groth16::verify(&vk, &inputs, &proof).expect("verify"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
