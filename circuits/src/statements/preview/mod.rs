//! Statement 1, preview membership: sampled rows, picked by a challenge the seller cannot
//! steer, with some columns redacted, belong to the committed dataset `C`.
//!
//! **Shape** `(D, K, m)`: tree depth, samples, columns. **Public inputs**, in order:
//! `C`, `s` (challenge), `mask` (bit `c` set = column `c` revealed), then for each sample
//! `j < K`: `idx_j`, `pv_j0 .. pv_j(m-1)` (the value hash of a revealed cell, `0` if redacted).
//!
//! The dataset tree is quaternary ([`dataset::TREE_ARITY`]): `L = ceil(D / 2)` levels, each
//! consuming two bits of a leaf index, nodes `compress(c_0, c_1, c_2, c_3)`.
//!
//! **Witness**: `root`, `n`, `S` (schema hash); the tree's *cap*, its `4^t` nodes at level
//! `L - t` with `t = cap_levels(Quaternary, K, L)` (`t = 1` for `K = 1`, `t = 2` for `K = 8`);
//! per sample: `salt_j`, all value hashes `v_j0 .. v_j(m-1)`, and the `3 (L - t)` Merkle
//! siblings below the cap (three per level).
//!
//! **Constraints**:
//! 1. `C = H(DATASET_V2, root, n, D, S)` (opens the commitment).
//! 2. `mask = sum_c b_c 2^c` with each `b_c` boolean (so `mask < 2^m`).
//! 3. `seed = H(SAMPLE_SEED, C, s)`; `h_j = H(SAMPLE, seed, j)`; `lo_j` = the low 64 bits of
//!    the canonical integer of `h_j`: `h_j = lo_j + 2^64 hi_j` with `lo_j < 2^64` and
//!    `hi_j < floor(r / 2^64)` (range checks), which makes the split the canonical one. (The
//!    top `r mod 2^64` field elements, a fraction `2^-192`, cannot be split: no challenge an
//!    honest buyer draws will meet one.)
//! 4. `lo_j = q_j * n + idx_j` with `q_j < 2^64`, `idx_j < 2^D`, `n - 1 - idx_j < 2^D`
//!    (so `idx_j = lo_j mod n`: the seller cannot choose the rows).
//! 5. For each column: `pv_jc * (1 - b_c) = 0` (redacted cells publish nothing) and the value
//!    used is `b_c ? pv_jc : v_jc` (revealed cells are the public ones).
//! 6. The cap hashes (four at a time, compressed) to `root`, and `leaf_j = H(ROW, idx_j,
//!    salt_j, used values...)` lies on a path to cap node number `idx_j >> 2(L - t)` whose
//!    positions are the low `2 (L - t)` bits of `idx_j`, two a level (`p = b_0 + 2 b_1`: the
//!    node is child `p`, its three siblings fill the other places in order): together, a path
//!    to `root` steered by exactly the `D` bits of `idx_j` (and zeros above them for odd `D`).
//!    Sharing the top `t` levels saves `K t - (4^t - 1) / 3` compressions; the statement, its
//!    inputs and the commitment are unchanged by the cap.

use crate::dataset::{self, Committed, DatasetKey, TREE_ARITY};
use crate::merkle::{self, root_of_cap, MerklePath, MAX_DEPTH};
use crate::statements::Shape as _;
use crate::{field, poseidon2, tags, Error, Fr, Result};
use ark_ff::{PrimeField, Zero};
use serde::{Deserialize, Serialize};

/// The statement's name in proof files and key manifests.
pub const NAME: &str = "preview-membership";
/// Its Noir twin's package (the name with `_`).
pub const PROGRAM: &str = "preview_membership";
/// Most samples one proof covers.
pub const MAX_SAMPLES: usize = 64;
/// Most columns a previewed dataset may have (the reveal mask is a `u64`).
pub const MAX_COLUMNS: usize = 64;

/// A circuit shape: one set of keys per shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PreviewShape {
    /// Merkle tree depth `D`.
    pub depth: u32,
    /// Samples per proof `K`.
    pub samples: usize,
    /// Columns per record `m`.
    pub columns: usize,
}

impl PreviewShape {
    /// The dataset tree's levels, and the level of the cap the `K` paths share.
    pub fn tree_levels(&self) -> (usize, usize) {
        let levels = TREE_ARITY.levels(self.depth);
        let t = merkle::cap_levels(TREE_ARITY, self.samples, levels);
        (levels as usize, (levels - t) as usize)
    }

    /// Nodes in the cap: `4^t`.
    pub fn cap_len(&self) -> usize {
        let (levels, cap_level) = self.tree_levels();
        1 << ((levels - cap_level) * TREE_ARITY.bits() as usize)
    }

    /// Number of public inputs: `3 + K (1 + m)`.
    pub fn num_public_inputs(&self) -> usize {
        3 + self.samples * (1 + self.columns)
    }
}

