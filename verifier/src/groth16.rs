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
    crate::params::sha256_hex(&bytes)
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
