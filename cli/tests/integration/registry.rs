//! The registry behind every door. A statement of this test's own, `toy-square` (its folder is
//! the `toy` module below), registered with one line, is offered by `veil setup --statement`,
//! set up, listed in the OpenAPI document's benchmark cases and measured by `veil bench
//! --case`; and no door spells a statement's name: only the statement's home does.

use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar, fields::FieldVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use std::path::{Path, PathBuf};
use veil_circuits::statements::{self, Circuit, PublicInputs, R1csStatement, Shape, Statement};
use veil_circuits::{Error, Fr};
use veil_engine::bench::BenchRecord;
use veil_engine::registry::{BenchRun, BenchSize, Registered, Registry};
use veil_engine::setup::{SetupDone, SetupJob, ShapeOptions};

/// What a new statement's folder holds: the statement, its relation and its R1CS circuit.
mod toy {
    use super::*;

    /// The statement's name (its only spelling).
    pub const NAME: &str = "toy-square";

    /// `y = x^2` for a public `y` and a secret `x`.
    #[derive(Clone, Copy, Debug)]
    pub struct ToySquare;

    /// One circuit: no shape.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    pub struct ToyShape;

    impl Shape for ToyShape {
        fn id(&self) -> String {
            NAME.into()
        }
        fn validate(&self) -> veil_circuits::Result<()> {
            Ok(())
        }
    }

    /// The public square.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Square(pub Fr);

    impl PublicInputs for Square {
        fn to_field_elements(&self) -> Vec<Fr> {
            vec![self.0]
        }
    }

    impl Statement for ToySquare {
        type Shape = ToyShape;
        type Public = Square;
        type Witness = Fr;
        const NAME: &'static str = NAME;
        fn check(_: &ToyShape, y: &Square, x: &Fr) -> veil_circuits::Result<()> {
            match *x * x == y.0 {
                true => Ok(()),
                false => Err(Error::Unsatisfied("y is not x^2".into())),
            }
        }
    }

    impl R1csStatement for ToySquare {
        fn synthesize(c: Circuit<Self>, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let y = FpVar::new_input(cs.clone(), || Ok(c.public.0))?;
            let x = FpVar::new_witness(cs, || Ok(c.witness))?;
            x.mul_equals(&x, &y)
        }
        fn placeholder(_: &ToyShape) -> (Square, Fr) {
            (Square(Fr::from(0u64)), Fr::from(0u64))
        }
    }
}

/// The statement at the doors: the registry entry.
struct ToyEntry;

impl Registered for ToyEntry {
    fn name(&self) -> &'static str {
        toy::NAME
    }
    fn summary(&self) -> &'static str {
        "a square's root, kept secret"
    }
    fn shape_options(&self) -> &'static [&'static str] {
        &[]
    }
    fn setup(&self, _: &ShapeOptions, job: SetupJob<'_>) -> veil_engine::Result<SetupDone> {
        job.at_groth16::<toy::ToySquare>(&toy::ToyShape)
    }
    fn bench_case(&self) -> &'static str {
        "the square of 3"
    }
    fn bench_size(&self) -> Option<BenchSize> {
        None
    }
    fn bench_validate(&self, _: usize) -> veil_engine::Result<()> {
        Ok(())
    }
    fn bench(&self, _: usize, run: &BenchRun<'_>) -> veil_engine::Result<Vec<BenchRecord>> {
        let (y, x) = (toy::Square(Fr::from(9u64)), Fr::from(3u64));
        run.measure_groth16::<toy::ToySquare>(&toy::ToyShape, y, x)
    }
}

fn veil(registry: &Registry, args: &[&str]) -> anyhow::Result<()> {
    let cli = veil_cli::cli::parse_from(
        registry,
        std::iter::once("veil").chain(args.iter().copied()),
    )?;
    veil_cli::cli::run_in(registry, cli)
}

fn possible_statements(registry: &Registry) -> Vec<String> {
    let cmd = veil_cli::cli::command(registry);
    let setup = cmd.find_subcommand("setup").expect("veil setup");
    let arg = setup
        .get_arguments()
        .find(|a| a.get_id() == "statement")
        .expect("--statement");
    arg.get_possible_values()
        .iter()
        .map(|v| v.get_name().to_string())
        .collect()
}

