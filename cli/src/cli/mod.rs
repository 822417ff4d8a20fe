//! Command definitions and dispatch; one module per noun. The words are the same everywhere:
//! `--ledger` is the marketplace database, `--listing` a listing file, `--listing-id` a
//! listing's id, `--params` the key folder, `--out` what a command writes (never replaced
//! without `--force`); verify commands answer `ACCEPTED` or `REFUSED` (or JSON with `--json`).

mod audit;
mod bench;
mod dataset;
mod delivery;
mod dispute;
mod export;
mod meter;
mod noir;
mod output;
mod preview;
mod serve;
mod setup;

pub use output::Reported;

use anyhow::Result;
use clap::builder::PossibleValuesParser;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::{Path, PathBuf};
use veil_engine::dataset::{self as engine_dataset, ReadOptions};
use veil_engine::prelude::{Format, DEFAULT_CHUNK_SIZE};
use veil_engine::registry::Registry;

const ENVIRONMENT: &str = "\
Environment:
  VEIL_PARAMS    the params folder (Groth16 keys, manifest.json) when --params is not given
  VEIL_LEDGER    the ledger database when --ledger is not given
  VEIL_CRS_PATH  the folder with Barretenberg's CRS (bn254_g1.dat, bn254_g2.dat) when --crs is
                 not given
  VEIL_NOIR_DIR  the Noir workspace with the compiled programs (default: the noir/ or
                 share/veil/noir/ folder beside the veil binary or above it, else ./noir)
  VEIL_BB        Barretenberg's bb (default: the one @aztec/bb.js installed in the Noir workspace)
  RUST_LOG       log filter (default: warn; `veil serve`: info for the service)

Exit status: 0 done (a verify command: ACCEPTED), 1 refused or failed (the reason on stderr),
2 a command line clap could not parse.";

/// Veil: zero-knowledge proofs for private data commerce.
///
/// Sellers commit datasets and prove previews; buyers verify previews and deliveries; the
/// marketplace records sales and licences; auditors verify period reports; gateways meter API
/// calls. Every proof verifies against keys in the params folder; every secret file is
/// written readable by its owner only.
#[derive(Parser, Debug)]
#[command(name = "veil", version, about, long_about, after_help = ENVIRONMENT)]
pub struct Cli {
    /// No progress bars or notes, only results (bars are also hidden when stderr is not a
    /// terminal).
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Seller: make a secret, commit a dataset, export a dataset key for delivery.
    #[command(subcommand)]
    Dataset(dataset::DatasetCommand),
    /// Seller: prove a preview; buyer: verify one.
    #[command(subcommand)]
    Preview(preview::PreviewCommand),
    /// Buyer: check that a delivered file is the committed dataset.
    #[command(subcommand)]
    Delivery(delivery::DeliveryCommand),
    /// Buyer: prove that a delivered record is not the committed one; anyone: verify it.
    #[command(subcommand)]
    Dispute(dispute::DisputeCommand),
    /// Sale receipts and period reports for auditors, with selective disclosure.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Metered API access: issue licences, prove and verify calls, prove usage tiers.
    #[command(subcommand)]
    Meter(meter::MeterCommand),
    /// The Noir twins for Aztec: compile, count gates, execute, prove and verify (UltraHonk).
    #[command(subcommand, after_help = ENVIRONMENT)]
    Noir(noir::NoirCommand),
    /// Operator: make Groth16 keys for a statement at a shape, into the params folder.
    Setup(setup::SetupArgs),
    /// Export proofs to other tools' formats.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// The HTTP service (API under /v1) for sellers, buyers, auditors and gateways, and its
    /// access tokens.
    Serve(serve::ServeArgs),
    /// Researcher: measure Veil's prover against arkworks' stock prover, statement by size, in one
    /// run (a Markdown table; `--json` for the records).
    Bench(bench::BenchArgs),
    /// Print a shell completion script: `veil completions bash > ~/.local/share/bash-completion/completions/veil`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write man pages (veil.1 and one per subcommand) into a folder: `veil man --out man/ && man -l man/veil.1`.
    Man {
        /// The folder to write them to.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

impl Cli {
    /// The log filter when `RUST_LOG` is not set: the service logs its requests and jobs, the
    /// other commands only warnings. (Never arkworks at `info`: its constraint-synthesis spans
    /// format whole linear combinations and slow proving down a thousandfold.)
    pub fn default_log_filter(&self) -> &'static str {
        match self.command {
            Command::Serve(_) => "warn,veil_service=info,veil_engine=info",
            _ => "warn",
        }
    }
}

/// The command line for the statements of `registry`: `veil setup --statement` takes its names
/// (the first by default), and the help of `setup` and `bench` lists them.
pub fn command(registry: &Registry) -> clap::Command {
    let names = registry.names();
    Cli::command()
        .mut_subcommand("setup", |c| {
            c.mut_arg("statement", |a| {
                let a = a.value_parser(PossibleValuesParser::new(names.clone()));
                match names.first() {
                    Some(first) => a.required(false).default_value(*first),
                    None => a,
                }
            })
            .after_help(setup::shape_help(registry))
        })
        .mut_subcommand("bench", |c| c.after_help(bench::case_help(registry)))
}

/// Parses `args` (the program's name first) for the statements of `registry`.
pub fn parse_from<I, T>(registry: &Registry, args: I) -> std::result::Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = command(registry).try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// Dispatches a parsed command line over the standard registry.
pub fn run(cli: Cli) -> Result<()> {
    run_in(Registry::standard(), cli)
}

/// Dispatches a parsed command line, its statements those of `registry`.
pub fn run_in(registry: &Registry, cli: Cli) -> Result<()> {
    output::set_quiet(cli.quiet);
    match cli.command {
        Command::Dataset(c) => dataset::run(c),
        Command::Preview(c) => preview::run(c),
        Command::Delivery(c) => delivery::run(c),
        Command::Dispute(c) => dispute::run(c),
        Command::Audit(c) => audit::run(c),
        Command::Meter(c) => meter::run(c),
        Command::Noir(c) => noir::run(c),
        Command::Setup(a) => setup::run(a, registry),
        Command::Export(c) => export::run(c),
        Command::Serve(a) => serve::run(a),
        Command::Bench(a) => bench::run(a, registry),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut command(registry),
                "veil",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Man { out } => man_pages(&out, registry),
    }
}

/// Writes `veil.1` and `veil-<sub>[-<sub>].1` for every subcommand.
fn man_pages(dir: &Path, registry: &Registry) -> Result<()> {
    fn write(dir: &Path, cmd: clap::Command, name: String, written: &mut usize) -> Result<()> {
        let cmd = cmd.name(name.clone());
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
        veil_engine::files::write_bytes(&dir.join(format!("{name}.1")), &page)?;
        *written += 1;
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let sub_name = format!("{name}-{}", sub.get_name());
            write(dir, sub.clone(), sub_name, written)?;
        }
        Ok(())
    }
    let mut written = 0;
    let mut cmd = command(registry);
    cmd.build();
    write(dir, cmd, "veil".into(), &mut written)?;
    println!("wrote {written} man pages to {}", dir.display());
    Ok(())
}

