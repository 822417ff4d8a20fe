//! The two spellings of BN254's scalar field convert into each other exactly.

use ark_ff::UniformRand;
use rand::SeedableRng;
use veil_circuits::Fr;
use veil_halo2::field::{from_halo2, low_u64, to_halo2};
use veil_halo2::Fp;

#[test]
fn conversions_are_inverse_and_keep_arithmetic() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    for _ in 0..100 {
        let (a, b) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
        assert_eq!(from_halo2(&to_halo2(&a)), a);
        assert_eq!(
            to_halo2(&(a * b + a)),
            to_halo2(&a) * to_halo2(&b) + to_halo2(&a)
        );
    }
    assert_eq!(to_halo2(&-Fr::from(1u64)), -Fp::from(1u64));
    assert_eq!(low_u64(&to_halo2(&Fr::from(u64::MAX))), u64::MAX);
}
