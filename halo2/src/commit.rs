//! The seam where a halo2 proof's commitments run, as [`crate::kzg`]'s proofs make them.
//!
//! A KZG commitment is an MSM over the parameters' powers of `τ` (in monomial or Lagrange
//! form), and a halo2 proof is mostly those: one per advice column, lookup, permutation product
//! and quotient piece, each over all `2^k` powers. halo2 runs them with halo2curves' MSM.
//! [`ProverParams`] is the same parameters with the MSMs handed to a [`G1Msm`] (Veil's, in
//! `veil-prover`; a GPU's later), through halo2's own traits: [`Accelerated`] is a
//! [`CommitmentScheme`] whose prover parameters are [`ProverParams`], and
//! [`AcceleratedShplonk`] its SHPLONK multi-opening. The proof is the same bytes a stock halo2
//! prover writes with the same randomness: same group elements, same transcript, checked by the
//! stock verifier ([`crate::kzg::verify`]).
//!
//! The bases are converted to arkworks' form once, when the parameters are made: both
//! libraries store BN254's base field in Montgomery form with `R = 2^256`, so a point's
//! coordinates are the same four limbs in either.

/// KZG parameters over BN254 (`crate::kzg::Params`).
type Params = ParamsKZG<Bn256>;
use crate::Fp;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::BigInt;
use halo2_proofs::halo2curves::bn256::{Bn256, G1Affine, G1};
use halo2_proofs::halo2curves::ff::PrimeField;
use halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
use halo2_proofs::halo2curves::group::Group;
use halo2_proofs::halo2curves::serde::SerdeObject;
use halo2_proofs::poly::commitment::{
    Blind, CommitmentScheme, Params as HaloParams, ParamsProver, Prover,
};
use halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_proofs::poly::kzg::msm::MSMKZG;
use halo2_proofs::poly::kzg::multiopen::ProverSHPLONK;
use halo2_proofs::poly::ProverQuery;
use halo2_proofs::poly::{Coeff, LagrangeCoeff, Polynomial};
use halo2_proofs::transcript::{EncodedChallenge, TranscriptWrite};
use halo2_proofs::SerdeFormat;
use rand::RngCore;
use std::io;
use std::sync::Arc;

/// A G1 point as the [`G1Msm`] reads it.
pub type ArkG1 = ark_bn254::G1Affine;
/// An MSM's result.
pub type ArkG1Projective = ark_bn254::G1Projective;

/// Where a proof's G1 MSMs run.
pub trait G1Msm: Send + Sync {
    /// A short name, for reports.
    fn name(&self) -> &'static str;
    /// `sum scalars[i] * bases[i]`; `scalars` are canonical integers, as long as `bases`.
    fn msm(&self, bases: &[ArkG1], scalars: &[BigInt<4>]) -> ArkG1Projective;
}

/// The MSM engine and the parameters' bases in its form.
#[derive(Clone)]
struct Engine {
    msm: Arc<dyn G1Msm>,
    /// `[τ^i]₁`, for commitments to coefficients.
    g: Arc<[ArkG1]>,
    /// The Lagrange basis over the `2^k` domain, for commitments to evaluations.
    g_lagrange: Arc<[ArkG1]>,
}

/// KZG prover parameters whose commitments run on a [`G1Msm`] (or, made by halo2 itself
/// through [`CommitmentScheme::new_params`], on halo2curves' MSM).
#[derive(Clone)]
pub struct ProverParams {
    kzg: Params,
    engine: Option<Engine>,
}

impl std::fmt::Debug for ProverParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProverParams")
            .field("k", &self.kzg.k())
            .field("msm", &self.engine.as_ref().map(|e| e.msm.name()))
            .finish()
    }
}

