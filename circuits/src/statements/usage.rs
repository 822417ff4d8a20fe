//! Statement 3, ZK usage counters: metered API calls that prove a valid licence and an unused
//! counter slot below the quota, and a billing tier proven without revealing the count.
//!
//! Encodings (`H` = Poseidon2 sponge, tags in [`crate::tags`]):
//! ```text
//! key commitment  K = H(KEY, sk)
//! licence note    L = H(LICENCE, listing, K, quota, expiry, salt)        a leaf of the licence tree
//! nullifier       N = H(NULLIFIER, sk, listing, epoch, c)                c = the call's counter slot
//! usage           U = H(USAGE, listing, epoch, count, salt)
//! ```
//!
//! **Call** (shape: licence-tree depth `D`). Public inputs, in order: `root, listing, epoch, N,
//! request`. Witness: `sk, salt, quota, expiry, c`, the leaf index and `D` siblings.
//! Constraints:
//! 1. `L = H(LICENCE, listing, H(KEY, sk), quota, expiry, salt)` lies on a path to `root`
//!    (direction bits: the `D` bits of the witness index, each boolean).
//! 2. `epoch, expiry, quota, c < 2^32`, and `expiry - epoch < 2^32` (so `epoch <= expiry`).
//! 3. `quota - 1 - c < 2^32` (so `c < quota`).
//! 4. `N = H(NULLIFIER, sk, listing, epoch, c)`.
//! 5. `request * request = r2` for a witness `r2`: binds the request hash, which would
//!    otherwise float (Groth16 accepts any value of an unconstrained public input).
//!
//! At most `quota` distinct nullifiers exist per licence and epoch, and a gateway that refuses
//! repeated nullifiers therefore serves at most `quota` calls; `N` reveals nothing of `sk` and
//! no two calls share anything but the public `listing` and `epoch`.
//!
//! **Tier**. Public inputs: `U, listing, epoch, lo, hi`. Witness: `count, salt`.
//! Constraints: `U = H(USAGE, listing, epoch, count, salt)`; `count, lo, hi < 2^32`;
//! `count - lo < 2^32` and `hi - 1 - count < 2^32` (so `lo <= count < hi`).

use crate::merkle::{MerklePath, MAX_DEPTH};
use crate::{poseidon2, tags, Error, Fr, Result};
use ark_ff::UniformRand;
use ark_std::rand::RngCore;

/// Name of the call statement in proof files and key manifests.
pub const CALL: &str = "usage-call";
/// Name of the tier statement.
pub const TIER: &str = "usage-tier";
/// Default depth of the licence tree: 65,536 licences per ledger, which keeps a call proof
/// under 150 ms on a 2-core machine (each further level costs 266 constraints, ~5 ms).
pub const DEFAULT_LICENCE_DEPTH: u32 = 16;
/// Bits of epochs, quotas, counters and counts.
pub const COUNTER_BITS: usize = 32;

fn h(tag: u128, xs: &[Fr]) -> Fr {
    let mut v = Vec::with_capacity(xs.len() + 1);
    v.push(tags::fr(tag));
    v.extend_from_slice(xs);
    poseidon2::hash(&v)
}

/// The listing's field element: the value hash of its id.
pub fn listing_field(listing_id: &str) -> Fr {
    crate::dataset::value_hash(listing_id.as_bytes())
}

/// `K = H(KEY, sk)`: the buyer's public key commitment. The buyer makes `sk` and sends only
/// `K` to the issuer, so no one but the buyer can compute its nullifiers.
pub fn key_commitment(sk: Fr) -> Fr {
    h(tags::KEY, &[sk])
}

/// What the issuer knows of a licence: its terms, the buyer's key commitment, the blinding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LicenceTerms {
    /// The listing it grants access to.
    pub listing: Fr,
    /// The buyer's `K = H(KEY, sk)`.
    pub key_commitment: Fr,
    /// Calls per epoch.
    pub quota: u64,
    /// Last epoch it is valid in.
    pub expiry: u64,
    /// Note blinding.
    pub salt: Fr,
}

impl LicenceTerms {
    /// New terms with a fresh salt; `1 <= quota < 2^32`, `expiry < 2^32`.
    pub fn new<R: RngCore>(
        rng: &mut R,
        listing: Fr,
        key_commitment: Fr,
        quota: u64,
        expiry: u64,
    ) -> Result<Self> {
        if quota == 0 || quota >= 1 << COUNTER_BITS || expiry >= 1 << COUNTER_BITS {
            return Err(Error::InvalidParameter(format!(
                "quota {quota} must be in 1..2^32 and expiry {expiry} below 2^32"
            )));
        }
        Ok(LicenceTerms {
            listing,
            key_commitment,
            quota,
            expiry,
            salt: Fr::rand(rng),
        })
    }

    /// `L = H(LICENCE, listing, K, quota, expiry, salt)`.
    pub fn note(&self) -> Fr {
        h(
            tags::LICENCE,
            &[
                self.listing,
                self.key_commitment,
                Fr::from(self.quota),
                Fr::from(self.expiry),
                self.salt,
            ],
        )
    }
}

/// A buyer's licence: the terms and the secret key they commit to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Licence {
    /// The listing it grants access to.
    pub listing: Fr,
    /// The buyer's secret key.
    pub sk: Fr,
    /// Calls per epoch.
    pub quota: u64,
    /// Last epoch it is valid in.
    pub expiry: u64,
    /// Note blinding.
    pub salt: Fr,
}

