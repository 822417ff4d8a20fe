//! veil-halo2's tests, one binary (docs/testing.md): the chips against the native code, every
//! statement's shared cases under MockProver, the field conversion, and the period fold.

mod aggregate;
mod chips;
mod field;
mod statements;
