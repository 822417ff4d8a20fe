//! The phase-2 chain of a `.zkey`, checked as `snarkjs zkey verify` checks it: each
//! contribution was made on the transcript before it, proves knowledge of its factor `x`
//! (`e([s]₁, [sp·x]₂) = e([s·x]₁, [sp]₂)`, `sp` hashed from the transcript onto G2), moves `δ`
//! by exactly that factor (`e(δ_before, [sp·x]₂) = e(δ_after, [sp]₂)`), and a beacon's factor
//! is the one its public beacon derives; the last `δ` is the key's. Whoever knows none of the
//! factors cannot know `δ`, so one honest contributor is enough.
//!
//! The hashing is snarkjs's, byte for byte: BLAKE2b-512 over points in "uncompressed" form
//! (big-endian `x ‖ y`, not Montgomery), and points drawn from a ChaCha20 stream seeded by
//! a hash (ffjavascript's `ChaCha`, `fromRng`, `hashToG2`), so the contribution hashes Veil
//! records are the ones `snarkjs zkey verify` prints and each contributor wrote down.

use super::zkey::{Contribution, Zkey};
use crate::error::refuse;
use crate::Result;
use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::{short_weierstrass::SWCurveConfig, AffineRepr, CurveConfig, CurveGroup};
use ark_ff::{BigInt, BigInteger, Field, PrimeField, Zero};
use sha2::Digest;

/// ffjavascript's ChaCha20 stream: the constants, eight seed words, a 128-bit block counter
/// starting at zero, 20 rounds, output words in order.
struct ChaCha {
    state: [u32; 16],
    block: [u32; 16],
    idx: usize,
}

impl ChaCha {
    fn new(seed: [u32; 8]) -> Self {
        let mut state = [0u32; 16];
        state[..4].copy_from_slice(&[0x6170_7865, 0x3320_646E, 0x7962_2D32, 0x6B20_6574]);
        state[4..12].copy_from_slice(&seed);
        ChaCha {
            state,
            block: [0; 16],
            idx: 16,
        }
    }

    /// Seeded by a hash's first 32 bytes, as big-endian words.
    fn from_hash(h: &[u8]) -> Self {
        let mut seed = [0u32; 8];
        for (i, w) in seed.iter_mut().enumerate() {
            *w = u32::from_be_bytes([h[4 * i], h[4 * i + 1], h[4 * i + 2], h[4 * i + 3]]);
        }
        ChaCha::new(seed)
    }

    fn next_u32(&mut self) -> u32 {
        if self.idx == 16 {
            self.update();
        }
        self.idx += 1;
        self.block[self.idx - 1]
    }

    fn next_u64(&mut self) -> u64 {
        let hi = self.next_u32() as u64;
        (hi << 32) | self.next_u32() as u64
    }

    fn next_bool(&mut self) -> bool {
        self.next_u32() & 1 == 1
    }

    fn update(&mut self) {
        fn quarter(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
            s[a] = s[a].wrapping_add(s[b]);
            s[d] = (s[d] ^ s[a]).rotate_left(16);
            s[c] = s[c].wrapping_add(s[d]);
            s[b] = (s[b] ^ s[c]).rotate_left(12);
            s[a] = s[a].wrapping_add(s[b]);
            s[d] = (s[d] ^ s[a]).rotate_left(8);
            s[c] = s[c].wrapping_add(s[d]);
            s[b] = (s[b] ^ s[c]).rotate_left(7);
        }
        let mut b = self.state;
        for _ in 0..10 {
            quarter(&mut b, 0, 4, 8, 12);
            quarter(&mut b, 1, 5, 9, 13);
            quarter(&mut b, 2, 6, 10, 14);
            quarter(&mut b, 3, 7, 11, 15);
            quarter(&mut b, 0, 5, 10, 15);
            quarter(&mut b, 1, 6, 11, 12);
            quarter(&mut b, 2, 7, 8, 13);
            quarter(&mut b, 3, 4, 9, 14);
        }
        for (o, s) in b.iter_mut().zip(self.state) {
            *o = o.wrapping_add(s);
        }
        self.block = b;
        self.idx = 0;
        for w in 12..16 {
            self.state[w] = self.state[w].wrapping_add(1);
            if self.state[w] != 0 {
                break;
            }
        }
    }

    /// ffjavascript's `F.fromRng` for a 254-bit prime field: four 64-bit words (the first the
    /// lowest), masked to 254 bits, drawn again until below the modulus, and taken as the
    /// element's Montgomery form.
    fn limbs_below(&mut self, modulus: BigInt<4>) -> BigInt<4> {
        loop {
            let mut l = [0u64; 4];
            for w in l.iter_mut() {
                *w = self.next_u64();
            }
            l[3] &= (1u64 << 62) - 1;
            let v = BigInt(l);
            if v < modulus {
                return v;
            }
        }
    }

