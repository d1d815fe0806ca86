//! One thin file per subcommand: read flags, call the pipeline, report, choose the exit code.

mod build;
mod check;
mod init;
mod new;
mod notice;
mod schema;
mod serve;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
pub use crate::report::{print_diagnostics, print_fatal, use_color};

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
