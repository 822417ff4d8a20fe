//! Fixtures shared by Veil's tests and benches, defined once: the vectors of `tests/vectors/`,
//! rebuilt by the Rust engine into each statement's public inputs and witness (and checked
//! against the vector files on the way), and the production-shape fixtures the benches and the
//! Noir cross tests share.

pub mod vectors;
