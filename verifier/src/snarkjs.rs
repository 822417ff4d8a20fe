//! Groth16 keys, proofs and public inputs in snarkjs' JSON (`snarkjs groth16 verify
//! verification_key.json public.json proof.json`), written for snarkjs and, for proofs and
//! public inputs, read from it (a proof `snarkjs groth16 prove` made with a ceremony key Veil
//! imported). Coordinates are decimal strings; a G1 point is `[x, y, "1"]`, a G2 point
//! `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`.

use ark_bn254::{Bn254, Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::PrimeField;
use ark_groth16::{Proof, VerifyingKey};
use serde_json::{json, Value};
use veil_circuits::{field::to_decimal, Fr};

fn fq(x: &Fq) -> String {
    x.into_bigint().to_string()
}

fn fq2(x: &Fq2) -> Value {
    json!([fq(&x.c0), fq(&x.c1)])
}

fn g1(p: &G1Affine) -> Value {
    match p.xy() {
        Some((x, y)) => json!([fq(&x), fq(&y), "1"]),
        None => json!(["0", "1", "0"]),
    }
}

fn g2(p: &G2Affine) -> Value {
    match p.xy() {
        Some((x, y)) => json!([fq2(&x), fq2(&y), ["1", "0"]]),
        None => json!([["0", "0"], ["1", "0"], ["0", "0"]]),
    }
}

/// `verification_key.json`.
pub fn verification_key(vk: &VerifyingKey<Bn254>) -> Value {
    json!({
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.gamma_abc_g1.len().saturating_sub(1),
        "vk_alpha_1": g1(&vk.alpha_g1),
        "vk_beta_2": g2(&vk.beta_g2),
        "vk_gamma_2": g2(&vk.gamma_g2),
        "vk_delta_2": g2(&vk.delta_g2),
        "IC": vk.gamma_abc_g1.iter().map(g1).collect::<Vec<_>>(),
    })
}

/// `proof.json`.
pub fn proof(p: &Proof<Bn254>) -> Value {
    json!({ "pi_a": g1(&p.a), "pi_b": g2(&p.b), "pi_c": g1(&p.c), "protocol": "groth16", "curve": "bn128" })
}

/// `public.json`.
pub fn public(inputs: &[Fr]) -> Value {
    Value::Array(
        inputs
            .iter()
            .map(|x| Value::String(to_decimal(x)))
            .collect(),
    )
}

fn malformed(what: &str) -> crate::VerifyError {
    crate::VerifyError::Malformed(format!("snarkjs proof: {what}"))
}

/// A decimal string below `F`'s modulus, as an element of `F`.
fn decimal<F: PrimeField<BigInt = ark_ff::BigInt<4>>>(v: &Value, what: &str) -> crate::Result<F> {
    let s = v
        .as_str()
        .ok_or_else(|| malformed(&format!("{what} is not a string")))?;
    if s.is_empty() || s.len() > 78 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(&format!("{what} is not a decimal integer")));
    }
    let mut limbs = [0u64; 4];
    for d in s.bytes() {
        let mut carry = (d - b'0') as u128;
        for l in limbs.iter_mut() {
            let x = (*l as u128) * 10 + carry;
            *l = x as u64;
            carry = x >> 64;
        }
        if carry != 0 {
            return Err(malformed(&format!(
                "{what} is not below the field's modulus"
            )));
        }
    }
    F::from_bigint(ark_ff::BigInt(limbs))
        .ok_or_else(|| malformed(&format!("{what} is not below the field's modulus")))
}

fn read_fq(v: &Value, what: &str) -> crate::Result<Fq> {
    decimal(v, what)
}

fn read_g1(v: &Value, what: &str) -> crate::Result<G1Affine> {
    let c = |i: usize| read_fq(&v[i], &format!("{what}[{i}]"));
    if !v.is_array() || v.as_array().map(Vec::len) != Some(3) || c(2)? != Fq::from(1u64) {
        return Err(malformed(&format!(
            "{what} is not an affine point [x, y, \"1\"]"
        )));
    }
    let p = G1Affine::new_unchecked(c(0)?, c(1)?);
    if !p.is_on_curve() || !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(malformed(&format!("{what} is not a point of G1")));
    }
    Ok(p)
}

fn read_g2(v: &Value, what: &str) -> crate::Result<G2Affine> {
    let c = |i: usize| -> crate::Result<Fq2> {
        Ok(Fq2::new(
            read_fq(&v[i][0], &format!("{what}[{i}][0]"))?,
            read_fq(&v[i][1], &format!("{what}[{i}][1]"))?,
        ))
    };
    if v.as_array().map(Vec::len) != Some(3) || c(2)? != Fq2::from(1u64) {
        return Err(malformed(&format!(
            "{what} is not an affine point [x, y, [\"1\", \"0\"]]"
        )));
    }
    let p = G2Affine::new_unchecked(c(0)?, c(1)?);
    if !p.is_on_curve() || !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(malformed(&format!("{what} is not a point of G2")));
    }
    Ok(p)
}

/// A `proof.json` snarkjs wrote (`groth16 prove`), its points checked on their curves.
pub fn proof_from_json(v: &Value) -> crate::Result<Proof<Bn254>> {
    if v["protocol"] != "groth16" || v["curve"] != "bn128" {
        return Err(malformed("not a Groth16 proof over bn128"));
    }
    Ok(Proof {
        a: read_g1(&v["pi_a"], "pi_a")?,
        b: read_g2(&v["pi_b"], "pi_b")?,
        c: read_g1(&v["pi_c"], "pi_c")?,
    })
}

/// A `public.json`: the public inputs, decimal strings below the scalar field's modulus.
pub fn public_from_json(v: &Value) -> crate::Result<Vec<Fr>> {
    let items = v
        .as_array()
        .ok_or_else(|| malformed("public.json is not an array"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, x)| decimal(x, &format!("public input {i}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_encoding() {
        assert_eq!(
            public(&[Fr::from(1u64), -Fr::from(1u64)]),
            json!([
                "1",
                "21888242871839275222246405745257275088548364400416034343698204186575808495616"
            ])
        );
        assert_eq!(g1(&G1Affine::generator()), json!(["1", "2", "1"]));
    }
}
