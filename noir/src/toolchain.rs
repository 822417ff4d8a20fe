//! Where the Noir workspace, its compiled programs and Barretenberg's `bb` live, and the build
//! step: `node noir/build.mjs` compiles every program with noir_wasm into `noir/target/`.
//! [`ensure_built`] runs it when an artifact is missing or older than a source file, so a
//! `cargo test` after editing a `.nr` file tests the edit.

use crate::artifact::Artifact;
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;
use veil_circuits::statements;

/// Every program of the workspace: each statement's twin, settlement verifying a preview
/// recursively, and the encodings' cross-check.
pub const PROGRAMS: [&str; 10] = [
    statements::PROGRAMS[0],
    statements::PROGRAMS[1],
    statements::PROGRAMS[2],
    statements::PROGRAMS[3],
    statements::PROGRAMS[4],
    statements::PROGRAMS[5],
    statements::PROGRAMS[6],
    "settlement_with_preview",
    veil_circuits::statements::settlement::release::PROGRAM,
    "encodings",
];

/// The Noir workspace (the folder with `Nargo.toml`, `build.mjs` and, once compiled,
/// `target/`): `$VEIL_NOIR_DIR` when set; else found beside the running binary, as
/// `noir/` or `share/veil/noir/` in the binary's folder or any folder above it (so a `veil`
/// built in a checkout finds the checkout's, and an installed one its `share/veil/noir`); else
/// `./noir`. Never the folder the binary was compiled in.
pub fn noir_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("VEIL_NOIR_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().ok();
    exe.iter()
        .flat_map(|e| e.ancestors().skip(1))
        .flat_map(|d| [d.join("noir"), d.join("share/veil/noir")])
        .find(|d| d.join("Nargo.toml").is_file())
        .unwrap_or_else(|| PathBuf::from("noir"))
}

/// A program by name, building the programs if stale: the name Veil gives a statement at a
/// shape everywhere (its Groth16 key id, e.g. `preview-membership-d20-k8-m6`: the base program
/// when that is its shape, else a compiled variant of `noir/shapes.json`), a Nargo package name
/// (`preview_membership`), or the path of an artifact (`*.json`). `_` and `-` are the same
/// (`preview_membership-d20_k8_m6` is `preview-membership-d20-k8-m6`).
pub fn program_path(name: &str) -> Result<PathBuf> {
    if name.ends_with(".json") {
        return Ok(PathBuf::from(name));
    }
    ensure_built()?;
    let veil_name = canonical_name(name);
    let package = crate::twins::base_program(&veil_name)
        .or_else(|| PROGRAMS.iter().find(|p| **p == veil_name).copied());
    if let Some(p) = package {
        return Ok(artifact_path(p));
    }
    let variant = variant_path(&veil_name);
    if variant.is_file() {
        return Ok(variant);
    }
    let listed = variants().unwrap_or_default();
    let compiled: Vec<&str> = listed
        .iter()
        .filter(|v| variant_path(v).is_file())
        .map(String::as_str)
        .collect();
    let listed = listed.contains(&veil_name);
    Err(Error::UnknownProgram(format!(
        "no Noir program {name:?}; {}. Base programs: {}; compiled shapes: {}",
        if listed {
            "its shape is in shapes.json but not compiled: run `veil noir build --variants`"
        } else {
            "to prove at another shape, add it to shapes.json and run `veil noir build --variants`"
        },
        crate::twins::base_programs()
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        if compiled.is_empty() {
            "none".to_string()
        } else {
            compiled.join(", ")
        }
    )))
}

/// The name a program is known by, however it was typed: a base program's package name becomes
/// its Veil name, `_` becomes `-` (so names compare equal exactly when they are one program).
pub fn canonical_name(name: &str) -> String {
    if PROGRAMS.contains(&name) {
        return veil_name(name);
    }
    let dashed = name.replace('_', "-");
    match PROGRAMS.iter().find(|p| p.replace('_', "-") == dashed) {
        Some(p) => veil_name(p),
        None => dashed,
    }
}

pub use crate::twins::veil_name;

/// The compiled artifact of `program`.
pub fn artifact_path(program: &str) -> PathBuf {
    noir_dir().join("target").join(format!("{program}.json"))
}

/// Barretenberg's native prover: `$VEIL_BB`, or the binary the npm package `@aztec/bb.js`
/// installed into `noir/node_modules`.
pub fn bb_path() -> PathBuf {
    std::env::var_os("VEIL_BB")
        .map(PathBuf::from)
        .unwrap_or_else(|| noir_dir().join("node_modules/@aztec/bb.js/build/amd64-linux/bb"))
}

