//! `veil delivery verify`: recompute a delivered file's commitment.

use super::{file_size, progress_bar, read_listing, read_secret, FormatArgs};
use anyhow::{bail, Result};
use clap::Subcommand;
use std::path::PathBuf;
use veil_circuits::dataset::{self, keys::load_dataset_key};

#[derive(Subcommand, Debug)]
pub enum DeliveryCommand {
    /// Recompute the commitment of a delivered file and compare it with the listing.
    Verify {
        /// The delivered file.
        data: PathBuf,
        /// The listing it was sold under.
        #[arg(long)]
        listing: PathBuf,
        /// The dataset key delivered with the file.
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        format: FormatArgs,
    },
}

pub fn run(cmd: DeliveryCommand) -> Result<()> {
    let DeliveryCommand::Verify {
        data,
        listing,
        key,
        format,
    } = cmd;
    let listing = read_listing(&listing)?;
    let key = read_secret(&key, "key file", |t| {
        load_dataset_key(t, &listing.dataset_id)
    })?;
    listing.check_key(&key)?;
    let chunk = if listing.schema.chunk_size > 0 {
        listing.schema.chunk_size as usize
    } else {
        format.chunk_size
    };
    let (bar, progress) = progress_bar(file_size(&data), "verifying");
    let mut file = dataset::open(
        &data,
        format.format.or(Some(listing.schema.format)),
        chunk,
        Some(progress),
    )?;
    let committed = dataset::commit(file.records(), &key, listing.depth, &[])?;
    bar.finish_and_clear();
    let (sha, _) = file.digest();
    if committed.commitment != listing.commitment {
        bail!(
            "MISMATCH: {} is not the committed dataset {:?} ({} records read, {} listed; SHA-256 {})",
            data.display(),
            listing.dataset_id,
            committed.records,
            listing.records,
            if hex_eq(&sha, &listing.file_sha256) { "matches" } else { "differs" }
        );
    }
    println!(
        "OK: {} matches the commitment of {:?} ({} records)",
        data.display(),
        listing.dataset_id,
        committed.records
    );
    Ok(())
}

fn hex_eq(sha: &[u8; 32], hex_text: &str) -> bool {
    sha.iter().map(|x| format!("{x:02x}")).collect::<String>() == hex_text
}
