//! YAML parsing that reports problems at their line in the original file.
//!
//! serde_yaml stops at the first error and knows nothing about unknown keys unless told to deny them,
//! which again stops at the first. Lotse parses in two passes instead: once into a generic value to
//! find every unknown key (each with a did-you-mean), then into the typed struct for type errors.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_yaml::{Mapping, Value};

use crate::diagnostics::{did_you_mean, Diagnostic};

/// A YAML document inside a file: the whole config file, or the front matter of an article.
pub struct YamlSource<'a> {
    /// Path relative to the portal root, for messages.
    pub path: &'a Path,
    /// The complete file text, for code frames.
    pub file_text: &'a str,
    /// The YAML text itself.
    pub yaml: &'a str,
    /// The 1-based file line on which `yaml` starts.
    pub first_line: usize,
}

impl YamlSource<'_> {
    /// An error at a line of the YAML text (1-based, relative to the YAML).
    pub fn error_at(&self, yaml_line: usize, column: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.path, message).at(self.file_text, yaml_line + self.first_line - 1, column)
    }

    /// An error at the line where top-level or nested `key` is written, or at the YAML's first line.
    pub fn error_at_key(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let (line, column) = locate_key(self.yaml, key).unwrap_or((1, 1));
        self.error_at(line, column, message).span(key.chars().count())
    }

    /// An error at the line where the scalar `value` of `key` stands, falling back to the key.
    pub fn error_at_value(&self, key: &str, value: &str, message: impl Into<String>) -> Diagnostic {
        match locate_value(self.yaml, key, value) {
            Some((line, column)) => self.error_at(line, column, message).span(value.chars().count()),
            None => self.error_at_key(key, message),
        }
    }

    /// Turns a serde_yaml syntax error into a diagnostic at its line, without the duplicated
    /// location text, and with help on what usually causes it.
    pub fn serde_error(&self, err: &serde_yaml::Error) -> Diagnostic {
        let message = strip_locations(&err.to_string());
        let (message, help) = humanize(&message, None);
        let d = match err.location() {
            Some(loc) => self.error_at(loc.line(), loc.column(), message),
            None => Diagnostic::error(self.path, message).at(self.file_text, self.first_line, 1),
        };
        d.help(help.unwrap_or_else(|| SYNTAX_HELP.to_string()))
    }

    /// Parses the YAML into `T`, first reporting every key not in `allowed` (checked by `check_keys`),
    /// then every value of the wrong kind: each one found is set aside and the rest parsed again,
    /// so that one mistake never hides the next.
    pub fn parse<T: DeserializeOwned>(
        &self,
        check_keys: impl FnOnce(&Self, &Value) -> Vec<Diagnostic>,
    ) -> Result<T, Vec<Diagnostic>> {
        match self.parse_lenient(check_keys) {
            (Some(parsed), problems) if problems.is_empty() => Ok(parsed),
            (_, problems) => Err(problems),
        }
    }

    /// Parses like [`Self::parse`], and also returns what could be parsed with every wrong value
    /// replaced by a harmless one of the right kind, so that the caller can go on checking the
    /// rest (the config's other settings, an article's body). `None` when the YAML does not parse.
    pub fn parse_lenient<T: DeserializeOwned>(
        &self,
        check_keys: impl FnOnce(&Self, &Value) -> Vec<Diagnostic>,
    ) -> (Option<T>, Vec<Diagnostic>) {
        let value: Value = if self.yaml.trim().is_empty() {
            Value::Mapping(Mapping::new())
        } else {
            match serde_yaml::from_str(self.yaml) {
                Ok(value) => value,
                Err(e) => return (None, vec![self.serde_error(&e)]),
            }
        };
        if !value.is_mapping() && !value.is_null() {
            return (
                None,
                vec![self
                    .error_at(1, 1, "expected `key: value` pairs here")
                    .help("write one setting per line, for example `title: WLAN verbinden`")],
            );
        }
        let mut problems = check_keys(self, &value);
        let mut value = if value.is_null() { Value::Mapping(Mapping::new()) } else { value };
        // Each round replaces one wrong value; a document has only so many.
        for _ in 0..MAX_TYPE_ERRORS {
            match serde_path_to_error::deserialize::<_, T>(&value) {
                Ok(parsed) => return (Some(parsed), problems),
                Err(e) => {
                    let path = path_segments(e.path());
                    let key = path.iter().rev().find_map(|s| match s {
                        Segment::Key(k) => Some(k.clone()),
                        Segment::Index(_) => None,
                    });
                    let raw = e.inner().to_string();
                    // `titel:` was already reported as unknown, with `title` as the suggestion.
                    if let Some(missing) = raw.strip_prefix("missing field ") {
                        let suggested = format!("did you mean {missing}?");
                        if problems.iter().any(|p| p.help.as_deref() == Some(suggested.as_str())) {
                            return (None, problems);
                        }
                    }
                    let (message, help) = humanize(&raw, key.as_deref());
                    let (line, column) = locate_path(self.yaml, &path).unwrap_or((1, 1));
                    let mut d = self.error_at(line, column, message);
                    if let Some(help) = help {
                        d = d.help(help);
                    }
                    problems.push(d);
                    // Put a harmless value of the expected kind in its place and parse again; a
                    // missing field has no place to fill, so the report ends with it.
                    let filler = placeholder(&raw);
                    if filler.is_none() || !replace_path(&mut value, &path, filler.unwrap_or(Value::Null)) {
                        return (None, problems);
                    }
                }
            }
        }
        (None, problems)
    }

    /// One diagnostic for each key of `map` that is not in `allowed`, naming the closest allowed key.
    pub fn unknown_keys(&self, map: &Mapping, allowed: &[&str], what: &str) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for key in map.keys() {
            let name = match key {
                Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
            };
            if allowed.contains(&name.as_str()) {
                continue;
            }
            let mut d = self.error_at_key(&name, format!("unknown {what} `{name}`"));
            d = match did_you_mean(&name, allowed.iter().copied()) {
                Some(best) => d.help(format!("did you mean `{best}`?")),
                None => d.help(format!("allowed keys are: {}", allowed.join(", "))),
            };
            problems.push(d);
        }
        problems
    }
}

