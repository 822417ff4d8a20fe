//! `veil`: the command line for sellers (commit datasets, prove previews), buyers (verify
//! previews and deliveries), auditors (verify period reports), gateways (meter calls) and
//! operators (set up keys, export to snarkjs).

use veil_cli::cli;
use veil_engine::registry::Registry;

fn main() {
    // Like other Unix tools, end quietly when the reader of stdout goes away (`veil ... | head`)
    // instead of panicking on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let registry = Registry::standard();
    let args = cli::parse_from(registry, std::env::args_os()).unwrap_or_else(|e| e.exit());
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| args.default_log_filter().into());
    // arkworks' constraint-synthesis spans format whole linear combinations: at `info` they
    // slow proving down a thousandfold, so they stay off unless RUST_LOG names them.
    if !std::env::var("RUST_LOG").is_ok_and(|f| f.contains("ark_")) {
        for quiet in ["ark_relations=warn", "ark_r1cs_std=warn"] {
            if let Ok(d) = quiet.parse() {
                filter = filter.add_directive(d);
            }
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    match cli::run_in(registry, args) {
        Ok(()) => {}
        // A verify command printed its REFUSED verdict already.
        Err(e) if e.is::<cli::Reported>() => std::process::exit(1),
        Err(e) => {
            // One line, the whole causal chain, non-zero exit.
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}
