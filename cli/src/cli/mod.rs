//! Command definitions and dispatch; one module per noun.

mod audit;
mod dataset;
mod delivery;
mod export;
mod meter;
mod noir;
mod preview;
mod setup;

use anyhow::Result;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use veil_engine::dataset::{self as engine_dataset, ReadOptions};
use veil_engine::prelude::{Format, DEFAULT_CHUNK_SIZE};
use veil_engine::{Progress, Unit};

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
    #[arg(long, value_parser = engine_dataset::parse_format)]
    format: Option<Format>,
    /// Bytes per record for chunked files.
    #[arg(long, default_value_t = DEFAULT_CHUNK_SIZE)]
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

/// Progress bars on stderr (indicatif), one per stage, hidden when stderr is not a terminal;
/// a finished stage that took a while leaves a line with its elapsed time.
pub struct Bars {
    current: Mutex<Option<(ProgressBar, String, Instant)>>,
}

impl Bars {
    /// Bars for a command; shared with the engine.
    pub fn new() -> Arc<Self> {
        Arc::new(Bars {
            current: Mutex::new(None),
        })
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<(ProgressBar, String, Instant)>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Progress for Bars {
    fn start(&self, stage: &str, total: u64, unit: Unit) {
        let (bar, template) = match unit {
            Unit::Bytes => (
                ProgressBar::new(total),
                "{msg} {bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            ),
            Unit::Items => (
                ProgressBar::new(total),
                "{msg} {bar:40} {pos}/{len} elapsed {elapsed} eta {eta}",
            ),
            Unit::Steps => (ProgressBar::new_spinner(), "{spinner} {msg} {elapsed}"),
        };
        bar.set_style(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(stage.to_string());
        if unit == Unit::Steps {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        if let Some((old, _, _)) = self
            .slot()
            .replace((bar, stage.to_string(), Instant::now()))
        {
            old.finish_and_clear();
        }
    }

    fn set(&self, done: u64) {
        if let Some((bar, _, _)) = self.slot().as_ref() {
            bar.set_position(done);
        }
    }

    fn finish(&self) {
        if let Some((bar, stage, t)) = self.slot().take() {
            let shown = !bar.is_hidden();
            bar.finish_and_clear();
            if shown && t.elapsed() >= Duration::from_secs(1) {
                eprintln!("{stage}: done in {:.1} s", t.elapsed().as_secs_f64());
            }
        }
    }
}

/// The engine's progress handle for a command's bars.
fn bars() -> Arc<dyn Progress> {
    Bars::new()
}
