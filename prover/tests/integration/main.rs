//! veil-prover's integration tests, one module per file and one binary for them all:
//! each test binary links the whole stack, so one binary compiles and links it once, not
//! once per file (docs/testing.md).

mod backends;
mod groth16;
mod keys;
mod msm;
mod qap;
mod sizes;
mod ultrahonk;
