//! Command definitions and dispatch; one module per noun.

mod audit;
mod dataset;
mod delivery;
mod export;
mod meter;
mod noir;
mod preview;
mod setup;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use veil_circuits::dataset::{Format, Listing};

/// Veil: zero-knowledge proofs for private data commerce.
#[derive(Parser, Debug)]
#[command(name = "veil", version, about)]
pub struct Cli {
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
    /// Sale receipts and period reports for auditors, with selective disclosure.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Metered API access: issue licences, prove and verify calls, prove usage tiers.
    #[command(subcommand)]
    Meter(meter::MeterCommand),
    /// The Noir twins for Aztec: compile, count gates, execute, prove and verify (UltraHonk).
    #[command(subcommand)]
    Noir(noir::NoirCommand),
    /// Operator: generate keys for a circuit shape into the params directory.
    Setup(setup::SetupArgs),
    /// Export proofs to other tools' formats.
    #[command(subcommand)]
    Export(export::ExportCommand),
}

/// Dispatches a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Dataset(c) => dataset::run(c),
        Command::Preview(c) => preview::run(c),
        Command::Delivery(c) => delivery::run(c),
        Command::Audit(c) => audit::run(c),
        Command::Meter(c) => meter::run(c),
        Command::Noir(c) => noir::run(c),
        Command::Setup(a) => setup::run(a),
        Command::Export(c) => export::run(c),
    }
}

/// Options for reading a dataset file.
#[derive(clap::Args, Debug, Clone)]
pub struct FormatArgs {
    /// Record format (default: from the extension: .csv, .jsonl/.ndjson, anything else = chunks).
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// Bytes per record for chunked files.
    #[arg(long, default_value_t = veil_circuits::dataset::DEFAULT_CHUNK_SIZE)]
    chunk_size: usize,
}

fn parse_format(s: &str) -> std::result::Result<Format, String> {
    match s {
        "csv" => Ok(Format::Csv),
        "jsonl" | "ndjson" => Ok(Format::Jsonl),
        "chunks" => Ok(Format::Chunks),
        _ => Err(format!("unknown format {s:?}: use csv, jsonl or chunks")),
    }
}

fn read_text(path: &Path, what: &str) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {what} {}", path.display()))
}

fn read_listing(path: &Path) -> Result<Listing> {
    Listing::from_json(&read_text(path, "listing")?).with_context(|| format!("{}", path.display()))
}

/// Writes a file atomically (temporary file + rename): never half-written.
fn write_output(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    veil_prover::keys::write_atomic(path, text.as_bytes())?;
    Ok(())
}

/// Writes a secret (mode 0600), atomically; refuses to replace an existing file.
fn write_secret(path: &Path, text: &str) -> Result<()> {
    write_secret_replacing(path, text, false)
}

/// As [`write_secret`]; with `replace`, an existing file is replaced atomically (the rename
/// happens only once the new secret is on disk, so a failed write keeps the old one).
fn write_secret_replacing(path: &Path, text: &str, replace: bool) -> Result<()> {
    if path.exists() && !replace {
        anyhow::bail!(
            "{} exists; refusing to overwrite a secret (move it away first)",
            path.display()
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    veil_prover::keys::write_secret(path, text.as_bytes())?;
    Ok(())
}

/// Reads and parses a secret file, then refuses it if other users can read it (parsing first,
/// so a wrong file is named as such).
fn read_secret<T, E>(path: &Path, what: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T>
where
    anyhow::Error: From<E>,
{
    let text = read_text(path, what)?;
    let value = parse(&text)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("{}", path.display()))?;
    veil_prover::keys::check_secret_mode(path)?;
    Ok(value)
}

/// A byte progress bar on stderr; hidden when stderr is not a terminal.
fn progress_bar(size: u64, what: &str) -> (indicatif::ProgressBar, Arc<dyn Fn(u64) + Send + Sync>) {
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} {bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_string());
    let b = bar.clone();
    (bar, Arc::new(move |n| b.set_position(n)))
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Default params directory: `$VEIL_PARAMS`, else `params`.
fn default_params() -> PathBuf {
    std::env::var_os("VEIL_PARAMS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("params"))
}
