//! `veil meter` end to end: every call is its own process, so each check below also runs
//! across gateway restarts.

use crate::common;

use common::{fails, ok, veil};

#[test]
fn metered_calls_quota_replay_tier() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    ok(&veil(
        d,
        &["setup", "--statement", "usage-call", "--params", "p"],
    ));
    ok(&veil(
        d,
        &["setup", "--statement", "usage-tier", "--params", "p"],
    ));

    // The buyer makes a key and gives only its commitment K to the issuer.
    let k = ok(&veil(d, &["meter", "keygen", "--out", "buyer.key"]));
    let k = k.split_whitespace().last().unwrap().to_string();
    assert!(k.starts_with("0x") && k.len() == 66, "{k}");
    let issue = |out: &str| {
        let args = [
            "meter",
            "issue",
            "--ledger",
            "m.db",
            "--listing-id",
            "api",
            "--quota",
            "2",
            "--expiry",
            "4",
        ];
        veil(d, &[&args[..], &["--buyer", &k, "--out", out]].concat())
    };
    ok(&issue("lic.json"));
    fails(&issue("lic.json"), "lic.json exists; pass --force");
    // Secrets are the owner's alone, and a secret others can read is refused.
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["buyer.key", "lic.json"] {
            let mode = std::fs::metadata(d.join(f)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
    }
    let lic = std::fs::read_to_string(d.join("lic.json")).unwrap();
    let key: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("buyer.key")).unwrap()).unwrap();
    assert!(
        !lic.contains(key["sk"].as_str().unwrap()) && lic.contains(&k),
        "the issuer saw the secret"
    );

    let call_with = |key: &str, state: &str, n: &str, epoch: &str| {
        let request = format!("GET /{n}");
        let out = format!("call-{n}.json");
        let args = [
            "meter",
            "call",
            "--licence",
            "lic.json",
            "--ledger",
            "m.db",
            "--params",
            "p",
        ];
        veil(
            d,
            &[
                &args[..],
                &[
                    "--key",
                    key,
                    "--counter-state",
                    state,
                    "--epoch",
                    epoch,
                    "--request",
                    &request,
                    "--out",
                    &out,
                ],
            ]
            .concat(),
        )
    };
    let call = |n: &str, epoch: &str| call_with("buyer.key", "state.json", n, epoch);
    let verify = |n: &str, epoch: &str, request: &str| {
        let call = format!("call-{n}.json");
        let args = [
            "meter",
            "verify",
            &call,
            "--ledger",
            "m.db",
            "--listing-id",
            "api",
            "--params",
            "p",
        ];
        veil(
            d,
            &[&args[..], &["--epoch", epoch, "--request", request]].concat(),
        )
    };
    {
        use std::os::unix::fs::PermissionsExt;
        let key = d.join("buyer.key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        fails(&call("a", "3"), "other users can read it");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    ok(&call("a", "3"));
    ok(&call("b", "3"));
    fails(&call("c", "3"), "quota reached");
    assert!(!d.join("call-c.json").exists());
    assert!(ok(&verify("a", "3", "GET /a")).contains("ACCEPTED"));
    fails(&verify("a", "3", "GET /a"), "replayed call");
    fails(&verify("b", "3", "GET /other"), "another request");
    fails(&verify("b", "4", "GET /b"), "epoch");
    ok(&verify("b", "3", "GET /b"));
    // A mistyped ledger path is refused, not created.
    let typo = veil(
        d,
        &[
            "meter",
            "verify",
            "call-b.json",
            "--ledger",
            "typo.db",
            "--listing-id",
            "api",
            "--params",
            "p",
            "--epoch",
            "3",
            "--request",
            "GET /b",
        ],
    );
    fails(&typo, "no ledger at typo.db");
    assert!(!d.join("typo.db").exists());

    // Another buyer's key does not open this licence.
    ok(&veil(d, &["meter", "keygen", "--out", "other.key"]));
    fails(
        &call_with("other.key", "s2.json", "x", "3"),
        "not the one this licence was issued to",
    );
    // Expired licence; corrupted counter state.
    fails(&call("d", "5"), "expired");
    std::fs::write(d.join("state.json"), "garbage").unwrap();
    fails(&call("e", "4"), "counter state");

    // The gateway accepted 2 calls in epoch 3. A tier needs the epoch closed (its usage
    // commitment published); then [1, 3) proves and [3, 10) cannot.
    let tier = |lo: &str, hi: &str, out: &str| {
        let args = [
            "meter",
            "tier",
            "prove",
            "--ledger",
            "m.db",
            "--listing-id",
            "api",
            "--epoch",
            "3",
            "--params",
            "p",
        ];
        let opening = format!("open-{out}");
        veil(
            d,
            &[
                &args[..],
                &["--lo", lo, "--hi", hi, "--out", out, "--opening", &opening],
            ]
            .concat(),
        )
    };
    fails(&tier("1", "3", "tier.json"), "still open");
    let close = |listing: &str| {
        let out = ok(&veil(
            d,
            &[
                "meter",
                "close",
                "--ledger",
                "m.db",
                "--listing-id",
                listing,
                "--epoch",
                "3",
            ],
        ));
        out.split_whitespace().last().unwrap().to_string()
    };
    let u = close("api");
    assert_eq!(close("api"), u, "closing twice publishes one commitment");
    fails(&verify("b", "3", "GET /b"), "closed");
    ok(&tier("1", "3", "tier.json"));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("open-tier.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the opening is a secret");
    }
    let check = |listing: &str, epoch: &str, usage: &str| {
        veil(
            d,
            &[
                "meter",
                "tier",
                "verify",
                "tier.json",
                "--listing-id",
                listing,
                "--epoch",
                epoch,
                "--usage",
                usage,
                "--params",
                "p",
            ],
        )
    };
    assert!(ok(&check("api", "3", &u)).contains("[1, 3)"));
    fails(&check("api", "2", &u), "epoch 3, not 2");
    fails(&check("maps", "3", &u), "another listing");
    let other_u = close("maps");
    fails(&check("api", "3", &other_u), "not the published");
    fails(&tier("3", "10", "tier2.json"), "not in [3, 10)");

    // snarkjs, an independent verifier, accepts the call and the tier proofs and rejects them
    // with an edited nullifier or usage commitment.
    common::snarkjs_cross_check(d, "call-a.json", "snarkjs-call", "p", 3);
    common::snarkjs_cross_check(d, "tier.json", "snarkjs-tier", "p", 0);
}

