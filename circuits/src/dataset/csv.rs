//! CSV records, read strictly (RFC 4180): the header row names the columns and every row must
//! have as many fields.
//!
//! Strict because what is committed must be exactly what the file says, and an independent
//! reader must reach the same records. So a UTF-8 byte-order mark at the very start is
//! skipped (it is not content), and a final line end is optional; everything else that a
//! lenient reader would guess at is refused, naming the line: a blank line (in a one-column
//! file it would otherwise silently drop a record whose value is empty; write `""`), a bare CR
//! (line ends are LF or CRLF), text after a closing quote (`"x"y`), a quote inside an unquoted
//! field, and a quoted field that never closes.

use super::{Format, Record, RecordSource, Schema};
use crate::{Error, Result};
use std::io::BufRead;

/// Streams the rows of a CSV file.
pub struct CsvRecords<R: BufRead> {
    parser: Parser<R>,
    schema: Schema,
}

impl<R: BufRead> CsvRecords<R> {
    /// Reads the header; an empty file or a header with no columns is an error.
    pub fn new(input: R, name: &str) -> Result<Self> {
        let mut parser = Parser {
            input,
            name: name.to_string(),
            line: 1,
            started: false,
            expected: None,
        };
        let header = parser.next_record()?.ok_or(Error::EmptyDataset)?;
        let columns = header
            .into_iter()
            .enumerate()
            .map(|(i, h)| {
                String::from_utf8(h).map_err(|_| {
                    Error::MalformedDataset(format!("{name}: header column {} is not UTF-8", i + 1))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if columns.len() == 1 && columns[0].is_empty() {
            return Err(Error::EmptyDataset);
        }
        parser.expected = Some(columns.len());
        let schema = Schema {
            format: Format::Csv,
            columns,
            chunk_size: 0,
        };
        Ok(CsvRecords { parser, schema })
    }
}

impl<R: BufRead> RecordSource for CsvRecords<R> {
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn next_record(&mut self) -> Result<Option<Record>> {
        self.parser.next_record()
    }
}

/// Where the parser is within a field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    Start,
    /// Inside an unquoted field.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: a closing quote, or the first of `""`.
    QuoteSeen,
    /// Just after a CR, which must be followed by LF.
    Cr,
}

struct Parser<R: BufRead> {
    input: R,
    name: String,
    /// The line the next byte is on (1-based).
    line: u64,
    /// Whether the first byte (and a possible byte-order mark) was looked at.
    started: bool,
    /// Fields per record, once the header is read.
    expected: Option<usize>,
}

fn fail(name: &str, line: u64, what: &str) -> Error {
    Error::MalformedDataset(format!("{name}: line {line}: {what}"))
}

fn io(name: &str, e: std::io::Error) -> Error {
    Error::io(format!("reading {name}"), e)
}

impl<R: BufRead> Parser<R> {
    /// Skips a UTF-8 byte-order mark at the very start.
    fn skip_bom(&mut self) -> Result<()> {
        let buf = self.input.fill_buf().map_err(|e| io(&self.name, e))?;
        if buf.starts_with(&[0xef, 0xbb, 0xbf]) {
            self.input.consume(3);
        }
        self.started = true;
        Ok(())
    }

    /// The next record, or `None` at the end of the file.
    fn next_record(&mut self) -> Result<Option<Record>> {
        if !self.started {
            self.skip_bom()?;
        }
        let first_line = self.line;
        let mut fields: Vec<Vec<u8>> = Vec::new();
        let mut field = Vec::new();
        let mut quoted = false;
        let mut state = State::Start;
        let mut any = false;
        let mut record_bytes = 0usize;
        loop {
            let buf = self.input.fill_buf().map_err(|e| io(&self.name, e))?;
            if buf.is_empty() {
                // End of file.
                return match state {
                    State::Start if !any => Ok(None),
                    State::Quoted => Err(fail(
                        &self.name,
                        first_line,
                        "a quoted field is never closed (a missing closing quote)",
                    )),
                    State::Cr => Err(fail(
                        &self.name,
                        self.line,
                        "a bare CR at the end of the file",
                    )),
                    _ => {
                        fields.push(field);
                        self.finish(fields, quoted, first_line).map(Some)
                    }
                };
            }
            let mut used = 0;
            let mut done = false;
            for &b in buf {
                used += 1;
                any = true;
                match (state, b) {
                    (State::Cr, b'\n') => {
                        done = true;
                    }
                    (State::Cr, _) => {
                        return Err(fail(
                            &self.name,
                            self.line,
                            "a bare CR: lines must end with LF or CRLF",
                        ))
                    }
                    (State::Quoted, b'"') => state = State::QuoteSeen,
                    (State::Quoted, b) => {
                        if b == b'\n' {
                            self.line += 1;
                        }
                        field.push(b);
                    }
                    (State::QuoteSeen, b'"') => {
                        field.push(b'"');
                        state = State::Quoted;
                    }
                    (State::Start, b'"') => {
                        quoted = true;
                        state = State::Quoted;
                    }
                    (State::Unquoted, b'"') => {
                        return Err(fail(
                            &self.name,
                            self.line,
                            "a quote inside an unquoted field (quote the whole field and double the quote)",
                        ))
                    }
                    (_, b',') => {
                        fields.push(std::mem::take(&mut field));
                        quoted = false;
                        state = State::Start;
                    }
                    (_, b'\n') => done = true,
                    (_, b'\r') => state = State::Cr,
                    (State::QuoteSeen, _) => {
                        return Err(fail(
                            &self.name,
                            self.line,
                            "text after a closing quote (write the whole field inside the quotes)",
                        ))
                    }
                    (_, b) => {
                        field.push(b);
                        state = State::Unquoted;
                    }
                }
                if done {
                    break;
                }
            }
            self.input.consume(used);
            record_bytes += used;
            if record_bytes > super::MAX_RECORD_BYTES {
                return Err(fail(
                    &self.name,
                    first_line,
                    &format!(
                        "a record of more than {} MiB: this is not a CSV file of records (or it \
                         lacks line ends)",
                        super::MAX_RECORD_BYTES >> 20
                    ),
                ));
            }
            if done {
                self.line += 1;
                fields.push(field);
                return self.finish(fields, quoted, first_line).map(Some);
            }
        }
    }

    /// Checks a complete record: not a blank line, and as many fields as the header.
    fn finish(&self, fields: Vec<Vec<u8>>, quoted: bool, line: u64) -> Result<Record> {
        if fields.len() == 1 && fields[0].is_empty() && !quoted {
            return Err(fail(
                &self.name,
                line,
                "a blank line (remove it; a record whose one value is empty is written \"\")",
            ));
        }
        if let Some(m) = self.expected.filter(|m| *m != fields.len()) {
            return Err(fail(
                &self.name,
                line,
                &format!("{} fields, but the header has {m}", fields.len()),
            ));
        }
        Ok(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &[u8]) -> Result<Vec<Record>> {
        let mut r = CsvRecords::new(text, "t.csv")?;
        let mut out = vec![r
            .schema()
            .columns
            .iter()
            .map(|c| c.as_bytes().to_vec())
            .collect()];
        while let Some(x) = r.next_record()? {
            out.push(x);
        }
        Ok(out)
    }

    fn v(xs: &[&[&str]]) -> Vec<Record> {
        xs.iter()
            .map(|r| r.iter().map(|c| c.as_bytes().to_vec()).collect())
            .collect()
    }

    #[test]
    fn reads_rfc_4180() {
        let want = v(&[&["a", "b"], &["1", "x,y"], &["", "say \"hi\"\nthere"]]);
        for text in [
            &b"a,b\n1,\"x,y\"\n,\"say \"\"hi\"\"\nthere\"\n"[..],
            b"a,b\r\n1,\"x,y\"\r\n,\"say \"\"hi\"\"\nthere\"",
            b"\xef\xbb\xbfa,b\n1,\"x,y\"\n,\"say \"\"hi\"\"\nthere\"\n",
        ] {
            assert_eq!(rows(text).unwrap(), want);
        }
        // A one-column file: an empty value is a quoted empty field.
        assert_eq!(
            rows(b"a\n1\n\"\"\n3\n").unwrap(),
            v(&[&["a"], &["1"], &[""], &["3"]])
        );
    }

    #[test]
    fn refuses_what_it_would_have_to_guess_naming_the_line() {
        for (text, why) in [
            (&b"a\n1\n\n3\n"[..], "line 3: a blank line"),
            (b"a\n1\n3\n\n", "line 4: a blank line"),
            (b"a,b\n1,2\r3,4\n", "line 2: a bare CR"),
            (b"a,b\n\"x\"y,2\n", "line 2: text after a closing quote"),
            (b"a,b\nx\"y,2\n", "line 2: a quote inside an unquoted field"),
            (b"a,b\n1,\"2\n", "line 2: a quoted field is never closed"),
            (b"a,b\n1,2\n3\n", "line 3: 1 fields, but the header has 2"),
            (b"a,b\n1,2,3\n", "line 2: 3 fields, but the header has 2"),
        ] {
            match rows(text) {
                Err(Error::MalformedDataset(m)) => assert!(m.contains(why), "{m}"),
                other => panic!("{why}: {other:?}"),
            }
        }
        assert!(matches!(rows(b""), Err(Error::EmptyDataset)));
    }
}
