//! The audit's files: `report.json` (a chain of batch proofs over one seller's receipts for a
//! period), `aggregate.json` (the batches folded into one halo2 proof) and `opening.json` (one
//! disclosed receipt), and the totals they carry. Their verification is in [`crate::totals`].

use crate::proof::ProofEnvelope;
use crate::{Result, VerifyError};
use ark_ff::{BigInteger, PrimeField, Zero};
use serde::{Deserialize, Serialize};
use veil_circuits::field::to_hex;
use veil_circuits::statements::totals::{BatchPublic, Period, PeriodTotals, TotalsShape};
use veil_circuits::statements::PublicInputs as _;
use veil_circuits::Fr;

/// Report format version. Version 1 reports revealed each batch's sums and running totals; they
/// are refused.
pub const REPORT_VERSION: u32 = 2;

/// An audit report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Format version.
    pub veil: u32,
    /// Always `"totals-report"`.
    pub kind: String,
    /// Root, seller, period, fee rate and band edges every batch must share.
    pub period: Period,
    /// Slots per batch.
    pub batch: usize,
    /// The batch proofs, in order.
    pub batches: Vec<ProofEnvelope>,
}

/// What a verified report establishes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Totals {
    /// Sales in the period.
    pub count: u64,
    /// Their total amount.
    pub amount: u128,
    /// Their total fees.
    pub fees: u128,
    /// Per band (`[0, e1), [e1, e2), ..., [eE, inf)`): count.
    pub band_counts: Vec<u64>,
    /// Per band: amount.
    pub band_sums: Vec<u128>,
    /// Batches checked.
    pub batches: usize,
}

/// One price band of a period's totals: `[from, to)`, `to` none for the last (unbounded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Band {
    /// Its lower edge (inclusive).
    pub from: u64,
    /// Its upper edge (exclusive); none for the last band.
    pub to: Option<u64>,
    /// Sales in it.
    pub count: u64,
    /// Their amount.
    pub amount: u128,
}

impl Totals {
    /// The bands `[0, e1), [e1, e2), ..., [eE, inf)` of `edges` with their counts and amounts.
    pub fn bands(&self, edges: &[u64]) -> Vec<Band> {
        let mut from = 0u64;
        self.band_counts
            .iter()
            .zip(&self.band_sums)
            .enumerate()
            .map(|(k, (&count, &amount))| {
                let to = edges.get(k).copied();
                let band = Band {
                    from,
                    to,
                    count,
                    amount,
                };
                from = to.unwrap_or(from);
                band
            })
            .collect()
    }
}

impl Report {
    /// Parses a report.
    pub fn from_json(text: &str) -> Result<Self> {
        let h = veil_circuits::format::header(text)?;
        if h.kind.as_deref() == Some("totals-report") && h.version == Some(1) {
            return Err(VerifyError::Malformed(
                "report: a version-1 report, which revealed every batch's running totals; \
                 this build verifies version 2 only: ask the seller to prove the period again"
                    .into(),
            ));
        }
        Ok(veil_circuits::format::parse(
            text,
            Some("totals-report"),
            REPORT_VERSION..=REPORT_VERSION,
        )?)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("reports serialise") + "\n"
    }

    /// The batch circuit's shape.
    pub fn shape(&self) -> TotalsShape {
        TotalsShape {
            batch: self.batch,
            edges: self.period.edges.len(),
        }
    }
}

pub(crate) fn int(x: &Fr, bits: u64, what: &str) -> Result<u128> {
    let b = x.into_bigint();
    if b.num_bits() as u64 > bits {
        return Err(VerifyError::Malformed(format!(
            "{what} does not fit {bits} bits"
        )));
    }
    let l = b.as_ref();
    Ok(l[0] as u128 | (l[1] as u128) << 64)
}

