//! `lotse build`: builds the portal and prints one summary line.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::BuildArgs;
use crate::site::{self, BuildError, BuildOptions};

use super::{print_diagnostics, print_fatal, EXIT_CONTENT, EXIT_USAGE};

pub fn run(args: BuildArgs, quiet: bool) -> ExitCode {
    let output = if args.output.is_absolute() { args.output.clone() } else { args.root.join(&args.output) };
    let options = BuildOptions {
        root: args.root,
        output,
        base_url: args.base_url,
        include_drafts: args.drafts,
        progress: !quiet && std::io::stderr().is_terminal(),
        service_worker: true,
    };
    match site::build(&options) {
        Ok(report) => {
            print_diagnostics(&report.warnings, quiet);
            if !quiet {
                crate::outln!(
                    "Built {} article{} on {} platform{} ({} files) in {:.2} s → {}",
                    report.articles,
                    if report.articles == 1 { "" } else { "s" },
                    report.platforms,
                    if report.platforms == 1 { "" } else { "s" },
                    report.files,
                    report.elapsed.as_secs_f64(),
                    report.output.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(BuildError::Content(found)) => {
            print_diagnostics(&found, quiet);
            crate::errln!("build failed; the previous output was left untouched");
            ExitCode::from(EXIT_CONTENT)
        }
        Err(BuildError::Config(found)) => {
            print_diagnostics(&found, quiet);
            crate::errln!("build failed: fix lotse.yaml first");
            ExitCode::from(EXIT_USAGE)
        }
        Err(BuildError::Fatal(e)) => {
            print_fatal(&e);
            ExitCode::from(EXIT_USAGE)
        }
    }
}
