//! The first half of a Groth16 phase-2 ceremony: a statement's circuit at one shape, exported
//! as the iden3 `.r1cs` file snarkjs's phase 2 reads (`snarkjs zkey new circuit.r1cs
//! final.ptau c0.zkey`, then `zkey contribute` by each party, `zkey beacon`, `zkey verify`), and
//! a description (`<key>.ceremony.json`) of what the operator must check and fetch: the
//! constraint count, the public inputs, the smallest `.ptau` that fits and the `.r1cs` file's
//! SHA-256. The wires are arkworks' variables in arkworks' order (`1`, the public inputs, the
//! witness), so a key made from this file is a key of exactly this constraint system.
//!
//! Reading the ceremony's final `.zkey` back into Veil's key store is not built yet
//! (`docs/deploy.md`): until it is, every Groth16 key Veil proves with is a single-party one.

use crate::bench::snarkjs::{r1cs_bytes, tau_power};
use crate::error::refuse;
use crate::files::{write_bytes, write_output};
use crate::Result;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use veil_circuits::statements::R1csStatement;
use veil_verifier::digest::sha256_hex;

/// Version of `<key>.ceremony.json`.
pub const CEREMONY_EXPORT_VERSION: u32 = 1;
/// Its `kind`.
pub const CEREMONY_EXPORT_KIND: &str = "groth16-ceremony-export";

/// What an export wrote, and what it says (`<key>.ceremony.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CeremonyExport {
    /// [`CEREMONY_EXPORT_VERSION`].
    pub veil: u32,
    /// [`CEREMONY_EXPORT_KIND`].
    pub kind: String,
    /// The statement's name.
    pub statement: String,
    /// The key id (statement and shape) a ceremony over this file makes a key for.
    pub key: String,
    /// R1CS constraints.
    pub constraints: usize,
    /// Public inputs (without the constant 1).
    pub public_inputs: usize,
    /// Wires: the constant 1, the public inputs and the witness.
    pub wires: usize,
    /// The smallest powers of tau snarkjs's phase 2 accepts for this circuit: a `.ptau` of
    /// `2^ptau_power` powers or more (`powersOfTau28_hez_final_NN.ptau` with `NN >=` it).
    pub ptau_power: u32,
    /// The `.r1cs` file's name, beside this description.
    pub r1cs: String,
    /// Its SHA-256, hex.
    pub r1cs_sha256: String,
}

impl CeremonyExport {
    /// Its JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Writes `S`'s circuit at `shape` into the folder `out` as `<key>.r1cs`, with its description
/// `<key>.ceremony.json`. Existing files of that key are replaced only with `force`.
pub fn export<S: R1csStatement>(
    shape: &S::Shape,
    out: &Path,
    force: bool,
) -> Result<(CeremonyExport, PathBuf)> {
    S::validate(shape)?;
    let key = S::key_id(shape);
    let r1cs_path = out.join(format!("{key}.r1cs"));
    let description = out.join(format!("{key}.ceremony.json"));
    for p in [&r1cs_path, &description] {
        if p.exists() && !force {
            refuse!(
                "{} exists: it may be the file a ceremony is running over; --force replaces it",
                p.display()
            );
        }
    }
    let m = veil_prover::groth16::constraint_matrices(S::blank(shape))?;
    let bytes = r1cs_bytes(&m)?;
    std::fs::create_dir_all(out)
        .map_err(|e| crate::EngineError::Refused(format!("{}: {e}", out.display())))?;
    write_bytes(&r1cs_path, &bytes)?;
    let public_inputs = m.num_instance - 1;
    let export = CeremonyExport {
        veil: CEREMONY_EXPORT_VERSION,
        kind: CEREMONY_EXPORT_KIND.into(),
        statement: S::NAME.into(),
        key,
        constraints: m.num_constraints,
        public_inputs,
        wires: m.num_instance + m.num_witness,
        ptau_power: tau_power(m.num_constraints, public_inputs),
        r1cs: r1cs_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        r1cs_sha256: sha256_hex(&bytes),
    };
    write_output(&description, &export.to_json())?;
    Ok((export, description))
}
