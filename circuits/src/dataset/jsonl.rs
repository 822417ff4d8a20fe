//! JSON Lines records: one object per line; the first object's keys, sorted by their bytes,
//! are the schema, and every later object must have exactly those keys (in any order). Blank lines are skipped.
//! A cell is a string's UTF-8 content, or the exact source text of any other value.

use super::{Format, Record, RecordSource, Schema};
use crate::{Error, Result};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::io::{BufRead, Read};

/// Streams the objects of a JSON Lines file.
pub struct JsonlRecords<R: BufRead> {
    input: R,
    schema: Schema,
    line: String,
    line_no: u64,
    first: Option<Record>,
    name: String,
}

fn parse_object<'a>(
    name: &str,
    line_no: u64,
    text: &'a str,
) -> Result<Vec<(String, &'a RawValue)>> {
    let map: BTreeMap<String, &'a RawValue> = serde_json::from_str(text).map_err(|e| {
        Error::MalformedDataset(format!("{name}: line {line_no}: not a JSON object ({e})"))
    })?;
    Ok(map.into_iter().collect())
}

fn cell(name: &str, line_no: u64, v: &RawValue) -> Result<Vec<u8>> {
    let text = v.get();
    if text.starts_with('"') {
        let s: String = serde_json::from_str(text)
            .map_err(|e| Error::MalformedDataset(format!("{name}: line {line_no}: {e}")))?;
        Ok(s.into_bytes())
    } else {
        Ok(text.as_bytes().to_vec())
    }
}

impl<R: BufRead> JsonlRecords<R> {
    /// Reads the first object to learn the schema.
    pub fn new(input: R, name: &str) -> Result<Self> {
        let mut me = JsonlRecords {
            input,
            schema: Schema {
                format: Format::Jsonl,
                columns: vec![],
                chunk_size: 0,
            },
            line: String::new(),
            line_no: 0,
            first: None,
            name: name.to_string(),
        };
        let Some(first) = me.next_line()? else {
            return Err(Error::EmptyDataset);
        };
        let entries = parse_object(name, me.line_no, &first)?;
        if entries.is_empty() {
            return Err(Error::MalformedDataset(format!(
                "{name}: line {}: the first object has no keys",
                me.line_no
            )));
        }
        me.schema.columns = entries.iter().map(|(k, _)| k.clone()).collect();
        me.first = Some(
            entries
                .iter()
                .map(|(_, v)| cell(name, me.line_no, v))
                .collect::<Result<_>>()?,
        );
        Ok(me)
    }

    fn next_line(&mut self) -> Result<Option<String>> {
        loop {
            self.line.clear();
            let limit = super::MAX_RECORD_BYTES as u64 + 1;
            let n = (&mut self.input)
                .take(limit)
                .read_line(&mut self.line)
                .map_err(|e| {
                    Error::MalformedDataset(format!(
                        "{}: line {}: {e}",
                        self.name,
                        self.line_no + 1
                    ))
                })?;
            if n == 0 {
                return Ok(None);
            }
            if n as u64 == limit && !self.line.ends_with('\n') {
                return Err(Error::MalformedDataset(format!(
                    "{}: line {}: longer than {} MiB: this is not a JSON Lines file of records",
                    self.name,
                    self.line_no + 1,
                    super::MAX_RECORD_BYTES >> 20
                )));
            }
            self.line_no += 1;
            if !self.line.trim().is_empty() {
                return Ok(Some(self.line.clone()));
            }
        }
    }
}

impl<R: BufRead> RecordSource for JsonlRecords<R> {
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn next_record(&mut self) -> Result<Option<Record>> {
        if let Some(r) = self.first.take() {
            return Ok(Some(r));
        }
        let Some(text) = self.next_line()? else {
            return Ok(None);
        };
        let entries = parse_object(&self.name, self.line_no, &text)?;
        let cols = &self.schema.columns;
        if entries.len() != cols.len() {
            return Err(Error::MalformedDataset(format!(
                "{}: line {}: {} keys, but the schema has {} ({})",
                self.name,
                self.line_no,
                entries.len(),
                cols.len(),
                cols.join(", ")
            )));
        }
        let by_key: BTreeMap<&str, &RawValue> =
            entries.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        cols.iter()
            .map(|c| match by_key.get(c.as_str()) {
                Some(v) => cell(&self.name, self.line_no, v),
                None => Err(Error::MalformedDataset(format!(
                    "{}: line {}: missing key {c:?}",
                    self.name, self.line_no
                ))),
            })
            .collect::<Result<Record>>()
            .map(Some)
    }
}
