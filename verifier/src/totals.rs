//! `report.json`: an audit report (a chain of batch proofs over one seller's receipts for a
//! period) and its verification.
//!
//! ```json
//! { "veil": 2, "kind": "totals-report",
//!   "period": { "root": "0x..", "seller": 7, "t0": .., "t1": .., "bps": 1000, "edges": [1000, 10000, 100000] },
//!   "batch": 16, "batches": [ {envelope}, ... ] }
//! ```

use crate::groth16::{batch_failures, PreparedKey};
use crate::proof::ProofEnvelope;
use crate::{Result, VerifyError};
use ark_ff::{BigInteger, PrimeField, Zero};
use serde::{Deserialize, Serialize};
use veil_circuits::field::to_hex;
use veil_circuits::statements::totals::{BatchPublic, Period, PeriodTotals, TotalsShape, NAME};
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

fn int(x: &Fr, bits: u64, what: &str) -> Result<u128> {
    let b = x.into_bigint();
    if b.num_bits() as u64 > bits {
        return Err(VerifyError::Malformed(format!(
            "{what} does not fit {bits} bits"
        )));
    }
    let l = b.as_ref();
    Ok(l[0] as u128 | (l[1] as u128) << 64)
}

/// Reads a batch's public inputs.
pub fn batch_public(env: &ProofEnvelope, shape: &TotalsShape) -> Result<BatchPublic> {
    let e = shape.edges;
    if env.statement != NAME || env.key != shape.id() {
        return Err(VerifyError::Mismatch(format!(
            "a batch is for {} ({}), expected {}",
            env.statement,
            env.key,
            shape.id()
        )));
    }
    let x = &env.public_inputs;
    if x.len() != BatchPublic::len_for(e) {
        return Err(VerifyError::Malformed(format!(
            "{} public inputs, expected {}",
            x.len(),
            BatchPublic::len_for(e)
        )));
    }
    let u = |i: usize, w: &str| int(&x[i], 64, w).map(|v| v as u64);
    let big = |i: usize, w: &str| int(&x[i], 100, w);
    let flag = |i: usize, w: &str| match u(i, w)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(VerifyError::Malformed(format!("{w} is not a bit"))),
    };
    let o = 5 + e;
    Ok(BatchPublic {
        period: Period {
            root: x[0],
            seller: u(1, "seller")?,
            t0: u(2, "t0")?,
            t1: u(3, "t1")?,
            bps: u(4, "bps")?,
            edges: (0..e).map(|k| u(5 + k, "edge")).collect::<Result<_>>()?,
        },
        first: flag(o, "first")?,
        last: flag(o + 1, "last")?,
        c_in: x[o + 2],
        c_out: x[o + 3],
        totals: PeriodTotals {
            count: u(o + 4, "count")?,
            amount: big(o + 5, "amount")?,
            fees: big(o + 6, "fees")?,
            band_counts: (0..=e)
                .map(|k| u(o + 7 + k, "band count"))
                .collect::<Result<_>>()?,
            band_sums: (0..=e)
                .map(|k| big(o + 8 + e + k, "band sum"))
                .collect::<Result<_>>()?,
        },
    })
}

/// Verifies every batch and the chain; returns the period's totals. `root`, when given, is the
/// receipt-tree root the auditor trusts (published by the marketplace).
///
/// The verifier fixes each batch's `first`, `last` and `c_in` itself (from its position and the
/// previous batch), so a batch proof only verifies in its place in the chain.
pub fn verify_report(report: &Report, vk: &PreparedKey, root: Option<Fr>) -> Result<Totals> {
    let shape = report.shape();
    shape.validate()?;
    let mismatch = |m: String| Err(VerifyError::Mismatch(m));
    if let Some(r) = root.filter(|r| *r != report.period.root) {
        return mismatch(format!(
            "the report is against root {}, not {}",
            to_hex(&report.period.root),
            to_hex(&r)
        ));
    }
    if report.period.t0 > report.period.t1 || report.period.edges.windows(2).any(|w| w[0] >= w[1]) {
        return Err(VerifyError::Malformed(
            "period or band edges out of order".into(),
        ));
    }
    let n = report.batches.len();
    if n == 0 {
        return Err(VerifyError::Malformed(
            "a report needs at least one batch".into(),
        ));
    }
    let mut c_in = Fr::zero();
    let mut totals = PeriodTotals::zero(shape.edges);
    let mut checked = Vec::with_capacity(n);
    for (k, env) in report.batches.iter().enumerate() {
        let p = batch_public(env, &shape)?;
        if p.period != report.period {
            return mismatch(format!(
                "batch {k} is for another root, seller, period, rate or bands"
            ));
        }
        let (first, last) = (k == 0, k + 1 == n);
        if (p.first, p.last) != (first, last) {
            return mismatch(format!(
                "batch {k} of {n} claims first = {}, last = {}: batches are missing, repeated or out of order",
                p.first, p.last
            ));
        }
        if p.c_in != c_in {
            return mismatch(format!(
                "batch {k} does not continue from the batch before it: a batch is missing, repeated or out of order"
            ));
        }
        if last != p.c_out.is_zero() {
            return mismatch(format!("batch {k}: only the last batch ends the chain"));
        }
        if !last && p.totals != PeriodTotals::zero(shape.edges) {
            return mismatch(format!(
                "batch {k} reveals totals before the end of the chain"
            ));
        }
        let expected = BatchPublic {
            period: report.period.clone(),
            first,
            last,
            c_in,
            c_out: p.c_out,
            totals: p.totals.clone(),
        };
        checked.push((expected.to_field_elements(), env.groth16_proof_for(vk)?));
        c_in = p.c_out;
        totals = p.totals;
    }
    // The chain's proofs share one key: one batch check (one final exponentiation), each
    // false proof named by its batch.
    let items: Vec<(&[Fr], &ark_groth16::Proof<ark_bn254::Bn254>)> =
        checked.iter().map(|(x, p)| (x.as_slice(), p)).collect();
    let failures = batch_failures(vk, &items);
    if let Some((k, why)) = failures.first() {
        let mut m = format!("batch {k}: {why}");
        if failures.len() > 1 {
            let others: Vec<String> = failures[1..].iter().map(|(k, _)| k.to_string()).collect();
            m.push_str(&format!(
                " (batches {} do not verify either)",
                others.join(", ")
            ));
        }
        return Err(VerifyError::Rejected(m));
    }
    Ok(Totals {
        count: totals.count,
        amount: totals.amount,
        fees: totals.fees,
        band_counts: totals.band_counts,
        band_sums: totals.band_sums,
        batches: n,
    })
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
