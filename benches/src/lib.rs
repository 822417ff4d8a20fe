//! Shared fixtures for the benches: generated datasets and ready provers.
#![deny(missing_docs)]

use veil_circuits::dataset::{Format, Record, Schema};

/// The schema of the generated "short rows" datasets: three small columns.
pub fn short_schema() -> Schema {
    Schema {
        format: Format::Csv,
        columns: vec!["id".into(), "city".into(), "amount".into()],
        chunk_size: 0,
    }
}

/// Record `i` of the generated dataset: about 20 bytes over three cells.
pub fn short_row(i: u64) -> Record {
    vec![
        i.to_string().into_bytes(),
        format!("city{}", i % 97).into_bytes(),
        format!("{}.{:02}", i % 1000, i % 100).into_bytes(),
    ]
}
