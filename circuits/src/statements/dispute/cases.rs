//! An honest delivery with one record switched, the dispute about it, and the edits the
//! statement must refuse: the cases every backend's tests run (feature `fixtures`).

use super::*;
use crate::dataset::encrypted::record;
use crate::dataset::{leaf, Record, SellerSecret};

/// A small delivery: its records, key, nonce, each record's published leaf and ciphertext.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The dataset key.
    pub key: DatasetKey,
    /// The header's nonce.
    pub nonce: Fr,
    /// Elements per record.
    pub width: usize,
    /// Columns.
    pub columns: usize,
    /// The committed records.
    pub records: Vec<Record>,
    /// Per record: the published leaf and the ciphertext.
    pub sealed: Vec<(Fr, Vec<Fr>)>,
}

fn row(cells: &[&str]) -> Record {
    cells.iter().map(|c| c.as_bytes().to_vec()).collect()
}

/// Five sales of four columns, encrypted honestly: four elements per record, so a
/// dispute spans two keystream blocks, the second partly used.
pub fn honest_delivery() -> Delivery {
    let key = SellerSecret(Fr::from(0x5e11u64)).dataset_key("dispute-fixture");
    let note = "paid by card at the counter; delivery next working day; invoice by e-mail";
    let records: Vec<Record> = [
        ["1", "Krakow", "120.50", note],
        ["2", "Lyon", "80.00", "cash"],
        ["3", "Oslo", "310.25", note],
        ["4", "Porto", "45.10", ""],
        ["5", "Gdansk", "99.99", note],
    ]
    .iter()
    .map(|r| row(r))
    .collect();
    let width = records.iter().map(record::elements_for).max().unwrap_or(1);
    let nonce = Fr::from(0x0d15u64);
    let ek = EncryptionKey::derive(&key, nonce);
    let sealed = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let x = record::encode(r, width).expect("the fixture's width fits");
            (leaf(&key, i as u64, r), ek.encrypt(i as u64, &x))
        })
        .collect();
    Delivery {
        key,
        nonce,
        width,
        columns: 4,
        records,
        sealed,
    }
}

impl Delivery {
    /// Its dispute shape.
    pub fn shape(&self) -> DisputeShape {
        DisputeShape {
            elements: self.width as u32,
        }
    }

    /// The same delivery with record `index`'s ciphertext replaced by an encryption of `cells`
    /// (its published leaf kept): the bait and switch.
    pub fn switched(&self, index: usize, cells: &[&str]) -> Delivery {
        let mut d = self.clone();
        let x = record::encode(&row(cells), self.width).expect("the switched row fits");
        d.sealed[index].1 = EncryptionKey::derive(&self.key, self.nonce).encrypt(index as u64, &x);
        d
    }

    /// The dispute about record `index`.
    pub fn dispute(&self, index: usize) -> (DisputePublic, DisputeWitness) {
        disputed(&self.key, self.nonce, index as u64, &self.sealed[index].1)
    }

    /// [`judge`] on record `index`'s dispute.
    pub fn judge(&self, index: usize) -> Option<Inconsistency> {
        let (p, _) = self.dispute(index);
        judge(
            p.index,
            &p.plain,
            p.salt,
            self.sealed[index].0,
            &Layout::Packed {
                width: self.width,
                columns: self.columns,
            },
        )
    }
}

/// A dispute against record 2 of a delivery that switched it.
pub fn honest_dispute() -> (DisputeShape, DisputePublic, DisputeWitness) {
    let d = honest_delivery().switched(2, &["3", "Oslo", "999.99", "cash"]);
    let (p, w) = d.dispute(2);
    (d.shape(), p, w)
}

/// An edit of an honest dispute.
pub type DisputeMutation = crate::statements::Mutation<DeliveryDispute>;

/// Each must break the dispute relation and circuit, each for its stated reason.
pub fn dispute_mutations() -> Vec<DisputeMutation> {
    let one = Fr::from(1u64);
    vec![
        (
            "another key with its own key id",
            "the key is not the listing's",
            "key_is_the_listings",
            Box::new(|_, w| w.key = SellerSecret(Fr::from(9u64)).dataset_key("dispute-fixture")),
        ),
        (
            "a listing's key id for another key",
            "the key is not the listing's",
            "key_is_the_listings",
            Box::new(move |p, _| p.key_id += one),
        ),
        (
            "an edited plaintext element",
            "the plaintext is not the ciphertext's decryption",
            "plaintext_is_the_decryption",
            Box::new(move |p, _| p.plain[0] += one),
        ),
        (
            "the last plaintext element edited",
            "the plaintext is not the ciphertext's decryption",
            "plaintext_is_the_decryption",
            Box::new(move |p, _| {
                let last = p.plain.len() - 1;
                p.plain[last] += one
            }),
        ),
        (
            "another record's index",
            "the plaintext is not the ciphertext's decryption",
            "plaintext_is_the_decryption",
            Box::new(|p, _| p.index += 1),
        ),
        (
            "another delivery's nonce",
            "the plaintext is not the ciphertext's decryption",
            "plaintext_is_the_decryption",
            Box::new(move |p, _| p.nonce += one),
        ),
        (
            "another record's salt",
            "the salt is not the record's",
            "salt_of_the_record",
            Box::new(|p, w| p.salt = crate::dataset::row_salt(&w.key, p.index + 1)),
        ),
    ]
}
