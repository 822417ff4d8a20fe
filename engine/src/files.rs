//! Reading and writing Veil's files: atomic writes (never half-written), secrets readable by
//! their owner only, and where the params directory is.

use crate::error::{refuse, At};
use crate::{EngineError, Result};
use std::path::{Path, PathBuf};

/// The params directory: `given`, else `$VEIL_PARAMS`, else `./params`.
pub fn params_dir(given: Option<PathBuf>) -> PathBuf {
    given
        .or_else(|| std::env::var_os("VEIL_PARAMS").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("params"))
}

/// Reads a text file; `what` names it in the error.
pub fn read_text(path: &Path, what: &str) -> Result<String> {
    std::fs::read_to_string(path).map_err(|error| EngineError::Io {
        context: format!("cannot read {what} {}", path.display()),
        error,
    })
}

/// Reads and parses a file; a parse error names the file.
pub fn read_parsed<T, E: Into<EngineError>>(
    path: &Path,
    what: &str,
    parse: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> Result<T> {
    parse(&read_text(path, what)?).at(path)
}

fn create_parent(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|error| EngineError::Io {
            context: format!("cannot create {}", dir.display()),
            error,
        })?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file beside it (`<name>.<random>.tmp`) and a
/// rename, so a crash or a full disk never leaves a half-written file under the final name;
/// `mode` is its permissions on Unix (0600 for secrets: seller and buyer keys, dataset keys,
/// licences, openings, counter state).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    use std::io::Write;
    let io = |error| EngineError::Io {
        context: format!("writing {}", path.display()),
        error,
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let prefix = format!("{}.", name.unwrap_or_default());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(mode));
    #[cfg(not(unix))]
    let _ = mode;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let mut tmp = builder
        .tempfile_in(dir.unwrap_or(Path::new(".")))
        .map_err(io)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Refuses a secret file that other users can read (Unix: any group or other permission bit).
pub fn check_secret_mode(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|error| EngineError::Io {
                context: format!("reading {}", path.display()),
                error,
            })?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            refuse!(
                "{} holds a secret but other users can read it (mode {:o}): run `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    Ok(())
}

/// Writes a file atomically (temporary file + rename), creating its folder.
pub fn write_output(path: &Path, text: &str) -> Result<()> {
    write_bytes(path, text.as_bytes())
}

/// As [`write_output`], for bytes.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    create_parent(path)?;
    write_atomic(path, bytes, 0o644)
}

/// A buffered reader of the ciphertext file at `path` (a `.veilct`), or an error naming it.
pub fn open_ciphertext(path: &Path) -> Result<std::io::BufReader<std::fs::File>> {
    let file = std::fs::File::open(path).map_err(|error| EngineError::Io {
        context: format!("cannot read ciphertext {}", path.display()),
        error,
    })?;
    Ok(std::io::BufReader::with_capacity(1 << 16, file))
}

/// Writes a secret (mode 0600), atomically; refuses to replace an existing file.
pub fn write_secret(path: &Path, text: &str) -> Result<()> {
    write_secret_replacing(path, text, false)
}

/// As [`write_secret`]; with `replace`, an existing file is replaced atomically (the rename
/// happens only once the new secret is on disk, so a failed write keeps the old one).
pub fn write_secret_replacing(path: &Path, text: &str, replace: bool) -> Result<()> {
    if path.exists() && !replace {
        refuse!(
            "{} exists; refusing to overwrite a secret (move it away first, or ask to replace it)",
            path.display()
        );
    }
    create_parent(path)?;
    write_atomic(path, text.as_bytes(), 0o600)
}

/// Reads and parses a secret file, then refuses it if other users can read it (parsing first,
/// so a wrong file is named as such).
pub fn read_secret<T, E: Into<EngineError>>(
    path: &Path,
    what: &str,
    parse: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> Result<T> {
    let value = read_parsed(path, what, parse)?;
    check_secret_mode(path)?;
    Ok(value)
}

/// Whether any key in the params folder comes from an insecure single-party setup (false when
/// the manifest cannot be read: the use-case that needs it says why).
pub fn insecure_keys(params: Option<PathBuf>) -> bool {
    veil_verifier::params::Manifest::load(&params_dir(params))
        .is_ok_and(|m| m.keys.values().any(|k| k.insecure_dev_setup))
}

/// Refuses to overwrite `path` (`what` names the file's role).
pub fn refuse_existing(path: &Path, what: &str) -> Result<()> {
    if path.exists() {
        refuse!("{} exists; refusing to overwrite {what}", path.display());
    }
    Ok(())
}

/// A file's size in bytes (0 when unknown: progress only).
pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// JSON, pretty, with a final newline: how Veil writes every JSON file.
pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("Veil's file types serialise") + "\n"
}

/// Writes `value` as pretty JSON, atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    write_output(path, &to_json(value))
}

/// A file written in a stream and published under its name only when complete: a temporary
/// file beside `path` until [`StreamedFile::publish`] renames it (or [`StreamedFile::keep_as`]
/// keeps it under another name, as an incomplete plaintext is kept for the buyer to see).
pub struct StreamedFile {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl StreamedFile {
    /// Starts a file that will become `path` (mode 0644, or 0600 when `secret`).
    pub fn create(path: &Path, secret: bool) -> Result<Self> {
        create_parent(path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let prefix = format!("{}.", name.unwrap_or_default());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(if secret {
            0o600
        } else {
            0o644
        }));
        #[cfg(not(unix))]
        let _ = secret;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let tmp = builder
            .tempfile_in(dir.unwrap_or(Path::new(".")))
            .map_err(|error| EngineError::Io {
                context: format!("creating a temporary file for {}", path.display()),
                error,
            })?;
        Ok(StreamedFile {
            path: path.to_path_buf(),
            tmp,
        })
    }

    /// Where the bytes go (buffer it).
    pub fn file(&mut self) -> &mut std::fs::File {
        self.tmp.as_file_mut()
    }

    fn persist_to(self, path: &Path) -> Result<()> {
        let io = |error| EngineError::Io {
            context: format!("writing {}", path.display()),
            error,
        };
        self.tmp.as_file().sync_all().map_err(io)?;
        self.tmp.persist(path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// Renames the finished file to its name.
    pub fn publish(self) -> Result<()> {
        let path = self.path.clone();
        self.persist_to(&path)
    }

    /// Keeps the file under `path` instead (an incomplete result, named as such).
    pub fn keep_as(self, path: &Path) -> Result<()> {
        self.persist_to(path)
    }
}
