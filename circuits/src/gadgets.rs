//! Small R1CS helpers shared by the statements.

use crate::Fr;
use ark_ff::Field;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

/// Runs `f` inside the namespace `ns` (`ns!(cs, "rule")`), so that the constraints it makes
/// carry the rule's name in traces: a refused assignment then names the rule it breaks.
/// Namespaces change no constraint.
pub fn named<T>(
    ns: ark_relations::gr1cs::Namespace<Fr>,
    f: impl FnOnce() -> Result<T, SynthesisError>,
) -> Result<T, SynthesisError> {
    let _inside = ns;
    f()
}

/// The low 64 bits of `x`'s canonical integer (in `[0, r)`) for the value `value`, in 446
/// constraints where a strict bit decomposition of `x` costs about 640: `x = lo + 2^64 hi`
/// with `lo < 2^64`, `hi < 2^190` and `max_high_word() - hi < 2^190`, so `lo + 2^64 hi <
/// 2^64 floor(r / 2^64) <= r` and the split is the canonical one. The top `r mod 2^64`
/// field elements (a fraction of `2^-192`) have no satisfying witness
/// ([`crate::field::splits_low_word`]).
pub fn low_word(
    cs: ConstraintSystemRef<Fr>,
    x: &FpVar<Fr>,
    value: Fr,
) -> Result<FpVar<Fr>, SynthesisError> {
    let (lo_value, hi_value) = crate::field::split_low_word(value);
    low_word_split(cs, x, lo_value, hi_value)
}

/// [`low_word`] with the split given (a test gives a non-canonical one).
fn low_word_split(
    cs: ConstraintSystemRef<Fr>,
    x: &FpVar<Fr>,
    lo_value: u64,
    hi_value: Fr,
) -> Result<FpVar<Fr>, SynthesisError> {
    use crate::field::max_high_word;
    let lo = FpVar::new_witness(cs.clone(), || Ok(Fr::from(lo_value)))?;
    range_bits(cs.clone(), &lo, lo_value, 64)?;
    let hi = FpVar::new_witness(cs.clone(), || Ok(hi_value))?;
    range_bits_fr(cs.clone(), &hi, hi_value, 190)?;
    let top = max_high_word();
    range_bits_fr(cs, &(FpVar::Constant(top) - &hi), top - hi_value, 190)?;
    (&lo + &hi * FpVar::Constant(Fr::from(2u64).pow([64u64]))).enforce_equal(x)?;
    Ok(lo)
}

/// [`range_bits`] for a field value below `2^bits`, `bits <= 252`.
fn range_bits_fr(
    cs: ConstraintSystemRef<Fr>,
    x: &FpVar<Fr>,
    value: Fr,
    bits: usize,
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    use ark_ff::{BigInteger, PrimeField};
    assert!(bits <= 252, "the recomposition must not wrap");
    let value_bits = value.into_bigint().to_bits_le();
    recomposed_bits(cs, x, bits, |i| value_bits[i])
}

/// Allocates `bits` little-endian witness bits of `value` and enforces that they are boolean
/// and recompose to `x`: a range check `x < 2^bits` (`bits + 1` constraints). `bits` must be
/// below 253 so that the recomposition cannot wrap around the modulus.
pub fn range_bits(
    cs: ConstraintSystemRef<Fr>,
    x: &FpVar<Fr>,
    value: u64,
    bits: usize,
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    assert!(bits <= 64, "u64 values only");
    recomposed_bits(cs, x, bits, |i| (value >> i) & 1 == 1)
}

/// `bits` boolean witnesses (bit `i` is `bit(i)`) recomposing to `x`.
fn recomposed_bits(
    cs: ConstraintSystemRef<Fr>,
    x: &FpVar<Fr>,
    bits: usize,
    bit: impl Fn(usize) -> bool,
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    let bs = (0..bits)
        .map(|i| Boolean::new_witness(cs.clone(), || Ok(bit(i))))
        .collect::<Result<Vec<_>, _>>()?;
    Boolean::le_bits_to_fp(&bs)?.enforce_equal(x)?;
    Ok(bs)
}

/// Test helper: synthesises `circuit` and returns (satisfied, constraints).
#[cfg(test)]
pub(crate) fn satisfied<C: ark_relations::gr1cs::ConstraintSynthesizer<Fr>>(
    circuit: C,
) -> (bool, usize) {
    let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
    circuit.generate_constraints(cs.clone()).expect("synthesis");
    (
        cs.is_satisfied().expect("satisfiability check"),
        cs.num_constraints(),
    )
}

#[cfg(test)]
mod tests_lt {
    use super::*;
    use ark_relations::gr1cs::ConstraintSystem;

    #[test]
    fn less_than_is_exact_at_the_edges() {
        for (a, b) in [
            (0u64, 0u64),
            (0, 1),
            (1, 0),
            (5, 5),
            (u64::MAX, u64::MAX),
            (u64::MAX - 1, u64::MAX),
            (u64::MAX, 0),
        ] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let av = FpVar::new_witness(cs.clone(), || Ok(Fr::from(a))).unwrap();
            let bv = FpVar::new_witness(cs.clone(), || Ok(Fr::from(b))).unwrap();
            let lt = less_than(cs.clone(), &av, a, &bv, b, 64).unwrap();
            assert_eq!(lt.value().unwrap(), a < b, "{a} < {b}");
            assert!(cs.is_satisfied().unwrap());
        }
        // A lying prover (claims 3 < 2) cannot satisfy the decomposition.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let av = FpVar::new_witness(cs.clone(), || Ok(Fr::from(3u64))).unwrap();
        let bv = FpVar::new_witness(cs.clone(), || Ok(Fr::from(2u64))).unwrap();
        let lt = less_than(cs.clone(), &av, 1, &bv, 2, 64).unwrap();
        let _ = lt;
        assert!(!cs.is_satisfied().unwrap());
    }
}

