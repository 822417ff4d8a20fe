//! [`Groth16Backend`]: Groth16 as a [`Backend`] beside halo2's and UltraHonk's, keys from a
//! [`KeyStore`]. The prover it runs is [`crate::groth16`] (re-exported here).

pub use crate::groth16::*;

use crate::backend::{shape_json, Backend, BackendKind};
use crate::keys::KeyStore;
use crate::Result;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use veil_circuits::statements::R1csStatement;
use veil_verifier::params::{KeyEntry, Manifest};
use veil_verifier::proof::ProofEnvelope;

/// A loaded prover and its manifest entry.
type Loaded = (Arc<Groth16Prover>, KeyEntry);

/// Groth16 as a [`Backend`]: keys from a [`KeyStore`], provers cached per key (a shape's
/// proving key and matrices are loaded once, then prove many times, from many threads).
pub struct Groth16Backend {
    store: KeyStore,
    provers: Mutex<HashMap<String, Arc<Mutex<Option<Loaded>>>>>,
    /// Bytes per key for the prover's prepared bases ([`Groth16Prover::precompute`]); 0: none.
    precompute: usize,
}

impl Groth16Backend {
    /// The backend over the keys in `store`.
    pub fn new(store: KeyStore) -> Self {
        Groth16Backend {
            store,
            provers: Mutex::new(HashMap::new()),
            precompute: 0,
        }
    }

    /// The same backend with each key it loads prepared for many proofs, in at most `bytes`
    /// per key ([`Groth16Prover::precompute`]): for a long-lived process, since building the
    /// tables takes several proofs' time.
    pub fn with_precompute(mut self, bytes: usize) -> Self {
        self.precompute = bytes;
        self
    }

    /// The key store.
    pub fn store(&self) -> &KeyStore {
        &self.store
    }

    /// The prover of statement `S` at `shape` (loaded on first use) and its manifest entry.
    pub fn prover<S: R1csStatement>(
        &self,
        shape: &S::Shape,
    ) -> Result<(Arc<Groth16Prover>, KeyEntry)> {
        let key = S::key_id(shape);
        // A cached prover needs no disk read: not even the manifest.
        // One slot per key, locked while the key loads: a second caller for the same key waits
        // for the first instead of loading (and preparing) it again; other keys go on.
        let slot = self.cache().entry(key).or_default().clone();
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = slot.as_ref() {
            return Ok(hit.clone());
        }
        let (mut prover, entry) = self.store.load_statement::<S>(shape)?;
        if self.precompute > 0 {
            prover = prover.precompute(self.precompute);
        }
        let loaded = (Arc::new(prover), entry);
        *slot = Some(loaded.clone());
        Ok(loaded)
    }

    /// Runs the (single-party, **insecure**) setup of statement `S` at `shape` and records
    /// the keys in the store; existing keys are replaced only with `force`.
    pub fn setup<S: R1csStatement>(&self, shape: &S::Shape, force: bool) -> Result<KeyEntry> {
        let entry = self
            .store
            .setup_statement::<S, _>(shape, force, &mut rand::rngs::OsRng)?;
        self.cache().remove(&S::key_id(shape));
        Ok(entry)
    }

    /// The manifest entry of `key`.
    pub fn entry(&self, key: &str) -> Result<KeyEntry> {
        Ok(Manifest::load(self.store.dir())?
            .entry(self.store.dir(), key)?
            .clone())
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Mutex<Option<Loaded>>>>> {
        self.provers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<S: R1csStatement> Backend<S> for Groth16Backend {
    fn kind(&self) -> BackendKind {
        BackendKind::Groth16
    }

    fn prove(
        &self,
        shape: &S::Shape,
        public: S::Public,
        witness: S::Witness,
    ) -> Result<ProofEnvelope> {
        let (prover, _) = self.prover::<S>(shape)?;
        prover.prove_statement::<S, _>(shape, public, witness, &mut rand::rngs::OsRng)
    }

    fn verify(&self, shape: &S::Shape, public: &S::Public, proof: &ProofEnvelope) -> Result<()> {
        let key = S::key_id(shape);
        proof.check_claims(S::NAME, &key, &shape_json(shape)?)?;
        let (vk, _) = veil_verifier::params::load_verifying_key(self.store.dir(), &key)?;
        proof.verify_groth16(
            &veil_verifier::groth16::prepare(&vk),
            &S::public_inputs(public),
        )?;
        Ok(())
    }
}