fn newest_source(dir: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return newest;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        if name == "target" || name == "node_modules" {
            continue;
        }
        if p.is_dir() {
            newest = newest.max(newest_source(&p));
        } else if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("nr" | "toml" | "mjs" | "json")
        ) {
            if let Ok(t) = e.metadata().and_then(|m| m.modified()) {
                newest = newest.max(t);
            }
        }
    }
    newest
}

/// The production-shape variants `noir/shapes.json` lists, by name (their Groth16 key ids).
pub fn variants() -> Result<Vec<String>> {
    let path = noir_dir().join("shapes.json");
    let text = std::fs::read_to_string(&path)?;
    let table: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).map_err(|e| Error::Artifact {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    Ok(table
        .iter()
        .filter_map(|(program, shapes)| Some((program, shapes.as_object()?)))
        .flat_map(|(_, shapes)| shapes.keys().cloned())
        .collect())
}

/// The compiled artifact of a variant (`node build.mjs --variants`).
pub fn variant_path(name: &str) -> PathBuf {
    noir_dir()
        .join("target/variants")
        .join(format!("{name}.json"))
}

fn up_to_date(dir: &Path, with_variants: bool) -> bool {
    let sources = newest_source(dir);
    let fresh = |p: PathBuf| {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= sources)
    };
    PROGRAMS.iter().all(|p| fresh(artifact_path(p)))
        && (!with_variants || variants().is_ok_and(|v| v.iter().all(|n| fresh(variant_path(n)))))
}

/// Whether the compiler is installed (`npm install` in `noir/`).
pub fn compiler_installed() -> bool {
    noir_dir()
        .join("node_modules/@noir-lang/noir_wasm/package.json")
        .exists()
}

/// Compiles the programs unless every artifact is newer than every source. Concurrent callers
/// (test binaries run in parallel) wait on one file lock instead of compiling twice.
pub fn ensure_built() -> Result<()> {
    ensure(false)
}

/// [`ensure_built`], and the production-shape variants of `noir/shapes.json` too.
pub fn ensure_variants() -> Result<()> {
    ensure(true)
}

fn ensure(with_variants: bool) -> Result<()> {
    let dir = noir_dir();
    if up_to_date(&dir, with_variants) {
        return Ok(());
    }
    if !dir.join("Nargo.toml").is_file() {
        return Err(Error::Toolchain(format!(
            "{} is not a Noir workspace (no Nargo.toml): set VEIL_NOIR_DIR to the `noir/` folder \
             of a Veil checkout (or an installed share/veil/noir)",
            dir.display()
        )));
    }
    if !compiler_installed() {
        return Err(Error::Toolchain(format!(
            "the Noir programs are not compiled and noir_wasm is not installed: run `npm install` and \
             `node build.mjs` in {}",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir.join("target"))?;
    // An OS file lock: concurrent callers wait for the one compiling (however long a loaded
    // machine takes), and a crashed caller's lock dies with it.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(dir.join("target/.build.lock"))?;
    lock.lock()?;
    let result = if up_to_date(&dir, with_variants) {
        Ok(())
    } else {
        build(&dir, with_variants)
    };
    drop(lock);
    result
}

fn build(dir: &Path, with_variants: bool) -> Result<()> {
    let mut node = Command::new("node");
    node.arg("build.mjs");
    if with_variants {
        node.arg("--variants");
    }
    let out = node
        .current_dir(dir)
        .output()
        .map_err(|e| Error::Toolchain(format!("cannot run node: {e}")))?;
    if !out.status.success() {
        return Err(Error::Toolchain(format!(
            "`node build.mjs` failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(())
}

/// Builds if needed, then loads `program`.
pub fn load(program: &str) -> Result<Artifact> {
    ensure_built()?;
    Artifact::load(&artifact_path(program))
}

/// For tests: the program, or `None` (with the reason printed) when the Noir toolchain is not
/// installed and `VEIL_REQUIRE_NOIR` is unset. With `VEIL_REQUIRE_NOIR=1` (CI) a missing
/// toolchain fails the test instead.
pub fn load_for_test(program: &str) -> Option<Artifact> {
    match load(program) {
        Ok(a) => Some(a),
        Err(e) if std::env::var_os("VEIL_REQUIRE_NOIR").is_none() => {
            skip(&format!(
                "{e} (set VEIL_REQUIRE_NOIR=1 to make this an error)"
            ));
            None
        }
        Err(e) => panic!("VEIL_REQUIRE_NOIR is set and {program} cannot be loaded: {e}"),
    }
}

/// Reports a skipped test on the real stderr: the test harness captures `eprintln!` of passing
/// tests, and a skip must show in the test output.
pub fn skip(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {reason}");
}
