//! `veil meter`: metered API access with ZK usage counters.

use super::output::{note_insecure, took, verdict, Accepted};
use super::{writable, LedgerArg, ParamsArg, ProveArgs};
use anyhow::Result;
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use veil_engine::files::insecure_keys;
use veil_engine::gateway::DEFAULT_ACCEPTED_ROOTS;
use veil_engine::meter::{
    self, CallRequest, GatewayRequest, IssueRequest, TierExpected, TierRequest,
};
use veil_engine::prelude::{from_hex_strict, to_hex};
use veil_engine::store::SqliteStore;

#[derive(Subcommand, Debug)]
pub enum MeterCommand {
    /// Buyer: make a secret key; prints its key commitment K (alone on stdout) for the issuer.
    Keygen {
        /// Where to write the key (mode 0600; keep it private).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing key (licences issued to it stop working).
        #[arg(long)]
        force: bool,
    },
    /// Marketplace: issue a licence at purchase (appends its note to the licence tree).
    Issue {
        #[command(flatten)]
        ledger: LedgerArg,
        /// The API listing's id.
        #[arg(long)]
        listing_id: String,
        /// Calls per epoch.
        #[arg(long)]
        quota: u64,
        /// Last epoch the licence is valid in.
        #[arg(long)]
        expiry: u64,
        /// The buyer's key commitment K (from `veil meter keygen`), 0x and 64 hex digits.
        #[arg(long, value_name = "HEX")]
        buyer: String,
        /// Licence-tree depth, for a new ledger (at most 2^depth licences) [default: 16].
        #[arg(long)]
        licence_depth: Option<u32>,
        /// Where to write the licence file for the buyer (mode 0600).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Buyer: prove one call (uses the next unused counter slot of this epoch).
    Call {
        /// The licence file.
        #[arg(long, value_name = "FILE")]
        licence: PathBuf,
        /// The buyer's key file.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The counter-state file (created on first use; never reuses a slot).
        #[arg(long, value_name = "FILE")]
        counter_state: PathBuf,
        /// The ledger (for the licence's Merkle path).
        #[command(flatten)]
        ledger: LedgerArg,
        /// Current epoch.
        #[arg(long)]
        epoch: u64,
        /// The request being paid for (its hash is bound to the proof).
        #[arg(long)]
        request: String,
        #[command(flatten)]
        proof: ProveArgs,
    },
    /// Gateway: verify a call proof and spend its nullifier (refuses replays).
    Verify {
        /// The call proof.
        call: PathBuf,
        /// The ledger (licence roots and nullifiers).
        #[command(flatten)]
        ledger: LedgerArg,
        /// The listing this gateway serves.
        #[arg(long)]
        listing_id: String,
        /// Current epoch.
        #[arg(long)]
        epoch: u64,
        /// The request that came with the proof.
        #[arg(long)]
        request: String,
        /// How many recent licence roots to accept.
        #[arg(long, default_value_t = DEFAULT_ACCEPTED_ROOTS)]
        accept_roots: usize,
        #[command(flatten)]
        params: ParamsArg,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Gateway: close an epoch of a listing; prints its usage commitment U (alone on stdout) to
    /// publish. No call is accepted for that listing and epoch afterwards.
    Close {
        #[command(flatten)]
        ledger: LedgerArg,
        /// The listing.
        #[arg(long)]
        listing_id: String,
        /// The epoch.
        #[arg(long)]
        epoch: u64,
    },
    /// Billing: prove or verify a usage tier.
    #[command(subcommand)]
    Tier(TierCommand),
}

#[derive(Subcommand, Debug)]
pub enum TierCommand {
    /// Gateway: prove that a closed epoch's call count lies in [lo, hi).
    Prove {
        #[command(flatten)]
        ledger: LedgerArg,
        /// The listing.
        #[arg(long)]
        listing_id: String,
        /// The epoch.
        #[arg(long)]
        epoch: u64,
        /// Tier lower bound (inclusive).
        #[arg(long)]
        lo: u64,
        /// Tier upper bound (exclusive).
        #[arg(long)]
        hi: u64,
        /// Where to write the commitment's opening (count, calls root and salt; mode 0600).
        #[arg(long, value_name = "FILE")]
        opening: PathBuf,
        #[command(flatten)]
        proof: ProveArgs,
    },
    /// Anyone: verify a tier proof.
    Verify {
        /// The tier proof.
        tier: PathBuf,
        /// The listing it must be for.
        #[arg(long)]
        listing_id: String,
        /// The epoch it must be for.
        #[arg(long)]
        epoch: u64,
        /// The usage commitment U the gateway published for this listing and epoch (`veil meter
        /// close`), 0x and 64 hex digits.
        #[arg(long, value_name = "HEX")]
        usage: String,
        #[command(flatten)]
        params: ParamsArg,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: MeterCommand) -> Result<()> {
    match cmd {
        MeterCommand::Keygen { out, force } => {
            writable(&out, force)?;
            let key = meter::keygen(&out, force)?;
            eprintln!(
                "wrote a buyer key to {} (mode 0600); its key commitment K, for the issuer:",
                out.display()
            );
            println!("{}", to_hex(&key.key_commitment()));
        }
        MeterCommand::Issue {
            ledger,
            listing_id,
            quota,
            expiry,
            buyer,
            licence_depth,
            out,
            force,
        } => {
            writable(&out, force)?;
            let buyer = from_hex_strict("--buyer", &buyer)?;
            let store = SqliteStore::create_with_depth(&ledger.ledger, licence_depth)?;
            let req = IssueRequest {
                listing_id,
                quota,
                expiry,
                buyer,
            };
            let (file, root) = meter::issue(&store, &req, &out, force)?;
            println!(
                "issued licence {} ({quota} calls/epoch until epoch {expiry}) into {}; licence root {}",
                file.index,
                out.display(),
                to_hex(&root)
            );
        }
        MeterCommand::Call {
            licence,
            key,
            counter_state,
            ledger,
            epoch,
            request,
            proof,
        } => {
            let (out, force, params, backend) = proof.into_parts();
            writable(&out, force)?;
            let t = Instant::now();
            let store = SqliteStore::open(&ledger.ledger)?;
            let req = CallRequest {
                licence,
                key,
                counter_state,
                epoch,
                request,
                backend: backend.kind()?,
            };
            let call = meter::prove_call(&store, &req, params.get(), &out)?;
            note_insecure(call.insecure);
            println!(
                "proved call {} of {} in epoch {epoch} into {}{}",
                call.slot + 1,
                call.quota,
                out.display(),
                took(t)
            );
        }
        MeterCommand::Verify {
            call,
            ledger,
            listing_id,
            epoch,
            request,
            accept_roots,
            params,
            json,
        } => {
            let outcome = (|| {
                let store = SqliteStore::open(&ledger.ledger)?;
                let req = GatewayRequest {
                    listing_id,
                    epoch,
                    request,
                    accept_roots,
                };
                let ok = meter::check_call(&store, &call, &req, params.get())?;
                note_insecure(insecure_keys(params.get()));
                Ok(Accepted {
                    summary: format!(
                        "call in epoch {} (nullifier {} spent)",
                        ok.epoch,
                        to_hex(&ok.nullifier)
                    ),
                    details: vec![],
                    json: json!({ "epoch": ok.epoch, "nullifier": to_hex(&ok.nullifier) }),
                })
            })();
            verdict(json, outcome)?;
        }
        MeterCommand::Close {
            ledger,
            listing_id,
            epoch,
        } => {
            let store = SqliteStore::open(&ledger.ledger)?;
            let u = meter::close_epoch(&store, &listing_id, epoch)?;
            eprintln!(
                "closed epoch {epoch} of {listing_id:?} ({} call{}); publish its usage commitment U:",
                u.calls,
                if u.calls == 1 { "" } else { "s" }
            );
            println!("{}", to_hex(&u.usage));
        }
        MeterCommand::Tier(TierCommand::Prove {
            ledger,
            listing_id,
            epoch,
            lo,
            hi,
            opening,
            proof,
        }) => {
            let (out, force, params, backend) = proof.into_parts();
            writable(&out, force)?;
            writable(&opening, force)?;
            let t = Instant::now();
            let store = SqliteStore::open(&ledger.ledger)?;
            let req = TierRequest {
                listing_id,
                epoch,
                lo,
                hi,
                backend: backend.kind()?,
            };
            meter::prove_tier(&store, &req, params.get(), &out, &opening, force)?;
            note_insecure(insecure_keys(params.get()));
            println!(
                "proved usage tier [{lo}, {hi}) for epoch {epoch} into {} (opening: {}){}",
                out.display(),
                opening.display(),
                took(t)
            );
        }
        MeterCommand::Tier(TierCommand::Verify {
            tier,
            listing_id,
            epoch,
            usage,
            params,
            json,
        }) => {
            let outcome = (|| {
                let usage = from_hex_strict("--usage", &usage)?;
                let expected = TierExpected {
                    listing_id: listing_id.clone(),
                    epoch,
                    usage,
                };
                let p = meter::verify_tier(&tier, &expected, params.get())?;
                note_insecure(insecure_keys(params.get()));
                Ok(Accepted {
                    summary: format!(
                        "usage of {listing_id:?} in epoch {epoch} is in [{}, {})",
                        p.lo, p.hi
                    ),
                    details: vec![],
                    json: json!({ "listing_id": listing_id, "epoch": epoch, "lo": p.lo, "hi": p.hi }),
                })
            })();
            verdict(json, outcome)?;
        }
    }
    Ok(())
}
