//! KZG parameters from a public powers-of-tau ceremony, in snarkjs's `.ptau` format: the
//! Perpetual Powers of Tau and the Hermez/Polygon `powersOfTau28_hez_final_NN.ptau` files, or
//! any `snarkjs powersoftau` output over BN254 (`docs/halo2.md`).
//!
//! A `.ptau` file is `"ptau"`, a version, a section count, then sections (`id: u32`,
//! `size: u64`, bytes). Section 1 is the header (`n8 = 32`, the base field's modulus, the
//! file's power, the ceremony's power); section 2 holds `2^(power+1) - 1` points `[τ^i]₁`,
//! section 3 `2^power` points `[τ^i]₂`. Coordinates are 32-byte little-endian integers in
//! Montgomery form (`x·2^256 mod q`); a G2 coordinate is `c0` then `c1`.
//!
//! halo2 needs `[τ^i]₁` for `i < 2^k` and `[1]₂`, `[τ]₂`; the Lagrange form is computed here.
//! What the file claims is checked: the modulus, the power, every point on its curve, the
//! generators first, and `e([τ]₁, [1]₂) = e([1]₁, [τ]₂)`, so both groups carry the same `τ`.

use crate::kzg::{self, Params};
use crate::{Error, Result};
use halo2_proofs::arithmetic::{best_multiexp, Field};
use halo2_proofs::halo2curves::bn256::{Bn256, Fq, Fq2, G1Affine, G2Affine};
use halo2_proofs::halo2curves::group::Curve;
use halo2_proofs::halo2curves::pairing::Engine;
use halo2_proofs::halo2curves::CurveAffine;

/// BN254's base field modulus, little-endian: what a `.ptau` header must name.
const Q_LE: [u8; 32] = [
    0x47, 0xfd, 0x7c, 0xd8, 0x16, 0x8c, 0x20, 0x3c, 0x8d, 0xca, 0x71, 0x68, 0x91, 0x6a, 0x81, 0x97,
    0x5d, 0x58, 0x81, 0x81, 0xb6, 0x45, 0x50, 0xb8, 0x29, 0xa0, 0x31, 0xe1, 0x72, 0x4e, 0x64, 0x30,
];

fn bad(what: impl std::fmt::Display) -> Error {
    Error::Params(format!("not a BN254 .ptau file: {what}"))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| bad(format!("it ends inside {what}")))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u32(&mut self, what: &str) -> Result<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }
    fn u64(&mut self, what: &str) -> Result<u64> {
        let b = self.take(8, what)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
}

/// A base-field element from its Montgomery form.
fn fq(bytes: &[u8], r_inv: &Fq) -> Result<Fq> {
    let mut limbs = [0u64; 4];
    for (l, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        *l = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
    }
    // `from_raw` reads the integer as is; the file holds `x·R`, so multiply by `R⁻¹`.
    let canonical = limbs
        .iter()
        .rev()
        .zip(Q_LE.chunks_exact(8).rev())
        .find_map(|(l, q)| {
            let q = u64::from_le_bytes(q.try_into().expect("8 bytes"));
            (*l != q).then_some(*l < q)
        });
    if canonical != Some(true) {
        return Err(bad("a coordinate is not below the modulus"));
    }
    Ok(Fq::from_raw(limbs) * r_inv)
}

fn g1(bytes: &[u8], r_inv: &Fq) -> Result<G1Affine> {
    let (x, y) = (fq(&bytes[..32], r_inv)?, fq(&bytes[32..64], r_inv)?);
    Option::from(G1Affine::from_xy(x, y)).ok_or_else(|| bad("a G1 point is not on the curve"))
}

fn g2(bytes: &[u8], r_inv: &Fq) -> Result<G2Affine> {
    let c = |at: usize| fq(&bytes[at..at + 32], r_inv);
    let x = Fq2 {
        c0: c(0)?,
        c1: c(32)?,
    };
    let y = Fq2 {
        c0: c(64)?,
        c1: c(96)?,
    };
    Option::from(G2Affine::from_xy(x, y)).ok_or_else(|| bad("a G2 point is not on the curve"))
}

