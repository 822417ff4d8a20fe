//! Binary Poseidon2 Merkle trees: node hashing, authentication paths, and a streaming builder.
//!
//! `node = H(NODE, left, right)`. Leaves past the last record are empty: the empty leaf is `0`
//! and an empty subtree of height `h` is `Z_h` with `Z_0 = 0`, `Z_{h+1} = H(NODE, Z_h, Z_h)`.
//! The builder keeps memory independent of the number of leaves: it hashes aligned blocks of
//! `2^BLOCK_HEIGHT` leaves (in parallel, level by level), keeps only each block's root, and
//! records the authentication paths of the leaves it was asked to watch.

#[cfg(feature = "r1cs")]
pub mod r1cs;
pub mod sparse;

use crate::{poseidon2, tags, Error, Fr, Result};
use ark_ff::Zero;
#[cfg(feature = "parallel")]
use rayon::prelude::*;

/// Deepest tree supported (indices are `u64`, and the preview circuit's range checks assume it).
pub const MAX_DEPTH: u32 = 32;
/// Leaves per block in the streaming builder: `2^BLOCK_HEIGHT` (capped at the tree depth).
pub const BLOCK_HEIGHT: u32 = 12;

/// An inner node: `H(NODE, left, right)`.
pub fn hash_node(left: Fr, right: Fr) -> Fr {
    poseidon2::hash(&[tags::fr(tags::NODE), left, right])
}

/// Roots of empty subtrees: `zero_hashes(d)[h] = Z_h` for `h = 0..=d`.
pub fn zero_hashes(depth: u32) -> Vec<Fr> {
    let mut z = vec![Fr::zero()];
    for h in 0..depth as usize {
        z.push(hash_node(z[h], z[h]));
    }
    z
}

/// How many top levels `K` paths of a depth-`depth` tree should share as a *cap*: the `2^t`
/// nodes at height `depth - t`, hashed to the root once, with each path stopping at the cap
/// and picking its node there. A circuit then spends `(2^t - 1)` node hashes and `K (2^t - 1)`
/// selections to save `K t` path levels (265 constraints each): `t = 3` for `K = 8`, none for
/// one path. The root is the same, so this is a cheaper proof of the same statement.
pub fn cap_levels(paths: usize, depth: u32) -> u32 {
    const LEVEL: i64 = 265;
    const NODE: i64 = 264;
    let k = paths as i64;
    let saving = |t: u32| {
        let nodes = (1i64 << t) - 1;
        k * i64::from(t) * LEVEL - nodes * NODE - k * nodes
    };
    (0..=depth.min(8))
        .max_by_key(|&t| (saving(t), std::cmp::Reverse(t)))
        .unwrap_or(0)
}

/// The root over a cap: the nodes at one height, left to right, hashed pairwise up.
pub fn root_of_cap(cap: &[Fr]) -> Fr {
    let mut level = cap.to_vec();
    while level.len() > 1 {
        level = level.chunks(2).map(|p| hash_node(p[0], p[1])).collect();
    }
    level.first().copied().unwrap_or_else(Fr::zero)
}

/// An authentication path: siblings from the leaf level up, and the leaf's index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerklePath {
    /// Leaf index; bit `h` says whether the node at height `h` is a right child.
    pub index: u64,
    /// Sibling at each height, leaf level first.
    pub siblings: Vec<Fr>,
}

impl MerklePath {
    /// The root reached from `leaf` along this path.
    pub fn root(&self, leaf: Fr) -> Fr {
        self.node_at(leaf, self.siblings.len())
    }

    /// The node at `height` on the way from `leaf` to the root (the leaf at 0, the root at
    /// the path's length): where a capped path meets its cap.
    pub fn node_at(&self, leaf: Fr, height: usize) -> Fr {
        let mut cur = leaf;
        for (h, sib) in self.siblings.iter().take(height).enumerate() {
            cur = if (self.index >> h) & 1 == 1 {
                hash_node(*sib, cur)
            } else {
                hash_node(cur, *sib)
            };
        }
        cur
    }
}

fn hash_level(level: &[Fr]) -> Vec<Fr> {
    #[cfg(feature = "parallel")]
    let it = level.par_chunks(2);
    #[cfg(not(feature = "parallel"))]
    let it = level.chunks(2);
    it.map(|p| hash_node(p[0], p[1])).collect()
}

/// Builds a tree from leaves pushed in order, with memory independent of their number.
#[derive(Debug)]
pub struct TreeBuilder {
    depth: u32,
    block_height: u32,
    pending: Vec<Fr>,
    block_roots: Vec<Fr>,
    pushed: u64,
    watched: Vec<(u64, Vec<Option<Fr>>)>,
    cap_height: u32,
    cap: Vec<Fr>,
}