fn openapi_statements(registry: &Registry) -> serde_json::Value {
    let doc = serde_json::to_value(veil_service::openapi::document(registry)).expect("a document");
    doc["components"]["schemas"]["BenchCaseBody"]["properties"]["statement"]["enum"].clone()
}

#[test]
fn a_registered_statement_is_at_every_door() {
    let standard = Registry::standard();
    let registry = standard.clone().with(ToyEntry);
    let mut names = standard.names();
    names.push(toy::NAME);

    // `veil setup --statement`: offered once registered, refused before.
    assert_eq!(possible_statements(&registry), names);
    assert!(!possible_statements(standard).contains(&toy::NAME.to_string()));
    let e = veil(standard, &["setup", "--statement", toy::NAME]).expect_err("not registered");
    assert!(e.to_string().contains("invalid value 'toy-square'"), "{e}");
    let params = tempfile::tempdir().expect("tempdir");
    let dir = params.path().to_str().expect("a UTF-8 path");
    veil(
        &registry,
        &["setup", "--statement", toy::NAME, "--params", dir],
    )
    .expect("set up");
    let manifest = std::fs::read_to_string(params.path().join("manifest.json")).expect("manifest");
    assert!(manifest.contains("\"toy-square\""), "{manifest}");
    let e = veil(
        &registry,
        &[
            "setup",
            "--statement",
            toy::NAME,
            "--params",
            dir,
            "--backend",
            "halo2",
        ],
    )
    .expect_err("no halo2 circuit");
    assert!(
        e.to_string().contains("toy-square has no halo2 circuit"),
        "{e}"
    );

    // The OpenAPI document's benchmark cases.
    assert_eq!(openapi_statements(&registry), serde_json::json!(names));
    assert_eq!(
        openapi_statements(standard),
        serde_json::json!(standard.names())
    );

    // `veil bench --case`: listed in the help, measured, refused where it is not registered.
    let mut bench = veil_cli::cli::command(&registry);
    let help = bench
        .find_subcommand_mut("bench")
        .expect("veil bench")
        .render_long_help()
        .to_string();
    assert!(
        help.contains("toy-square             the square of 3"),
        "{help}"
    );
    let out = tempfile::tempdir().expect("tempdir");
    let json = out.path().join("bench.json");
    let json_arg = json.to_str().expect("a UTF-8 path");
    let args = [
        "bench",
        "--case",
        toy::NAME,
        "--runs",
        "1",
        "--json",
        json_arg,
    ];
    let e = veil(standard, &args).expect_err("not registered");
    assert!(
        e.to_string()
            .contains("unknown statement \"toy-square\"; available"),
        "{e}"
    );
    veil(&registry, &args).expect("bench");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("JSON");
    let records = report["records"].as_array().expect("records");
    assert_eq!(records.len(), 1, "{report}");
    assert_eq!(records[0]["statement"], toy::NAME);
    assert_eq!(records[0]["constraints_or_gates"], 1);
}

/// The source files of the workspace's crates (not their tests: a test may spell what it
/// checks).
fn sources(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    for krate in std::fs::read_dir(root).expect("the workspace").flatten() {
        walk(&krate.path().join("src"), &mut out);
        walk(&krate.path().join("benches"), &mut out);
    }
    out
}

/// A statement's name, dashed or as its Noir package, is spelled as a string literal only in
/// its home (`circuits/src/statements/<name>/`): every door reads it from there or from the
/// registry. Comments, `#[cfg(test)] mod` blocks (a test may spell what it checks) and the
/// serde attribute of the tier job's kind (`kind_tag!`, checked against the name by a test) are
/// not doors.
#[test]
fn no_door_spells_a_statement_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let home = root.join("circuits/src/statements");
    let quoted: Vec<String> = statements::STATEMENT_NAMES
        .iter()
        .chain(&statements::PROGRAMS)
        .map(|n| format!("\"{n}\""))
        .collect();
    let files = sources(&root);
    assert!(files.len() > 100, "found only {} source files", files.len());
    let mut spelled = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&home)) {
        let text = std::fs::read_to_string(file).expect("a source file");
        let code = text.split("#[cfg(test)]\nmod ").next().unwrap_or_default();
        for (i, line) in code.lines().enumerate() {
            let line_t = line.trim_start();
            if line_t.starts_with("//") || line_t.starts_with("kind_tag!(") {
                continue;
            }
            if let Some(q) = quoted.iter().find(|q| line.contains(q.as_str())) {
                spelled.push(format!("{}:{}: {q}", file.display(), i + 1));
            }
        }
    }
    assert!(
        spelled.is_empty(),
        "statement names spelled outside their home:\n{}",
        spelled.join("\n")
    );
}

