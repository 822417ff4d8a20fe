//! Canonical encodings between bytes, text and field elements.
//!
//! One rule everywhere: a field element is written as `0x` + 64 lowercase hex digits,
//! big-endian, and must be canonical (below the modulus) when read back.

use crate::{Error, Fr, Result};
use ark_ff::{BigInteger, PrimeField};

/// Bytes per chunk when packing bytes into field elements: 31 bytes always fit below the modulus.
pub const CHUNK_BYTES: usize = 31;

/// `x`'s canonical integer split as `lo + 2^64 hi` (`lo < 2^64`): the low word and the rest.
pub fn split_low_word(x: Fr) -> (u64, Fr) {
    let b = x.into_bigint();
    (b.as_ref()[0], Fr::from_bigint(b >> 64).unwrap_or_default())
}

/// `floor(r / 2^64) - 1`: the largest `hi` of a split the circuits accept (so that `lo + 2^64
/// hi < r` and the split is the canonical one).
pub fn max_high_word() -> Fr {
    Fr::from_bigint(Fr::MODULUS >> 64).unwrap_or_default() - Fr::from(1u64)
}

/// Whether the circuits can split `x` ([`split_low_word`]): all but the top `r mod 2^64`
/// elements of the field (a fraction of `2^-192`), whose `hi` is `floor(r / 2^64)` itself.
pub fn splits_low_word(x: Fr) -> bool {
    split_low_word(x).1 <= max_high_word()
}

/// `0x`-prefixed, 64-digit big-endian hex of a field element.
pub fn to_hex(x: &Fr) -> String {
    format!("0x{}", hex::encode(x.into_bigint().to_bytes_be()))
}

/// Decimal string of a field element (snarkjs' format).
pub fn to_decimal(x: &Fr) -> String {
    x.into_bigint().to_string()
}

/// Parses a canonical field element from hex (`0x` optional, at most 64 digits).
pub fn from_hex(what: &str, s: &str) -> Result<Fr> {
    let bytes = parse_hex_bytes(what, s, 32)?;
    let x = Fr::from_be_bytes_mod_order(&bytes);
    // Canonical: re-encoding must give the same integer.
    let mut padded = vec![0u8; 32 - bytes.len()];
    padded.extend_from_slice(&bytes);
    if x.into_bigint().to_bytes_be() != padded {
        return Err(Error::parse(
            what,
            "value is not below the BN254 scalar field modulus",
        ));
    }
    Ok(x)
}

/// Parses a field element written exactly as files and published values write it: `0x` and 64
/// hex digits, canonical. A shorter value is refused rather than zero-padded, so a truncated
/// root or key is not silently taken for another one.
pub fn from_hex_strict(what: &str, s: &str) -> Result<Fr> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| Error::parse(what, format!("{s:?} does not start with 0x")))?;
    if digits.len() != 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::parse(
            what,
            format!(
                "expected 0x and 64 hex digits, got {} characters{}",
                digits.len(),
                if digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                    ""
                } else {
                    " with a non-hex character"
                }
            ),
        ));
    }
    from_hex(what, s)
}

/// Parses hex bytes (`0x` optional; an odd number of digits gets a leading 0; at most
/// `max_len` bytes).
pub fn parse_hex_bytes(what: &str, s: &str, max_len: usize) -> Result<Vec<u8>> {
    let t = s.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if t.is_empty() {
        return Err(Error::parse(what, "empty hex string"));
    }
    if let Some((i, c)) = t.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        // Positions count from 1 in the text as given (after the `0x`), before any padding.
        return Err(Error::parse(
            what,
            format!(
                "not hex: {c:?} at position {} of {t:?}",
                t[..i].chars().count() + 1
            ),
        ));
    }
    let padded;
    let t = if t.len() % 2 == 1 {
        padded = format!("0{t}");
        padded.as_str()
    } else {
        t
    };
    let bytes = hex::decode(t).map_err(|e| Error::parse(what, format!("not hex ({e})")))?;
    if bytes.len() > max_len {
        return Err(Error::parse(
            what,
            format!("{} bytes, at most {max_len} allowed", bytes.len()),
        ));
    }
    Ok(bytes)
}

/// Packs bytes into field elements, 31 bytes per element, each chunk read big-endian;
/// the last chunk may be shorter. Empty input gives no elements.
pub fn bytes_to_chunks(bytes: &[u8]) -> impl Iterator<Item = Fr> + '_ {
    bytes.chunks(CHUNK_BYTES).map(Fr::from_be_bytes_mod_order)
}

/// Serde support for field elements as canonical hex strings.
pub mod serde_hex {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as `0x` + 64 hex digits.
    pub fn serialize<S: Serializer>(x: &Fr, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(x))
    }
    /// Parses a canonical field element: `0x` and exactly 64 hex digits.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Fr, D::Error> {
        let s = String::deserialize(d)?;
        from_hex_strict("field element", &s).map_err(serde::de::Error::custom)
    }
}

/// Serde support for vectors of field elements as hex strings.
pub mod serde_hex_vec {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises each element as `0x` + 64 hex digits.
    pub fn serialize<S: Serializer>(xs: &[Fr], s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(xs.iter().map(to_hex))
    }
    /// Parses a list of canonical hex field elements.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<Fr>, D::Error> {
        let v = Vec::<String>::deserialize(d)?;
        v.iter()
            .enumerate()
            .map(|(i, s)| from_hex_strict(&format!("field element {i}"), s))
            .collect::<Result<Vec<_>>>()
            .map_err(serde::de::Error::custom)
    }
}

/// A uniformly random field element (salts, blindings, keys).
pub fn random<R: ark_std::rand::RngCore + ?Sized>(rng: &mut R) -> Fr {
    <Fr as ark_ff::UniformRand>::rand(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_hex_digit_is_named_at_its_position_as_typed() {
        // Odd length: the leading 0 padding must not shift the reported position.
        let e = parse_hex_bytes("--challenge", "0xabz", 32)
            .unwrap_err()
            .to_string();
        assert!(e.contains("'z' at position 3 of \"abz\""), "{e}");
        let e = parse_hex_bytes("--challenge", "a1b2g3", 32)
            .unwrap_err()
            .to_string();
        assert!(e.contains("'g' at position 5"), "{e}");
        assert_eq!(parse_hex_bytes("x", "0xabc", 32).unwrap(), vec![0x0a, 0xbc]);
    }

    #[test]
    fn hex_round_trip_and_canonical_check() {
        let x = Fr::from(0x1234u64);
        let h = to_hex(&x);
        assert_eq!(h.len(), 66);
        assert_eq!(from_hex("x", &h).unwrap(), x);
        assert_eq!(from_hex("x", "1234").unwrap(), x);
        // The modulus itself is not canonical.
        let p = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
        assert!(from_hex("x", p).is_err());
        assert!(from_hex("x", "zz").is_err());
        assert!(from_hex("x", "").is_err());
        assert!(from_hex("x", &format!("{}00", h)).is_err());
    }

    #[test]
    fn chunks_are_31_bytes_big_endian() {
        let bytes: Vec<u8> = (1..=40).collect();
        let c: Vec<Fr> = bytes_to_chunks(&bytes).collect();
        assert_eq!(c.len(), 2);
        assert_eq!(c[1], Fr::from_be_bytes_mod_order(&bytes[31..]));
        assert_eq!(bytes_to_chunks(&[]).count(), 0);
    }
}
