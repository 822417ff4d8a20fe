//! The metered-API gateway: verify a call proof against the listing, epoch and request the
//! gateway serves, then record its nullifier with the store's one atomic call. A refused call
//! records nothing. Calls may be proved with Groth16 or halo2; the gateway holds a key for
//! each backend it accepts ([`CallKeys`]).

use crate::Result;
use ark_bn254::Bn254;
use ark_groth16::Proof;
use rayon::prelude::*;
use std::sync::Arc;
use veil_circuits::field::to_hex;
use veil_circuits::statements::usage::CallPublic;
use veil_circuits::statements::PublicInputs as _;
use veil_circuits::Fr;
use veil_ledger::{CallRecord, LedgerError, Store};
use veil_verifier::groth16::PreparedKey;
use veil_verifier::halo2::Halo2Key;
use veil_verifier::proof::{ProofEnvelope, GROTH16, HALO2};
use veil_verifier::VerifyError;

/// How many recent licence roots a gateway accepts by default: a call proved just before a new
/// licence was issued still verifies.
pub const DEFAULT_ACCEPTED_ROOTS: usize = 16;

/// A gateway for one listing.
pub struct Gateway<'a> {
    store: &'a dyn Store,
    keys: CallKeys,
    listing: Fr,
    accepted_roots: usize,
}

/// The call circuit's verifying keys a gateway holds: one per backend it accepts.
#[derive(Clone, Default)]
pub struct CallKeys {
    /// Groth16's, prepared.
    pub groth16: Option<PreparedKey>,
    /// halo2's.
    pub halo2: Option<Arc<Halo2Key>>,
}

impl CallKeys {
    /// Groth16 calls only.
    pub fn groth16(vk: PreparedKey) -> Self {
        CallKeys {
            groth16: Some(vk),
            halo2: None,
        }
    }
}

/// A call's proof, decoded for the backend that made it (short-lived: one per call checked).
#[allow(clippy::large_enum_variant)]
enum CallProof {
    Groth16(Proof<Bn254>),
    Halo2(Vec<u8>),
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
    /// A gateway over `store`, verifying with the call circuit's `keys`, for `listing`.
    pub fn new(store: &'a dyn Store, keys: CallKeys, listing: Fr, accepted_roots: usize) -> Self {
        Gateway {
            store,
            keys,
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
        self.verify_one(&p, &proof)?;
        self.spend(&p, epoch)
    }

    fn verify_one(&self, p: &CallPublic, proof: &CallProof) -> Result<()> {
        let inputs = p.to_field_elements();
        match (proof, &self.keys) {
            (
                CallProof::Groth16(proof),
                CallKeys {
                    groth16: Some(vk), ..
                },
            ) => veil_verifier::groth16::verify(vk, &inputs, proof)?,
            (
                CallProof::Halo2(proof),
                CallKeys {
                    halo2: Some(key), ..
                },
            ) => key.verify(&inputs, proof)?,
            _ => unreachable!("precheck decodes only proofs the gateway holds a key for"),
        }
        Ok(())
    }

    /// Checks a burst of calls `(proof, request)` in the current `epoch` at once: the checks
    /// outside the proofs one by one, the Groth16 proofs as one batch (one final
    /// exponentiation; a false proof is found and named alone) and the halo2 proofs side by
    /// side on rayon's pool, then each valid call's nullifier is spent in order, as
    /// [`Self::check_call`] would. One outcome per call, in order; a refused call records
    /// nothing and does not stop the others (a nullifier twice in a burst: the second is a
    /// replay).
    pub fn check_calls(&self, calls: &[(ProofEnvelope, Fr)], epoch: u64) -> Vec<Result<Accepted>> {
        let mut checked: Vec<Result<(CallPublic, CallProof)>> = calls
            .iter()
            .map(|(call, request)| self.precheck(call, epoch, *request))
            .collect();
        let mut groth16: Vec<(usize, Vec<Fr>)> = Vec::new();
        let mut halo2: Vec<usize> = Vec::new();
        for (i, c) in checked.iter().enumerate() {
            match c {
                Ok((p, CallProof::Groth16(_))) => groth16.push((i, p.to_field_elements())),
                Ok((_, CallProof::Halo2(_))) => halo2.push(i),
                Err(_) => {}
            }
        }
        let mut refused: Vec<(usize, String)> = Vec::new();
        if let Some(vk) = &self.keys.groth16 {
            let items: Vec<(&[Fr], &Proof<Bn254>)> = groth16
                .iter()
                .filter_map(|(i, x)| match &checked[*i] {
                    Ok((_, CallProof::Groth16(proof))) => Some((x.as_slice(), proof)),
                    _ => None,
                })
                .collect();
            let failures = veil_verifier::groth16::batch_failures(vk, &items);
            refused.extend(failures.into_iter().map(|(k, why)| (groth16[k].0, why)));
        }
        let halo2_failures: Vec<(usize, String)> = halo2
            .par_iter()
            .filter_map(|&i| match &checked[i] {
                Ok((p, proof)) => self.verify_one(p, proof).err().map(|e| (i, e.to_string())),
                Err(_) => None,
            })
            .collect();
        refused.extend(halo2_failures);
        for (i, why) in refused {
            checked[i] = Err(VerifyError::Rejected(why).into());
        }
        checked
            .into_iter()
            .map(|c| c.and_then(|(p, _)| self.spend(&p, epoch)))
            .collect()
    }

    /// Every check of a call but the proof's: its key and inputs, listing, epoch, request, and
    /// a recent licence root. Returns its public inputs and decoded proof.
    fn precheck(
        &self,
        call: &ProofEnvelope,
        epoch: u64,
        request: Fr,
    ) -> Result<(CallPublic, CallProof)> {
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
        let no_key = |backend: &str| -> crate::EngineError {
            VerifyError::Keys(format!(
                "this gateway holds no {backend} key for {}: it verifies calls proved with {}",
                call.key,
                self.backends()
            ))
            .into()
        };
        let proof = match call.backend.as_str() {
            GROTH16 => {
                let vk = self.keys.groth16.as_ref().ok_or_else(|| no_key(GROTH16))?;
                CallProof::Groth16(call.groth16_proof_for(vk)?)
            }
            HALO2 => {
                let key = self.keys.halo2.as_ref().ok_or_else(|| no_key(HALO2))?;
                CallProof::Halo2(call.halo2_proof(key.digest())?)
            }
            other => {
                return Err(VerifyError::Malformed(format!(
                    "a call proved with {other:?}; a gateway verifies {GROTH16} and {HALO2}"
                ))
                .into())
            }
        };
        Ok((p, proof))
    }

    /// The backends this gateway holds keys for, for messages.
    fn backends(&self) -> String {
        let held: Vec<&str> = [
            self.keys.groth16.as_ref().map(|_| GROTH16),
            self.keys.halo2.as_ref().map(|_| HALO2),
        ]
        .into_iter()
        .flatten()
        .collect();
        if held.is_empty() {
            "no backend".into()
        } else {
            held.join(" and ")
        }
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