/// `veil setup --ceremony-export`: a registered statement's circuit goes through a whole
/// snarkjs phase 2 (`zkey new` over a powers-of-tau file, two contributions, a beacon,
/// `zkey verify`), and snarkjs reads the same sizes Veil wrote down; an edited circuit file is
/// refused by `zkey verify`, an export is not overwritten without `--force`, and the export is
/// Groth16's only.
#[test]
fn a_registered_statement_goes_through_a_snarkjs_phase_2_ceremony() {
    use veil_engine::bench::snarkjs::Snarkjs;
    let registry = Registry::standard().clone().with(ToyEntry);
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().to_str().expect("a UTF-8 path");
    let export = ["setup", "--statement", toy::NAME, "--ceremony-export", dir];
    veil(&registry, &export).expect("exported");
    let text = std::fs::read_to_string(out.path().join("toy-square.ceremony.json"))
        .expect("the description");
    let d: veil_engine::setup::ceremony::CeremonyExport =
        serde_json::from_str(&text).expect("a description");
    assert_eq!(
        (d.constraints, d.public_inputs, d.wires, d.ptau_power),
        (1, 1, 3, 8),
        "{text}"
    );
    let r1cs = std::fs::read(out.path().join(&d.r1cs)).expect("the circuit file");
    assert_eq!(
        d.r1cs_sha256,
        veil_engine::verifier::digest::sha256_hex(&r1cs)
    );

    let e = veil(&registry, &export).expect_err("an export is not overwritten");
    assert!(e.to_string().contains("--force replaces it"), "{e}");
    let mut forced = export.to_vec();
    forced.push("--force");
    veil(&registry, &forced).expect("replaced with --force");
    let mut halo2 = export.to_vec();
    halo2.extend(["--backend", "halo2"]);
    let e = veil(&registry, &halo2).expect_err("Groth16 only");
    assert!(e.to_string().contains("Groth16 circuit"), "{e}");

    let Some(js) = Snarkjs::find() else {
        assert!(
            std::env::var_os("VEIL_REQUIRE_SNARKJS").is_none(),
            "VEIL_REQUIRE_SNARKJS is set and snarkjs is not installed"
        );
        eprintln!("SKIPPED: snarkjs not installed (scripts/test.sh installs it in tools/)");
        return;
    };
    let run = |args: &[&str]| js.run(out.path(), args).expect("snarkjs");
    let info = run(&["r1cs", "info", &d.r1cs]);
    for line in [
        "# of Wires: 3",
        "# of Constraints: 1",
        "# of Public Inputs: 1",
        "# of Private Inputs: 0",
    ] {
        assert!(info.contains(line), "{line:?} not in {info}");
    }
    // Phase 1 made here: two contributions and a beacon, then prepared for phase 2.
    let power = d.ptau_power.to_string();
    run(&["powersoftau", "new", "bn128", &power, "t0.ptau"]);
    run(&[
        "powersoftau",
        "contribute",
        "t0.ptau",
        "t1.ptau",
        "--name=tau one",
        "-e=1",
    ]);
    run(&[
        "powersoftau",
        "contribute",
        "t1.ptau",
        "t2.ptau",
        "--name=tau two",
        "-e=2",
    ]);
    let tau_beacon = "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0";
    run(&[
        "powersoftau",
        "beacon",
        "t2.ptau",
        "t3.ptau",
        tau_beacon,
        "10",
        "-n=tau beacon",
    ]);
    run(&["powersoftau", "prepare", "phase2", "t3.ptau", "pot.ptau"]);
    let ptau = "pot.ptau";
    run(&["zkey", "new", &d.r1cs, ptau, "c0.zkey"]);
    run(&[
        "zkey",
        "contribute",
        "c0.zkey",
        "c1.zkey",
        "--name=first",
        "-e=one",
    ]);
    run(&[
        "zkey",
        "contribute",
        "c1.zkey",
        "c2.zkey",
        "--name=second",
        "-e=two",
    ]);
    let beacon = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
    run(&[
        "zkey",
        "beacon",
        "c2.zkey",
        "final.zkey",
        beacon,
        "10",
        "-n=beacon",
    ]);
    let verified = run(&["zkey", "verify", &d.r1cs, ptau, "final.zkey"]);
    assert!(verified.contains("ZKey Ok!"), "{verified}");
    for name in ["first", "second", "beacon"] {
        assert!(
            verified.contains(name),
            "{name} not in the transcript: {verified}"
        );
    }

    ceremony_key_imports_and_proves_with_snarkjs(&registry, &js, out.path(), ptau, &verified);

    // One coefficient of the circuit changed: not the circuit the ceremony's key is for.
    // The file ends with C's last coefficient (32 bytes, little-endian), then the wire labels'
    // section (a 12-byte section header, 8 bytes per wire).
    let mut edited = r1cs;
    let coefficient = edited.len() - (12 + 8 * d.wires) - 32;
    edited[coefficient + 3] ^= 1;
    std::fs::write(out.path().join("edited.r1cs"), &edited).expect("written");
    match js.run(
        out.path(),
        &["zkey", "verify", "edited.r1cs", ptau, "final.zkey"],
    ) {
        Err(e) => assert!(e.to_string().contains("Circuit does not match"), "{e}"),
        Ok(said) => panic!("an edited circuit verified: {said}"),
    }
}

