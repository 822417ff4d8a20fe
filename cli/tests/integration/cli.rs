//! End-to-end tests of the `veil` binary: the seller's and buyer's flows, every rejection the
//! preview verifier must make, bad input handling, and snarkjs as an independent verifier.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const VEIL: &str = env!("CARGO_BIN_EXE_veil");

fn veil(args: &[&str]) -> Output {
    Command::new(VEIL)
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .expect("the veil binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts a clean failure: non-zero exit, a one-line `error:` (or a verify command's
/// `REFUSED:`) naming `needle`, no panic.
fn assert_fails(out: &Output, needle: &str) {
    let err = text(&out.stderr);
    assert!(
        !out.status.success(),
        "expected failure, got success; stdout: {}",
        text(&out.stdout)
    );
    assert!(!err.contains("panicked"), "panic: {err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("error:") || l.starts_with("REFUSED:"))
        .unwrap_or_else(|| panic!("no error line in {err:?}"));
    assert!(
        line.to_lowercase().contains(&needle.to_lowercase()),
        "{needle:?} not in {line:?}"
    );
}

fn assert_ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn s(&self, name: &str) -> String {
        self.p(name).display().to_string()
    }
}

fn write_csv(path: &Path, rows: usize, salt: &str) {
    let mut s = String::from("id,city,amount,email\n");
    for i in 0..rows {
        s += &format!(
            "{i},city{},{}.{:02},u{i}{salt}@x.org\n",
            i % 5,
            i * 37 % 500,
            i % 100
        );
    }
    std::fs::write(path, s).unwrap();
}

/// One seller, one committed dataset, keys for K = 3, and an honest preview, shared by tests.
fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let w = World {
            dir: tempfile::tempdir().unwrap(),
        };
        write_csv(&w.p("data.csv"), 40, "");
        write_csv(&w.p("other.csv"), 40, "x");
        assert_ok(&veil(&["dataset", "keygen", "--out", &w.s("seller.key")]));
        for (data, listing) in [
            ("data.csv", "listing.json"),
            ("other.csv", "other-listing.json"),
        ] {
            assert_ok(&veil(&[
                "dataset",
                "commit",
                &w.s(data),
                "--secret-file",
                &w.s("seller.key"),
                "--out",
                &w.s(listing),
                "--depth",
                "8",
                "--dataset-id",
                data,
            ]));
        }
        assert_ok(&veil(&[
            "setup",
            "--listing",
            &w.s("listing.json"),
            "--samples",
            "3",
            "--params",
            &w.s("params"),
        ]));
        for (challenge, out) in [("0x01", "preview.json"), ("0x02", "preview2.json")] {
            assert_ok(&prove(&w, challenge, "3", &w.s(out)));
        }
        w
    })
}

fn prove(w: &World, challenge: &str, k: &str, out: &str) -> Output {
    prove_with(w, "data.csv", "seller.key", challenge, k, out)
}

fn prove_with(w: &World, data: &str, secret: &str, challenge: &str, k: &str, out: &str) -> Output {
    veil(&[
        "preview",
        "prove",
        "--dataset",
        &w.s(data),
        "--secret-file",
        &w.s(secret),
        "--listing",
        &w.s("listing.json"),
        "--challenge",
        challenge,
        "--samples",
        k,
        "--reveal",
        "city,amount",
        "--out",
        out,
        "--params",
        &w.s("params"),
    ])
}

fn verify_file(w: &World, preview: &Path, listing: &str) -> Output {
    veil(&[
        "preview",
        "verify",
        &preview.display().to_string(),
        "--listing",
        &w.s(listing),
        "--params",
        &w.s("params"),
    ])
}

fn preview_json(w: &World, name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(w.p(name)).unwrap()).unwrap()
}

/// Writes an edited copy of the honest preview and verifies it.
fn verify_edited(edit: impl FnOnce(&mut serde_json::Value)) -> Output {
    let w = world();
    let mut v = preview_json(w, "preview.json");
    edit(&mut v);
    let f = tempfile::NamedTempFile::new_in(w.dir.path()).unwrap();
    std::fs::write(f.path(), serde_json::to_string(&v).unwrap()).unwrap();
    verify_file(w, f.path(), "listing.json")
}