impl crate::statements::Shape for PreviewShape {
    /// A file-name-safe id, e.g. `preview-membership-d20-k8-m3`.
    fn id(&self) -> String {
        format!("{NAME}-d{}-k{}-m{}", self.depth, self.samples, self.columns)
    }

    /// Checks the bounds: `1 <= D <= 32`, `1 <= K <= 64`, `1 <= m <= 64`.
    fn validate(&self) -> Result<()> {
        if self.depth == 0 || self.depth > MAX_DEPTH {
            return Err(Error::InvalidParameter(format!(
                "depth {} is not in 1..={MAX_DEPTH}",
                self.depth
            )));
        }
        if self.samples == 0 || self.samples > MAX_SAMPLES {
            return Err(Error::InvalidParameter(format!(
                "samples {} is not in 1..={MAX_SAMPLES}",
                self.samples
            )));
        }
        if self.columns == 0 || self.columns > MAX_COLUMNS {
            return Err(Error::InvalidParameter(format!(
                "{} columns; previews support 1..={MAX_COLUMNS}",
                self.columns
            )));
        }
        Ok(())
    }
}

/// Reads a challenge: hex of at most 32 bytes, taken as a big-endian integer modulo `r`.
pub fn challenge_from_hex(s: &str) -> Result<Fr> {
    Ok(Fr::from_be_bytes_mod_order(&field::parse_hex_bytes(
        "challenge",
        s,
        32,
    )?))
}

/// `seed = H(SAMPLE_SEED, C, s)`.
pub fn sample_seed(commitment: Fr, challenge: Fr) -> Fr {
    poseidon2::hash(&[tags::fr(tags::SAMPLE_SEED), commitment, challenge])
}

/// How sample `j` was drawn: `lo = low 64 bits of H(SAMPLE, seed, j)`, `lo = q n + index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampleDraw {
    /// The record index, `lo mod n`.
    pub index: u64,
    /// The low 64 bits of the sample hash.
    pub low64: u64,
    /// `lo div n`.
    pub quotient: u64,
}

/// Draws sample `j` from a dataset of `records` records.
pub fn draw_sample(seed: Fr, j: usize, records: u64) -> SampleDraw {
    let h = poseidon2::hash(&[tags::fr(tags::SAMPLE), seed, Fr::from(j as u64)]);
    let low64 = h.into_bigint().as_ref()[0];
    let n = records.max(1);
    SampleDraw {
        index: low64 % n,
        low64,
        quotient: low64 / n,
    }
}

/// The `k` record indices a challenge picks (with replacement).
pub fn sample_indices(commitment: Fr, challenge: Fr, records: u64, k: usize) -> Vec<u64> {
    let seed = sample_seed(commitment, challenge);
    (0..k)
        .map(|j| draw_sample(seed, j, records).index)
        .collect()
}

/// One sample's public part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SamplePublic {
    /// Record index.
    pub index: u64,
    /// Per column: the value hash if revealed, `0` if redacted.
    pub revealed: Vec<Fr>,
}

/// The public inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewPublic {
    /// Dataset commitment `C`.
    pub commitment: Fr,
    /// Challenge `s`.
    pub challenge: Fr,
    /// Revealed columns, bit `c` for column `c`.
    pub reveal_mask: u64,
    /// The samples, in draw order.
    pub samples: Vec<SamplePublic>,
}

impl crate::statements::PublicInputs for PreviewPublic {
    /// The public inputs as field elements, in circuit order.
    fn to_field_elements(&self) -> Vec<Fr> {
        let mut v = vec![self.commitment, self.challenge, Fr::from(self.reveal_mask)];
        for s in &self.samples {
            v.push(Fr::from(s.index));
            v.extend_from_slice(&s.revealed);
        }
        v
    }
}

/// One sample's witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleWitness {
    /// Row salt.
    pub salt: Fr,
    /// Value hashes of every cell, revealed or not.
    pub values: Vec<Fr>,
    /// Authentication path (its index is the sample's index); only its siblings below the
    /// cap ([`PreviewWitness::cap`]) enter the proof.
    pub path: MerklePath,
}

/// The witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewWitness {
    /// Merkle root.
    pub root: Fr,
    /// Number of records `n`.
    pub records: u64,
    /// Schema hash `S`.
    pub schema_hash: Fr,
    /// One per sample.
    pub samples: Vec<SampleWitness>,
    /// The tree's cap for the samples' paths: the `2^t` nodes at height `D - t`, `t =`
    /// [`merkle::cap_levels`]`(K, D)`; the paths stop there (the root alone when `t = 0`).
    pub cap: Vec<Fr>,
}

/// Whether column `c` is revealed under `mask` (bit `c`): the one place this rule is written.
pub fn is_revealed(mask: u64, c: usize) -> bool {
    (mask >> c) & 1 == 1
}

