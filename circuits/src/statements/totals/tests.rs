use super::cases::*;
use super::*;
use crate::error::assert_refused;

#[test]
fn a_bad_period_names_what_is_wrong() {
    let shape = TotalsShape { batch: 4, edges: 3 };
    let period = |t0, t1, edges: &[u64]| Period {
        root: Fr::from(1u64),
        seller: 0,
        t0,
        t1,
        bps: 100,
        edges: edges.to_vec(),
    };
    let why = |p: Period| p.check_bounds(&shape).unwrap_err().to_string();
    assert!(period(5, 9, &[1, 2, 3]).check_bounds(&shape).is_ok());
    assert!(why(period(9, 5, &[1, 2, 3])).contains("ends (t1 = 5) before it starts (t0 = 9)"));
    assert!(why(period(5, 9, &[1, 2])).contains("2 band edges given ([1, 2]); the keys are for 3"));
    assert!(why(period(5, 9, &[1, 3, 3])).contains("3 is followed by 3"));
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
    assert_refused(
        next_receipt(Some(&r1), &Sale { time: 49, ..sale }, 250),
        "is before the previous sale's",
    );
    assert_refused(
        next_receipt(Some(&r1), &Sale { amount: 0, ..sale }, 250),
        "a sale of amount 0",
    );
    assert_refused(
        next_receipt(Some(&r1), &Sale { seller: 3, ..sale }, 250),
        "previous receipt is seller 2's, not 3's",
    );
    assert_refused(
        next_receipt(
            Some(&Receipt {
                cum: u64::MAX,
                ..r1
            }),
            &sale,
            250,
        ),
        "running total overflows",
    );
    assert_refused(
        next_receipt(
            None,
            &Sale {
                seller: 1 << 12,
                ..sale
            },
            250,
        ),
        "is not below 2^12",
    );
    assert_refused(
        next_receipt(None, &sale, 10_001),
        "fee rate 10001 bps is above 100%",
    );
    // Sequence numbers exhausted: the last of 2^SEQ_BITS receipts has no successor.
    let full = Receipt {
        seq: (1 << SEQ_BITS) - 1,
        ..r1
    };
    assert_refused(
        next_receipt(Some(&full), &sale, 250),
        "seller 2 has 2^20 receipts already",
    );
    assert_eq!(fee_for(u64::MAX, 10_000), u64::MAX);
}

