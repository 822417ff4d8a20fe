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
