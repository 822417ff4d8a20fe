//! Fixtures shared by Veil's tests and benches, defined once: the vectors of `tests/vectors/`,
//! rebuilt by the Rust engine into each statement's public inputs and witness (and checked
//! against the vector files on the way), and the production-shape fixtures the benches and the
//! Noir cross tests share.

pub mod postgres;
pub mod sale;
pub mod vectors;

/// Asserts that `r` is an error whose message contains `why`, so a refusal for an unrelated
/// reason (a missing file, a shape mismatch) does not pass for the one a test means.
#[track_caller]
pub fn refused<T, E: std::fmt::Display>(r: Result<T, E>, why: &str) {
    match r {
        Ok(_) => panic!("accepted; expected a refusal: {why}"),
        Err(e) => {
            let e = e.to_string();
            assert!(e.contains(why), "refused with {e:?}, expected {why:?}");
        }
    }
}
