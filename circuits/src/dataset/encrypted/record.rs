//! A record's plaintext form for encryption: its cells as length-prefixed bytes in 31-byte
//! field elements, laid out one of two ways ([`Layout`]).
//!
//! ```text
//! columns (v2)  slot_c = u32be(len_c) || cell_c || 0...0           31 w_c bytes, one per column
//!               x      = elements of slot_0 || ... || elements of slot_(m-1)    W = sum w_c
//! packed  (v1)  B      = u32be(len_0) || cell_0 || ... || u32be(len_(m-1)) || cell_(m-1) || 0...0
//!               x_t    = the t-th 31 bytes of B, big-endian, t < W          (|B| = 31 W)
//! ```
//! Version 2 gives every column its own fixed run of elements (`w_c`, the ciphertext header's
//! `column_elements`: the column's longest cell's), so that a preview can open the elements of
//! its revealed columns and nothing of a redacted one ([`crate::statements::opening`]); cell
//! lengths are hidden up to their column's longest. Version 1 packs the cells tightly (`W`, the
//! header's `record_elements`, the longest record's); its ciphertexts are still read.
//! Decoding is strict in both: an element of 2^248 or more, a cell running past its end, or a
//! non-zero byte after a cell is [`Malformed`], so exactly one record encodes to a given `x`
//! and a decryption either is a record or is provably not one.

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
    /// A cell's length runs past the bytes it may use.
    #[error("cell {cell} runs past the {capacity} bytes it may use")]
    CellOverflow {
        /// The cell's position.
        cell: usize,
        /// Its capacity in bytes: its column slot's `31 w_c` (version 2), the record's `31 W`
        /// (version 1).
        capacity: usize,
    },
    /// A byte after the last cell is not zero.
    #[error("byte {offset} after the last cell is not zero")]
    TrailingBytes {
        /// Its offset in the record's bytes.
        offset: usize,
    },
}

/// How a delivery lays its records' cells out in elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Version 2: column `c` in its own `widths[c]` elements.
    Columns(Vec<usize>),
    /// Version 1: the record's `columns` cells packed into `width` elements.
    Packed {
        /// Elements per record, `W`.
        width: usize,
        /// Cells per record.
        columns: usize,
    },
}

impl Layout {
    /// Elements per record, `W`.
    pub fn width(&self) -> usize {
        match self {
            Layout::Columns(w) => w.iter().sum(),
            Layout::Packed { width, .. } => *width,
        }
    }

    /// The elements of `record`; an error if it does not fit.
    pub fn encode(&self, record: &Record) -> Result<Vec<Fr>> {
        match self {
            Layout::Packed { width, .. } => encode(record, *width),
            Layout::Columns(widths) => {
                if record.len() != widths.len() {
                    return Err(Error::InvalidParameter(format!(
                        "a record of {} cells does not fit a layout of {} columns",
                        record.len(),
                        widths.len()
                    )));
                }
                let mut x = Vec::with_capacity(self.width());
                for (c, (cell, &w)) in record.iter().zip(widths).enumerate() {
                    let slot = encode(&vec![cell.clone()], w).map_err(|_| {
                        Error::InvalidParameter(format!(
                            "cell {c} of {} bytes does not fit its column's {w} elements",
                            cell.len()
                        ))
                    })?;
                    x.extend(slot);
                }
                Ok(x)
            }
        }
    }

    /// The record that `elements` encode, or why there is none.
    pub fn decode(&self, elements: &[Fr]) -> std::result::Result<Record, Malformed> {
        match self {
            Layout::Packed { columns, .. } => decode(elements, *columns),
            Layout::Columns(widths) => {
                let mut cells = Vec::with_capacity(widths.len());
                let mut start = 0;
                for (c, &w) in widths.iter().enumerate() {
                    let slot = elements
                        .get(start..start + w)
                        .ok_or(Malformed::CellOverflow {
                            cell: c,
                            capacity: elements.len() * CHUNK_BYTES,
                        })?;
                    let cell = decode(slot, 1).map_err(|m| match m {
                        Malformed::ElementTooLarge { element } => Malformed::ElementTooLarge {
                            element: start + element,
                        },
                        Malformed::CellOverflow { capacity, .. } => {
                            Malformed::CellOverflow { cell: c, capacity }
                        }
                        Malformed::TrailingBytes { offset } => Malformed::TrailingBytes {
                            offset: start * CHUNK_BYTES + offset,
                        },
                    })?;
                    cells.extend(cell);
                    start += w;
                }
                if start != elements.len() {
                    return Err(Malformed::TrailingBytes {
                        offset: start * CHUNK_BYTES,
                    });
                }
                Ok(cells)
            }
        }
    }

    /// The element range of column `c` (version 2), `None` for a packed layout.
    pub fn column_range(&self, c: usize) -> Option<std::ops::Range<usize>> {
        match self {
            Layout::Columns(w) if c < w.len() => {
                let start = w[..c].iter().sum();
                Some(start..start + w[c])
            }
            _ => None,
        }
    }
}

/// Elements of a column slot holding `cell`: `ceil((4 + len) / 31)`.
pub fn slot_elements(cell: &[u8]) -> usize {
    (LENGTH_BYTES + cell.len()).div_ceil(CHUNK_BYTES)
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