    fn fq(&mut self) -> Fq {
        Fq::new_unchecked(self.limbs_below(Fq::MODULUS))
    }

    fn fr(&mut self) -> Fr {
        Fr::new_unchecked(self.limbs_below(Fr::MODULUS))
    }
}

/// ffjavascript's sign of a base-field element: above `(q - 1) / 2`.
fn negative_fq(x: &Fq) -> bool {
    x.into_bigint() > Fq::MODULUS_MINUS_ONE_DIV_TWO
}

/// Its sign of an `Fq2` element: `c1`'s, or `c0`'s when `c1` is zero.
fn negative_fq2(x: &Fq2) -> bool {
    if x.c1.is_zero() {
        negative_fq(&x.c0)
    } else {
        negative_fq(&x.c1)
    }
}

/// ffjavascript's `G1.fromRng`: `x` drawn until `x³ + b` is a square, a sign bit, the root of
/// that sign (G1 has cofactor 1).
fn g1_from_rng(rng: &mut ChaCha) -> G1Affine {
    loop {
        let x = rng.fq();
        let greatest = rng.next_bool();
        let rhs = x.square() * x + ark_bn254::g1::Config::COEFF_B;
        if let Some(mut y) = rhs.sqrt() {
            if greatest ^ negative_fq(&y) {
                y = -y;
            }
            return G1Affine::new_unchecked(x, y);
        }
    }
}

/// ffjavascript's `G2.fromRng`, then times the twist's cofactor.
fn g2_from_rng(rng: &mut ChaCha) -> G2Affine {
    loop {
        let x = Fq2::new(rng.fq(), rng.fq());
        let greatest = rng.next_bool();
        let rhs = x.square() * x + ark_bn254::g2::Config::COEFF_B;
        if let Some(mut y) = rhs.sqrt() {
            if greatest ^ negative_fq2(&y) {
                y = -y;
            }
            let p = G2Affine::new_unchecked(x, y);
            return p.mul_bigint(ark_bn254::g2::Config::COFACTOR).into_affine();
        }
    }
}

/// snarkjs's `hashToG2`: the point `sp` a contribution's G2 proof is over.
fn hash_to_g2(hash: &[u8; 64]) -> G2Affine {
    g2_from_rng(&mut ChaCha::from_hash(hash))
}

/// `e(a, b') = e(a', b)`: `a'/a` in G1 is the ratio `b'/b` in G2. Identities never pass.
fn same_ratio(a: G1Affine, a2: G1Affine, b: G2Affine, b2: G2Affine) -> bool {
    if a.is_zero() || a2.is_zero() || b.is_zero() || b2.is_zero() {
        return false;
    }
    Bn254::multi_pairing([a, -a2], [b2, b]).is_zero()
}

/// A G1 point as snarkjs hashes it (wasmcurves' `LEMtoU`): big-endian `x ‖ y`, normal form;
/// infinity all zeros.
fn g1_uncompressed(p: &G1Affine) -> Vec<u8> {
    let mut out = vec![0u8; 64];
    if let Some((x, y)) = p.xy() {
        out[..32].copy_from_slice(&x.into_bigint().to_bytes_be());
        out[32..].copy_from_slice(&y.into_bigint().to_bytes_be());
    }
    out
}

/// A G2 point as snarkjs hashes it: `x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`, big-endian.
fn g2_uncompressed(p: &G2Affine) -> Vec<u8> {
    let mut out = vec![0u8; 128];
    if let Some((x, y)) = p.xy() {
        for (i, c) in [x.c1, x.c0, y.c1, y.c0].iter().enumerate() {
            out[32 * i..32 * (i + 1)].copy_from_slice(&c.into_bigint().to_bytes_be());
        }
    }
    out
}

/// The bytes snarkjs's `hashPubKey` hashes for a contribution.
fn public_key_bytes(c: &Contribution) -> Vec<u8> {
    let mut v = g1_uncompressed(&c.delta_after);
    v.extend(g1_uncompressed(&c.g1_s));
    v.extend(g1_uncompressed(&c.g1_sx));
    v.extend(g2_uncompressed(&c.g2_spx));
    v.extend(c.transcript);
    v
}

fn blake2b(parts: &[&[u8]]) -> [u8; 64] {
    let mut h = blake2b_simd::Params::new().hash_length(64).to_state();
    for p in parts {
        h.update(p);
    }
    let mut out = [0u8; 64];
    out.copy_from_slice(h.finalize().as_bytes());
    out
}

