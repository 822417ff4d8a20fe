//! Universal KZG parameters, keys, proofs and verification.
//!
//! One parameter file serves every statement and shape up to its size: a circuit of `2^k` rows
//! uses the file's first `2^k` powers ([`fit`]). Keys are derived from the parameters and the
//! circuit ([`keygen`]) by anyone, with no ceremony of their own; a verifying key's SHA-256
//! ([`vk_digest`]) names it in a proof envelope. Proofs use the SHPLONK multi-opening and a
//! Blake2b transcript. See `docs/halo2.md` for the file format and which public ceremonies fit.

pub use crate::commit::ProverParams;
use crate::commit::{Accelerated, AcceleratedShplonk};
use crate::field::to_halo2;
use crate::statements::call::CallCircuit;
use crate::statements::Halo2Statement;
use crate::statements::OneRegion;
use crate::version::Version;
use crate::{Error, Fp, Result};
use halo2_proofs::halo2curves::bn256::{Bn256, G1Affine, G2Affine};
use halo2_proofs::halo2curves::serde::SerdeObject as _;
use halo2_proofs::plonk::{
    self, create_proof, keygen_pk, keygen_vk, verify_proof, ProvingKey, VerifyingKey,
};
use halo2_proofs::poly::commitment::{Params as _, ParamsProver as _};
use halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_proofs::poly::kzg::multiopen::VerifierSHPLONK;
use halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_proofs::transcript::{
    Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer,
};
use halo2_proofs::SerdeCurveAffine;
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

/// The verifying key of `shape` alone (no proving key), from parameters of exactly
/// `S::k(shape)` rows ([`fit`]): what a verifier derives.
pub fn keygen_verifying<S: Halo2Statement>(
    params: &Params,
    shape: &S::Shape,
) -> Result<VerifyingKeyBn> {
    keygen_verifying_at::<S>(params, shape, Version::CURRENT)
}

/// [`keygen_verifying`] in layout `version`, from parameters of exactly `S::k_at(shape,
/// version)` rows: the key a proof made under an older layout names.
pub fn keygen_verifying_at<S: Halo2Statement>(
    params: &Params,
    shape: &S::Shape,
    version: Version,
) -> Result<VerifyingKeyBn> {
    S::validate(shape)?;
    keygen_vk(params, &S::blank_at(shape, version)).map_err(|source| Error::Halo2 {
        what: "verifying key",
        source,
    })
}

/// How verifying keys are encoded: halo2's `VerifyingKey::write` with uncompressed points,
/// behind [`VK_MARK`] and the layout's number from layout 2 on ([`vk_bytes`]).
pub const VK_FORMAT: SerdeFormat = SerdeFormat::RawBytes;

/// The byte before a layout number in [`vk_bytes`]; halo2's own encoding starts with `0x02`.
pub const VK_MARK: u8 = b'V';

/// The layout a Veil verifying key was derived at, from its gates' names.
pub fn vk_version(vk: &VerifyingKeyBn) -> Version {
    let paired = vk
        .cs()
        .gates()
        .iter()
        .any(|g| g.name() == crate::chips::poseidon2::PAIR_GATE);
    if paired {
        Version::V2
    } else {
        Version::V1
    }
}

/// A verifying key's bytes: [`VK_MARK`], its layout's number and halo2's encoding; a layout 1
/// key is halo2's encoding alone (as every key was before layouts had numbers). The layout is
/// in the bytes because halo2's encoding holds the key's commitments and selectors, not its
/// gates: both layouts would read the same bytes, and a key read at the wrong layout is
/// another circuit's. [`vk_digest`] is the SHA-256 of exactly these bytes.
pub fn vk_bytes(vk: &VerifyingKeyBn) -> Vec<u8> {
    let raw = vk.to_bytes(VK_FORMAT);
    match vk_version(vk) {
        Version::V1 => raw,
        v => [&[VK_MARK, v.number() as u8][..], &raw].concat(),
    }
}

/// Reads a verifying key of any Veil statement from [`vk_bytes`], at the layout they name.
/// Every statement's circuit configures the same chips (`statements::Layout`), so one circuit
/// type rebuilds the constraint system of all of them; the shape is in the key's fixed
/// columns. The bytes must be exactly what [`vk_bytes`] writes, so that their digest names the
/// key.
pub fn read_vk(bytes: &[u8]) -> Result<VerifyingKeyBn> {
    let bad = |why: String| Error::Params(format!("not a halo2 verifying key: {why}"));
    let (version, raw) = match bytes {
        [VK_MARK, n, raw @ ..] => {
            let v = Version::ALL
                .into_iter()
                .find(|v| v.number() == u32::from(*n) && *v != Version::V1)
                .ok_or_else(|| bad(format!("layout {n}, which this build does not know")))?;
            (v, raw)
        }
        raw => (Version::V1, raw),
    };
    // halo2 reads `2^k` selector bits per selector: a forged `k` must not allocate without bound.
    let k = raw
        .get(1..5)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| bad("too short".into()))?;
    if k > MAX_K {
        return Err(bad(format!("2^{k} rows (at most 2^{MAX_K})")));
    }
    let vk = VerifyingKey::from_bytes::<OneRegion<CallCircuit>>(raw, VK_FORMAT, version)
        .map_err(|e| bad(e.to_string()))?;
    if vk_bytes(&vk) != bytes {
        return Err(bad("trailing or non-canonical bytes".into()));
    }
    Ok(vk)
}

