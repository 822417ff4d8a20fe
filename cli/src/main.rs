//! `veil`: the command line for sellers (commit datasets, prove previews), buyers (verify
//! previews and deliveries) and operators (set up keys, export to snarkjs).

mod cli;

use clap::Parser;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = cli::Cli::parse();
    if let Err(e) = cli::run(args) {
        // One line, the whole causal chain, non-zero exit.
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
