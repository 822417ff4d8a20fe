//! snarkjs's binary files as a ceremony import reads them: the iden3 container (`magic`, a
//! version, a section count, then sections `id: u32, size: u64, bytes`), a Groth16 `.zkey`,
//! and the sections of a prepared `.ptau` the import checks a key against.
//!
//! Field elements are 32-byte little-endian integers in Montgomery form (`x·2^256 mod q`),
//! a G2 coordinate `c0` then `c1`, the point at infinity all zeros; a `.zkey`'s coefficients
//! are `v·2^512 mod r` (snarkjs's "R²" form). Every length is checked against what the header
//! says, every point is checked on its curve and in its subgroup: nothing past the file is read
//! and nothing off the curve is proved with.
//!
//! `.zkey` sections: 1 the protocol (1 = Groth16); 2 the Groth16 header (the moduli, `nVars`,
//! `nPublic`, the domain size, `α₁ β₁ β₂ γ₂ δ₁ δ₂`); 3 `IC` (`nPublic + 1` G1); 4 the
//! coefficients of `A` and `B` (count, then `matrix, constraint, signal: u32, value`); 5 `A`,
//! 6 `B₁`, 7 `B₂` (`nVars` each); 8 `C` (the private signals'); 9 `H` (`domainSize`); 10 the
//! phase-2 transcript (the circuit hash, then each contribution).

use crate::error::refuse;
use crate::Result;
use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, BigInteger, PrimeField, Zero};
use ark_groth16::{ProvingKey, VerifyingKey};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Bytes of a G1 point in these files.
pub const G1_BYTES: usize = 64;
/// Bytes of a G2 point.
pub const G2_BYTES: usize = 128;

/// An iden3 container's sections, by id (each may appear once).
pub struct Container<'a> {
    bytes: &'a [u8],
    sections: BTreeMap<u32, (usize, usize)>,
    what: &'static str,
}

impl<'a> Container<'a> {
    /// Reads the section table of a `magic` file of version `version`; `what` names the file
    /// in errors (".zkey", ".ptau").
    pub fn parse(
        bytes: &'a [u8],
        magic: &[u8; 4],
        version: u32,
        what: &'static str,
    ) -> Result<Self> {
        if bytes.len() < 12 || &bytes[..4] != magic {
            refuse!(
                "not a {what} file: it does not start with {:?}",
                String::from_utf8_lossy(magic)
            );
        }
        let found = u32_at(bytes, 4);
        if found != version {
            refuse!("{what} version {found}; Veil reads version {version}");
        }
        let count = u32_at(bytes, 8);
        let mut sections = BTreeMap::new();
        let mut at = 12usize;
        for _ in 0..count {
            if bytes.len() - at < 12 {
                refuse!("{what} file is truncated: its section table ends at byte {at}");
            }
            let id = u32_at(bytes, at);
            let size = u64::from_le_bytes(bytes[at + 4..at + 12].try_into().unwrap_or([0; 8]));
            at += 12;
            let size = usize::try_from(size).unwrap_or(usize::MAX);
            if size > bytes.len() - at {
                refuse!(
                    "{what} file is truncated: section {id} says {size} bytes, {} remain",
                    bytes.len() - at
                );
            }
            if sections.insert(id, (at, size)).is_some() {
                refuse!("{what} file holds section {id} twice");
            }
            at += size;
        }
        if at != bytes.len() {
            refuse!(
                "{what} file has {} bytes after its last section",
                bytes.len() - at
            );
        }
        Ok(Container {
            bytes,
            sections,
            what,
        })
    }

    /// Section `id`'s bytes; `name` says what it holds.
    pub fn section(&self, id: u32, name: &str) -> Result<&'a [u8]> {
        match self.sections.get(&id) {
            Some(&(at, size)) => Ok(&self.bytes[at..at + size]),
            None => refuse!("{} file has no section {id} ({name})", self.what),
        }
    }

    /// Whether section `id` is there.
    pub fn has(&self, id: u32) -> bool {
        self.sections.contains_key(&id)
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap_or([0; 4]))
}

/// A cursor over one section, refusing to read past it.
pub struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    what: String,
}

