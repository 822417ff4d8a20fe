//! The buyer's and auditor's page in a real browser: Chromium (Debian's package) driven by
//! playwright-core (npm, tools/) through `verifier/web/tests/browser.mjs`, against `veil serve`.
//! Every case's verdict on the page must be the native verifier's (`veil preview verify`,
//! `veil delivery verify`, `veil delivery check` and `decrypt`, `veil audit verify` on the same
//! files), no console error or uncaught
//! exception may occur, and each verdict's screenshot is kept under `target/browser/`.
//! `scripts/test.sh` installs Chromium and playwright-core and sets VEIL_REQUIRE_BROWSER=1,
//! which turns a missing piece into a failure instead of a skip.

use crate::cli::wasm_verifier;
use crate::common::{self, nodes::Node};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Chromium and playwright-core, or `None` (skipped) when one is missing.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tools = root.join("tools/node_modules");
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    match (chromium, tools.join("playwright-core").exists()) {
        (Some(c), true) => Some((c, tools)),
        _ => {
            assert!(
                std::env::var_os("VEIL_REQUIRE_BROWSER").is_none(),
                "VEIL_REQUIRE_BROWSER is set but Chromium or tools/node_modules/playwright-core is missing"
            );
            eprintln!(
                "SKIPPED: Chromium or playwright-core missing (scripts/test.sh installs them)"
            );
            None
        }
    }
}

/// `veil ARGS` in `dir`; its success.
fn run(dir: &Path, args: &[&str]) -> bool {
    common::veil(dir, args).status.success()
}

fn must(dir: &Path, args: &[&str]) {
    common::ok(&common::veil(dir, args));
}

/// Commits `data` as dataset `id` into `listing`, and writes its dataset key to `key`.
fn commit(dir: &Path, data: &str, id: &str, listing: &str, key: &str) {
    let secret = ["--secret-file", "seller.key"];
    must(
        dir,
        &[
            &[
                "dataset",
                "commit",
                data,
                "--dataset-id",
                id,
                "--out",
                listing,
            ][..],
            &secret,
        ]
        .concat(),
    );
    must(
        dir,
        &[
            &["dataset", "export-key", "--listing", listing, "--out", key][..],
            &secret,
        ]
        .concat(),
    );
}

