//! The buyer's side of metered access, kept in files on the buyer's machine: the buyer key,
//! the licence the issuer hands over, and the counter state that never hands out a slot twice.

use crate::{EngineError, Result};
use std::path::Path;
use veil_circuits::statements::usage::Licence;
use veil_circuits::Error;
pub use veil_verifier::formats::{
    BuyerKeyFile, CounterState, LicenceFile, WALLET_VERSION as FILE_VERSION,
};

/// An exclusive lock on a counter-state file, so that concurrent `veil meter call`s on one state
/// never read the same slot: an OS file lock (`flock`) on `<state>.lock`, which waits as long as
/// another call holds it (a read and a rewrite: milliseconds) and is released when the holder
/// exits, even by a crash, so no stale lock is ever left to time out on. The `.lock` file itself
/// stays (removing it would let a waiter lock a file nobody else sees).
struct StateLock {
    _held: std::fs::File,
}

impl StateLock {
    fn acquire(state: &Path) -> Result<Self> {
        let mut name = state.as_os_str().to_owned();
        name.push(".lock");
        let path = std::path::PathBuf::from(name);
        let io = |error| EngineError::Io {
            context: format!("locking {}", path.display()),
            error,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        file.lock().map_err(io)?;
        Ok(StateLock { _held: file })
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
            let s = CounterState::from_json(&text).map_err(|e| {
                Error::parse(
                    format!("counter state {}", state_path.display()),
                    format!("{e}; refusing to guess which slots were used (restore it, or wait for the next epoch with a new file)"),
                )
            })?;
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
                error: e,
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
    crate::files::write_atomic(
        state_path,
        (serde_json::to_string_pretty(&new).expect("states serialise") + "\n").as_bytes(),
        0o600,
    )?;
    Ok(slot)
}
