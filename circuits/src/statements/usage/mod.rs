//! Statement 3, ZK usage counters: metered API calls that prove a valid licence and an unused
//! counter slot below the quota, and a billing tier proven without revealing the count.
//!
//! Encodings (`H` = Poseidon2 sponge, tags in [`crate::tags`]):
//! ```text
//! key commitment  K = H(KEY, sk)
//! licence note    L = H(LICENCE, listing, K, quota, expiry, salt)        a leaf of the licence tree
//! nullifier       N = H(NULLIFIER, sk, listing, epoch, c)                c = the call's counter slot
//! usage           U = H(USAGE, listing, epoch, calls_root, salt)
//! ```
//! `calls_root` is the root of the *calls tree* of one listing and epoch: a binary tree of depth
//! [`CALLS_TREE_DEPTH`] whose leaves `0..count` are the nullifiers the gateway accepted, in
//! acceptance order, and whose other leaves are empty (`0`).
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
//! **Tier** (key id `usage-tier-d32`). Public inputs: `U, listing, epoch, lo, hi`. Witness:
//! `count, salt, calls_root`, the last leaf and its 32 siblings. Constraints:
//! 1. `U = H(USAGE, listing, epoch, calls_root, salt)`.
//! 2. `count, lo, hi, epoch < 2^32`; `count - lo < 2^32` and `hi - 1 - count < 2^32` (so
//!    `lo <= count < hi`).
//! 3. `e = (count == 0)` (boolean, by the inverse gadget). If `e`: `calls_root = Z_32`, the empty
//!    tree. Otherwise: the 32 bits of `count - 1` are the direction bits of a path from a
//!    non-zero `last_leaf` to `calls_root`, and every sibling on the right of the path (bit 0)
//!    is the empty subtree `Z_h`.
//!
//! So `count` is one more than the index of the tree's last non-empty leaf: it cannot be lower
//! than the number of nullifiers in the committed tree. The gateway publishes `U` at the end of
//! the epoch; a buyer can ask for the path of its call's nullifier under `calls_root` (opened
//! from `U`), so a nullifier left out of the tree is detected by the buyer it belongs to.

use crate::merkle::{MerklePath, MAX_DEPTH};
use crate::{poseidon2, tags, Error, Fr, Result};
use ark_ff::{UniformRand, Zero};
use ark_std::rand::RngCore;

/// Name of the call statement in proof files and key manifests.
pub const CALL: &str = "usage-call";
/// Name of the tier statement.
pub const TIER: &str = "usage-tier";
/// The call's Noir twin's package (the name with `_`).
pub const CALL_PROGRAM: &str = "usage_call";
/// The tier's Noir twin's package.
pub const TIER_PROGRAM: &str = "usage_tier";
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

impl crate::statements::PublicInputs for CallPublic {
    /// In circuit order.
    fn to_field_elements(&self) -> Vec<Fr> {
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

/// Depth of the calls tree: the accepted nullifiers of one listing and epoch, in the order the
/// gateway accepted them (up to `2^32` calls).
pub const CALLS_TREE_DEPTH: u32 = 32;

/// `U = H(USAGE, listing, epoch, calls_root, salt)`: the gateway's commitment to the calls it
/// accepted for `listing` in `epoch`, published at the epoch's end.
pub fn usage_commitment(listing: Fr, epoch: u64, calls_root: Fr, salt: Fr) -> Fr {
    h(tags::USAGE, &[listing, Fr::from(epoch), calls_root, salt])
}

/// The calls tree of one listing and epoch: its root, its size, and the path of its last leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallsTree {
    /// Root of the depth-[`CALLS_TREE_DEPTH`] tree whose leaves `0..count` are the nullifiers.
    pub root: Fr,
    /// Calls accepted.
    pub count: u64,
    /// The last nullifier and its path (`None` when no call was accepted).
    pub last: Option<(Fr, MerklePath)>,
}

impl CallsTree {
    /// Builds the tree of `nullifiers` (in acceptance order; none may be zero).
    pub fn build(nullifiers: &[Fr]) -> Result<Self> {
        if nullifiers.iter().any(|n| n.is_zero()) {
            return Err(Error::InvalidParameter(
                "a nullifier of 0 cannot be a calls-tree leaf".into(),
            ));
        }
        let count = nullifiers.len() as u64;
        let watch: Vec<u64> = count.checked_sub(1).into_iter().collect();
        let mut b = crate::merkle::TreeBuilder::new(CALLS_TREE_DEPTH, &watch)?;
        b.push(nullifiers)?;
        let t = b.finish()?;
        let last = nullifiers.last().map(|n| (*n, t.paths[0].clone()));
        Ok(CallsTree {
            root: t.root,
            count,
            last,
        })
    }

