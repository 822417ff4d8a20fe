//! `veil audit`: sale receipts, period reports for auditors, and selective disclosure.

use super::bars;
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use veil_engine::audit::{self, Expected, ReportRequest};
use veil_engine::prelude::{from_hex_strict, to_hex};
use veil_engine::store::{SqliteStore, Store};

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
        #[arg(long, default_values_t = audit::DEFAULT_EDGES, value_delimiter = ',')]
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

pub fn run(cmd: AuditCommand) -> Result<()> {
    match cmd {
        AuditCommand::Settle {
            ledger,
            seller,
            listing,
            amount,
            time,
        } => {
            let store = SqliteStore::create(&ledger)?;
            let (r, root) = audit::settle(&store, seller, &listing, amount, time)?;
            println!(
                "receipt {} of seller {seller}: amount {amount}, fee {}, running total {}; root {}",
                r.seq,
                r.fee,
                r.cum,
                to_hex(&root)
            );
        }
        AuditCommand::Root { ledger } => {
            let store = SqliteStore::open(&ledger)?;
            println!("{}", to_hex(&store.receipt_root()?));
        }
        AuditCommand::Simulate {
            ledger,
            receipts,
            sellers,
            start,
            seed,
        } => {
            let store = SqliteStore::create(&ledger)?;
            let root = audit::simulate(&store, receipts, sellers, start, seed)?;
            println!(
                "settled {receipts} sales over {sellers} sellers; receipt root {}",
                to_hex(&root)
            );
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
            let store = SqliteStore::open(&ledger)?;
            let req = ReportRequest {
                seller,
                from,
                to,
                batch,
                edges,
            };
            let report = audit::prove_report(&store, &req, params, &out, &*bars())?;
            println!(
                "proved {} batches for seller {seller}, [{from}, {to}), against root {} into {}",
                report.batches.len(),
                to_hex(&report.period.root),
                out.display()
            );
        }
        AuditCommand::Verify {
            report,
            root,
            seller,
            from,
            to,
            params,
        } => {
            let root = from_hex_strict("--root", &root)?;
            let expected = Expected {
                root,
                seller,
                from,
                to,
            };
            let (r, t) = audit::verify(&report, expected, params)?;
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
        }
        AuditCommand::Disclose {
            ledger,
            seller,
            receipt,
            out,
        } => {
            let store = SqliteStore::open(&ledger)?;
            audit::disclose(&store, seller, receipt, &out)?;
            println!(
                "opened receipt {receipt} of seller {seller} into {}",
                out.display()
            );
        }
        AuditCommand::CheckDisclosure { opening, root } => {
            let root = from_hex_strict("--root", &root)?;
            let r = audit::check_disclosure(&opening, root)?;
            println!("OK: receipt {} of seller {} (amount {}, fee {}, time {}) is in the tree with root {}", r.seq, r.seller, r.amount, r.fee, r.time, to_hex(&root));
        }
    }
    Ok(())
}
