//! veil-service's integration tests, one module per file and one binary for them all:
//! each test binary links the whole stack, so one binary compiles and links it once, not
//! once per file (docs/testing.md).

mod common;
mod concurrency;
mod http;
mod jobs;
mod lifecycle;
mod sale;
