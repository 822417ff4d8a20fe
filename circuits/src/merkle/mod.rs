//! Poseidon2 Merkle trees of arity 2 or 4: node hashing, authentication paths, and a streaming
//! builder.
//!
//! * **Binary** (licence, call and receipt trees): `node = H(NODE, left, right)`.
//! * **Quaternary** (dataset trees, from listing version 2): `node = compress(c_0, c_1, c_2,
//!   c_3)`, Poseidon2's compression mode ([`poseidon2::compress`]). One permutation hashes four
//!   children, where a binary tree spends two on the same leaves: a path costs half as many.
//!
//! A tree's *depth* `D` counts the bits of a leaf index: it holds `2^D` leaves, in `D` binary
//! levels or `ceil(D / 2)` quaternary ones (for odd `D`, the leaves past `2^D` stay empty).
//! Leaves past the last record are empty: the empty leaf is `0` and an empty subtree at level
//! `h` is `Z_h`, with `Z_0 = 0` and `Z_(h+1) = node(Z_h, ..., Z_h)`. The builder keeps memory
//! independent of the number of leaves: it hashes aligned blocks of about `2^BLOCK_HEIGHT`
//! leaves (in parallel, level by level), keeps only each block's root, and records the
//! authentication paths of the leaves it was asked to watch.

#[cfg(feature = "r1cs")]
pub mod r1cs;
pub mod sparse;

use crate::{poseidon2, tags, Error, Fr, Result};
use ark_ff::Zero;
#[cfg(feature = "parallel")]
use rayon::prelude::*;

/// Deepest tree supported (indices are `u64`, and the preview circuit's range checks assume it).
pub const MAX_DEPTH: u32 = 32;
/// Leaves per block in the streaming builder: about `2^BLOCK_HEIGHT` (capped at the tree's).
pub const BLOCK_HEIGHT: u32 = 12;

/// How many children an inner node has, and so how it is hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arity {
    /// Two children: `H(NODE, left, right)`.
    Binary,
    /// Four children: `compress(c_0, c_1, c_2, c_3)`.
    Quaternary,
}

impl Arity {
    /// Index bits one level consumes: 1 or 2.
    pub const fn bits(self) -> u32 {
        match self {
            Arity::Binary => 1,
            Arity::Quaternary => 2,
        }
    }

    /// Children per node: 2 or 4.
    pub const fn children(self) -> usize {
        1 << self.bits()
    }

    /// Levels of a tree of `depth` index bits: `ceil(depth / bits)`.
    pub const fn levels(self, depth: u32) -> u32 {
        depth.div_ceil(self.bits())
    }

    /// The node over `children` (exactly [`Arity::children`] of them, in order).
    pub fn node(self, children: &[Fr]) -> Fr {
        match self {
            Arity::Binary => hash_node(children[0], children[1]),
            Arity::Quaternary => {
                poseidon2::compress([children[0], children[1], children[2], children[3]])
            }
        }
    }

    /// Roots of empty subtrees: `zero_hashes(l)[h] = Z_h` for `h = 0..=l`.
    pub fn zero_hashes(self, levels: u32) -> Vec<Fr> {
        let mut z = vec![Fr::zero()];
        for h in 0..levels as usize {
            z.push(self.node(&vec![z[h]; self.children()]));
        }
        z
    }

    /// Which child of its parent the level-`level` ancestor of leaf `index` is.
    pub const fn digit(self, index: u64, level: u32) -> usize {
        ((index >> (level * self.bits())) as usize) & (self.children() - 1)
    }
}

/// A binary inner node: `H(NODE, left, right)`.
pub fn hash_node(left: Fr, right: Fr) -> Fr {
    poseidon2::hash(&[tags::fr(tags::NODE), left, right])
}

/// Roots of empty binary subtrees: `zero_hashes(d)[h] = Z_h` for `h = 0..=d`.
pub fn zero_hashes(depth: u32) -> Vec<Fr> {
    Arity::Binary.zero_hashes(depth)
}

