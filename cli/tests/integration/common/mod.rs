//! Helpers shared by the CLI tests: run `veil` in a directory, and assert clean outcomes.

#[allow(dead_code)]
pub mod nodes;

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
#[allow(dead_code)]
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

/// snarkjs (npm), the independent Groth16 verifier, on a folder written by `veil export
/// snarkjs`: `Some(true)` when it accepts, `Some(false)` when it says "Invalid proof" (any other
/// failure, a crash included, panics), `None` when snarkjs is not installed (a panic under
/// `VEIL_REQUIRE_SNARKJS`).
#[allow(dead_code)]
pub fn snarkjs_accepts(dir: &Path, public: &str) -> Option<bool> {
    let snarkjs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/node_modules/.bin/snarkjs");
    if !snarkjs.exists() {
        assert!(
            std::env::var_os("VEIL_REQUIRE_SNARKJS").is_none(),
            "VEIL_REQUIRE_SNARKJS is set but {} is missing",
            snarkjs.display()
        );
        eprintln!("SKIPPED: snarkjs not installed (scripts/test.sh installs it in tools/)");
        return None;
    }
    let o = Command::new(&snarkjs)
        .args(["groth16", "verify"])
        .arg(dir.join("verification_key.json"))
        .arg(dir.join(public))
        .arg(dir.join("proof.json"))
        .output()
        .expect("snarkjs runs");
    let said =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    if o.status.success() && said.contains("OK!") {
        Some(true)
    } else if said.contains("Invalid proof") {
        Some(false)
    } else {
        panic!("snarkjs failed without a verdict: {said}")
    }
}

/// Exports `proof` for snarkjs into `out`, checks snarkjs accepts it, and that it rejects the
/// same proof with public input `edit` changed ("Invalid proof", not a crash).
#[allow(dead_code)]
pub fn snarkjs_cross_check(dir: &Path, proof: &str, out: &str, params: &str, edit: usize) {
    ok(&veil(
        dir,
        &["export", "snarkjs", proof, "--out", out, "--params", params],
    ));
    let out = dir.join(out);
    if snarkjs_accepts(&out, "public.json").is_none() {
        return;
    }
    assert_eq!(snarkjs_accepts(&out, "public.json"), Some(true), "{proof}");
    let mut public: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(out.join("public.json")).unwrap()).unwrap();
    public[edit] = "12345".into();
    std::fs::write(
        out.join("edited.json"),
        serde_json::to_string(&public).unwrap(),
    )
    .unwrap();
    assert_eq!(
        snarkjs_accepts(&out, "edited.json"),
        Some(false),
        "{proof}: edited input {edit}"
    );
}

/// Whether the Noir programs are compiled (compiling them if stale); without the toolchain a
/// test that needs it is skipped (`what` names it), unless `VEIL_REQUIRE_NOIR` is set (CI).
#[allow(dead_code)]
pub fn noir_toolchain_ready(what: &str) -> bool {
    match veil_engine::noir::toolchain::ensure_built() {
        Ok(()) => true,
        Err(e) if std::env::var_os("VEIL_REQUIRE_NOIR").is_none() => {
            veil_engine::noir::toolchain::skip(&format!("{what}: {e}"));
            false
        }
        Err(e) => panic!("VEIL_REQUIRE_NOIR is set: {e}"),
    }
}
