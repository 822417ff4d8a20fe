//! Groth16 verification over BN254.

use crate::{Result, VerifyError};
use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, PreparedVerifyingKey, Proof, VerifyingKey};
use ark_snark::SNARK;

/// A verifying key prepared for repeated use.
pub type PreparedKey = PreparedVerifyingKey<Bn254>;

/// Prepares a verifying key (precomputes the pairing of `alpha` and `beta`).
pub fn prepare(vk: &VerifyingKey<Bn254>) -> PreparedKey {
    ark_groth16::prepare_verifying_key(vk)
}

/// SHA-256 (hex) of a verifying key's compressed encoding: the manifest's digest of its
/// `.vk` file, and the `vk_sha256` of every proof made for it.
pub fn vk_digest(vk: &VerifyingKey<Bn254>) -> String {
    use ark_serialize::CanonicalSerialize;
    let mut bytes = Vec::new();
    vk.serialize_compressed(&mut bytes)
        .expect("writing to a Vec cannot fail");
    crate::digest::sha256_hex(&bytes)
}

/// Verifies `proof` for `public_inputs`: `Ok(())` or [`VerifyError::Rejected`].
pub fn verify(pvk: &PreparedKey, public_inputs: &[Fr], proof: &Proof<Bn254>) -> Result<()> {
    let expected = pvk.vk.gamma_abc_g1.len().saturating_sub(1);
    if public_inputs.len() != expected {
        return Err(VerifyError::Mismatch(format!(
            "{} public inputs, the key expects {expected}",
            public_inputs.len()
        )));
    }
    match Groth16::<Bn254>::verify_with_processed_vk(pvk, public_inputs, proof) {
        Ok(true) => Ok(()),
        Ok(false) => Err(VerifyError::Rejected("the pairing check failed".into())),
        Err(e) => Err(VerifyError::Rejected(format!("verifier error: {e}"))),
    }
}

/// Verifies many proofs made with one key at once, as if each were verified alone.
///
/// Each proof `i` claims `e(A_i, B_i) = e(alpha, beta) e(L_i, gamma) e(C_i, delta)` with
/// `L_i = gamma_abc_0 + sum_j x_ij gamma_abc_j`. The batch checks one random combination,
///
/// `prod_i e(r_i A_i, B_i) e(-sum_i r_i L_i, gamma) e(-sum_i r_i C_i, delta) e(-(sum_i r_i) alpha, beta) = 1`,
///
/// with one multi-Miller loop over `n + 3` pairs and one final exponentiation, instead of `n`
/// of each. The `r_i` are 128-bit and derived from a hash of the key and of every proof and
/// input in the batch (Fiat-Shamir), so a batch with a false proof passes with probability
/// about `2^-128` per try, and the result does not depend on a random generator (the browser
/// build has none). If the combination fails, every proof is checked alone and the failure
/// names each false one (the batch is never wrong about which).
///
/// `items[i]` is `(public inputs, proof)`, each proof's points on the curve and in the prime-order
/// subgroups (as `ProofEnvelope::groth16_proof` decodes them): the combination's
/// soundness needs it. Returns `Ok(())` when every proof verifies, or [`VerifyError::Rejected`]
/// naming the proofs (by index) that do not.
pub fn verify_batch(pvk: &PreparedKey, items: &[(&[Fr], &Proof<Bn254>)]) -> Result<()> {
    let failures = batch_failures(pvk, items);
    if failures.is_empty() {
        return Ok(());
    }
    const SHOWN: usize = 10;
    let mut named: Vec<String> = failures
        .iter()
        .take(SHOWN)
        .map(|(i, why)| format!("#{i} ({why})"))
        .collect();
    if failures.len() > SHOWN {
        named.push(format!("and {} more", failures.len() - SHOWN));
    }
    Err(VerifyError::Rejected(format!(
        "{} of {} proofs in the batch do not verify: {}",
        failures.len(),
        items.len(),
        named.join(", ")
    )))
}

