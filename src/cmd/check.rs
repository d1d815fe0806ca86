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
        // The internal portal is checked too: its articles' links and fields must be right.
        edition: crate::site::Edition::Internal,
        progress: false,
        service_worker: true,
    };
    let mut overdue = Vec::new();
    let (mut found, code) = match site::load(&options) {
        Ok(site) => {
            let today = args.today.unwrap_or_else(|| chrono::Local::now().date_naive());
            let mut found = site.diagnostics.clone();
            found.extend(crate::findings::content_findings(&site, today, args.stale_after));
            overdue = crate::findings::overdue_by_owner(&site, today, args.stale_after);
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
                "overdue": overdue,
            });
            crate::outln!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
        }
        ReportFormat::Human => {
            print_diagnostics(&found, quiet);
            if found.is_empty() && !quiet {
                crate::outln!("No problems found.");
            }
            if !overdue.is_empty() && !quiet {
                crate::outln!("{}", overdue_list(&overdue));
            }
        }
    }
    ExitCode::from(code)
}

/// The overdue articles by owner, for people: who has to check what.
fn overdue_list(groups: &[crate::findings::OwnerGroup]) -> String {
    let total: usize = groups.iter().map(|g| g.articles.len()).sum();
    let mut out = format!("Due for a check: {total} article{}, by owner", if total == 1 { "" } else { "s" });
    for group in groups {
        let owner = group.owner.as_deref().unwrap_or("(no owner: set `owner:` in the front matter)");
        out.push_str(&format!("\n  {owner}: {}", group.articles.len()));
        for article in &group.articles {
            out.push_str(&format!("\n    {}  due {}  {}", article.file, article.due, article.title));
        }
    }
    out
}
