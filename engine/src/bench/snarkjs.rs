//! snarkjs (npm) as a peer in `veil bench`: Veil's circuit exported in iden3's binary formats
//! (`.r1cs` and `.wtns`, the formats circom writes and snarkjs reads), set up by snarkjs itself
//! over a powers-of-tau file made for the run (one contribution: **insecure**, for timing
//! only), and proved by `snarkjs groth16 prove`. Before any timing, `snarkjs wtns check`
//! confirms that the exported witness satisfies the exported constraints, and the first proof
//! is verified by snarkjs for the same public inputs as Veil's: so the comparison is on the
//! very same relation.
//!
//! Formats (iden3 binary container: magic, version, sections of `type u32, size u64, bytes`;
//! integers and field elements little-endian, field elements in standard form):
//! * `.r1cs` v1: header (`n8 = 32, r, nWires, nPubOut = 0, nPubIn, nPrvIn = 0, nLabels,
//!   mConstraints`), the constraints (`A`, `B`, `C` each as `nnz` then `(wire, coefficient)`),
//!   and the wire-to-label map (the identity). Wires are arkworks' variables in arkworks'
//!   order: `1`, the public inputs, then the witness.
//! * `.wtns` v2: header (`n8 = 32, r, nWitness`) and the values.

use crate::{EngineError, Result};
use ark_ff::{BigInteger, PrimeField};
use std::path::{Path, PathBuf};
use std::process::Command;
use veil_circuits::Fr;
use veil_prover::backend::groth16::ConstraintMatrices;

/// Where snarkjs is looked for: `$VEIL_SNARKJS`, else `tools/node_modules/.bin/snarkjs` beside
/// the binary's checkout (where `scripts/test.sh` installs it).
pub fn snarkjs_path() -> PathBuf {
    if let Some(p) = std::env::var_os("VEIL_SNARKJS") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().ok();
    exe.iter()
        .flat_map(|e| e.ancestors().skip(1))
        .map(|d| d.join("tools/node_modules/.bin/snarkjs"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("tools/node_modules/.bin/snarkjs"))
}

fn field_bytes(x: &Fr) -> Vec<u8> {
    let mut b = x.into_bigint().to_bytes_le();
    b.resize(32, 0);
    b
}

/// One iden3 container: magic, version, then each `(type, bytes)` section.
fn container(magic: &[u8; 4], version: u32, sections: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = magic.to_vec();
    out.extend(version.to_le_bytes());
    out.extend((sections.len() as u32).to_le_bytes());
    for (kind, body) in sections {
        out.extend(kind.to_le_bytes());
        out.extend((body.len() as u64).to_le_bytes());
        out.extend(body);
    }
    out
}

fn u32_of(n: usize, what: &str) -> Result<u32> {
    u32::try_from(n).map_err(|_| EngineError::Refused(format!("{what} {n} does not fit .r1cs")))
}

/// The `.r1cs` file of a shape's constraint matrices.
pub fn r1cs_bytes(m: &ConstraintMatrices) -> Result<Vec<u8>> {
    let wires = m.num_instance + m.num_witness;
    let mut header = 32u32.to_le_bytes().to_vec();
    header.extend(Fr::MODULUS.to_bytes_le());
    header.extend(u32_of(wires, "wires")?.to_le_bytes());
    header.extend(0u32.to_le_bytes());
    header.extend(u32_of(m.num_instance - 1, "public inputs")?.to_le_bytes());
    header.extend(0u32.to_le_bytes());
    header.extend((wires as u64).to_le_bytes());
    header.extend(u32_of(m.num_constraints, "constraints")?.to_le_bytes());
    let mut constraints = Vec::new();
    for row in 0..m.num_constraints {
        for matrix in &m.abc {
            let terms = matrix.get(row).map(Vec::as_slice).unwrap_or(&[]);
            constraints.extend(u32_of(terms.len(), "terms")?.to_le_bytes());
            for (coefficient, wire) in terms {
                constraints.extend(u32_of(*wire, "wire")?.to_le_bytes());
                constraints.extend(field_bytes(coefficient));
            }
        }
    }
    let labels: Vec<u8> = (0..wires as u64).flat_map(u64::to_le_bytes).collect();
    Ok(container(
        b"r1cs",
        1,
        &[(1, header), (2, constraints), (3, labels)],
    ))
}

/// The `.wtns` file of a full assignment (`1`, the public inputs, the witness).
pub fn wtns_bytes(full: &[Fr]) -> Result<Vec<u8>> {
    let mut header = 32u32.to_le_bytes().to_vec();
    header.extend(Fr::MODULUS.to_bytes_le());
    header.extend(u32_of(full.len(), "witness values")?.to_le_bytes());
    let values: Vec<u8> = full.iter().flat_map(field_bytes).collect();
    Ok(container(b"wtns", 2, &[(1, header), (2, values)]))
}

/// The smallest powers-of-tau size snarkjs accepts for `constraints` and `public` inputs: it
/// needs `2^power >= 2 (constraints + public + 1)`.
pub fn tau_power(constraints: usize, public: usize) -> u32 {
    let need = 2 * (constraints + public + 1);
    need.next_power_of_two().trailing_zeros().max(8)
}

/// snarkjs, run from Node.
#[derive(Clone, Debug)]
pub struct Snarkjs {
    bin: PathBuf,
}

impl Snarkjs {
    /// snarkjs at [`snarkjs_path`], if it is there.
    pub fn find() -> Option<Self> {
        let bin = snarkjs_path();
        bin.is_file().then_some(Snarkjs { bin })
    }

    /// Runs `snarkjs args` in `dir`; its output, or a refusal quoting it.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Result<String> {
        let out = Command::new(&self.bin)
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|e| EngineError::Refused(format!("{}: {e}", self.bin.display())))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // snarkjs prints errors and still exits 0 in some commands: trust the words too.
        if !out.status.success() || text.contains("[ERROR]") {
            return Err(EngineError::Refused(format!(
                "snarkjs {}: {}",
                args.join(" "),
                text.trim()
            )));
        }
        Ok(text)
    }

    /// A prepared powers-of-tau file of `2^power` in `dir` (made once, reused): `new`, one
    /// contribution (fixed entropy: **insecure**, timing only) and `prepare phase2`.
    pub fn tau(&self, dir: &Path, power: u32) -> Result<PathBuf> {
        let done = dir.join(format!("pot{power}.ptau"));
        if done.is_file() {
            return Ok(done);
        }
        let p = power.to_string();
        let (a, b) = (format!("pot{power}_0.ptau"), format!("pot{power}_1.ptau"));
        let name = done.file_name().map(|n| n.to_string_lossy().into_owned());
        self.run(dir, &["powersoftau", "new", "bn128", &p, &a])?;
        self.run(
            dir,
            &[
                "powersoftau",
                "contribute",
                &a,
                &b,
                "--name=veil bench (insecure)",
                "-e=veil bench, insecure, timing only",
            ],
        )?;
        self.run(
            dir,
            &[
                "powersoftau",
                "prepare",
                "phase2",
                &b,
                name.as_deref().unwrap_or("pot.ptau"),
            ],
        )?;
        let _ = std::fs::remove_file(dir.join(a));
        let _ = std::fs::remove_file(dir.join(b));
        Ok(done)
    }
}