impl<'a> Cursor<'a> {
    /// Reads `bytes`, naming them `what` in errors.
    pub fn new(bytes: &'a [u8], what: impl Into<String>) -> Self {
        Cursor {
            bytes,
            at: 0,
            what: what.into(),
        }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() - self.at < n {
            refuse!(
                "{} ends after {} bytes; {} more were expected",
                self.what,
                self.bytes.len(),
                n - (self.bytes.len() - self.at)
            );
        }
        let out = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32_at(self.take(4)?, 0))
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    /// Refuses bytes left over.
    pub fn end(&self) -> Result<()> {
        if self.at != self.bytes.len() {
            refuse!(
                "{} has {} bytes more than its contents",
                self.what,
                self.bytes.len() - self.at
            );
        }
        Ok(())
    }

    /// Bytes read so far.
    pub fn position(&self) -> usize {
        self.at
    }
}

fn limbs(b: &[u8]) -> BigInt<4> {
    let mut l = [0u64; 4];
    for (i, l) in l.iter_mut().enumerate() {
        *l = u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().unwrap_or([0; 8]));
    }
    BigInt(l)
}

/// A base-field element in Montgomery form.
fn fq(b: &[u8]) -> Option<Fq> {
    let v = limbs(b);
    (v < Fq::MODULUS).then(|| Fq::new_unchecked(v))
}

