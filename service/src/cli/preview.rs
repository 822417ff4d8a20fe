//! `veil preview prove | verify`.

use super::{
    default_params, file_size, progress_bar, read_listing, read_secret, read_text, write_output,
    FormatArgs,
};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use veil_circuits::dataset::keys::load_dataset_key;
use veil_circuits::dataset::{DatasetKey, Listing};
use veil_circuits::statements::preview::challenge_from_hex;
use veil_circuits::statements::PreviewMembership;
use veil_circuits::Fr;
use veil_prover::keys::KeyStore;
use veil_prover::preview::{self, PreviewRequest};
use veil_verifier::preview::PreviewFile;

/// What a preview samples: the dataset, its listing and key, the challenge, K and the reveal.
#[derive(clap::Args, Debug)]
pub struct PreviewArgs {
    /// The dataset file.
    #[arg(long)]
    dataset: PathBuf,
    /// Seller secret (or dataset key) file.
    #[arg(long)]
    secret_file: PathBuf,
    /// The dataset's listing.
    #[arg(long)]
    listing: PathBuf,
    /// The buyer's challenge, hex (at most 32 bytes).
    #[arg(long)]
    challenge: String,
    /// Number of sampled rows K (1..=64).
    #[arg(long, default_value_t = 8)]
    samples: usize,
    /// Columns to reveal, by name or number, comma-separated (default: none).
    #[arg(long, value_delimiter = ',')]
    reveal: Vec<String>,
    #[command(flatten)]
    format: FormatArgs,
}

impl PreviewArgs {
    /// The listing, the checked dataset key and the challenge.
    pub fn load(&self) -> Result<(Listing, DatasetKey, Fr)> {
        let challenge = challenge_from_hex(&self.challenge)?;
        let listing = read_listing(&self.listing)?;
        let key = read_secret(&self.secret_file, "secret file", |t| {
            load_dataset_key(t, &listing.dataset_id)
        })?;
        listing.check_key(&key)?;
        Ok((listing, key, challenge))
    }

    /// The prover's request.
    pub fn request<'a>(
        &'a self,
        listing: &'a Listing,
        key: DatasetKey,
        challenge: Fr,
    ) -> PreviewRequest<'a> {
        PreviewRequest {
            dataset: &self.dataset,
            format: self.format.format.or(Some(listing.schema.format)),
            chunk_size: if listing.schema.chunk_size > 0 {
                listing.schema.chunk_size as usize
            } else {
                self.format.chunk_size
            },
            key,
            listing,
            challenge,
            samples: self.samples,
            reveal: self.reveal.clone(),
        }
    }

    /// A progress bar over the dataset's bytes.
    pub fn progress(&self) -> (indicatif::ProgressBar, ProgressFn) {
        progress_bar(file_size(&self.dataset), "reading")
    }
}

type ProgressFn = std::sync::Arc<dyn Fn(u64) + Send + Sync>;

#[derive(Subcommand, Debug)]
pub enum PreviewCommand {
    /// Prove that K rows drawn by a challenge, with only some columns revealed, are in the dataset.
    Prove {
        #[command(flatten)]
        args: PreviewArgs,
        /// Where to write the preview.
        #[arg(long)]
        out: PathBuf,
        /// Params directory (default: $VEIL_PARAMS or ./params).
        #[arg(long)]
        params: Option<PathBuf>,
    },
    /// Verify a preview against its listing.
    Verify {
        /// The preview file.
        preview: PathBuf,
        /// The listing it claims to sample.
        #[arg(long)]
        listing: PathBuf,
        /// Params directory (default: $VEIL_PARAMS or ./params).
        #[arg(long)]
        params: Option<PathBuf>,
    },
}

pub fn run(cmd: PreviewCommand) -> Result<()> {
    match cmd {
        PreviewCommand::Prove { args, out, params } => {
            let (listing, key, challenge) = args.load()?;
            let shape = preview::shape_for(&listing, args.samples)?;
            let store = KeyStore::new(params.unwrap_or_else(default_params));
            let (prover, entry) = store.load_statement::<PreviewMembership>(&shape)?;
            let req = args.request(&listing, key, challenge);
            let (bar, progress) = args.progress();
            let file = preview::prove(&req, &prover, Some(progress), &mut rand::rngs::OsRng)?;
            bar.finish_and_clear();
            write_output(&out, &file.to_json())?;
            if entry.insecure_dev_setup {
                eprintln!(
                    "note: these keys come from an insecure single-party setup (development only)"
                );
            }
            let rows: Vec<String> = file.samples.iter().map(|s| s.index.to_string()).collect();
            println!(
                "proved preview of rows [{}] of {:?} into {}",
                rows.join(", "),
                listing.dataset_id,
                out.display()
            );
            Ok(())
        }
        PreviewCommand::Verify {
            preview: path,
            listing,
            params,
        } => {
            let file = PreviewFile::from_json(&read_text(&path, "preview")?)
                .with_context(|| format!("{}", path.display()))?;
            let listing = read_listing(&listing)?;
            let dir = params.unwrap_or_else(default_params);
            let (vk, entry) = veil_verifier::params::load_verifying_key(&dir, &file.proof.key)?;
            veil_verifier::preview::verify(&file, &listing, &veil_verifier::groth16::prepare(&vk))?;
            if entry.insecure_dev_setup {
                eprintln!("note: the verifying key comes from an insecure single-party setup (development only)");
            }
            println!(
                "OK: preview of {} rows of {:?} verified (revealed: {})",
                file.samples.len(),
                listing.dataset_id,
                if file.revealed_columns.is_empty() {
                    "none".to_string()
                } else {
                    file.revealed_columns.join(", ")
                }
            );
            for s in &file.samples {
                let cells: Vec<String> = s
                    .cells
                    .iter()
                    .map(|c| match c {
                        veil_verifier::preview::Cell::Utf8(t) => t.clone(),
                        veil_verifier::preview::Cell::Hex(h) => format!("0x{h}"),
                        veil_verifier::preview::Cell::Redacted => "█".to_string(),
                    })
                    .collect();
                println!("  row {:>8}: {}", s.index, cells.join(" | "));
            }
            Ok(())
        }
    }
}
