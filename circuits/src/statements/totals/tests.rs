use super::*;
use crate::merkle::sparse::{MemoryNodes, SparseTree};
use rand::SeedableRng;

pub(crate) struct Market {
    pub tree: SparseTree,
    pub nodes: MemoryNodes,
    pub receipts: Vec<Vec<Receipt>>, // per seller
    pub root: Fr,
}

pub(crate) const BPS: u64 = 250;

/// Three sellers with `n` sales each, times 100, 110, 120, ...
pub(crate) fn market(n: u64) -> Market {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(n);
    let tree = SparseTree::new(RECEIPT_DEPTH);
    let mut nodes = MemoryNodes::default();
    let mut receipts = vec![vec![]; 3];
    let mut root = tree.root(&mut nodes).unwrap();
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
            let r = next_receipt(receipts[s as usize].last(), &sale, BPS).unwrap();
            root = tree.set_leaf(&mut nodes, r.index(), r.note()).unwrap();
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
    pub(crate) fn batch(
        &mut self,
        shape: &TotalsShape,
        seller: u64,
        j: u64,
        t0: u64,
        t1: u64,
    ) -> (BatchPublic, BatchWitness) {
        let b = shape.batch as u64;
        let rs = &self.receipts[seller as usize];
        let slots: Vec<Option<Receipt>> = (j * b..(j + 1) * b)
            .map(|q| rs.get(q as usize).copied())
            .collect();
        let cum_in = if j == 0 {
            0
        } else {
            rs.get((j * b - 1) as usize).map(|r| r.cum).unwrap_or(0)
        };
        let path = self
            .tree
            .path(
                &mut self.nodes,
                shape.height(),
                (seller << (SEQ_BITS - shape.height())) | j,
            )
            .unwrap();
        let period = Period {
            root: self.root,
            seller,
            t0,
            t1,
            bps: BPS,
            edges: vec![500, 1000, 1500],
        };
        build_batch(shape, &period, j, cum_in, slots, path).unwrap()
    }
}

#[test]
fn settlement_rules() {
    let sale = Sale {
        listing: Fr::from(1u64),
        seller: 2,
        buyer_tag: Fr::from(3u64),
        amount: 999,
        time: 50,
        salt: Fr::from(4u64),
    };
    let r0 = next_receipt(None, &sale, 250).unwrap();
    assert_eq!((r0.seq, r0.cum, r0.fee), (0, 999, 24));
    let r1 = next_receipt(
        Some(&r0),
        &Sale {
            amount: 1,
            time: 50,
            ..sale
        },
        250,
    )
    .unwrap();
    assert_eq!((r1.seq, r1.cum, r1.fee), (1, 1000, 0));
    assert!(
        next_receipt(Some(&r1), &Sale { time: 49, ..sale }, 250).is_err(),
        "time backwards"
    );
    assert!(
        next_receipt(Some(&r1), &Sale { amount: 0, ..sale }, 250).is_err(),
        "zero amount"
    );
    assert!(
        next_receipt(Some(&r1), &Sale { seller: 3, ..sale }, 250).is_err(),
        "other seller's chain"
    );
    assert!(
        next_receipt(
            Some(&Receipt {
                cum: u64::MAX,
                ..r1
            }),
            &sale,
            250
        )
        .is_err(),
        "overflow"
    );
    assert!(
        next_receipt(
            None,
            &Sale {
                seller: 1 << 12,
                ..sale
            },
            250
        )
        .is_err(),
        "seller id range"
    );
    assert!(
        next_receipt(None, &sale, 10_001).is_err(),
        "rate above 100%"
    );
    assert_eq!(fee_for(u64::MAX, 10_000), u64::MAX);
}

#[test]
fn batches_hold_and_report_the_right_totals() {
    let mut m = market(10);
    let shape = TotalsShape { batch: 4, edges: 3 };
    // Seller 1, period [130, 170): sales k = 3..6 (times 130..160).
    let (p0, w0) = m.batch(&shape, 1, 0, 130, 170);
    let (p1, w1) = m.batch(&shape, 1, 1, 130, 170);
    let (p2, w2) = m.batch(&shape, 1, 2, 130, 170);
    check_batch(&shape, &p0, &w0).unwrap();
    check_batch(&shape, &p2, &w2).unwrap();
    assert_eq!(p0.count + p1.count + p2.count, 4);
    let want: u128 = m.receipts[1][3..7].iter().map(|r| r.amount as u128).sum();
    assert_eq!(p0.amount + p1.amount + p2.amount, want);
    // Batch 0 starts before the period (time 100 < 130); batch 1 ends at time 170 >= 170.
    assert!(p0.opens && !p1.opens && !p2.opens);
    assert!(!p0.closes && p1.closes && p2.closes);
    assert_eq!(
        (p0.cum_out, p1.cum_in),
        (m.receipts[1][3].cum, m.receipts[1][3].cum)
    );
    assert_eq!(p2.present, 2); // receipts 8 and 9, then two empty slots
    let _ = w1;
}

