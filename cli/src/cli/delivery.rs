//! `veil delivery verify | check | decrypt`: recompute a delivered file's commitment; check an
//! encrypted delivery before paying; decrypt it with the key settlement released.

use super::output::{bars, verdict, Accepted};
use super::{writable, FormatArgs};
use anyhow::Result;
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;
use veil_engine::dataset;
use veil_engine::delivery::{self, Decrypted};

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
    /// Before paying: check that a ciphertext is the one the listing names, with one record per
    /// committed leaf (no key needed).
    Check {
        /// The ciphertext (`.veilct`).
        ciphertext: PathBuf,
        /// The listing (version 3, naming the ciphertext's root E).
        #[arg(long, value_name = "FILE")]
        listing: PathBuf,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
    /// After paying: decrypt a ciphertext with the dataset key into the seller's file, checking
    /// every record against its commitment; an inconsistent record is named (a dispute's
    /// subject) and the plaintext before it kept at `<out>.partial`.
    Decrypt {
        /// The ciphertext (`.veilct`).
        ciphertext: PathBuf,
        /// The listing (version 3).
        #[arg(long, value_name = "FILE")]
        listing: PathBuf,
        /// The dataset key.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Where to write the plaintext file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: DeliveryCommand) -> Result<()> {
    match cmd {
        DeliveryCommand::Verify {
            data,
            listing,
            key,
            format,
            json,
        } => verify(data, listing, key, format, json),
        DeliveryCommand::Check {
            ciphertext,
            listing,
            json,
        } => {
            let outcome = delivery::check(&ciphertext, &listing, &bars()).map(|ok| Accepted {
                summary: format!(
                    "{} is the ciphertext listing {:?} names ({} records of {} elements, E = \
                     {}); its leaves rebuild the committed root",
                    ciphertext.display(),
                    ok.listing.dataset_id,
                    ok.found.records,
                    ok.found.record_elements,
                    ok.listing.ciphertext_root.clone().unwrap_or_default()
                ),
                details: vec![],
                json: json!({
                    "dataset_id": ok.listing.dataset_id,
                    "records": ok.found.records,
                    "record_elements": ok.found.record_elements,
                    "ciphertext_root": ok.listing.ciphertext_root.clone().unwrap_or_default(),
                }),
            });
            verdict(json, outcome.map_err(Into::into))
        }
        DeliveryCommand::Decrypt {
            ciphertext,
            listing,
            key,
            out,
            force,
            json,
        } => {
            writable(&out, force)?;
            let outcome = delivery::decrypt(&ciphertext, &listing, &key, &out, force, &bars())
                .map_err(anyhow::Error::from)
                .and_then(|d| match d {
                    Decrypted::Delivered { listing, records } => Ok(Accepted {
                        summary: format!(
                            "{} decrypted to {} ({records} records): byte for byte the file \
                             listing {:?} commits",
                            ciphertext.display(),
                            out.display(),
                            listing.dataset_id
                        ),
                        details: vec![],
                        json: json!({
                            "dataset_id": listing.dataset_id,
                            "records": records,
                            "out": out.display().to_string(),
                        }),
                    }),
                    Decrypted::Disputable {
                        listing,
                        finding,
                        partial,
                    } => Err(anyhow::anyhow!(
                        "record {} of {:?} is not the committed record: {}; the seller can be \
                         disputed at this record. The plaintext before it is at {}",
                        finding.index,
                        listing.dataset_id,
                        finding.rule,
                        partial.display()
                    )),
                });
            verdict(json, outcome)
        }
    }
}

fn verify(
    data: PathBuf,
    listing: PathBuf,
    key: PathBuf,
    format: FormatArgs,
    json: bool,
) -> Result<()> {
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
