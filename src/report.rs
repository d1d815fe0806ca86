//! Reporting to the technician: diagnostics with a closing count, and fatal errors, on stderr.
//! A leaf module, so that the subcommands and the dev server report alike without depending on
//! each other.

use std::io::IsTerminal;

use crate::diagnostics::{self, Diagnostic};

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
