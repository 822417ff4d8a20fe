use super::cases::*;
use super::*;
use crate::statements::{Shape, Statement};

#[test]
fn the_honest_opening_holds_and_reads_back_the_revealed_cells() {
    let d = column_delivery();
    let (shape, p, w) = d.opening();
    CiphertextOpening::check(&shape, &p, &w).unwrap();
    assert_eq!(shape.id(), "ciphertext-opening-k2-w6");
    assert_eq!(p.reveal, [false, true, true, false, false, false]);
    for (j, &i) in SAMPLED.iter().enumerate() {
        let got = d.read(&p, j).unwrap();
        let want: Vec<(usize, Vec<u8>)> = [1, 2]
            .iter()
            .map(|&c| (c, d.records[i as usize][c].clone()))
            .collect();
        assert_eq!(got, want, "sample {j}");
        // Nothing of a redacted column is published.
        for t in [0, 3, 4, 5] {
            assert_eq!(
                p.samples[j].keystream[t],
                Fr::zero(),
                "sample {j}, element {t}"
            );
        }
    }
}

#[test]
fn a_switched_revealed_cell_does_not_read_back() {
    let mut d = column_delivery();
    let (_, p, _) = d.opening();
    let ek = EncryptionKey::derive(&d.key, d.nonce);
    let mut other = d.records[3].clone();
    other[1] = b"Rome".to_vec();
    d.cipher[3] = ek.encrypt(3, &d.layout.encode(&other).unwrap());
    let got = d.read(&p, 1).unwrap();
    assert_eq!(got[0], (1, b"Rome".to_vec()));
    assert_ne!(got[0].1, d.records[3][1]);
}

#[test]
fn a_packed_layout_cannot_be_opened_by_column() {
    assert_eq!(
        reveal_bits(
            &Layout::Packed {
                width: 3,
                columns: 4
            },
            0b10
        ),
        None
    );
    assert_eq!(
        reveal_bits(&Layout::Columns(vec![2, 1]), 0b10),
        Some(vec![false, false, true])
    );
}

#[test]
fn the_public_inputs_are_in_statement_order() {
    let (shape, p, _) = honest_opening();
    let v = p.to_field_elements();
    let w = shape.elements as usize;
    assert_eq!(v.len(), 2 + w + shape.samples * (1 + w));
    assert_eq!(
        (v[0], v[1], v[3], v[2 + w], v[4 + w], v[3 + 2 * w]),
        (
            p.key_id,
            p.nonce,
            Fr::from(1u64),
            Fr::from(SAMPLED[0]),
            p.samples[0].keystream[1],
            Fr::from(SAMPLED[1])
        )
    );
}

#[test]
fn shapes_are_bounded_and_the_lengths_checked() {
    for (samples, elements) in [(0, 4), (65, 4), (1, 0), (1, 1025)] {
        assert!(OpeningShape { samples, elements }.validate().is_err());
    }
    let (shape, mut p, w) = honest_opening();
    p.reveal.pop();
    assert!(matches!(
        CiphertextOpening::check(&shape, &p, &w),
        Err(Error::InvalidParameter(_))
    ));
}

#[cfg(feature = "r1cs")]
#[test]
fn every_rule_has_a_lying_prover_that_breaks_it() {
    let (shape, p, w) = honest_opening();
    crate::statements::assert_mutations_refused::<CiphertextOpening>(
        &shape,
        &(p, w),
        &opening_mutations(),
    );
}

/// Booleanity: a reveal "bit" of 2 with keystream `2 ks` published at every sample satisfies
/// `e = r ks`; only `reveal_bits_are_boolean` stops it (it would publish `2 ks`, from which
/// `ks` and the redacted cell follow).
#[cfg(feature = "r1cs")]
#[test]
fn a_reveal_bit_of_two_is_refused_by_booleanity() {
    use crate::lying::Synthesised;
    use crate::statements::R1csStatement;
    let (shape, p, w) = honest_opening();
    let s = Synthesised::new(CiphertextOpening::circuit(&shape, p.clone(), w));
    s.assert_pinned();
    let ek = EncryptionKey::derive(&w.key, p.nonce);
    let width = shape.elements as usize;
    let two = Fr::from(2u64);
    let mut edits = vec![(s.input_var(2), two)];
    for (j, sample) in p.samples.iter().enumerate() {
        let e = s.input_var(2 + width + j * (1 + width) + 1);
        edits.push((e, two * ek.block(sample.index, 0)[0]));
    }
    let broken = s.broken_by(&edits).expect("refused");
    assert!(broken.ends_with("reveal_bits_are_boolean"), "{broken}");
}
