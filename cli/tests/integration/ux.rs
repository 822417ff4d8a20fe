//! The command line as a person meets it: files are never replaced without `--force`, options
//! that do not apply are refused, wrong files are named by kind, verdicts are one word (or
//! JSON), help shows the environment, completions and man pages are generated, and a closed
//! pipe ends `veil` quietly.

use crate::common;

use common::{fails, ok, veil};
use std::process::Command;

#[test]
fn outputs_are_replaced_only_with_force() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    std::fs::write(d.join("d.csv"), "a,b\n1,2\n3,4\n").unwrap();
    ok(&veil(d, &["dataset", "keygen", "--out", "s.key"]));
    let commit = |extra: &[&str]| {
        let base = [
            "dataset",
            "commit",
            "d.csv",
            "--secret-file",
            "s.key",
            "--out",
            "l.json",
        ];
        veil(d, &[&base[..], extra].concat())
    };
    let said = ok(&commit(&[]));
    assert!(said.contains("into l.json"), "says where it wrote: {said}");
    let before = std::fs::read_to_string(d.join("l.json")).unwrap();
    fails(&commit(&[]), "l.json exists; pass --force");
    assert_eq!(std::fs::read_to_string(d.join("l.json")).unwrap(), before);
    ok(&commit(&["--force"]));
    // Secrets too: a buyer key is replaced only with --force.
    ok(&veil(d, &["meter", "keygen", "--out", "b.key"]));
    fails(
        &veil(d, &["meter", "keygen", "--out", "b.key"]),
        "b.key exists; pass --force",
    );
    let k = ok(&veil(d, &["meter", "keygen", "--out", "b.key", "--force"]));
    assert!(
        k.trim().starts_with("0x") && k.trim().len() == 66,
        "K alone on stdout: {k:?}"
    );
}

#[test]
fn wrong_files_options_and_values_are_named() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    ok(&veil(d, &["dataset", "keygen", "--out", "s.key"]));
    // A seller secret where a preview belongs: named by kind, as a REFUSED verdict.
    let o = veil(d, &["preview", "verify", "s.key", "--listing", "s.key"]);
    fails(
        &o,
        "REFUSED: s.key: this is a seller secret; expected a preview",
    );
    let o = veil(
        d,
        &["preview", "verify", "s.key", "--listing", "s.key", "--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "refused");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("this is a seller secret"),
        "{v}"
    );
    // Options that do not apply to the statement are refused, not ignored.
    fails(
        &veil(d, &["setup", "--statement", "usage-tier", "--batch", "16"]),
        "batch does not apply to usage-tier",
    );
    fails(
        &veil(d, &["setup", "--statement", "usage-call", "--samples", "4"]),
        "samples does not apply to usage-call (it takes depth)",
    );
    // A root must be a whole field element: no silent padding.
    fails(
        &veil(d, &["audit", "check-disclosure", "s.key", "--root", "0x12"]),
        "expected 0x and 64 hex digits, got 2 characters",
    );
    // A misspelled flag gets a suggestion (clap).
    fails(
        &veil(d, &["dataset", "keygen", "--outt", "x.key"]),
        "similar argument exists: '--out'",
    );
}

#[test]
fn help_completions_and_man_pages() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let help = ok(&veil(d, &["--help"]));
    for env in [
        "VEIL_PARAMS",
        "VEIL_LEDGER",
        "VEIL_CRS_PATH",
        "VEIL_NOIR_DIR",
        "VEIL_BB",
    ] {
        assert!(help.contains(env), "{env} missing from --help");
    }
    let prove_help = ok(&veil(d, &["preview", "prove", "--help"]));
    assert!(
        prove_help.contains("[env: VEIL_PARAMS=") && prove_help.contains("--force"),
        "{prove_help}"
    );
    let bash = ok(&veil(d, &["completions", "bash"]));
    assert!(
        bash.contains("_veil()") && bash.contains("check-disclosure"),
        "{bash}"
    );
    let said = ok(&veil(d, &["man", "--out", "man"]));
    assert!(said.contains("man pages"), "{said}");
    let page = std::fs::read_to_string(d.join("man/veil-audit-prove.1")).unwrap();
    assert!(page.contains(".TH") && page.contains("batch"), "{page}");
}

