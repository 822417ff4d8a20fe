//! Proof systems, one module each. The seam for GPU acceleration is inside each backend's
//! prover (its MSMs and FFTs); statements only see `setup` and `prove`.

pub mod groth16;
pub mod ultrahonk;