/// Reads `count, amount, fees, band_counts.., band_sums..` (in circuit order, `e` edges).
pub(crate) fn period_totals(t: &[Fr], e: usize) -> Result<PeriodTotals> {
    let u = |i: usize, w: &str| int(&t[i], 64, w).map(|v| v as u64);
    let big = |i: usize, w: &str| int(&t[i], 100, w);
    Ok(PeriodTotals {
        count: u(0, "count")?,
        amount: big(1, "amount")?,
        fees: big(2, "fees")?,
        band_counts: (0..=e)
            .map(|k| u(3 + k, "band count"))
            .collect::<Result<_>>()?,
        band_sums: (0..=e)
            .map(|k| big(4 + e + k, "band sum"))
            .collect::<Result<_>>()?,
    })
}

/// Aggregated-report format version.
pub const AGGREGATE_VERSION: u32 = 1;
/// The `kind` of an aggregated report.
pub const AGGREGATE_KIND: &str = "totals-aggregate";

/// Public inputs before the period's values in an aggregated report: the folded KZG
/// accumulator, two G1 points as `4 × 3` limbs of 88 bits.
pub const ACCUMULATOR_LIMBS: usize = 12;

/// `aggregate.json`: a period's batch proofs folded into one halo2 proof (`docs/halo2.md`).
///
/// ```json
/// { "veil": 1, "kind": "totals-aggregate", "backend": "halo2-kzg-bn254",
///   "period": { .. }, "batch": 16, "batches": 3, "k": 18, "vk_sha256": "..",
///   "public_inputs": ["0x..", ..], "proof": ".." }
/// ```
///
/// Public inputs: the accumulator ([`ACCUMULATOR_LIMBS`]), then `root, seller, t0, t1, bps,
/// edges..`, then the period's `count, amount, fees, band_counts.., band_sums..`. No batch's
/// own values are in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateReport {
    /// Format version, [`AGGREGATE_VERSION`].
    pub veil: u32,
    /// Always `"totals-aggregate"`.
    pub kind: String,
    /// Always [`crate::proof::HALO2`].
    pub backend: String,
    /// Root, seller, period, fee rate and band edges of every batch folded.
    pub period: Period,
    /// Slots per batch.
    pub batch: usize,
    /// Batches folded.
    pub batches: usize,
    /// `log2` of the aggregation circuit's rows.
    pub k: u32,
    /// SHA-256 of the aggregation circuit's verifying key (halo2 raw bytes), hex.
    pub vk_sha256: String,
    /// Public inputs in order.
    #[serde(with = "veil_circuits::field::serde_hex_vec")]
    pub public_inputs: Vec<Fr>,
    /// The proof, hex (SHPLONK, Blake2b transcript).
    pub proof: String,
}

impl AggregateReport {
    /// Parses an aggregated report, strictly.
    pub fn from_json(text: &str) -> Result<Self> {
        Ok(veil_circuits::format::parse(
            text,
            Some(AGGREGATE_KIND),
            AGGREGATE_VERSION..=AGGREGATE_VERSION,
        )?)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("reports serialise") + "\n"
    }

    /// The batch circuit's shape.
    pub fn shape(&self) -> TotalsShape {
        TotalsShape {
            batch: self.batch,
            edges: self.period.edges.len(),
        }
    }

    /// The proof's bytes.
    pub fn proof_bytes(&self) -> Result<Vec<u8>> {
        hex::decode(&self.proof)
            .map_err(|e| VerifyError::Malformed(format!("the aggregate's proof is not hex: {e}")))
    }

    /// Reads the period and its totals from the public inputs, checking the period is the one
    /// the report names. What the outer proof binds is exactly what this returns.
    pub fn totals(&self) -> Result<Totals> {
        let e = self.period.edges.len();
        let x = &self.public_inputs;
        let want = ACCUMULATOR_LIMBS + 5 + e + 3 + 2 * (e + 1);
        if x.len() != want {
            return Err(VerifyError::Malformed(format!(
                "{} public inputs, expected {want}",
                x.len()
            )));
        }
        let period = &x[ACCUMULATOR_LIMBS..ACCUMULATOR_LIMBS + 5 + e];
        let named = BatchPublic {
            period: self.period.clone(),
            first: true,
            last: true,
            c_in: Fr::zero(),
            c_out: Fr::zero(),
            totals: PeriodTotals::zero(e),
        }
        .to_field_elements();
        if period != &named[..5 + e] {
            return Err(VerifyError::Mismatch(
                "the aggregate's proof is for another root, seller, period, rate or bands than \
                 its report names"
                    .into(),
            ));
        }
        let t = period_totals(&x[ACCUMULATOR_LIMBS + 5 + e..], e)?;
        Ok(Totals {
            count: t.count,
            amount: t.amount,
            fees: t.fees,
            band_counts: t.band_counts,
            band_sums: t.band_sums,
            batches: self.batches,
        })
    }
}