impl Licence {
    /// Joins issued terms with the buyer's key; fails when the key is not the one committed.
    pub fn new(sk: Fr, terms: &LicenceTerms) -> Result<Self> {
        if key_commitment(sk) != terms.key_commitment {
            return Err(Error::Mismatch(
                "the buyer key is not the one this licence was issued to".into(),
            ));
        }
        Ok(Licence {
            listing: terms.listing,
            sk,
            quota: terms.quota,
            expiry: terms.expiry,
            salt: terms.salt,
        })
    }

    /// A fresh buyer key and licence (tests, benches, simulations).
    pub fn issue<R: RngCore>(rng: &mut R, listing: Fr, quota: u64, expiry: u64) -> Result<Self> {
        let sk = Fr::rand(rng);
        Licence::new(
            sk,
            &LicenceTerms::new(rng, listing, key_commitment(sk), quota, expiry)?,
        )
    }

    /// The issuer's view.
    pub fn terms(&self) -> LicenceTerms {
        LicenceTerms {
            listing: self.listing,
            key_commitment: key_commitment(self.sk),
            quota: self.quota,
            expiry: self.expiry,
            salt: self.salt,
        }
    }

    /// `L`, the licence note.
    pub fn note(&self) -> Fr {
        self.terms().note()
    }

    /// `N = H(NULLIFIER, sk, listing, epoch, c)`.
    pub fn nullifier(&self, epoch: u64, counter: u64) -> Fr {
        h(
            tags::NULLIFIER,
            &[self.sk, self.listing, Fr::from(epoch), Fr::from(counter)],
        )
    }
}

/// The call statement's public inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallPublic {
    /// Licence-tree root.
    pub root: Fr,
    /// Listing.
    pub listing: Fr,
    /// Current epoch.
    pub epoch: u64,
    /// The call's nullifier.
    pub nullifier: Fr,
    /// Hash of the request being paid for.
    pub request: Fr,
}

impl CallPublic {
    /// In circuit order.
    pub fn to_field_elements(&self) -> Vec<Fr> {
        vec![
            self.root,
            self.listing,
            Fr::from(self.epoch),
            self.nullifier,
            self.request,
        ]
    }
}

/// The call statement's witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallWitness {
    /// The licence.
    pub licence: Licence,
    /// The counter slot used.
    pub counter: u64,
    /// The licence note's path.
    pub path: MerklePath,
}

/// The native call relation.
pub fn check_call(depth: u32, p: &CallPublic, w: &CallWitness) -> Result<()> {
    let fail = |m: &str| Err(Error::Unsatisfied(m.to_string()));
    let l = &w.licence;
    if depth == 0
        || depth > MAX_DEPTH
        || w.path.siblings.len() != depth as usize
        || w.path.index >> depth != 0
    {
        return fail("path does not fit the licence tree");
    }
    if w.path.root(l.note()) != p.root {
        return fail("licence is not in the tree");
    }
    if l.listing != p.listing {
        return fail("licence is for another listing");
    }
    let lim = 1u64 << COUNTER_BITS;
    if p.epoch >= lim || l.expiry >= lim || l.quota >= lim || w.counter >= lim {
        return fail("a counter field is out of range");
    }
    if p.epoch > l.expiry {
        return fail("licence expired");
    }
    if w.counter >= l.quota {
        return fail("counter is not below the quota");
    }
    if l.nullifier(p.epoch, w.counter) != p.nullifier {
        return fail("nullifier is not H(NULLIFIER, sk, listing, epoch, c)");
    }
    Ok(())
}

/// `U = H(USAGE, listing, epoch, count, salt)`.
pub fn usage_commitment(listing: Fr, epoch: u64, count: u64, salt: Fr) -> Fr {
    h(
        tags::USAGE,
        &[listing, Fr::from(epoch), Fr::from(count), salt],
    )
}

/// The tier statement's public inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TierPublic {
    /// Usage commitment `U`.
    pub usage: Fr,
    /// Listing.
    pub listing: Fr,
    /// Epoch.
    pub epoch: u64,
    /// Tier lower bound (inclusive).
    pub lo: u64,
    /// Tier upper bound (exclusive).
    pub hi: u64,
}

impl TierPublic {
    /// In circuit order.
    pub fn to_field_elements(&self) -> Vec<Fr> {
        vec![
            self.usage,
            self.listing,
            Fr::from(self.epoch),
            Fr::from(self.lo),
            Fr::from(self.hi),
        ]
    }
}

/// The tier statement's witness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TierWitness {
    /// The count.
    pub count: u64,
    /// The commitment's blinding.
    pub salt: Fr,
}

/// The native tier relation.
pub fn check_tier(p: &TierPublic, w: &TierWitness) -> Result<()> {
    let lim = 1u64 << COUNTER_BITS;
    if p.lo >= lim || p.hi >= lim || w.count >= lim || p.epoch >= lim {
        return Err(Error::Unsatisfied("a tier field is out of range".into()));
    }
    if usage_commitment(p.listing, p.epoch, w.count, w.salt) != p.usage {
        return Err(Error::Unsatisfied("usage commitment does not open".into()));
    }
    if !(p.lo <= w.count && w.count < p.hi) {
        return Err(Error::Unsatisfied("count is not in the tier".into()));
    }
    Ok(())
}

#[cfg(feature = "r1cs")]
mod circuit;
#[cfg(feature = "r1cs")]
pub use circuit::{CallCircuit, TierCircuit};

#[cfg(test)]
mod tests;
