//! The key store: Groth16 keys per circuit shape under a params directory, with a manifest of
//! digests (format in `veil_verifier::params`); `backend::groth16::Groth16Backend` proves with
//! them. Proving keys are written uncompressed and read
//! back unchecked, which is safe only because their SHA-256 must match the manifest first.

use crate::groth16::{self, Groth16Prover};
use crate::{ProverError, Result};
use ark_bn254::Bn254;
use ark_groth16::ProvingKey;
use ark_relations::gr1cs::ConstraintSynthesizer;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::rand::{CryptoRng, RngCore};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use veil_circuits::statements::R1csStatement;
use veil_circuits::Fr;
use veil_verifier::params::{
    read_checked, sha256_hex, CeremonyRecord, FileRef, KeyEntry, Manifest, MANIFEST_FILE,
};
use veil_verifier::proof::GROTH16;

/// Keys under one directory.
#[derive(Clone, Debug)]
pub struct KeyStore {
    dir: PathBuf,
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename, so a crash or a
/// full disk never leaves a half-written key under the final name (the engine's
/// `files::write_atomic` does the same for every other file, and secrets).
pub(crate) fn persist(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let io = |error| ProverError::Io {
        context: format!("writing {}", path.display()),
        error,
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let mut tmp = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new("."))).map_err(io)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

impl KeyStore {
    /// A store in `dir` (created on first setup).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        KeyStore { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs a single-party (insecure, development) Groth16 setup for one shape and records it
    /// in the manifest. `blank` is any assignment of the shape. Keys already in the manifest are
    /// replaced only when `overwrite` is set: every proof made with them would stop verifying.
    pub fn setup<C, R>(
        &self,
        key: &str,
        statement: &str,
        shape: serde_json::Value,
        blank: C,
        overwrite: bool,
        rng: &mut R,
    ) -> Result<KeyEntry>
    where
        C: ConstraintSynthesizer<Fr> + Clone,
        R: RngCore + CryptoRng,
    {
        if !overwrite {
            self.refuse_existing(key)?;
        }
        self.create_dir()?;
        let matrices = groth16::constraint_matrices(blank.clone())?;
        let pk = groth16::insecure_setup(blank, rng)?;
        self.write(key, statement, shape, &pk, &matrices, None)
    }

    /// Installs `pk`, a key of a phase-2 ceremony recorded as `ceremony`, for the circuit of
    /// `matrices` under `key` (`veil setup --ceremony-import`, once the key is checked),
    /// replacing any key of that id: call [`Self::refuse_existing`] first unless replacing is
    /// what was asked for.
    pub fn install(
        &self,
        key: &str,
        statement: &str,
        shape: serde_json::Value,
        pk: &ProvingKey<Bn254>,
        matrices: &groth16::ConstraintMatrices,
        ceremony: CeremonyRecord,
    ) -> Result<KeyEntry> {
        self.create_dir()?;
        self.write(key, statement, shape, pk, matrices, Some(ceremony))
    }

    /// Refuses to replace the keys of `key` when the manifest has them: every proof made with
    /// them would stop verifying.
    pub fn refuse_existing(&self, key: &str) -> Result<()> {
        match Manifest::load(&self.dir)?.keys.get(key) {
            Some(e) => Err(ProverError::Overwrite(format!(
                "{} already holds keys for {key} ({}, verifying key digest {}); replacing them \
                 would make every proof made with them fail to verify. Use --force to replace \
                 them anyway",
                self.dir.display(),
                e.provenance(),
                e.verifying_key.sha256
            ))),
            None => Ok(()),
        }
    }

    fn create_dir(&self) -> Result<()> {
        std::fs::create_dir_all(&self.dir).map_err(|error| ProverError::Io {
            context: format!("creating {}", self.dir.display()),
            error,
        })
    }