/// Removes serde_yaml's ` at line N column M` phrases: the diagnostic shows the place itself, in
/// file lines rather than front-matter lines.
fn strip_locations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let skip = after
            .find(" column ")
            .map(|c| c + " column ".len())
            .map(|c| c + after[c..].find(|ch: char| !ch.is_ascii_digit()).unwrap_or(after.len() - c))
            .unwrap_or(0);
        rest = &after[skip..];
    }
    out.push_str(rest);
    out
}

/// The most wrong values reported for one YAML document.
const MAX_TYPE_ERRORS: usize = 50;

/// The help for YAML that does not parse at all.
const SYNTAX_HELP: &str = "check this line and the one above: text containing `: ` or ` #`, or starting with `[`, `{`, `*`, `&`, `!`, `|`, `>`, `@` or a quote, needs quotes around it (`title: \"WLAN: so geht's\"`), and nested lines are indented with spaces, not tabs";

/// One step of the path to a value: a mapping key or a list position.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
}

fn path_segments(path: &serde_path_to_error::Path) -> Vec<Segment> {
    use serde_path_to_error::Segment as S;
    path.iter()
        .filter_map(|s| match s {
            S::Map { key } => Some(Segment::Key(key.clone())),
            S::Seq { index } => Some(Segment::Index(*index)),
            S::Enum { variant } => Some(Segment::Key(variant.clone())),
            S::Unknown => None,
        })
        .collect()
}