/// How many top levels `K` paths of a tree of `levels` levels should share as a *cap*: the
/// `c^t` nodes at level `levels - t` (`c` children per node), hashed to the root once, with
/// each path stopping at the cap and picking its node there. A circuit then spends
/// `(c^t - 1) / (c - 1)` node hashes and `K (c^t - 1)` selections to save `K t` path levels:
/// `t = 3` for binary trees and `t = 2` for quaternary ones at `K = 8`; for one path, none for
/// a binary tree and one level (four constraints fewer) for a quaternary one. The root is the
/// same, so this is a cheaper proof of the same statement.
pub fn cap_levels(arity: Arity, paths: usize, levels: u32) -> u32 {
    // Constraints of one path level (a permutation and the selections) and of one node.
    let level: i64 = match arity {
        Arity::Binary => 265,
        Arity::Quaternary => 271,
    };
    const NODE: i64 = 264;
    let (k, c) = (paths as i64, arity.children() as i64);
    let saving = |t: u32| {
        let leaves = c.pow(t);
        k * i64::from(t) * level - (leaves - 1) / (c - 1) * NODE - k * (leaves - 1)
    };
    (0..=levels.min(8 / arity.bits()))
        .max_by_key(|&t| (saving(t), std::cmp::Reverse(t)))
        .unwrap_or(0)
}

/// The root over a cap: the nodes at one level, left to right, hashed up by `arity`.
pub fn root_of_cap(arity: Arity, cap: &[Fr]) -> Fr {
    let mut level = cap.to_vec();
    while level.len() > 1 {
        level = level
            .chunks(arity.children())
            .map(|c| arity.node(c))
            .collect();
    }
    level.first().copied().unwrap_or_else(Fr::zero)
}

/// An authentication path: siblings from the leaf level up, and the leaf's index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerklePath {
    /// The tree's arity.
    pub arity: Arity,
    /// Leaf index; its digit at level `h` ([`Arity::digit`]) says which child the path's node
    /// at level `h` is.
    pub index: u64,
    /// At each level, leaf level first, the other `children - 1` children of the path's
    /// parent, in order (one per level in a binary tree).
    pub siblings: Vec<Fr>,
}

impl MerklePath {
    /// Levels the path climbs.
    pub fn levels(&self) -> usize {
        self.siblings.len() / (self.arity.children() - 1)
    }

    /// The root reached from `leaf` along this path.
    pub fn root(&self, leaf: Fr) -> Fr {
        self.node_at(leaf, self.levels())
    }

    /// The node at `level` on the way from `leaf` to the root (the leaf at 0, the root at the
    /// path's length): where a capped path meets its cap.
    pub fn node_at(&self, leaf: Fr, level: usize) -> Fr {
        let c = self.arity.children();
        let mut cur = leaf;
        for (h, sibs) in self.siblings.chunks(c - 1).take(level).enumerate() {
            let digit = self.arity.digit(self.index, h as u32);
            let mut children = sibs.to_vec();
            children.insert(digit, cur);
            cur = self.arity.node(&children);
        }
        cur
    }
}

fn hash_level(arity: Arity, level: &[Fr]) -> Vec<Fr> {
    #[cfg(feature = "parallel")]
    let it = level.par_chunks(arity.children());
    #[cfg(not(feature = "parallel"))]
    let it = level.chunks(arity.children());
    it.map(|c| arity.node(c)).collect()
}

/// Builds a tree from leaves pushed in order, with memory independent of their number.
#[derive(Debug)]
pub struct TreeBuilder {
    arity: Arity,
    depth: u32,
    levels: u32,
    block_levels: u32,
    pending: Vec<Fr>,
    block_roots: Vec<Fr>,
    pushed: u64,
    /// Per watched leaf: its index and, per level, its siblings once seen.
    watched: Vec<(u64, Vec<Option<Vec<Fr>>>)>,
    cap_level: u32,
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
    /// The tree's cap for its watched paths: the `c^t` nodes at level `levels - t`, `t =`
    /// [`cap_levels`]`(arity, watched, levels)` (the root alone when `t = 0`).
    pub cap: Vec<Fr>,
}

impl TreeBuilder {
    /// A builder for a binary tree of `depth` levels (at most [`MAX_DEPTH`]), recording the
    /// paths of the leaves at `watch` indices.
    pub fn new(depth: u32, watch: &[u64]) -> Result<Self> {
        Self::with_arity(Arity::Binary, depth, watch)
    }

