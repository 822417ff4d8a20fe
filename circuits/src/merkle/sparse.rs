//! Sparse, fixed-position Merkle trees over any node store: a leaf is set at its index, and
//! only non-empty nodes are stored (a missing node at height `h` is the empty root `Z_h`).
//! The receipt tree uses this: receipt `seq` of seller `s` always sits at `s * 2^20 + seq`.

use super::{hash_node, zero_hashes, MerklePath};
use crate::Fr;

/// Where nodes live: memory for tests, a database for the ledger.
pub trait NodeStore {
    /// The error of the store.
    type Error;
    /// The node at `height` and `index`, if it was ever set.
    fn get(&mut self, height: u32, index: u64) -> Result<Option<Fr>, Self::Error>;
    /// Stores a node.
    fn set(&mut self, height: u32, index: u64, value: Fr) -> Result<(), Self::Error>;
}

/// The tree's shape and empty roots.
#[derive(Clone, Debug)]
pub struct SparseTree {
    depth: u32,
    zeros: Vec<Fr>,
}

impl SparseTree {
    /// A tree of `depth` levels.
    pub fn new(depth: u32) -> Self {
        SparseTree {
            depth,
            zeros: zero_hashes(depth),
        }
    }

    /// Depth.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    fn node<S: NodeStore>(&self, s: &mut S, h: u32, i: u64) -> Result<Fr, S::Error> {
        Ok(s.get(h, i)?.unwrap_or(self.zeros[h as usize]))
    }

    /// The root.
    pub fn root<S: NodeStore>(&self, s: &mut S) -> Result<Fr, S::Error> {
        self.node(s, self.depth, 0)
    }

    /// Sets leaf `index` and rehashes its path; returns the new root.
    pub fn set_leaf<S: NodeStore>(&self, s: &mut S, index: u64, leaf: Fr) -> Result<Fr, S::Error> {
        let mut cur = leaf;
        let mut i = index;
        s.set(0, i, cur)?;
        for h in 0..self.depth {
            let sib = self.node(s, h, i ^ 1)?;
            cur = if i & 1 == 1 {
                hash_node(sib, cur)
            } else {
                hash_node(cur, sib)
            };
            i >>= 1;
            s.set(h + 1, i, cur)?;
        }
        Ok(cur)
    }

    /// The path of the node at `height` and `index` (siblings from `height` up).
    pub fn path<S: NodeStore>(
        &self,
        s: &mut S,
        height: u32,
        index: u64,
    ) -> Result<MerklePath, S::Error> {
        let siblings = (height..self.depth)
            .map(|h| self.node(s, h, (index >> (h - height)) ^ 1))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MerklePath {
            arity: super::Arity::Binary,
            index,
            siblings,
        })
    }

    /// The leaves `first .. first + n` (empty leaves are `0`).
    pub fn leaves<S: NodeStore>(&self, s: &mut S, first: u64, n: u64) -> Result<Vec<Fr>, S::Error> {
        (first..first + n).map(|i| self.node(s, 0, i)).collect()
    }
}

/// An in-memory node store.
#[derive(Clone, Debug, Default)]
pub struct MemoryNodes(pub std::collections::HashMap<(u32, u64), Fr>);

impl NodeStore for MemoryNodes {
    type Error = std::convert::Infallible;
    fn get(&mut self, height: u32, index: u64) -> Result<Option<Fr>, Self::Error> {
        Ok(self.0.get(&(height, index)).copied())
    }
    fn set(&mut self, height: u32, index: u64, value: Fr) -> Result<(), Self::Error> {
        self.0.insert((height, index), value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::TreeBuilder;

    #[test]
    fn sparse_tree_matches_the_dense_builder() {
        let t = SparseTree::new(6);
        let mut s = MemoryNodes::default();
        let leaves: Vec<Fr> = (1..=11u64).map(Fr::from).collect();
        let mut root = t.root(&mut s).unwrap();
        for (i, l) in leaves.iter().enumerate() {
            root = t.set_leaf(&mut s, i as u64, *l).unwrap();
        }
        let mut b = TreeBuilder::new(6, &[7]).unwrap();
        b.push(&leaves).unwrap();
        let dense = b.finish().unwrap();
        assert_eq!(root, dense.root);
        assert_eq!(t.path(&mut s, 0, 7).unwrap(), dense.paths[0]);
        // A path from height 2: node 1 covers leaves 4..8.
        let p = t.path(&mut s, 2, 1).unwrap();
        let node = t.node(&mut s, 2, 1).unwrap();
        assert_eq!(p.root(node), root);
        assert_eq!(
            t.leaves(&mut s, 10, 3).unwrap(),
            vec![Fr::from(11u64), Fr::from(0u64), Fr::from(0u64)]
        );
    }
}
