//! `veil audit` end to end: settle, simulate, prove and verify a period report, disclose one
//! receipt, and the bad inputs (overflow, time going back, unknown seller, wrong root).

mod common;

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
    let table = ok(&veil(
        d,
        &[
            "audit", "verify", "r.json", "--root", &root, "--params", "p",
        ],
    ));
    assert!(
        table.contains("OK: seller 1") && table.contains("band [100000, inf)"),
        "{table}"
    );
    fails(
        &veil(
            d,
            &[
                "audit", "verify", "r.json", "--root", "0x01", "--params", "p",
            ],
        ),
        "is against root",
    );

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
    .contains("OK: receipt 4 of seller 1"));
    fails(
        &veil(
            d,
            &["audit", "check-disclosure", "o.json", "--root", "0x02"],
        ),
        "MISMATCH",
    );

    // A period with no sales gives a valid zero report.
    ok(&veil(
        d,
        &[
            "audit", "prove", "--ledger", "m.db", "--seller", "2", "--from", "0", "--to", "500",
            "--out", "z.json", "--params", "p",
        ],
    ));
    assert!(ok(&veil(
        d,
        &["audit", "verify", "z.json", "--root", &root, "--params", "p"]
    ))
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
                "--listing",
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
            "--listing",
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
                "--listing",
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
