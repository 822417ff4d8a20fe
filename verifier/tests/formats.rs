//! Files written by the `veil` of protocol version 2 (before the engine layer), checked in
//! under `tests/formats/v1/`, still load, and the proofs among them still verify with the keys
//! checked in beside them. Every sample given to every other file type's parser is refused, and
//! the refusal names what the file is.

use std::path::{Path, PathBuf};
use veil_circuits::statements::Shape as _;
use veil_verifier::formats::*;
use veil_verifier::groth16::prepare;
use veil_verifier::params::load_verifying_key;
use veil_verifier::VerifyError;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/formats/v1")
}

fn text(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap()
}

fn vk(key: &str) -> veil_verifier::groth16::PreparedKey {
    prepare(&load_verifying_key(&dir().join("params"), key).unwrap().0)
}

#[test]
fn version_1_samples_load_and_their_proofs_verify() {
    let listing = Listing::parse(&text("listing.json")).unwrap();
    assert!(matches!(
        KeyFile::parse(&text("seller.key")).unwrap(),
        KeyFile::SellerSecret { .. }
    ));
    let key =
        veil_circuits::dataset::keys::load_dataset_key(&text("dataset.key"), &listing.dataset_id)
            .unwrap();
    listing.check_key(&key).unwrap();
    assert_eq!(
        veil_circuits::dataset::keys::load_dataset_key(&text("seller.key"), &listing.dataset_id)
            .unwrap(),
        key,
        "the seller secret derives the delivered dataset key"
    );

    let preview = PreviewFile::parse(&text("preview.json")).unwrap();
    veil_verifier::preview::verify(&preview, &listing, &vk(&preview.proof.key)).unwrap();

    let report = Report::parse(&text("report.json")).unwrap();
    let totals = veil_verifier::totals::verify_report(
        &report,
        &vk(&report.shape().id()),
        Some(report.period.root),
    )
    .unwrap();
    assert_eq!((totals.count, totals.amount), (2, 51_200));

    let opening = ReceiptOpening::parse(&text("receipt-opening.json")).unwrap();
    assert_eq!(opening.check(report.period.root).unwrap().amount, 50_000);
    // Its version says which note encoding it holds: read as version 2 (protocol version 3's
    // packed note), the same receipt is not in that tree.
    let as_v2 = text("receipt-opening.json").replacen("\"veil\": 1", "\"veil\": 2", 1);
    let relabelled = ReceiptOpening::parse(&as_v2).unwrap();
    assert_eq!(relabelled.veil, 2);
    assert!(relabelled.check(report.period.root).is_err());

    let call = ProofEnvelope::parse(&text("call.json")).unwrap();
    assert_eq!(call.veil, 2);
    veil_verifier::usage::verify_call(&call, &vk(&call.key), 4).unwrap();
    let tier = ProofEnvelope::parse(&text("tier.json")).unwrap();
    let t = veil_verifier::usage::verify_tier(&tier, &vk(&tier.key)).unwrap();
    let usage = UsageOpening::parse(&text("usage-opening.json")).unwrap();
    assert_eq!((t.usage, t.lo, t.hi, usage.count), (usage.usage, 1, 2, 1));

    let buyer = BuyerKeyFile::parse(&text("buyer.key")).unwrap();
    let licence = LicenceFile::parse(&text("licence.json")).unwrap();
    assert_eq!(licence.key_commitment, buyer.key_commitment());
    let state = CounterState::parse(&text("counter-state.json")).unwrap();
    assert_eq!(state.licence, licence.licence(&buyer).unwrap().note());
    assert_eq!((state.epoch, state.next), (2, 1));

    let manifest = Manifest::parse(&text("params/manifest.json")).unwrap();
    assert_eq!(manifest.keys.len(), 4);

    // The version-1 UltraHonk file reads as the one envelope, naming its backend and program.
    let v1 = UltraHonkProofV1::parse(&text("ultrahonk-proof.json")).unwrap();
    let env = ProofEnvelope::parse(&text("ultrahonk-proof.json")).unwrap();
    assert_eq!(env, v1.clone().into_envelope().unwrap());
    assert_eq!(
        (
            env.backend.as_str(),
            env.key.as_str(),
            env.statement.as_str()
        ),
        (ULTRAHONK, "preview_membership", "preview-membership")
    );
    assert_eq!(env.public_inputs.len(), 19);
    assert_eq!(env.public_inputs[0], listing.commitment);
    assert_eq!(env.ultrahonk.unwrap().vk, v1.vk);
}

