//! One thin file per subcommand: read flags, call the pipeline, report, choose the exit code.

mod build;
mod check;
mod init;
mod new;
mod notice;
mod schema;
mod serve;

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::diagnostics::{self, Diagnostic};

/// Exit code for content problems: the portal needs fixing.
pub const EXIT_CONTENT: u8 = 1;
/// Exit code for usage, config and I/O problems.
pub const EXIT_USAGE: u8 = 2;

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> ExitCode {
    let quiet = cli.quiet;
    let code = match cli.command {
        Command::Build(args) => build::run(args, quiet),
        Command::Init(args) => init::run(args, quiet),
        Command::Serve(args) => serve::run(args, quiet),
        Command::Check(args) => check::run(args, quiet),
        Command::New(args) => new::run(args, quiet),
        Command::Schema(args) => schema::run(args, quiet),
        Command::Notice(crate::cli::NoticeCommand::New(args)) => notice::new(args, quiet),
    };
    // A report that could not be written is an I/O problem, unless the run failed anyway.
    if code == ExitCode::SUCCESS && crate::terminal::stdout_failed() {
        crate::errln!("error: could not write to standard output");
        return ExitCode::from(EXIT_USAGE);
    }
    code
}

/// Whether stderr should get colours: only on a terminal, and never with `NO_COLOR` set.
pub fn use_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints diagnostics to stderr with a closing count.
pub fn print_diagnostics(found: &[Diagnostic], quiet: bool) {
    let shown: Vec<Diagnostic> = found.iter().filter(|d| d.is_error() || !quiet).cloned().collect();
    if shown.is_empty() {
        return;
    }
    crate::err!("{}", diagnostics::render(&shown, use_color()));
    let errors = shown.iter().filter(|d| d.is_error()).count();
    let warnings = shown.len() - errors;
    let mut parts = Vec::new();
    if errors > 0 {
        parts.push(format!("{errors} error{}", if errors == 1 { "" } else { "s" }));
    }
    if warnings > 0 {
        parts.push(format!("{warnings} warning{}", if warnings == 1 { "" } else { "s" }));
    }
    crate::errln!("{}", parts.join(", "));
}

/// Prints a fatal error with its cause chain.
pub fn print_fatal(err: &anyhow::Error) {
    crate::errln!("error: {err:#}");
}
