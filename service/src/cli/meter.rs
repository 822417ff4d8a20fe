//! `veil meter`: metered API access with ZK usage counters.

use super::{default_params, read_secret, read_text, write_output, write_secret};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use veil_circuits::dataset::value_hash;
use veil_circuits::field::{from_hex_strict, to_hex};
use veil_circuits::statements::usage::{self, LicenceTerms};
use veil_circuits::statements::{CallShape, TierShape, UsageCall, UsageTier};
use veil_ledger::{gateway::DEFAULT_ACCEPTED_ROOTS, Gateway, Ledger};
use veil_prover::keys::KeyStore;
use veil_prover::usage::{prove_call, prove_tier, reserve_counter, BuyerKeyFile, LicenceFile};
use veil_verifier::proof::ProofEnvelope;
use veil_verifier::usage::{call_key, tier_key};

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

fn read_envelope(path: &Path) -> Result<ProofEnvelope> {
    serde_json::from_str(&read_text(path, "proof")?)
        .map_err(|e| anyhow::anyhow!("malformed input: {}: {e}", path.display()))
}

fn vk(params: Option<PathBuf>, key: &str) -> Result<veil_verifier::groth16::PreparedKey> {
    let (vk, _) =
        veil_verifier::params::load_verifying_key(&params.unwrap_or_else(default_params), key)?;
    Ok(veil_verifier::groth16::prepare(&vk))
}

