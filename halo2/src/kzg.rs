//! Universal KZG parameters, keys, proofs and verification.
//!
//! One parameter file serves every statement and shape up to its size: a circuit of `2^k` rows
//! uses the file's first `2^k` powers ([`fit`]). Keys are derived from the parameters and the
//! circuit ([`keygen`]) by anyone, with no ceremony of their own; a verifying key's SHA-256
//! ([`vk_digest`]) names it in a proof envelope. Proofs use the SHPLONK multi-opening and a
//! Blake2b transcript. See `docs/halo2.md` for the file format and which public ceremonies fit.

use crate::field::to_halo2;
use crate::statements::Halo2Statement;
use crate::{Error, Fp, Result};
use halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
use halo2_proofs::plonk::{
    self, create_proof, keygen_pk, keygen_vk, verify_proof, ProvingKey, VerifyingKey,
};
use halo2_proofs::poly::commitment::Params as _;
use halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_proofs::transcript::{
    Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer,
};
use halo2_proofs::SerdeFormat;
use rand::{rngs::OsRng, SeedableRng};
use sha2::{Digest, Sha256};
use std::path::Path;
use veil_circuits::Fr;

/// KZG parameters over BN254: powers of a secret `τ` in G1 and `[τ]` in G2.
pub type Params = ParamsKZG<Bn256>;
/// A halo2 proving key.
pub type ProvingKeyBn = ProvingKey<G1Affine>;
/// A halo2 verifying key.
pub type VerifyingKeyBn = VerifyingKey<G1Affine>;

/// The seed of [`insecure_setup`]: public, so `τ` is known to everyone.
pub const INSECURE_SEED: [u8; 32] = *b"veil: INSECURE local KZG setup!!";

/// **Insecure**: parameters for `2^k` rows from a public seed. Anyone can recompute `τ` and
/// forge proofs; for development and tests only. Production reads a ceremony's output with
/// [`read_params`].
pub fn insecure_setup(k: u32) -> Params {
    Params::setup(k, rand_chacha::ChaCha20Rng::from_seed(INSECURE_SEED))
}

/// How parameter files are encoded: halo2's `ParamsKZG::write_custom` with uncompressed
/// points (`k`, then `2^k` G1 powers in monomial and Lagrange form, then `g2` and `[τ]g2`).
/// Uncompressed, because decompressing `2^19` points took most of an aggregate's check (24 s
/// at `2^18` rows, debug build); reading still checks every point is on its curve.
pub const PARAMS_FORMAT: SerdeFormat = SerdeFormat::RawBytes;

/// Reads parameters in [`PARAMS_FORMAT`] from `bytes` (read from `path`, named in errors).
pub fn params_from_bytes(mut bytes: &[u8], path: &Path) -> Result<Params> {
    Params::read_custom(&mut bytes, PARAMS_FORMAT).map_err(|e| {
        Error::Params(format!(
            "{} is not a KZG parameter file: {e}",
            path.display()
        ))
    })
}

/// Reads a parameter file in [`PARAMS_FORMAT`].
pub fn read_params(path: &Path) -> Result<Params> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Params(format!("cannot open {}: {e}", path.display())))?;
    params_from_bytes(&bytes, path)
}

/// Parameters encoded in [`PARAMS_FORMAT`].
pub fn params_bytes(params: &Params) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    params
        .write_custom(&mut out, PARAMS_FORMAT)
        .map_err(|e| Error::Params(format!("cannot encode parameters: {e}")))?;
    Ok(out)
}

/// Writes parameters in the format [`read_params`] takes.
pub fn write_params(params: &Params, path: &Path) -> Result<()> {
    std::fs::write(path, params_bytes(params)?)
        .map_err(|e| Error::Params(format!("cannot write {}: {e}", path.display())))
}

/// The parameters cut down to `2^k` rows; refused when they are smaller.
pub fn fit(params: &Params, k: u32) -> Result<Params> {
    if params.k() < k {
        return Err(Error::Params(format!(
            "the circuit needs 2^{k} rows and the parameters hold 2^{}: use a larger file",
            params.k()
        )));
    }
    let mut p = params.clone();
    if p.k() > k {
        p.downsize(k);
    }
    Ok(p)
}

/// The proving key of `shape` (its verifying key inside), from parameters of exactly
/// `S::k(shape)` rows ([`fit`]).
pub fn keygen<S: Halo2Statement>(params: &Params, shape: &S::Shape) -> Result<ProvingKeyBn> {
    S::validate(shape)?;
    let circuit = S::blank(shape);
    let vk = keygen_vk(params, &circuit).map_err(|source| Error::Halo2 {
        what: "verifying key",
        source,
    })?;
    keygen_pk(params, vk, &circuit).map_err(|source| Error::Halo2 {
        what: "proving key",
        source,
    })
}

/// SHA-256 of a verifying key's raw encoding, hex: what names it in an envelope.
pub fn vk_digest(vk: &VerifyingKeyBn) -> String {
    hex::encode(Sha256::digest(vk.to_bytes(SerdeFormat::RawBytes)))
}

/// The instance column of a statement's public inputs.
pub fn instance(public_inputs: &[Fr]) -> Vec<Fp> {
    public_inputs.iter().map(to_halo2).collect()
}

/// Proves `public` with `witness`, after checking the statement natively (a broken rule is
/// named, not proved). The blinding comes from the operating system.
pub fn prove<S: Halo2Statement>(
    params: &Params,
    pk: &ProvingKeyBn,
    shape: &S::Shape,
    public: S::Public,
    witness: S::Witness,
) -> Result<Vec<u8>> {
    S::check(shape, &public, &witness)?;
    let instance = instance(&S::public_inputs(&public));
    prove_unchecked(params, pk, S::circuit(shape, public, witness), &instance)
}

/// Proves without the native check: what a lying prover runs, for tests.
pub fn prove_unchecked<C: plonk::Circuit<Fp>>(
    params: &Params,
    pk: &ProvingKeyBn,
    circuit: C,
    instance: &[Fp],
) -> Result<Vec<u8>> {
    let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        params,
        pk,
        &[circuit],
        &[&[instance]],
        OsRng,
        &mut transcript,
    )
    .map_err(|source| Error::Halo2 {
        what: "proving",
        source,
    })?;
    Ok(transcript.finalize())
}

/// Verifies `proof` for `public_inputs` against `vk`.
pub fn verify(
    params: &Params,
    vk: &VerifyingKeyBn,
    public_inputs: &[Fr],
    proof: &[u8],
) -> Result<()> {
    let instance = instance(public_inputs);
    let mut transcript = Blake2bRead::<_, G1Affine, Challenge255<_>>::init(proof);
    verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        params,
        vk,
        SingleStrategy::new(params),
        &[&[&instance]],
        &mut transcript,
    )
    .map_err(|e| Error::Rejected(format!("{e}")))
}
