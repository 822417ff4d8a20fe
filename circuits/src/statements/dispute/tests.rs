use super::cases::*;
use super::*;
use crate::dataset::encrypted::{record, Malformed};
use crate::statements::{Shape, Statement};

#[test]
fn an_honest_delivery_cannot_be_disputed_at_any_record() {
    let d = honest_delivery();
    assert_eq!(d.width, 4, "the fixture spans two keystream blocks");
    for i in 0..d.records.len() {
        let (p, w) = d.dispute(i);
        // The decryption proof exists (it is a true statement) ...
        DeliveryDispute::check(&d.shape(), &p, &w).unwrap();
        // ... but it convicts no one.
        assert_eq!(d.judge(i), None, "record {i}");
    }
}

#[test]
fn a_switched_row_is_convicted_at_its_index_only() {
    let d = honest_delivery().switched(3, &["4", "Porto", "4510.00", ""]);
    for i in 0..d.records.len() {
        let expected = (i == 3).then_some(Inconsistency::WrongLeaf);
        assert_eq!(d.judge(i), expected, "record {i}");
    }
}

#[test]
fn a_ciphertext_that_decrypts_to_no_record_is_convicted_as_malformed() {
    let mut d = honest_delivery();
    // Random-looking ciphertext: its decryption is an element of 2^248 or more (almost surely).
    d.sealed[1].1[0] += Fr::from(u64::MAX);
    match d.judge(1) {
        Some(Inconsistency::Malformed(_)) | Some(Inconsistency::WrongLeaf) => {}
        None => panic!("a garbled record was not convicted"),
    }
    // A trailing non-zero byte after the last cell.
    let mut d = honest_delivery();
    let (_, w) = d.dispute(0);
    let mut x = record::encode(&d.records[0], d.width).unwrap();
    let last = x.len() - 1;
    x[last] += Fr::from(1u64);
    d.sealed[0].1 = EncryptionKey::derive(&w.key, d.nonce).encrypt(0, &x);
    assert!(matches!(
        d.judge(0),
        Some(Inconsistency::Malformed(Malformed::TrailingBytes { .. }))
    ));
}

#[test]
fn the_public_inputs_are_in_statement_order() {
    let (shape, p, _) = honest_dispute();
    let v = p.to_field_elements();
    let w = shape.elements as usize;
    assert_eq!(v.len(), 4 + 2 * w);
    assert_eq!(
        (v[0], v[1], v[2], v[3 + w], v[3 + 2 * w]),
        (p.key_id, p.nonce, Fr::from(p.index), p.plain[0], p.salt)
    );
}

#[test]
fn shapes_are_bounded_and_the_lengths_checked() {
    assert!(DisputeShape { elements: 0 }.validate().is_err());
    assert!(DisputeShape {
        elements: MAX_ELEMENTS + 1
    }
    .validate()
    .is_err());
    assert_eq!(DisputeShape { elements: 4 }.id(), "delivery-dispute-w4");
    let (shape, mut p, w) = honest_dispute();
    p.plain.pop();
    assert!(matches!(
        DeliveryDispute::check(&shape, &p, &w),
        Err(Error::InvalidParameter(_))
    ));
}

#[cfg(feature = "r1cs")]
#[test]
fn every_rule_has_a_lying_prover_that_breaks_it() {
    let (shape, p, w) = honest_dispute();
    crate::statements::assert_mutations_refused::<DeliveryDispute>(
        &shape,
        &(p, w),
        &dispute_mutations(),
    );
}
