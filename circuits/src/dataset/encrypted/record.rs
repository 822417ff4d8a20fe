//! A record's plaintext form for encryption: its cells as length-prefixed bytes, packed into a
//! fixed number of 31-byte field elements.
//!
//! ```text
//! bytes     B   = u32be(len_0) || cell_0 || ... || u32be(len_(m-1)) || cell_(m-1) || 0...0
//! elements  x_t = the t-th 31 bytes of B, big-endian, t < W     (|B| = 31 W)
//! ```
//! `W` (the ciphertext header's `record_elements`) is the same for every record of a delivery,
//! so record lengths are hidden up to the longest. Decoding is strict: an element of 2^248 or
//! more, a cell running past the end, or a non-zero byte after the last cell is [`Malformed`],
//! so exactly one record encodes to a given `x` and a decryption either is a record or is
//! provably not one.

use crate::dataset::Record;
use crate::field::CHUNK_BYTES;
use crate::{Error, Fr, Result};
use ark_ff::{BigInteger, PrimeField};

/// Bytes of a cell's length prefix.
pub const LENGTH_BYTES: usize = 4;

/// Why a decrypted record is not the encoding of any record (a dispute's rule 1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// An element is 2^248 or more: not 31 bytes.
    #[error("element {element} is not below 2^248 (not 31 bytes)")]
    ElementTooLarge {
        /// The element's position in the record.
        element: usize,
    },
    /// A cell's length runs past the record's bytes.
    #[error("cell {cell} runs past the record's {capacity} bytes")]
    CellOverflow {
        /// The cell's position.
        cell: usize,
        /// The record's capacity in bytes, `31 W`.
        capacity: usize,
    },
    /// A byte after the last cell is not zero.
    #[error("byte {offset} after the last cell is not zero")]
    TrailingBytes {
        /// Its offset in the record's bytes.
        offset: usize,
    },
}

/// The length of a record's bytes `B` before padding.
pub fn encoded_len(record: &Record) -> usize {
    record.iter().map(|c| LENGTH_BYTES + c.len()).sum()
}

/// The elements a record needs (at least one).
pub fn elements_for(record: &Record) -> usize {
    encoded_len(record).div_ceil(CHUNK_BYTES).max(1)
}

/// The `width` elements of a record; an error if it needs more.
pub fn encode(record: &Record, width: usize) -> Result<Vec<Fr>> {
    let capacity = width * CHUNK_BYTES;
    let mut bytes = Vec::with_capacity(capacity);
    for cell in record {
        let len = u32::try_from(cell.len()).map_err(|_| {
            Error::InvalidParameter(format!("a cell of {} bytes is over 4 GiB", cell.len()))
        })?;
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(cell);
    }
    if bytes.len() > capacity {
        return Err(Error::InvalidParameter(format!(
            "a record of {} bytes does not fit {width} elements ({capacity} bytes)",
            bytes.len()
        )));
    }
    bytes.resize(capacity, 0);
    Ok(bytes
        .chunks(CHUNK_BYTES)
        .map(Fr::from_be_bytes_mod_order)
        .collect())
}

/// The record of `columns` cells that `elements` encode, or why there is none.
pub fn decode(elements: &[Fr], columns: usize) -> std::result::Result<Record, Malformed> {
    let mut bytes = Vec::with_capacity(elements.len() * CHUNK_BYTES);
    for (element, x) in elements.iter().enumerate() {
        let be = x.into_bigint().to_bytes_be();
        let (high, low) = be.split_at(be.len() - CHUNK_BYTES);
        if high.iter().any(|&b| b != 0) {
            return Err(Malformed::ElementTooLarge { element });
        }
        bytes.extend_from_slice(low);
    }
    let capacity = bytes.len();
    let mut at = 0;
    let mut cells = Vec::with_capacity(columns);
    for cell in 0..columns {
        let overflow = Malformed::CellOverflow { cell, capacity };
        let Some(prefix) = bytes.get(at..at + LENGTH_BYTES) else {
            return Err(overflow);
        };
        let len = u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize;
        at += LENGTH_BYTES;
        let Some(body) = bytes.get(at..at.saturating_add(len)) else {
            return Err(overflow);
        };
        cells.push(body.to_vec());
        at += len;
    }
    match bytes[at..].iter().position(|&b| b != 0) {
        Some(p) => Err(Malformed::TrailingBytes { offset: at + p }),
        None => Ok(cells),
    }
}