    /// The tier witness opening `U = usage_commitment(listing, epoch, self.root, salt)`.
    pub fn tier_witness(&self, salt: Fr) -> TierWitness {
        let (last_leaf, path) = self.last.clone().unwrap_or_else(|| {
            (
                Fr::zero(),
                MerklePath {
                    arity: crate::merkle::Arity::Binary,
                    index: 0,
                    siblings: crate::merkle::zero_hashes(CALLS_TREE_DEPTH)
                        [..CALLS_TREE_DEPTH as usize]
                        .to_vec(),
                },
            )
        });
        TierWitness {
            count: self.count,
            salt,
            calls_root: self.root,
            last_leaf,
            path,
        }
    }

    /// The tier statement over this tree for `listing` and `epoch` (committed with `salt`):
    /// the count lies in `[lo, hi)`.
    pub fn tier_statement(
        &self,
        listing: Fr,
        epoch: u64,
        salt: Fr,
        lo: u64,
        hi: u64,
    ) -> (TierPublic, TierWitness) {
        let public = TierPublic {
            usage: usage_commitment(listing, epoch, self.root, salt),
            listing,
            epoch,
            lo,
            hi,
        };
        (public, self.tier_witness(salt))
    }
}

/// The call statement of `licence` with counter slot `counter` in `epoch`, for `request` (its
/// hash), against the licence tree with `root` where the licence's note sits at `path`.
pub fn call_statement(
    licence: &Licence,
    counter: u64,
    epoch: u64,
    request: Fr,
    root: Fr,
    path: MerklePath,
) -> (CallPublic, CallWitness) {
    let public = CallPublic {
        root,
        listing: licence.listing,
        epoch,
        nullifier: licence.nullifier(epoch, counter),
        request,
    };
    let witness = CallWitness {
        licence: *licence,
        counter,
        path,
    };
    (public, witness)
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

impl crate::statements::PublicInputs for TierPublic {
    /// In circuit order.
    fn to_field_elements(&self) -> Vec<Fr> {
        vec![
            self.usage,
            self.listing,
            Fr::from(self.epoch),
            Fr::from(self.lo),
            Fr::from(self.hi),
        ]
    }
}

/// The tier statement's witness: the opening of `U` and the calls tree's last leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierWitness {
    /// The count: calls accepted.
    pub count: u64,
    /// The commitment's blinding.
    pub salt: Fr,
    /// The calls tree's root.
    pub calls_root: Fr,
    /// Leaf `count - 1` (the last accepted nullifier), `0` when `count = 0`.
    pub last_leaf: Fr,
    /// Its path (index `count - 1`, or `0` with any siblings when `count = 0`).
    pub path: MerklePath,
}

/// The native tier relation.
pub fn check_tier(p: &TierPublic, w: &TierWitness) -> Result<()> {
    let fail = |m: &str| Err(Error::Unsatisfied(m.to_string()));
    let lim = 1u64 << COUNTER_BITS;
    if p.lo >= lim || p.hi >= lim || w.count >= lim || p.epoch >= lim {
        return fail("a tier field is out of range");
    }
    if usage_commitment(p.listing, p.epoch, w.calls_root, w.salt) != p.usage {
        return fail("usage commitment does not open");
    }
    if !(p.lo <= w.count && w.count < p.hi) {
        return fail("count is not in the tier");
    }
    let zeros = crate::merkle::zero_hashes(CALLS_TREE_DEPTH);
    if w.count == 0 {
        if w.calls_root != zeros[CALLS_TREE_DEPTH as usize] {
            return fail("count 0 but the calls tree is not empty");
        }
        return Ok(());
    }
    if w.path.siblings.len() != CALLS_TREE_DEPTH as usize || w.path.index != w.count - 1 {
        return fail("the last leaf's path is not at index count - 1");
    }
    if w.last_leaf.is_zero() {
        return fail("leaf count - 1 is empty");
    }
    for (h, sib) in w.path.siblings.iter().enumerate() {
        if (w.path.index >> h) & 1 == 0 && *sib != zeros[h] {
            return fail("a leaf after count - 1 is not empty");
        }
    }
    if w.path.root(w.last_leaf) != w.calls_root {
        return fail("the last leaf is not in the calls tree");
    }
    Ok(())
}

mod statement;
pub use statement::{CallShape, TierShape, UsageCall, UsageTier};

#[cfg(feature = "r1cs")]
mod circuit;
#[cfg(feature = "r1cs")]
pub use circuit::{CallCircuit, TierCircuit};

#[cfg(any(test, feature = "fixtures"))]
pub mod cases;
#[cfg(test)]
mod tests;
