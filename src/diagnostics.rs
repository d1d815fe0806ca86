//! Problems found in a portal's input, with the place they were found and what to do about them.
//!
//! Every stage collects [`Diagnostic`]s instead of stopping at the first problem, so a technician sees
//! all mistakes of a build at once. Only the binary prints them, through [`render`].

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How bad a problem is: errors fail the build, warnings are printed and the build goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the build: no output is written, and the exit code is 1 (content) or 2 (config).
    Error,
    /// Printed, but the build still writes the site; `--quiet` hides warnings.
    Warning,
}

/// One problem in one input file, located by 1-based line and column (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Whether the problem fails the build; at the same place, errors sort before warnings.
    pub severity: Severity,
    /// Path relative to the portal root, as an editor would open it.
    pub path: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file, and then no code frame is shown.
    pub line: usize,
    /// 1-based and counted in characters, not bytes, so the caret lines up under umlauts.
    pub column: usize,
    /// What is wrong, printed after `error:` or `warning:`; the fix belongs in `help`.
    pub message: String,
    /// A concrete next step, such as the closest valid name.
    pub help: Option<String>,
    /// The offending source line, kept so the report can show a code frame without rereading files.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// How many characters the caret under the code frame spans.
    #[serde(skip)]
    pub span_len: usize,
}

impl Diagnostic {
    /// An error at a file without a known line (line 0 means "the file as a whole").
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            source_line: None,
            span_len: 1,
        }
    }

    /// A warning at a file without a known line.
    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(path, message) }
    }

    /// Places the diagnostic at `line`/`column` of `source` (the whole file text), keeping that
    /// line for the code frame.
    pub fn at(mut self, source: &str, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column.max(1);
        self.source_line = source.lines().nth(line.saturating_sub(1)).map(|l| l.trim_end_matches('\r').to_string());
        self
    }

    /// Places the diagnostic at a byte offset of `source`.
    pub fn at_offset(self, source: &str, offset: usize) -> Self {
        let (line, column) = line_column(source, offset);
        self.at(source, line, column)
    }

    /// Sets how many characters the caret spans.
    pub fn span(mut self, len: usize) -> Self {
        self.span_len = len.max(1);
        self
    }

    /// Adds the `help:` line: the next step, such as the closest valid name or an example.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this problem fails the build; warnings never do.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The closest of `candidates` to `input`, if any is close enough to be a plausible typo.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // 0.7 on Jaro-Winkler catches transposed and dropped letters ("titel", "ipda") without
    // suggesting unrelated words; ripgrep and cargo use thresholds in the same range.
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&input.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Sorts diagnostics by file and position so reports are stable and easy to walk through.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.severity, &a.message).cmp(&(&b.path, b.line, b.column, b.severity, &b.message))
    });
}

/// Formats diagnostics like a compiler does: `error: message`, ` --> file:line:col`, a code frame and
/// a `help:` line. `root` is shown nowhere; paths are already relative to the portal.
pub fn render(diagnostics: &[Diagnostic], color: bool) -> String {
    let mut out = String::new();
    for d in diagnostics {
        render_one(d, color, &mut out);
        out.push('\n');
    }
    out
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn render_one(d: &Diagnostic, color: bool, out: &mut String) {
    let (label, code) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let _ = writeln!(out, "{}: {}", paint(color, code, label), paint(color, "1", &d.message));
    let location = display_path(&d.path);
    let _ = if d.line > 0 {
        writeln!(out, "  --> {}:{}:{}", location, d.line, d.column)
    } else {
        writeln!(out, "  --> {}", location)
    };
    if let (Some(src), true) = (&d.source_line, d.line > 0) {
        let number = d.line.to_string();
        let pad = " ".repeat(number.len());
        let _ = writeln!(out, "{pad} |");
        let (shown, column) = clip_line(&src.replace('\t', " "), d.column);
        let _ = writeln!(out, "{number} | {shown}");
        let caret_pad = " ".repeat(column.saturating_sub(1));
        let carets = "^".repeat(d.span_len.max(1));
        let _ = writeln!(out, "{pad} | {caret_pad}{}", paint(color, code, &carets));
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "  = {}: {}", paint(color, "1;36", "help"), help);
    }
}

/// The longest source line shown in full in a code frame, in characters.
const MAX_FRAME_WIDTH: usize = 120;

/// A long source line (a minified paste, a 200 kB line) cut to a window around `column`, with `…`
/// where it was cut; returns the window and the column within it.
fn clip_line(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_FRAME_WIDTH {
        return (line.to_string(), column);
    }
    let start = column.saturating_sub(1).saturating_sub(MAX_FRAME_WIDTH / 3).min(chars.len() - MAX_FRAME_WIDTH);
    let end = start + MAX_FRAME_WIDTH;
    let mut shown: String = chars[start..end].iter().collect();
    let mut column = column - start;
    if start > 0 {
        shown.insert(0, '…');
        column += 1;
    }
    if end < chars.len() {
        shown.push('…');
    }
    (shown, column)
}

/// Shows paths with forward slashes on every system, so messages match editors' "go to file" syntax.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let src = "ab\nÄpfel: x\n";
        assert_eq!(line_column(src, 0), (1, 1));
        assert_eq!(line_column(src, 3), (2, 1));
        // "Äpfel: " is 8 bytes but 7 characters.
        assert_eq!(line_column(src, 3 + 8), (2, 8));
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("titel", ["title", "summary"]), Some("title"));
        assert_eq!(did_you_mean("ipda", ["iserv", "ipad", "office365"]), Some("ipad"));
        assert_eq!(did_you_mean("zzzz", ["title", "summary"]), None);
    }

    #[test]
    fn long_lines_are_cut_around_the_problem() {
        let src = format!("{}FEHLER{}", "a".repeat(100_000), "b".repeat(100_000));
        let d = Diagnostic::error("content/a.md", "x").at(&src, 1, 100_001).span(6);
        let text = render(&[d], false);
        assert!(text.len() < 1_000, "{} bytes", text.len());
        let frame: Vec<&str> = text.lines().filter(|l| l.contains(" | ")).collect();
        let (code, carets) = (frame[0], frame[1]);
        let at = carets.chars().position(|c| c == '^').unwrap();
        assert_eq!(code.chars().skip(at).take(6).collect::<String>(), "FEHLER", "{text}");
        assert!(code.contains('…'));
    }

    #[test]
    fn renders_code_frame_and_help() {
        let src = "---\ntitel: Hallo\n---\n";
        let d = Diagnostic::error("content/a.md", "unknown field `titel`")
            .at(src, 2, 1)
            .span(5)
            .help("did you mean `title`?");
        let text = render(&[d], false);
        assert!(text.contains("error: unknown field `titel`"), "{text}");
        assert!(text.contains("--> content/a.md:2:1"), "{text}");
        assert!(text.contains("2 | titel: Hallo"), "{text}");
        assert!(text.contains("  | ^^^^^"), "{text}");
        assert!(text.contains("help: did you mean `title`?"), "{text}");
    }
}
