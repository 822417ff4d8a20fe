//! `veil dataset keygen | commit | encrypt | export-key`.

use super::output::{bars, took};
use super::{writable, FormatArgs};
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use std::time::Instant;
use veil_engine::dataset::{self, CommitRequest};
use veil_engine::delivery::{self, EncryptRequest};
use veil_engine::prelude::{to_hex, DEFAULT_DEPTH};

#[derive(Subcommand, Debug)]
pub enum DatasetCommand {
    /// Make a seller master secret (keep it private; every dataset key derives from it).
    Keygen {
        /// Where to write the secret (mode 0600).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing secret (listings committed with it can no longer be proved).
        #[arg(long)]
        force: bool,
    },
    /// Commit a dataset: writes its listing (commitment C, records, depth, schema, SHA-256).
    Commit {
        /// The dataset file.
        data: PathBuf,
        /// Seller secret (or dataset key) file.
        #[arg(long, value_name = "FILE")]
        secret_file: PathBuf,
        /// Where to write the listing.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing listing.
        #[arg(long)]
        force: bool,
        /// The dataset's id; its key derives from it [default: the file name].
        #[arg(long)]
        dataset_id: Option<String>,
        /// Merkle tree depth: up to 2^depth records, at most 32.
        #[arg(long, default_value_t = DEFAULT_DEPTH)]
        depth: u32,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Encrypt a committed dataset for delivery: writes the ciphertext a buyer downloads before
    /// paying, and rewrites the listing (version 3) to name its root E.
    Encrypt {
        /// The dataset file, as committed.
        data: PathBuf,
        /// Seller secret (or dataset key) file.
        #[arg(long, value_name = "FILE")]
        secret_file: PathBuf,
        /// The dataset's listing; rewritten to name the ciphertext unless --listing-out is given.
        #[arg(long, value_name = "FILE")]
        listing: PathBuf,
        /// Where to write the listing naming the ciphertext [default: --listing].
        #[arg(long, value_name = "FILE")]
        listing_out: Option<PathBuf>,
        /// Where to write the ciphertext (`.veilct`).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing ciphertext.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Write the dataset key that travels to a buyer with a delivery.
    ExportKey {
        /// Seller secret file.
        #[arg(long, value_name = "FILE")]
        secret_file: PathBuf,
        /// The dataset's listing.
        #[arg(long, value_name = "FILE")]
        listing: PathBuf,
        /// Where to write the dataset key (mode 0600).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(cmd: DatasetCommand) -> Result<()> {
    match cmd {
        DatasetCommand::Keygen { out, force } => {
            writable(&out, force)?;
            dataset::keygen(&out, force)?;
            println!("wrote a seller secret to {} (mode 0600)", out.display());
        }
        DatasetCommand::Commit {
            data,
            secret_file,
            out,
            force,
            dataset_id,
            depth,
            format,
        } => {
            writable(&out, force)?;
            let t = Instant::now();
            let req = CommitRequest {
                data,
                secret_file,
                dataset_id,
                depth,
                read: format.read(),
            };
            let listing = dataset::commit(&req, &out, &bars())?;
            println!(
                "committed {} records of {:?} ({} columns, depth {}) into {}{}: C = {}",
                listing.records,
                listing.dataset_id,
                listing.schema.columns.len(),
                depth,
                out.display(),
                took(t),
                to_hex(&listing.commitment)
            );
        }
        DatasetCommand::Encrypt {
            data,
            secret_file,
            listing,
            listing_out,
            out,
            force,
            format,
        } => {
            writable(&out, force)?;
            let t = Instant::now();
            let req = EncryptRequest {
                data,
                secret_file,
                listing: listing.clone(),
                read: format.read(),
            };
            let done = delivery::encrypt(&req, &out, listing_out.as_deref(), force, &bars())?;
            println!(
                "encrypted {} records of {:?} ({} elements each) into {} ({} bytes){}: E = {}; \
                 listing version {} written to {}",
                done.listing.records,
                done.listing.dataset_id,
                done.record_elements,
                out.display(),
                done.ciphertext_bytes,
                took(t),
                done.listing.ciphertext_root.as_deref().unwrap_or_default(),
                done.listing.veil,
                listing_out.as_deref().unwrap_or(&listing).display()
            );
        }
        DatasetCommand::ExportKey {
            secret_file,
            listing,
            out,
            force,
        } => {
            writable(&out, force)?;
            let listing = dataset::export_key(&secret_file, &listing, &out, force)?;
            println!(
                "wrote the key of {:?} to {} (mode 0600)",
                listing.dataset_id,
                out.display()
            );
        }
    }
    Ok(())
}
