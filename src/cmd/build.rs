//! `lotse build`: builds the portal and prints one summary line.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::BuildArgs;
use crate::site::{BuildError, BuildOptions, Edition};

use super::{print_diagnostics, print_fatal, EXIT_CONTENT, EXIT_USAGE};

pub fn run(args: BuildArgs, quiet: bool) -> ExitCode {
    let output = args.output.clone().unwrap_or_else(|| default_output(&args));
    let output = if output.is_absolute() { output } else { args.root.join(output) };
    let options = BuildOptions {
        root: args.root,
        output,
        base_url: args.base_url,
        include_drafts: args.drafts,
        edition: if args.internal { Edition::Internal } else { Edition::Public },
        progress: !quiet && std::io::stderr().is_terminal(),
        service_worker: true,
    };
    match crate::notice_refresh::build(&options) {
        Ok(report) => {
            print_diagnostics(&report.warnings, quiet);
            if !quiet {
                if report.notices_only {
                    crate::outln!("Only notices changed: the articles of the last build were kept.");
                }
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

/// `public/`, or for the internal portal `internal_output` from `lotse.yaml` (a config that does
/// not load gets the default here; the build then reports its errors).
fn default_output(args: &BuildArgs) -> std::path::PathBuf {
    if !args.internal {
        return crate::output::DEFAULT_OUTPUT.into();
    }
    crate::config::Config::load(&args.root)
        .ok()
        .and_then(|config| config.internal_output)
        .unwrap_or_else(|| crate::config::DEFAULT_INTERNAL_OUTPUT.into())
}