/// Replaces the value at `path` in `value`; false when there is nothing there.
fn replace_path(value: &mut Value, path: &[Segment], with: Value) -> bool {
    let mut current = value;
    for segment in path {
        let next = match (segment, current) {
            (Segment::Key(k), Value::Mapping(m)) => m.get_mut(k.as_str()),
            (Segment::Index(i), Value::Sequence(s)) => s.get_mut(*i),
            _ => None,
        };
        match next {
            Some(v) => current = v,
            None => return false,
        }
    }
    if *current == with {
        return false;
    }
    *current = with;
    true
}

/// A value of the kind a serde "invalid type/value" message expects, to parse on past it.
fn placeholder(message: &str) -> Option<Value> {
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let first = rest.split_once("expected ")?.1.split('`').nth(1)?;
        return Some(Value::String(first.to_string()));
    }
    let expected = message.split_once(", expected ")?.1;
    let kind = expected.trim_start_matches("a ").trim_start_matches("an ");
    Some(match kind {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" | "integer" => {
            Value::Number(0.into())
        }
        "f32" | "f64" => Value::Number(0.into()),
        "boolean" | "bool" => Value::Bool(false),
        "string" => Value::String(String::new()),
        "sequence" => Value::Sequence(Vec::new()),
        _ if kind.starts_with("struct") || kind == "map" => Value::Mapping(Mapping::new()),
        _ => return None,
    })
}

/// Finds the line and column of the value at `path` in block-style YAML: each key below the one
/// before it, each list item by its `- ` at the list's indentation. Stops at the deepest step it
/// finds, so a value in a flow list (`tags: [a, 5]`) is shown at its key.
fn locate_path(yaml: &str, path: &[Segment]) -> Option<(usize, usize)> {
    let lines: Vec<&str> = yaml.lines().collect();
    let indent_of = |line: &str| line.len() - line.trim_start().len();
    let mut found: Option<(usize, usize)> = None;
    // The block the next step is searched in: the lines from `start` deeper than `parent_indent`.
    let (mut start, mut parent_indent) = (0usize, None::<usize>);
    for segment in path {
        let mut hit = None;
        let mut seen_items = 0;
        for (i, line) in lines.iter().enumerate().skip(start) {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indent = indent_of(line);
            if parent_indent.is_some_and(|p| indent <= p) && i > start {
                break;
            }
            match segment {
                Segment::Key(key) => {
                    let body = trimmed.strip_prefix("- ").map(str::trim_start).unwrap_or(trimmed);
                    let body_indent = indent + (trimmed.len() - body.len());
                    let is_key = [key.clone(), format!("\"{key}\""), format!("'{key}'")]
                        .iter()
                        .any(|k| body.strip_prefix(k.as_str()).is_some_and(|a| a.trim_start().starts_with(':')));
                    if is_key {
                        hit = Some((i, body_indent));
                        break;
                    }
                }
                Segment::Index(index) => {
                    if trimmed.starts_with("- ") || trimmed == "-" {
                        if seen_items == *index {
                            hit = Some((i, indent));
                            break;
                        }
                        seen_items += 1;
                    }
                }
            }
        }
        let Some((line, column)) = hit else { break };
        found = Some((line + 1, line_column_chars(lines[line], column)));
        start = line + 1;
        parent_indent = Some(column);
        // A list item's own keys may stand on its `- ` line.
        if matches!(segment, Segment::Index(_)) {
            start = line;
            parent_indent = Some(column);
        }
    }
    found
}

fn line_column_chars(line: &str, byte: usize) -> usize {
    line[..byte.min(line.len())].chars().count() + 1
}