/// Whether `g[i + 1] = τ·g[i]` for every `i`, where `s_g2 = τ·one_g2`: with random weights
/// `ρ^i`, `e(Σ ρ^i g[i], [τ]₂) = e(Σ ρ^i g[i+1], [1]₂)` (two MSMs and two pairings; a false
/// file passes with probability about `n / |Fr|`).
fn successive_powers(g: &[G1Affine], one_g2: G2Affine, s_g2: G2Affine) -> bool {
    use halo2_proofs::halo2curves::bn256::Fr;
    let rho = Fr::random(rand::rngs::OsRng);
    let weights: Vec<Fr> = std::iter::successors(Some(Fr::ONE), |w| Some(*w * rho))
        .take(g.len() - 1)
        .collect();
    let a = best_multiexp(&weights, &g[..g.len() - 1]).to_affine();
    let b = best_multiexp(&weights, &g[1..]).to_affine();
    Bn256::pairing(&a, &s_g2) == Bn256::pairing(&b, &one_g2)
}

/// What a `.ptau` file's header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PtauHeader {
    /// `log2` of the powers the file holds.
    pub power: u32,
    /// `log2` of the ceremony's powers (the file may be cut down from it).
    pub ceremony_power: u32,
}

/// Reads `2^k` rows' worth of KZG parameters from a `.ptau` file's bytes.
pub fn params_from_ptau(bytes: &[u8], k: u32) -> Result<(Params, PtauHeader)> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4, "the magic")? != b"ptau" {
        return Err(bad("it does not start with \"ptau\""));
    }
    let _version = r.u32("the version")?;
    let sections = r.u32("the section count")?;
    let mut found: [Option<&[u8]>; 4] = [None; 4];
    for _ in 0..sections {
        let id = r.u32("a section id")?;
        let size = usize::try_from(r.u64("a section size")?)
            .map_err(|_| bad("a section larger than memory"))?;
        let body = r.take(size, "a section")?;
        if let Some(slot) = found.get_mut(id as usize) {
            *slot = Some(body);
        }
    }
    let section =
        |id: usize, what: &str| found[id].ok_or_else(|| bad(format!("no {what} section")));
    let mut h = Reader {
        bytes: section(1, "header")?,
        at: 0,
    };
    if h.u32("n8")? != 32 || h.take(32, "the modulus")? != Q_LE {
        return Err(bad("its curve is not BN254 (bn128)"));
    }
    let header = PtauHeader {
        power: h.u32("the power")?,
        ceremony_power: h.u32("the ceremony power")?,
    };
    if header.power < k {
        return Err(Error::Params(format!(
            "the .ptau file holds 2^{} powers and the circuits need 2^{k}: use a larger file",
            header.power
        )));
    }
    let n = 1usize << k;
    let tau_g1 = section(2, "tauG1")?;
    let tau_g2 = section(3, "tauG2")?;
    if tau_g1.len() < n * 64 || tau_g2.len() < 2 * 128 {
        return Err(bad("its tau sections are shorter than its power says"));
    }
    let r_inv = Option::<Fq>::from(Fq::from(2u64).pow_vartime([256]).invert())
        .expect("2^256 is invertible mod q");
    let g: Vec<G1Affine> = tau_g1[..n * 64]
        .chunks_exact(64)
        .map(|p| g1(p, &r_inv))
        .collect::<Result<_>>()?;
    let (one_g2, s_g2) = (g2(&tau_g2[..128], &r_inv)?, g2(&tau_g2[128..256], &r_inv)?);
    if g[0] != G1Affine::generator() || one_g2 != G2Affine::generator() {
        return Err(bad("its first powers are not the generators"));
    }
    if n > 1 && !successive_powers(&g, one_g2, s_g2) {
        return Err(bad(
            "its G1 points are not successive powers of the τ in its G2 points",
        ));
    }
    // `from_parts` is a method on existing parameters; a one-row set is the cheapest to make.
    let params = kzg::insecure_setup(1).from_parts(k, g, None, one_g2, s_g2);
    Ok((params, header))
}