#[test]
fn chains_hand_on_blinded_totals_and_only_the_last_batch_reveals_them() {
    let mut m = market(10);
    // Seller 1 sells at times 100, 110, ..., 190. Period [130, 170): sales 3..=6.
    let chain = m.chain(&SHAPE, 1, 130, 170);
    assert_eq!(chain.len(), 2, "batches 0 and 1");
    let (p0, w0) = &chain[0];
    let (p1, w1) = &chain[1];
    assert_eq!((w0.batch, w1.batch), (0, 1));
    assert!(p0.first && !p0.last && !p1.first && p1.last);
    assert_eq!(p0.c_in, Fr::zero());
    assert_eq!(p1.c_in, p0.c_out, "linked");
    assert_eq!(p1.c_out, Fr::zero());
    assert_eq!(
        p0.totals,
        PeriodTotals::zero(3),
        "nothing revealed mid-chain"
    );
    let sales = &m.receipts[1][3..7];
    assert_eq!(p1.totals.count, 4);
    assert_eq!(
        p1.totals.amount,
        sales.iter().map(|r| r.amount as u128).sum::<u128>()
    );
    assert_eq!(
        p1.totals.fees,
        sales.iter().map(|r| r.fee as u128).sum::<u128>()
    );
    for (p, w) in &chain {
        check_batch(&SHAPE, p, w).unwrap();
    }
    // A period starting mid-history starts at a later batch, which opens before t0.
    let chain = m.chain(&SHAPE, 1, 175, 1000);
    assert_eq!(
        chain.iter().map(|(_, w)| w.batch).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(chain[0].1.state_in.cum, m.receipts[1][3].cum);
    assert_eq!(chain[1].0.totals.count, 2);
    // An empty period is one zero batch... of the history around it.
    let chain = m.chain(&SHAPE, 1, 0, 50);
    assert_eq!(chain.len(), 1);
    assert!(chain[0].0.first && chain[0].0.last && chain[0].0.totals.count == 0);
}

#[test]
fn every_mutation_breaks_the_relation_and_the_circuit_for_its_reason() {
    let mut mk = market(10);
    let chain = mk.chain(&SHAPE, 1, 130, 180);
    assert_eq!(chain.len(), 3);
    for (k, m) in mutations() {
        crate::statements::assert_mutations_refused::<crate::statements::DisclosureTotals>(
            &SHAPE,
            &chain[k],
            &[m],
        );
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

    /// The period `[0, 0)` of a seller with fewer receipts than a batch: its one batch ends on
    /// an empty slot (time 0, not before t1 = 0), which closes the chain. (Kills the mutant
    /// `closes = !present ^ !in_end`, which would refuse this honest report.)
    #[test]
    fn a_period_ending_at_zero_closes_on_an_empty_slot() {
        let mut mk = market(2);
        let chain = mk.chain(&SHAPE, 1, 0, 0);
        assert_eq!(chain.len(), 1);
        let (p, w) = chain.into_iter().next().unwrap();
        assert!(w.slots[SHAPE.batch - 1].is_none() && p.last);
        check_batch(&SHAPE, &p, &w).unwrap();
        assert!(sat(SHAPE, p, w).0);
    }

    #[test]
    fn honest_chains_satisfy_the_circuit() {
        let mut mk = market(10);
        for (t0, t1) in [
            (130u64, 170u64),
            (130, 210),
            (0, 1000),
            (175, 1000),
            (0, 50),
        ] {
            for (k, (p, w)) in mk.chain(&SHAPE, 1, t0, t1).into_iter().enumerate() {
                assert!(sat(SHAPE, p, w).0, "[{t0}, {t1}) batch {k}");
            }
        }
    }
}

/// What a lying prover can try against the R1CS circuit itself (`crate::lying`).
#[cfg(feature = "r1cs")]
mod lying_prover {
    use super::*;
    use crate::lying::Synthesised;
    use crate::statements::{DisclosureTotals, R1csStatement};

    /// An assignment whose lengths are not the shape's is refused before synthesis, for each
    /// length.
    #[test]
    fn an_assignment_of_another_shape_is_refused() {
        use crate::lying::assert_refused_before_synthesis;
        type Edit = Box<dyn Fn(&mut BatchPublic, &mut BatchWitness)>;
        let edits: [(&str, Edit); 7] = [
            (
                "slots",
                Box::new(|_, w| {
                    w.slots.pop();
                }),
            ),
            (
                "edges",
                Box::new(|p, _| {
                    p.period.edges.pop();
                }),
            ),
            (
                "band counts",
                Box::new(|p, _| {
                    p.totals.band_counts.pop();
                }),
            ),
            (
                "band sums",
                Box::new(|p, _| {
                    p.totals.band_sums.pop();
                }),
            ),
            (
                "input band counts",
                Box::new(|_, w| {
                    w.state_in.totals.band_counts.pop();
                }),
            ),
            (
                "input band sums",
                Box::new(|_, w| {
                    w.state_in.totals.band_sums.pop();
                }),
            ),
            (
                "siblings",
                Box::new(|_, w| {
                    w.path.siblings.pop();
                }),
            ),
        ];
        let mut mk = market(10);
        let honest = mk.chain(&SHAPE, 1, 130, 180).remove(0);
        for (name, edit) in edits {
            let (mut p, mut w) = honest.clone();
            edit(&mut p, &mut w);
            assert_refused_before_synthesis(DisclosureTotals::circuit(&SHAPE, p, w), name);
        }
    }

    /// A period that starts inside a batch other than batch 0: the first batch shows its
    /// start with its own first slot (before `t0`) while its last slot is already inside the
    /// period. (Taking any other slot as that evidence refuses this honest chain.)
    #[test]
    fn a_period_starting_inside_a_later_batch_opens_at_its_first_slot() {
        let mut mk = market(10);
        let chain = mk.chain(&SHAPE, 1, 165, 200);
        assert_eq!(chain[0].1.batch, 1, "starts in batch 1 (times 140..170)");
        for (p, w) in chain {
            let s = Synthesised::new(DisclosureTotals::circuit(&SHAPE, p, w));
            assert_eq!(s.broken(), None);
        }
    }

    /// From three band edges on, the circuit checks their order (`edges_increase`): the band
    /// flags rely on it. Up to two the flags are comparisons that need no order, and the check
    /// would only cost constraints. (Kills the mutants of `edges.len() > 2`.)
    #[test]
    fn band_edges_are_ordered_from_three_on() {
        let mut mk = market(10);
        let (mut p, w) = mk.chain(&SHAPE, 1, 0, 1000).swap_remove(0);
        p.period.edges = vec![500, 1500, 1000];
        let circuit = DisclosureTotals::circuit(&SHAPE, p, w);
        Synthesised::new(circuit).assert_broken_by("edges_increase", "three edges out of order");

        let two = TotalsShape { batch: 4, edges: 2 };
        let (mut p, mut w) = mk
            .chain_with_edges(&two, 1, 0, 1000, &[500, 1000])
            .swap_remove(0);
        p.period.edges = vec![1000, 500];
        recompute(&mut p, &mut w);
        let circuit = Synthesised::new(DisclosureTotals::circuit(&two, p, w));
        assert_eq!(
            circuit.broken(),
            None,
            "two edges need no order in the circuit"
        );
    }

    #[test]
    fn no_witness_variable_is_free() {
        let mut mk = market(10);
        for (p, w) in mk.chain(&SHAPE, 1, 130, 180) {
            Synthesised::new(DisclosureTotals::circuit(&SHAPE, p, w)).assert_pinned();
        }
    }
}
