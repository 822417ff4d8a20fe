use super::cases::*;
use super::*;
use crate::statements::PublicInputs as _;

#[test]
fn honest_preview_satisfies_the_relation() {
    let (shape, p, w) = honest(5, 4, 20, 0b101, 99);
    check(&shape, &p, &w).unwrap();
    assert_eq!(p.to_field_elements().len(), shape.num_public_inputs());
    assert!(p
        .samples
        .iter()
        .all(|s| s.index < 20 && s.revealed[1].is_zero() && !s.revealed[0].is_zero()));
}

#[test]
fn indices_are_spread_and_depend_on_the_challenge() {
    let a = sample_indices(Fr::from(1u64), Fr::from(2u64), 1000, 64);
    let b = sample_indices(Fr::from(1u64), Fr::from(3u64), 1000, 64);
    assert_ne!(a, b);
    assert!(a.iter().all(|&i| i < 1000));
    let distinct: std::collections::HashSet<_> = a.iter().collect();
    assert!(distinct.len() > 50);
}

#[test]
fn every_mutation_breaks_the_native_relation() {
    for (name, reason, _, m) in mutations() {
        let (shape, mut p, mut w) = honest(5, 3, 20, 0b101, 7);
        m(&mut p, &mut w);
        match check(&shape, &p, &w) {
            Err(crate::Error::Unsatisfied(r)) => assert!(r.contains(reason), "{name}: {r}"),
            other => panic!("{name}: expected a refusal for {reason:?}, got {other:?}"),
        }
    }
}

#[cfg(feature = "r1cs")]
mod r1cs {
    use super::*;

    fn satisfied(shape: PreviewShape, p: PreviewPublic, w: PreviewWitness) -> (bool, usize) {
        crate::gadgets::satisfied(PreviewCircuit {
            shape,
            public: p,
            witness: w,
        })
    }

    #[test]
    fn honest_preview_satisfies_the_circuit() {
        let (shape, p, w) = honest(5, 2, 20, 0b011, 1);
        let (ok, _) = satisfied(shape, p, w);
        assert!(ok);
    }

    #[test]
    fn every_mutation_breaks_the_circuit() {
        for (name, _, rule, m) in mutations() {
            let (shape, mut p, mut w) = honest(5, 3, 20, 0b101, 7);
            m(&mut p, &mut w);
            let circuit = PreviewCircuit {
                shape,
                public: p,
                witness: w,
            };
            crate::lying::Synthesised::new(circuit).assert_broken_by(rule, name);
        }
    }

    #[test]
    fn full_sample_set_with_duplicates_and_tiny_dataset() {
        // n = 1: every sample is record 0; n = 2^D exactly fills the tree.
        let (shape, p, w) = honest(3, 4, 1, 0b111, 3);
        assert!(p.samples.iter().all(|s| s.index == 0));
        assert!(satisfied(shape, p, w).0);
        let (shape, p, w) = honest(3, 4, 8, 0, 4);
        assert!(satisfied(shape, p, w).0);
    }
}

/// What a lying prover can try against the R1CS circuit itself (`crate::lying`).
#[cfg(feature = "r1cs")]
mod lying_prover {
    use super::*;
    use crate::lying::Synthesised;
    use crate::statements::{PreviewMembership, R1csStatement};

    /// Every bit of a drawn index steers its path: at depth 8 (four levels, where `2 * levels`
    /// padded bits are not `2 + levels`) with a draw past `2^6`, the honest circuit holds only
    /// if the index's high bits steer the path and pick the cap node too.
    #[test]
    fn every_index_bit_steers_the_path_at_depth_8() {
        let (shape, p, w) = (0..)
            .map(|challenge| honest(8, 2, 200, 0b011, challenge))
            .find(|(_, p, _)| p.samples.iter().any(|s| s.index >= 64))
            .expect("a challenge that draws a row past 2^6");
        let s = Synthesised::new(PreviewMembership::circuit(&shape, p, w));
        assert_eq!(s.broken(), None, "the honest circuit holds");
    }

    #[test]
    fn no_witness_variable_is_free() {
        let (shape, p, w) = honest(4, 2, 10, 0b011, 3);
        Synthesised::new(PreviewMembership::circuit(&shape, p, w)).assert_pinned();
    }

