//! The key store: Groth16 keys per circuit shape under a params directory, with a manifest of
//! digests (format in `veil_verifier::params`); and [`Groth16Backend`], the [`Backend`] that
//! proves with them. Proving keys are written uncompressed and read
//! back unchecked, which is safe only because their SHA-256 must match the manifest first.

use crate::backend::groth16::{self, Groth16Prover};
use crate::backend::{shape_json, Backend, BackendKind};
use crate::{ProverError, Result};
use ark_bn254::Bn254;
use ark_groth16::ProvingKey;
use ark_relations::gr1cs::ConstraintSynthesizer;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::rand::{CryptoRng, RngCore};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use veil_circuits::statements::R1csStatement;
use veil_circuits::Fr;
use veil_verifier::params::{read_checked, sha256_hex, FileRef, KeyEntry, Manifest, MANIFEST_FILE};
use veil_verifier::proof::ProofEnvelope;
use veil_verifier::proof::GROTH16;

/// Keys under one directory.
#[derive(Clone, Debug)]
pub struct KeyStore {
    dir: PathBuf,
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a crash or a full disk
/// never leaves a half-written file under the final name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_mode(path, bytes, 0o644)
}

/// As [`write_atomic`], readable and writable by the owner only (mode 0600 on Unix): for
/// secrets (seller and buyer keys, dataset keys, licences, openings, counter state).
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_mode(path, bytes, 0o600)
}

/// Refuses a secret file that other users can read (Unix: any group or other permission bit).
pub fn check_secret_mode(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|error| ProverError::Io {
                context: format!("reading {}", path.display()),
                error,
            })?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(ProverError::Secret(format!(
                "{} holds a secret but other users can read it (mode {:o}): run `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            )));
        }
    }
    Ok(())
}

fn write_atomic_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let io = |error| ProverError::Io {
        context: format!("writing {}", path.display()),
        error,
    };
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let written = (|| {
        use std::io::Write;
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    if let Err(e) = written {
        // A full disk or a killed write leaves no half-written temporary behind.
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
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
            if let Some(e) = Manifest::load(&self.dir)?.keys.get(key) {
                return Err(ProverError::Overwrite(format!(
                    "{} already holds keys for {key} (verifying key digest {}); replacing them \
                     would make every proof made with them fail to verify. Use --force to \
                     replace them anyway",
                    self.dir.display(),
                    e.verifying_key.sha256
                )));
            }
        }
        std::fs::create_dir_all(&self.dir).map_err(|error| ProverError::Io {
            context: format!("creating {}", self.dir.display()),
            error,
        })?;
        let matrices = groth16::constraint_matrices(blank.clone())?;
        let pk = groth16::insecure_setup(blank, rng)?;
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
            insecure_dev_setup: true,
        };
        write_atomic(&self.dir.join(&entry.proving_key.file), &pk_bytes)?;
        write_atomic(&self.dir.join(&entry.verifying_key.file), &vk_bytes)?;
        let mut manifest = Manifest::load(&self.dir)?;
        manifest.keys.insert(key.to_string(), entry.clone());
        let text = serde_json::to_string_pretty(&manifest).expect("manifests serialise") + "\n";
        write_atomic(&self.dir.join(MANIFEST_FILE), text.as_bytes())?;
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
        self.load_prover(&S::key_id(shape), S::blank(shape))
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

    fn key_id(&self, shape: &S::Shape) -> String {
        S::key_id(shape)
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
