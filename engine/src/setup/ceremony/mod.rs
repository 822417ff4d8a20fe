//! The first half of a Groth16 phase-2 ceremony: a statement's circuit at one shape, exported
//! as the iden3 `.r1cs` file snarkjs's phase 2 reads (`snarkjs zkey new circuit.r1cs
//! final.ptau c0.zkey`, then `zkey contribute` by each party, `zkey beacon`, `zkey verify`), and
//! a description (`<key>.ceremony.json`) of what the operator must check and fetch: the
//! constraint count, the public inputs, the smallest `.ptau` that fits and the `.r1cs` file's
//! SHA-256. The wires are arkworks' variables in arkworks' order (`1`, the public inputs, the
//! witness), so a key made from this file is a key of exactly this constraint system.
//!
//! The second half, [`import`], reads the ceremony's final `.zkey` into Veil's key store once
//! it is checked as `snarkjs zkey verify` checks it: the circuit's sizes and `A`, `B`
//! coefficients ([`check::check_circuit`]), every query against the `.ptau`'s Lagrange bases
//! ([`check::check_against_ptau`]), and the chain of contributions ([`chain::check_chain`]).
//! The manifest records the ceremony (the `.ptau`'s digests, the circuit hash, each
//! contribution's hash); the key proves with snarkjs's reduction (`veil_prover::qap`).

pub mod chain;
pub mod check;
pub mod zkey;

use crate::bench::snarkjs::{r1cs_bytes, tau_power};
use crate::error::refuse;
use crate::files::{write_bytes, write_output};
use crate::{EngineError, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use veil_circuits::statements::R1csStatement;
use veil_prover::backend::groth16::{constraint_matrices, Groth16Prover};
use veil_prover::keys::KeyStore;
use veil_verifier::digest::sha256_hex;
use veil_verifier::params::{CeremonyRecord, ContributionRecord, KeyEntry, Manifest, PtauRecord};

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

/// What [`import`] installed.
#[derive(Debug)]
pub struct Imported {
    /// The key id.
    pub key: String,
    /// Its manifest entry (with its [`CeremonyRecord`]).
    pub entry: KeyEntry,
    /// The key store's directory.
    pub dir: PathBuf,
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| EngineError::Refused(format!("{what} {}: {e}", path.display())))
}

fn at(path: &Path, e: EngineError) -> EngineError {
    EngineError::At {
        path: path.display().to_string(),
        error: Box::new(e),
    }
}

/// Imports the final `.zkey` of a phase-2 ceremony over `S`'s circuit at `shape`, made over
/// the prepared `.ptau` at `ptau`, into `store`: refused, with the store untouched, unless
/// every check holds (module comment), and unless the store's other ceremony keys were made
/// over the same `.ptau`; a key already there is replaced only with `force`.
pub fn import<S: R1csStatement>(
    shape: &S::Shape,
    zkey_path: &Path,
    ptau_path: &Path,
    store: &KeyStore,
    force: bool,
) -> Result<Imported> {
    S::validate(shape)?;
    let key = S::key_id(shape);
    if !force {
        store.refuse_existing(&key)?;
    }
    let zkey_bytes = read_file(zkey_path, "reading the .zkey")?;
    let ptau_bytes = read_file(ptau_path, "reading the .ptau")?;
    let zkey = zkey::read_zkey(&zkey_bytes).map_err(|e| at(zkey_path, e))?;
    let m = constraint_matrices(S::blank(shape))?;
    check::check_circuit(&zkey, &m, &key).map_err(|e| at(zkey_path, e))?;
    let ptau =
        zkey::read_ptau_for_key(&ptau_bytes, zkey.domain_size).map_err(|e| at(ptau_path, e))?;
    let ptau_record = ptau_record(ptau_path, &ptau_bytes, ptau.power)?;
    let manifest = Manifest::load(store.dir())?;
    for (other, e) in &manifest.keys {
        if let Some(c) = &e.ceremony {
            if c.ptau.blake2b != ptau_record.blake2b && (other != &key || !force) {
                refuse!(
                    "{} holds {other} from a ceremony over another .ptau ({}, BLAKE2b {}…); \
                     {key}'s is {} ({}…): keys of two phase-1 ceremonies are not mixed in one \
                     folder",
                    store.dir().display(),
                    c.ptau.file,
                    &c.ptau.blake2b[..16],
                    ptau_record.file,
                    &ptau_record.blake2b[..16]
                );
            }
        }
    }
    check::check_against_ptau(&zkey, &m, &ptau).map_err(|e| at(zkey_path, e))?;
    let contributions = chain::check_chain(&zkey).map_err(|e| at(zkey_path, e))?;
    // The key proves with snarkjs's reduction: the prover must see it as such.
    let prover = Groth16Prover::new(zkey.pk, S::blank(shape))?;
    let record = CeremonyRecord {
        kind: "snarkjs-groth16-phase2".into(),
        zkey_sha256: sha256_hex(&zkey_bytes),
        ptau: ptau_record,
        circuit_hash: hex::encode(zkey.cs_hash),
        contributions: contributions
            .into_iter()
            .enumerate()
            .map(|(i, c)| ContributionRecord {
                index: i + 1,
                name: c.name,
                hash: c.hash,
                beacon: c.beacon.as_ref().map(|b| b.0.clone()),
                beacon_iterations_exp: c.beacon.map(|b| b.1),
            })
            .collect(),
        imported_unix: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    };
    let entry = store.install(
        &key,
        S::NAME,
        serde_json::to_value(shape).map_err(|e| EngineError::Refused(e.to_string()))?,
        &prover.pk,
        &m,
        record,
    )?;
    Ok(Imported {
        key,
        entry,
        dir: store.dir().to_path_buf(),
    })
}

/// The `.ptau`'s digests, and the published Hermez file it is, if any. A file named like one
/// whose hash is not that file's is refused by name.
fn ptau_record(path: &Path, bytes: &[u8], power: u32) -> Result<PtauRecord> {
    let blake2b = crate::halo2_params::ptau_blake2b(bytes);
    crate::halo2_params::check_published(path, &blake2b)?;
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let published = veil_halo2::ptau::published_power(&blake2b);
    Ok(PtauRecord {
        file,
        power,
        sha256: sha256_hex(bytes),
        blake2b,
        published: published.map(veil_halo2::ptau::hermez_name),
    })
}
