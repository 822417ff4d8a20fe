//! `veil preview prove | verify`.

use super::output::{bars, note_insecure, took, verdict, Accepted};
use super::{writable, FormatArgs, ParamsArg, ProveArgs};
use anyhow::Result;
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use veil_engine::preview::{self, Cell, PreviewRequest};
use veil_engine::setup::DEFAULT_SAMPLES;

/// What a preview samples: the dataset, its listing and key, the challenge, K and the reveal.
#[derive(clap::Args, Debug)]
pub struct PreviewArgs {
    /// The dataset file.
    #[arg(long, value_name = "FILE")]
    dataset: PathBuf,
    /// Seller secret (or dataset key) file.
    #[arg(long, value_name = "FILE")]
    secret_file: PathBuf,
    /// The dataset's listing.
    #[arg(long, value_name = "FILE")]
    listing: PathBuf,
    /// The buyer's challenge, hex (at most 32 bytes); it picks the rows.
    #[arg(long, value_name = "HEX")]
    challenge: String,
    /// Number of sampled rows K, 1..=64 (keys must exist for it: `veil setup --samples K`).
    #[arg(long, default_value_t = DEFAULT_SAMPLES)]
    samples: usize,
    /// Columns to reveal, by name or by number counting from 0, comma-separated [default:
    /// none].
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    reveal: Vec<String>,
    /// The encrypted delivery on offer (`veil dataset encrypt`): bind the preview to it, so a
    /// buyer reads the revealed cells from the very file they would pay for (keys:
    /// `veil setup --statement ciphertext-opening --samples K --elements W`).
    #[arg(long, value_name = "FILE.veilct")]
    ciphertext: Option<PathBuf>,
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
            backend: veil_engine::BackendKind::Groth16,
            ciphertext: self.ciphertext.clone(),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum PreviewCommand {
    /// Prove that K rows drawn by a challenge, with only some columns revealed, are in the dataset.
    Prove {
        #[command(flatten)]
        args: PreviewArgs,
        #[command(flatten)]
        proof: ProveArgs,
    },
    /// Verify a preview against its listing; prints the revealed rows.
    Verify {
        /// The preview file.
        preview: PathBuf,
        /// The listing it claims to sample.
        #[arg(long, value_name = "FILE")]
        listing: PathBuf,
        #[command(flatten)]
        params: ParamsArg,
        /// Print the verdict and the rows as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Utf8(t) => t.clone(),
        Cell::Hex(h) => format!("0x{h}"),
        Cell::Redacted => "█".to_string(),
    }
}

pub fn run(cmd: PreviewCommand) -> Result<()> {
    match cmd {
        PreviewCommand::Prove { args, proof } => {
            let (out, force, params, backend) = proof.into_parts();
            writable(&out, force)?;
            let t = Instant::now();
            let mut req = args.request();
            req.backend = backend.kind()?;
            let proved = preview::prove(req, params.get(), &out, &bars())?;
            note_insecure(proved.insecure);
            let rows: Vec<String> = proved
                .file
                .samples
                .iter()
                .map(|s| s.index.to_string())
                .collect();
            let bound = match &proved.file.ciphertext {
                Some(_) => ", bound to its ciphertext",
                None => "",
            };
            println!(
                "proved a preview of rows [{}] of {:?}{bound} into {}{}",
                rows.join(", "),
                proved.file.dataset_id,
                out.display(),
                took(t)
            );
        }
        PreviewCommand::Verify {
            preview: path,
            listing,
            params,
            json,
        } => {
            let outcome = preview::verify(&path, &listing, params.get()).map(|v| {
                note_insecure(v.insecure);
                let file = &v.file;
                let columns = &v.listing.schema.columns;
                let mut details = vec![match &v.bound_to {
                    Some(e) => format!(
                        "  the revealed cells are read from the ciphertext on offer (E {e})"
                    ),
                    None => match &v.listing.ciphertext_root {
                        Some(_) => "  not bound to the listed ciphertext: the file on offer is \
                                    not checked against these rows (ask for a preview made with \
                                    --ciphertext)"
                            .to_string(),
                        None => "  the listing names no ciphertext".to_string(),
                    },
                }];
                details.push(format!("  {:>8}  {}", "row", columns.join(" | ")));
                details.extend(file.samples.iter().map(|s| {
                    let cells: Vec<String> = s.cells.iter().map(cell).collect();
                    format!("  {:>8}  {}", s.index, cells.join(" | "))
                }));
                let rows: Vec<_> = file
                    .samples
                    .iter()
                    .map(|s| {
                        json!({ "index": s.index, "cells": s.cells.iter().map(|c| match c {
                        Cell::Redacted => serde_json::Value::Null,
                        c => cell(c).into(),
                    }).collect::<Vec<_>>() })
                    })
                    .collect();
                Accepted {
                    summary: format!(
                        "preview of {} rows of {:?} (revealed: {})",
                        file.samples.len(),
                        v.listing.dataset_id,
                        if file.revealed_columns.is_empty() {
                            "none".to_string()
                        } else {
                            file.revealed_columns.join(", ")
                        }
                    ),
                    details,
                    json: json!({
                        "dataset_id": v.listing.dataset_id,
                        "columns": columns,
                        "revealed_columns": file.revealed_columns,
                        "ciphertext_root": v.bound_to,
                        "rows": rows,
                    }),
                }
            });
            verdict(json, outcome.map_err(Into::into))?;
        }
    }
    Ok(())
}