#[cfg(test)]
mod tests_low_word {
    use super::*;
    use ark_ff::{BigInteger, PrimeField, UniformRand};
    use ark_relations::gr1cs::ConstraintSystem;

    fn accepts(x: Fr, lo: u64, hi: Fr) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let xv = FpVar::new_input(cs.clone(), || Ok(x)).unwrap();
        let got = low_word_split(cs.clone(), &xv, lo, hi).unwrap();
        assert_eq!(got.value().unwrap(), Fr::from(lo));
        cs.is_satisfied().unwrap()
    }

    /// The canonical split is accepted for random, small and near-top values; the other
    /// split of the same element (`x + r` read as an integer) is refused, and so are the top
    /// values (`hi = floor(r / 2^64)`), which have no accepted split.
    #[test]
    fn only_the_canonical_split_is_accepted() {
        let mut rng = ark_std::test_rng();
        let top = crate::field::max_high_word();
        let below_top = Fr::from(2u64).pow([64u64]) * (top + Fr::from(1u64)) - Fr::from(1u64);
        let mut xs: Vec<Fr> = (0..20).map(|_| Fr::rand(&mut rng)).collect();
        xs.extend([Fr::from(0u64), Fr::from(u64::MAX), below_top]);
        for x in xs {
            if !crate::field::splits_low_word(x) {
                continue;
            }
            let (lo, hi) = crate::field::split_low_word(x);
            assert!(accepts(x, lo, hi), "{x}");
            let mut wide = x.into_bigint();
            if !wide.add_with_carry(&Fr::MODULUS) {
                let lo2 = wide.as_ref()[0];
                let hi2 = Fr::from_le_bytes_mod_order(&(wide >> 64).to_bytes_le());
                assert!(!accepts(x, lo2, hi2), "the split of x + r: {x}");
            }
        }
        let r_minus_1 = -Fr::from(1u64);
        assert!(!crate::field::splits_low_word(r_minus_1));
        let (lo, hi) = crate::field::split_low_word(r_minus_1);
        assert!(
            !accepts(r_minus_1, lo, hi),
            "a top value has no accepted split"
        );
        assert!(crate::field::splits_low_word(below_top));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_relations::gr1cs::ConstraintSystem;

    #[test]
    fn range_check_rejects_values_that_do_not_fit() {
        for (value, bits, ok) in [
            (5u64, 3usize, true),
            (8, 3, false),
            (0, 1, true),
            (u64::MAX, 64, true),
        ] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(value))).unwrap();
            range_bits(cs.clone(), &x, value, bits).unwrap();
            assert_eq!(cs.is_satisfied().unwrap(), ok, "{value} in {bits} bits");
        }
    }
}

/// `a < b` as a boolean, for `a, b < 2^bits` (`bits < 250`): decomposes `a - b + 2^bits` into
/// `bits + 1` bits, whose top bit is set exactly when `a >= b`. `bits + 2` constraints.
pub fn less_than(
    cs: ConstraintSystemRef<Fr>,
    a: &FpVar<Fr>,
    a_value: u64,
    b: &FpVar<Fr>,
    b_value: u64,
    bits: usize,
) -> Result<Boolean<Fr>, SynthesisError> {
    assert!(bits <= 64, "u64 values only");
    let shift = Fr::from(2u64).pow([bits as u64]);
    let diff = (a_value as u128) + (1u128 << bits) - (b_value as u128);
    let bs = (0..=bits)
        .map(|i| Boolean::new_witness(cs.clone(), || Ok((diff >> i) & 1 == 1)))
        .collect::<Result<Vec<_>, _>>()?;
    Boolean::le_bits_to_fp(&bs)?.enforce_equal(&(a - b + shift))?;
    Ok(!bs[bits].clone())
}

/// Keystream block `b` of the record at `index` under `ek` (the delivery's encryption,
/// `dataset::encrypted::stream`): the first three lanes of `P([ek, index, b, STREAM])`.
pub fn keystream_block(
    ek: &FpVar<Fr>,
    index: &FpVar<Fr>,
    b: usize,
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    let state = [
        ek.clone(),
        index.clone(),
        FpVar::Constant(Fr::from(b as u64)),
        FpVar::Constant(crate::tags::fr(crate::tags::STREAM)),
    ];
    let out = crate::poseidon2::r1cs::permute(&state)?;
    Ok(out.into_iter().take(crate::poseidon2::RATE).collect())
}

/// `ek = H(ENC_KEY, k, nonce)` after checking `key_id = H(KEY_ID, k)` (the rule named
/// `key_is_the_listings`): the key the listing names, and the delivery's encryption key.
pub fn listed_encryption_key(
    cs: ConstraintSystemRef<Fr>,
    k: &FpVar<Fr>,
    key_id: &FpVar<Fr>,
    nonce: &FpVar<Fr>,
) -> Result<FpVar<Fr>, SynthesisError> {
    use crate::poseidon2::r1cs::hash;
    let tag = |t| FpVar::Constant(crate::tags::fr(t));
    named(ark_relations::ns!(cs, "key_is_the_listings"), || {
        hash(&[tag(crate::tags::KEY_ID), k.clone()])?.enforce_equal(key_id)
    })?;
    hash(&[tag(crate::tags::ENC_KEY), k.clone(), nonce.clone()])
}
