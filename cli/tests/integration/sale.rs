//! The fair sale from the command line: a seller commits and encrypts `examples/sales.csv`, a
//! buyer checks the ciphertext before paying and decrypts it after, byte for byte; and every
//! way a ciphertext can be wrong is refused by name, with no plaintext left under its name.

use crate::common::{fails, ok, veil};
use std::path::{Path, PathBuf};
use std::process::Output;
use veil_testkit::sale::{switch_record, SWITCHED_ROW};

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
    export_key(dir, "listing.json", "sales.key");
}

/// `veil dataset export-key` of the seller's key for `listing`, to `out`.
fn export_key(dir: &Path, listing: &str, out: &str) {
    ok(&veil(
        dir,
        &[
            "dataset",
            "export-key",
            "--secret-file",
            "seller.key",
            "--listing",
            listing,
            "--out",
            out,
        ],
    ));
}

/// A second listing `other.json` (dataset `other`, the same file and seller) and its exported
/// dataset key at `key_out`.
fn sell_another(dir: &Path, key_out: &str) {
    ok(&veil(
        dir,
        &[
            "dataset",
            "commit",
            sales().to_str().unwrap(),
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
    export_key(dir, "other.json", key_out);
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
    sell_another(dir, "other.key");
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
                sales().to_str().unwrap(),
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

/// `veil delivery key-note` for the listing `listing.json`, sealed by `secret` to `(buyer, box_key)`.
fn key_note(dir: &Path, secret: &str, buyer: &str, box_key: &str, out: &str) -> Output {
    veil(
        dir,
        &[
            "delivery",
            "key-note",
            "--secret-file",
            secret,
            "--listing",
            "listing.json",
            "--buyer",
            buyer,
            "--box-public-key",
            box_key,
            "--out",
            out,
        ],
    )
}

/// `veil delivery open-note` of `note` for `listing` with buyer key `key`, to `out`.
fn open_note(dir: &Path, note: &str, listing: &str, key: &str, out: &str) -> Output {
    veil(
        dir,
        &[
            "delivery",
            "open-note",
            note,
            "--listing",
            listing,
            "--buyer-key",
            key,
            "--out",
            out,
        ],
    )
}

/// `veil delivery address` of the buyer key `key`: (key commitment, box public key).
fn address(dir: &Path, key: &str) -> (String, String) {
    let out = ok(&veil(dir, &["delivery", "address", "--buyer-key", key]));
    let mut lines = out.lines().map(str::to_string);
    (lines.next().unwrap(), lines.next().unwrap())
}

#[test]
fn a_key_note_hands_the_listings_key_to_its_buyer_and_nobody_else() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    sell(dir);
    ok(&veil(dir, &["meter", "keygen", "--out", "buyer.key"]));
    ok(&veil(dir, &["meter", "keygen", "--out", "other.key"]));
    let (buyer, box_key) = address(dir, "buyer.key");
    let (_, other_box) = address(dir, "other.key");
    assert!(buyer.starts_with("0x") && buyer.len() == 66, "{buyer}");
    assert_eq!(box_key.len(), 64, "{box_key}");
    let note = |to: &str, box_key: &str, out: &str| key_note(dir, "seller.key", to, box_key, out);
    let n = ok(&note(&buyer, &box_key, "note.json"));
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("note.json")).unwrap()).unwrap();
    assert_eq!(file["note"].as_str(), Some(n.trim()));
    if std::env::var_os("VEIL_BLESS").is_some() {
        let sample =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/formats/v1/key-note.json");
        std::fs::copy(dir.join("note.json"), sample).unwrap();
    }
    let open =
        |note: &str, listing: &str, key: &str, out: &str| open_note(dir, note, listing, key, out);
    let out = ok(&open("note.json", "listing.json", "buyer.key", "got.key"));
    assert!(out.starts_with("ACCEPTED:"), "{out}");
    // The key the note delivers is the seller's exported key, and it decrypts the delivery.
    assert_eq!(
        std::fs::read_to_string(dir.join("got.key")).unwrap(),
        std::fs::read_to_string(dir.join("sales.key")).unwrap()
    );
    ok(&veil(
        dir,
        &[
            "delivery",
            "decrypt",
            "sales.veilct",
            "--listing",
            "listing.json",
            "--key",
            "got.key",
            "--out",
            "got.csv",
        ],
    ));
    assert_eq!(
        std::fs::read(dir.join("got.csv")).unwrap(),
        std::fs::read(sales()).unwrap()
    );
    // Another buyer key, another dataset's listing, edited notes: refused by name, no key out.
    fails(
        &open("note.json", "listing.json", "other.key", "k.key"),
        "addressed to buyer",
    );
    sell_another(dir, "other-dataset.key");
    fails(
        &open("note.json", "other.json", "buyer.key", "k.key"),
        "the key note is for dataset \"sales\"",
    );
    let zero = serde_json::Value::String(format!("0x{:064x}", 1));
    edited(dir, "note.json", "/note", zero, "x.json");
    fails(
        &open("x.json", "listing.json", "buyer.key", "k.key"),
        "does not open to the recorded note",
    );
    let mut sealed = file["sealed"].as_str().unwrap().to_string();
    sealed.replace_range(
        100..102,
        if &sealed[100..102] == "00" {
            "01"
        } else {
            "00"
        },
    );
    edited(dir, "note.json", "/sealed", sealed.into(), "x.json");
    fails(
        &open("x.json", "listing.json", "buyer.key", "k.key"),
        "does not open with this buyer key",
    );
    edited(dir, "note.json", "/sealed", "00".into(), "x.json");
    fails(
        &open("x.json", "listing.json", "buyer.key", "k.key"),
        "sealed: not 112 bytes",
    );
    // A note sealed to another box key than the buyer's: the buyer is told, not handed junk.
    ok(&note(&buyer, &other_box, "misaddressed.json"));
    fails(
        &open("misaddressed.json", "listing.json", "buyer.key", "k.key"),
        "not this buyer key's",
    );
    // The seller is refused bad addresses and another dataset's key.
    fails(&note("0x12", &box_key, "y.json"), "--buyer");
    fails(
        &note(&buyer, "abcd", "y.json"),
        "box public key is not 32 bytes",
    );
    fails(
        &key_note(dir, "other-dataset.key", &buyer, &box_key, "y.json"),
        "not \"sales\"",
    );
    // A second note does not replace the first without --force.
    fails(&note(&buyer, &box_key, "note.json"), "exists");
    assert!(!dir.join("k.key").exists() && !dir.join("y.json").exists());
}

/// `scripts/sodium-sealed-box.py` (the system's libsodium) on `args`: its output lines, or
/// `None` (the reason printed) when libsodium is missing; an error under `VEIL_REQUIRE_SODIUM`.
fn libsodium(args: &[&str]) -> Option<Vec<String>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/sodium-sealed-box.py");
    let o = std::process::Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs");
    if o.status.code() == Some(3) {
        let why = String::from_utf8_lossy(&o.stderr);
        assert!(std::env::var_os("VEIL_REQUIRE_SODIUM").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return None;
    }
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Some(
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn key_notes_are_libsodium_sealed_boxes_both_ways() {
    use veil_circuits::dataset::DatasetKey;
    use veil_circuits::field::{from_hex, random, to_hex};
    use veil_circuits::statements::settlement::release::KeyNote;
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    sell(dir);
    ok(&veil(dir, &["meter", "keygen", "--out", "buyer.key"]));
    let (buyer, box_key) = address(dir, "buyer.key");
    let json = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let sk = json("buyer.key")["sk"].as_str().unwrap().to_string();
    // libsodium derives the same box key from the buyer key, by the documented rule.
    let Some(derived) = libsodium(&["derive", &sk]) else {
        return;
    };
    assert_eq!(derived[1], box_key);
    // Veil seals; libsodium opens: the opening is the listing's key and the note's salt.
    ok(&key_note(dir, "seller.key", &buyer, &box_key, "note.json"));
    let note = json("note.json");
    let opening = libsodium(&["open", &derived[0], note["sealed"].as_str().unwrap()]).unwrap();
    let key = json("sales.key")["key"].as_str().unwrap().to_string();
    assert_eq!(format!("0x{}", &opening[0][..64]), key);
    let salt = from_hex("salt", &format!("0x{}", &opening[0][64..])).unwrap();
    let k = DatasetKey(from_hex("key", &key).unwrap());
    let buyer_fr = from_hex("buyer", &buyer).unwrap();
    let recorded = KeyNote {
        buyer: buyer_fr,
        key: k,
        salt,
    };
    assert_eq!(to_hex(&recorded.note()), note["note"].as_str().unwrap());
    // libsodium seals a fresh opening; Veil opens it and hands over the key.
    let salt = random(&mut rand::thread_rng());
    let fresh = KeyNote {
        buyer: buyer_fr,
        key: k,
        salt,
    };
    let message = format!("{}{}", &key[2..], &to_hex(&salt)[2..]);
    let sealed = libsodium(&["seal", &box_key, &message]).unwrap();
    let mut file = note.clone();
    file["sealed"] = sealed[0].clone().into();
    file["note"] = to_hex(&fresh.note()).into();
    std::fs::write(dir.join("sodium.json"), file.to_string()).unwrap();
    ok(&open_note(
        dir,
        "sodium.json",
        "listing.json",
        "buyer.key",
        "got.key",
    ));
    assert_eq!(
        std::fs::read_to_string(dir.join("got.key")).unwrap(),
        std::fs::read_to_string(dir.join("sales.key")).unwrap()
    );
}

/// A field element as the formats write it: `0x` and 64 hex digits.
fn fr(n: u64) -> String {
    format!("0x{n:064x}")
}

/// `veil preview prove --ciphertext` of the listed ciphertext, K = 2, revealing `city` and
/// `amount_eur`, into `out`.
fn bound_preview(dir: &Path, ciphertext: &str, backend: &str, out: &str) -> Output {
    veil(
        dir,
        &[
            "preview",
            "prove",
            "--dataset",
            sales().to_str().unwrap(),
            "--secret-file",
            "seller.key",
            "--listing",
            "listing.json",
            "--challenge",
            "0x07",
            "--samples",
            "2",
            "--reveal",
            "city,amount_eur",
            "--ciphertext",
            ciphertext,
            "--out",
            out,
            "--params",
            "p",
            "--backend",
            backend,
            "--force",
        ],
    )
}

/// The preview bound to the encrypted delivery (issue 34): its revealed cells are read from the
/// ciphertext on offer, under the listing's key, before anyone pays. Under Groth16 and halo2:
/// the honest preview verifies and says so; a seller who switched a sampled row in the
/// ciphertext cannot make one; an edited ciphertext record, an opened keystream edited, a
/// redacted column's element opened, and the preview checked against another listing's
/// ciphertext are each refused by name.
#[test]
fn a_preview_bound_to_the_ciphertext_reads_its_cells_from_the_file_on_offer() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    sell(dir);
    let checked = ok(&veil(
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
    let v: serde_json::Value = serde_json::from_str(&checked).unwrap();
    let w = v["record_elements"].as_u64().unwrap().to_string();
    let verify = |file: &str, listing: &str| {
        veil(
            dir,
            &[
                "preview",
                "verify",
                file,
                "--listing",
                listing,
                "--params",
                "p",
            ],
        )
    };
    for backend in ["groth16", "halo2"] {
        for setup in [
            &["--listing", "listing.json", "--samples", "2"][..],
            &[
                "--statement",
                "ciphertext-opening",
                "--samples",
                "2",
                "--elements",
                &w,
            ][..],
        ] {
            let mut args = vec!["setup", "--params", "p", "--backend", backend];
            args.extend_from_slice(setup);
            ok(&veil(dir, &args));
        }
        let out = format!("bound-{backend}.json");
        let said = ok(&bound_preview(dir, "sales.veilct", backend, &out));
        assert!(said.contains("bound to its ciphertext"), "{said}");
        let file: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(&out)).unwrap()).unwrap();
        assert_eq!(file["veil"], 2);
        assert_eq!(
            file["ciphertext"]["proof"]["statement"],
            "ciphertext-opening"
        );
        let json = ok(&veil(
            dir,
            &[
                "preview",
                "verify",
                &out,
                "--listing",
                "listing.json",
                "--params",
                "p",
                "--json",
            ],
        ));
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["verdict"], "accepted", "{v}");
        let said = ok(&verify(&out, "listing.json"));
        assert!(said.contains("read from the ciphertext on offer"), "{said}");
        // The buyer's browser verifier (wasm, in Node) checks both proofs too.
        if backend == "groth16" {
            if let Some((root, wasm)) = crate::cli::wasm_verifier() {
                let vk = |k: &serde_json::Value| {
                    dir.join("p").join(format!("{}.vk", k.as_str().unwrap()))
                };
                let node = |preview: &str| {
                    std::process::Command::new("node")
                        .arg(root.join("verifier/js/verify-preview.mjs"))
                        .arg(&wasm)
                        .arg(dir.join(preview))
                        .arg(dir.join("listing.json"))
                        .arg(vk(&file["proof"]["key"]))
                        .arg("--opening")
                        .arg(vk(&file["ciphertext"]["proof"]["key"]))
                        .output()
                        .expect("node runs")
                };
                let o = node(&out);
                let said = String::from_utf8_lossy(&o.stdout).into_owned();
                assert!(
                    o.status.success() && said.contains("read from the ciphertext on offer"),
                    "{said}"
                );
                edited(
                    dir,
                    &out,
                    "/ciphertext/records/0/cipher/0",
                    fr(1).into(),
                    "edited.json",
                );
                let o = node("edited.json");
                let said = String::from_utf8_lossy(&o.stdout).into_owned();
                assert!(
                    !o.status.success() && said.contains("not in the listed ciphertext"),
                    "{said}"
                );
            }
        }
        let listing: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("listing.json")).unwrap())
                .unwrap();
        assert_eq!(v["ciphertext_root"], listing["ciphertext_root"]);

        // Each edit of the binding is refused by name.
        let cases: Vec<(&str, serde_json::Value, &str)> = vec![
            (
                "/ciphertext/records/0/cipher/0",
                fr(1).into(),
                "not in the listed ciphertext",
            ),
            (
                "/ciphertext/header/nonce",
                fr(5).into(),
                "nonce is not the ciphertext header's",
            ),
            ("/ciphertext/header/records", 499.into(), "`records`"),
            (
                "/ciphertext/proof/public_inputs/1",
                fr(5).into(),
                "nonce is not the ciphertext header's",
            ),
        ];
        for (ptr, x, want) in cases {
            edited(dir, &out, ptr, x, "edited.json");
            fails(&verify("edited.json", "listing.json"), want);
        }
        // The reveal bits of a redacted column claimed, or an opened keystream element edited.
        let reveal_at = |j: usize| format!("/ciphertext/proof/public_inputs/{}", 2 + j);
        let bits: Vec<String> = file["ciphertext"]["proof"]["public_inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect();
        let redacted = (0..w.parse::<usize>().unwrap())
            .find(|&t| {
                bits[2 + t]
                    .trim_start_matches("0x")
                    .trim_start_matches('0')
                    .is_empty()
            })
            .unwrap();
        edited(dir, &out, &reveal_at(redacted), fr(1).into(), "edited.json");
        fails(
            &verify("edited.json", "listing.json"),
            "opens other elements than those of the revealed columns",
        );
        let opened = (0..w.parse::<usize>().unwrap())
            .find(|&t| bits[2 + t].ends_with('1'))
            .unwrap();
        let first_sample_e = 2 + w.parse::<usize>().unwrap() + 1 + opened;
        edited(
            dir,
            &out,
            &format!("/ciphertext/proof/public_inputs/{first_sample_e}"),
            fr(5).into(),
            "edited.json",
        );
        fails(
            &verify("edited.json", "listing.json"),
            "does not decrypt to the preview's column",
        );
    }
    // A seller who switched a sampled row's city in the ciphertext cannot bind a preview to
    // it: the opened cells are not the committed ones.
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("bound-groth16.json")).unwrap())
            .unwrap();
    let sampled = file["samples"][0]["index"].as_u64().unwrap();
    let mut row: Vec<String> = std::fs::read_to_string(sales())
        .unwrap()
        .lines()
        .nth(1 + sampled as usize)
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    row[2] = "Atlantis".into();
    let cells: Vec<&str> = row.iter().map(String::as_str).collect();
    switch_record(dir, sampled, &cells);
    std::fs::copy(dir.join("listing.json"), dir.join("honest.json")).unwrap();
    std::fs::copy(dir.join("switched.json"), dir.join("listing.json")).unwrap();
    fails(
        &bound_preview(dir, "switched.veilct", "groth16", "cheat.json"),
        "does not decrypt to the preview's column \"city\"",
    );
    // The honest binding, checked against the switched listing: another ciphertext.
    fails(
        &verify("bound-groth16.json", "listing.json"),
        "not in the listed ciphertext",
    );
    assert!(!dir.join("cheat.json").exists());
}
