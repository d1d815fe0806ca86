//! The `lotse` binary: parses flags, runs one subcommand, and turns its outcome into an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = lotse::cli::Cli::parse();
    lotse::cmd::run(cli)
}
