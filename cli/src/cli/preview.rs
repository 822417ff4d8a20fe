//! `veil preview prove | verify`.

use super::{bars, FormatArgs};
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use veil_engine::preview::{self, Cell, PreviewRequest};

/// What a preview samples: the dataset, its listing and key, the challenge, K and the reveal.
#[derive(clap::Args, Debug)]
pub struct PreviewArgs {
    /// The dataset file.
    #[arg(long)]
    dataset: PathBuf,
    /// Seller secret (or dataset key) file.
    #[arg(long)]
    secret_file: PathBuf,
    /// The dataset's listing.
    #[arg(long)]
    listing: PathBuf,
    /// The buyer's challenge, hex (at most 32 bytes).
    #[arg(long)]
    challenge: String,
    /// Number of sampled rows K (1..=64).
    #[arg(long, default_value_t = 8)]
    samples: usize,
    /// Columns to reveal, by name or number, comma-separated (default: none).
    #[arg(long, value_delimiter = ',')]
    reveal: Vec<String>,
    #[command(flatten)]
    format: FormatArgs,
}

impl PreviewArgs {
    /// The engine's request.
    pub fn request(&self) -> PreviewRequest {
        PreviewRequest {
            dataset: self.dataset.clone(),
            secret_file: self.secret_file.clone(),
            listing: self.listing.clone(),
            challenge: self.challenge.clone(),
            samples: self.samples,
            reveal: self.reveal.clone(),
            read: self.format.read(),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum PreviewCommand {
    /// Prove that K rows drawn by a challenge, with only some columns revealed, are in the dataset.
    Prove {
        #[command(flatten)]
        args: PreviewArgs,
        /// Where to write the preview.
        #[arg(long)]
        out: PathBuf,
        /// Params directory (default: $VEIL_PARAMS or ./params).
        #[arg(long)]
        params: Option<PathBuf>,
    },
    /// Verify a preview against its listing.
    Verify {
        /// The preview file.
        preview: PathBuf,
        /// The listing it claims to sample.
        #[arg(long)]
        listing: PathBuf,
        /// Params directory (default: $VEIL_PARAMS or ./params).
        #[arg(long)]
        params: Option<PathBuf>,
    },
}

pub fn run(cmd: PreviewCommand) -> Result<()> {
    match cmd {
        PreviewCommand::Prove { args, out, params } => {
            let proved = preview::prove(args.request(), params, &out, &bars())?;
            if proved.key.insecure_dev_setup {
                eprintln!(
                    "note: these keys come from an insecure single-party setup (development only)"
                );
            }
            let rows: Vec<String> = proved
                .file
                .samples
                .iter()
                .map(|s| s.index.to_string())
                .collect();
            println!(
                "proved preview of rows [{}] of {:?} into {}",
                rows.join(", "),
                proved.file.dataset_id,
                out.display()
            );
        }
        PreviewCommand::Verify {
            preview: path,
            listing,
            params,
        } => {
            let v = preview::verify(&path, &listing, params)?;
            if v.key.insecure_dev_setup {
                eprintln!("note: the verifying key comes from an insecure single-party setup (development only)");
            }
            let file = &v.file;
            println!(
                "OK: preview of {} rows of {:?} verified (revealed: {})",
                file.samples.len(),
                v.listing.dataset_id,
                if file.revealed_columns.is_empty() {
                    "none".to_string()
                } else {
                    file.revealed_columns.join(", ")
                }
            );
            for s in &file.samples {
                let cells: Vec<String> = s
                    .cells
                    .iter()
                    .map(|c| match c {
                        Cell::Utf8(t) => t.clone(),
                        Cell::Hex(h) => format!("0x{h}"),
                        Cell::Redacted => "█".to_string(),
                    })
                    .collect();
                println!("  row {:>8}: {}", s.index, cells.join(" | "));
            }
        }
    }
    Ok(())
}
