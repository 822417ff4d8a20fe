//! The `veil` command line as a library: [`cli::command`] builds it for a registry of
//! statements and [`cli::run_in`] runs it, so a test or an example can register a statement of
//! its own and see it at every door. The `veil` binary is `main.rs` over the standard registry.

pub mod cli;
