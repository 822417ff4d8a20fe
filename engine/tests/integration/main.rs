//! veil-engine's integration tests, one module per file and one binary for them all:
//! each test binary links the whole stack, so one binary compiles and links it once, not
//! once per file (docs/testing.md).

mod bench;
mod bound_inputs;
mod gateway;
mod halo2_files;
mod provers;
mod snarkjs;
mod totals;
mod use_cases;
