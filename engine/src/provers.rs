//! Where workflows get their Groth16 backend. A one-shot command loads the key it proves with
//! and drops it. A long-lived process (the service's workers) calls [`keep`] once: from then on
//! every workflow shares one backend per params folder, whose provers stay loaded and have
//! their keys prepared for many proofs (fixed-base tables, up to a budget per key), which makes
//! each later proof of that shape about 1.3x faster (`docs/performance.md`).
//!
//! A kept prover is not reloaded when its key files change: keys set up again by another
//! process are seen after a restart (a setup run through the shared backend replaces its own).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use veil_circuits::statements::R1csStatement;
use veil_halo2::statements::Halo2Statement;
use veil_prover::backend::groth16::Groth16Backend;
use veil_prover::backend::halo2::Halo2Backend;
use veil_prover::backend::{Backend, BackendKind};
use veil_prover::keys::KeyStore;
use veil_verifier::proof::ProofEnvelope;

struct Kept {
    precompute: usize,
    backends: Mutex<HashMap<PathBuf, Arc<Groth16Backend>>>,
}

static KEPT: OnceLock<Kept> = OnceLock::new();

/// Keeps provers loaded for the rest of the process, each key prepared in at most
/// `precompute_bytes` (0: loaded but not prepared). The first call sets the budget.
pub fn keep(precompute_bytes: usize) {
    let _ = KEPT.set(Kept {
        precompute: precompute_bytes,
        backends: Mutex::new(HashMap::new()),
    });
}

/// Whether [`keep`] was called, and with what budget.
pub fn kept() -> Option<usize> {
    KEPT.get().map(|k| k.precompute)
}

/// The backend over the keys in `params`: shared and kept after [`keep`], else a fresh one.
pub fn backend(params: PathBuf) -> Arc<Groth16Backend> {
    let Some(kept) = KEPT.get() else {
        return Arc::new(Groth16Backend::new(KeyStore::new(params)));
    };
    let mut backends = kept.backends.lock().unwrap_or_else(|e| e.into_inner());
    backends
        .entry(params.clone())
        .or_insert_with(|| {
            Arc::new(Groth16Backend::new(KeyStore::new(params)).with_precompute(kept.precompute))
        })
        .clone()
}

/// One halo2 backend per params folder, kept for the process: its parameters are read (and
/// hashed) once, and the keys it derives per shape stay with it.
type KeptHalo2 = Mutex<HashMap<PathBuf, (Arc<Halo2Backend>, bool)>>;
static HALO2: OnceLock<KeptHalo2> = OnceLock::new();

/// The halo2 backend over the universal parameters in `params` ([`crate::halo2_params::load`]), and
/// whether they come from the insecure local setup.
pub fn halo2(params: PathBuf) -> crate::Result<(Arc<Halo2Backend>, bool)> {
    let kept = HALO2.get_or_init(Default::default);
    let mut backends = kept.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(hit) = backends.get(&params) {
        return Ok(hit.clone());
    }
    let (p, info) = crate::halo2_params::load(&params)?;
    let loaded = (Arc::new(Halo2Backend::new(p)), info.insecure_dev_setup);
    backends.insert(params, loaded.clone());
    Ok(loaded)
}

/// Forgets the kept halo2 backend of `params` (after its parameters were replaced).
pub fn forget_halo2(params: &std::path::Path) {
    crate::halo2_params::forget_keys(params);
    if let Some(kept) = HALO2.get() {
        kept.lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(params);
    }
}

/// A door's backend, loaded for one statement and shape: its keys are ready before anything
/// is spent (a counter slot, a dataset read).
pub enum Chosen {
    /// Groth16 keys from the params folder, and whether they are insecure.
    Groth16(Arc<Groth16Backend>, bool),
    /// halo2 over the folder's universal parameters, and whether they are insecure.
    Halo2(Arc<Halo2Backend>, bool),
}

/// Loads `kind` for statement `S` at `shape` from `params`.
pub fn choose<S: R1csStatement + Halo2Statement>(
    kind: BackendKind,
    params: PathBuf,
    shape: &S::Shape,
) -> crate::Result<Chosen> {
    match kind {
        BackendKind::Groth16 => {
            let b = backend(params);
            let (_, key) = b.prover::<S>(shape)?;
            Ok(Chosen::Groth16(b, key.insecure_dev_setup))
        }
        BackendKind::Halo2 => {
            let (b, insecure) = halo2(params)?;
            b.vk_digest::<S>(shape)?;
            Ok(Chosen::Halo2(b, insecure))
        }
        BackendKind::UltraHonk => Err(crate::EngineError::Refused(format!(
            "{} is proved with UltraHonk by its Noir twin: `veil noir inputs` and `veil noir prove`",
            S::NAME
        ))),
    }
}

impl Chosen {
    /// Proves `public` with `witness`.
    pub fn prove<S: R1csStatement + Halo2Statement>(
        &self,
        shape: &S::Shape,
        public: S::Public,
        witness: S::Witness,
    ) -> crate::Result<ProofEnvelope> {
        Ok(match self {
            Chosen::Groth16(b, _) => Backend::<S>::prove(&**b, shape, public, witness)?,
            Chosen::Halo2(b, _) => Backend::<S>::prove(&**b, shape, public, witness)?,
        })
    }

    /// Verifies a proof it made, with the keys already in memory (a self-check before a proof
    /// is handed out: no key file is read again).
    pub fn verify<S: R1csStatement + Halo2Statement>(
        &self,
        shape: &S::Shape,
        public: &S::Public,
        proof: &ProofEnvelope,
    ) -> crate::Result<()> {
        match self {
            Chosen::Groth16(b, _) => {
                let (prover, _) = b.prover::<S>(shape)?;
                let pvk = veil_verifier::groth16::prepare(&prover.pk.vk);
                proof.verify_groth16(&pvk, &S::public_inputs(public))?;
            }
            Chosen::Halo2(b, _) => Backend::<S>::verify(&**b, shape, public, proof)?,
        }
        Ok(())
    }

    /// Whether its keys or parameters come from an insecure local setup.
    pub fn insecure(&self) -> bool {
        match self {
            Chosen::Groth16(_, i) | Chosen::Halo2(_, i) => *i,
        }
    }
}

/// Verifies `env` for `public` at `shape` with the backend it names, from `params`; returns
/// whether the keys or parameters come from an insecure local setup.
pub fn verify_any<S: R1csStatement + Halo2Statement>(
    params: PathBuf,
    shape: &S::Shape,
    public: &S::Public,
    env: &ProofEnvelope,
) -> crate::Result<bool> {
    if env.backend == veil_verifier::proof::HALO2 {
        let (key, insecure) = crate::halo2_params::verifying_key_named::<S>(
            &params,
            shape,
            env.vk_sha256.as_deref(),
        )?;
        let id = S::key_id(shape);
        if env.key != id {
            return Err(veil_verifier::VerifyError::Mismatch(format!(
                "the proof is for {}, not {id}",
                env.key
            ))
            .into());
        }
        env.verify_halo2(&key, &S::public_inputs(public))?;
        return Ok(insecure);
    }
    let (vk, key) = veil_verifier::params::load_shape_key(&params, shape)?;
    env.verify_groth16(
        &veil_verifier::groth16::prepare(&vk),
        &S::public_inputs(public),
    )?;
    Ok(key.insecure_dev_setup)
}