/// The native relation: `Ok` exactly when the circuit is satisfiable with this assignment.
pub fn check(shape: &PreviewShape, public: &PreviewPublic, w: &PreviewWitness) -> Result<()> {
    shape.validate()?;
    let fail = |m: String| Err(Error::Unsatisfied(m));
    if public.samples.len() != shape.samples || w.samples.len() != shape.samples {
        return fail(format!("expected {} samples", shape.samples));
    }
    if dataset::commitment(w.root, w.records, shape.depth, w.schema_hash) != public.commitment {
        return fail("commitment does not open to (root, n, depth, schema)".into());
    }
    if shape.columns < 64 && public.reveal_mask >> shape.columns != 0 {
        return fail(format!(
            "reveal mask has bits beyond {} columns",
            shape.columns
        ));
    }
    if w.records == 0 || shape.depth < 64 && w.records > 1u64 << shape.depth {
        return fail(format!(
            "n = {} does not fit a depth-{} tree",
            w.records, shape.depth
        ));
    }
    let (levels, cap_level) = shape.tree_levels();
    let cap_shift = cap_level * TREE_ARITY.bits() as usize;
    if w.cap.len() != shape.cap_len() || root_of_cap(TREE_ARITY, &w.cap) != w.root {
        return fail("the cap does not hash to the root".into());
    }
    let seed = sample_seed(public.commitment, public.challenge);
    for (j, (p, s)) in public.samples.iter().zip(&w.samples).enumerate() {
        let h = poseidon2::hash(&[tags::fr(tags::SAMPLE), seed, Fr::from(j as u64)]);
        if !field::splits_low_word(h) {
            return fail(format!(
                "sample {j}: its draw hash is among the top r mod 2^64 field elements, which the \
                 circuit does not split (probability 2^-192)"
            ));
        }
        if draw_sample(seed, j, w.records).index != p.index {
            return fail(format!(
                "sample {j}: index {} is not the drawn one",
                p.index
            ));
        }
        if p.revealed.len() != shape.columns || s.values.len() != shape.columns {
            return fail(format!("sample {j}: expected {} columns", shape.columns));
        }
        let mut used = Vec::with_capacity(shape.columns);
        for c in 0..shape.columns {
            if is_revealed(public.reveal_mask, c) {
                used.push(p.revealed[c]);
            } else if !p.revealed[c].is_zero() {
                return fail(format!("sample {j}: redacted column {c} publishes a value"));
            } else {
                used.push(s.values[c]);
            }
        }
        if s.path.index != p.index
            || s.path.arity != TREE_ARITY
            || s.path.siblings.len() != levels * (TREE_ARITY.children() - 1)
        {
            return fail(format!("sample {j}: path is not for index {}", p.index));
        }
        let leaf = dataset::leaf_from_values(p.index, s.salt, &used);
        let node = s.path.node_at(leaf, cap_level);
        if w.cap.get((p.index >> cap_shift) as usize) != Some(&node) {
            return fail(format!("sample {j}: record {} is not in the tree", p.index));
        }
    }
    Ok(())
}

/// Builds the public inputs and witness from a pass over the dataset that watched the drawn
/// indices (in draw order).
pub fn build(
    shape: &PreviewShape,
    committed: &Committed,
    key: &DatasetKey,
    challenge: Fr,
    reveal_mask: u64,
) -> Result<(PreviewPublic, PreviewWitness)> {
    shape.validate()?;
    let mut public = PreviewPublic {
        commitment: committed.commitment,
        challenge,
        reveal_mask,
        samples: Vec::with_capacity(shape.samples),
    };
    let mut witness = PreviewWitness {
        root: committed.root,
        records: committed.records,
        schema_hash: committed.schema_hash,
        samples: Vec::with_capacity(shape.samples),
        cap: committed.cap.clone(),
    };
    for (record, path) in committed.watched.iter().zip(&committed.paths) {
        let values: Vec<Fr> = record.iter().map(|c| dataset::value_hash(c)).collect();
        let revealed = (0..values.len())
            .map(|c| {
                if is_revealed(reveal_mask, c) {
                    values[c]
                } else {
                    Fr::zero()
                }
            })
            .collect();
        public.samples.push(SamplePublic {
            index: path.index,
            revealed,
        });
        witness.samples.push(SampleWitness {
            salt: dataset::row_salt(key, path.index),
            values,
            path: path.clone(),
        });
    }
    check(shape, &public, &witness)?;
    Ok((public, witness))
}

mod statement;
pub use statement::PreviewMembership;

#[cfg(feature = "r1cs")]
mod circuit;
#[cfg(feature = "r1cs")]
pub use circuit::PreviewCircuit;

#[cfg(any(test, feature = "fixtures"))]
pub mod cases;
#[cfg(test)]
mod tests;