pub(crate) type Mutation = (
    &'static str,
    Box<dyn Fn(&mut BatchPublic, &mut BatchWitness)>,
);

/// Each must break the relation and the circuit (batch 1 of seller 1, period [130, 170)).
pub(crate) fn mutations() -> Vec<Mutation> {
    let amount_plus = |p: &mut BatchPublic, w: &mut BatchWitness| {
        if let Some(r) = w.slots[0].as_mut() {
            r.amount += 1;
        }
        *p = batch_outputs(p, w);
    };
    vec![
        ("forged total", Box::new(|p, _| p.amount += 1)),
        ("forged count", Box::new(|p, _| p.count -= 1)),
        ("forged fees", Box::new(|p, _| p.fees += 1)),
        ("forged band", Box::new(|p, _| p.band_counts[0] += 1)),
        ("amount edited (totals recomputed)", Box::new(amount_plus)),
        (
            "fee edited",
            Box::new(|p, w| {
                if let Some(r) = w.slots[1].as_mut() {
                    r.fee += 1;
                }
                *p = batch_outputs(p, w);
            }),
        ),
        (
            "receipt dropped (slot emptied)",
            Box::new(|p, w| {
                w.slots[2] = None;
                *p = batch_outputs(p, w);
            }),
        ),
        ("other seller", Box::new(|p, _| p.period.seller = 2)),
        ("other batch index", Box::new(|p, _| p.batch = 2)),
        (
            "other root",
            Box::new(|p, _| p.period.root += Fr::from(1u64)),
        ),
        (
            "receipt outside the period counted in",
            Box::new(|p, w| {
                // Totals computed as if the period ran to 180 (counting the sale at 170), claimed for [130, 170).
                let t1 = p.period.t1;
                p.period.t1 = 180;
                *p = batch_outputs(p, w);
                p.period.t1 = t1;
            }),
        ),
        ("closes claimed", Box::new(|p, _| p.closes = !p.closes)),
        ("opens claimed", Box::new(|p, _| p.opens = !p.opens)),
        ("cum_in edited", Box::new(|p, _| p.cum_in += 1)),
        ("rate edited", Box::new(|p, _| p.period.bps += 1)),
    ]
}

#[test]
fn every_mutation_breaks_the_relation() {
    for (name, m) in mutations() {
        let mut mk = market(10);
        let shape = TotalsShape { batch: 4, edges: 3 };
        let (mut p, mut w) = mk.batch(&shape, 1, 1, 130, 170);
        m(&mut p, &mut w);
        assert!(check_batch(&shape, &p, &w).is_err(), "{name} accepted");
    }
}

#[cfg(feature = "r1cs")]
mod r1cs {
    use super::*;

    fn sat(shape: TotalsShape, p: BatchPublic, w: BatchWitness) -> (bool, usize) {
        crate::gadgets::satisfied(TotalsCircuit {
            shape,
            public: p,
            witness: w,
        })
    }

    #[test]
    fn honest_batches_satisfy_and_mutations_do_not() {
        let shape = TotalsShape { batch: 4, edges: 3 };
        let mut mk = market(10);
        for (j, t0, t1) in [
            (0u64, 130u64, 170u64),
            (1, 130, 170),
            (2, 130, 170),
            (0, 0, 1000),
            (5, 0, 1000),
        ] {
            let (p, w) = mk.batch(&shape, 1, j, t0, t1);
            assert!(sat(shape, p, w).0, "batch {j}");
        }
        for (name, m) in mutations() {
            let (mut p, mut w) = mk.batch(&shape, 1, 1, 130, 170);
            m(&mut p, &mut w);
            assert!(!sat(shape, p, w).0, "{name} satisfied the circuit");
        }
    }

    #[test]
    fn constraints_per_receipt() {
        let count = |b| {
            sat(
                TotalsShape { batch: b, edges: 3 },
                TotalsCircuit::blank(TotalsShape { batch: b, edges: 3 }).public,
                TotalsCircuit::blank(TotalsShape { batch: b, edges: 3 }).witness,
            )
            .1
        };
        // Pinned: B = 4 and 8 with 3 band edges; each receipt adds ~1,964 constraints.
        assert_eq!((count(4), count(8)), (BATCH_4, BATCH_4 + 7858));
    }

    const BATCH_4: usize = 16145;
}