/// Each sample and the parser of each other type: refused, and the message says what it is.
#[test]
fn every_parser_names_a_wrong_file() {
    type Parse = fn(&str) -> Result<(), String>;
    fn p<T: VeilFile>(t: &str) -> Result<(), String> {
        T::parse(t).map(|_| ()).map_err(|e| e.to_string())
    }
    let parsers: [(&str, Parse); 14] = [
        ("seller.key", p::<KeyFile>),
        ("listing.json", p::<Listing>),
        ("preview.json", p::<PreviewFile>),
        ("call.json", p::<ProofEnvelope>),
        ("report.json", p::<Report>),
        ("receipt-opening.json", p::<ReceiptOpening>),
        ("usage-opening.json", p::<UsageOpening>),
        ("buyer.key", p::<BuyerKeyFile>),
        ("licence.json", p::<LicenceFile>),
        ("counter-state.json", p::<CounterState>),
        ("ultrahonk-proof.json", p::<UltraHonkProofV1>),
        ("ciphertext-header.json", p::<CiphertextHeader>),
        ("dispute.json", p::<DisputeFile>),
        ("key-note.json", p::<KeyNoteFile>),
    ];
    for (own, _) in &parsers {
        let sample = text(own);
        let kind = header(&sample).unwrap().kind;
        for (other, parse) in &parsers {
            let r = parse(&sample);
            // An envelope parser reads the version-1 UltraHonk file too (it converts it).
            if own == other || (*other == "call.json" && *own == "ultrahonk-proof.json") {
                assert!(r.is_ok(), "{own} as its own type: {r:?}");
                continue;
            }
            let e = r.expect_err(&format!("{own} parsed as the type of {other}"));
            let said = match &kind {
                Some(k) => e.contains(&format!("this is {}", describe(k))),
                None => e.contains("no `kind` field"),
            };
            assert!(said, "{own} as the type of {other}: {e}");
        }
    }
}

/// Inputs the fuzzers found (`tests/formats/fuzz-regressions/`): each is refused with a reason,
/// never a panic. `envelope-shape-float.json`: a shape number past f64's exact range did not
/// survive being written back (shapes are now null or unsigned integers).
#[test]
fn fuzz_findings_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/formats/fuzz-regressions");
    let text = std::fs::read_to_string(dir.join("envelope-shape-float.json")).unwrap();
    let e = ProofEnvelope::parse(&text).unwrap_err().to_string();
    assert!(
        e.contains("`shape` must be null or an object of unsigned integers"),
        "{e}"
    );
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        fuzz_parse::<ProofEnvelope>(&bytes);
        fuzz_parse::<Manifest>(&bytes);
    }
}

/// `sample` with the field at `path` (object keys, or array indices as numbers) set to `value`.
fn edited(sample: &str, path: &[&str], value: serde_json::Value) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(&text(sample)).unwrap();
    let mut at = &mut doc;
    for step in path {
        at = match step.parse::<usize>() {
            Ok(i) => &mut at[i],
            Err(_) => &mut at[*step],
        };
    }
    assert!(!at.is_null(), "{sample}: no field {path:?}");
    *at = value;
    serde_json::to_string_pretty(&doc).unwrap()
}