/// A serde message in words a technician understands, with help where the fix is clear.
fn humanize(message: &str, key: Option<&str>) -> (String, Option<String>) {
    let field = key.map(|k| format!("`{k}`")).unwrap_or_else(|| "this field".to_string());
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let found = describe_found(found);
        let (expected, help) = describe_expected(expected, key);
        return (format!("wrong kind of value: {field} takes {expected}, not {found}"), help);
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let (expected, help) = describe_expected(expected, key);
        return (format!("{field} takes {expected}, not {}", describe_found(found)), help);
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let options = expected.trim_start_matches("one of ");
        return (format!("{found} is not a value {field} knows"), Some(format!("use one of: {options}")));
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return (
            format!("the required field {rest} is missing"),
            Some(format!("add a line such as `{}: …`", rest.trim_matches('`'))),
        );
    }
    (message.to_string(), None)
}

fn describe_found(found: &str) -> String {
    if let Some(text) = found.strip_prefix("string ") {
        return format!("the text `{}`", text.trim_matches('"').replace('`', "'"));
    }
    match found.split_whitespace().next().unwrap_or("") {
        "integer" | "floating" => format!("the number {}", found.split('`').nth(1).unwrap_or("")),
        "boolean" => found.split_whitespace().nth(1).unwrap_or("a yes/no value").to_string(),
        "sequence" => "a list".to_string(),
        "map" => "a group of `key: value` lines".to_string(),
        "unit" | "null" => "an empty value".to_string(),
        _ => found.to_string(),
    }
}

fn describe_expected(expected: &str, key: Option<&str>) -> (String, Option<String>) {
    let key = key.unwrap_or("field");
    let kind = expected.trim_start_matches("a ").trim_start_matches("an ");
    match kind {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" | "integer" => {
            ("a whole number".into(), Some(format!("write a number without quotes, for example `{key}: 10`")))
        }
        "f32" | "f64" => ("a number".into(), Some(format!("write a number without quotes, for example `{key}: 1.5`"))),
        "boolean" | "bool" => ("`true` or `false`".into(), Some(format!("write `{key}: true` or `{key}: false`"))),
        "string" => ("text".into(), Some(format!("put the text in quotes, for example `{key}: \"…\"`"))),
        "sequence" => {
            ("a list".into(), Some(format!("write a list as `{key}: [a, b]`, or one `- item` per line below `{key}:`")))
        }
        _ if kind.starts_with("struct") || kind == "map" => (
            "a group of `key: value` lines".into(),
            Some(format!("write the settings of `{key}` on their own lines below it, indented by two spaces")),
        ),
        _ => (expected.to_string(), None),
    }
}

/// Finds the first line where `key` is written as a mapping key (top level, nested or in a list).
pub fn locate_key(yaml: &str, key: &str) -> Option<(usize, usize)> {
    for (i, line) in yaml.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let (rest, extra) = match trimmed.strip_prefix("- ") {
            Some(r) => {
                let r2 = r.trim_start();
                (r2, 2 + r.len() - r2.len())
            }
            None => (trimmed, 0),
        };
        for quoted in [key.to_string(), format!("\"{key}\""), format!("'{key}'")] {
            if let Some(after) = rest.strip_prefix(quoted.as_str()) {
                if after.trim_start().starts_with(':') {
                    let col = line[..indent + extra].chars().count() + 1;
                    return Some((i + 1, col));
                }
            }
        }
    }
    None
}

