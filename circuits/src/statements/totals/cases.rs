//! A market of three sellers, their report chains, and the edits a batch must refuse: the
//! cases every backend's tests run (feature `fixtures`).

use super::*;
use crate::merkle::sparse::{MemoryNodes, SparseTree};
use rand::SeedableRng;

/// The batch shape of the cases: `B = 4`, three band edges.
pub const SHAPE: TotalsShape = TotalsShape { batch: 4, edges: 3 };

/// Sellers' receipts in one receipt tree.
pub struct Market {
    /// The receipt tree.
    pub tree: SparseTree,
    /// Its nodes.
    pub nodes: MemoryNodes,
    /// Receipts, per seller.
    pub receipts: Vec<Vec<Receipt>>,
    /// The tree's root.
    pub root: Fr,
}

/// The fee rate of the cases.
pub const BPS: u64 = 250;

/// Three sellers with `n` sales each, times 100, 110, 120, ...
pub fn market(n: u64) -> Market {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(n);
    let tree = SparseTree::new(RECEIPT_DEPTH);
    let mut nodes = MemoryNodes::default();
    let mut receipts = vec![vec![]; 3];
    let mut root = tree.root(&mut nodes).expect("a fixture");
    for k in 0..n {
        for s in 0..3u64 {
            let sale = Sale {
                listing: Fr::from(s + 10),
                seller: s,
                buyer_tag: <Fr as ark_ff::UniformRand>::rand(&mut rng),
                amount: 100 + (k * 37 + s * 1000) % 2000,
                time: 100 + 10 * k,
                salt: <Fr as ark_ff::UniformRand>::rand(&mut rng),
            };
            let r = next_receipt(receipts[s as usize].last(), &sale, BPS).expect("a fixture");
            root = tree
                .set_leaf(&mut nodes, r.index(), r.note())
                .expect("a fixture");
            receipts[s as usize].push(r);
        }
    }
    Market {
        tree,
        nodes,
        receipts,
        root,
    }
}

impl Market {
    /// The report chain of `seller` over `[t0, t1)`.
    pub fn chain(
        &mut self,
        shape: &TotalsShape,
        seller: u64,
        t0: u64,
        t1: u64,
    ) -> Vec<(BatchPublic, BatchWitness)> {
        self.chain_with_edges(shape, seller, t0, t1, &[500, 1000, 1500])
    }

    /// The report chain of `seller` over `[t0, t1)` with band edges `edges`.
    pub fn chain_with_edges(
        &mut self,
        shape: &TotalsShape,
        seller: u64,
        t0: u64,
        t1: u64,
        edges: &[u64],
    ) -> Vec<(BatchPublic, BatchWitness)> {
        let period = Period {
            root: self.root,
            seller,
            t0,
            t1,
            bps: BPS,
            edges: edges.to_vec(),
        };
        let (tree, nodes) = (&self.tree, &mut self.nodes);
        let mut blinds = 0u64;
        report_chain::<Error>(
            shape,
            &period,
            &self.receipts[seller as usize],
            |j| {
                Ok(tree
                    .path(
                        nodes,
                        shape.height(),
                        (seller << (SEQ_BITS - shape.height())) | j,
                    )
                    .expect("a fixture"))
            },
            || {
                blinds += 1;
                Fr::from(1000 + blinds)
            },
        )
        .expect("a fixture")
    }
}

/// A named edit of an honest batch, with its refusal and broken rule.
pub type Mutation = crate::statements::Mutation<crate::statements::DisclosureTotals>;

/// Recomputes the public inputs from an edited witness, as a prover would.
pub fn recompute(p: &mut BatchPublic, w: &mut BatchWitness) {
    *p = batch_public(&p.period, p.first, p.last, w);
}