/// Verifies a sample of each proof-carrying format as its reader does, against the key the
/// unedited sample names (so that an edit is judged by the file, not by a missing key).
fn verify_sample(sample: &str, text: &str) -> Result<(), String> {
    let listing = Listing::parse(&crate::text("listing.json")).unwrap();
    let e = |e: VerifyError| e.to_string();
    match sample {
        "report.json" => {
            let r = Report::parse(text).map_err(e)?;
            veil_verifier::totals::verify_report(&r, &vk("disclosure-totals-b4-e3"), None)
                .map(|_| ())
                .map_err(e)
        }
        "preview.json" => {
            let f = PreviewFile::parse(text).map_err(e)?;
            veil_verifier::preview::verify(&f, &listing, &vk("preview-membership-d4-k2-m3"))
                .map(|_| ())
                .map_err(e)
        }
        "call.json" => {
            let c = ProofEnvelope::parse(text).map_err(e)?;
            veil_verifier::usage::verify_call(&c, &vk("usage-call-d4"), 4)
                .map(|_| ())
                .map_err(e)
        }
        "tier.json" => {
            let c = ProofEnvelope::parse(text).map_err(e)?;
            veil_verifier::usage::verify_tier(&c, &vk("usage-tier-d32"))
                .map(|_| ())
                .map_err(e)
        }
        other => panic!("no reader for {other}"),
    }
}

/// Every field a file restates is checked against what it restates: a batch's shape against
/// its key and the report's batch size and bands, an envelope's statement, key, shape, backend,
/// key digest and version against what its reader expects. Each edit of a sample is refused,
/// and the refusal names the field.
#[test]
fn every_restated_field_is_refused_when_it_disagrees() {
    use serde_json::json;
    for sample in ["report.json", "preview.json", "call.json", "tier.json"] {
        verify_sample(sample, &text(sample)).unwrap_or_else(|e| panic!("{sample}: {e}"));
    }
    let digest = json!("00".repeat(32));
    let cases: Vec<(&str, Vec<&str>, serde_json::Value, &str)> = vec![
        (
            "report.json",
            vec!["batches", "0", "shape", "batch"],
            json!(0),
            "field `shape`",
        ),
        (
            "report.json",
            vec!["batches", "0", "shape", "batch"],
            json!(17),
            "field `shape`",
        ),
        (
            "report.json",
            vec!["batches", "0", "shape", "batch"],
            json!(64),
            "field `shape`",
        ),
        (
            "report.json",
            vec!["batches", "0", "shape", "edges"],
            json!(7),
            "field `shape`",
        ),
        (
            "report.json",
            vec!["batches", "0", "key"],
            json!("disclosure-totals-b8-e3"),
            "field `key`",
        ),
        (
            "report.json",
            vec!["batches", "0", "statement"],
            json!("usage-call"),
            "field `statement`",
        ),
        ("report.json", vec!["batch"], json!(8), "field `key`"),
        (
            "report.json",
            vec!["batches", "0", "backend"],
            json!("halo2-kzg-bn254"),
            "backend",
        ),
        (
            "report.json",
            vec!["batches", "0", "vk_sha256"],
            digest.clone(),
            "another verifying key",
        ),
        (
            "report.json",
            vec!["batches", "0", "veil"],
            json!(3),
            "version 3",
        ),
        ("report.json", vec!["veil"], json!(3), "version 3"),
        (
            "report.json",
            vec!["kind"],
            json!("totals-aggregate"),
            "kind",
        ),
        (
            "preview.json",
            vec!["proof", "shape", "samples"],
            json!(3),
            "field `shape`",
        ),
        (
            "preview.json",
            vec!["proof", "shape", "columns"],
            json!(4),
            "field `shape`",
        ),
        (
            "preview.json",
            vec!["proof", "shape", "depth"],
            json!(5),
            "field `shape`",
        ),
        (
            "preview.json",
            vec!["proof", "key"],
            json!("preview-membership-d4-k3-m3"),
            "field `key`",
        ),
        (
            "preview.json",
            vec!["proof", "statement"],
            json!("usage-tier"),
            "field `statement`",
        ),
        (
            "preview.json",
            vec!["proof", "vk_sha256"],
            digest.clone(),
            "another verifying key",
        ),
        ("preview.json", vec!["veil"], json!(3), "version 3"),
        (
            "call.json",
            vec!["shape", "depth"],
            json!(5),
            "field `shape`",
        ),
        (
            "call.json",
            vec!["key"],
            json!("usage-call-d5"),
            "field `key`",
        ),
        (
            "call.json",
            vec!["statement"],
            json!("usage-tier"),
            "field `statement`",
        ),
        (
            "call.json",
            vec!["backend"],
            json!("ultrahonk-bn254"),
            "backend",
        ),
        (
            "call.json",
            vec!["vk_sha256"],
            digest.clone(),
            "another verifying key",
        ),
        (
            "tier.json",
            vec!["shape", "calls_depth"],
            json!(31),
            "field `shape`",
        ),
        (
            "tier.json",
            vec!["key"],
            json!("usage-tier-d31"),
            "field `key`",
        ),
        (
            "tier.json",
            vec!["statement"],
            json!("usage-call"),
            "field `statement`",
        ),
        (
            "tier.json",
            vec!["vk_sha256"],
            digest,
            "another verifying key",
        ),
    ];
    for (sample, path, value, named) in cases {
        let text = edited(sample, &path, value.clone());
        match verify_sample(sample, &text) {
            Ok(()) => panic!("{sample}: {path:?} = {value} accepted"),
            Err(e) => assert!(e.contains(named), "{sample}: {path:?} = {value}: {e}"),
        }
    }
}

