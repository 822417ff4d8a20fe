//! `veil dataset keygen | commit | export-key`.

use super::{
    file_size, progress_bar, read_listing, read_secret, write_output, write_secret,
    write_secret_replacing, FormatArgs,
};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use veil_circuits::dataset::{self, keys::load_dataset_key, Listing, SellerSecret};
use veil_circuits::field::to_hex;

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
        #[arg(long, default_value_t = dataset::DEFAULT_DEPTH)]
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
            if out.exists() && !force {
                bail!(
                    "{} exists; refusing to overwrite a secret (use --force)",
                    out.display()
                );
            }
            let secret = SellerSecret::random(&mut rand::rngs::OsRng);
            write_secret_replacing(&out, &secret.to_file(), force)?;
            println!("wrote seller secret to {}", out.display());
            Ok(())
        }
        DatasetCommand::Commit {
            data,
            secret_file,
            out,
            dataset_id,
            depth,
            format,
        } => {
            let id = match dataset_id {
                Some(id) => id,
                None => data
                    .file_name()
                    .and_then(|n| n.to_str())
                    .map(str::to_string)
                    .context("cannot name the dataset from its path; pass --dataset-id")?,
            };
            let key = read_secret(&secret_file, "secret file", |t| load_dataset_key(t, &id))?;
            let (bar, progress) = progress_bar(file_size(&data), "committing");
            let mut file = dataset::open(&data, format.format, format.chunk_size, Some(progress))?;
            let committed = dataset::commit(file.records(), &key, depth, &[])?;
            bar.finish_and_clear();
            let (sha, bytes) = file.digest();
            let listing = Listing::new(&id, &committed, &key, sha, bytes);
            write_output(&out, &listing.to_json())?;
            println!(
                "committed {} records of {:?} ({} columns, depth {}): C = {}",
                listing.records,
                id,
                listing.schema.columns.len(),
                depth,
                to_hex(&listing.commitment)
            );
            Ok(())
        }
        DatasetCommand::ExportKey {
            secret_file,
            listing,
            out,
        } => {
            let listing = read_listing(&listing)?;
            let key = read_secret(&secret_file, "secret file", |t| {
                load_dataset_key(t, &listing.dataset_id)
            })?;
            listing.check_key(&key)?;
            write_secret(&out, &key.to_file(&listing.dataset_id))?;
            println!(
                "wrote the key of {:?} to {}",
                listing.dataset_id,
                out.display()
            );
            Ok(())
        }
    }
}
