//! SHA-256 as every Veil file names it: lowercase hex. A leaf module, so that key files,
//! proofs and envelopes can all use it without depending on one another.

use sha2::{Digest, Sha256};

/// SHA-256 as hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
