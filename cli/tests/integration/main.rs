//! veil-cli's integration tests, one module per file and one binary for them all: each drives
//! the built `veil` binary, and one test binary compiles and links the stack it uses once,
//! not once per file (docs/testing.md).

mod common;

mod audit;
mod browser;
mod cli;
mod meter;
mod noir;
mod readme;
mod registry;
mod sale;
mod scale_out;
mod serve;
mod ux;