pub fn run(cmd: MeterCommand) -> Result<()> {
    match cmd {
        MeterCommand::Keygen { out } => {
            let key = BuyerKeyFile::generate(&mut rand::rngs::OsRng);
            write_secret(&out, &(serde_json::to_string_pretty(&key)? + "\n"))?;
            println!(
                "wrote buyer key to {}; key commitment K (give it to the issuer): {}",
                out.display(),
                to_hex(&key.key_commitment())
            );
            Ok(())
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
            if out.exists() {
                bail!("{} exists; refusing to overwrite a licence", out.display());
            }
            let k = from_hex_strict("--buyer", &buyer)?;
            let mut ledger = Ledger::create_with_depth(&db, licence_depth)?;
            let terms = LicenceTerms::new(
                &mut rand::rngs::OsRng,
                usage::listing_field(&listing_id),
                k,
                quota,
                expiry,
            )?;
            let (index, root) = ledger.issue_licence(terms.note())?;
            let file = LicenceFile::new(&listing_id, &terms, index);
            write_secret(&out, &(serde_json::to_string_pretty(&file)? + "\n"))?;
            println!("issued licence {index} ({quota} calls/epoch until epoch {expiry}); licence root {}", to_hex(&root));
            Ok(())
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
            let file = read_secret(&licence, "licence", LicenceFile::from_json)?;
            let buyer = read_secret(&key, "buyer key", BuyerKeyFile::from_json)?;
            let lic = file.licence(&buyer)?;
            let ledger = Ledger::open(&db)?;
            let depth = ledger.licence_depth();
            let (root, path) = ledger.licence_path(file.index)?;
            if path.root(lic.note()) != root {
                bail!(
                    "licence {} in {} is not this licence file's note",
                    file.index,
                    db.display()
                );
            }
            let store = KeyStore::new(params.unwrap_or_else(default_params));
            let (prover, _) = store.load_statement::<UsageCall>(&CallShape { depth })?;
            let counter = reserve_counter(&counter_state, &lic, epoch)?;
            let env = prove_call(
                &prover,
                depth,
                &lic,
                counter,
                epoch,
                value_hash(request.as_bytes()),
                root,
                path,
                &mut rand::rngs::OsRng,
            )?;
            write_output(&out, &(serde_json::to_string_pretty(&env)? + "\n"))?;
            println!(
                "call {} of {} in epoch {epoch} proved into {}",
                counter + 1,
                lic.quota,
                out.display()
            );
            Ok(())
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
            let env = read_envelope(&call)?;
            let ledger = Ledger::open(&db)?;
            let depth = ledger.licence_depth();
            let gw = Gateway::new(
                ledger,
                vk(params, &call_key(depth))?,
                usage::listing_field(&listing_id),
                accept_roots,
            );
            let ok = gw.check_call(&env, epoch, value_hash(request.as_bytes()))?;
            println!(
                "ACCEPTED: call in epoch {} (nullifier {} spent)",
                ok.epoch,
                to_hex(&ok.nullifier)
            );
            Ok(())
        }
        MeterCommand::Close {
            db,
            listing_id,
            epoch,
        } => {
            let ledger = Ledger::open(&db)?;
            let listing = usage::listing_field(&listing_id);
            let salt = veil_circuits::field::random(&mut rand::rngs::OsRng);
            let u = ledger.close_epoch(listing, epoch, salt)?;
            println!(
                "closed epoch {epoch} of {listing_id:?} ({} calls); publish its usage commitment U = {}",
                u.calls,
                to_hex(&u.usage)
            );
            Ok(())
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
            if opening.exists() {
                bail!(
                    "{} exists; refusing to overwrite an opening",
                    opening.display()
                );
            }
            let ledger = Ledger::open(&db)?;
            let listing = usage::listing_field(&listing_id);
            let Some(u) = ledger.epoch_usage(listing, epoch)? else {
                bail!(
                    "epoch {epoch} of {listing_id:?} is still open: close it first with \
                     `veil meter close --db {} --listing-id {listing_id} --epoch {epoch}`",
                    db.display()
                );
            };
            let calls = ledger.calls_tree(listing, epoch)?;
            if calls.root != u.calls_root {
                bail!("ledger corrupt: the calls of epoch {epoch} no longer match its usage commitment");
            }
            let store = KeyStore::new(params.unwrap_or_else(default_params));
            let (prover, _) = store.load_statement::<UsageTier>(&TierShape::default())?;
            let env = prove_tier(
                &prover,
                listing,
                epoch,
                &calls,
                u.salt,
                lo,
                hi,
                &mut rand::rngs::OsRng,
            )
            .with_context(|| format!("the epoch's call count is not in [{lo}, {hi})"))?;
            let open = serde_json::json!({
                "veil": 2, "kind": "usage-opening", "listing_id": listing_id, "epoch": epoch,
                "count": u.calls, "calls_root": to_hex(&u.calls_root), "salt": to_hex(&u.salt),
                "usage": to_hex(&u.usage),
            });
            write_secret(&opening, &(serde_json::to_string_pretty(&open)? + "\n"))?;
            write_output(&out, &(serde_json::to_string_pretty(&env)? + "\n"))?;
            println!(
                "proved usage tier [{lo}, {hi}) for epoch {epoch} into {}",
                out.display()
            );
            Ok(())
        }
        MeterCommand::Tier(TierCommand::Verify {
            tier,
            listing_id,
            epoch,
            usage: published,
            params,
        }) => {
            let published = from_hex_strict("--usage", &published)?;
            let env = read_envelope(&tier)?;
            let p = veil_verifier::usage::verify_tier(&env, &vk(params, &tier_key())?)?;
            if p.listing != usage::listing_field(&listing_id) {
                bail!("mismatch: the tier proof is for another listing than {listing_id:?}");
            }
            if p.epoch != epoch {
                bail!(
                    "mismatch: the tier proof is for epoch {}, not {epoch}",
                    p.epoch
                );
            }
            if p.usage != published {
                bail!(
                    "mismatch: the tier proof is over usage commitment {}, not the published {}",
                    to_hex(&p.usage),
                    to_hex(&published)
                );
            }
            println!(
                "OK: usage of {listing_id:?} in epoch {epoch} is in [{}, {})",
                p.lo, p.hi
            );
            Ok(())
        }
    }
}
