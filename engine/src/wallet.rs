//! The buyer's side of metered access, kept in files on the buyer's machine: the buyer key,
//! the licence the issuer hands over, and the counter state that never hands out a slot twice.

use crate::{EngineError, Result};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use std::path::Path;
use veil_circuits::field::serde_hex;
use veil_circuits::statements::usage::{self, Licence, LicenceTerms};
use veil_circuits::{Error, Fr};
use veil_prover::keys::write_secret;

/// Format version of licence and counter-state files.
pub const FILE_VERSION: u32 = 1;

/// `buyer.key`: the buyer's secret key for metered access (never leaves the buyer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuyerKeyFile {
    /// Format version.
    pub veil: u32,
    /// Always `"buyer-key"`.
    pub kind: String,
    /// The secret key.
    #[serde(with = "serde_hex")]
    pub sk: Fr,
}

impl BuyerKeyFile {
    /// A fresh key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        BuyerKeyFile {
            veil: FILE_VERSION,
            kind: "buyer-key".into(),
            sk: veil_circuits::field::random(rng),
        }
    }

    /// `K = H(KEY, sk)`, what the buyer gives the issuer.
    pub fn key_commitment(&self) -> Fr {
        usage::key_commitment(self.sk)
    }

    /// Parses a buyer key file.
    pub fn from_json(text: &str) -> Result<Self> {
        let f: BuyerKeyFile =
            serde_json::from_str(text).map_err(|e| Error::parse("buyer key file", e))?;
        if f.veil != FILE_VERSION || f.kind != "buyer-key" {
            return Err(Error::parse(
                "buyer key file",
                format!("kind {:?} version {}", f.kind, f.veil),
            )
            .into());
        }
        Ok(f)
    }
}

/// `licence.json`: what the issuer hands the buyer (no secret: the terms, the blinding, the
/// leaf index; the buyer's key stays in `buyer.key`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceFile {
    /// Format version.
    pub veil: u32,
    /// Always `"licence"`.
    pub kind: String,
    /// The listing's id.
    pub listing_id: String,
    /// The buyer's key commitment `K`.
    #[serde(with = "serde_hex")]
    pub key_commitment: Fr,
    /// Note blinding.
    #[serde(with = "serde_hex")]
    pub salt: Fr,
    /// Calls per epoch.
    pub quota: u64,
    /// Last valid epoch.
    pub expiry: u64,
    /// Leaf index in the licence tree.
    pub index: u64,
}

impl LicenceFile {
    /// The file for issued `terms` at leaf `index`.
    pub fn new(listing_id: &str, terms: &LicenceTerms, index: u64) -> Self {
        LicenceFile {
            veil: FILE_VERSION,
            kind: "licence".into(),
            listing_id: listing_id.into(),
            key_commitment: terms.key_commitment,
            salt: terms.salt,
            quota: terms.quota,
            expiry: terms.expiry,
            index,
        }
    }

    /// The licence terms.
    pub fn terms(&self) -> LicenceTerms {
        LicenceTerms {
            listing: usage::listing_field(&self.listing_id),
            key_commitment: self.key_commitment,
            quota: self.quota,
            expiry: self.expiry,
            salt: self.salt,
        }
    }

    /// The full licence, given the buyer's key (checked against `K`).
    pub fn licence(&self, key: &BuyerKeyFile) -> Result<Licence> {
        Ok(Licence::new(key.sk, &self.terms())?)
    }

    /// Parses a licence file.
    pub fn from_json(text: &str) -> Result<Self> {
        let f: LicenceFile =
            serde_json::from_str(text).map_err(|e| Error::parse("licence file", e))?;
        if f.veil != FILE_VERSION || f.kind != "licence" {
            return Err(Error::parse(
                "licence file",
                format!("kind {:?} version {}", f.kind, f.veil),
            )
            .into());
        }
        Ok(f)
    }
}

/// The counter state: which slot the next call uses in which epoch, for one licence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterState {
    /// Format version.
    pub veil: u32,
    /// Always `"counter-state"`.
    pub kind: String,
    /// The licence note this state counts for.
    #[serde(with = "serde_hex")]
    pub licence: Fr,
    /// The epoch `next` refers to.
    pub epoch: u64,
    /// The next unused slot in `epoch`.
    pub next: u64,
}

/// An exclusive lock on a counter-state file (a `.lock` file created with `O_EXCL`), so that
/// concurrent `veil meter call`s on one state never read the same slot.
struct StateLock(std::path::PathBuf);

impl StateLock {
    fn acquire(state: &Path) -> Result<Self> {
        let mut name = state.as_os_str().to_owned();
        name.push(".lock");
        let path = std::path::PathBuf::from(name);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(_) => return Ok(StateLock(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(e) => {
                    return Err(EngineError::Io {
                        context: format!(
                            "locking {} (if no other call is running, a crashed one left it: remove it)",
                            path.display()
                        ),
                        source: e,
                    })
                }
            }
        }
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Reserves the next counter slot of `licence` in `epoch`, durably, before any proof is made:
/// the state file is rewritten (atomically) with the slot consumed, so a crash after this
/// point can waste a slot but never reuse one. Refuses past the quota or after expiry.
pub fn reserve_counter(state_path: &Path, licence: &Licence, epoch: u64) -> Result<u64> {
    let _lock = StateLock::acquire(state_path)?;
    let note = licence.note();
    let state = match std::fs::read_to_string(state_path) {
        Ok(text) => {
            let s: CounterState = serde_json::from_str(&text).map_err(|e| {
                Error::parse(
                    format!("counter state {}", state_path.display()),
                    format!("{e}; refusing to guess which slots were used (restore it, or wait for the next epoch with a new file)"),
                )
            })?;
            if s.veil != FILE_VERSION || s.kind != "counter-state" {
                return Err(Error::parse(
                    "counter state",
                    format!("kind {:?} version {}", s.kind, s.veil),
                )
                .into());
            }
            if s.licence != note {
                return Err(Error::Mismatch(format!(
                    "{} counts for another licence",
                    state_path.display()
                ))
                .into());
            }
            if epoch < s.epoch {
                return Err(Error::InvalidParameter(format!(
                    "epoch {epoch} is before the state's epoch {}",
                    s.epoch
                ))
                .into());
            }
            s
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => CounterState {
            veil: FILE_VERSION,
            kind: "counter-state".into(),
            licence: note,
            epoch,
            next: 0,
        },
        Err(e) => {
            return Err(EngineError::Io {
                context: format!("reading {}", state_path.display()),
                source: e,
            })
        }
    };
    if epoch > licence.expiry {
        return Err(Error::InvalidParameter(format!(
            "the licence expired after epoch {}",
            licence.expiry
        ))
        .into());
    }
    let slot = if state.epoch == epoch { state.next } else { 0 };
    if slot >= licence.quota {
        return Err(Error::InvalidParameter(format!(
            "quota reached: all {} calls of epoch {epoch} are used",
            licence.quota
        ))
        .into());
    }
    let new = CounterState {
        epoch,
        next: slot + 1,
        ..state
    };
    write_secret(
        state_path,
        (serde_json::to_string_pretty(&new).expect("states serialise") + "\n").as_bytes(),
    )?;
    Ok(slot)
}
