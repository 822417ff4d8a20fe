//! Proof systems behind one seam, [`Backend`]: a statement is set up, proved and verified the
//! same way whatever proves it, so the engine and the service choose a backend by name.
//!
//! Adding a backend is one module here implementing [`Backend`] for the statements it can
//! prove, plus its entry in [`BackendKind`]. Setup is each backend's own (Groth16 runs a
//! ceremony per statement shape, `Groth16Backend::setup`; UltraHonk and halo2 use a universal
//! one), so it is not part of the seam. The seam for GPU acceleration is inside each
//! backend's prover (its MSMs and FFTs); statements only see `setup`, `prove` and `verify`.

pub mod groth16;
pub mod halo2;
pub mod ultrahonk;

use crate::{ProverError, Result};
use veil_circuits::statements::Statement;
use veil_verifier::proof::ProofEnvelope;

/// The backends Veil knows, by the name a door takes (`--backend`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// Groth16 over BN254 (arkworks): one key pair per statement shape.
    Groth16,
    /// UltraHonk (Barretenberg) over the Noir twin of the statement: a universal CRS.
    UltraHonk,
    /// halo2 (KZG over BN254) over the statement's halo2 circuit: universal parameters.
    Halo2,
}

impl BackendKind {
    /// Every backend, in the order doors list them.
    pub const ALL: [BackendKind; 3] = [
        BackendKind::Groth16,
        BackendKind::Halo2,
        BackendKind::UltraHonk,
    ];

    /// The name a door takes.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Groth16 => "groth16",
            BackendKind::UltraHonk => "ultrahonk",
            BackendKind::Halo2 => "halo2",
        }
    }

    /// The backend a name means.
    pub fn parse(name: &str) -> std::result::Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|b| b.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|b| b.name()).collect();
                format!("unknown backend {name:?}: use {}", names.join(" or "))
            })
    }
}

/// A proof system proving statement `S`.
///
/// Proofs are randomised from the operating system's generator: a proof's blinding must be
/// fresh, so no caller chooses it.
pub trait Backend<S: Statement>: Send + Sync {
    /// Which backend this is.
    fn kind(&self) -> BackendKind;

    /// The id of the key (or program) that proves `shape`: the statement's key id unless the
    /// backend names its keys otherwise.
    fn key_id(&self, shape: &S::Shape) -> String {
        S::key_id(shape)
    }

    /// Proves `public` with `witness` at `shape`, after checking the statement natively (a
    /// broken rule is named, not proved).
    fn prove(
        &self,
        shape: &S::Shape,
        public: S::Public,
        witness: S::Witness,
    ) -> Result<ProofEnvelope>;

    /// Verifies that `proof` proves `public` at `shape`.
    fn verify(&self, shape: &S::Shape, public: &S::Public, proof: &ProofEnvelope) -> Result<()>;
}

/// A shape as its envelopes carry it (`shape`), the value [`ProofEnvelope::check_claims`]
/// compares.
pub(crate) fn shape_json<T: serde::Serialize>(shape: &T) -> Result<serde_json::Value> {
    serde_json::to_value(shape)
        .map_err(|e| ProverError::Proving(format!("the shape does not serialise: {e}")))
}
