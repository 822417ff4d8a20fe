//! `veil dataset keygen | commit | export-key`.

use super::{bars, FormatArgs};
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use veil_engine::dataset::{self, CommitRequest};
use veil_engine::prelude::{to_hex, DEFAULT_DEPTH};

#[derive(Subcommand, Debug)]
pub enum DatasetCommand {
    /// Make a seller master secret (keep it private).
    Keygen {
        /// Where to write the secret.
        #[arg(long)]
        out: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Commit a dataset: writes listing.json (commitment C, n, depth, schema, SHA-256).
    Commit {
        /// The dataset file.
        data: PathBuf,
        /// Seller secret (or dataset key) file.
        #[arg(long)]
        secret_file: PathBuf,
        /// Where to write the listing.
        #[arg(long)]
        out: PathBuf,
        /// The dataset's id; its key derives from it (default: the file name).
        #[arg(long)]
        dataset_id: Option<String>,
        /// Merkle tree depth: up to 2^depth records.
        #[arg(long, default_value_t = DEFAULT_DEPTH)]
        depth: u32,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Write the dataset key that travels to a buyer with a delivery.
    ExportKey {
        /// Seller secret file.
        #[arg(long)]
        secret_file: PathBuf,
        /// The dataset's listing.
        #[arg(long)]
        listing: PathBuf,
        /// Where to write the dataset key.
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(cmd: DatasetCommand) -> Result<()> {
    match cmd {
        DatasetCommand::Keygen { out, force } => {
            dataset::keygen(&out, force)?;
            println!("wrote seller secret to {}", out.display());
        }
        DatasetCommand::Commit {
            data,
            secret_file,
            out,
            dataset_id,
            depth,
            format,
        } => {
            let req = CommitRequest {
                data,
                secret_file,
                dataset_id,
                depth,
                read: format.read(),
            };
            let listing = dataset::commit(&req, &out, &bars())?;
            println!(
                "committed {} records of {:?} ({} columns, depth {}): C = {}",
                listing.records,
                listing.dataset_id,
                listing.schema.columns.len(),
                depth,
                to_hex(&listing.commitment)
            );
        }
        DatasetCommand::ExportKey {
            secret_file,
            listing,
            out,
        } => {
            let listing = dataset::export_key(&secret_file, &listing, &out)?;
            println!(
                "wrote the key of {:?} to {}",
                listing.dataset_id,
                out.display()
            );
        }
    }
    Ok(())
}
