//! `veil delivery verify`: recompute a delivered file's commitment.

use super::{bars, FormatArgs};
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use veil_engine::dataset;

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
    let ok = dataset::verify_delivery(&data, &listing, &key, format.read(), &bars())?;
    println!(
        "OK: {} matches the commitment of {:?} ({} records)",
        data.display(),
        ok.listing.dataset_id,
        ok.records
    );
    Ok(())
}
