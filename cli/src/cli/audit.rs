//! `veil audit`: sale receipts, period reports for auditors, and selective disclosure.

use super::output::{bars, note, note_insecure, took, verdict, Accepted};
use super::{writable, LedgerArg, ParamsArg, ProveArgs};
use anyhow::Result;
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use veil_engine::aggregate;
use veil_engine::audit::{self, Expected, ReportRequest};
use veil_engine::files::insecure_keys;
use veil_engine::prelude::{from_hex_strict, to_hex};
use veil_engine::setup::DEFAULT_BATCH;
use veil_engine::store::{SqliteStore, Store};

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Settlement: record one sale (its receipt follows the seller's previous one).
    Settle {
        #[command(flatten)]
        ledger: LedgerArg,
        /// Seller id (< 4096).
        #[arg(long)]
        seller: u64,
        /// The listing sold.
        #[arg(long)]
        listing_id: String,
        /// Amount, in the smallest currency unit.
        #[arg(long)]
        amount: u64,
        /// Settlement time, Unix seconds (not before the seller's previous sale).
        #[arg(long)]
        time: u64,
    },
    /// Researchers: fill a ledger with random sales (one a minute from --start).
    Simulate {
        #[command(flatten)]
        ledger: LedgerArg,
        /// Number of sales.
        #[arg(long, default_value_t = 10_000)]
        receipts: u64,
        /// Number of sellers (ids 0..N).
        #[arg(long, default_value_t = 20)]
        sellers: u64,
        /// Time of the first sale, Unix seconds (after the ledger's last sale).
        #[arg(long, default_value_t = 1_767_225_600)]
        start: u64,
        /// Random seed (the same arguments make the same ledger).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Marketplace: print the ledger's current receipt-tree root (what auditors verify against).
    Root {
        #[command(flatten)]
        ledger: LedgerArg,
    },
    /// Seller: prove a period report: a chain of Groth16 batch proofs, or (`--backend halo2`)
    /// the batches folded into one halo2 proof.
    Prove {
        #[command(flatten)]
        ledger: LedgerArg,
        /// Seller id.
        #[arg(long)]
        seller: u64,
        /// Period start, Unix seconds (inclusive).
        #[arg(long)]
        from: u64,
        /// Period end, Unix seconds (exclusive).
        #[arg(long)]
        to: u64,
        /// Receipts per batch proof: a power of two with keys in the params folder (`veil setup
        /// --statement disclosure-totals --batch B`).
        #[arg(long, default_value_t = DEFAULT_BATCH)]
        batch: usize,
        /// Price band edges, comma-separated, strictly increasing.
        #[arg(long, default_values_t = audit::DEFAULT_EDGES, value_delimiter = ',')]
        edges: Vec<u64>,
        #[command(flatten)]
        proof: ProveArgs,
    },
    /// Auditor: verify a report (a chain of batch proofs, or one aggregated halo2 proof)
    /// against the published receipt root, for the seller and period asked for; prints its
    /// totals.
    Verify {
        /// The report.
        report: PathBuf,
        /// The receipt-tree root the marketplace published (`veil audit root`), 0x and 64 hex
        /// digits.
        #[arg(long, value_name = "HEX")]
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
        #[command(flatten)]
        params: ParamsArg,
        /// Print the verdict and the totals as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Seller: open one receipt for one auditor (selective disclosure).
    Disclose {
        #[command(flatten)]
        ledger: LedgerArg,
        /// Seller id.
        #[arg(long)]
        seller: u64,
        /// The receipt's sequence number.
        #[arg(long)]
        receipt: u64,
        /// Where to write the opening.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Auditor: check a disclosed receipt against the published root.
    CheckDisclosure {
        /// The opening.
        opening: PathBuf,
        /// The receipt-tree root, 0x and 64 hex digits.
        #[arg(long, value_name = "HEX")]
        root: String,
        /// Print the verdict and the receipt as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: AuditCommand) -> Result<()> {
    match cmd {
        AuditCommand::Settle {
            ledger,
            seller,
            listing_id,
            amount,
            time,
        } => {
            let store = SqliteStore::create(&ledger.ledger)?;
            let (r, root) = audit::settle(&store, seller, &listing_id, amount, time)?;
            println!(
                "receipt {} of seller {seller}: amount {amount}, fee {}, running total {}; receipt root {}",
                r.seq,
                r.fee,
                r.cum,
                to_hex(&root)
            );
        }
        AuditCommand::Root { ledger } => {
            let store = SqliteStore::open(&ledger.ledger)?;
            // The root alone on stdout, so that `ROOT=$(veil audit root ...)` works.
            println!("{}", to_hex(&store.receipt_root()?));
        }
        AuditCommand::Simulate {
            ledger,
            receipts,
            sellers,
            start,
            seed,
        } => {
            let t = Instant::now();
            let store = SqliteStore::create(&ledger.ledger)?;
            let root = audit::simulate(&store, receipts, sellers, start, seed, &*bars())?;
            println!(
                "settled {receipts} sales over {sellers} seller{}{}; receipt root {}",
                if sellers == 1 { "" } else { "s" },
                took(t),
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
            proof,
        } => {
            let (out, force, params, backend) = proof.into_parts();
            writable(&out, force)?;
            let t = Instant::now();
            let store = SqliteStore::open(&ledger.ledger)?;
            let req = ReportRequest {
                seller,
                from,
                to,
                batch,
                edges,
            };
            match backend.kind()? {
                veil_engine::BackendKind::Groth16 => {}
                veil_engine::BackendKind::Halo2 => {
                    let (r, insecure) =
                        aggregate::prove(&store, &req, params.get(), &out, &*bars())?;
                    note_insecure(insecure);
                    println!(
                        "folded {} batch proofs for seller {seller}, [{from}, {to}), against receipt root {} into one halo2 proof in {}{}",
                        r.batches,
                        to_hex(&r.period.root),
                        out.display(),
                        took(t)
                    );
                    return Ok(());
                }
                veil_engine::BackendKind::UltraHonk => anyhow::bail!(
                    "--backend ultrahonk: period reports are proved with groth16 or halo2; \
                     `veil noir` proves the Noir twins"
                ),
            }
            let report = audit::prove_report(&store, &req, params.get(), &out, &*bars())?;
            note_insecure(insecure_keys(params.get()));
            println!(
                "proved {} batches for seller {seller}, [{from}, {to}), against receipt root {} into {}{}",
                report.batches.len(),
                to_hex(&report.period.root),
                out.display(),
                took(t)
            );
        }
        AuditCommand::Verify {
            report,
            root,
            seller,
            from,
            to,
            params,
            json,
        } => {
            let outcome = (|| {
                let root = from_hex_strict("--root", &root)?;
                let expected = Expected {
                    root,
                    seller,
                    from,
                    to,
                };
                let aggregated = std::fs::read_to_string(&report)
                    .ok()
                    .and_then(|text| veil_engine::prelude::header(&text).ok())
                    .and_then(|h| h.kind)
                    .is_some_and(|k| k == veil_engine::aggregate::KIND);
                let (period, t, how) = if aggregated {
                    let v = aggregate::verify(&report, expected, params.get())?;
                    note_insecure(v.insecure);
                    let how = format!(
                        "{} batches folded into one halo2 proof, verified",
                        v.totals.batches
                    );
                    (v.report.period, v.totals, how)
                } else {
                    let (r, t) = audit::verify(&report, expected, params.get())?;
                    note_insecure(insecure_keys(params.get()));
                    let how = format!("{} batch proofs verified", t.batches);
                    (r.period, t, how)
                };
                let mut details = vec![
                    format!("  {:<24} {:>10} {:>20}", "", "sales", "amount"),
                    format!("  {:<24} {:>10} {:>20}", "total", t.count, t.amount),
                    format!(
                        "  {:<24} {:>10} {:>20}",
                        format!("fees ({} bps)", period.bps),
                        "",
                        t.fees
                    ),
                ];
                let mut bands = Vec::new();
                for b in t.bands(&period.edges) {
                    let (lo, c, s) = (b.from, b.count, b.amount);
                    let band = match b.to {
                        Some(hi) => format!("band [{lo}, {hi})"),
                        None => format!("band [{lo}, inf)"),
                    };
                    details.push(format!("  {band:<24} {c:>10} {s:>20}"));
                    bands.push(
                        json!({ "from": lo, "to": b.to, "count": c, "amount": s.to_string() }),
                    );
                }
                Ok(Accepted {
                    summary: format!(
                        "seller {}, period [{}, {}): {how} against receipt root {}",
                        period.seller,
                        period.t0,
                        period.t1,
                        to_hex(&root)
                    ),
                    details,
                    json: json!({
                        "seller": period.seller,
                        "from": period.t0,
                        "to": period.t1,
                        "root": to_hex(&root),
                        "batches": t.batches,
                        "count": t.count,
                        "amount": t.amount.to_string(),
                        "fees": t.fees.to_string(),
                        "bps": period.bps,
                        "bands": bands,
                    }),
                })
            })();
            verdict(json, outcome)?;
        }
        AuditCommand::Disclose {
            ledger,
            seller,
            receipt,
            out,
            force,
        } => {
            writable(&out, force)?;
            let store = SqliteStore::open(&ledger.ledger)?;
            audit::disclose(&store, seller, receipt, &out)?;
            println!(
                "opened receipt {receipt} of seller {seller} into {}",
                out.display()
            );
            note("an opening reveals that receipt's amount, time and listing to whoever gets it");
        }
        AuditCommand::CheckDisclosure {
            opening,
            root,
            json,
        } => {
            let outcome = (|| {
                let root = from_hex_strict("--root", &root)?;
                let r = audit::check_disclosure(&opening, root)?;
                Ok(Accepted {
                    summary: format!(
                        "receipt {} of seller {} (amount {}, fee {}, time {}) is in the receipt tree with root {}",
                        r.seq, r.seller, r.amount, r.fee, r.time, to_hex(&root)
                    ),
                    details: vec![],
                    json: json!({
                        "seller": r.seller, "receipt": r.seq, "amount": r.amount.to_string(),
                        "fee": r.fee.to_string(), "time": r.time, "root": to_hex(&root),
                    }),
                })
            })();
            verdict(json, outcome)?;
        }
    }
    Ok(())
}