/// Options for reading a dataset file.
#[derive(clap::Args, Debug, Clone)]
pub struct FormatArgs {
    /// Record format [default: from the extension: .csv, .jsonl/.ndjson, anything else chunks].
    #[arg(long, value_parser = engine_dataset::parse_format)]
    format: Option<Format>,
    /// Bytes per record for chunked files.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_CHUNK_SIZE)]
    chunk_size: usize,
}

impl FormatArgs {
    fn read(&self) -> ReadOptions {
        ReadOptions {
            format: self.format,
            chunk_size: self.chunk_size,
        }
    }
}

/// What every `prove` command takes: where the proof goes, whether it may replace a file, the
/// keys and the proof system.
#[derive(clap::Args, Debug)]
pub struct ProveArgs {
    /// Where to write the proof (the preview, report, call or tier proof).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub params: ParamsArg,
    #[command(flatten)]
    pub backend: BackendArg,
}

impl ProveArgs {
    /// Its parts: where, whether to replace, the keys, the proof system.
    pub fn into_parts(self) -> (PathBuf, bool, ParamsArg, BackendArg) {
        (self.out, self.force, self.params, self.backend)
    }
}

/// The params folder: Groth16 proving and verifying keys and their `manifest.json`.
#[derive(clap::Args, Debug, Clone)]
pub struct ParamsArg {
    /// The params folder (keys and manifest.json).
    #[arg(
        long = "params",
        value_name = "DIR",
        env = "VEIL_PARAMS",
        default_value = "params"
    )]
    dir: PathBuf,
}

impl ParamsArg {
    fn get(&self) -> Option<PathBuf> {
        Some(self.dir.clone())
    }
}

/// The proof system a proving command uses.
#[derive(clap::Args, Debug, Clone)]
pub struct BackendArg {
    /// The proof system: groth16 (keys per shape, `veil setup`), halo2 (universal KZG
    /// parameters, `veil setup --backend halo2`) or ultrahonk (the Noir twin, `veil noir`).
    #[arg(long = "backend", value_name = "BACKEND", default_value = "groth16",
          value_parser = ["groth16", "halo2", "ultrahonk"])]
    name: String,
}

impl BackendArg {
    fn kind(&self) -> anyhow::Result<veil_engine::BackendKind> {
        veil_engine::BackendKind::parse(&self.name).map_err(anyhow::Error::msg)
    }
}

/// The marketplace ledger: receipts, licences, nullifiers and closed epochs (SQLite).
#[derive(clap::Args, Debug, Clone)]
pub struct LedgerArg {
    /// The ledger database (SQLite).
    #[arg(long, value_name = "FILE", env = "VEIL_LEDGER")]
    ledger: PathBuf,
}

/// Barretenberg's CRS folder.
#[derive(clap::Args, Debug, Clone)]
pub struct CrsArg {
    /// The CRS folder with bn254_g1.dat and bn254_g2.dat (docs/noir.md, section 5).
    #[arg(long, value_name = "DIR", env = "VEIL_CRS_PATH")]
    crs: Option<PathBuf>,
}

/// Refuses to replace `out` unless `force`, before any work is done.
fn writable(out: &Path, force: bool) -> Result<()> {
    if !force && out.exists() {
        anyhow::bail!(
            "{} exists; pass --force to replace it (or choose another --out)",
            out.display()
        );
    }
    Ok(())
}
