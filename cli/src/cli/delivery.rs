//! `veil delivery verify`: recompute a delivered file's commitment.

use super::output::{bars, verdict, Accepted};
use super::FormatArgs;
use anyhow::Result;
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;
use veil_engine::dataset;

#[derive(Subcommand, Debug)]
pub enum DeliveryCommand {
    /// Recompute the commitment of a delivered file and compare it with the listing.
    Verify {
        /// The delivered file.
        data: PathBuf,
        /// The listing it was sold under.
        #[arg(long, value_name = "FILE")]
        listing: PathBuf,
        /// The dataset key delivered with the file.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        #[command(flatten)]
        format: FormatArgs,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: DeliveryCommand) -> Result<()> {
    let DeliveryCommand::Verify {
        data,
        listing,
        key,
        format,
        json,
    } = cmd;
    let outcome =
        dataset::verify_delivery(&data, &listing, &key, format.read(), &bars()).map(|ok| {
            Accepted {
                summary: format!(
                    "{} matches the commitment of {:?} ({} records)",
                    data.display(),
                    ok.listing.dataset_id,
                    ok.records
                ),
                details: vec![],
                json: json!({ "dataset_id": ok.listing.dataset_id, "records": ok.records }),
            }
        });
    verdict(json, outcome.map_err(Into::into))
}