/// A finished tree: its root, leaf count, and the paths of the watched leaves.
#[derive(Clone, Debug)]
pub struct BuiltTree {
    /// The root.
    pub root: Fr,
    /// Leaves pushed.
    pub leaves: u64,
    /// Paths of the watched leaves, in the order they were watched.
    pub paths: Vec<MerklePath>,
    /// The tree's cap for its watched paths: the `2^t` nodes at height `depth - t`, `t =`
    /// [`cap_levels`]`(watched, depth)` (the root alone when `t = 0`).
    pub cap: Vec<Fr>,
}

impl TreeBuilder {
    /// A builder for a tree of `depth` levels (at most [`MAX_DEPTH`]), recording the paths of
    /// the leaves at `watch` indices.
    pub fn new(depth: u32, watch: &[u64]) -> Result<Self> {
        if depth == 0 || depth > MAX_DEPTH {
            return Err(Error::InvalidParameter(format!(
                "tree depth {depth} is not in 1..={MAX_DEPTH}"
            )));
        }
        let block_height = BLOCK_HEIGHT.min(depth);
        let cap_height = depth - cap_levels(watch.len(), depth);
        let empty = zero_hashes(cap_height)[cap_height as usize];
        Ok(TreeBuilder {
            cap_height,
            cap: vec![empty; 1 << (depth - cap_height)],
            depth,
            block_height,
            pending: Vec::with_capacity(1 << block_height),
            block_roots: Vec::new(),
            pushed: 0,
            watched: watch
                .iter()
                .map(|&i| (i, vec![None; depth as usize]))
                .collect(),
        })
    }

