//! Helpers shared by the CLI tests: run `veil` in a directory, and assert clean outcomes.

use std::path::Path;
use std::process::{Command, Output};

/// The `veil` binary, to run in `dir`.
#[allow(dead_code)]
pub fn veil_command(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_veil"));
    c.current_dir(dir)
        .env("RUST_LOG", "off")
        .env_remove("VEIL_CRS_PATH");
    c
}

/// Runs the `veil` binary in `dir`.
pub fn veil(dir: &Path, args: &[&str]) -> Output {
    veil_command(dir).args(args).output().expect("veil runs")
}

/// Asserts success; returns stdout.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Asserts a clean failure whose message names `needle`: non-zero exit, no panic.
pub fn fails(o: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success(),
        "unexpected success: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err:?}");
}
