//! `veil meter`: metered API access with ZK usage counters.

use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use veil_engine::gateway::DEFAULT_ACCEPTED_ROOTS;
use veil_engine::meter::{
    self, CallRequest, GatewayRequest, IssueRequest, TierExpected, TierRequest,
};
use veil_engine::prelude::{from_hex_strict, to_hex};
use veil_engine::store::SqliteStore;

#[derive(Subcommand, Debug)]
pub enum MeterCommand {
    /// Buyer: make a secret key; prints the key commitment to give the issuer.
    Keygen {
        /// Where to write the key (keep it private).
        #[arg(long)]
        out: PathBuf,
    },
    /// Marketplace: issue a licence at purchase (appends its note to the licence tree).
    Issue {
        /// The ledger database.
        #[arg(long)]
        db: PathBuf,
        /// The API listing's id.
        #[arg(long)]
        listing_id: String,
        /// Calls per epoch.
        #[arg(long)]
        quota: u64,
        /// Last epoch the licence is valid in.
        #[arg(long)]
        expiry: u64,
        /// The buyer's key commitment (from `veil meter keygen`), hex.
        #[arg(long)]
        buyer: String,
        /// Licence-tree depth, for a new ledger (default 16: 65,536 licences).
        #[arg(long)]
        licence_depth: Option<u32>,
        /// Where to write the licence file for the buyer.
        #[arg(long)]
        out: PathBuf,
    },
    /// Buyer: prove one call (uses the next unused counter slot of this epoch).
    Call {
        /// The licence file.
        #[arg(long)]
        licence: PathBuf,
        /// The buyer's key file.
        #[arg(long)]
        key: PathBuf,
        /// The counter-state file (created on first use; never reuses a slot).
        #[arg(long)]
        counter_state: PathBuf,
        /// The ledger database (for the licence's Merkle path).
        #[arg(long)]
        db: PathBuf,
        /// Current epoch.
        #[arg(long)]
        epoch: u64,
        /// The request being paid for (its hash is bound to the proof).
        #[arg(long)]
        request: String,
        /// Where to write the call proof.
        #[arg(long)]
        out: PathBuf,
        /// Params directory.
        #[arg(long)]
        params: Option<PathBuf>,
    },
    /// Gateway: verify a call proof and spend its nullifier (refuses replays).
    Verify {
        /// The call proof.
        call: PathBuf,
        /// The ledger database (licence roots and nullifiers).
        #[arg(long)]
        db: PathBuf,
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
        /// Params directory.
        #[arg(long)]
        params: Option<PathBuf>,
    },
    /// Gateway: close an epoch of a listing; prints its usage commitment U to publish. No call
    /// is accepted for that listing and epoch afterwards.
    Close {
        /// The ledger database.
        #[arg(long)]
        db: PathBuf,
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
        /// The ledger database.
        #[arg(long)]
        db: PathBuf,
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
        /// Where to write the tier proof.
        #[arg(long)]
        out: PathBuf,
        /// Where to write the commitment's opening (count, calls root and salt; a secret).
        #[arg(long)]
        opening: PathBuf,
        /// Params directory.
        #[arg(long)]
        params: Option<PathBuf>,
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
        /// The usage commitment U the gateway published for this listing and epoch (hex).
        #[arg(long)]
        usage: String,
        /// Params directory.
        #[arg(long)]
        params: Option<PathBuf>,
    },
}

pub fn run(cmd: MeterCommand) -> Result<()> {
    match cmd {
        MeterCommand::Keygen { out } => {
            let key = meter::keygen(&out)?;
            println!(
                "wrote buyer key to {}; key commitment K (give it to the issuer): {}",
                out.display(),
                to_hex(&key.key_commitment())
            );
        }
        MeterCommand::Issue {
            db,
            listing_id,
            quota,
            expiry,
            buyer,
            licence_depth,
            out,
        } => {
            let buyer = from_hex_strict("--buyer", &buyer)?;
            let store = SqliteStore::create_with_depth(&db, licence_depth)?;
            let req = IssueRequest {
                listing_id,
                quota,
                expiry,
                buyer,
            };
            let (file, root) = meter::issue(&store, &req, &out)?;
            println!(
                "issued licence {} ({quota} calls/epoch until epoch {expiry}); licence root {}",
                file.index,
                to_hex(&root)
            );
        }
        MeterCommand::Call {
            licence,
            key,
            counter_state,
            db,
            epoch,
            request,
            out,
            params,
        } => {
            let store = SqliteStore::open(&db)?;
            let req = CallRequest {
                licence,
                key,
                counter_state,
                epoch,
                request,
            };
            let call = meter::prove_call(&store, &req, params, &out)?;
            println!(
                "call {} of {} in epoch {epoch} proved into {}",
                call.slot + 1,
                call.quota,
                out.display()
            );
        }
        MeterCommand::Verify {
            call,
            db,
            listing_id,
            epoch,
            request,
            accept_roots,
            params,
        } => {
            let store = SqliteStore::open(&db)?;
            let req = GatewayRequest {
                listing_id,
                epoch,
                request,
                accept_roots,
            };
            let ok = meter::check_call(&store, &call, &req, params)?;
            println!(
                "ACCEPTED: call in epoch {} (nullifier {} spent)",
                ok.epoch,
                to_hex(&ok.nullifier)
            );
        }
        MeterCommand::Close {
            db,
            listing_id,
            epoch,
        } => {
            let store = SqliteStore::open(&db)?;
            let u = meter::close_epoch(&store, &listing_id, epoch)?;
            println!(
                "closed epoch {epoch} of {listing_id:?} ({} calls); publish its usage commitment U = {}",
                u.calls,
                to_hex(&u.usage)
            );
        }
        MeterCommand::Tier(TierCommand::Prove {
            db,
            listing_id,
            epoch,
            lo,
            hi,
            out,
            opening,
            params,
        }) => {
            let store = SqliteStore::open(&db)?;
            let req = TierRequest {
                listing_id,
                epoch,
                lo,
                hi,
            };
            meter::prove_tier(&store, &req, params, &out, &opening)?;
            println!(
                "proved usage tier [{lo}, {hi}) for epoch {epoch} into {}",
                out.display()
            );
        }
        MeterCommand::Tier(TierCommand::Verify {
            tier,
            listing_id,
            epoch,
            usage,
            params,
        }) => {
            let usage = from_hex_strict("--usage", &usage)?;
            let expected = TierExpected {
                listing_id: listing_id.clone(),
                epoch,
                usage,
            };
            let p = meter::verify_tier(&tier, &expected, params)?;
            println!(
                "OK: usage of {listing_id:?} in epoch {epoch} is in [{}, {})",
                p.lo, p.hi
            );
        }
    }
    Ok(())
}