/// The most rows a Veil circuit is read at (an aggregate's `2^18` with room to spare).
pub const MAX_K: u32 = 24;

/// SHA-256 of a verifying key's raw encoding, hex: what names it in an envelope.
pub fn vk_digest(vk: &VerifyingKeyBn) -> String {
    hex::encode(Sha256::digest(vk_bytes(vk)))
}

/// The three points of the parameters a verifier needs: the G1 generator, the G2 generator
/// and `[τ]` in G2. With a verifying key they check any proof, at any size, without the
/// parameter file (megabytes) or a proving key: what a browser or a gateway holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifierPoints {
    /// `[1]₁`.
    pub g1: G1Affine,
    /// `[1]₂`.
    pub g2: G2Affine,
    /// `[τ]₂`.
    pub s_g2: G2Affine,
}

impl VerifierPoints {
    /// Length of [`Self::to_bytes`]: three compressed points.
    pub const LEN: usize = 32 + 64 + 64;

    /// The points of `params`.
    pub fn of(params: &Params) -> Self {
        VerifierPoints {
            g1: params.get_g()[0],
            g2: params.g2(),
            s_g2: params.s_g2(),
        }
    }

    /// The points compressed, in order.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::LEN);
        let fmt = SerdeFormat::Processed;
        (self.g1.write(&mut out, fmt))
            .and_then(|()| self.g2.write(&mut out, fmt))
            .and_then(|()| self.s_g2.write(&mut out, fmt))
            .expect("writing to a Vec cannot fail");
        out
    }

    /// Reads [`Self::to_bytes`]; every point is checked to be on its curve.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != Self::LEN {
            return Err(Error::Params(format!(
                "the verifier points are {} bytes, not {}",
                bytes.len(),
                Self::LEN
            )));
        }
        let bad = |what: &str| Error::Params(format!("the verifier points: {what} is not a point"));
        let mut r = bytes;
        let g1 = G1Affine::read(&mut r, SerdeFormat::Processed).map_err(|_| bad("[1]₁"))?;
        let g2 = G2Affine::read(&mut r, SerdeFormat::Processed).map_err(|_| bad("[1]₂"))?;
        let s_g2 = G2Affine::read(&mut r, SerdeFormat::Processed).map_err(|_| bad("[τ]₂"))?;
        Ok(VerifierPoints { g1, g2, s_g2 })
    }

    /// Verifying parameters for `2^k` rows: these points, and no powers beyond the first.
    /// halo2's KZG verifier reads only `g[0]`, `g2`, `s_g2` and the size.
    pub fn params(&self, k: u32) -> Params {
        let mut raw = 0u32.to_le_bytes().to_vec();
        for _ in 0..2 {
            raw.extend(self.g1.to_raw_bytes());
        }
        raw.extend(self.g2.to_raw_bytes());
        raw.extend(self.s_g2.to_raw_bytes());
        let one = Params::read_custom(&mut raw.as_slice(), SerdeFormat::RawBytesUnchecked)
            .expect("one power and two G2 points are a parameter file of 2^0 rows");
        one.from_parts(k, vec![self.g1], Some(vec![]), self.g2, self.s_g2)
    }
}

/// The instance column of a statement's public inputs.
pub fn instance(public_inputs: &[Fr]) -> Vec<Fp> {
    public_inputs.iter().map(to_halo2).collect()
}

/// Proves `public` with `witness`, after checking the statement natively (a broken rule is
/// named, not proved). The blinding comes from the operating system; the commitments run on
/// `params`' MSM ([`ProverParams`]).
pub fn prove<S: Halo2Statement>(
    params: &ProverParams,
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
    params: &ProverParams,
    pk: &ProvingKeyBn,
    circuit: C,
    instance: &[Fp],
) -> Result<Vec<u8>> {
    let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
    create_proof::<Accelerated, AcceleratedShplonk<'_>, _, _, _, _>(
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
    let k = vk.get_domain().k();
    if params.k() != k {
        return Err(Error::Params(format!(
            "the verifying key is for 2^{k} rows and the parameters for 2^{}",
            params.k()
        )));
    }
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
