//! Metered API access: the marketplace issues licences; a buyer proves each call with an
//! unused counter slot (a nullifier); the gateway checks calls and, at the end of an epoch,
//! commits to the calls it accepted and proves the usage tier a bill is for.

use crate::files::{
    params_dir, read_parsed, read_secret, refuse_existing, write_output, write_secret_replacing,
};
use crate::gateway::{Accepted, CallKeys, Gateway};
use crate::wallet::{reserve_counter, BuyerKeyFile, LicenceFile};
use crate::{EngineError, Result};
use std::path::{Path, PathBuf};
use veil_circuits::dataset::value_hash;
use veil_circuits::field::to_hex;
use veil_circuits::statements::usage::{self, LicenceTerms, TierPublic};
use veil_circuits::statements::{CallShape, TierShape, UsageCall, UsageTier};
use veil_circuits::Fr;
use veil_ledger::{EpochUsage, Store};
use veil_verifier::proof::{ProofEnvelope, GROTH16, HALO2};
use veil_verifier::usage::{tier_key, UsageOpening, USAGE_OPENING_VERSION};

/// The field value of a listing id in licences and calls.
pub fn listing_value(listing_id: &str) -> Fr {
    usage::listing_field(listing_id)
}

/// The field value of a request (what a call proof binds).
pub fn request_value(request: &str) -> Fr {
    value_hash(request.as_bytes())
}

/// Makes a buyer key at `out` (replacing one only with `force`: licences issued to the old key
/// stop working); returns it (its key commitment goes to the issuer).
pub fn keygen(out: &Path, force: bool) -> Result<BuyerKeyFile> {
    let key = BuyerKeyFile::new(veil_circuits::field::random(&mut rand::rngs::OsRng));
    write_secret_replacing(out, &crate::files::to_json(&key), force)?;
    Ok(key)
}

/// What the marketplace issues.
#[derive(Clone, Debug)]
pub struct IssueRequest {
    /// The API listing's id.
    pub listing_id: String,
    /// Calls per epoch.
    pub quota: u64,
    /// Last epoch the licence is valid in.
    pub expiry: u64,
    /// The buyer's key commitment.
    pub buyer: Fr,
}

/// Issues a licence (appends its note to the licence tree) and writes the buyer's licence file
/// to `out` (replacing a file there only with `replace`); returns the file and the new licence
/// root.
pub fn issue(
    store: &dyn Store,
    req: &IssueRequest,
    out: &Path,
    replace: bool,
) -> Result<(LicenceFile, Fr)> {
    if !replace {
        refuse_existing(out, "a licence")?;
    }
    let terms = LicenceTerms::new(
        &mut rand::rngs::OsRng,
        listing_value(&req.listing_id),
        req.buyer,
        req.quota,
        req.expiry,
    )?;
    let (index, root) = store.issue_licence(terms.note())?;
    let file = LicenceFile::new(&req.listing_id, &terms, index);
    write_secret_replacing(out, &crate::files::to_json(&file), replace)?;
    Ok((file, root))
}

/// What a buyer proves.
#[derive(Clone, Debug)]
pub struct CallRequest {
    /// The licence file.
    pub licence: PathBuf,
    /// The buyer key file.
    pub key: PathBuf,
    /// The counter-state file.
    pub counter_state: PathBuf,
    /// The current epoch.
    pub epoch: u64,
    /// The request being paid for.
    pub request: String,
    /// The proof system.
    pub backend: crate::BackendKind,
}

/// A proved call.
#[derive(Debug)]
pub struct ProvedCall {
    /// The proof.
    pub proof: ProofEnvelope,
    /// The counter slot it used (0-based).
    pub slot: u64,
    /// The licence's quota.
    pub quota: u64,
    /// Whether its keys (Groth16) or parameters (halo2) come from an insecure local setup.
    pub insecure: bool,
}