/// Finds the line and column where `value` is written after `key` (inline or as a list item below).
pub fn locate_value(yaml: &str, key: &str, value: &str) -> Option<(usize, usize)> {
    let (key_line, _) = locate_key(yaml, key)?;
    for (i, line) in yaml.lines().enumerate().skip(key_line - 1) {
        if i + 1 > key_line && !line.starts_with([' ', '\t', '-']) && !line.trim().is_empty() {
            break;
        }
        let search_from = if i + 1 == key_line { line.find(':').map_or(0, |c| c + 1) } else { 0 };
        if let Some(pos) = line[search_from..].find(value) {
            let byte = search_from + pos;
            return Some((i + 1, line[..byte].chars().count() + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_serde_locations() {
        assert_eq!(
            strip_locations("did not find ',' at line 3 column 1, while parsing a flow sequence at line 2 column 7"),
            "did not find ',', while parsing a flow sequence"
        );
    }

    #[test]
    fn locates_keys_and_values() {
        let yaml = "title: A\ntags: [a, b]\nplatforms:\n  - id: ipda\n    nme: X\n";
        assert_eq!(locate_key(yaml, "tags"), Some((2, 1)));
        assert_eq!(locate_key(yaml, "id"), Some((4, 5)));
        assert_eq!(locate_key(yaml, "nme"), Some((5, 5)));
        assert_eq!(locate_value(yaml, "tags", "b"), Some((2, 11)));
        assert_eq!(locate_value(yaml, "id", "ipda"), Some((4, 9)));
    }

    #[derive(serde::Deserialize, Debug)]
    struct Small {
        #[allow(dead_code)]
        title: String,
        #[serde(default)]
        #[allow(dead_code)]
        weight: i64,
    }

    #[test]
    fn reports_every_unknown_key_and_type_errors_with_file_lines() {
        let file = "---\ntitel: A\nwieght: 3\nweight: drei\n---\nbody";
        let src = YamlSource {
            path: Path::new("content/a.md"),
            file_text: file,
            yaml: "titel: A\nwieght: 3\nweight: drei\n",
            first_line: 2,
        };
        let problems = src
            .parse::<Small>(|s, v| s.unknown_keys(v.as_mapping().unwrap(), &["title", "weight"], "field"))
            .unwrap_err();
        let lines: Vec<_> = problems.iter().map(|d| (d.line, d.message.clone())).collect();
        assert_eq!(lines[0], (2, "unknown field `titel`".to_string()));
        assert_eq!(problems[0].help.as_deref(), Some("did you mean `title`?"));
        assert_eq!(lines[1], (3, "unknown field `wieght`".to_string()));
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(problems[2].line, 4, "{problems:?}");
        assert_eq!(problems[2].message, "wrong kind of value: `weight` takes a whole number, not the text `drei`");
        assert_eq!(problems[2].help.as_deref(), Some("write a number without quotes, for example `weight: 10`"));
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Nested {
        #[serde(default)]
        offline: bool,
        #[serde(default)]
        toc: u32,
        #[serde(default)]
        platforms: Vec<Item>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        id: String,
        #[serde(default)]
        order: i64,
    }

    #[test]
    fn every_wrong_value_is_reported_at_its_own_line_even_nested() {
        let yaml = "offline: vielleicht\ntoc: [1]\nplatforms:\n  - id: a\n    order: 1\n  - id: b\n    order: zwei\n  - order: 3\n    id: [x]\n";
        let src = YamlSource { path: Path::new("lotse.yaml"), file_text: yaml, yaml, first_line: 1 };
        let problems = src.parse::<Nested>(|_, _| Vec::new()).unwrap_err();
        let found: Vec<_> = problems.iter().map(|d| (d.line, d.column, d.message.as_str())).collect();
        assert_eq!(
            found,
            vec![
                (1, 1, "wrong kind of value: `offline` takes `true` or `false`, not the text `vielleicht`"),
                (2, 1, "wrong kind of value: `toc` takes a whole number, not a list"),
                (7, 5, "wrong kind of value: `order` takes a whole number, not the text `zwei`"),
                (9, 5, "wrong kind of value: `id` takes text, not a list"),
            ]
        );
    }

    #[test]
    fn syntax_errors_say_what_usually_causes_them() {
        let yaml = "title: WLAN: so geht's\n";
        let src = YamlSource { path: Path::new("a.md"), file_text: yaml, yaml, first_line: 1 };
        let problems = src.parse::<Small>(|_, _| Vec::new()).unwrap_err();
        assert_eq!(problems[0].line, 1);
        assert!(problems[0].help.as_deref().unwrap().contains("needs quotes around it"), "{problems:?}");
    }
}
