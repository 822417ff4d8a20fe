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

/// The Hermez/Polygon cut-downs of the Perpetual Powers of Tau, `powersOfTau28_hez_final_NN.ptau`
/// (`NN` = 08 to 27): each power and the Blake2b-512 of its file, as snarkjs's README (0.7.x)
/// publishes them. A file of that name must have its published hash.
pub const HERMEZ_FILES: [(u32, &str); 20] = [
    (8, "d6a8fb3a04feb600096c3b791f936a578c4e664d262e4aa24beed1b7a9a96aa5eb72864d628db247e9293384b74b36ffb52ca8d148d6e1b8b51e279fdf57b583"),
    (9, "94f108a80e81b5d932d8e8c9e8fd7f46cf32457e31462deeeef37af1b71c2c1b3c71fb0d9b59c654ec266b042735f50311f9fd1d4cadce47ab234ad163157cb5"),
    (10, "6cfeb8cda92453099d20120bdd0e8a5c4e7706c2da9a8f09ccc157ed2464d921fd0437fb70db42104769efd7d6f3c1f964bcf448c455eab6f6c7d863e88a5849"),
    (11, "47c282116b892e5ac92ca238578006e31a47e7c7e70f0baa8b687f0a5203e28ea07bbbec765a98dcd654bad618475d4661bfaec3bd9ad2ed12e7abc251d94d33"),
    (12, "ded2694169b7b08e898f736d5de95af87c3f1a64594013351b1a796dbee393bd825f88f9468c84505ddd11eb0b1465ac9b43b9064aa8ec97f2b73e04758b8a4a"),
    (13, "58efc8bf2834d04768a3d7ffcd8e1e23d461561729beaac4e3e7a47829a1c9066d5320241e124a1a8e8aa6c75be0ba66f65bc8239a0542ed38e11276f6fdb4d9"),
    (14, "eeefbcf7c3803b523c94112023c7ff89558f9b8e0cf5d6cdcba3ade60f168af4a181c9c21774b94fbae6c90411995f7d854d02ebd93fb66043dbb06f17a831c1"),
    (15, "982372c867d229c236091f767e703253249a9b432c1710b4f326306bfa2428a17b06240359606cfe4d580b10a5a1f63fbed499527069c18ae17060472969ae6e"),
    (16, "6a6277a2f74e1073601b4f9fed6e1e55226917efb0f0db8a07d98ab01df1ccf43eb0e8c3159432acd4960e2f29fe84a4198501fa54c8dad9e43297453efec125"),
    (17, "6247a3433948b35fbfae414fa5a9355bfb45f56efa7ab4929e669264a0258976741dfbe3288bfb49828e5df02c2e633df38d2245e30162ae7e3bcca5b8b49345"),
    (18, "7e6a9c2e5f05179ddfc923f38f917c9e6831d16922a902b0b4758b8e79c2ab8a81bb5f29952e16ee6c5067ed044d7857b5de120a90704c1d3b637fd94b95b13e"),
    (19, "bca9d8b04242f175189872c42ceaa21e2951e0f0f272a0cc54fc37193ff6648600eaf1c555c70cdedfaf9fb74927de7aa1d33dc1e2a7f1a50619484989da0887"),
    (20, "89a66eb5590a1c94e3f1ee0e72acf49b1669e050bb5f93c73b066b564dca4e0c7556a52b323178269d64af325d8fdddb33da3a27c34409b821de82aa2bf1a27b"),
    (21, "9aef0573cef4ded9c4a75f148709056bf989f80dad96876aadeb6f1c6d062391f07a394a9e756d16f7eb233198d5b69407cca44594c763ab4a5b67ae73254678"),
    (22, "0d64f63dba1a6f11139df765cb690da69d9b2f469a1ddd0de5e4aa628abb28f787f04c6a5fb84a235ec5ea7f41d0548746653ecab0559add658a83502d1cb21b"),
    (23, "3063a0bd81d68711197c8820a92466d51aeac93e915f5136d74f63c394ee6d88c5e8016231ea6580bec02e25d491f319d92e77f5c7f46a9caa8f3b53c0ea544f"),
    (24, "fa404d140d5819d39984833ca5ec3632cd4995f81e82db402371a4de7c2eae8687c62bc632a95b0c6aadba3fb02680a94e09174b7233ccd26d78baca2647c733"),
    (25, "0377d860cdb09a8a31ea1b0b8c04335614c8206357181573bf294c25d5ca7dff72387224fbd868897e6769f7805b3dab02854aec6d69d7492883b5e4e5f35eeb"),
    (26, "418dee4a74b9592198bd8fd02ad1aea76f9cf3085f206dfd7d594c9e264ae919611b1459a1cc920c2f143417744ba9edd7b8d51e44be9452344a225ff7eead19"),
    (27, "10ffd99837c512ef99752436a54b9810d1ac8878d368fb4b806267bdd664b4abf276c9cd3c4b9039a1fa4315a0c326c0e8e9e8fe0eb588ffd4f9021bf7eae1a1"),
];

/// The published Hermez file whose Blake2b-512 (hex) is `blake2b`: its power.
pub fn published_power(blake2b: &str) -> Option<u32> {
    HERMEZ_FILES
        .iter()
        .find(|(_, h)| h.eq_ignore_ascii_case(blake2b))
        .map(|(p, _)| *p)
}

/// The name of the published Hermez file of `power` powers.
pub fn hermez_name(power: u32) -> String {
    format!("powersOfTau28_hez_final_{power:02}.ptau")
}

/// The power a file named like a published Hermez file claims (`powersOfTau28_hez_final_NN`).
pub fn hermez_power_of_name(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix("powersOfTau28_hez_final_")?;
    rest.strip_suffix(".ptau")?.parse().ok()
}

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