/// Proves one call with the next unused counter slot (reserved durably before proving) and
/// writes the proof to `out`.
pub fn prove_call(
    store: &dyn Store,
    req: &CallRequest,
    params: Option<PathBuf>,
    out: &Path,
) -> Result<ProvedCall> {
    let file = read_secret(&req.licence, "licence", LicenceFile::from_json)?;
    let buyer = read_secret(&req.key, "buyer key", BuyerKeyFile::from_json)?;
    let lic = file.licence(&buyer)?;
    let depth = store.licence_depth();
    let (root, path) = store.licence_path(file.index)?;
    if path.root(lic.note()) != root {
        return Err(EngineError::Refused(format!(
            "licence {} in the ledger is not this licence file's note",
            file.index
        )));
    }
    let shape = CallShape { depth };
    // Load the key before a slot is spent.
    let backend = crate::provers::choose::<UsageCall>(req.backend, params_dir(params), &shape)?;
    let slot = reserve_counter(&req.counter_state, &lic, req.epoch)?;
    let (public, witness) = usage::call_statement(
        &lic,
        slot,
        req.epoch,
        request_value(&req.request),
        root,
        path,
    );
    let proof = backend.prove::<UsageCall>(&shape, public, witness)?;
    write_output(out, &crate::files::to_json(&proof))?;
    Ok(ProvedCall {
        proof,
        slot,
        quota: lic.quota,
        insecure: backend.insecure(),
    })
}

/// Reads a proof envelope file.
pub fn load_envelope(path: &Path) -> Result<ProofEnvelope> {
    read_parsed(path, "proof", ProofEnvelope::from_json)
}

/// What a gateway checks a call against.
#[derive(Clone, Debug)]
pub struct GatewayRequest {
    /// The listing the gateway serves.
    pub listing_id: String,
    /// The current epoch.
    pub epoch: u64,
    /// The request that came with the proof.
    pub request: String,
    /// How many recent licence roots to accept.
    pub accept_roots: usize,
}

/// Verifies a call proof file and spends its nullifier.
pub fn check_call(
    store: &dyn Store,
    call: &Path,
    req: &GatewayRequest,
    params: Option<PathBuf>,
) -> Result<Accepted> {
    let env = load_envelope(call)?;
    let keys = call_keys(
        &params_dir(params),
        store.licence_depth(),
        [env.backend.as_str()],
    )?;
    let gw = Gateway::new(
        store,
        keys,
        listing_value(&req.listing_id),
        req.accept_roots,
    );
    gw.check_call(&env, req.epoch, request_value(&req.request))
}

/// The call circuit's keys at licence-tree `depth` from params folder `dir`, for the
/// `backends` named (by envelopes); other names are left for the gateway to refuse.
pub fn call_keys<'b>(
    dir: &Path,
    depth: u32,
    backends: impl IntoIterator<Item = &'b str>,
) -> Result<CallKeys> {
    let mut keys = CallKeys::default();
    for backend in backends {
        match backend {
            GROTH16 if keys.groth16.is_none() => {
                let (vk, _) = veil_verifier::params::load_shape_key(dir, &CallShape { depth })?;
                keys.groth16 = Some(veil_verifier::groth16::prepare(&vk));
            }
            HALO2 if keys.halo2.is_none() => {
                let shape = CallShape { depth };
                keys.halo2 = Some(crate::halo2_params::verifying_key::<UsageCall>(dir, &shape)?.0);
            }
            _ => {}
        }
    }
    Ok(keys)
}

/// Closes an epoch of a listing with a fresh blinding; returns its usage commitment.
pub fn close_epoch(store: &dyn Store, listing_id: &str, epoch: u64) -> Result<EpochUsage> {
    if epoch >> usage::COUNTER_BITS != 0 {
        return Err(EngineError::Refused(format!(
            "epoch {epoch} is not below 2^{}: no call can be made in it",
            usage::COUNTER_BITS
        )));
    }
    let salt = veil_circuits::field::random(&mut rand::rngs::OsRng);
    Ok(store.close_epoch(listing_value(listing_id), epoch, salt)?)
}

/// What a gateway proves for a bill.
#[derive(Clone, Debug)]
pub struct TierRequest {
    /// The listing.
    pub listing_id: String,
    /// The (closed) epoch.
    pub epoch: u64,
    /// Tier lower bound (inclusive).
    pub lo: u64,
    /// Tier upper bound (exclusive).
    pub hi: u64,
    /// The proof system.
    pub backend: crate::BackendKind,
}