/// Each must break the relation (for the reason given) and the circuit. They apply to the
/// chain of seller 1 over `[130, 180)`, B = 4: batch 0 (first), 1 (middle), 2 (last; receipts 8
/// and 9, then two empty slots). The usize is the batch index.
pub fn mutations() -> Vec<(usize, Mutation)> {
    vec![
        (
            1,
            (
                "totals revealed mid-chain",
                "reveals totals",
                "totals_revealed_at_the_end",
                Box::new(|p, _| p.totals.count += 1),
            ),
        ),
        (
            2,
            (
                "forged total",
                "not the period's",
                "totals_revealed_at_the_end",
                Box::new(|p, _| p.totals.amount += 1),
            ),
        ),
        (
            2,
            (
                "forged count",
                "not the period's",
                "totals_revealed_at_the_end",
                Box::new(|p, _| p.totals.count -= 1),
            ),
        ),
        (
            2,
            (
                "forged fees",
                "not the period's",
                "totals_revealed_at_the_end",
                Box::new(|p, _| p.totals.fees += 1),
            ),
        ),
        (
            2,
            (
                "forged band count",
                "not the period's",
                "totals_revealed_at_the_end",
                Box::new(|p, _| p.totals.band_counts[0] += 1),
            ),
        ),
        (
            2,
            (
                "forged band sum",
                "not the period's",
                "totals_revealed_at_the_end",
                Box::new(|p, _| p.totals.band_sums[3] += 1),
            ),
        ),
        (
            1,
            (
                "amount edited (outputs recomputed)",
                "under the root",
                "cum_chains",
                Box::new(|p, w| {
                    w.slots[0].as_mut().expect("a fixture").amount += 1;
                    recompute(p, w);
                }),
            ),
        ),
        (
            1,
            (
                "fee edited",
                "under the root",
                "fee_rule",
                Box::new(|p, w| {
                    w.slots[1].as_mut().expect("a fixture").fee += 1;
                    recompute(p, w);
                }),
            ),
        ),
        (
            1,
            (
                "receipt dropped (slot emptied)",
                "under the root",
                "no_receipt_after_an_empty_slot",
                Box::new(|p, w| {
                    w.slots[2] = None;
                    recompute(p, w);
                }),
            ),
        ),
        (
            1,
            (
                "other seller",
                "under the root",
                "slot_holds_its_receipt",
                Box::new(|p, _| p.period.seller = 2),
            ),
        ),
        (
            1,
            (
                "other root",
                "under the root",
                "slots_under_the_root",
                Box::new(|p, _| p.period.root += Fr::from(1u64)),
            ),
        ),
        (
            1,
            (
                "rate edited",
                "fee is not",
                "fee_rule",
                Box::new(|p, _| p.period.bps += 1),
            ),
        ),
        (
            1,
            (
                "c_in edited",
                "c_in does not open",
                "c_in_opens",
                Box::new(|p, _| p.c_in += Fr::from(1u64)),
            ),
        ),
        (
            1,
            (
                "c_out edited",
                "c_out is not",
                "c_out_opens",
                Box::new(|p, _| p.c_out += Fr::from(1u64)),
            ),
        ),
        (
            1,
            (
                "incoming state of another batch index",
                "c_in does not open",
                "c_in_opens",
                Box::new(|p, w| {
                    w.state_in.next += 1;
                    p.c_in = w.state_in.commitment();
                }),
            ),
        ),
        (
            1,
            (
                "claims to be first",
                "neither batch 0",
                "first_batch_opens_the_period",
                Box::new(|p, w| {
                    p.first = true;
                    w.state_in.totals = PeriodTotals::zero(3);
                    recompute(p, w);
                }),
            ),
        ),
        (
            1,
            (
                "claims to be last",
                "does not reach past",
                "last_batch_closes_the_period",
                Box::new(|p, w| {
                    p.last = true;
                    recompute(p, w);
                }),
            ),
        ),
        (
            2,
            (
                "claims not to be last",
                "not full",
                "middle_batch_is_full",
                Box::new(|p, w| {
                    p.last = false;
                    recompute(p, w);
                }),
            ),
        ),
        (
            2,
            (
                "last hands on a state",
                "hands on a state",
                "c_out_opens",
                Box::new(|p, _| p.c_out = Fr::from(5u64)),
            ),
        ),
        (
            2,
            (
                "receipt outside the period counted in",
                "not the period's",
                "totals_revealed_at_the_end",
                Box::new(|p, w| {
                    // Totals as if the period ran to 1000 (counting the sales at 180 and 190), claimed for [130, 180).
                    let t1 = p.period.t1;
                    p.period.t1 = 1000;
                    recompute(p, w);
                    p.period.t1 = t1;
                }),
            ),
        ),
        (
            0,
            (
                "first batch starts from non-zero totals",
                "zero totals",
                "first_batch_starts_from_zero",
                Box::new(|p, w| {
                    w.state_in.totals.count = 7;
                    recompute(p, w);
                }),
            ),
        ),
        (
            0,
            (
                "batch 0 from a non-zero running total",
                "running total other than 0",
                "batch_zero_starts_from_zero",
                Box::new(|p, w| {
                    w.state_in.cum = 5;
                    recompute(p, w);
                }),
            ),
        ),
        // The period and bands, edited in a batch whose receipts they re-classify.
        (
            1,
            (
                "t0 moved past a counted receipt",
                "c_out is not",
                "c_out_opens",
                Box::new(|p, _| p.period.t0 = 141),
            ),
        ),
        (
            1,
            (
                "t1 moved before a counted receipt",
                "c_out is not",
                "c_out_opens",
                Box::new(|p, _| p.period.t1 = 165),
            ),
        ),
        (
            2,
            (
                "t1 moved past an uncounted receipt",
                "not the period's",
                "totals_revealed_at_the_end",
                Box::new(|p, _| p.period.t1 = 185),
            ),
        ),
        (
            1,
            (
                "band edge moved across an amount",
                "c_out is not",
                "c_out_opens",
                Box::new(|p, _| p.period.edges[1] = 1_300),
            ),
        ),
        // Receipts reordered or repeated inside a batch (outputs recomputed).
        (
            1,
            (
                "two receipts swapped",
                "under the root",
                "slot_holds_its_receipt",
                Box::new(|p, w| {
                    w.slots.swap(0, 1);
                    recompute(p, w);
                }),
            ),
        ),
        (
            1,
            (
                "a receipt repeated",
                "under the root",
                "slot_holds_its_receipt",
                Box::new(|p, w| {
                    w.slots[1] = w.slots[0];
                    recompute(p, w);
                }),
            ),
        ),
        (
            0,
            (
                "first batch hands on another batch index",
                "c_out is not",
                "c_out_opens",
                Box::new(|p, w| {
                    let mut s = state_after(&p.period, w);
                    s.next += 1;
                    p.c_out = s.commitment();
                }),
            ),
        ),
    ]
}
