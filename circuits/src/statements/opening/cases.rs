//! An honest delivery laid out by column, the opening of two sampled records at two revealed
//! columns, and the edits the statement must refuse: the cases every backend's tests run
//! (feature `fixtures`).

use super::*;
use crate::dataset::encrypted::record;
use crate::dataset::{Record, SellerSecret};
use crate::statements::preview::is_revealed;

/// A small delivery: its records, key, nonce and column layout.
#[derive(Clone, Debug)]
pub struct ColumnDelivery {
    /// The dataset key.
    pub key: DatasetKey,
    /// The header's nonce.
    pub nonce: Fr,
    /// Its layout (version 2).
    pub layout: Layout,
    /// The committed records.
    pub records: Vec<Record>,
    /// Per record: its ciphertext.
    pub cipher: Vec<Vec<Fr>>,
}

fn row(cells: &[&str]) -> Record {
    cells.iter().map(|c| c.as_bytes().to_vec()).collect()
}

/// Columns the fixture's preview reveals: `city` and `amount` (bits 1 and 2).
pub const REVEAL_MASK: u64 = 0b0110;
/// The records the fixture's preview samples.
pub const SAMPLED: [u64; 2] = [1, 3];

/// Five sales of four columns (`id, city, amount, note`), encrypted honestly by column: slots of
/// 1, 1, 1 and 3 elements (the note is 75 bytes), so `W = 6` and record 1's revealed elements
/// `1, 2` share a keystream block with the redacted id.
pub fn column_delivery() -> ColumnDelivery {
    let key = SellerSecret(Fr::from(0x0be5u64)).dataset_key("opening-fixture");
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
    let widths = (0..4)
        .map(|c| {
            records
                .iter()
                .map(|r| record::slot_elements(&r[c]))
                .max()
                .unwrap_or(1)
        })
        .collect();
    let layout = Layout::Columns(widths);
    let nonce = Fr::from(0x0d16u64);
    let ek = EncryptionKey::derive(&key, nonce);
    let cipher = records
        .iter()
        .enumerate()
        .map(|(i, r)| ek.encrypt(i as u64, &layout.encode(r).expect("the fixture fits")))
        .collect();
    ColumnDelivery {
        key,
        nonce,
        layout,
        records,
        cipher,
    }
}

impl ColumnDelivery {
    /// The shape of an opening of `samples` records.
    pub fn shape(&self, samples: usize) -> OpeningShape {
        OpeningShape {
            samples,
            elements: self.layout.width() as u32,
        }
    }

    /// The opening of [`SAMPLED`] at [`REVEAL_MASK`].
    pub fn opening(&self) -> (OpeningShape, OpeningPublic, OpeningWitness) {
        let reveal = reveal_bits(&self.layout, REVEAL_MASK).expect("a column layout");
        let (p, w) = opening(&self.key, self.nonce, &reveal, &SAMPLED);
        (self.shape(SAMPLED.len()), p, w)
    }

    /// What a verifier reads of sample `j`'s revealed columns: `(column, cell bytes)`, or the
    /// column whose slot decodes to no cell.
    pub fn read(
        &self,
        p: &OpeningPublic,
        j: usize,
    ) -> std::result::Result<Vec<(usize, Vec<u8>)>, usize> {
        let s = &p.samples[j];
        let x = open(&self.cipher[s.index as usize], s);
        let Layout::Columns(widths) = &self.layout else {
            unreachable!("a column layout")
        };
        let mut out = Vec::new();
        for c in 0..widths.len() {
            if !is_revealed(REVEAL_MASK, c) {
                continue;
            }
            let range = self.layout.column_range(c).expect("a column");
            let cell = record::decode(&x[range], 1).map_err(|_| c)?;
            out.push((c, cell.into_iter().next().unwrap_or_default()));
        }
        Ok(out)
    }
}

/// The honest opening of the fixture.
pub fn honest_opening() -> (OpeningShape, OpeningPublic, OpeningWitness) {
    column_delivery().opening()
}

/// An edit of an honest opening.
pub type OpeningMutation = crate::statements::Mutation<CiphertextOpening>;

/// Each must break the relation and circuit, each for its stated reason.
pub fn opening_mutations() -> Vec<OpeningMutation> {
    let one = Fr::from(1u64);
    vec![
        (
            "another key with its own key id",
            "the key is not the listing's",
            "key_is_the_listings",
            Box::new(|_, w| w.key = SellerSecret(Fr::from(9u64)).dataset_key("opening-fixture")),
        ),
        (
            "a listing's key id for another key",
            "the key is not the listing's",
            "key_is_the_listings",
            Box::new(move |p, _| p.key_id += one),
        ),
        (
            "an edited opened element",
            "the opened keystream is not record",
            "opened_keystream",
            Box::new(move |p, _| p.samples[0].keystream[1] += one),
        ),
        (
            "the last sample's element edited",
            "the opened keystream is not record",
            "opened_keystream",
            Box::new(move |p, _| p.samples[1].keystream[2] += one),
        ),
        (
            "a redacted element's keystream published",
            "the opened keystream is not record",
            "opened_keystream",
            Box::new(|p, w| {
                let ek = EncryptionKey::derive(&w.key, p.nonce);
                p.samples[0].keystream[0] = ek.block(p.samples[0].index, 0)[0];
            }),
        ),
        (
            "another record's index",
            "the opened keystream is not record",
            "opened_keystream",
            Box::new(|p, _| p.samples[0].index += 1),
        ),
        (
            "another delivery's nonce",
            "the opened keystream is not record",
            "opened_keystream",
            Box::new(move |p, _| p.nonce += one),
        ),
        (
            "a redacted element marked revealed",
            "the opened keystream is not record",
            "opened_keystream",
            Box::new(|p, _| p.reveal[0] = true),
        ),
    ]
}
