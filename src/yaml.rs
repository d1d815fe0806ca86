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

    /// Turns a serde_yaml error into a diagnostic at its line, without the duplicated location text.
    pub fn serde_error(&self, err: &serde_yaml::Error) -> Diagnostic {
        let message = strip_locations(&err.to_string());
        let message = message.replace("invalid type:", "wrong kind of value:");
        match err.location() {
            Some(loc) => self.error_at(loc.line(), loc.column(), message),
            None => Diagnostic::error(self.path, message).at(self.file_text, self.first_line, 1),
        }
    }

    /// Parses the YAML into `T`, first reporting every key not in `allowed` (checked by `check_keys`).
    pub fn parse<T: DeserializeOwned>(
        &self,
        check_keys: impl FnOnce(&Self, &Value) -> Vec<Diagnostic>,
    ) -> Result<T, Vec<Diagnostic>> {
        let value: Value = if self.yaml.trim().is_empty() {
            Value::Mapping(Mapping::new())
        } else {
            serde_yaml::from_str(self.yaml).map_err(|e| vec![self.serde_error(&e)])?
        };
        if !value.is_mapping() && !value.is_null() {
            return Err(vec![self
                .error_at(1, 1, "expected `key: value` pairs here")
                .help("write one setting per line, for example `title: WLAN verbinden`")]);
        }
        let mut problems = check_keys(self, &value);
        let value = if value.is_null() { Value::Mapping(Mapping::new()) } else { value };
        match serde_yaml::from_value::<T>(value) {
            Ok(parsed) if problems.is_empty() => Ok(parsed),
            Ok(_) => Err(problems),
            Err(_) => {
                // Re-parse from text: only that path knows line numbers for type errors.
                if let Err(e) = serde_yaml::from_str::<T>(self.yaml) {
                    problems.push(self.serde_error(&e));
                }
                Err(problems)
            }
        }
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
    }
}