/// Every field a key manifest restates about a key is checked where the key is loaded: its
/// statement and backend against the key id, its shape against the shape the verifier asks
/// for, its public-input count and digests against the verifying key. (Its constraint count is
/// checked by the prover against its circuit: `prover/tests`.) Each edit is refused by name.
#[test]
fn every_restated_field_of_a_key_manifest_is_refused() {
    use serde_json::json;
    use veil_circuits::statements::preview::PreviewShape;
    use veil_verifier::params::load_shape_key;
    let shape = PreviewShape {
        depth: 4,
        samples: 2,
        columns: 3,
    };
    let key = shape.id();
    let copy = |manifest: &str| {
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(crate::dir().join("params")).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
        std::fs::write(dir.path().join("manifest.json"), manifest).unwrap();
        dir
    };
    let honest = copy(&text("params/manifest.json"));
    load_shape_key(honest.path(), &shape).unwrap();
    let k = key.as_str();
    let field = |name: &'static str| vec!["keys", k, name];
    let cases: Vec<(Vec<&str>, serde_json::Value, &str)> = vec![
        (field("statement"), json!("usage-call"), "field `statement`"),
        (
            field("backend"),
            json!("halo2-kzg-bn254"),
            "field `backend`",
        ),
        (field("public_inputs"), json!(12), "field `public_inputs`"),
        (field("public_inputs"), json!(10), "field `public_inputs`"),
        (vec!["keys", k, "shape", "depth"], json!(5), "field `shape`"),
        (
            vec!["keys", k, "shape", "samples"],
            json!(1),
            "field `shape`",
        ),
        (
            vec!["keys", k, "verifying_key", "sha256"],
            json!("00".repeat(32)),
            "manifest digest",
        ),
        (
            vec!["keys", k, "verifying_key", "file"],
            json!("usage-call-d4.vk"),
            "manifest digest",
        ),
        (vec!["veil"], json!(2), "version 2"),
    ];
    for (path, value, named) in cases {
        let dir = copy(&edited("params/manifest.json", &path, value.clone()));
        match load_shape_key(dir.path(), &shape) {
            Ok(_) => panic!("manifest: {path:?} = {value} accepted"),
            Err(e) => assert!(
                e.to_string().contains(named),
                "manifest: {path:?} = {value}: {e}"
            ),
        }
    }
}
