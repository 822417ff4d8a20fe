//! Any other file: fixed-size byte chunks, one cell each (the last chunk may be shorter).

use super::{Format, Record, RecordSource, Schema};
use crate::{Error, Result};
use std::io::Read;

/// Streams a file as chunks of `chunk_size` bytes.
pub struct ChunkRecords<R: Read> {
    input: R,
    schema: Schema,
    name: String,
}

impl<R: Read> ChunkRecords<R> {
    /// `chunk_size` must be at least 1 byte and at most 1 MiB.
    pub fn new(input: R, name: &str, chunk_size: usize) -> Result<Self> {
        if chunk_size == 0 || chunk_size > 1 << 20 {
            return Err(Error::InvalidParameter(format!(
                "chunk size {chunk_size} is not in 1..=1048576"
            )));
        }
        let schema = Schema {
            format: Format::Chunks,
            columns: vec!["chunk".into()],
            chunk_size: chunk_size as u64,
        };
        Ok(ChunkRecords {
            input,
            schema,
            name: name.to_string(),
        })
    }
}

impl<R: Read> RecordSource for ChunkRecords<R> {
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn next_record(&mut self) -> Result<Option<Record>> {
        let mut buf = Vec::with_capacity(self.schema.chunk_size as usize);
        (&mut self.input)
            .take(self.schema.chunk_size)
            .read_to_end(&mut buf)
            .map_err(|e| Error::io(format!("reading {}", self.name), e))?;
        Ok(if buf.is_empty() {
            None
        } else {
            Some(vec![buf])
        })
    }
}
