//! `veil noir`: a seller's preview as Noir inputs executes to the same public inputs as its
//! Groth16 proof; tampered inputs, a missing CRS and unknown programs fail cleanly.

use crate::common;

use common::{fails, ok, veil};

const CSV: &str = "order_id,city,amount\nA-1,Lyon,12.50\nA-2,Oslo,7.00\nA-3,Lima,199.99\nA-4,Lyon,0.10\nA-5,Perth,55.00\nA-6,Osaka,3.30\n";

fn noir_ready() -> bool {
    common::noir_toolchain_ready("this Noir test")
}

#[test]
fn noir_preview_inputs_execute_to_the_groth16_public_inputs() {
    if !noir_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("sales.csv"), CSV).unwrap();
    ok(&veil(d, &["dataset", "keygen", "--out", "seller.key"]));
    ok(&veil(
        d,
        &[
            "dataset",
            "commit",
            "sales.csv",
            "--secret-file",
            "seller.key",
            "--dataset-id",
            "vector-sales",
            "--depth",
            "4",
            "--out",
            "listing.json",
        ],
    ));
    let sample = [
        "--dataset",
        "sales.csv",
        "--secret-file",
        "seller.key",
        "--listing",
        "listing.json",
        "--challenge",
        "c0ffee",
        "--samples",
        "4",
        "--reveal",
        "city,amount",
    ];
    ok(&veil(
        d,
        &[
            "setup",
            "--listing",
            "listing.json",
            "--samples",
            "4",
            "--params",
            "params",
        ],
    ));
    ok(&veil(
        d,
        &[
            &["preview", "prove"][..],
            &sample,
            &["--out", "preview.json", "--params", "params"],
        ]
        .concat(),
    ));
    let out = ok(&veil(
        d,
        &[
            &["noir", "preview-inputs"][..],
            &sample,
            &["--out", "inputs.json"],
        ]
        .concat(),
    ));
    assert!(
        out.contains("inputs of preview-membership-d4-k4-m3 to"),
        "{out}"
    );

    let executed = ok(&veil(
        d,
        &[
            "noir",
            "execute",
            "preview_membership",
            "--inputs",
            "inputs.json",
            "--witness",
            "w/witness.gz",
        ],
    ));
    let executed: serde_json::Value = serde_json::from_str(&executed).unwrap();
    let preview: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("preview.json")).unwrap()).unwrap();
    assert_eq!(executed["public_inputs"], preview["proof"]["public_inputs"]);
    assert!(std::fs::metadata(d.join("w/witness.gz")).unwrap().len() > 100);

    // A redacted cell's value edited: one line naming the failed constraint, no output.
    let mut inputs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("inputs.json")).unwrap()).unwrap();
    inputs["samples"][1]["values"][0] = "0x01".into();
    std::fs::write(d.join("edited.json"), inputs.to_string()).unwrap();
    let o = veil(
        d,
        &[
            "noir",
            "execute",
            "preview_membership",
            "--inputs",
            "edited.json",
        ],
    );
    fails(&o, "sample is not in the dataset");
    assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1);
    assert!(o.stdout.is_empty());
    // Inputs of another shape name the mismatch.
    fails(
        &veil(
            d,
            &["noir", "execute", "usage_tier", "--inputs", "inputs.json"],
        ),
        "input `usage`: missing",
    );

    // Proving needs a CRS: refused up front, nothing written.
    let prove = [
        "noir",
        "prove",
        "preview_membership",
        "--inputs",
        "inputs.json",
        "--out",
        "proof.json",
    ];
    fails(&veil(d, &prove), "VEIL_CRS_PATH");
    let no_crs = [&prove[..], &["--crs", "no-crs-here"]].concat();
    fails(&veil(d, &no_crs), "bn254_g2.dat is missing");
    assert!(!d.join("proof.json").exists());
    fails(
        &veil(
            d,
            &["noir", "execute", "preview", "--inputs", "inputs.json"],
        ),
        "no Noir program \"preview\"",
    );
}

#[test]
fn noir_gates_lists_every_program() {
    if !noir_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&veil(dir.path(), &["noir", "gates"]));
    // Named as everywhere in Veil: a statement's program by its shape's key id.
    for p in veil_engine::noir::toolchain::PROGRAMS {
        let name = veil_engine::noir::toolchain::veil_name(p);
        assert!(
            out.contains(&format!("\n{name} ")),
            "{name} missing from {out}"
        );
    }
    assert!(out.contains("\npreview-membership-d4-k4-m3 "), "{out}");
    assert!(out.contains("705886"), "{out}");
}

/// `veil noir verify` decides which program and which public inputs it expects; a file that
/// names another program, names one by path, or carries other public inputs is refused before
/// any proof check (so these need no CRS).
#[test]
fn noir_verify_refuses_another_program_or_other_inputs_up_front() {
    if !noir_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let x = |i: u64| format!("{i:064x}");
    let proof = |program: &str| {
        serde_json::json!({
            "veil": 1, "kind": "ultrahonk-proof", "program": program, "bb_version": "5.0.0",
            "verifier_target": "noir-recursive", "public_inputs": [x(1), x(2), x(3), x(4), x(5)],
            "proof": "00", "vk": "00", "vk_hash": "00",
        })
        .to_string()
    };
    std::fs::write(d.join("tier.json"), proof("usage_tier")).unwrap();
    std::fs::write(d.join("path.json"), proof("/tmp/evil.json")).unwrap();
    let expect = |xs: &[u64]| {
        let v: Vec<String> = xs.iter().map(|i| format!("0x{}", x(*i))).collect();
        std::fs::write(d.join("expect.json"), serde_json::to_string(&v).unwrap()).unwrap();
    };
    fails(
        &veil(
            d,
            &["noir", "verify", "tier.json", "--program", "usage_call"],
        ),
        "is a proof of \"usage_tier\", not of \"usage-call-d16\"",
    );
    fails(
        &veil(d, &["noir", "verify", "path.json"]),
        "say which program you expect with --program",
    );
    expect(&[1, 2, 3, 4, 6]);
    fails(
        &veil(
            d,
            &["noir", "verify", "tier.json", "--expect", "expect.json"],
        ),
        "public input 4 of the proof is not the one you expect",
    );
    expect(&[1, 2, 3, 4]);
    fails(
        &veil(
            d,
            &["noir", "verify", "tier.json", "--expect", "expect.json"],
        ),
        "the proof has 5 public inputs, you expect 4",
    );
}
