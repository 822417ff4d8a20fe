//! The Noir library's own `#[test]`s. Without nargo here, `node build.mjs --tests` compiles a
//! copy of the library whose tests are public functions into one program that calls them all;
//! the ACVM executes it, so a failing Noir test fails this one.

use serde_json::json;
use std::process::Command;
use veil_noir::toolchain::{compiler_installed, noir_dir, skip};
use veil_noir::{execute, Artifact, Error};

#[test]
fn noir_library_tests_pass() {
    if !compiler_installed() {
        if std::env::var_os("VEIL_REQUIRE_NOIR").is_some() {
            panic!("VEIL_REQUIRE_NOIR is set but noir_wasm is not installed in noir/");
        }
        skip("noir_library_tests_pass: noir_wasm is not installed (npm install in noir/)");
        return;
    }
    let out = Command::new("node")
        .args(["build.mjs", "--tests"])
        .current_dir(noir_dir())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let count: usize = stdout
        .lines()
        .find_map(|l| {
            l.split(" library tests")
                .next()
                .filter(|_| l.contains(" library tests"))
        })
        .and_then(|n| n.trim().parse().ok())
        .expect("build.mjs reports the tests it found");
    assert!(count >= 4, "{stdout}");
    let program = Artifact::load(&noir_dir().join("target/library-tests.json")).unwrap();
    execute(&program, &json!({ "run": true })).unwrap();
    // The program does assert: refusing to run fails.
    assert!(matches!(
        execute(&program, &json!({ "run": false })),
        Err(Error::Unsatisfied { .. })
    ));
}
