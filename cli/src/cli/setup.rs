//! `veil setup`: keys per statement and circuit shape.

use super::output::{bars, note_insecure, took};
use super::{BackendArg, ParamsArg};
use anyhow::Result;
use clap::Args;
use indicatif::HumanBytes;
use std::path::PathBuf;
use std::time::Instant;
use veil_engine::registry::Registry;
use veil_engine::setup::ShapeOptions;

/// Options that do not apply to the statement are refused.
#[derive(Args, Debug)]
pub struct SetupArgs {
    /// The statement to set up (its values are the registry's; see [`super::command`]).
    #[arg(long)]
    statement: String,
    /// List the params folder's keys instead: each Groth16 key's statement, size and how it
    /// was made (`insecure-local`: one party made it and could forge proofs), and local halo2
    /// parameters.
    #[arg(long)]
    list: bool,
    /// preview-membership: take depth and columns from this listing.
    #[arg(long, value_name = "FILE")]
    listing: Option<PathBuf>,
    /// preview-membership: the dataset's Merkle depth [default: 20]; usage-call: the licence
    /// tree's [default: 16].
    #[arg(long)]
    depth: Option<u32>,
    /// preview-membership: samples per proof, 1..=64 [default: 8].
    #[arg(long)]
    samples: Option<usize>,
    /// preview-membership: columns per record.
    #[arg(long)]
    columns: Option<usize>,
    /// disclosure-totals: receipts per batch proof, a power of two up to 2^20 (16, 64 and 256
    /// are typical: larger batches make fewer, slower proofs) [default: 16].
    #[arg(long)]
    batch: Option<usize>,
    /// disclosure-totals: number of price-band edges, at most 16 [default: 3].
    #[arg(long)]
    edges: Option<usize>,
    /// delivery-dispute: elements per record of the delivery (`veil delivery check` prints
    /// them; its ciphertext header's `record_elements`), 1..=1024.
    #[arg(long)]
    elements: Option<u32>,
    #[command(flatten)]
    params: ParamsArg,
    /// Replace keys that already exist for this shape (proofs made with them stop verifying);
    /// halo2: remake the universal parameters.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    backend: BackendArg,
    /// halo2: convert this powers-of-tau ceremony file (snarkjs .ptau over BN254: the Perpetual
    /// Powers of Tau, Hermez's powersOfTau28_hez_final_NN.ptau) into the universal parameters,
    /// replacing the folder's, instead of the insecure local setup (docs/halo2.md). With
    /// --ceremony-import: the prepared .ptau the phase-2 ceremony was made over.
    #[arg(long, value_name = "FILE")]
    ptau: Option<PathBuf>,
    /// Groth16: make no key; write the statement's circuit at this shape as `<key>.r1cs` (the
    /// file snarkjs's phase 2 reads: `snarkjs zkey new`, `contribute`, `beacon`, `verify`)
    /// and its description `<key>.ceremony.json` (constraints, public inputs, the smallest
    /// .ptau that fits, the file's SHA-256) into this folder (docs/deploy.md).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["ptau", "list"])]
    ceremony_export: Option<PathBuf>,
    /// Groth16: import this final .zkey of a snarkjs phase-2 ceremony over the statement's
    /// circuit at this shape (made from --ceremony-export's .r1cs over --ptau) into the params
    /// folder, once it is checked as `snarkjs zkey verify` checks it; the manifest records
    /// the ceremony (docs/deploy.md).
    #[arg(
        long,
        value_name = "FILE",
        requires = "ptau",
        conflicts_with_all = ["list", "ceremony_export"]
    )]
    ceremony_import: Option<PathBuf>,
}