#[test]
fn honest_preview_verifies_and_shows_revealed_cells_only() {
    let w = world();
    let out = assert_ok(&verify_file(w, &w.p("preview.json"), "listing.json"));
    assert!(out.contains("ACCEPTED: preview of 3 rows"), "{out}");
    let v = preview_json(w, "preview.json");
    for s in v["samples"].as_array().unwrap() {
        let cells = s["cells"].as_array().unwrap();
        assert_eq!(cells[0], "redacted");
        assert_eq!(cells[3], "redacted");
        assert!(cells[1]["utf8"].as_str().unwrap().starts_with("city"));
    }
    assert_eq!(v["proof"]["veil"], 2);
    assert_eq!(v["proof"]["vk_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(v["proof"]["statement"], "preview-membership");
}

#[test]
fn edited_revealed_cell_is_rejected() {
    let out = verify_edited(|v| v["samples"][0]["cells"][1] = serde_json::json!({"utf8": "city9"}));
    assert_fails(&out, "public input");
}

#[test]
fn changed_index_is_rejected() {
    let out = verify_edited(|v| {
        let i = v["samples"][1]["index"].as_u64().unwrap();
        v["samples"][1]["index"] = ((i + 1) % 40).into();
    });
    assert_fails(&out, "not the row the challenge draws");
}

#[test]
fn proof_for_another_challenge_is_rejected() {
    let w = world();
    // The other challenge's proof (and its public inputs) inside this preview.
    let other = preview_json(w, "preview2.json");
    assert_fails(
        &verify_edited(|v| v["proof"] = other["proof"].clone()),
        "public input",
    );
    // This preview's rows and proof claimed for the other challenge.
    let c2 = other["challenge"].clone();
    assert_fails(&verify_edited(|v| v["challenge"] = c2), "challenge draws");
    // The other challenge's whole content but with this proof: the pairing must fail.
    let this = preview_json(w, "preview.json");
    let out = verify_edited(|v| {
        *v = other.clone();
        let mut env = this["proof"].clone();
        env["public_inputs"] = other["proof"]["public_inputs"].clone();
        v["proof"] = env;
    });
    assert_fails(&out, "proof rejected");
}

#[test]
fn another_datasets_listing_is_rejected() {
    let w = world();
    assert_fails(
        &verify_file(w, &w.p("preview.json"), "other-listing.json"),
        "the preview is for dataset",
    );
}

#[test]
fn flipped_proof_byte_is_rejected() {
    for pos in [0usize, 40, 100, 200, 255] {
        let out = verify_edited(|v| {
            let mut p = v["proof"]["proof"].as_str().unwrap().as_bytes().to_vec();
            p[pos] = if p[pos] == b'0' { b'1' } else { b'0' };
            v["proof"]["proof"] = String::from_utf8(p).unwrap().into();
        });
        let err = text(&out.stderr);
        assert!(!out.status.success() && !err.contains("panicked"), "{err}");
        assert!(
            err.contains("proof rejected") || err.contains("malformed"),
            "{err}"
        );
    }
}

#[test]
fn truncated_or_garbled_preview_is_a_clear_error() {
    let w = world();
    let full = std::fs::read_to_string(w.p("preview.json")).unwrap();
    let f = w.p("truncated.json");
    std::fs::write(&f, &full[..full.len() / 2]).unwrap();
    assert_fails(&verify_file(w, &f, "listing.json"), "malformed");
    std::fs::write(&f, "").unwrap();
    assert_fails(&verify_file(w, &f, "listing.json"), "malformed");
}

#[test]
fn delivery_check_accepts_the_file_and_rejects_an_edit() {
    let w = world();
    assert_ok(&veil(&[
        "dataset",
        "export-key",
        "--secret-file",
        &w.s("seller.key"),
        "--listing",
        &w.s("listing.json"),
        "--out",
        &w.s("data.key"),
    ]));
    let out = assert_ok(&veil(&[
        "delivery",
        "verify",
        &w.s("data.csv"),
        "--listing",
        &w.s("listing.json"),
        "--key",
        &w.s("data.key"),
    ]));
    assert!(out.contains("ACCEPTED: "), "{out}");
    let edited = w.p("edited.csv");
    let body = std::fs::read_to_string(w.p("data.csv"))
        .unwrap()
        .replacen("city1", "city2", 1);
    std::fs::write(&edited, body).unwrap();
    assert_fails(
        &veil(&[
            "delivery",
            "verify",
            &w.s("edited.csv"),
            "--listing",
            &w.s("listing.json"),
            "--key",
            &w.s("data.key"),
        ]),
        "MISMATCH",
    );
    // The key of another dataset is refused by name.
    assert_fails(
        &veil(&[
            "delivery",
            "verify",
            &w.s("data.csv"),
            "--listing",
            &w.s("other-listing.json"),
            "--key",
            &w.s("data.key"),
        ]),
        "data.csv",
    );
}

#[test]
fn bad_inputs_fail_cleanly_and_write_nothing() {
    let w = world();
    let out = w.s("never.json");
    // Malformed CSV row.
    std::fs::write(w.p("bad.csv"), "a,b\n1,2\n3\n").unwrap();
    let commit = |file: &str, secret: &str| {
        veil(&[
            "dataset",
            "commit",
            &w.s(file),
            "--secret-file",
            &w.s(secret),
            "--out",
            &out,
        ])
    };
    assert_fails(&commit("bad.csv", "seller.key"), "line 3");
    // Empty file.
    std::fs::write(w.p("empty.csv"), "").unwrap();
    assert_fails(&commit("empty.csv", "seller.key"), "empty");
    // Wrong secret.
    assert_ok(&veil(&["dataset", "keygen", "--out", &w.s("other.key")]));
    let wrong = prove_with(w, "data.csv", "other.key", "01", "3", &out);
    assert_fails(&wrong, "key does not belong");
    // A challenge that is not hex.
    assert_fails(&prove(w, "0xnothex", "3", &out), "challenge");
    // K larger than n.
    assert_fails(&prove(w, "01", "41", &out), "only 40 records");
    // A shape with no keys.
    assert_fails(&prove(w, "01", "2", &out), "veil setup");
    // The dataset does not match the listing.
    let mismatched = prove_with(w, "other.csv", "seller.key", "01", "3", &out);
    assert_fails(&mismatched, "is not the file listed as");
    // ... checked by its size before it is read, then by its commitment.
    let same_size = std::fs::read_to_string(w.p("data.csv"))
        .unwrap()
        .replacen("city1", "city2", 1);
    std::fs::write(w.p("same-size.csv"), same_size).unwrap();
    let edited = prove_with(w, "same-size.csv", "seller.key", "01", "3", &out);
    assert_fails(&edited, "does not match the listing");
    // Secret file that is not a key file; keygen refusing to overwrite.
    assert_fails(&commit("data.csv", "data.csv"), "key file");
    assert_fails(
        &veil(&["dataset", "keygen", "--out", &w.s("seller.key")]),
        "exists; pass --force",
    );
    // The seller's secret is the owner's alone; a copy others can read is refused.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(w.p("seller.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::copy(w.p("seller.key"), w.p("exposed.key")).unwrap();
        std::fs::set_permissions(w.p("exposed.key"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        assert_fails(&commit("data.csv", "exposed.key"), "chmod 600");
    }
    // Keys already set up are not replaced without --force (proofs made with them would fail).
    let again = veil(&[
        "setup",
        "--listing",
        &w.s("listing.json"),
        "--samples",
        "3",
        "--params",
        &w.s("params"),
    ]);
    assert_fails(&again, "already holds keys");
    // A listing that claims a garbage file digest is refused, naming the field.
    let mut listing: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.p("listing.json")).unwrap()).unwrap();
    listing["file_sha256"] = "zz".into();
    std::fs::write(w.p("zz-listing.json"), listing.to_string()).unwrap();
    assert_fails(
        &verify_file(w, &w.p("preview.json"), "zz-listing.json"),
        "file_sha256",
    );
    assert!(!Path::new(&out).exists(), "a failed command left {out}");
    let leftovers: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// snarkjs (npm) is an independent Groth16 verifier: it must accept the exported honest proof
/// and reject a tampered one with its own "Invalid proof" (a crash is no verdict). `scripts/test.sh`
/// installs it; CI sets VEIL_REQUIRE_SNARKJS=1.
#[test]
fn snarkjs_verifies_exported_proof_and_rejects_a_tampered_one() {
    let w = world();
    // Public input 4: the first sample's first revealed value hash.
    common::snarkjs_cross_check(w.dir.path(), "preview.json", "snarkjs", "params", 4);
}

/// The repository root and the release `.wasm` verifier; `None` (skipped) when it is not
/// built, which `VEIL_REQUIRE_WASM` (set by `scripts/test.sh`) turns into a failure.
pub(crate) fn wasm_verifier() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let wasm = root.join("target/wasm32-unknown-unknown/release/veil_verifier.wasm");
    if !wasm.exists() {
        assert!(
            std::env::var_os("VEIL_REQUIRE_WASM").is_none(),
            "VEIL_REQUIRE_WASM is set but {} is missing",
            wasm.display()
        );
        eprintln!(
            "SKIPPED: {} not built (scripts/test.sh builds it)",
            wasm.display()
        );
        return None;
    }
    Some((root, wasm))
}

/// The WebAssembly verifier (as a buyer's browser runs it), driven by Node: it must accept the
/// honest preview and name the problem in an edited one. `scripts/test.sh` builds the wasm
/// first and sets VEIL_REQUIRE_WASM=1.
#[test]
fn wasm_verifier_in_node_accepts_honest_and_rejects_edited_previews() {
    let Some((root, wasm)) = wasm_verifier() else {
        return;
    };
    let w = world();
    let key = preview_json(w, "preview.json")["proof"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let vk = w.p("params").join(format!("{key}.vk"));
    let node = |preview: &Path| {
        Command::new("node")
            .arg(root.join("verifier/js/verify-preview.mjs"))
            .arg(&wasm)
            .arg(preview)
            .arg(w.p("listing.json"))
            .arg(&vk)
            .output()
            .expect("node runs")
    };
    let ok = node(&w.p("preview.json"));
    assert!(
        ok.status.success(),
        "{}{}",
        text(&ok.stdout),
        text(&ok.stderr)
    );
    assert!(
        text(&ok.stdout).starts_with("accepted"),
        "{}",
        text(&ok.stdout)
    );

    let mut v = preview_json(w, "preview.json");
    v["samples"][0]["cells"][1] = serde_json::json!({"utf8": "city9"});
    let edited = w.p("wasm-edited.json");
    std::fs::write(&edited, serde_json::to_string(&v).unwrap()).unwrap();
    let bad = node(&edited);
    assert!(!bad.status.success());
    assert!(
        text(&bad.stdout).starts_with("mismatch"),
        "{}",
        text(&bad.stdout)
    );

    let mut v = preview_json(w, "preview.json");
    let mut p = v["proof"]["proof"].as_str().unwrap().as_bytes().to_vec();
    p[10] = if p[10] == b'0' { b'1' } else { b'0' };
    v["proof"]["proof"] = String::from_utf8(p).unwrap().into();
    std::fs::write(&edited, serde_json::to_string(&v).unwrap()).unwrap();
    let bad = node(&edited);
    assert!(!bad.status.success());
    let said = text(&bad.stdout);
    assert!(
        said.starts_with("proof rejected") || said.starts_with("malformed"),
        "{said}"
    );
}

/// The relaxed-SIMD build's two-lane Poseidon2 (circuits/src/poseidon2/fma51.rs) in Node's V8
/// with relaxed SIMD switched on: 2,000 pairs of states (edge values first) must equal
/// arkworks' permutation in both lanes, and the plain build must say it runs one lane.
#[test]
fn relaxed_wasm_build_permutes_two_lanes_as_arkworks_does() {
    let Some((root, wasm)) = wasm_verifier() else {
        return;
    };
    let relaxed = wasm.with_file_name("veil_verifier_relaxed.wasm");
    assert!(
        relaxed.exists(),
        "{} is missing (scripts/build-wasm.sh)",
        relaxed.display()
    );
    let script = "import { readFileSync } from 'node:fs';\n\
        const { loadVerifier } = await import(process.argv[1]);\n\
        for (const f of process.argv.slice(2)) {\n\
          console.log((await loadVerifier(readFileSync(f))).twoLanes(2000));\n\
        }";
    let out = Command::new("node")
        .args([
            "--experimental-wasm-relaxed-simd",
            "--input-type=module",
            "-e",
            script,
        ])
        .arg(root.join("verifier/js/veil-verifier.mjs"))
        .args([&relaxed, &wasm])
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 2: both lanes at once and equal to arkworks; 1: the plain build, one after the other.
    assert_eq!(stdout.split_whitespace().collect::<Vec<_>>(), ["2", "1"]);
}

/// halo2 beside Groth16: `veil setup --backend halo2` makes (insecure) universal parameters,
/// `veil preview prove --backend halo2` proves the same statement with the same public inputs,
/// and `veil preview verify` checks it by the backend its envelope names, refusing it against
/// another listing, with moved public inputs, or without the parameters.
#[test]
fn a_halo2_preview_has_groth16_public_inputs_and_verifies_by_its_backend() {
    let w = world();
    let params = w.s("params-halo2");
    let out = assert_ok(&veil(&[
        "setup",
        "--backend",
        "halo2",
        "--listing",
        &w.s("listing.json"),
        "--samples",
        "3",
        "--params",
        &params,
    ]));
    assert!(
        out.contains("ready for halo2 preview-membership-d8-k3-m4"),
        "{out}"
    );
    let prove = |out: &str, params: &str| {
        veil(&[
            "preview",
            "prove",
            "--backend",
            "halo2",
            "--dataset",
            &w.s("data.csv"),
            "--secret-file",
            &w.s("seller.key"),
            "--listing",
            &w.s("listing.json"),
            "--challenge",
            "0x01",
            "--samples",
            "3",
            "--reveal",
            "city,amount",
            "--out",
            out,
            "--params",
            params,
        ])
    };
    assert_ok(&prove(&w.s("preview-halo2.json"), &params));
    let halo2 = preview_json(w, "preview-halo2.json");
    let groth16 = preview_json(w, "preview.json");
    assert_eq!(halo2["proof"]["backend"], "halo2-kzg-bn254");
    assert_eq!(
        halo2["proof"]["public_inputs"],
        groth16["proof"]["public_inputs"]
    );
    assert_eq!(halo2["samples"], groth16["samples"]);
    let verify = |file: &Path, listing: &str, params: &str| {
        veil(&[
            "preview",
            "verify",
            &file.display().to_string(),
            "--listing",
            &w.s(listing),
            "--params",
            params,
        ])
    };
    let out = assert_ok(&verify(&w.p("preview-halo2.json"), "listing.json", &params));
    assert!(out.contains("ACCEPTED: preview of 3 rows"), "{out}");
    assert_fails(
        &verify(&w.p("preview-halo2.json"), "other-listing.json", &params),
        "dataset",
    );
    let mut moved = halo2.clone();
    moved["samples"][0]["cells"][1] = serde_json::json!({"utf8": "elsewhere"});
    std::fs::write(w.p("preview-halo2-moved.json"), moved.to_string()).unwrap();
    assert_fails(
        &verify(&w.p("preview-halo2-moved.json"), "listing.json", &params),
        "edited cell",
    );
    let mut forged = halo2.clone();
    let proof = forged["proof"]["proof"].as_str().unwrap().to_string();
    let flipped = if &proof[100..101] == "0" { "1" } else { "0" };
    forged["proof"]["proof"] = format!("{}{flipped}{}", &proof[..100], &proof[101..]).into();
    std::fs::write(w.p("preview-halo2-forged.json"), forged.to_string()).unwrap();
    assert_fails(
        &verify(&w.p("preview-halo2-forged.json"), "listing.json", &params),
        "rejected",
    );
    assert_fails(
        &verify(&w.p("preview-halo2.json"), "listing.json", &w.s("params")),
        "no halo2 parameters",
    );
    // A buyer holds only the verifier's files: kzg-bn254.json and the shape's key.
    let key = halo2["proof"]["key"].as_str().unwrap();
    let vk = format!("halo2/{key}.l2.vk");
    let buyer = w.p("params-halo2-buyer");
    std::fs::create_dir_all(buyer.join("halo2")).unwrap();
    for f in ["kzg-bn254.json", vk.as_str()] {
        std::fs::copy(w.p("params-halo2").join(f), buyer.join(f)).unwrap();
    }
    let buyer = buyer.display().to_string();
    let out = assert_ok(&verify(&w.p("preview-halo2.json"), "listing.json", &buyer));
    assert!(out.contains("ACCEPTED: preview of 3 rows"), "{out}");
    assert_fails(
        &verify(&w.p("preview-halo2-forged.json"), "listing.json", &buyer),
        "rejected",
    );
    // And so does the browser's verifier (WebAssembly, in Node here).
    let Some((root, wasm)) = wasm_verifier() else {
        return;
    };
    let node = |preview: &str| {
        let o = Command::new("node")
            .arg(root.join("verifier/js/verify-preview.mjs"))
            .arg(&wasm)
            .arg(w.p(preview))
            .arg(w.p("listing.json"))
            .arg(w.p("params-halo2").join(&vk))
            .arg(w.p("params-halo2").join("kzg-bn254.json"))
            .output()
            .expect("node runs");
        (o.status.success(), text(&o.stdout) + &text(&o.stderr))
    };
    let (ok, said) = node("preview-halo2.json");
    assert!(ok && said.starts_with("accepted"), "{said}");
    for (file, outcome) in [
        ("preview-halo2-forged.json", "proof rejected"),
        ("preview-halo2-moved.json", "mismatch"),
    ] {
        let (ok, said) = node(file);
        assert!(!ok && said.starts_with(outcome), "{file}: {said}");
    }
    assert_fails(
        &prove(&w.s("unused.json"), &w.s("params")),
        "no halo2 parameters",
    );
}
