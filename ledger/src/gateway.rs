//! The metered-API gateway: verify a call proof, then record its nullifier, atomically and
//! durably; a refused call records nothing.

use crate::{Ledger, LedgerError, Result};
use veil_circuits::field::to_hex;
use veil_circuits::Fr;
use veil_verifier::groth16::PreparedKey;
use veil_verifier::proof::ProofEnvelope;
use veil_verifier::VerifyError;

/// How many recent licence roots a gateway accepts by default: a call proved just before a new
/// licence was issued still verifies.
pub const DEFAULT_ACCEPTED_ROOTS: usize = 16;

/// A gateway for one listing.
pub struct Gateway {
    ledger: Ledger,
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

impl Gateway {
    /// A gateway over `ledger`, verifying with the call circuit's key, for `listing`.
    pub fn new(ledger: Ledger, vk: PreparedKey, listing: Fr, accepted_roots: usize) -> Self {
        Gateway {
            ledger,
            vk,
            listing,
            accepted_roots,
        }
    }

    /// The ledger.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Checks a call for `request` (its hash) in the current `epoch`, and spends its nullifier.
    pub fn check_call(&self, call: &ProofEnvelope, epoch: u64, request: Fr) -> Result<Accepted> {
        let p = veil_verifier::usage::call_public(call, self.ledger.licence_depth())?;
        let mismatch = |m: String| -> LedgerError { VerifyError::Mismatch(m).into() };
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
        if !self
            .ledger
            .recent_roots(self.accepted_roots)?
            .contains(&p.root)
        {
            return Err(LedgerError::UnknownRoot(to_hex(&p.root)));
        }
        veil_verifier::usage::verify_call(call, &self.vk, self.ledger.licence_depth())?;
        let position = self
            .ledger
            .record_nullifier(self.listing, epoch, p.nullifier, p.request)?;
        Ok(Accepted {
            epoch,
            nullifier: p.nullifier,
            position,
        })
    }
}
