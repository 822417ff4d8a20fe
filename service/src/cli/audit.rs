//! `veil audit`: sale receipts, period reports for auditors, and selective disclosure.

use super::{default_params, read_text, write_output};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use veil_circuits::field::{from_hex_strict, to_hex};
use veil_circuits::merkle::MerklePath;
use veil_circuits::statements::totals::{
    leaf_index, Receipt, Sale, TotalsShape, RECEIPT_DEPTH, SELLER_BITS, SEQ_BITS,
};
use veil_circuits::statements::DisclosureTotals;
use veil_circuits::Fr;
use veil_ledger::Ledger;
use veil_prover::keys::KeyStore;
use veil_verifier::totals::{verify_report, Report};

/// Default band edges (in the currency's smallest unit): [0, 10), [10, 100), [100, 1000), [1000, inf) units.
const DEFAULT_EDGES: &str = "1000,10000,100000";

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Settlement: record one sale (its receipt follows the seller's previous one).
    Settle {
        /// The ledger database.
        #[arg(long)]
        ledger: PathBuf,
        /// Seller id (< 4096).
        #[arg(long)]
        seller: u64,
        /// Listing id.
        #[arg(long)]
        listing: String,
        /// Amount, in the smallest currency unit.
        #[arg(long)]
        amount: u64,
        /// Settlement time, Unix seconds (not before the seller's previous sale).
        #[arg(long)]
        time: u64,
    },
    /// Researchers: fill a ledger with random sales (times one minute apart).
    Simulate {
        /// The ledger database.
        #[arg(long)]
        ledger: PathBuf,
        /// Number of sales.
        #[arg(long, default_value_t = 10_000)]
        receipts: u64,
        /// Number of sellers (ids 0..N).
        #[arg(long, default_value_t = 20)]
        sellers: u64,
        /// Time of the first sale.
        #[arg(long, default_value_t = 1_767_225_600)]
        start: u64,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Marketplace: print the ledger's current receipt-tree root (what auditors verify against).
    Root {
        /// The ledger database.
        #[arg(long)]
        ledger: PathBuf,
    },
    /// Seller: prove a period report (a chain of batch proofs).
    Prove {
        /// The ledger database.
        #[arg(long)]
        ledger: PathBuf,
        /// Seller id.
        #[arg(long)]
        seller: u64,
        /// Period start, Unix seconds (inclusive).
        #[arg(long)]
        from: u64,
        /// Period end, Unix seconds (exclusive).
        #[arg(long)]
        to: u64,
        /// Receipts per batch proof (keys must exist: veil setup --statement disclosure-totals).
        #[arg(long, default_value_t = 16)]
        batch: usize,
        /// Price band edges, comma-separated, increasing.
        #[arg(long, default_value = DEFAULT_EDGES, value_delimiter = ',')]
        edges: Vec<u64>,
        /// Where to write the report.
        #[arg(long)]
        out: PathBuf,
        /// Params directory.
        #[arg(long)]
        params: Option<PathBuf>,
    },
    /// Auditor: verify a report against the published receipt root, for the seller and period
    /// asked for, and print its totals.
    Verify {
        /// The report.
        report: PathBuf,
        /// The receipt-tree root the marketplace published, hex.
        #[arg(long)]
        root: String,
        /// The seller the report must be for.
        #[arg(long)]
        seller: u64,
        /// The period start it must have, Unix seconds (inclusive).
        #[arg(long)]
        from: u64,
        /// The period end it must have, Unix seconds (exclusive).
        #[arg(long)]
        to: u64,
        /// Params directory.
        #[arg(long)]
        params: Option<PathBuf>,
    },
    /// Seller: open one receipt for one auditor (selective disclosure).
    Disclose {
        /// The ledger database.
        #[arg(long)]
        ledger: PathBuf,
        /// Seller id.
        #[arg(long)]
        seller: u64,
        /// The receipt's sequence number.
        #[arg(long)]
        receipt: u64,
        /// Where to write the opening.
        #[arg(long)]
        out: PathBuf,
    },
    /// Auditor: check a disclosed receipt against the published root.
    CheckDisclosure {
        /// The opening.
        opening: PathBuf,
        /// The receipt-tree root, hex.
        #[arg(long)]
        root: String,
    },
}

/// A disclosed receipt and its path (`receipt-opening`, version 1), parsed strictly.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceiptOpening {
    veil: u32,
    kind: String,
    receipt: Receipt,
    index: u64,
    #[serde(with = "veil_circuits::field::serde_hex_vec")]
    path: Vec<Fr>,
    #[serde(with = "veil_circuits::field::serde_hex")]
    root: Fr,
}

