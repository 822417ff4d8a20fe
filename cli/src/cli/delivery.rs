//! `veil delivery verify | check | decrypt | address | key-note | open-note`: recompute a
//! delivered file's commitment; check an encrypted delivery before paying; hand the dataset key
//! to the buyer in a key note sealed to them (outside Aztec); decrypt with that key.

use super::output::{bars, verdict, Accepted};
use super::{writable, FormatArgs};
use anyhow::Result;
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;
use veil_engine::dataset;
use veil_engine::delivery::{self, Decrypted};
use veil_engine::key_note::{self, BuyerAddress};
use veil_engine::prelude::{from_hex_strict, to_hex};

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
    /// Buyer: print the address a seller seals a key note to (key commitment and box public
    /// key), derived from the buyer key of `veil meter keygen`.
    Address {
        /// The buyer key.
        #[arg(long, value_name = "FILE")]
        buyer_key: PathBuf,
    },
    /// Seller, at settlement: a key note handing the listing's dataset key to one buyer, sealed
    /// to their box key (the native twin of the Noir program `key_release`).
    KeyNote {
        /// The seller secret (or the dataset key).
        #[arg(long, value_name = "FILE")]
        secret_file: PathBuf,
        /// The listing sold.
        #[arg(long, value_name = "FILE")]
        listing: PathBuf,
        /// The buyer's key commitment (from `veil delivery address`), 0x and 64 hex digits.
        #[arg(long, value_name = "HEX")]
        buyer: String,
        /// The buyer's box public key (from `veil delivery address`), 64 hex digits.
        #[arg(long, value_name = "HEX")]
        box_public_key: String,
        /// Where to write the key note.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Buyer: open a key note with the buyer key, check that it holds the listing's key, and
    /// write the dataset key file (mode 0600) for `veil delivery decrypt`.
    OpenNote {
        /// The key note.
        note: PathBuf,
        /// The listing bought.
        #[arg(long, value_name = "FILE")]
        listing: PathBuf,
        /// The buyer key the note is addressed to.
        #[arg(long, value_name = "FILE")]
        buyer_key: PathBuf,
        /// Where to write the dataset key.
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
        DeliveryCommand::Address { buyer_key } => {
            let me = key_note::address(&buyer_key)?;
            eprintln!("the address to give a seller for key notes (--buyer, --box-public-key):");
            println!("{}", to_hex(&me.buyer));
            println!("{}", me.box_public_key_hex());
            Ok(())
        }
        DeliveryCommand::KeyNote {
            secret_file,
            listing,
            buyer,
            box_public_key,
            out,
            force,
        } => {
            writable(&out, force)?;
            let to = BuyerAddress {
                buyer: from_hex_strict("--buyer", &buyer)?,
                box_public_key: key_note::parse_box_key(&box_public_key)?,
            };
            let note = key_note::issue(&secret_file, &listing, &to, &out, force)?;
            eprintln!(
                "wrote a key note for {:?} to {}, sealed to buyer {}; its note N (the \
                 settlement's public output):",
                note.dataset_id,
                out.display(),
                to_hex(&note.buyer)
            );
            println!("{}", to_hex(&note.note));
            Ok(())
        }
        DeliveryCommand::OpenNote {
            note,
            listing,
            buyer_key,
            out,
            force,
            json,
        } => {
            writable(&out, force)?;
            let outcome =
                key_note::open(&note, &listing, &buyer_key, &out, force).map(|key| Accepted {
                    summary: format!(
                        "{} holds the listing's dataset key (its id is the listing's); wrote it \
                         to {} (mode 0600)",
                        note.display(),
                        out.display()
                    ),
                    details: vec![],
                    json: json!({
                        "key_id": to_hex(&key.id()),
                        "out": out.display().to_string(),
                    }),
                });
            verdict(json, outcome.map_err(Into::into))
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