/// halo2 calls at the gateway: `veil meter call --backend halo2` proves, `veil meter verify`
/// checks it by the backend its envelope names and spends its nullifier once; a gateway that
/// holds only the verifier's files (`kzg-bn254.json` and `halo2/<key>.l2.vk`, no parameter file)
/// checks calls too; a gateway with no key for the backend names what it lacks.
#[test]
fn halo2_calls_pass_the_gateway_from_the_verifiers_files_alone() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let setup = ok(&veil(
        d,
        &[
            "setup",
            "--backend",
            "halo2",
            "--statement",
            "usage-call",
            "--params",
            "p",
        ],
    ));
    assert!(setup.contains("halo2/usage-call-d16.l2.vk"), "{setup}");
    let k = ok(&veil(d, &["meter", "keygen", "--out", "buyer.key"]));
    let k = k.split_whitespace().last().unwrap().to_string();
    ok(&veil(
        d,
        &[
            "meter",
            "issue",
            "--ledger",
            "m.db",
            "--listing-id",
            "api",
            "--quota",
            "3",
            "--expiry",
            "9",
            "--buyer",
            &k,
            "--out",
            "lic.json",
        ],
    ));
    let call = |n: &str| {
        let (request, out) = (format!("GET /{n}"), format!("call-{n}.json"));
        veil(
            d,
            &[
                "meter",
                "call",
                "--backend",
                "halo2",
                "--licence",
                "lic.json",
                "--key",
                "buyer.key",
                "--counter-state",
                "state.json",
                "--ledger",
                "m.db",
                "--params",
                "p",
                "--epoch",
                "2",
                "--request",
                &request,
                "--out",
                &out,
            ],
        )
    };
    let verify = |n: &str, params: &str| {
        let (request, file) = (format!("GET /{n}"), format!("call-{n}.json"));
        veil(
            d,
            &[
                "meter",
                "verify",
                &file,
                "--ledger",
                "m.db",
                "--listing-id",
                "api",
                "--epoch",
                "2",
                "--request",
                &request,
                "--params",
                params,
            ],
        )
    };
    ok(&call("a"));
    ok(&call("b"));
    let env: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("call-a.json")).unwrap()).unwrap();
    assert_eq!(env["backend"], "halo2-kzg-bn254");
    assert!(ok(&verify("a", "p")).contains("ACCEPTED"));
    fails(&verify("a", "p"), "replayed call");

    // The verifier's files alone.
    std::fs::create_dir_all(d.join("v/halo2")).unwrap();
    for f in ["kzg-bn254.json", "halo2/usage-call-d16.l2.vk"] {
        std::fs::copy(d.join("p").join(f), d.join("v").join(f)).unwrap();
    }
    assert!(ok(&verify("b", "v")).contains("ACCEPTED"));
    // A folder with Groth16 keys only has no halo2 key to check with.
    ok(&veil(
        d,
        &["setup", "--statement", "usage-call", "--params", "g"],
    ));
    ok(&call("c"));
    fails(&verify("c", "g"), "no halo2 parameters in g");
    // A flipped proof byte is refused, and nothing is spent: the honest call then passes.
    let mut forged = std::fs::read_to_string(d.join("call-c.json")).unwrap();
    let at = forged.find("\"proof\": \"").unwrap() + 200;
    let flipped = if &forged[at..at + 1] == "0" { "1" } else { "0" };
    forged.replace_range(at..at + 1, flipped);
    std::fs::write(
        d.join("call-c.json.bak"),
        std::fs::read(d.join("call-c.json")).unwrap(),
    )
    .unwrap();
    std::fs::write(d.join("call-c.json"), forged).unwrap();
    fails(&verify("c", "v"), "rejected");
    std::fs::rename(d.join("call-c.json.bak"), d.join("call-c.json")).unwrap();
    assert!(ok(&verify("c", "v")).contains("ACCEPTED"));
}