fn edit_json(dir: &Path, from: &str, to: &str, edit: impl FnOnce(&mut Value)) {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(from)).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(dir.join(to), serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// Flips one hex digit of a string field.
fn flip(s: &Value, at: usize) -> Value {
    let mut b = s.as_str().unwrap().as_bytes().to_vec();
    b[at] = if b[at] == b'1' { b'2' } else { b'1' };
    String::from_utf8(b).unwrap().into()
}

#[test]
fn the_page_gives_the_native_verdicts_on_previews_deliveries_and_reports() {
    let Some((_, wasm)) = wasm_verifier() else {
        return;
    };
    let Some((chromium, tools)) = browser() else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/sales.csv");
    let csv = csv.to_str().unwrap();

    // A listing (d20, 6 columns), its Groth16 and halo2 keys, and a preview of 3 rows each.
    must(d, &["dataset", "keygen", "--out", "seller.key"]);
    commit(d, csv, "sales-2026", "listing.json", "dataset.key");
    std::fs::write(d.join("other.csv"), "id,v\n1,a\n2,b\n").unwrap();
    commit(d, "other.csv", "other", "other-listing.json", "other.key");
    for backend in ["groth16", "halo2"] {
        let shape = [
            "--listing",
            "listing.json",
            "--samples",
            "3",
            "--params",
            "params",
        ];
        must(d, &[&["setup", "--backend", backend][..], &shape].concat());
    }
    for (backend, out) in [("groth16", "preview.json"), ("halo2", "preview-halo2.json")] {
        must(
            d,
            &[
                "preview",
                "prove",
                "--backend",
                backend,
                "--dataset",
                csv,
                "--secret-file",
                "seller.key",
                "--listing",
                "listing.json",
                "--challenge",
                "9749ea59e916da13",
                "--samples",
                "3",
                "--reveal",
                "city,category,amount_eur",
                "--out",
                out,
                "--params",
                "params",
            ],
        );
        // A revealed cell edited; the proof's bytes edited; the file cut in half.
        let stem = out.trim_end_matches(".json");
        edit_json(d, out, &format!("{stem}-cell.json"), |v| {
            v["samples"][0]["cells"][2] = json!({"utf8": "Paris"})
        });
        edit_json(d, out, &format!("{stem}-proof.json"), |v| {
            v["proof"]["proof"] = flip(&v["proof"]["proof"], 20)
        });
        let text = std::fs::read_to_string(d.join(out)).unwrap();
        std::fs::write(d.join(format!("{stem}-cut.json")), &text[..text.len() / 2]).unwrap();
    }

    // The delivery: the file and its key; the file with one cell changed; a file of another
    // dataset; a 4 GiB file without line ends (sparse: nothing is written).
    let sales = std::fs::read_to_string(csv).unwrap();
    std::fs::write(d.join("sales.csv"), &sales).unwrap();
    std::fs::write(d.join("altered.csv"), sales.replacen("Osaka", "Osaca", 1)).unwrap();
    std::fs::File::create(d.join("huge.csv"))
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    // A chunked dataset, and a 4 GiB file under its listing: progress, then the buyer stops.
    std::fs::write(d.join("blob.bin"), vec![7u8; 3 << 20]).unwrap();
    commit(d, "blob.bin", "blob", "blob-listing.json", "blob.key");
    std::fs::File::create(d.join("blob-huge.bin"))
        .unwrap()
        .set_len(4 << 30)
        .unwrap();

    // An encrypted delivery (its listing, version 3, in sale/): the ciphertext; one with a byte
    // of a record's ciphertext changed; a seller's bait and switch (record 3 re-encrypted as
    // other cells beside its committed leaf, under its own listing: the check before payment
    // passes, decryption names the record).
    let sale = d.join("sale");
    std::fs::create_dir(&sale).unwrap();
    must(
        d,
        &[
            "dataset",
            "encrypt",
            "sales.csv",
            "--secret-file",
            "seller.key",
            "--listing",
            "listing.json",
            "--listing-out",
            "sale/listing.json",
            "--out",
            "sale/sales.veilct",
        ],
    );
    std::fs::copy(d.join("dataset.key"), sale.join("sales.key")).unwrap();
    let mut ct = std::fs::read(sale.join("sales.veilct")).unwrap();
    let middle = ct.len() / 2;
    ct[middle] ^= 1;
    std::fs::write(sale.join("edited.veilct"), ct).unwrap();
    use veil_testkit::sale::{switch_record, SWITCHED_ROW};
    switch_record(&sale, 3, &SWITCHED_ROW);
    // The key note sealed to a buyer, and another buyer's key that must not open it.
    must(d, &["meter", "keygen", "--out", "sale/buyer.key"]);
    must(d, &["meter", "keygen", "--out", "sale/stranger.key"]);
    let address = common::ok(&common::veil(
        d,
        &["delivery", "address", "--buyer-key", "sale/buyer.key"],
    ));
    let mut address = address.lines();
    let (buyer, box_key) = (address.next().unwrap(), address.next().unwrap());
    must(
        d,
        &[
            "delivery",
            "key-note",
            "--secret-file",
            "seller.key",
            "--listing",
            "sale/listing.json",
            "--buyer",
            buyer,
            "--box-public-key",
            box_key,
            "--out",
            "sale/note.json",
        ],
    );

    // A period report (Groth16 chain), one with a total edited, and the published root.
    must(
        d,
        &[
            "setup",
            "--statement",
            "disclosure-totals",
            "--batch",
            "16",
            "--params",
            "params",
        ],
    );
    must(
        d,
        &[
            "audit",
            "simulate",
            "--ledger",
            "m.db",
            "--receipts",
            "60",
            "--sellers",
            "2",
            "--start",
            "1000",
        ],
    );
    must(
        d,
        &[
            "audit",
            "prove",
            "--ledger",
            "m.db",
            "--seller",
            "1",
            "--from",
            "1000",
            "--to",
            "9000",
            "--out",
            "report.json",
            "--params",
            "params",
        ],
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("report.json")).unwrap()).unwrap();
    let root = report["period"]["root"].as_str().unwrap().to_string();
    let other_root = format!("0x{}", "1".repeat(64));
    edit_json(d, "report.json", "report-forged.json", |v| {
        let last = v["batches"].as_array().unwrap().len() - 1;
        // The period's amount: after root, seller, t0, t1, bps, the edges, first, last, c_in,
        // c_out and the count.
        let at = 5 + v["period"]["edges"].as_array().unwrap().len() + 5;
        v["batches"][last]["public_inputs"][at] =
            flip(&v["batches"][last]["public_inputs"][at], 65);
    });

    // Each case: the page's inputs, and the native verdict on the same files.
    let native_preview = |p: &str, l: &str| {
        run(
            d,
            &["preview", "verify", p, "--listing", l, "--params", "params"],
        )
    };
    let native_delivery =
        |f: &str, l: &str, k: &str| run(d, &["delivery", "verify", f, "--listing", l, "--key", k]);
    let (seller, from, to) = ("1", "1000", "9000");
    let native_report = |r: &str, root: &str| {
        run(
            d,
            &[
                "audit", "verify", r, "--root", root, "--seller", seller, "--from", from, "--to",
                to, "--params", "params",
            ],
        )
    };
    let p = |name: &str| d.join(name).display().to_string();
    let mut cases: Vec<(Value, Option<bool>)> = Vec::new();
    for stem in ["preview", "preview-halo2"] {
        for (case, listing, file) in [
            ("honest", "listing.json", format!("{stem}.json")),
            ("edited-cell", "listing.json", format!("{stem}-cell.json")),
            ("edited-proof", "listing.json", format!("{stem}-proof.json")),
            ("truncated", "listing.json", format!("{stem}-cut.json")),
            (
                "other-listing",
                "other-listing.json",
                format!("{stem}.json"),
            ),
        ] {
            cases.push((
                json!({"name": format!("{stem}-{case}"), "files": {"preview-listing": p(listing), "preview-file": p(&file)}}),
                Some(native_preview(&file, listing)),
            ));
        }
    }
    cases.push((
        json!({"name": "preview-wrong-kind", "files": {"preview-listing": p("listing.json"), "preview-file": p("seller.key")}}),
        Some(native_preview("seller.key", "listing.json")),
    ));
    for (case, file, listing, key) in [
        ("honest", "sales.csv", "listing.json", "dataset.key"),
        ("altered", "altered.csv", "listing.json", "dataset.key"),
        (
            "other-dataset",
            "sales.csv",
            "other-listing.json",
            "dataset.key",
        ),
        ("huge-no-lines", "huge.csv", "listing.json", "dataset.key"),
    ] {
        cases.push((
            json!({"name": format!("delivery-{case}"), "files": {"delivery-listing": p(listing), "delivery-key": p(key), "delivery-file": p(file)}}),
            Some(native_delivery(file, listing, key)),
        ));
    }
    // Before payment (no key): `veil delivery check`; after it: `veil delivery decrypt`.
    let native_check = |c: &str, l: &str| run(d, &["delivery", "check", c, "--listing", l]);
    for (case, ciphertext, listing) in [
        ("honest", "sale/sales.veilct", "sale/listing.json"),
        ("edited", "sale/edited.veilct", "sale/listing.json"),
        ("other-listing", "sale/switched.veilct", "sale/listing.json"),
        ("switched", "sale/switched.veilct", "sale/switched.json"),
    ] {
        cases.push((
            json!({"name": format!("ciphertext-{case}"), "files": {"delivery-listing": p(listing), "delivery-file": p(ciphertext)}}),
            Some(native_check(ciphertext, listing)),
        ));
    }
    let native_decrypt = |c: &str, l: &str, out: &str| {
        run(
            d,
            &[
                "delivery",
                "decrypt",
                c,
                "--listing",
                l,
                "--key",
                "sale/sales.key",
                "--out",
                out,
            ],
        )
    };
    // The key note opened in the page with the buyer's key, then the ciphertext decrypted:
    // `veil delivery open-note` and `decrypt`; with a stranger's key, refused by both.
    let native_note = |buyer: &str, out: &str| {
        run(
            d,
            &[
                "delivery",
                "open-note",
                "sale/note.json",
                "--listing",
                "sale/listing.json",
                "--buyer-key",
                buyer,
                "--out",
                out,
            ],
        ) && native_decrypt(
            "sale/sales.veilct",
            "sale/listing.json",
            &format!("{out}.csv"),
        )
    };
    for (case, buyer) in [
        ("note", "sale/buyer.key"),
        ("note-stranger", "sale/stranger.key"),
    ] {
        cases.push((
            json!({"name": format!("decrypt-{case}"), "download": true, "files": {"delivery-listing": p("sale/listing.json"), "delivery-note": p("sale/note.json"), "delivery-buyer": p(buyer), "delivery-file": p("sale/sales.veilct")}}),
            Some(native_note(buyer, &format!("sale/{case}.key"))),
        ));
    }
    for (case, ciphertext, listing) in [
        ("honest", "sale/sales.veilct", "sale/listing.json"),
        ("switched", "sale/switched.veilct", "sale/switched.json"),
    ] {
        cases.push((
            json!({"name": format!("decrypt-{case}"), "download": true, "files": {"delivery-listing": p(listing), "delivery-key": p("sale/sales.key"), "delivery-file": p(ciphertext)}}),
            Some(native_decrypt(ciphertext, listing, &format!("sale/{case}.csv"))),
        ));
    }
    cases.push((
        json!({"name": "delivery-huge-stopped", "stop": true, "files": {"delivery-listing": p("blob-listing.json"), "delivery-key": p("blob.key"), "delivery-file": p("blob-huge.bin")}}),
        None,
    ));
    for (case, file, r) in [
        ("honest", "report.json", root.as_str()),
        ("forged", "report-forged.json", root.as_str()),
        ("other-root", "report.json", other_root.as_str()),
    ] {
        cases.push((
            json!({"name": format!("report-{case}"), "root": r, "files": {"report-file": p(file)}}),
            Some(native_report(file, r)),
        ));
    }

    let port = common::nodes::free_port();
    let params = p("params");
    let mut node = Node::start(
        port,
        &[
            "--params",
            &params,
            "--ledger",
            &p("serve.db"),
            "--verifier-wasm",
            wasm.to_str().unwrap(),
            "--workers",
            "0",
        ],
    );
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/browser");
    let spec = json!({
        "url": format!("http://127.0.0.1:{port}/"),
        "chromium": chromium,
        "tools": tools,
        "screenshots": shots,
        "repeat_preview": "preview-honest",
        "cases": cases.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>(),
    });
    std::fs::write(d.join("cases.json"), spec.to_string()).unwrap();
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("../verifier/web/tests/browser.mjs");
    let out = Command::new("node")
        .arg(driver)
        .arg(d.join("cases.json"))
        .arg(d.join("results.json"))
        .output()
        .expect("node runs");
    node.kill();
    common::ok(&out);
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("results.json")).unwrap()).unwrap();
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::write(
        shots.join("results.json"),
        serde_json::to_string_pretty(&results).unwrap(),
    )
    .unwrap();

    assert_eq!(
        results["problems"],
        json!([]),
        "console errors or uncaught exceptions"
    );
    let said = |name: &str| -> (String, String) {
        let r = &results["cases"][name];
        (
            r["outcome"].as_str().unwrap().to_string(),
            r["text"].as_str().unwrap().to_string(),
        )
    };
    for (case, native) in &cases {
        let name = case["name"].as_str().unwrap();
        let (outcome, text) = said(name);
        if let Some(native) = native {
            let want = if *native { "accepted" } else { "refused" };
            assert_eq!(
                outcome, want,
                "{name}: the page said {text:?}; the native verifier {want}"
            );
        }
    }
    // Each refusal names what is wrong.
    for (name, needle) in [
        ("preview-edited-cell", "mismatch"),
        ("preview-halo2-edited-cell", "mismatch"),
        ("preview-truncated", "malformed input"),
        ("preview-other-listing", "mismatch"),
        (
            "preview-wrong-kind",
            "is a seller secret; expected a preview",
        ),
        (
            "delivery-altered",
            "is not the committed dataset \"sales-2026\"",
        ),
        (
            "delivery-other-dataset",
            "the key file is for dataset \"sales-2026\", not \"other\"",
        ),
        ("delivery-huge-no-lines", "a record of more than 64 MiB"),
        ("delivery-huge-stopped", "Stopped"),
        ("ciphertext-honest", "ACCEPTED before payment"),
        ("ciphertext-edited", "a record or its leaf was replaced"),
        ("ciphertext-other-listing", "is not the ciphertext listing"),
        ("ciphertext-switched", "ACCEPTED before payment"),
        (
            "decrypt-switched",
            "record 3 of \"sales-2026\" is not the committed record",
        ),
        (
            "decrypt-note",
            "opened with your buyer key, holds the listing's key",
        ),
        (
            "decrypt-note-stranger",
            "the key note is addressed to buyer",
        ),
        ("report-forged", "proof rejected"),
        ("report-other-root", "not 0x1111"),
    ] {
        let (_, text) = said(name);
        assert!(text.contains(needle), "{name}: {needle:?} not in {text:?}");
    }
    // The honest preview shows its 3 rows; the report its totals (total, fees, four bands).
    assert_eq!(results["cases"]["preview-honest"]["rows"], 3);
    assert_eq!(results["cases"]["preview-halo2-honest"]["rows"], 3);
    assert_eq!(results["cases"]["report-honest"]["rows"], 6);
    // The decrypted file the page offers is the seller's, byte for byte; a switched record
    // leaves nothing to save.
    assert!(
        results["cases"]["decrypt-honest"]["download"] == sales.as_str(),
        "the page's decrypted file is not sales.csv"
    );
    assert_eq!(
        results["cases"]["decrypt-honest"]["download_name"],
        "sales.csv"
    );
    assert_eq!(
        results["cases"]["decrypt-switched"]["download"],
        Value::Null
    );
    assert!(
        results["cases"]["decrypt-note"]["download"] == sales.as_str(),
        "the file decrypted with the key note's key is not sales.csv"
    );
    assert_eq!(
        results["cases"]["decrypt-note-stranger"]["download"],
        Value::Null
    );
    // Chromium has relaxed SIMD and this machine a fused multiply-add: the deliveries above were
    // checked by the two-lane build (its verdicts equal the native ones), not the fallback.
    assert_eq!(
        results["cases"]["delivery-honest"]["arithmetic"], "two-lane f64 FMA",
        "the page fell back to the plain build: is veil_verifier_relaxed.wasm built \
         (scripts/build-wasm.sh), and does this CPU have FMA3?"
    );
    // The page kept answering while its workers read the 4 GiB file.
    assert!(
        results["cases"]["delivery-huge-stopped"]["answered_ms"]
            .as_f64()
            .unwrap()
            < 1000.0
    );
    // A phone's width: no sideways scrolling, every input labelled, Tab reaches an input.
    assert!(
        results["phone"]["overflow"].as_i64().unwrap() <= 0,
        "{}",
        results["phone"]
    );
    assert_eq!(results["phone"]["unlabelled"], json!([]));
    assert_eq!(results["phone"]["first_tab"], "preview-listing");
}
