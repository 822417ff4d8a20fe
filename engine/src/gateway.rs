//! The metered-API gateway: verify a call proof against the listing, epoch and request the
//! gateway serves, then record its nullifier with the store's one atomic call. A refused call
//! records nothing.

use crate::Result;
use veil_circuits::field::to_hex;
use veil_circuits::Fr;
use veil_ledger::{CallRecord, LedgerError, Store};
use veil_verifier::groth16::PreparedKey;
use veil_verifier::proof::ProofEnvelope;
use veil_verifier::VerifyError;

/// How many recent licence roots a gateway accepts by default: a call proved just before a new
/// licence was issued still verifies.
pub const DEFAULT_ACCEPTED_ROOTS: usize = 16;

/// A gateway for one listing.
pub struct Gateway<'a> {
    store: &'a dyn Store,
    vk: PreparedKey,
    listing: Fr,
    accepted_roots: usize,
}

/// An accepted call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The epoch it was counted in.
    pub epoch: u64,
    /// Its nullifier (now spent).
    pub nullifier: Fr,
    /// Its leaf in the epoch's calls tree (calls accepted before it in this listing and epoch).
    pub position: u64,
}

impl<'a> Gateway<'a> {
    /// A gateway over `store`, verifying with the call circuit's key, for `listing`.
    pub fn new(store: &'a dyn Store, vk: PreparedKey, listing: Fr, accepted_roots: usize) -> Self {
        Gateway {
            store,
            vk,
            listing,
            accepted_roots,
        }
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.store
    }

    /// Checks a call for `request` (its hash) in the current `epoch`, and spends its nullifier.
    pub fn check_call(&self, call: &ProofEnvelope, epoch: u64, request: Fr) -> Result<Accepted> {
        let depth = self.store.licence_depth();
        let p = veil_verifier::usage::call_public(call, depth)?;
        let mismatch = |m: String| -> crate::EngineError { VerifyError::Mismatch(m).into() };
        if p.listing != self.listing {
            return Err(mismatch("the call is for another listing".into()));
        }
        if p.epoch != epoch {
            return Err(mismatch(format!(
                "the call is for epoch {}, the gateway is in epoch {epoch}",
                p.epoch
            )));
        }
        if p.request != request {
            return Err(mismatch("the proof is for another request".into()));
        }
        // A cheap refusal before the pairing; `accept_call` checks the root again atomically.
        if !self
            .store
            .recent_roots(self.accepted_roots)?
            .contains(&p.root)
        {
            return Err(LedgerError::UnknownRoot(to_hex(&p.root)).into());
        }
        veil_verifier::usage::verify_call(call, &self.vk, depth)?;
        let position = self.store.accept_call(
            &CallRecord {
                listing: self.listing,
                epoch,
                nullifier: p.nullifier,
                request: p.request,
                licence_root: p.root,
            },
            self.accepted_roots,
        )?;
        Ok(Accepted {
            epoch,
            nullifier: p.nullifier,
            position,
        })
    }
}
