//! `veil dispute prove | verify`: a buyer proves that a record of an encrypted delivery is not
//! the committed record (the key stays private); anyone verifies it against the listing.

use super::output::{bars, note_insecure, took, verdict, Accepted};
use super::{writable, ParamsArg, ProveArgs};
use anyhow::Result;
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use veil_engine::dispute::{self, describe, DisputeRequest};

#[derive(Subcommand, Debug)]
pub enum DisputeCommand {
    /// Buyer: prove what a record of the delivery decrypts to, convicting the seller of a record
    /// that is not the committed one (the first such record unless `--index` says which).
    Prove {
        /// The ciphertext (`.veilct`).
        ciphertext: PathBuf,
        /// The listing it was sold under (version 3).
        #[arg(long, value_name = "FILE")]
        listing: PathBuf,
        /// The dataset key settlement released.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The record to dispute (counting from 0).
        #[arg(long)]
        index: Option<u64>,
        #[command(flatten)]
        proof: ProveArgs,
    },
    /// Anyone: verify a dispute against the listing.
    Verify {
        /// The dispute file.
        dispute: PathBuf,
        /// The listing.
        #[arg(long, value_name = "FILE")]
        listing: PathBuf,
        #[command(flatten)]
        params: ParamsArg,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: DisputeCommand) -> Result<()> {
    match cmd {
        DisputeCommand::Prove {
            ciphertext,
            listing,
            key,
            index,
            proof,
        } => {
            let (out, force, params, backend) = proof.into_parts();
            writable(&out, force)?;
            let t = Instant::now();
            let req = DisputeRequest {
                ciphertext,
                listing,
                key,
                index,
                backend: backend.kind()?,
            };
            let d = dispute::prove(&req, params.get(), &out, force, &bars())?;
            note_insecure(d.insecure);
            println!(
                "proved a dispute about record {} of {:?} ({}) into {}{}",
                d.public.index,
                d.file.dataset_id,
                describe(&d.rule),
                out.display(),
                took(t)
            );
            Ok(())
        }
        DisputeCommand::Verify {
            dispute: path,
            listing,
            params,
            json,
        } => {
            let outcome = dispute::verify(&path, &listing, params.get()).map(|d| {
                note_insecure(d.insecure);
                Accepted {
                    summary: format!(
                        "the seller of {:?} delivered record {} wrongly: {}",
                        d.file.dataset_id,
                        d.public.index,
                        describe(&d.rule)
                    ),
                    details: vec![],
                    json: json!({
                        "dataset_id": d.file.dataset_id,
                        "index": d.public.index,
                        "rule": describe(&d.rule),
                        "backend": d.file.proof.backend,
                        "insecure_keys": d.insecure,
                    }),
                }
            });
            verdict(json, outcome.map_err(Into::into))
        }
    }
}
