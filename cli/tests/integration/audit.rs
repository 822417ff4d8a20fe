//! `veil audit` end to end: settle, simulate, prove and verify a period report, disclose one
//! receipt, and the bad inputs (overflow, time going back, unknown seller, wrong root).

use crate::common;

use common::{fails, ok, veil};

#[test]
fn audit_flow_and_bad_inputs() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    ok(&veil(
        d,
        &[
            "setup",
            "--statement",
            "disclosure-totals",
            "--batch",
            "16",
            "--params",
            "p",
        ],
    ));
    ok(&veil(
        d,
        &[
            "audit",
            "simulate",
            "--ledger",
            "m.db",
            "--receipts",
            "300",
            "--sellers",
            "3",
            "--start",
            "1000",
        ],
    ));
    let out = ok(&veil(
        d,
        &[
            "audit", "prove", "--ledger", "m.db", "--seller", "1", "--from", "3000", "--to",
            "12000", "--out", "r.json", "--params", "p",
        ],
    ));
    assert!(out.contains("proved"), "{out}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("r.json")).unwrap()).unwrap();
    let root = report["period"]["root"].as_str().unwrap().to_string();
    let verify = |file: &str, root: &str, seller: &str, from: &str, to: &str| {
        veil(
            d,
            &[
                "audit", "verify", file, "--root", root, "--seller", seller, "--from", from,
                "--to", to, "--params", "p",
            ],
        )
    };
    let table = ok(&verify("r.json", &root, "1", "3000", "12000"));
    assert!(
        table.contains("ACCEPTED: seller 1") && table.contains("band [100000, inf)"),
        "{table}"
    );
    // For scripts: the same verdict and totals as JSON; a refusal is JSON too, with status 1.
    let json = |o: &std::process::Output| -> serde_json::Value {
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let run_json = |root: &str| {
        veil(
            d,
            &[
                "audit", "verify", "r.json", "--root", root, "--seller", "1", "--from", "3000",
                "--to", "12000", "--params", "p", "--json",
            ],
        )
    };
    let accepted = run_json(&root);
    let v = json(&accepted);
    assert!(accepted.status.success(), "{v}");
    assert_eq!(v["verdict"], "accepted");
    assert_eq!(v["seller"], 1);
    assert_eq!(v["bands"].as_array().unwrap().len(), 4, "{v}");
    assert!(
        table.contains(&format!(" {} ", v["count"])),
        "{v} vs {table}"
    );
    let other_root = format!("0x{}", "0".repeat(63) + "1");
    let refused = run_json(&other_root);
    let v = json(&refused);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(v["verdict"], "refused");
    assert!(
        v["reason"].as_str().unwrap().contains("is against root"),
        "{v}"
    );
    fails(
        &verify("r.json", &other_root, "1", "3000", "12000"),
        "is against root",
    );
    fails(
        &verify("r.json", "0x01", "1", "3000", "12000"),
        "64 hex digits",
    );
    // A genuine report for another seller or period is not the one asked for.
    fails(
        &verify("r.json", &root, "2", "3000", "12000"),
        "you asked for seller 2",
    );
    fails(
        &verify("r.json", &root, "1", "3000", "12001"),
        "[3000, 12001)",
    );

    // snarkjs, an independent verifier, accepts every batch proof of the report (with the
    // public inputs the report carries) and rejects the last batch with an edited total.
    ok(&veil(
        d,
        &[
            "export", "snarkjs", "r.json", "--out", "sj", "--params", "p",
        ],
    ));
    let n = report["batches"].as_array().unwrap().len();
    assert!(n >= 2, "a chain of batches");
    if common::snarkjs_accepts(&d.join("sj/batch-0"), "public.json").is_some() {
        for k in 0..n {
            let dir = d.join(format!("sj/batch-{k}"));
            assert_eq!(
                common::snarkjs_accepts(&dir, "public.json"),
                Some(true),
                "batch {k}"
            );
        }
        let last = d.join(format!("sj/batch-{}", n - 1));
        let mut public: Vec<String> =
            serde_json::from_str(&std::fs::read_to_string(last.join("public.json")).unwrap())
                .unwrap();
        public[13] = "12345".into(); // the period's amount
        std::fs::write(
            last.join("edited.json"),
            serde_json::to_string(&public).unwrap(),
        )
        .unwrap();
        assert_eq!(common::snarkjs_accepts(&last, "edited.json"), Some(false));
    }

    // Selective disclosure of one receipt, checked against the root; a wrong root is refused.
    ok(&veil(
        d,
        &[
            "audit",
            "disclose",
            "--ledger",
            "m.db",
            "--seller",
            "1",
            "--receipt",
            "4",
            "--out",
            "o.json",
        ],
    ));
    assert!(ok(&veil(
        d,
        &["audit", "check-disclosure", "o.json", "--root", &root]
    ))
    .contains("ACCEPTED: receipt 4 of seller 1"));
    fails(
        &veil(
            d,
            &["audit", "check-disclosure", "o.json", "--root", &other_root],
        ),
        "not the root you gave",
    );
    // Every field is parsed strictly: a garbage or numeric root, a wrong index, an extra field.
    let opening: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("o.json")).unwrap()).unwrap();
    for (field, value, why) in [
        (
            "/root",
            serde_json::json!("0x18be3062f:12de"),
            "64 hex digits",
        ),
        (
            "/root",
            serde_json::json!(18446744073709551616u128 as f64),
            "invalid type",
        ),
        ("/index", serde_json::json!(5), "field `index` is 5"),
        ("/receipt/amount", serde_json::json!(-1), "invalid value"),
    ] {
        let mut bad = opening.clone();
        *bad.pointer_mut(field).unwrap() = value;
        std::fs::write(d.join("bad.json"), bad.to_string()).unwrap();
        fails(
            &veil(
                d,
                &["audit", "check-disclosure", "bad.json", "--root", &root],
            ),
            why,
        );
    }
    let mut extra = opening.clone();
    extra["note"] = serde_json::json!("x");
    std::fs::write(d.join("bad.json"), extra.to_string()).unwrap();
    fails(
        &veil(
            d,
            &["audit", "check-disclosure", "bad.json", "--root", &root],
        ),
        "unknown field `note`",
    );

    // A period with no sales gives a valid zero report.
    ok(&veil(
        d,
        &[
            "audit", "prove", "--ledger", "m.db", "--seller", "2", "--from", "0", "--to", "500",
            "--out", "z.json", "--params", "p",
        ],
    ));
    assert!(ok(&verify("z.json", &root, "2", "0", "500"))
        .contains("total                             0"));

    // Bad inputs: unknown seller, time going back, a running total overflowing 2^64, no ledger, no keys.
    fails(
        &veil(
            d,
            &[
                "audit", "prove", "--ledger", "m.db", "--seller", "9", "--from", "0", "--to", "10",
                "--out", "x.json", "--params", "p",
            ],
        ),
        "unknown seller 9",
    );
    fails(
        &veil(
            d,
            &[
                "audit",
                "settle",
                "--ledger",
                "m.db",
                "--seller",
                "1",
                "--listing-id",
                "l",
                "--amount",
                "5",
                "--time",
                "1",
            ],
        ),
        "before the previous sale",
    );
    let big = (u64::MAX - 10).to_string();
    ok(&veil(
        d,
        &[
            "audit",
            "settle",
            "--ledger",
            "o.db",
            "--seller",
            "0",
            "--listing-id",
            "l",
            "--amount",
            &big,
            "--time",
            "1",
        ],
    ));
    fails(
        &veil(
            d,
            &[
                "audit",
                "settle",
                "--ledger",
                "o.db",
                "--seller",
                "0",
                "--listing-id",
                "l",
                "--amount",
                "11",
                "--time",
                "2",
            ],
        ),
        "overflows",
    );
    fails(
        &veil(
            d,
            &[
                "audit", "prove", "--ledger", "none.db", "--seller", "1", "--from", "0", "--to",
                "10", "--out", "x.json", "--params", "p",
            ],
        ),
        "no ledger",
    );
    fails(
        &veil(
            d,
            &[
                "audit", "prove", "--ledger", "m.db", "--seller", "1", "--from", "0", "--to", "10",
                "--batch", "64", "--out", "x.json", "--params", "p",
            ],
        ),
        "veil setup",
    );
    assert!(!d.join("x.json").exists());
}

/// Eight `veil audit settle` processes at once, for one seller and for several: all succeed,
/// and each seller's receipts are numbered consecutively.
#[test]
fn concurrent_settles_all_succeed() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let settle = |seller: u64| {
        let mut c = common::veil_command(d);
        c.args([
            "audit",
            "settle",
            "--ledger",
            "race.db",
            "--seller",
            &seller.to_string(),
            "--listing-id",
            "l",
            "--amount",
            "100",
            "--time",
            "1000",
        ]);
        c
    };
    for sellers in [[0u64; 8], [0, 1, 2, 3, 0, 1, 2, 3]] {
        let children: Vec<_> = sellers
            .iter()
            .map(|s| {
                settle(*s)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            ok(&c.wait_with_output().unwrap());
        }
    }
    // Seller 0 settled 8 + 2 sales: the next receipt is number 10.
    let out = ok(&settle(0).output().unwrap());
    assert!(out.starts_with("receipt 10 of seller 0"), "{out}");
    let out = ok(&settle(3).output().unwrap());
    assert!(out.starts_with("receipt 2 of seller 3"), "{out}");
}