/// Checks an opening against the root the auditor trusts; returns the receipt.
fn check_opening(text: &str, root: Fr) -> Result<Receipt> {
    let o: ReceiptOpening =
        serde_json::from_str(text).map_err(|e| anyhow::anyhow!("malformed input: {e}"))?;
    if o.veil != 1 || o.kind != "receipt-opening" {
        bail!(
            "malformed input: a version-1 receipt-opening expected, found {:?} version {}",
            o.kind,
            o.veil
        );
    }
    let r = o.receipt;
    if r.seller >= 1 << SELLER_BITS || r.seq >= 1 << SEQ_BITS {
        bail!(
            "malformed input: seller {} or receipt {} is out of range",
            r.seller,
            r.seq
        );
    }
    if o.index != leaf_index(r.seller, r.seq) {
        bail!(
            "mismatch: field `index` is {}, but receipt {} of seller {} sits at leaf {}",
            o.index,
            r.seq,
            r.seller,
            leaf_index(r.seller, r.seq)
        );
    }
    if o.root != root {
        bail!(
            "mismatch: field `root` is {}, not the root you gave ({})",
            to_hex(&o.root),
            to_hex(&root)
        );
    }
    let path = MerklePath {
        index: o.index,
        siblings: o.path,
    };
    if path.siblings.len() != RECEIPT_DEPTH as usize {
        bail!(
            "malformed input: field `path` has {} siblings, the receipt tree has depth {RECEIPT_DEPTH}",
            path.siblings.len()
        );
    }
    if path.root(r.note()) != root {
        bail!(
            "mismatch: the receipt is not in the tree with root {}",
            to_hex(&root)
        );
    }
    Ok(r)
}