/// A G1 point (64 bytes), on the curve; `None` if it is not one.
pub fn g1(b: &[u8]) -> Option<G1Affine> {
    let (x, y) = (fq(&b[..32])?, fq(&b[32..64])?);
    if x.is_zero() && y.is_zero() {
        return Some(G1Affine::zero());
    }
    let p = G1Affine::new_unchecked(x, y);
    (p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
}

/// A G2 point (128 bytes), on the twist and in the prime-order subgroup.
pub fn g2(b: &[u8]) -> Option<G2Affine> {
    let x = Fq2::new(fq(&b[..32])?, fq(&b[32..64])?);
    let y = Fq2::new(fq(&b[64..96])?, fq(&b[96..128])?);
    if x.is_zero() && y.is_zero() {
        return Some(G2Affine::zero());
    }
    let p = G2Affine::new_unchecked(x, y);
    (p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
}

/// `n` G1 points from `b`, which must hold exactly them; `what` names them in errors.
pub fn g1_points(b: &[u8], n: usize, what: &str) -> Result<Vec<G1Affine>> {
    points(b, n, G1_BYTES, g1, what)
}

/// `n` G2 points from `b`.
pub fn g2_points(b: &[u8], n: usize, what: &str) -> Result<Vec<G2Affine>> {
    points(b, n, G2_BYTES, g2, what)
}

fn points<P: Send>(
    b: &[u8],
    n: usize,
    size: usize,
    read: fn(&[u8]) -> Option<P>,
    what: &str,
) -> Result<Vec<P>> {
    if b.len() != n * size {
        refuse!(
            "{what}: {} bytes, {n} points of {size} bytes are {}",
            b.len(),
            n * size
        );
    }
    b.par_chunks(size)
        .enumerate()
        .map(|(i, c)| {
            read(c).ok_or_else(|| {
                crate::EngineError::Refused(format!(
                    "{what}: point {i} is not a point of BN254's group"
                ))
            })
        })
        .collect()
}

/// BN254's base field modulus, little-endian.
fn q_le() -> Vec<u8> {
    let mut v = Fq::MODULUS.to_bytes_le();
    v.resize(32, 0);
    v
}

/// BN254's scalar field modulus, little-endian.
fn r_le() -> Vec<u8> {
    let mut v = Fr::MODULUS.to_bytes_le();
    v.resize(32, 0);
    v
}

/// One coefficient of `A` (matrix 0) or `B` (matrix 1) as a `.zkey` lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Coefficient {
    /// 0 for `A`, 1 for `B`.
    pub matrix: u32,
    /// The constraint (row); rows past the circuit's constraints are the public inputs'.
    pub constraint: u32,
    /// The signal (wire): 0 is the constant 1, then the public inputs, then the witness.
    pub signal: u32,
    /// The coefficient, as its canonical integer's limbs.
    pub value: [u64; 4],
}

/// One phase-2 contribution.
#[derive(Clone, Debug)]
pub struct Contribution {
    /// `δ` after it, in G1.
    pub delta_after: G1Affine,
    /// Its proof of knowledge: `[s]₁`, `[s·x]₁` and `[sp·x]₂`.
    pub g1_s: G1Affine,
    /// `[s·x]₁`.
    pub g1_sx: G1Affine,
    /// `[sp·x]₂`, `sp` hashed from the transcript.
    pub g2_spx: G2Affine,
    /// The transcript hash it was made on (BLAKE2b-512).
    pub transcript: [u8; 64],
    /// 0 a contribution, 1 a beacon.
    pub kind: u32,
    /// Its name, if it gave one.
    pub name: Option<String>,
    /// A beacon's `(iterations exponent, beacon hash)`.
    pub beacon: Option<(u8, Vec<u8>)>,
}

/// A snarkjs Groth16 `.zkey`, read and checked for form.
pub struct Zkey {
    /// Signals, the constant 1 included.
    pub n_vars: usize,
    /// Public signals, the constant 1 not included.
    pub n_public: usize,
    /// The QAP domain's size (`2^k`).
    pub domain_size: usize,
    /// The key in arkworks' form (its `H` query for snarkjs's reduction).
    pub pk: ProvingKey<Bn254>,
    /// `A`'s and `B`'s coefficients, the public rows included.
    pub coefficients: Vec<Coefficient>,
    /// The circuit hash `zkey new` computed (BLAKE2b-512).
    pub cs_hash: [u8; 64],
    /// The contributions, first to last.
    pub contributions: Vec<Contribution>,
}

/// Reads a `.zkey` file's bytes.
pub fn read_zkey(bytes: &[u8]) -> Result<Zkey> {
    let file = Container::parse(bytes, b"zkey", 1, ".zkey")?;
    let mut c = Cursor::new(file.section(1, "the protocol")?, ".zkey section 1");
    let protocol = c.u32()?;
    c.end()?;
    if protocol != 1 {
        refuse!("the .zkey is for protocol {protocol}, not Groth16 (1)");
    }
    let mut h = Cursor::new(file.section(2, "the Groth16 header")?, ".zkey header");
    if h.u32()? != 32 || h.take(32)? != q_le().as_slice() {
        refuse!("the .zkey is not over BN254: its base field is another");
    }
    if h.u32()? != 32 || h.take(32)? != r_le().as_slice() {
        refuse!("the .zkey is not over BN254: its scalar field is another");
    }
    let n_vars = h.u32()? as usize;
    let n_public = h.u32()? as usize;
    let domain_size = h.u32()? as usize;
    if !domain_size.is_power_of_two() || n_public + 1 > n_vars {
        refuse!(
            "the .zkey's header is not a Groth16 key's: {n_vars} signals, {n_public} public, a \
             domain of {domain_size}"
        );
    }
    let point1 = |h: &mut Cursor, name: &str| -> Result<G1Affine> {
        g1(h.take(G1_BYTES)?).ok_or_else(|| {
            crate::EngineError::Refused(format!("the .zkey's {name} is not a point of G1"))
        })
    };
    let point2 = |h: &mut Cursor, name: &str| -> Result<G2Affine> {
        g2(h.take(G2_BYTES)?).ok_or_else(|| {
            crate::EngineError::Refused(format!("the .zkey's {name} is not a point of G2"))
        })
    };
    let alpha_g1 = point1(&mut h, "alpha1")?;
    let beta_g1 = point1(&mut h, "beta1")?;
    let beta_g2 = point2(&mut h, "beta2")?;
    let gamma_g2 = point2(&mut h, "gamma2")?;
    let delta_g1 = point1(&mut h, "delta1")?;
    let delta_g2 = point2(&mut h, "delta2")?;
    h.end()?;

    let ic = g1_points(file.section(3, "IC")?, n_public + 1, ".zkey IC section")?;
    let coefficients = read_coefficients(file.section(4, "the coefficients")?, n_vars)?;
    let a = g1_points(file.section(5, "A")?, n_vars, ".zkey A section")?;
    let b1 = g1_points(file.section(6, "B1")?, n_vars, ".zkey B1 section")?;
    let b2 = g2_points(file.section(7, "B2")?, n_vars, ".zkey B2 section")?;
    let l = g1_points(
        file.section(8, "C")?,
        n_vars - n_public - 1,
        ".zkey C section",
    )?;
    let hq = g1_points(file.section(9, "H")?, domain_size, ".zkey H section")?;
    let (cs_hash, contributions) = read_transcript(file.section(10, "the contributions")?)?;
    let pk = ProvingKey {
        vk: VerifyingKey {
            alpha_g1,
            beta_g2,
            gamma_g2,
            delta_g2,
            gamma_abc_g1: ic,
        },
        beta_g1,
        delta_g1,
        a_query: a,
        b_g1_query: b1,
        b_g2_query: b2,
        h_query: hq,
        l_query: l,
    };
    Ok(Zkey {
        n_vars,
        n_public,
        domain_size,
        pk,
        coefficients,
        cs_hash,
        contributions,
    })
}

fn read_coefficients(b: &[u8], n_vars: usize) -> Result<Vec<Coefficient>> {
    let mut c = Cursor::new(b, ".zkey coefficients section");
    let n = c.u32()? as usize;
    if b.len() != 4 + n * 44 {
        refuse!(
            ".zkey coefficients section: {} bytes for {n} coefficients of 44 bytes",
            b.len()
        );
    }
    (0..n)
        .map(|i| {
            let (matrix, constraint, signal) = (c.u32()?, c.u32()?, c.u32()?);
            let v = limbs(c.take(32)?);
            if matrix > 1 || signal as usize >= n_vars || v >= Fr::MODULUS {
                refuse!(
                    ".zkey coefficient {i} is not one of A or B over the key's {n_vars} signals"
                );
            }
            // The integer v is x·R² mod r. Read as a Montgomery form it is the element x·R,
            // whose integer read as a Montgomery form again is x.
            let value = Fr::new_unchecked(Fr::new_unchecked(v).into_bigint())
                .into_bigint()
                .0;
            Ok(Coefficient {
                matrix,
                constraint,
                signal,
                value,
            })
        })
        .collect()
}

fn read_transcript(b: &[u8]) -> Result<([u8; 64], Vec<Contribution>)> {
    let mut c = Cursor::new(b, ".zkey contributions section");
    let mut cs_hash = [0u8; 64];
    cs_hash.copy_from_slice(c.take(64)?);
    let n = c.u32()?;
    let mut out = Vec::new();
    for i in 0..n {
        let bad = |what: &str| {
            crate::EngineError::Refused(format!(
                ".zkey contribution #{}: {what} is not a point of BN254's group",
                i + 1
            ))
        };
        let raw = c.take(3 * G1_BYTES + G2_BYTES)?;
        let delta_after = g1(&raw[..64]).ok_or_else(|| bad("deltaAfter"))?;
        let g1_s = g1(&raw[64..128]).ok_or_else(|| bad("g1_s"))?;
        let g1_sx = g1(&raw[128..192]).ok_or_else(|| bad("g1_sx"))?;
        let g2_spx = g2(&raw[192..320]).ok_or_else(|| bad("g2_spx"))?;
        let mut transcript = [0u8; 64];
        transcript.copy_from_slice(c.take(64)?);
        let kind = c.u32()?;
        let params_len = c.u32()? as usize;
        let start = c.position();
        let (mut name, mut exp, mut hash, mut last) = (None, None, None, 0u8);
        while c.position() - start < params_len {
            let id = c.u8()?;
            if id <= last {
                refuse!(".zkey contribution #{}: parameters out of order", i + 1);
            }
            last = id;
            match id {
                1 => {
                    let len = c.u8()? as usize;
                    name = Some(String::from_utf8_lossy(c.take(len)?).into_owned());
                }
                2 => exp = Some(c.u8()?),
                3 => {
                    let len = c.u8()? as usize;
                    hash = Some(c.take(len)?.to_vec());
                }
                _ => refuse!(".zkey contribution #{}: unknown parameter {id}", i + 1),
            }
        }
        if c.position() - start != params_len {
            refuse!(
                ".zkey contribution #{}: its parameters overrun their length",
                i + 1
            );
        }
        let beacon = match (kind, exp, hash) {
            (0, None, None) => None,
            (1, Some(e), Some(h)) => Some((e, h)),
            _ => refuse!(
                ".zkey contribution #{}: type {kind} with parameters that do not fit it",
                i + 1
            ),
        };
        out.push(Contribution {
            delta_after,
            g1_s,
            g1_sx,
            g2_spx,
            transcript,
            kind,
            name,
            beacon,
        });
    }
    c.end()?;
    Ok((cs_hash, out))
}

/// What a ceremony import reads from a prepared `.ptau`: the power, the generators' images
/// `[α]₁`, `[β]₁`, `[β]₂`, and the Lagrange bases of the `n`- and `2n`-point domains.
pub struct PtauForKey {
    /// The file's power: it holds `2^power` powers.
    pub power: u32,
    /// `[α]₁`.
    pub alpha_g1: G1Affine,
    /// `[β]₁`.
    pub beta_g1: G1Affine,
    /// `[β]₂`.
    pub beta_g2: G2Affine,
    /// `[L_j(τ)]₁` on `n` points.
    pub tau_g1: Vec<G1Affine>,
    /// `[L_j(τ)]₂` on `n` points.
    pub tau_g2: Vec<G2Affine>,
    /// `[α L_j(τ)]₁`.
    pub alpha_tau_g1: Vec<G1Affine>,
    /// `[β L_j(τ)]₁`.
    pub beta_tau_g1: Vec<G1Affine>,
    /// `[L'_j(τ)]₁` on `2n` points.
    pub tau_g1_double: Vec<G1Affine>,
}

/// Reads from a prepared `.ptau` what a key on a domain of `n` points is checked against.
pub fn read_ptau_for_key(bytes: &[u8], n: usize) -> Result<PtauForKey> {
    let file = Container::parse(bytes, b"ptau", 1, ".ptau")?;
    let mut h = Cursor::new(file.section(1, "the header")?, ".ptau header");
    if h.u32()? != 32 || h.take(32)? != q_le().as_slice() {
        refuse!("the .ptau is not over BN254");
    }
    let power = h.u32()?;
    let _ceremony_power = h.u32()?;
    h.end()?;
    let k = n.trailing_zeros();
    if k + 1 > power + 1 || power > 28 {
        refuse!(
            "the .ptau holds 2^{power} powers; this circuit's domain of 2^{k} points needs a \
             .ptau of 2^{k} or more (powersOfTau28_hez_final_{k:02}.ptau)"
        );
    }
    if !file.has(12) {
        refuse!(
            "the .ptau is not prepared for phase 2 (no Lagrange sections): run `snarkjs \
             powersoftau prepare phase2` on it, as `zkey new` requires"
        );
    }
    let first1 = |id: u32, name: &str| -> Result<G1Affine> {
        let s = file.section(id, name)?;
        if s.len() < G1_BYTES {
            refuse!(".ptau section {id} ({name}) is empty");
        }
        g1(&s[..G1_BYTES])
            .ok_or_else(|| crate::EngineError::Refused(format!(".ptau {name}: not a point of G1")))
    };
    let alpha_g1 = first1(4, "alphaTauG1")?;
    let beta_g1 = first1(5, "betaTauG1")?;
    let beta_g2 = g2_points(file.section(6, "betaG2")?, 1, ".ptau betaG2")?[0];
    // Section 12 holds the Lagrange bases of 2^0, 2^1, ..., 2^(power+1) points in turn; 13-15
    // of 2^0 .. 2^power: the basis of 2^p points starts at point 2^p - 1.
    let slice = |id: u32, name: &str, size: usize, m: usize| -> Result<&[u8]> {
        let s = file.section(id, name)?;
        let (from, to) = ((m - 1) * size, (2 * m - 1) * size);
        if s.len() < to {
            refuse!(
                ".ptau section {id} ({name}) is truncated: {} bytes, the basis of {m} points \
                 ends at {to}",
                s.len()
            );
        }
        Ok(&s[from..to])
    };
    let g1s = |id, name: &str, m| -> Result<Vec<G1Affine>> {
        g1_points(slice(id, name, G1_BYTES, m)?, m, &format!(".ptau {name}"))
    };
    Ok(PtauForKey {
        power,
        alpha_g1,
        beta_g1,
        beta_g2,
        tau_g1: g1s(12, "Lagrange tauG1", n)?,
        tau_g2: g2_points(
            slice(13, "Lagrange tauG2", G2_BYTES, n)?,
            n,
            ".ptau Lagrange tauG2",
        )?,
        alpha_tau_g1: g1s(14, "Lagrange alphaTauG1", n)?,
        beta_tau_g1: g1s(15, "Lagrange betaTauG1", n)?,
        tau_g1_double: g1s(12, "Lagrange tauG1", 2 * n)?,
    })
}
