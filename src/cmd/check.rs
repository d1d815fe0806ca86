//! `lotse check`: every build validation plus long-term content findings, without writing output.

use std::process::ExitCode;

use crate::cli::{CheckArgs, ReportFormat};
use crate::diagnostics::{self, Diagnostic};
use crate::site::{self, BuildError, BuildOptions};

use super::{print_diagnostics, print_fatal, EXIT_CONTENT, EXIT_USAGE};

pub fn run(args: CheckArgs, quiet: bool) -> ExitCode {
    let options = BuildOptions {
        output: args.root.join("public"),
        root: args.root,
        base_url: None,
        // Like `lotse build`: a public article linking to a draft is an error.
        include_drafts: false,
        progress: false,
        service_worker: true,
    };
    let (mut found, code) = match site::load(&options) {
        Ok(site) => {
            let today = args.today.unwrap_or_else(|| chrono::Local::now().date_naive());
            let mut found = site.diagnostics.clone();
            found.extend(crate::check::content_findings(&site, today, args.stale_after));
            let code = if found.iter().any(Diagnostic::is_error) { EXIT_CONTENT } else { 0 };
            (found, code)
        }
        Err(BuildError::Content(found)) => (found, EXIT_CONTENT),
        Err(BuildError::Config(found)) => (found, EXIT_USAGE),
        Err(BuildError::Fatal(e)) => {
            print_fatal(&e);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    diagnostics::sort(&mut found);
    match args.format {
        ReportFormat::Json => {
            let errors = found.iter().filter(|d| d.is_error()).count();
            let report = serde_json::json!({
                "errors": errors,
                "warnings": found.len() - errors,
                "diagnostics": found,
            });
            crate::outln!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
        }
        ReportFormat::Human => {
            print_diagnostics(&found, quiet);
            if found.is_empty() && !quiet {
                crate::outln!("No problems found.");
            }
        }
    }
    ExitCode::from(code)
}