    /// Writes `pk` and its verifying key, then their manifest entry (last: after a crash between
    /// them the manifest's digests name the old files, so the new ones are refused on load, never
    /// used under the old entry).
    fn write(
        &self,
        key: &str,
        statement: &str,
        shape: serde_json::Value,
        pk: &ProvingKey<Bn254>,
        matrices: &groth16::ConstraintMatrices,
        ceremony: Option<CeremonyRecord>,
    ) -> Result<KeyEntry> {
        let mut pk_bytes = Vec::new();
        pk.serialize_uncompressed(&mut pk_bytes)
            .map_err(|e| ProverError::Proving(e.to_string()))?;
        let mut vk_bytes = Vec::new();
        pk.vk
            .serialize_compressed(&mut vk_bytes)
            .map_err(|e| ProverError::Proving(e.to_string()))?;
        let file_ref = |ext: &str, bytes: &[u8]| FileRef {
            file: format!("{key}.{ext}"),
            sha256: sha256_hex(bytes),
            bytes: bytes.len() as u64,
        };
        let entry = KeyEntry {
            statement: statement.into(),
            backend: GROTH16.into(),
            shape,
            constraints: matrices.num_constraints,
            public_inputs: matrices.num_instance - 1,
            proving_key: file_ref("pk", &pk_bytes),
            verifying_key: file_ref("vk", &vk_bytes),
            created_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            insecure_dev_setup: ceremony.is_none(),
            ceremony,
        };
        persist(&self.dir.join(&entry.proving_key.file), &pk_bytes)?;
        persist(&self.dir.join(&entry.verifying_key.file), &vk_bytes)?;
        let mut manifest = Manifest::load(&self.dir)?;
        manifest.keys.insert(key.to_string(), entry.clone());
        let text = serde_json::to_string_pretty(&manifest).expect("manifests serialise") + "\n";
        persist(&self.dir.join(MANIFEST_FILE), text.as_bytes())?;
        Ok(entry)
    }

    /// Sets up statement `S` at `shape` (key id, name and blank circuit from the statement).
    pub fn setup_statement<S: R1csStatement, R: RngCore + CryptoRng>(
        &self,
        shape: &S::Shape,
        overwrite: bool,
        rng: &mut R,
    ) -> Result<KeyEntry> {
        S::validate(shape)?;
        self.setup(
            &S::key_id(shape),
            S::NAME,
            serde_json::to_value(shape).expect("shapes serialise"),
            S::blank(shape),
            overwrite,
            rng,
        )
    }

    /// Loads the prover of statement `S` at `shape`.
    pub fn load_statement<S: R1csStatement>(
        &self,
        shape: &S::Shape,
    ) -> Result<(Groth16Prover, KeyEntry)> {
        S::validate(shape)?;
        let (prover, entry) = self.load_prover(&S::key_id(shape), S::blank(shape))?;
        entry.check_shape(shape)?;
        Ok((prover, entry))
    }

    /// Loads the proving key of `key` (digest-checked, then uncompressed and unchecked) and
    /// caches its shape's matrices from `blank`.
    pub fn load_prover<C: ConstraintSynthesizer<Fr>>(
        &self,
        key: &str,
        blank: C,
    ) -> Result<(Groth16Prover, KeyEntry)> {
        let manifest = Manifest::load(&self.dir)?;
        let entry = manifest.entry(&self.dir, key)?.clone();
        let bytes = read_checked(&self.dir, &entry.proving_key)?;
        let pk = ProvingKey::<Bn254>::deserialize_uncompressed_unchecked(bytes.as_slice())
            .map_err(|e| ProverError::Proving(format!("{}: {e}", entry.proving_key.file)))?;
        let other = |why: String| {
            ProverError::OtherCircuit(format!(
                "{key} in {} was set up for another circuit than this build's ({} constraints \
                 recorded): the circuit changed (docs/protocol.md, section 6); run `veil setup \
                 --force` for it. {why}",
                self.dir.display(),
                entry.constraints
            ))
        };
        let prover = Groth16Prover::new(pk, blank).map_err(|e| match e {
            ProverError::OtherCircuit(why) => other(why),
            e => e,
        })?;
        // Same sizes can still be another circuit: the recorded count must match too.
        if prover.matrices.num_constraints != entry.constraints {
            return Err(other(format!(
                "This build's circuit has {} constraints.",
                prover.matrices.num_constraints
            )));
        }
        Ok((prover, entry))
    }
}
