//! The metered-API gateway: verify a call proof against the listing, epoch and request the
//! gateway serves, then record its nullifier with the store's one atomic call. A refused call
//! records nothing.

use crate::Result;
use ark_bn254::Bn254;
use ark_groth16::Proof;
use veil_circuits::field::to_hex;
use veil_circuits::statements::usage::CallPublic;
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
        let (p, proof) = self.precheck(call, epoch, request)?;
        veil_verifier::groth16::verify(&self.vk, &p.to_field_elements(), &proof)?;
        self.spend(&p, epoch)
    }

    /// Checks a burst of calls `(proof, request)` in the current `epoch` at once: the checks
    /// outside the proofs one by one, the proofs as one batch (one final exponentiation; a false
    /// proof is found and named alone), then each valid call's nullifier is spent in order, as
    /// [`Self::check_call`] would. One outcome per call, in order; a refused call records
    /// nothing and does not stop the others (a nullifier twice in a burst: the second is a
    /// replay).
    pub fn check_calls(&self, calls: &[(ProofEnvelope, Fr)], epoch: u64) -> Vec<Result<Accepted>> {
        let mut checked: Vec<Result<(CallPublic, Proof<Bn254>)>> = calls
            .iter()
            .map(|(call, request)| self.precheck(call, epoch, *request))
            .collect();
        let inputs: Vec<(usize, Vec<Fr>)> = checked
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.as_ref().ok().map(|(p, _)| (i, p.to_field_elements())))
            .collect();
        let items: Vec<(&[Fr], &Proof<Bn254>)> = inputs
            .iter()
            .filter_map(|(i, x)| {
                checked[*i]
                    .as_ref()
                    .ok()
                    .map(|(_, proof)| (x.as_slice(), proof))
            })
            .collect();
        let failures = veil_verifier::groth16::batch_failures(&self.vk, &items);
        let refused: Vec<(usize, String)> = failures
            .into_iter()
            .map(|(k, why)| (inputs[k].0, why))
            .collect();
        for (i, why) in refused {
            checked[i] = Err(VerifyError::Rejected(why).into());
        }
        checked
            .into_iter()
            .map(|c| c.and_then(|(p, _)| self.spend(&p, epoch)))
            .collect()
    }

    /// Every check of a call but the pairing: its key and inputs, listing, epoch, request, and
    /// a recent licence root. Returns its public inputs and decoded proof.
    fn precheck(
        &self,
        call: &ProofEnvelope,
        epoch: u64,
        request: Fr,
    ) -> Result<(CallPublic, Proof<Bn254>)> {
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
        let proof = call.groth16_proof_for(&self.vk)?;
        Ok((p, proof))
    }

    /// Spends a verified call's nullifier (atomically with the root check) and counts it.
    fn spend(&self, p: &CallPublic, epoch: u64) -> Result<Accepted> {
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
