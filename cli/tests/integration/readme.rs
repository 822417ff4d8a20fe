//! The documentation's examples run as written: every fenced block tagged `sh` in `README.md`
//! and in `docs/*.md` (blocks tagged `sh norun` are shown, not run) runs, in order, as one bash
//! script per file, in an empty folder beside `examples/`, with the built `veil` first on
//! `PATH`. A failing command fails the test and names its line in the file.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The runnable shell of a Markdown file, line for line (every other line blank, so that bash's
/// line numbers are the file's), or `None` when it has no runnable block.
fn script_of(markdown: &str, file: &str) -> Option<String> {
    let mut lines = Vec::new();
    let mut in_block = false;
    let mut runnable = false;
    let mut any = false;
    for line in markdown.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (in_block, fence) {
            (false, Some(info)) => {
                in_block = true;
                runnable = info.trim() == "sh";
                any |= runnable;
                lines.push(String::new());
            }
            (true, Some(_)) => {
                in_block = false;
                runnable = false;
                lines.push(String::new());
            }
            (true, None) if runnable => lines.push(line.to_string()),
            _ => lines.push(String::new()),
        }
    }
    assert!(!in_block, "{file}: a fenced block is not closed");
    if !any {
        return None;
    }
    // The first line (a heading, never shell) carries the preamble, so numbering stays exact.
    lines[0] =
        format!("set -euo pipefail; trap 'echo \"{file}:$LINENO: this example failed\" >&2' ERR");
    Some(lines.join("\n") + "\n")
}

/// Runs `script` in a fresh folder beside a link to `examples/`; returns (success, stdout +
/// stderr).
fn run(script: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(repo().join("examples"), dir.path().join("examples")).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_veil")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir.path())
        .env("PATH", path)
        .env_remove("VEIL_PARAMS")
        .env_remove("VEIL_LEDGER")
        .env_remove("VEIL_CRS_PATH")
        .output()
        .expect("bash runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

fn documents() -> Vec<(String, String)> {
    let mut files = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
        .into_iter()
        .map(|p| {
            let name = p
                .strip_prefix(repo())
                .unwrap_or(&p)
                .display()
                .to_string()
                .trim_start_matches("../")
                .to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn every_documented_example_runs_as_written() {
    // The Noir examples compile programs: without the toolchain (npm ci in noir/) they cannot
    // run, which CI (VEIL_REQUIRE_NOIR=1) does not accept.
    if !common::noir_toolchain_ready("README examples") {
        return;
    }
    let mut ran = 0;
    for (name, text) in documents() {
        let Some(script) = script_of(&text, &name) else {
            continue;
        };
        let (ok, said) = run(&script);
        assert!(ok, "{name}: an example fails as written:\n{said}");
        ran += 1;
    }
    assert!(ran >= 1, "README.md has runnable examples");
}

#[test]
fn an_example_edited_to_be_wrong_fails_and_is_named() {
    let readme = &documents()[0].1;
    // A flag the command does not have, in the first runnable command.
    let broken = readme.replacen(
        "veil dataset keygen --out seller.key",
        "veil dataset keygen --output seller.key",
        1,
    );
    assert_ne!(&broken, readme, "the README starts with dataset keygen");
    let line = broken
        .lines()
        .position(|l| l.contains("--output seller.key"))
        .unwrap()
        + 1;
    let (ok, said) = run(&script_of(&broken, "README.md").unwrap());
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!("README.md:{line}: this example failed"))
            && said.contains("unexpected argument '--output'"),
        "{said}"
    );
    // A command that runs but is refused (a column the dataset does not have) fails too.
    let (ok, said) = run(&format!(
        "{}\nveil dataset keygen --out s.key && veil dataset commit examples/sales.csv \
         --secret-file s.key --out l.json && veil noir preview-inputs --dataset \
         examples/sales.csv --secret-file s.key --listing l.json --challenge 01 --samples 2 \
         --reveal amount --out i.json\n",
        script_of("x\n```sh\ntrue\n```\n", "t.md").unwrap()
    ));
    assert!(!ok && said.contains("no column \"amount\""), "{said}");
}

#[test]
fn blocks_are_extracted_line_for_line() {
    let md = "# T\ntext\n```sh\necho one\n```\n```sh norun\nexit 1\n```\n```text\nx\n```\n";
    let s = script_of(md, "t.md").unwrap();
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines[3], "echo one");
    assert!(lines[6].is_empty(), "norun blocks are not run");
    assert!(script_of("```sh norun\nx\n```\n", "t.md").is_none());
    let (ok, said) = run(&s);
    assert!(ok && said.contains("one"), "{said}");
}
