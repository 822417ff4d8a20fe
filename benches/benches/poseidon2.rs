//! Poseidon2: one permutation, a 2-to-1 hash, and the R1CS gadget's synthesis.
use ark_std::UniformRand;
use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use std::hint::black_box;
use veil_circuits::{poseidon2, Fr};

fn bench(c: &mut Criterion) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let state = [0; 4].map(|_| Fr::rand(&mut rng));
    c.bench_function("poseidon2/permutation", |b| {
        b.iter(|| {
            let mut s = black_box(state);
            poseidon2::permute(&mut s);
            s
        })
    });
    let xs = [Fr::rand(&mut rng), Fr::rand(&mut rng)];
    c.bench_function("poseidon2/hash-2", |b| {
        b.iter(|| poseidon2::hash(black_box(&xs)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