/// The proofs of a batch that do not verify, by index with the reason, in order (empty when
/// every one does): [`verify_batch`]'s check, for callers that word their own refusal.
pub fn batch_failures(pvk: &PreparedKey, items: &[(&[Fr], &Proof<Bn254>)]) -> Vec<(usize, String)> {
    let expected = pvk.vk.gamma_abc_g1.len().saturating_sub(1);
    let mut failures: Vec<(usize, String)> = Vec::new();
    let mut good: Vec<usize> = Vec::with_capacity(items.len());
    for (i, (inputs, _)) in items.iter().enumerate() {
        if inputs.len() == expected {
            good.push(i);
        } else {
            failures.push((
                i,
                format!("{} public inputs, the key expects {expected}", inputs.len()),
            ));
        }
    }
    if !good.is_empty() && !combination_holds(pvk, items, &good) {
        for &i in &good {
            match verify(pvk, items[i].0, items[i].1) {
                Ok(()) => {}
                Err(VerifyError::Rejected(why)) => failures.push((i, why)),
                Err(e) => failures.push((i, e.to_string())),
            }
        }
    }
    failures.sort_by_key(|(i, _)| *i);
    failures
}

/// The batch's random-combination check over `items[i]` for `i` in `which` (inputs of the
/// right length).
fn combination_holds(pvk: &PreparedKey, items: &[(&[Fr], &Proof<Bn254>)], which: &[usize]) -> bool {
    use ark_bn254::{G1Affine, G1Projective, G2Affine};
    use ark_ec::pairing::Pairing;
    use ark_ec::{CurveGroup, VariableBaseMSM};
    use ark_ff::{One, Zero};

    let weights = batch_weights(pvk, items, which);
    let vk = &pvk.vk;
    // sum_i r_i, and sum_i r_i x_ij for every input j.
    let mut input_sums = vec![Fr::zero(); vk.gamma_abc_g1.len()];
    for (&i, r) in which.iter().zip(&weights) {
        input_sums[0] += r;
        for (sum, x) in input_sums[1..].iter_mut().zip(items[i].0) {
            *sum += *r * x;
        }
    }
    let weighted_l = G1Projective::msm_unchecked(&vk.gamma_abc_g1, &input_sums);
    let cs: Vec<G1Affine> = which.iter().map(|&i| items[i].1.c).collect();
    let weighted_c = G1Projective::msm_unchecked(&cs, &weights);
    let weighted_alpha = vk.alpha_g1 * input_sums[0];

    let scale = |(i, r): (&usize, &Fr)| -> (G1Affine, <Bn254 as Pairing>::G2Prepared) {
        let p = items[*i].1;
        ((p.a * r).into_affine(), p.b.into())
    };
    #[cfg(feature = "parallel")]
    let pairs: Vec<_> = {
        use rayon::prelude::*;
        which
            .par_iter()
            .zip(weights.par_iter())
            .map(scale)
            .collect()
    };
    #[cfg(not(feature = "parallel"))]
    let pairs: Vec<_> = which.iter().zip(weights.iter()).map(scale).collect();
    let (mut g1, mut g2): (Vec<G1Affine>, Vec<<Bn254 as Pairing>::G2Prepared>) =
        pairs.into_iter().unzip();
    let beta: G2Affine = vk.beta_g2;
    g1.extend([
        weighted_l.into_affine(),
        weighted_c.into_affine(),
        (-weighted_alpha).into_affine(),
    ]);
    g2.extend([
        pvk.gamma_g2_neg_pc.clone(),
        pvk.delta_g2_neg_pc.clone(),
        beta.into(),
    ]);
    let f = Bn254::multi_miller_loop(g1, g2);
    Bn254::final_exponentiation(f).is_some_and(|out| out.0.is_one())
}

/// The 128-bit weights `r_i`: SHA-256 of a domain tag, the key and every proof and input of
/// the batch, then of that digest and `i`.
fn batch_weights(pvk: &PreparedKey, items: &[(&[Fr], &Proof<Bn254>)], which: &[usize]) -> Vec<Fr> {
    use ark_serialize::CanonicalSerialize;
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"veil/groth16-batch/v1");
    let mut bytes = Vec::new();
    let mut put = |h: &mut Sha256, x: &dyn Fn(&mut Vec<u8>)| {
        bytes.clear();
        x(&mut bytes);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    };
    put(&mut h, &|b| {
        let _ = pvk.vk.serialize_compressed(b);
    });
    for &i in which {
        let (inputs, proof) = items[i];
        put(&mut h, &|b| {
            let _ = proof.serialize_compressed(&mut *b);
            let _ = inputs.serialize_compressed(&mut *b);
        });
    }
    let seed = h.finalize();
    (0..which.len() as u64)
        .map(|i| {
            let d = Sha256::new()
                .chain_update(seed)
                .chain_update(i.to_le_bytes())
                .finalize();
            let mut r = [0u8; 16];
            r.copy_from_slice(&d[..16]);
            // A zero weight would drop its proof from the check.
            Fr::from(u128::from_le_bytes(r) | 1)
        })
        .collect()
}