impl ProverParams {
    /// `kzg` with its commitments on `msm`; converts its `2 · 2^k` bases once.
    pub fn new(kzg: Params, msm: Arc<dyn G1Msm>) -> crate::Result<Self> {
        let (g, g_lagrange) = ark_bases(&kzg)?;
        Ok(ProverParams {
            engine: Some(Engine {
                msm,
                g: g.into(),
                g_lagrange: g_lagrange.into(),
            }),
            kzg,
        })
    }

    /// `kzg` with halo2's own MSM.
    pub fn stock(kzg: Params) -> Self {
        ProverParams { kzg, engine: None }
    }

    /// The parameters themselves (what verifying and key generation read).
    pub fn kzg(&self) -> &Params {
        &self.kzg
    }

    /// The MSM's name: its [`G1Msm::name`], or `halo2curves`.
    pub fn msm_name(&self) -> &'static str {
        self.engine.as_ref().map_or("halo2curves", |e| e.msm.name())
    }

    fn commit_on(&self, scalars: &[Fp], bases: impl Fn(&Engine) -> &[ArkG1]) -> Option<G1> {
        let engine = self.engine.as_ref()?;
        let bases = &bases(engine)[..scalars.len()];
        let scalars: Vec<BigInt<4>> = scalars.iter().map(canonical).collect();
        Some(point_from_ark(
            &engine.msm.msm(bases, &scalars).into_affine(),
        ))
    }
}

/// A scalar's canonical integer (halo2 keeps it in Montgomery form).
fn canonical(x: &Fp) -> BigInt<4> {
    BigInt(limbs(&x.to_repr()))
}

/// Four little-endian limbs from 32 bytes.
fn limbs(bytes: &[u8]) -> [u64; 4] {
    std::array::from_fn(|i| {
        u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().expect("8 bytes"))
    })
}

/// A halo2curves point in arkworks' form: the same Montgomery limbs.
pub fn point_to_ark(p: &G1Affine) -> ArkG1 {
    if bool::from(p.is_identity()) {
        return ArkG1::zero();
    }
    let raw = p.to_raw_bytes();
    let coordinate = |b: &[u8]| ark_bn254::Fq::new_unchecked(BigInt(limbs(b)));
    ArkG1::new_unchecked(coordinate(&raw[..32]), coordinate(&raw[32..64]))
}

/// An arkworks point in halo2curves' form.
pub fn point_from_ark(p: &ArkG1) -> G1 {
    let Some((x, y)) = p.xy() else {
        return G1::identity();
    };
    let mut raw = [0u8; 64];
    for (i, limb) in x.0 .0.iter().chain(y.0 .0.iter()).enumerate() {
        raw[8 * i..8 * i + 8].copy_from_slice(&limb.to_le_bytes());
    }
    G1Affine::from_raw_bytes_unchecked(&raw).to_curve()
}

/// The parameters' monomial and Lagrange bases in arkworks' form. halo2-axiom keeps the
/// Lagrange basis private; its raw encoding (`k`, then both bases) is read back instead.
fn ark_bases(kzg: &Params) -> crate::Result<(Vec<ArkG1>, Vec<ArkG1>)> {
    let n = kzg.n() as usize;
    let mut raw = Vec::with_capacity(4 + 2 * n * 64 + 4 * 64);
    kzg.write_custom(&mut raw, SerdeFormat::RawBytesUnchecked)
        .map_err(|e| crate::Error::Params(format!("cannot encode parameters: {e}")))?;
    let point = |i: usize| {
        let at = 4 + 64 * i;
        G1Affine::from_raw_bytes_unchecked(&raw[at..at + 64])
    };
    let g: Vec<ArkG1> = (0..n).map(|i| point_to_ark(&point(i))).collect();
    let g_lagrange: Vec<ArkG1> = (n..2 * n).map(|i| point_to_ark(&point(i))).collect();
    Ok((g, g_lagrange))
}

impl<'p> HaloParams<'p, G1Affine> for ProverParams {
    type MSM = MSMKZG<Bn256>;

    fn k(&self) -> u32 {
        self.kzg.k()
    }