    /// Appends leaves in order.
    pub fn push(&mut self, leaves: &[Fr]) -> Result<()> {
        let cap = 1u64 << self.depth;
        if self.pushed + leaves.len() as u64 > cap {
            return Err(Error::TooManyRecords { depth: self.depth });
        }
        let block = 1usize << self.block_height;
        let mut rest = leaves;
        while !rest.is_empty() {
            let take = (block - self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            self.pushed += take as u64;
            if self.pending.len() == block {
                self.flush_block();
            }
        }
        Ok(())
    }

    /// Hashes the pending block (zero-padded) up to its root, recording watched siblings.
    fn flush_block(&mut self) {
        let block = 1usize << self.block_height;
        let block_index = self.block_roots.len() as u64;
        let mut level = std::mem::take(&mut self.pending);
        level.resize(block, Fr::zero());
        for h in 0..self.block_height {
            self.record(h, block_index << (self.block_height - h), &level);
            level = hash_level(&level);
        }
        self.block_roots.push(level[0]);
        self.pending = Vec::with_capacity(block);
    }

    /// Records siblings at height `h` for watched leaves, given the nodes at that height
    /// starting at node index `first`.
    fn record(&mut self, h: u32, first: u64, level: &[Fr]) {
        if h == self.cap_height {
            let first = first as usize;
            self.cap[first..first + level.len()].copy_from_slice(level);
        }
        for (index, sibs) in &mut self.watched {
            let sib = (*index >> h) ^ 1;
            if sib >= first && sib < first + level.len() as u64 {
                sibs[h as usize] = Some(level[(sib - first) as usize]);
            }
        }
    }

    /// Finishes the tree: pads with empty leaves and hashes up to the root.
    pub fn finish(mut self) -> Result<BuiltTree> {
        if !self.pending.is_empty() {
            self.flush_block();
        }
        let zeros = zero_hashes(self.depth);
        let mut level = std::mem::take(&mut self.block_roots);
        if level.is_empty() {
            level.push(zeros[self.block_height as usize]);
        }
        for h in self.block_height..self.depth {
            if level.len() % 2 == 1 {
                level.push(zeros[h as usize]);
            }
            self.record(h, 0, &level);
            level = hash_level(&level);
        }
        if self.cap_height == self.depth {
            self.cap = vec![level[0]];
        }
        let pushed = self.pushed;
        let paths = self
            .watched
            .into_iter()
            .map(|(index, sibs)| {
                if index >= pushed {
                    return Err(Error::InvalidParameter(format!(
                        "watched leaf {index} is past the last leaf {}",
                        pushed.saturating_sub(1)
                    )));
                }
                let siblings = sibs
                    .into_iter()
                    .enumerate()
                    .map(|(h, s)| s.unwrap_or(zeros[h]))
                    .collect();
                Ok(MerklePath { index, siblings })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(BuiltTree {
            root: level[0],
            leaves: pushed,
            paths,
            cap: self.cap,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plain in-memory tree, written as simply as possible, to check the builder against.
    fn naive(depth: u32, leaves: &[Fr]) -> Vec<Vec<Fr>> {
        let mut levels = vec![{
            let mut l = leaves.to_vec();
            l.resize(1 << depth, Fr::zero());
            l
        }];
        for _ in 0..depth {
            let prev = levels.last().unwrap();
            levels.push(prev.chunks(2).map(|p| hash_node(p[0], p[1])).collect());
        }
        levels
    }

    #[test]
    fn builder_matches_naive_tree_and_paths() {
        for (depth, n) in [
            (1u32, 1usize),
            (1, 2),
            (3, 5),
            (4, 16),
            (13, 4097),
            (14, 9000),
        ] {
            let leaves: Vec<Fr> = (0..n as u64).map(|i| Fr::from(i * 7 + 1)).collect();
            let watch = [0, n as u64 / 2, n as u64 - 1];
            let mut b = TreeBuilder::new(depth, &watch).unwrap();
            for chunk in leaves.chunks(1000) {
                b.push(chunk).unwrap();
            }
            let t = b.finish().unwrap();
            let levels = naive(depth, &leaves);
            assert_eq!(t.root, levels[depth as usize][0], "depth {depth} n {n}");
            for p in &t.paths {
                assert_eq!(p.root(leaves[p.index as usize]), t.root);
                for h in 0..depth as usize {
                    assert_eq!(p.siblings[h], levels[h][((p.index >> h) ^ 1) as usize]);
                }
            }
        }
    }

    #[test]
    fn the_cap_is_the_level_its_paths_stop_at() {
        assert_eq!(cap_levels(1, 20), 0);
        assert_eq!(cap_levels(8, 20), 3);
        assert_eq!(cap_levels(8, 2), 2);
        for (depth, n, k) in [
            (3u32, 5usize, 8usize),
            (6, 40, 8),
            (14, 9000, 8),
            (13, 300, 32),
        ] {
            let leaves: Vec<Fr> = (0..n as u64).map(|i| Fr::from(i * 3 + 2)).collect();
            let watch: Vec<u64> = (0..k as u64).map(|j| (j * 37) % n as u64).collect();
            let mut b = TreeBuilder::new(depth, &watch).unwrap();
            b.push(&leaves).unwrap();
            let t = b.finish().unwrap();
            let levels = naive(depth, &leaves);
            let top = cap_levels(k, depth);
            assert!(top > 0);
            let height = (depth - top) as usize;
            assert_eq!(t.cap, levels[height], "depth {depth} n {n}");
            assert_eq!(root_of_cap(&t.cap), t.root);
            for p in &t.paths {
                let node = p.node_at(leaves[p.index as usize], height);
                assert_eq!(node, t.cap[(p.index >> height) as usize]);
            }
        }
        let mut b = TreeBuilder::new(5, &[0]).unwrap();
        b.push(&[Fr::from(1u64)]).unwrap();
        let t = b.finish().unwrap();
        assert_eq!(t.cap, vec![t.root], "one path: the cap is the root");
    }

    #[test]
    fn empty_subtrees_use_zero_hashes() {
        let z = zero_hashes(4);
        let mut b = TreeBuilder::new(4, &[]).unwrap();
        b.push(&[Fr::zero()]).unwrap();
        assert_eq!(b.finish().unwrap().root, z[4]);
    }

    #[test]
    fn rejects_overflow_and_bad_depth() {
        let mut b = TreeBuilder::new(2, &[]).unwrap();
        assert!(matches!(
            b.push(&[Fr::zero(); 5]),
            Err(Error::TooManyRecords { depth: 2 })
        ));
        assert!(TreeBuilder::new(0, &[]).is_err());
        assert!(TreeBuilder::new(33, &[]).is_err());
        let mut b = TreeBuilder::new(3, &[6]).unwrap();
        b.push(&[Fr::zero(); 3]).unwrap();
        assert!(b.finish().is_err());
    }

    #[test]
    fn wrong_path_gives_another_root() {
        let leaves: Vec<Fr> = (1..=8u64).map(Fr::from).collect();
        let mut b = TreeBuilder::new(3, &[5]).unwrap();
        b.push(&leaves).unwrap();
        let t = b.finish().unwrap();
        let mut p = t.paths[0].clone();
        assert_eq!(p.root(leaves[5]), t.root);
        p.index = 4;
        assert_ne!(p.root(leaves[5]), t.root);
    }
}