    /// A revealed cell enters the leaf as the public value itself: a prover who claims another
    /// value and moves the hidden cell to compensate (`v' = (v + pv') / 2` would do it if the
    /// leaf took `v - b (pv - v)`) still breaks the path to the root.
    #[test]
    fn a_revealed_cell_cannot_be_claimed_otherwise() {
        let (shape, p, w) = honest(4, 2, 10, 0b011, 3);
        let v = w.samples[0].values[0];
        assert_eq!(p.samples[0].revealed[0], v, "column 0 is revealed");
        let s = Synthesised::new(PreviewMembership::circuit(&shape, p, w));
        // Public inputs: C, s, mask, then per sample (idx, 3 revealed values).
        let pv_var = s.input_var(4);
        assert_eq!(s.value(pv_var), v);
        let v_var = s.find(v)[0];
        // The cell's leaf input is `v + b (pv - v)`; `b (pv - v)` is the witness after `v`.
        let product = v_var + 1;
        assert_eq!(s.value(product), Fr::from(0u64));
        let claimed = v + Fr::from(1u64);
        let half = (v + claimed) * ark_ff::Field::inverse(&Fr::from(2u64)).unwrap();
        let broken = s
            .broken_by(&[(pv_var, claimed), (v_var, half), (product, claimed - half)])
            .expect("refused");
        assert!(broken.ends_with(": row_in_tree"), "{broken}");
    }

    /// A circuit whose assignment does not have the shape's lengths is refused before
    /// synthesis, for each length.
    #[test]
    fn an_assignment_of_another_shape_is_refused() {
        use crate::lying::assert_refused_before_synthesis;
        type Edit = Box<dyn Fn(&mut PreviewPublic, &mut PreviewWitness)>;
        let edits: [(&str, Edit); 5] = [
            (
                "public samples",
                Box::new(|p, _| {
                    p.samples.pop();
                }),
            ),
            (
                "witness samples",
                Box::new(|_, w| {
                    w.samples.pop();
                }),
            ),
            (
                "revealed cells",
                Box::new(|p, _| {
                    p.samples[1].revealed.pop();
                }),
            ),
            (
                "cell values",
                Box::new(|_, w| {
                    w.samples[1].values.pop();
                }),
            ),
            (
                "siblings",
                Box::new(|_, w| {
                    w.samples[1].path.siblings.pop();
                }),
            ),
        ];
        for (name, edit) in edits {
            let (shape, mut p, mut w) = honest(4, 2, 10, 0b011, 3);
            edit(&mut p, &mut w);
            assert_refused_before_synthesis(PreviewMembership::circuit(&shape, p, w), name);
        }
    }

    /// `lo = q n + idx` has other decompositions: `(q - 1, idx + n)` keeps the quotient's and
    /// the index's bits, their range checks and the product consistent; only `idx < n` refuses
    /// it, and it must be the first constraint to fail.
    #[test]
    fn the_other_decomposition_of_a_draw_is_refused_by_the_index_bound() {
        let (depth, n) = (4usize, 10u64);
        let (shape, p, w) = honest(depth as u32, 2, n, 0b011, 3);
        let j = (0..2)
            .find(|&j| p.samples[j].index + n < 1 << depth)
            .unwrap();
        let draw = draw_sample(sample_seed(p.commitment, p.challenge), j, n);
        let idx = p.samples[j].index;
        let s = Synthesised::new(PreviewMembership::circuit(&shape, p, w));
        // The layout `synthesize` allocates: q, its 64 bits, idx's D bits, q·n.
        let q_var = match s.find(Fr::from(draw.quotient))[..] {
            [v] => v,
            ref vs => panic!("quotient not unique: {vs:?}"),
        };
        let product = q_var + 65 + depth;
        assert_eq!(s.value(product), Fr::from(draw.quotient) * Fr::from(n));
        // Public inputs: C, s, mask, then per sample (idx, m revealed values).
        let idx_var = s.input_var(3 + j * 4);
        assert_eq!(s.value(idx_var), Fr::from(idx));

        let (q2, idx2) = (draw.quotient - 1, idx + n);
        let mut edits = vec![
            (q_var, Fr::from(q2)),
            (idx_var, Fr::from(idx2)),
            (product, Fr::from(q2) * Fr::from(n)),
        ];
        edits.extend((0..64).map(|b| (q_var + 1 + b, Fr::from((q2 >> b) & 1))));
        edits.extend((0..depth).map(|b| (q_var + 65 + b, Fr::from((idx2 >> b) & 1))));
        let broken = s.broken_by(&edits).expect("refused");
        assert!(broken.contains("index_below_records"), "{broken}");
        // The honest decomposition with only the index's bits changed breaks the index range.
        let broken = s
            .broken_by(&[(q_var + 65, Fr::from(1 - (idx & 1)))])
            .expect("refused");
        assert!(broken.contains("index_range"), "{broken}");
    }
}