    /// A builder for a tree of `2^depth` leaves (`depth` at most [`MAX_DEPTH`]) with `arity`.
    pub fn with_arity(arity: Arity, depth: u32, watch: &[u64]) -> Result<Self> {
        if depth == 0 || depth > MAX_DEPTH {
            return Err(Error::InvalidParameter(format!(
                "tree depth {depth} is not in 1..={MAX_DEPTH}"
            )));
        }
        let levels = arity.levels(depth);
        let block_levels = (BLOCK_HEIGHT / arity.bits()).min(levels);
        let cap_level = levels - cap_levels(arity, watch.len(), levels);
        let empty = arity.zero_hashes(cap_level)[cap_level as usize];
        let block = 1usize << (block_levels * arity.bits());
        Ok(TreeBuilder {
            arity,
            depth,
            levels,
            block_levels,
            cap_level,
            cap: vec![empty; 1 << ((levels - cap_level) * arity.bits())],
            pending: Vec::with_capacity(block),
            block_roots: Vec::new(),
            pushed: 0,
            watched: watch
                .iter()
                .map(|&i| (i, vec![None; levels as usize]))
                .collect(),
        })
    }

    fn block_len(&self) -> usize {
        1 << (self.block_levels * self.arity.bits())
    }

    /// Appends leaves in order.
    pub fn push(&mut self, leaves: &[Fr]) -> Result<()> {
        let cap = 1u64 << self.depth;
        if self.pushed + leaves.len() as u64 > cap {
            return Err(Error::TooManyRecords { depth: self.depth });
        }
        let block = self.block_len();
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
        let block = self.block_len();
        let block_index = self.block_roots.len() as u64;
        let mut level = std::mem::take(&mut self.pending);
        level.resize(block, Fr::zero());
        for h in 0..self.block_levels {
            let first = block_index << ((self.block_levels - h) * self.arity.bits());
            self.record(h, first, &level);
            level = hash_level(self.arity, &level);
        }
        self.block_roots.push(level[0]);
        self.pending = Vec::with_capacity(block);
    }

    /// Records siblings at level `h` for watched leaves, given the nodes at that level
    /// starting at node index `first` (a multiple of the arity, as is `level.len()`).
    fn record(&mut self, h: u32, first: u64, level: &[Fr]) {
        if h == self.cap_level {
            let first = first as usize;
            self.cap[first..first + level.len()].copy_from_slice(level);
        }
        let c = self.arity.children() as u64;
        for (index, sibs) in &mut self.watched {
            let node = *index >> (h * self.arity.bits());
            let group = node - node % c;
            if group >= first && group + c <= first + level.len() as u64 {
                let at = (group - first) as usize;
                let mut children = level[at..at + c as usize].to_vec();
                children.remove((node - group) as usize);
                sibs[h as usize] = Some(children);
            }
        }
    }