pub fn run(a: SetupArgs, registry: &Registry) -> Result<()> {
    if a.list {
        return list(a.params.get());
    }
    let statement = a.statement.clone();
    let opts = ShapeOptions {
        listing: a.listing,
        depth: a.depth,
        samples: a.samples,
        columns: a.columns,
        batch: a.batch,
        edges: a.edges,
        elements: a.elements,
    };
    let t = Instant::now();
    if let Some(out) = &a.ceremony_export {
        if a.backend.kind()? != veil_engine::BackendKind::Groth16 {
            anyhow::bail!("--ceremony-export writes a Groth16 circuit: drop --backend");
        }
        let (done, description) = registry.ceremony_export(&statement, &opts, out, a.force)?;
        println!(
            "exported {} for a Groth16 phase-2 ceremony: {} constraints, {} public inputs, {} \
             wires; {} (sha256 {}) and {}. It needs a .ptau of 2^{} powers or more \
             ({} or a larger one); then snarkjs zkey new, contribute, beacon and verify \
             (docs/deploy.md){}",
            done.key,
            done.constraints,
            done.public_inputs,
            done.wires,
            out.join(&done.r1cs).display(),
            done.r1cs_sha256,
            description.display(),
            done.ptau_power,
            veil_engine::halo2_params::hermez_name(done.ptau_power),
            took(t)
        );
        return Ok(());
    }
    if let (Some(zkey), Some(ptau)) = (&a.ceremony_import, &a.ptau) {
        if a.backend.kind()? != veil_engine::BackendKind::Groth16 {
            anyhow::bail!("--ceremony-import reads a Groth16 key: drop --backend");
        }
        let done =
            registry.ceremony_import(&statement, &opts, a.params.get(), zkey, ptau, a.force)?;
        let c = done.entry.ceremony.as_ref();
        let contributions = c.map_or(0, |c| c.contributions.len());
        let ptau = c.map(|c| match &c.ptau.published {
            Some(name) => format!("the published {name}"),
            None => format!("{} (blake2b {})", c.ptau.file, c.ptau.blake2b),
        });
        println!(
            "imported {} from a ceremony of {contributions} contribution{} over {}: {} \
             constraints, {} public inputs, proving key {}, into {}{}",
            done.key,
            if contributions == 1 { "" } else { "s" },
            ptau.unwrap_or_default(),
            done.entry.constraints,
            done.entry.public_inputs,
            HumanBytes(done.entry.proving_key.bytes),
            done.dir.display(),
            took(t)
        );
        if let Some(c) = c {
            println!("circuit hash {}", c.circuit_hash);
            for k in &c.contributions {
                println!(
                    "contribution #{} {}: {}{}",
                    k.index,
                    k.name.as_deref().unwrap_or(""),
                    k.hash,
                    k.beacon
                        .as_ref()
                        .map(|b| format!(
                            " (beacon {b}, 2^{} iterations)",
                            k.beacon_iterations_exp.unwrap_or(0)
                        ))
                        .unwrap_or_default()
                );
            }
        }
        return Ok(());
    }
    if a.ptau.is_some() && a.backend.kind()? != veil_engine::BackendKind::Halo2 {
        anyhow::bail!(
            "--ptau converts a ceremony's file into halo2 parameters: add --backend halo2"
        );
    }
    match a.backend.kind()? {
        veil_engine::BackendKind::Groth16 => {}
        veil_engine::BackendKind::Halo2 => {
            let done = registry.setup_halo2(
                &statement,
                &opts,
                a.params.get(),
                a.ptau.as_deref(),
                a.force,
                &*bars(),
            )?;
            if let Some(src) = &done.params.ptau {
                let whose = match veil_engine::halo2_params::published_power(&src.blake2b) {
                    Some(p) => format!(
                        "the published {} (its Blake2b-512 is the one snarkjs lists)",
                        veil_engine::halo2_params::hermez_name(p)
                    ),
                    None => "not a published Hermez file: compare its hashes with your \
                             ceremony's"
                        .to_string(),
                };
                println!(
                    "converted a .ptau file of 2^{} powers (ceremony 2^{}), {whose}: blake2b {} \
                     sha256 {}",
                    src.power, src.ceremony_power, src.blake2b, src.sha256
                );
            }
            note_insecure(done.params.insecure_dev_setup);
            println!(
                "ready for halo2 {}: 2^{} rows, parameters for 2^{} in {}, verifying key {} \
                 (sha256 {}; verifiers need it and kzg-bn254.json){}",
                done.key,
                done.k,
                done.params.k,
                done.dir.display(),
                done.vk_file.display(),
                done.vk_sha256,
                took(t)
            );
            return Ok(());
        }
        veil_engine::BackendKind::UltraHonk => anyhow::bail!(
            "UltraHonk needs no setup here: `veil noir build` compiles the programs, and bb uses \
             Aztec's universal CRS (docs/noir.md)"
        ),
    }
    let done = registry.setup(&statement, &opts, a.params.get(), a.force, &*bars())?;
    note_insecure(done.entry.insecure_dev_setup);
    println!(
        "set up {}: {} constraints, {} public inputs, proving key {}, into {}{}",
        done.key,
        done.entry.constraints,
        done.entry.public_inputs,
        HumanBytes(done.entry.proving_key.bytes),
        done.dir.display(),
        took(t)
    );
    Ok(())
}

/// `veil setup --list`: one line per key of the params folder, and how it was made.
fn list(params: Option<PathBuf>) -> Result<()> {
    let dir = veil_engine::files::params_dir(params);
    let manifest = veil_engine::verifier::params::Manifest::load(&dir)?;
    let insecure = veil_engine::setup::insecure_keys(&dir)?;
    if manifest.keys.is_empty() && insecure.is_empty() {
        println!(
            "no keys in {}: `veil setup --statement S` makes them",
            dir.display()
        );
        return Ok(());
    }
    for (id, e) in &manifest.keys {
        let ceremony = e.ceremony.as_ref().map_or(String::new(), |c| {
            format!(
                " ({} contributions over {}, circuit hash {}…)",
                c.contributions.len(),
                c.ptau.published.as_deref().unwrap_or(&c.ptau.file),
                &c.circuit_hash[..16]
            )
        });
        println!(
            "{id}  {}  {} constraints, {} public inputs  {}{ceremony}",
            e.backend,
            e.constraints,
            e.public_inputs,
            e.provenance()
        );
    }
    if let Some(halo2) = insecure.iter().find(|k| k.starts_with("halo2")) {
        println!(
            "{halo2}  {}",
            veil_engine::verifier::params::PROVENANCE_INSECURE
        );
    }
    if !insecure.is_empty() {
        eprintln!(
            "{} of these come from a single-party setup: whoever made them can forge proofs \
             (development only; `veil serve` refuses them without --allow-insecure-keys)",
            insecure.len()
        );
    }
    Ok(())
}

/// The help's table of statements and the shape options each takes.
pub fn shape_help(registry: &Registry) -> String {
    let mut help = String::from("Shape options per statement:");
    for e in registry.iter() {
        let options: Vec<String> = e.shape_options().iter().map(|o| format!("--{o}")).collect();
        let options = match options.is_empty() {
            true => "none".to_string(),
            false => options.join(", "),
        };
        help.push_str(&format!("\n  {:<20}{options}", e.name()));
    }
    help
}