/// One checked contribution, as the manifest records it.
#[derive(Clone, Debug)]
pub struct CheckedContribution {
    /// Its name.
    pub name: Option<String>,
    /// Its hash as `snarkjs zkey verify` prints it (BLAKE2b-512 of its public key), hex.
    pub hash: String,
    /// A beacon's hash (hex) and iterations exponent.
    pub beacon: Option<(String, u8)>,
}

/// Checks `zkey`'s chain of contributions and returns them; refuses a key without any (its
/// `δ` is 1, known to all) and names the first contribution that does not hold.
pub fn check_chain(zkey: &Zkey) -> Result<Vec<CheckedContribution>> {
    if zkey.contributions.is_empty() {
        refuse!(
            "the .zkey has no phase-2 contribution: its delta is the generator, which everyone \
             knows, so anyone could forge proofs with it. Run `snarkjs zkey contribute` (and a \
             beacon) first"
        );
    }
    let g1 = G1Affine::generator();
    let g2 = G2Affine::generator();
    let mut accumulated: Vec<u8> = zkey.cs_hash.to_vec();
    let mut delta = g1;
    let mut out = Vec::new();
    for (i, c) in zkey.contributions.iter().enumerate() {
        let n = i + 1;
        let label = match &c.name {
            Some(name) => format!("contribution #{n} ({name:?})"),
            None => format!("contribution #{n}"),
        };
        let expected = blake2b(&[
            &accumulated,
            &g1_uncompressed(&c.g1_s),
            &g1_uncompressed(&c.g1_sx),
        ]);
        if expected != c.transcript {
            refuse!(
                "the .zkey's phase-2 chain does not hold: {label} was not made on the \
                 transcript before it"
            );
        }
        let sp = hash_to_g2(&c.transcript);
        if !same_ratio(c.g1_s, c.g1_sx, sp, c.g2_spx) {
            refuse!(
                "the .zkey's phase-2 chain does not hold: {label}'s proof of knowledge fails \
                 (its G1 and G2 keys do not have the same ratio)"
            );
        }
        if !same_ratio(delta, c.delta_after, sp, c.g2_spx) {
            refuse!(
                "the .zkey's phase-2 chain does not hold: {label}'s delta does not follow its \
                 public key"
            );
        }
        let beacon = match &c.beacon {
            None => None,
            Some((exp, hash)) => {
                check_beacon(c, *exp, hash).map_err(|why| {
                    crate::EngineError::Refused(format!(
                        "the .zkey's phase-2 chain does not hold: {label} is a beacon whose \
                         key is not the one its beacon derives ({why})"
                    ))
                })?;
                Some((hex::encode(hash), *exp))
            }
        };
        let key = public_key_bytes(c);
        accumulated.extend(&key);
        out.push(CheckedContribution {
            name: c.name.clone(),
            hash: hex::encode(blake2b(&[&key])),
            beacon,
        });
        delta = c.delta_after;
    }
    if zkey.pk.delta_g1 != delta {
        refuse!(
            "the .zkey's delta1 is not the last contribution's: the key was edited after its \
             ceremony"
        );
    }
    if !same_ratio(g1, delta, g2, zkey.pk.vk.delta_g2) {
        refuse!("the .zkey's delta2 is not delta1's image in G2: the key was edited");
    }
    Ok(out)
}

/// A beacon's factor and `[s]₁` are drawn from SHA-256 iterated `2^exp` times over its hash.
fn check_beacon(c: &Contribution, exp: u8, hash: &[u8]) -> std::result::Result<(), &'static str> {
    if exp == 0 || exp > 40 {
        return Err("its iterations exponent is outside 1..=40");
    }
    let mut h = hash.to_vec();
    for _ in 0..(1u64 << exp) {
        h = sha2::Sha256::digest(&h).to_vec();
    }
    let mut rng = ChaCha::from_hash(&h);
    let x = rng.fr();
    let s = g1_from_rng(&mut rng);
    if s != c.g1_s {
        return Err("g1_s");
    }
    if (G1Projective::from(s) * x).into_affine() != c.g1_sx {
        return Err("g1_sx");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ffjavascript's ChaCha on a zero seed gives the RFC 8439 block-0 keystream of an
    /// all-zero key and nonce (its first word, `0xade0b876`), the counter in word 12.
    #[test]
    fn the_stream_is_chacha20() {
        let mut r = ChaCha::new([0; 8]);
        assert_eq!(r.next_u32(), 0xade0_b876);
        assert_eq!(r.next_u32(), 0x903d_f1a0);
    }

    #[test]
    fn drawn_points_are_in_their_groups() {
        let mut r = ChaCha::new([1, 2, 3, 4, 5, 6, 7, 8]);
        let p = g1_from_rng(&mut r);
        assert!(p.is_on_curve());
        let q = g2_from_rng(&mut r);
        assert!(q.is_on_curve() && q.is_in_correct_subgroup_assuming_on_curve());
    }
}