    fn n(&self) -> u64 {
        self.kzg.n()
    }

    fn downsize(&mut self, k: u32) {
        self.kzg.downsize(k);
        if let Some(engine) = self.engine.take() {
            if let Ok(p) = ProverParams::new(self.kzg.clone(), engine.msm) {
                self.engine = p.engine;
            }
        }
    }

    fn empty_msm(&'p self) -> MSMKZG<Bn256> {
        MSMKZG::new()
    }

    fn commit_lagrange(&self, poly: &Polynomial<Fp, LagrangeCoeff>, r: Blind<Fp>) -> G1 {
        self.commit_on(poly, |e| &e.g_lagrange)
            .unwrap_or_else(|| self.kzg.commit_lagrange(poly, r))
    }

    fn write<W: io::Write>(&self, writer: &mut W) -> io::Result<()> {
        HaloParams::write(&self.kzg, writer)
    }

    fn read<R: io::Read>(reader: &mut R) -> io::Result<Self> {
        <Params as HaloParams<'_, G1Affine>>::read(reader).map(ProverParams::stock)
    }
}

impl<'p> ParamsProver<'p, G1Affine> for ProverParams {
    type ParamsVerifier = ParamsKZG<Bn256>;

    fn new(k: u32) -> Self {
        ProverParams::stock(<Params as ParamsProver<'_, G1Affine>>::new(k))
    }

    fn commit(&self, poly: &Polynomial<Fp, Coeff>, r: Blind<Fp>) -> G1 {
        self.commit_on(poly, |e| &e.g)
            .unwrap_or_else(|| self.kzg.commit(poly, r))
    }

    fn get_g(&self) -> &[G1Affine] {
        self.kzg.get_g()
    }

    fn verifier_params(&'p self) -> &'p ParamsKZG<Bn256> {
        &self.kzg
    }
}

/// KZG over BN254 with [`ProverParams`]: what [`crate::kzg`] proves with. Verifying is
/// stock [`KZGCommitmentScheme`]'s.
#[derive(Debug)]
pub struct Accelerated;

impl CommitmentScheme for Accelerated {
    type Scalar = Fp;
    type Curve = G1Affine;
    type ParamsProver = ProverParams;
    type ParamsVerifier = ParamsKZG<Bn256>;

    fn new_params(k: u32) -> ProverParams {
        ProverParams::stock(KZGCommitmentScheme::<Bn256>::new_params(k))
    }

    fn read_params<R: io::Read>(reader: &mut R) -> io::Result<ProverParams> {
        KZGCommitmentScheme::<Bn256>::read_params(reader).map(ProverParams::stock)
    }
}

/// halo2's SHPLONK multi-opening prover for [`Accelerated`]: its two opening commitments are
/// halo2curves' (a small share of a proof); everything before it runs on the [`G1Msm`].
#[derive(Debug)]
pub struct AcceleratedShplonk<'p>(ProverSHPLONK<'p, Bn256>);

impl<'p> Prover<'p, Accelerated> for AcceleratedShplonk<'p> {
    const QUERY_INSTANCE: bool =
        <ProverSHPLONK<'p, Bn256> as Prover<'p, KZGCommitmentScheme<Bn256>>>::QUERY_INSTANCE;

    fn new(params: &'p ProverParams) -> Self {
        AcceleratedShplonk(ProverSHPLONK::new(&params.kzg))
    }

    fn create_proof<'com, E, T, R, I>(
        &self,
        rng: R,
        transcript: &mut T,
        queries: I,
    ) -> io::Result<()>
    where
        E: EncodedChallenge<G1Affine>,
        T: TranscriptWrite<G1Affine, E>,
        I: IntoIterator<Item = ProverQuery<'com, G1Affine>> + Clone,
        R: RngCore,
    {
        Prover::<'p, KZGCommitmentScheme<Bn256>>::create_proof(&self.0, rng, transcript, queries)
    }
}