/// Proves that a closed epoch's call count lies in `[lo, hi)`; writes the proof to `out` and
/// the commitment's opening (a secret) to `opening`, replacing existing files only with
/// `replace`.
pub fn prove_tier(
    store: &dyn Store,
    req: &TierRequest,
    params: Option<PathBuf>,
    out: &Path,
    opening: &Path,
    replace: bool,
) -> Result<ProofEnvelope> {
    if !replace {
        refuse_existing(opening, "an opening")?;
    }
    let TierRequest {
        listing_id,
        epoch,
        lo,
        hi,
        backend,
    } = req;
    let (epoch, lo, hi) = (*epoch, *lo, *hi);
    let listing = listing_value(listing_id);
    let Some(u) = store.epoch_usage(listing, epoch)? else {
        return Err(EngineError::Refused(format!(
            "epoch {epoch} of {listing_id:?} is still open: close it first (`veil meter close`, \
             which publishes its usage commitment)"
        )));
    };
    let calls = store.calls_tree(listing, epoch)?;
    if calls.root != u.calls_root {
        return Err(EngineError::Refused(format!(
            "ledger corrupt: the calls of epoch {epoch} no longer match its usage commitment"
        )));
    }
    let shape = TierShape::default();
    let backend = crate::provers::choose::<UsageTier>(*backend, params_dir(params), &shape)?;
    let (public, witness) = calls.tier_statement(listing, epoch, u.salt, lo, hi);
    let env = backend
        .prove::<UsageTier>(&shape, public, witness)
        .map_err(|e| {
            EngineError::Refused(format!(
                "the epoch's call count is not in [{lo}, {hi}): {e}"
            ))
        })?;
    let open = UsageOpening {
        veil: USAGE_OPENING_VERSION,
        kind: "usage-opening".into(),
        listing_id: listing_id.clone(),
        epoch,
        count: u.calls,
        calls_root: u.calls_root,
        salt: u.salt,
        usage: u.usage,
    };
    write_secret_replacing(opening, &open.to_json(), replace)?;
    write_output(out, &crate::files::to_json(&env))?;
    Ok(env)
}

/// What a tier proof must say.
#[derive(Clone, Debug)]
pub struct TierExpected {
    /// The listing.
    pub listing_id: String,
    /// The epoch.
    pub epoch: u64,
    /// The usage commitment the gateway published.
    pub usage: Fr,
}

/// Verifies a tier proof file against the published commitment; returns its public inputs.
pub fn verify_tier(
    path: &Path,
    expected: &TierExpected,
    params: Option<PathBuf>,
) -> Result<TierPublic> {
    verify_tier_value(&load_envelope(path)?, expected, params)
}

/// Verifies a tier proof against the published commitment; returns its public inputs.
pub fn verify_tier_value(
    env: &ProofEnvelope,
    expected: &TierExpected,
    params: Option<PathBuf>,
) -> Result<TierPublic> {
    let p = veil_verifier::usage::tier_public(env)?;
    if env.key != tier_key() {
        return Err(EngineError::Refused(format!(
            "mismatch: the proof is for {}, not {}",
            env.key,
            tier_key()
        )));
    }
    crate::provers::verify_any::<UsageTier>(params_dir(params), &TierShape::default(), &p, env)?;
    if p.listing != listing_value(&expected.listing_id) {
        return Err(EngineError::Refused(format!(
            "mismatch: the tier proof is for another listing than {:?}",
            expected.listing_id
        )));
    }
    if p.epoch != expected.epoch {
        return Err(EngineError::Refused(format!(
            "mismatch: the tier proof is for epoch {}, not {}",
            p.epoch, expected.epoch
        )));
    }
    if p.usage != expected.usage {
        return Err(EngineError::Refused(format!(
            "mismatch: the tier proof is over usage commitment {}, not the published {}",
            to_hex(&p.usage),
            to_hex(&expected.usage)
        )));
    }
    Ok(p)
}
