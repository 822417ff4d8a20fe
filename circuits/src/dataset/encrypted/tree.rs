//! The ciphertext's Merkle tree: SHA-256, binary, `2^depth` leaf slots (the listing's depth).
//!
//! ```text
//! leaf   h_i  = SHA-256(0x00 || leaf_i || c_i0 || ... || c_i(W-1))    32-byte big-endian each
//! node        = SHA-256(0x01 || left || right)                      (RFC 6962's prefixes)
//! empty       = 32 zero bytes; an empty node is the node of two empty children
//! ```
//! SHA-256 and not Poseidon2 because nothing proves a path of this tree in a circuit: a dispute
//! carries the record's ciphertext as public input and its verifier (native, or an Aztec
//! contract with Noir's `sha256`) checks the path. So the tree costs the encryptor
//! microseconds per record instead of Poseidon2 permutations.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Digest32 = [u8; 32];

/// `SHA-256(0x00 || bytes)`: a leaf.
pub fn leaf_hash(bytes: &[u8]) -> Digest32 {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(bytes);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`: an inner node.
pub fn node_hash(left: &Digest32, right: &Digest32) -> Digest32 {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of `depth` levels above `leaf` at `index`, given its siblings from the bottom.
pub fn root_from_path(leaf: Digest32, index: u64, siblings: &[Digest32]) -> Digest32 {
    let mut node = leaf;
    for (level, s) in siblings.iter().enumerate() {
        node = if (index >> level) & 1 == 0 {
            node_hash(&node, s)
        } else {
            node_hash(s, &node)
        };
    }
    node
}

/// Builds the tree from leaves pushed in order, in `O(depth)` memory, keeping the path of one
/// watched leaf.
#[derive(Clone, Debug)]
pub struct ShaTree {
    depth: u32,
    /// Per level: the pending left node, when that level's count is odd.
    frontier: Vec<Option<Digest32>>,
    /// Empty subtrees, per level.
    zeros: Vec<Digest32>,
    pushed: u64,
    watch: Vec<u64>,
    siblings: Vec<Vec<Option<Digest32>>>,
    /// The root, once the tree is full.
    top: Option<Digest32>,
}

impl ShaTree {
    /// A tree of `2^depth` leaf slots (`depth` at most 63), watching the leaf at `watch`.
    pub fn new(depth: u32, watch: Option<u64>) -> Self {
        Self::watching(depth, watch.as_slice())
    }

    /// A tree that keeps the SHA-256 path of every leaf in `watch`.
    pub fn watching(depth: u32, watch: &[u64]) -> Self {
        let depth = depth.min(63);
        let mut zeros = vec![[0u8; 32]];
        for l in 0..depth as usize {
            let z = zeros[l];
            zeros.push(node_hash(&z, &z));
        }
        ShaTree {
            depth,
            frontier: vec![None; depth as usize],
            zeros,
            pushed: 0,
            watch: watch.to_vec(),
            siblings: vec![vec![None; depth as usize]; watch.len()],
            top: None,
        }
    }

    /// Leaves pushed so far.
    pub fn len(&self) -> u64 {
        self.pushed
    }

    /// Whether no leaf was pushed.
    pub fn is_empty(&self) -> bool {
        self.pushed == 0
    }

    /// Whether another leaf fits.
    pub fn has_room(&self) -> bool {
        self.pushed < 1u64 << self.depth
    }

    /// Hashes `left` (at `left_index` on `level`) with `right`, noting a watched sibling.
    fn join(
        &mut self,
        level: usize,
        left_index: u64,
        left: &Digest32,
        right: &Digest32,
    ) -> Digest32 {
        for (w, siblings) in self.watch.iter().zip(&mut self.siblings) {
            let a = w >> level;
            if a == left_index {
                siblings[level] = Some(*right);
            } else if a == left_index + 1 {
                siblings[level] = Some(*left);
            }
        }
        node_hash(left, right)
    }

    /// Appends one leaf; the caller checks [`ShaTree::has_room`] first.
    pub fn push(&mut self, leaf: Digest32) {
        let mut node = leaf;
        let mut index = self.pushed;
        self.pushed += 1;
        for level in 0..self.depth as usize {
            if index & 1 == 0 {
                self.frontier[level] = Some(node);
                return;
            }
            let left = self.frontier[level].take().unwrap_or(self.zeros[level]);
            node = self.join(level, index - 1, &left, &node);
            index >>= 1;
        }
        self.top = Some(node);
    }

    /// The root, and the watched leaf's siblings (when it was pushed).
    pub fn finish(self) -> (Digest32, Option<Vec<Digest32>>) {
        let (root, paths) = self.finish_watching();
        (root, paths.into_iter().next().flatten())
    }

    /// The root, and each watched leaf's path (`None` for one past the last leaf pushed).
    pub fn finish_watching(mut self) -> (Digest32, Vec<Option<Vec<Digest32>>>) {
        let full = self.pushed == 1u64 << self.depth;
        let mut carried: Option<Digest32> = None;
        let mut root = self.zeros[self.depth as usize];
        if !full {
            for level in 0..self.depth as usize {
                let here = self.pushed >> level;
                let left = self.frontier[level].take();
                carried = match (left, carried) {
                    (Some(l), Some(c)) => Some(self.join(level, here - 1, &l, &c)),
                    (Some(l), None) => {
                        let z = self.zeros[level];
                        Some(self.join(level, here - 1, &l, &z))
                    }
                    (None, Some(c)) => {
                        let z = self.zeros[level];
                        Some(self.join(level, here, &c, &z))
                    }
                    (None, None) => None,
                };
            }
            if let Some(r) = carried {
                root = r;
            }
        } else if let Some(top) = self.top {
            root = top;
        }
        let paths = self
            .watch
            .iter()
            .zip(&self.siblings)
            .map(|(&w, siblings)| {
                (w < self.pushed).then(|| {
                    siblings
                        .iter()
                        .zip(&self.zeros)
                        .map(|(s, z)| s.unwrap_or(*z))
                        .collect()
                })
            })
            .collect();
        (root, paths)
    }
}