#[test]
fn a_closed_pipe_ends_veil_quietly() {
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{}' completions bash | head -c 10 >/dev/null; echo \"status ${{PIPESTATUS[0]}}\"",
            env!("CARGO_BIN_EXE_veil")
        ))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!err.contains("panicked"), "{err}");
    // Killed by SIGPIPE (141) or done before head closed the pipe (0); never a panic (101).
    assert!(
        out.contains("status 141") || out.contains("status 0"),
        "{out}"
    );
}

#[test]
fn bench_measures_both_provers_and_names_a_bad_case() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let args = [
        "bench",
        "--case",
        "usage-call:4",
        "--runs",
        "1",
        "--no-throughput",
        "--no-bb",
        "--batch-verify",
        "4",
        "--json",
        "b.json",
        "--plots",
        "plots",
    ];
    let table = ok(&veil(d, &args));
    assert!(table.contains("| usage-call | usage-call-d4 |"), "{table}");
    assert!(
        table.contains("usage-call-d4: "),
        "the speed-up line: {table}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("b.json")).unwrap()).unwrap();
    let provers: Vec<&str> = report["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["prover"].as_str().unwrap())
        .collect();
    assert_eq!(
        provers,
        [
            "veil",
            "floor",
            "ark-groth16-stock",
            "halo2",
            "veil",
            "veil",
            "veil"
        ]
    );
    assert!(
        table.contains("Veil's halo2 backend takes"),
        "halo2 beside Groth16 by default: {table}"
    );
    assert!(
        table.contains("usage-call-d4: 4 proofs verified as one batch"),
        "{table}"
    );
    for (plot, series) in [
        ("prove.svg", "ark-groth16-stock"),
        ("verify.svg", "one by one"),
    ] {
        let svg = std::fs::read_to_string(d.join("plots").join(plot)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains(series), "{plot}");
    }
    fails(&veil(d, &args), "b.json exists; pass --force");
    fails(
        &veil(d, &["bench", "--case", "usage-cal"]),
        "unknown statement \"usage-cal\"",
    );
    fails(
        &veil(d, &["bench", "--case", "disclosure-totals:3"]),
        "power of two",
    );
}

/// A version 1 listing (binary tree, from before protocol v4), as checked in under
/// `tests/formats/v1/`: its delivery still verifies and its preview still verifies with the
/// keys it was made with, but a new preview for it is refused, saying to re-attest.
#[test]
fn a_version_1_listing_still_checks_but_takes_no_new_preview() {
    let v1 = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/formats/v1");
    let f = |name: &str| v1.join(name).display().to_string();
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    // Secrets are read only when private: copies with mode 0600 (git keeps 0644).
    for key in ["dataset.key", "seller.key"] {
        std::fs::copy(v1.join(key), d.join(key)).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join(key), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let said = ok(&veil(
        d,
        &[
            "delivery",
            "verify",
            &f("data.csv"),
            "--listing",
            &f("listing.json"),
            "--key",
            "dataset.key",
        ],
    ));
    assert!(said.contains("ACCEPTED"), "{said}");
    let said = ok(&veil(
        d,
        &[
            "preview",
            "verify",
            &f("preview.json"),
            "--listing",
            &f("listing.json"),
            "--params",
            &f("params"),
        ],
    ));
    assert!(said.contains("ACCEPTED"), "{said}");
    fails(
        &veil(
            d,
            &[
                "preview",
                "prove",
                "--dataset",
                &f("data.csv"),
                "--secret-file",
                "seller.key",
                "--listing",
                &f("listing.json"),
                "--challenge",
                "0x01",
                "--samples",
                "2",
                "--out",
                "p.json",
            ],
        ),
        "re-attest the dataset",
    );
    assert!(!d.join("p.json").exists(), "nothing written");
}
