//! The fair sale from the command line: a seller commits and encrypts `examples/sales.csv`, a
//! buyer checks the ciphertext before paying and decrypts it after, byte for byte; and every
//! way a ciphertext can be wrong is refused by name, with no plaintext left under its name.

use crate::common::{fails, ok, veil};
use std::path::{Path, PathBuf};
use veil_testkit::sale::switch_record;

fn sales() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/sales.csv")
}

/// A seller's folder: secret, listing (version 3), ciphertext, and the exported dataset key.
fn sell(dir: &Path) {
    let data = sales();
    let data = data.to_str().unwrap();
    ok(&veil(dir, &["dataset", "keygen", "--out", "seller.key"]));
    ok(&veil(
        dir,
        &[
            "dataset",
            "commit",
            data,
            "--secret-file",
            "seller.key",
            "--out",
            "listing.json",
            "--dataset-id",
            "sales",
            "--depth",
            "10",
        ],
    ));
    let out = ok(&veil(
        dir,
        &[
            "dataset",
            "encrypt",
            data,
            "--secret-file",
            "seller.key",
            "--listing",
            "listing.json",
            "--out",
            "sales.veilct",
        ],
    ));
    assert!(out.contains("encrypted 500 records"), "{out}");
    ok(&veil(
        dir,
        &[
            "dataset",
            "export-key",
            "--secret-file",
            "seller.key",
            "--listing",
            "listing.json",
            "--out",
            "sales.key",
        ],
    ));
}

#[test]
fn a_buyer_checks_before_paying_and_decrypts_the_sellers_file_byte_for_byte() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    sell(dir);
    let listing: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("listing.json")).unwrap()).unwrap();
    assert_eq!(listing["veil"], 3);
    let out = ok(&veil(
        dir,
        &[
            "delivery",
            "check",
            "sales.veilct",
            "--listing",
            "listing.json",
        ],
    ));
    assert!(out.starts_with("ACCEPTED:"), "{out}");
    assert!(
        out.contains(listing["ciphertext_root"].as_str().unwrap()),
        "{out}"
    );
    let out = ok(&veil(
        dir,
        &[
            "delivery",
            "decrypt",
            "sales.veilct",
            "--listing",
            "listing.json",
            "--key",
            "sales.key",
            "--out",
            "got.csv",
        ],
    ));
    assert!(out.contains("byte for byte"), "{out}");
    assert_eq!(
        std::fs::read(dir.join("got.csv")).unwrap(),
        std::fs::read(sales()).unwrap()
    );
    // The decrypted file is the committed one by the older check, too.
    ok(&veil(
        dir,
        &[
            "delivery",
            "verify",
            "got.csv",
            "--listing",
            "listing.json",
            "--key",
            "sales.key",
        ],
    ));
    // A second decryption does not replace the first without --force.
    fails(
        &veil(
            dir,
            &[
                "delivery",
                "decrypt",
                "sales.veilct",
                "--listing",
                "listing.json",
                "--key",
                "sales.key",
                "--out",
                "got.csv",
            ],
        ),
        "exists",
    );
    // A version 3 listing still previews: its commitment is the same.
    let json = ok(&veil(
        dir,
        &[
            "delivery",
            "check",
            "sales.veilct",
            "--listing",
            "listing.json",
            "--json",
        ],
    ));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["records"], 500);
}

/// The row a cheating seller puts in place of record 3 after committing.
const SWITCHED_ROW: [&str; 6] = [
    "ORD-10003",
    "2026-08-22",
    "Porto",
    "apparel",
    "1.00",
    "x@y.z",
];

