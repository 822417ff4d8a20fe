//! Shared fixtures for the benches: the generated datasets `veil bench` also measures.
#![deny(missing_docs)]

pub use veil_engine::bench::{short_row, short_schema};
