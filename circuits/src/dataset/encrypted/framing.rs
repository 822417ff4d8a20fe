//! How the plaintext file is laid out around its records, so that decryption gives back the
//! seller's file byte for byte (the listing's `file_sha256` is checked, not hoped for).
//!
//! A CSV file is its records (cells are what is committed) plus framing: a byte-order mark or
//! none, LF or CRLF line ends, a final line end or none, and quoting (only where a field needs
//! it, as Python's `csv` and Rust's `csv` write, or around every field). The encryptor finds the
//! one framing that reproduces the file's SHA-256 from its cells, and refuses a file that no
//! framing reproduces (mixed line ends, quotes where none are needed): such a file could not be
//! returned byte-identical. A chunked file is its chunks, concatenated. JSON Lines cannot be
//! encrypted: a cell does not record the spacing or escapes of the line it came from.

use crate::dataset::{Format, Record, Schema};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A CSV file's line end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEnd {
    /// `\n`.
    Lf,
    /// `\r\n`.
    Crlf,
}

impl LineEnd {
    fn bytes(self) -> &'static [u8] {
        match self {
            LineEnd::Lf => b"\n",
            LineEnd::Crlf => b"\r\n",
        }
    }
}

/// Which CSV fields are quoted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Quoting {
    /// Only a field holding `,`, `"`, CR or LF (and the empty field of a one-column row).
    Minimal,
    /// Every field.
    All,
}

/// The framing of a plaintext file (the ciphertext header's `framing`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "lowercase", deny_unknown_fields)]
pub enum Framing {
    /// A CSV file: header row, then one line per record.
    Csv {
        /// A UTF-8 byte-order mark first.
        bom: bool,
        /// The line end.
        line_end: LineEnd,
        /// Whether the last line ends with one.
        final_line_end: bool,
        /// Which fields are quoted.
        quoting: Quoting,
    },
    /// Fixed-size chunks, concatenated.
    Chunks,
}

const BOM: &[u8] = &[0xef, 0xbb, 0xbf];

fn write_field(cell: &[u8], quoting: Quoting, columns: usize, out: &mut Vec<u8>) {
    let quote = quoting == Quoting::All
        || (columns == 1 && cell.is_empty())
        || cell
            .iter()
            .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
    if !quote {
        out.extend_from_slice(cell);
        return;
    }
    out.push(b'"');
    for &b in cell {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

fn write_row<'a>(
    cells: impl ExactSizeIterator<Item = &'a [u8]>,
    quoting: Quoting,
    out: &mut Vec<u8>,
) {
    let columns = cells.len();
    for (j, cell) in cells.enumerate() {
        if j > 0 {
            out.push(b',');
        }
        write_field(cell, quoting, columns, out);
    }
}

impl Framing {
    /// The bytes before the first record: a byte-order mark and the header row, for CSV.
    pub fn prefix(&self, schema: &Schema) -> Vec<u8> {
        let mut out = Vec::new();
        if let Framing::Csv { bom, quoting, .. } = *self {
            if bom {
                out.extend_from_slice(BOM);
            }
            write_row(
                schema.columns.iter().map(|c| c.as_bytes()),
                quoting,
                &mut out,
            );
        }
        out
    }

    /// Appends one record (preceded by a line end, for CSV) to `out`.
    pub fn record(&self, record: &Record, out: &mut Vec<u8>) {
        match *self {
            Framing::Csv {
                line_end, quoting, ..
            } => {
                out.extend_from_slice(line_end.bytes());
                write_row(record.iter().map(|c| c.as_slice()), quoting, out);
            }
            Framing::Chunks => {
                for c in record {
                    out.extend_from_slice(c);
                }
            }
        }
    }

    /// The bytes after the last record: the final line end, if the file has one.
    pub fn suffix(&self) -> &'static [u8] {
        match *self {
            Framing::Csv {
                line_end,
                final_line_end: true,
                ..
            } => line_end.bytes(),
            _ => b"",
        }
    }
}

/// Finds a file's framing while its records stream past: the candidates' SHA-256 are computed
/// side by side and compared with the file's own at the end.
pub struct FramingProbe {
    candidates: Vec<(Framing, Sha256)>,
}

impl FramingProbe {
    /// Candidates for a file of `schema` whose first bytes are `head` (for the byte-order mark
    /// and the line end); JSON Lines is refused.
    pub fn new(schema: &Schema, head: &[u8]) -> Result<Self> {
        let kinds: Vec<Framing> =
            match schema.format {
                Format::Jsonl => return Err(Error::InvalidParameter(
                    "a JSON Lines dataset cannot be encrypted for delivery: its cells do not keep \
                     the spacing and escapes of their lines, so the file could not be returned \
                     byte for byte; deliver it as chunks (`--format chunks`) or as CSV"
                        .into(),
                )),
                Format::Chunks => vec![Framing::Chunks],
                Format::Csv => {
                    let bom = head.starts_with(BOM);
                    let line_end = first_line_end(&head[if bom { 3 } else { 0 }..]);
                    [Quoting::Minimal, Quoting::All]
                        .into_iter()
                        .map(|quoting| Framing::Csv {
                            bom,
                            line_end,
                            final_line_end: false,
                            quoting,
                        })
                        .collect()
                }
            };
        let candidates = kinds
            .into_iter()
            .map(|f| {
                let mut h = Sha256::new();
                h.update(f.prefix(schema));
                (f, h)
            })
            .collect();
        Ok(FramingProbe { candidates })
    }

    /// Feeds one record to every candidate.
    pub fn push(&mut self, record: &Record, scratch: &mut Vec<u8>) {
        for (f, h) in &mut self.candidates {
            scratch.clear();
            f.record(record, scratch);
            h.update(&scratch[..]);
        }
    }

    /// The framing whose bytes have the file's SHA-256, if one has.
    pub fn finish(self, file_sha256: &[u8; 32]) -> Option<Framing> {
        for (f, h) in self.candidates {
            let mut finals = vec![(f, h.clone().finalize())];
            if let Framing::Csv {
                bom,
                line_end,
                quoting,
                ..
            } = f
            {
                let with = Framing::Csv {
                    bom,
                    line_end,
                    final_line_end: true,
                    quoting,
                };
                let mut h = h;
                h.update(with.suffix());
                finals.push((with, h.finalize()));
            }
            if let Some((f, _)) = finals.into_iter().find(|(_, d)| d[..] == file_sha256[..]) {
                return Some(f);
            }
        }
        None
    }
}

/// The line end of the first line of a CSV file (outside quotes); LF when there is none.
fn first_line_end(bytes: &[u8]) -> LineEnd {
    let mut quoted = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                return if i > 0 && bytes[i - 1] == b'\r' {
                    LineEnd::Crlf
                } else {
                    LineEnd::Lf
                }
            }
            _ => {}
        }
    }
    LineEnd::Lf
}