#[test]
fn bait_and_switch_and_broken_ciphertexts_are_refused_by_name() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    sell(dir);
    // A row replaced after commitment: the file passes the check before payment (the leaves
    // are the committed ones), and decryption names the row and keeps what came before it.
    switch_record(dir, 3, &SWITCHED_ROW);
    ok(&veil(
        dir,
        &[
            "delivery",
            "check",
            "switched.veilct",
            "--listing",
            "switched.json",
        ],
    ));
    let o = veil(
        dir,
        &[
            "delivery",
            "decrypt",
            "switched.veilct",
            "--listing",
            "switched.json",
            "--key",
            "sales.key",
            "--out",
            "got.csv",
        ],
    );
    fails(&o, "record 3 of \"sales\" is not the committed record");
    assert!(!dir.join("got.csv").exists(), "no plaintext under its name");
    let partial = std::fs::read_to_string(dir.join("got.csv.partial")).unwrap();
    let original = std::fs::read_to_string(sales()).unwrap();
    let head: Vec<&str> = original.lines().take(4).collect();
    assert_eq!(partial, head.join("\n"), "the header and records 0 to 2");

    // The honest ciphertext under a listing naming another: not the listed file.
    fails(
        &veil(
            dir,
            &[
                "delivery",
                "check",
                "sales.veilct",
                "--listing",
                "switched.json",
            ],
        ),
        "not the ciphertext listing",
    );
    // A truncated ciphertext, named as such; decrypt writes nothing.
    let bytes = std::fs::read(dir.join("sales.veilct")).unwrap();
    std::fs::write(dir.join("short.veilct"), &bytes[..bytes.len() - 100]).unwrap();
    fails(
        &veil(
            dir,
            &[
                "delivery",
                "check",
                "short.veilct",
                "--listing",
                "listing.json",
            ],
        ),
        "truncated",
    );
    fails(
        &veil(
            dir,
            &[
                "delivery",
                "decrypt",
                "short.veilct",
                "--listing",
                "listing.json",
                "--key",
                "sales.key",
                "--out",
                "short.csv",
            ],
        ),
        "truncated",
    );
    assert!(!dir.join("short.csv").exists());
    assert!(!dir.join("short.csv.partial").exists());
    // Another dataset's key.
    let data = sales();
    ok(&veil(
        dir,
        &[
            "dataset",
            "commit",
            data.to_str().unwrap(),
            "--secret-file",
            "seller.key",
            "--out",
            "other.json",
            "--dataset-id",
            "other",
            "--depth",
            "10",
        ],
    ));
    ok(&veil(
        dir,
        &[
            "dataset",
            "export-key",
            "--secret-file",
            "seller.key",
            "--listing",
            "other.json",
            "--out",
            "other.key",
        ],
    ));
    fails(
        &veil(
            dir,
            &[
                "delivery",
                "decrypt",
                "sales.veilct",
                "--listing",
                "listing.json",
                "--key",
                "other.key",
                "--out",
                "x.csv",
            ],
        ),
        "key",
    );
    // A listing without a ciphertext, and a file that is no ciphertext.
    fails(
        &veil(
            dir,
            &[
                "delivery",
                "check",
                "sales.veilct",
                "--listing",
                "other.json",
            ],
        ),
        "names no ciphertext",
    );
    fails(
        &veil(
            dir,
            &[
                "delivery",
                "check",
                data.to_str().unwrap(),
                "--listing",
                "listing.json",
            ],
        ),
        "encrypted dataset's header: not JSON",
    );
    // A seller encrypting a file that is not the committed one.
    std::fs::write(dir.join("edited.csv"), original.replacen("Oslo", "Rome", 1)).unwrap();
    fails(
        &veil(
            dir,
            &[
                "dataset",
                "encrypt",
                "edited.csv",
                "--secret-file",
                "seller.key",
                "--listing",
                "other.json",
                "--out",
                "e.veilct",
            ],
        ),
        "SHA-256 differs",
    );
    assert!(!dir.join("e.veilct").exists());
}

/// Sets the JSON value at pointer `ptr` of file `name` in `dir` to `x`, written as `out`.
fn edited(dir: &Path, name: &str, ptr: &str, x: serde_json::Value, out: &str) {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
    *v.pointer_mut(ptr).unwrap() = x;
    std::fs::write(dir.join(out), v.to_string()).unwrap();
}

