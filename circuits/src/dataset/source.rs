//! Opening a dataset file: format detection, streaming record readers, and the file digest.

use super::{chunks::ChunkRecords, csv::CsvRecords, jsonl::JsonlRecords, Format, Record, Schema};
use crate::{Error, Result};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A stream of records with a fixed schema.
pub trait RecordSource {
    /// The schema every record follows.
    fn schema(&self) -> &Schema;
    /// The next record, `None` at the end; a malformed record is an error naming its line.
    fn next_record(&mut self) -> Result<Option<Record>>;
}

/// Shared progress of a [`HashingReader`]: SHA-256 and bytes read so far.
#[derive(Default)]
struct Digested {
    sha: Sha256,
    bytes: u64,
}

/// Reads a file while hashing it with SHA-256 and reporting progress.
struct HashingReader<R> {
    inner: R,
    state: Arc<Mutex<Digested>>,
    progress: Option<Arc<dyn Fn(u64) + Send + Sync>>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = {
            let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            st.sha.update(&buf[..n]);
            st.bytes += n as u64;
            st.bytes
        };
        if let Some(p) = &self.progress {
            p(total);
        }
        Ok(n)
    }
}

/// An open dataset file: its records, and its SHA-256 once they are all read.
pub struct DatasetFile {
    source: Box<dyn RecordSource>,
    state: Arc<Mutex<Digested>>,
    /// The file's size in bytes.
    pub size: u64,
}

impl DatasetFile {
    /// The record stream.
    pub fn records(&mut self) -> &mut dyn RecordSource {
        self.source.as_mut()
    }
    /// SHA-256 of the bytes read so far (the whole file once all records are read), and their count.
    pub fn digest(&self) -> ([u8; 32], u64) {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (st.sha.clone().finalize().into(), st.bytes)
    }
}

/// Picks the format from the file name: `.csv` → CSV, `.jsonl`/`.ndjson` → JSON Lines,
/// anything else → chunks.
pub fn detect_format(path: &Path) -> Format {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
    {
        Some(e) if e == "csv" => Format::Csv,
        Some(e) if e == "jsonl" || e == "ndjson" => Format::Jsonl,
        _ => Format::Chunks,
    }
}

/// Opens a dataset file for streaming. `format` defaults to [`detect_format`]; `chunk_size`
/// applies to [`Format::Chunks`]. `progress` is called with the bytes read so far.
pub fn open(
    path: &Path,
    format: Option<Format>,
    chunk_size: usize,
    progress: Option<Arc<dyn Fn(u64) + Send + Sync>>,
) -> Result<DatasetFile> {
    let ctx = || format!("reading {}", path.display());
    let file = File::open(path).map_err(|e| Error::io(ctx(), e))?;
    let size = file.metadata().map_err(|e| Error::io(ctx(), e))?.len();
    let format = format.unwrap_or_else(|| detect_format(path));
    let name = path.display().to_string();
    DatasetFile::from_reader(file, &name, size, format, chunk_size, progress)
}

impl DatasetFile {
    /// A dataset of `format` streamed from any reader of `size` bytes (a browser's file, in
    /// the WebAssembly verifier), digested as it is read; `name` names it in errors.
    pub fn from_reader<R: Read + 'static>(
        reader: R,
        name: &str,
        size: u64,
        format: Format,
        chunk_size: usize,
        progress: Option<Arc<dyn Fn(u64) + Send + Sync>>,
    ) -> Result<DatasetFile> {
        let state = Arc::new(Mutex::new(Digested::default()));
        let reader = HashingReader {
            inner: reader,
            state: state.clone(),
            progress,
        };
        Ok(DatasetFile {
            source: from_reader(reader, name, format, chunk_size)?,
            state,
            size,
        })
    }
}

/// Records of `format` read from any stream (a browser's file, in the WebAssembly verifier);
/// `name` names the stream in errors.
pub fn from_reader<R: Read + 'static>(
    reader: R,
    name: &str,
    format: Format,
    chunk_size: usize,
) -> Result<Box<dyn RecordSource>> {
    let reader = BufReader::with_capacity(1 << 16, reader);
    Ok(match format {
        Format::Csv => Box::new(CsvRecords::new(reader, name)?),
        Format::Jsonl => Box::new(JsonlRecords::new(reader, name)?),
        Format::Chunks => Box::new(ChunkRecords::new(reader, name, chunk_size)?),
    })
}

/// Records from memory or any iterator (generated data, tests, benches).
pub struct IterRecords<I> {
    schema: Schema,
    iter: I,
}

impl<I: Iterator<Item = Record>> IterRecords<I> {
    /// Records from `iter`, each with `schema.columns.len()` cells.
    pub fn new(schema: Schema, iter: I) -> Self {
        IterRecords { schema, iter }
    }
}

impl<I: Iterator<Item = Record>> RecordSource for IterRecords<I> {
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn next_record(&mut self) -> Result<Option<Record>> {
        match self.iter.next() {
            Some(r) if r.len() != self.schema.columns.len() => {
                Err(Error::MalformedDataset(format!(
                    "record with {} cells, the schema has {}",
                    r.len(),
                    self.schema.columns.len()
                )))
            }
            r => Ok(r),
        }
    }
}
