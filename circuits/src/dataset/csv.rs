//! CSV records: the header row names the columns; every row must have as many fields.

use super::{Format, Record, RecordSource, Schema};
use crate::{Error, Result};
use std::io::Read;

/// Streams the rows of a CSV file.
pub struct CsvRecords<R: Read> {
    reader: csv::Reader<R>,
    schema: Schema,
    row: csv::ByteRecord,
    name: String,
}

impl<R: Read> CsvRecords<R> {
    /// Reads the header; an empty file or a header with no columns is an error.
    pub fn new(input: R, name: &str) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(input);
        let header = reader
            .byte_headers()
            .map_err(|e| csv_error(name, e))?
            .clone();
        if header.is_empty() {
            return Err(Error::EmptyDataset);
        }
        let columns = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                String::from_utf8(h.to_vec()).map_err(|_| {
                    Error::MalformedDataset(format!("{name}: header column {} is not UTF-8", i + 1))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let schema = Schema {
            format: Format::Csv,
            columns,
            chunk_size: 0,
        };
        Ok(CsvRecords {
            reader,
            schema,
            row: csv::ByteRecord::new(),
            name: name.to_string(),
        })
    }
}

fn csv_error(name: &str, e: csv::Error) -> Error {
    match e.kind() {
        csv::ErrorKind::Io(_) => Error::MalformedDataset(format!("{name}: {e}")),
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => Error::MalformedDataset(format!(
            "{name}: line {}: {len} fields, but the header has {expected_len}",
            pos.as_ref().map(|p| p.line()).unwrap_or(0)
        )),
        _ => Error::MalformedDataset(format!("{name}: {e}")),
    }
}

impl<R: Read> RecordSource for CsvRecords<R> {
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn next_record(&mut self) -> Result<Option<Record>> {
        match self.reader.read_byte_record(&mut self.row) {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(self.row.iter().map(|c| c.to_vec()).collect())),
            Err(e) => Err(csv_error(&self.name, e)),
        }
    }
}