#[test]
fn a_switched_row_is_convicted_by_a_dispute_and_an_honest_delivery_cannot_be() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    sell(dir);
    switch_record(dir, 3, &SWITCHED_ROW);
    let checked = ok(&veil(
        dir,
        &[
            "delivery",
            "check",
            "switched.veilct",
            "--listing",
            "switched.json",
            "--json",
        ],
    ));
    let v: serde_json::Value = serde_json::from_str(&checked).unwrap();
    let w = v["record_elements"].as_u64().unwrap().to_string();
    for backend in ["groth16", "halo2"] {
        ok(&veil(
            dir,
            &[
                "setup",
                "--statement",
                "delivery-dispute",
                "--elements",
                &w,
                "--params",
                "p",
                "--backend",
                backend,
            ],
        ));
        let out = format!("dispute-{backend}.json");
        let proved = ok(&veil(
            dir,
            &[
                "dispute",
                "prove",
                "switched.veilct",
                "--listing",
                "switched.json",
                "--key",
                "sales.key",
                "--out",
                &out,
                "--params",
                "p",
                "--backend",
                backend,
            ],
        ));
        assert!(proved.contains("record 3"), "{proved}");
        let verified = ok(&veil(
            dir,
            &[
                "dispute",
                "verify",
                &out,
                "--listing",
                "switched.json",
                "--params",
                "p",
                "--json",
            ],
        ));
        let v: serde_json::Value = serde_json::from_str(&verified).unwrap();
        assert_eq!(
            (v["verdict"].as_str(), v["index"].as_u64()),
            (Some("accepted"), Some(3))
        );
        assert!(v["rule"].as_str().unwrap().contains("leaf"), "{v}");
    }
    // The format sample (`tests/formats/v1/dispute.json`) is this proof.
    if std::env::var_os("VEIL_BLESS").is_some() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/formats/v1/dispute.json");
        std::fs::copy(dir.join("dispute-groth16.json"), sample).unwrap();
    }
    let verify = |file: &str, listing: &str| {
        veil(
            dir,
            &[
                "dispute",
                "verify",
                file,
                "--listing",
                listing,
                "--params",
                "p",
            ],
        )
    };
    // The dispute is about the switched ciphertext, not the one the honest listing names.
    fails(
        &verify("dispute-groth16.json", "listing.json"),
        "not in the listed ciphertext",
    );
    // An edited decryption, another record's index, a wrong path: refused by name.
    // Public inputs: key_id, nonce, index, W ciphertext elements, W plaintext, salt.
    let plain0 = format!("/proof/public_inputs/{}", 3 + w.parse::<usize>().unwrap());
    for (ptr, x, refusal) in [
        (plain0.as_str(), 1, "proof rejected"),
        ("/proof/public_inputs/2", 4, "not in the listed ciphertext"),
        ("/dataset_path/0", 1, "does not reach the listing's root"),
        ("/proof/public_inputs/0", 1, "key id is not the listing's"),
    ] {
        let x = serde_json::Value::String(format!("0x{x:064x}"));
        edited(dir, "dispute-groth16.json", ptr, x, "x.json");
        fails(&verify("x.json", "switched.json"), refusal);
    }
    // An honest delivery: nothing to dispute, at the first bad record or at any named one.
    let prove = |ct: &str, listing: &str, extra: &[&str]| {
        let mut args = vec![
            "dispute",
            "prove",
            ct,
            "--listing",
            listing,
            "--key",
            "sales.key",
            "--out",
            "honest.json",
            "--params",
            "p",
        ];
        args.extend_from_slice(extra);
        veil(dir, &args)
    };
    fails(
        &prove("sales.veilct", "listing.json", &[]),
        "nothing to dispute",
    );
    for i in ["0", "3", "499"] {
        fails(
            &prove("sales.veilct", "listing.json", &["--index", i]),
            "decrypts to its committed record",
        );
    }
    fails(
        &prove("sales.veilct", "listing.json", &["--index", "500"]),
        "past the last",
    );
    // Record 2 of the switched delivery is the committed one: no dispute about it either.
    fails(
        &prove("switched.veilct", "switched.json", &["--index", "2"]),
        "decrypts to its committed record",
    );
    assert!(!dir.join("honest.json").exists());
}