    /// Finishes the tree: pads with empty leaves and hashes up to the root.
    pub fn finish(mut self) -> Result<BuiltTree> {
        if !self.pending.is_empty() {
            self.flush_block();
        }
        let c = self.arity.children();
        let zeros = self.arity.zero_hashes(self.levels);
        let mut level = std::mem::take(&mut self.block_roots);
        if level.is_empty() {
            level.push(zeros[self.block_levels as usize]);
        }
        for h in self.block_levels..self.levels {
            level.resize(level.len().next_multiple_of(c), zeros[h as usize]);
            self.record(h, 0, &level);
            level = hash_level(self.arity, &level);
        }
        if self.cap_level == self.levels {
            self.cap = vec![level[0]];
        }
        let (pushed, arity) = (self.pushed, self.arity);
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
                    .flat_map(|(h, s)| s.unwrap_or_else(|| vec![zeros[h]; c - 1]))
                    .collect();
                Ok(MerklePath {
                    arity,
                    index,
                    siblings,
                })
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
    fn naive_in(arity: Arity, depth: u32, leaves: &[Fr]) -> Vec<Vec<Fr>> {
        let levels = arity.levels(depth);
        let mut tree = vec![{
            let mut l = leaves.to_vec();
            l.resize(1 << (levels * arity.bits()), Fr::zero());
            l
        }];
        for _ in 0..levels {
            let prev = tree.last().unwrap();
            tree.push(match arity {
                Arity::Binary => prev.chunks(2).map(|p| hash_node(p[0], p[1])).collect(),
                Arity::Quaternary => prev
                    .chunks(4)
                    .map(|p| poseidon2::compress([p[0], p[1], p[2], p[3]]))
                    .collect(),
            });
        }
        tree
    }

    fn naive(depth: u32, leaves: &[Fr]) -> Vec<Vec<Fr>> {
        naive_in(Arity::Binary, depth, leaves)
    }

    #[test]
    fn quaternary_builder_matches_naive_tree_and_paths() {
        for (depth, n, k) in [
            (1u32, 1usize, 1usize),
            (2, 3, 1),
            (3, 5, 8),
            (5, 17, 1),
            (6, 64, 8),
            (13, 4097, 8),
            (14, 9000, 1),
            (15, 5000, 8),
        ] {
            let leaves: Vec<Fr> = (0..n as u64).map(|i| Fr::from(i * 7 + 1)).collect();
            let watch: Vec<u64> = (0..k as u64)
                .map(|j| (j * 613 + n as u64 - 1) % n as u64)
                .collect();
            let mut b = TreeBuilder::with_arity(Arity::Quaternary, depth, &watch).unwrap();
            for chunk in leaves.chunks(1000) {
                b.push(chunk).unwrap();
            }
            let t = b.finish().unwrap();
            let tree = naive_in(Arity::Quaternary, depth, &leaves);
            let levels = Arity::Quaternary.levels(depth);
            assert_eq!(t.root, tree[levels as usize][0], "depth {depth} n {n}");
            let cap_level = (levels - cap_levels(Arity::Quaternary, k, levels)) as usize;
            assert_eq!(t.cap, tree[cap_level], "depth {depth} n {n}: cap");
            assert_eq!(root_of_cap(Arity::Quaternary, &t.cap), t.root);
            for p in &t.paths {
                let leaf = leaves[p.index as usize];
                assert_eq!(p.root(leaf), t.root);
                assert_eq!(p.levels(), levels as usize);
                assert_eq!(
                    p.node_at(leaf, cap_level),
                    t.cap[(p.index >> (2 * cap_level)) as usize]
                );
                for (h, nodes) in tree.iter().take(levels as usize).enumerate() {
                    let node = (p.index >> (2 * h)) as usize;
                    let group = node - node % 4;
                    let mut want = nodes[group..group + 4].to_vec();
                    want.remove(node % 4);
                    assert_eq!(p.siblings[3 * h..3 * h + 3], want[..], "level {h}");
                }
            }
        }
        assert_eq!(cap_levels(Arity::Quaternary, 8, 10), 2);
        // One path: a quaternary level (271) costs a node (264) and three selections, so
        // sharing the top level saves four constraints; a binary one saves none.
        assert_eq!(cap_levels(Arity::Quaternary, 1, 10), 1);
        // Odd depth: 2^D leaves and no more, in a tree of 4^ceil(D/2).
        let mut b = TreeBuilder::with_arity(Arity::Quaternary, 3, &[]).unwrap();
        assert!(matches!(
            b.push(&[Fr::zero(); 9]),
            Err(Error::TooManyRecords { depth: 3 })
        ));
    }

    #[test]
    fn every_quaternary_position_and_sibling_matters() {
        let leaves: Vec<Fr> = (1..=16u64).map(Fr::from).collect();
        for index in 0..16u64 {
            let mut b = TreeBuilder::with_arity(Arity::Quaternary, 4, &[index]).unwrap();
            b.push(&leaves).unwrap();
            let t = b.finish().unwrap();
            let p = &t.paths[0];
            assert_eq!(p.root(leaves[index as usize]), t.root);
            for other in (0..16u64).filter(|&o| o != index) {
                let moved = MerklePath {
                    index: other,
                    ..p.clone()
                };
                assert_ne!(
                    moved.root(leaves[index as usize]),
                    t.root,
                    "{index} as {other}"
                );
            }
            for s in 0..p.siblings.len() {
                let mut q = p.clone();
                q.siblings[s] += Fr::from(1u64);
                assert_ne!(q.root(leaves[index as usize]), t.root);
            }
        }
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
        assert_eq!(cap_levels(Arity::Binary, 1, 20), 0);
        assert_eq!(cap_levels(Arity::Binary, 8, 20), 3);
        assert_eq!(cap_levels(Arity::Binary, 8, 2), 2);
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
            let top = cap_levels(Arity::Binary, k, depth);
            assert!(top > 0);
            let height = (depth - top) as usize;
            assert_eq!(t.cap, levels[height], "depth {depth} n {n}");
            assert_eq!(root_of_cap(Arity::Binary, &t.cap), t.root);
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
