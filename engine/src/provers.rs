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
use veil_prover::backend::halo2::Halo2Backend;
use veil_prover::keys::{Groth16Backend, KeyStore};

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

/// The halo2 backend over the universal parameters in `params` ([`crate::halo2::load`]), and
/// whether they come from the insecure local setup.
pub fn halo2(params: PathBuf) -> crate::Result<(Arc<Halo2Backend>, bool)> {
    let kept = HALO2.get_or_init(Default::default);
    let mut backends = kept.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(hit) = backends.get(&params) {
        return Ok(hit.clone());
    }
    let (p, info) = crate::halo2::load(&params)?;
    let loaded = (Arc::new(Halo2Backend::new(p)), info.insecure_dev_setup);
    backends.insert(params, loaded.clone());
    Ok(loaded)
}

/// Forgets the kept halo2 backend of `params` (after its parameters were replaced).
pub fn forget_halo2(params: &std::path::Path) {
    if let Some(kept) = HALO2.get() {
        kept.lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(params);
    }
}