/// Receipt-opening format version: 2 holds a receipt noted in protocol version 3's packed
/// encoding; 1 (still read and checked) one noted in version 2's ten-field encoding.
pub const OPENING_VERSION: u32 = 2;

/// `opening.json`: one disclosed receipt and its path (selective disclosure to one auditor).
///
/// ```json
/// { "veil": 2, "kind": "receipt-opening", "receipt": { "seller": 7, "seq": 3, ... },
///   "index": .., "path": ["0x..", ...], "root": "0x.." }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptOpening {
    /// Format version, [`OPENING_VERSION`].
    pub veil: u32,
    /// Always `"receipt-opening"`.
    pub kind: String,
    /// The receipt, in the clear.
    pub receipt: veil_circuits::statements::totals::Receipt,
    /// Its leaf in the receipt tree.
    pub index: u64,
    /// Siblings from the leaf up.
    #[serde(with = "veil_circuits::field::serde_hex_vec")]
    pub path: Vec<Fr>,
    /// The root the path leads to.
    #[serde(with = "veil_circuits::field::serde_hex")]
    pub root: Fr,
}

impl ReceiptOpening {
    /// The opening of `receipt` at `path` under `root`.
    pub fn new(
        receipt: veil_circuits::statements::totals::Receipt,
        path: veil_circuits::merkle::MerklePath,
        root: Fr,
    ) -> Self {
        ReceiptOpening {
            veil: OPENING_VERSION,
            kind: "receipt-opening".into(),
            receipt,
            index: path.index,
            path: path.siblings,
            root,
        }
    }

    /// Parses an opening, strictly.
    pub fn from_json(text: &str) -> Result<Self> {
        Ok(veil_circuits::format::parse(
            text,
            Some("receipt-opening"),
            1..=OPENING_VERSION,
        )?)
    }

    /// Checks the opening against the root the auditor trusts; returns the receipt.
    pub fn check(&self, root: Fr) -> Result<veil_circuits::statements::totals::Receipt> {
        use veil_circuits::statements::totals::{leaf_index, RECEIPT_DEPTH, SELLER_BITS, SEQ_BITS};
        let r = self.receipt;
        if r.seller >= 1 << SELLER_BITS || r.seq >= 1 << SEQ_BITS {
            return Err(VerifyError::Malformed(format!(
                "seller {} or receipt {} is out of range",
                r.seller, r.seq
            )));
        }
        if self.index != leaf_index(r.seller, r.seq) {
            return Err(VerifyError::Mismatch(format!(
                "field `index` is {}, but receipt {} of seller {} sits at leaf {}",
                self.index,
                r.seq,
                r.seller,
                leaf_index(r.seller, r.seq)
            )));
        }
        if self.root != root {
            return Err(VerifyError::Mismatch(format!(
                "field `root` is {}, not the root you gave ({})",
                to_hex(&self.root),
                to_hex(&root)
            )));
        }
        if self.path.len() != RECEIPT_DEPTH as usize {
            return Err(VerifyError::Malformed(format!(
                "field `path` has {} siblings, the receipt tree has depth {RECEIPT_DEPTH}",
                self.path.len()
            )));
        }
        let path = veil_circuits::merkle::MerklePath {
            arity: veil_circuits::merkle::Arity::Binary,
            index: self.index,
            siblings: self.path.clone(),
        };
        let note = if self.veil == 1 {
            r.note_v2()
        } else {
            r.note()
        };
        if path.root(note) != root {
            return Err(VerifyError::Mismatch(format!(
                "the receipt is not in the tree with root {}",
                to_hex(&root)
            )));
        }
        Ok(r)
    }

    /// Pretty JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("openings serialise") + "\n"
    }
}
