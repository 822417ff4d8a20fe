//! `veil bench --snarkjs` exports Veil's circuit and witness in iden3's binary formats: snarkjs
//! (npm, an implementation no one here wrote) must read both and find every constraint
//! satisfied, and must find a broken constraint when one witness value or one coefficient is
//! changed. (Skipped without snarkjs in tools/node_modules, unless `VEIL_REQUIRE_SNARKJS` is
//! set: `scripts/test.sh` installs it.)
use rand::SeedableRng;
use veil_circuits::statements::{CallShape, R1csStatement, UsageCall};
use veil_circuits::Fr;
use veil_engine::bench::snarkjs::{r1cs_bytes, wtns_bytes, Snarkjs};
use veil_prover::backend::groth16::{insecure_setup, Groth16Prover};

#[test]
fn snarkjs_checks_the_exported_circuit_and_witness() {
    let Some(js) = Snarkjs::find() else {
        assert!(
            std::env::var_os("VEIL_REQUIRE_SNARKJS").is_none(),
            "VEIL_REQUIRE_SNARKJS is set and snarkjs is not installed"
        );
        eprintln!("SKIPPED: snarkjs not installed (scripts/test.sh installs it in tools/)");
        return;
    };
    let (public, witness) = veil_testkit::vectors::call(0);
    let shape = CallShape { depth: 16 };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let pk = insecure_setup(UsageCall::blank(&shape), &mut rng).unwrap();
    let prover = Groth16Prover::new(pk, UsageCall::blank(&shape)).unwrap();
    let full = prover
        .assignment(UsageCall::circuit(&shape, public, witness))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let r1cs = r1cs_bytes(&prover.matrices).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("c.r1cs", &r1cs);
    write("w.wtns", &wtns_bytes(&full).unwrap());
    let info = js.run(dir.path(), &["r1cs", "info", "c.r1cs"]).unwrap();
    assert!(info.contains("# of Constraints: 5777"), "{info}");
    assert!(info.contains("# of Public Inputs: 5"), "{info}");
    js.run(dir.path(), &["wtns", "check", "c.r1cs", "w.wtns"])
        .unwrap();

    let mut bad = full.clone();
    bad[full.len() / 2] += Fr::from(1u64);
    write("bad.wtns", &wtns_bytes(&bad).unwrap());
    let e = js
        .run(dir.path(), &["wtns", "check", "c.r1cs", "bad.wtns"])
        .expect_err("a changed witness value breaks a constraint");
    assert!(e.to_string().contains("snarkjs wtns check"), "{e}");

    let mut m = prover.matrices.clone();
    let row = m.abc[0].iter().position(|r| !r.is_empty()).unwrap();
    m.abc[0][row][0].0 += Fr::from(1u64);
    write("bad.r1cs", &r1cs_bytes(&m).unwrap());
    assert!(
        js.run(dir.path(), &["wtns", "check", "bad.r1cs", "w.wtns"])
            .is_err(),
        "a changed coefficient breaks its constraint"
    );
}