pub fn run(cmd: AuditCommand) -> Result<()> {
    match cmd {
        AuditCommand::Settle {
            ledger,
            seller,
            listing,
            amount,
            time,
        } => {
            let mut l = Ledger::create(&ledger)?;
            let mut rng = rand::rngs::OsRng;
            let sale = Sale {
                listing: veil_circuits::dataset::value_hash(listing.as_bytes()),
                seller,
                buyer_tag: Fr::from(rng.gen::<u128>()),
                amount,
                time,
                salt: Fr::from(rng.gen::<u128>()),
            };
            let (r, root) = l.settle(&[sale])?;
            println!(
                "receipt {} of seller {seller}: amount {amount}, fee {}, running total {}; root {}",
                r[0].seq,
                r[0].fee,
                r[0].cum,
                to_hex(&root)
            );
            Ok(())
        }
        AuditCommand::Root { ledger } => {
            let l = Ledger::open(&ledger)?;
            println!("{}", to_hex(&l.receipt_root()?));
            Ok(())
        }
        AuditCommand::Simulate {
            ledger,
            receipts,
            sellers,
            start,
            seed,
        } => {
            if sellers == 0 || sellers > 4096 {
                bail!("sellers must be in 1..=4096");
            }
            let mut l = Ledger::create(&ledger)?;
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
            let sales = veil_ledger::receipts::simulated_sales(&mut rng, receipts, sellers, start);
            let (_, root) = l.settle(&sales)?;
            println!(
                "settled {receipts} sales over {sellers} sellers; receipt root {}",
                to_hex(&root)
            );
            Ok(())
        }
        AuditCommand::Prove {
            ledger,
            seller,
            from,
            to,
            batch,
            edges,
            out,
            params,
        } => {
            let l = Ledger::open(&ledger)?;
            let shape = TotalsShape {
                batch,
                edges: edges.len(),
            };
            shape.validate()?;
            let store = KeyStore::new(params.unwrap_or_else(default_params));
            let (prover, _) = store.load_statement::<DisclosureTotals>(&shape)?;
            let (period, batches) = l.report_batches(&shape, seller, from, to, &edges)?;
            let n = batches.len();
            let report = veil_prover::totals::prove_report(&prover, &shape, &period, batches)?;
            write_output(&out, &report.to_json())?;
            println!(
                "proved {n} batches for seller {seller}, [{from}, {to}), against root {} into {}",
                to_hex(&period.root),
                out.display()
            );
            Ok(())
        }
        AuditCommand::Verify {
            report,
            root,
            seller,
            from,
            to,
            params,
        } => {
            let r = Report::from_json(&read_text(&report, "report")?)
                .with_context(|| format!("{}", report.display()))?;
            let root = from_hex_strict("--root", &root)?;
            let p = &r.period;
            if (p.seller, p.t0, p.t1) != (seller, from, to) {
                bail!(
                    "mismatch: {} is a report for seller {}, period [{}, {}); you asked for seller {seller}, [{from}, {to})",
                    report.display(),
                    p.seller,
                    p.t0,
                    p.t1
                );
            }
            let (vk, _) = veil_verifier::params::load_verifying_key(
                &params.unwrap_or_else(default_params),
                &r.shape().id(),
            )?;
            let t = verify_report(&r, &veil_verifier::groth16::prepare(&vk), Some(root))?;
            println!(
                "OK: seller {}, period [{}, {}), {} batch proofs verified against root {}",
                r.period.seller,
                r.period.t0,
                r.period.t1,
                t.batches,
                to_hex(&root)
            );
            println!("  {:<24} {:>10} {:>20}", "", "sales", "amount");
            println!("  {:<24} {:>10} {:>20}", "total", t.count, t.amount);
            println!(
                "  {:<24} {:>10} {:>20}",
                format!("fees ({} bps)", r.period.bps),
                "",
                t.fees
            );
            let mut lo = 0u64;
            for (k, (c, s)) in t.band_counts.iter().zip(&t.band_sums).enumerate() {
                let band = match r.period.edges.get(k) {
                    Some(hi) => format!("band [{lo}, {hi})"),
                    None => format!("band [{lo}, inf)"),
                };
                println!("  {band:<24} {c:>10} {s:>20}");
                lo = r.period.edges.get(k).copied().unwrap_or(lo);
            }
            Ok(())
        }
        AuditCommand::Disclose {
            ledger,
            seller,
            receipt,
            out,
        } => {
            let l = Ledger::open(&ledger)?;
            let (r, path, root) = l.disclose(seller, receipt)?;
            let opening = ReceiptOpening {
                veil: 1,
                kind: "receipt-opening".into(),
                receipt: r,
                index: path.index,
                path: path.siblings,
                root,
            };
            write_output(&out, &(serde_json::to_string_pretty(&opening)? + "\n"))?;
            println!(
                "opened receipt {receipt} of seller {seller} into {}",
                out.display()
            );
            Ok(())
        }
        AuditCommand::CheckDisclosure { opening, root } => {
            let root = from_hex_strict("--root", &root)?;
            let r = check_opening(&read_text(&opening, "opening")?, root)
                .with_context(|| format!("{}", opening.display()))?;
            println!("OK: receipt {} of seller {} (amount {}, fee {}, time {}) is in the tree with root {}", r.seq, r.seller, r.amount, r.fee, r.time, to_hex(&root));
            Ok(())
        }
    }
}