/// The ceremony's final key imported (`veil setup --ceremony-import`): the manifest records the
/// contributions with the hashes `zkey verify` printed; a proof Veil makes with the key
/// verifies in Veil and in snarkjs, and snarkjs's proof with it verifies in Veil. Then each bad
/// input is refused by name, the key store untouched: another circuit's `.zkey`, a truncated
/// or edited one, a broken chain, a `.ptau` too small or of another ceremony, a key without a
/// contribution, an import over an existing key without `--force`.
fn ceremony_key_imports_and_proves_with_snarkjs(
    registry: &Registry,
    js: &veil_engine::bench::snarkjs::Snarkjs,
    dir: &Path,
    ptau: &str,
    verified: &str,
) {
    use veil_engine::prover::keys::KeyStore;
    use veil_engine::verifier::{groth16, snarkjs};
    let params = dir.join("params");
    let p = params.to_str().expect("a UTF-8 path");
    let import = |zkey: &str, ptau: &str, extra: &[&str]| {
        let mut args = vec![
            "setup",
            "--statement",
            toy::NAME,
            "--params",
            p,
            "--ceremony-import",
            zkey,
            "--ptau",
            ptau,
        ];
        args.extend(extra);
        veil(registry, &args)
    };
    let final_zkey = dir.join("final.zkey");
    let f = final_zkey.to_str().expect("a UTF-8 path");
    let ptau_path = dir.join(ptau);
    let ptau = ptau_path.to_str().expect("a UTF-8 path");
    import(f, ptau, &[]).expect("the ceremony's key imports");
    let manifest = veil_engine::verifier::params::Manifest::load(&params).expect("a manifest");
    let entry = &manifest.keys[toy::NAME];
    assert_eq!(entry.provenance(), "ceremony");
    assert!(!entry.insecure_dev_setup);
    let record = entry.ceremony.as_ref().expect("a ceremony record");
    let names: Vec<_> = record
        .contributions
        .iter()
        .map(|c| c.name.as_deref())
        .collect();
    assert_eq!(names, [Some("first"), Some("second"), Some("beacon")]);
    // snarkjs prints each hash as 16 hex words over 4 lines; Veil records the same bytes.
    let printed: String = verified.split_whitespace().collect();
    for c in &record.contributions {
        assert!(
            printed.contains(&c.hash),
            "{} not printed by zkey verify",
            c.hash
        );
    }
    assert!(printed.contains(&record.circuit_hash), "the circuit hash");
    // `veil serve` starts on it without --allow-insecure-keys.
    let config = veil_service::config::Config {
        params: params.clone(),
        ..Default::default()
    };
    assert_eq!(
        config
            .check_keys()
            .expect("a service starts on ceremony keys"),
        Vec::<String>::new()
    );
    assert_eq!(
        record.contributions[2].beacon.as_deref(),
        Some("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")
    );

    // Veil proves with the ceremony key; Veil and snarkjs both accept the proof.
    let store = KeyStore::new(&params);
    let (prover, _) = store
        .load_statement::<toy::ToySquare>(&toy::ToyShape)
        .expect("the imported key loads");
    let mut rng = rand::thread_rng();
    let circuit =
        toy::ToySquare::circuit(&toy::ToyShape, toy::Square(Fr::from(49u64)), Fr::from(7u64));
    let (proof, inputs) = prover
        .prove(circuit.clone(), &mut rng)
        .expect("Veil proves");
    let (vk, _) =
        veil_engine::verifier::params::load_verifying_key(&params, toy::NAME).expect("vk");
    let pvk = groth16::prepare(&vk);
    groth16::verify(&pvk, &inputs, &proof).expect("Veil's proof verifies in Veil");
    let json = |name: &str, v: serde_json::Value| {
        std::fs::write(dir.join(name), v.to_string()).expect("written");
    };
    json("vk.json", snarkjs::verification_key(&vk));
    json("proof.json", snarkjs::proof(&proof));
    json("public.json", snarkjs::public(&inputs));
    let said = js
        .run(
            dir,
            &["groth16", "verify", "vk.json", "public.json", "proof.json"],
        )
        .expect("snarkjs verifies");
    assert!(said.contains("OK"), "{said}");
    // snarkjs proves with the same key from Veil's witness; Veil accepts that proof.
    let full = prover.assignment(circuit).expect("assignment");
    std::fs::write(
        dir.join("w.wtns"),
        veil_engine::bench::snarkjs::wtns_bytes(&full).expect("wtns"),
    )
    .expect("written");
    js.run(
        dir,
        &[
            "groth16",
            "prove",
            "final.zkey",
            "w.wtns",
            "sproof.json",
            "spublic.json",
        ],
    )
    .expect("snarkjs proves");
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect("read")).expect("json")
    };
    let sproof = snarkjs::proof_from_json(&read("sproof.json")).expect("a snarkjs proof");
    let spublic = snarkjs::public_from_json(&read("spublic.json")).expect("its inputs");
    assert_eq!(spublic, inputs);
    groth16::verify(&pvk, &spublic, &sproof).expect("snarkjs's proof verifies in Veil");
    let mut wrong = spublic.clone();
    wrong[0] += Fr::from(1u64);
    assert!(
        groth16::verify(&pvk, &wrong, &sproof).is_err(),
        "another square is refused"
    );

    // Bad inputs: each refused by name, the store untouched.
    let before = std::fs::read(params.join("manifest.json")).expect("the manifest");
    let bytes = std::fs::read(&final_zkey).expect("the key");
    let bad = |name: &str, b: &[u8]| -> String {
        let path = dir.join(name);
        std::fs::write(&path, b).expect("written");
        path.to_str().expect("a UTF-8 path").to_string()
    };
    let refused = |zkey: &str, ptau: &str, extra: &[&str], says: &str| {
        let e = import(zkey, ptau, extra).expect_err("refused");
        assert!(format!("{e:#}").contains(says), "{says:?} not in: {e:#}");
        assert_eq!(
            std::fs::read(params.join("manifest.json")).expect("the manifest"),
            before,
            "the key store is untouched after: {says}"
        );
    };
    refused(f, ptau, &[], "already holds keys for toy-square (ceremony");
    let truncated = bad("truncated.zkey", &bytes[..bytes.len() - 100]);
    refused(&truncated, ptau, &["--force"], "truncated");
    // The first contribution's transcript hash (the contributions section: the circuit hash,
    // a count, then per contribution deltaAfter, g1_s, g1_sx, g2_spx, the transcript): the
    // chain no longer holds.
    let (section, _) = section_range(&bytes, 10);
    let mut edited = bytes.clone();
    edited[section + 64 + 4 + 3 * 64 + 128 + 5] ^= 1;
    let chain = bad("chain.zkey", &edited);
    refused(
        &chain,
        ptau,
        &["--force"],
        "contribution #1 (\"first\") was not made on the transcript",
    );
    // A key of another circuit: one coefficient of A changed (the coefficients section: a
    // count, then matrix, constraint, signal and a 32-byte value each).
    let (coefs, _) = section_range(&bytes, 4);
    let mut other_circuit = bytes.clone();
    other_circuit[coefs + 4 + 12] ^= 1;
    let other_circuit = bad("other-circuit.zkey", &other_circuit);
    refused(
        &other_circuit,
        ptau,
        &["--force"],
        "the .zkey is for another circuit than toy-square: its constraints differ",
    );
    // A point of the key moved: the H section's first point swapped for its second.
    let h = section_range(&bytes, 9);
    let mut swapped = bytes.clone();
    let (a, b) = (h.0, h.0 + 64);
    let first: Vec<u8> = swapped[a..a + 64].to_vec();
    let second: Vec<u8> = swapped[b..b + 64].to_vec();
    swapped[a..a + 64].copy_from_slice(&second);
    swapped[b..b + 64].copy_from_slice(&first);
    let hswap = bad("h.zkey", &swapped);
    refused(
        &hswap,
        ptau,
        &["--force"],
        "H section is not this circuit's",
    );
    // The key before any contribution: its delta is public.
    refused(
        dir.join("c0.zkey").to_str().expect("utf-8"),
        ptau,
        &["--force"],
        "no phase-2 contribution",
    );
    // A key for another circuit: the ceremony's first key against another statement's shape is
    // a wrong size; the .ptau of another ceremony gives other alpha and beta.
    let other_dir = dir.join("other-tau");
    std::fs::create_dir_all(&other_dir).expect("a folder");
    let other = js.tau(&other_dir, 8).expect("another powers-of-tau file");
    refused(
        f,
        other.to_str().expect("utf-8"),
        &["--force"],
        "not made over this .ptau",
    );
    // A .ptau too small for the circuit (2^1 powers for a domain of 2^2 points).
    let small_dir = dir.join("small-tau");
    std::fs::create_dir_all(&small_dir).expect("a folder");
    let small = js.tau(&small_dir, 1).expect("a tiny powers-of-tau file");
    refused(
        f,
        small.to_str().expect("utf-8"),
        &["--force"],
        "the .ptau holds 2^1 powers; this circuit's domain of 2^2 points needs",
    );
    // A file named like a published Hermez file that is not that file (truncated, or another).
    let named = dir.join("powersOfTau28_hez_final_08.ptau");
    std::fs::copy(ptau, &named).expect("copied");
    refused(
        f,
        named.to_str().expect("utf-8"),
        &["--force"],
        "is not the published powersOfTau28_hez_final_08.ptau",
    );
    // Keys of two phase-1 ceremonies in one folder: another key recorded over another .ptau.
    let manifest_path = params.join("manifest.json");
    let original = std::fs::read_to_string(&manifest_path).expect("the manifest");
    let mut m: serde_json::Value = serde_json::from_str(&original).expect("json");
    let mut twin = m["keys"][toy::NAME].clone();
    twin["ceremony"]["ptau"]["blake2b"] = serde_json::json!("00".repeat(64));
    twin["ceremony"]["ptau"]["file"] = serde_json::json!("elsewhere.ptau");
    m["keys"]["toy-square-elsewhere"] = twin;
    std::fs::write(&manifest_path, m.to_string()).expect("written");
    let e = import(f, ptau, &["--force"]).expect_err("refused");
    assert!(
        format!("{e:#}").contains(
            "holds toy-square-elsewhere from a ceremony over another .ptau (elsewhere.ptau"
        ) && format!("{e:#}").contains("keys of two phase-1 ceremonies are not mixed"),
        "{e:#}"
    );
    std::fs::write(&manifest_path, original).expect("restored");
    let not_a_zkey = bad(
        "r1cs-as.zkey",
        &std::fs::read(dir.join("toy-square.r1cs")).expect("r1cs"),
    );
    refused(&not_a_zkey, ptau, &["--force"], "not a .zkey file");
    refused(f, &not_a_zkey, &["--force"], "not a .ptau file");
}

/// The byte range `(start, len)` of section `id` of an iden3 file.
fn section_range(b: &[u8], id: u32) -> (usize, usize) {
    let u32_at = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"));
    let mut at = 12;
    for _ in 0..u32_at(8) {
        let len = u64::from_le_bytes(b[at + 4..at + 12].try_into().expect("8 bytes")) as usize;
        if u32_at(at) == id {
            return (at + 12, len);
        }
        at += 12 + len;
    }
    panic!("no section {id}")
}
