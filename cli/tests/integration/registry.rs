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
    let ptau = js
        .tau(out.path(), d.ptau_power)
        .expect("a powers-of-tau file");
    let ptau = ptau.to_str().expect("a UTF-8 path");
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
