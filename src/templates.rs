//! Themes and templates: finds the theme, applies the portal's overrides, and renders pages with tera.
//!
//! The default theme is embedded in the binary, so `lotse init` portals work without copying it. A
//! portal may use another theme from its own `themes/` folder, and overrides single templates by
//! putting a file of the same name into its `templates/` folder, theme strings in `i18n/<lang>.yaml`
//! and static files in `static/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use include_dir::{include_dir, Dir};
use serde_yaml::Value;

use crate::config::Config;
use crate::diagnostics::{did_you_mean, Diagnostic};

/// The default theme, compiled into the binary from `themes/default/`.
static DEFAULT_THEME: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Templates every theme must provide; the build driver renders each of them.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "home.html",
    "platform.html",
    "article.html",
    "tag.html",
    "tags.html",
    "search.html",
    "404.html",
    "redirect.html",
];

/// A static file of the theme or portal, to be copied to the output.
pub enum StaticFile {
    /// A file of the built-in default theme, compiled into the binary.
    Embedded(&'static [u8]),
    /// A file on disk (a theme folder or the portal's `static/`), read anew on each [`StaticFile::bytes`] call.
    Disk(PathBuf),
}

impl StaticFile {
    /// The file's bytes, read now for files on disk.
    pub fn bytes(&self) -> Result<std::borrow::Cow<'static, [u8]>> {
        Ok(match self {
            StaticFile::Embedded(bytes) => std::borrow::Cow::Borrowed(bytes),
            StaticFile::Disk(path) => {
                std::borrow::Cow::Owned(std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?)
            }
        })
    }
}

/// A loaded theme with the portal's overrides applied, ready to render.
pub struct Theme {
    /// The parsed templates, theme and portal overrides merged; render through [`render`] for readable errors.
    pub tera: tera::Tera,
    /// Theme strings for the portal's language, after portal overrides.
    pub strings: BTreeMap<String, String>,
    /// Static files by output path (theme files under `assets/`, portal files at the site root).
    pub static_files: BTreeMap<String, StaticFile>,
    /// Names of the icons the theme ships, for checking platform icons.
    pub icons: Vec<String>,
}

/// Files of a theme, wherever they come from.
struct ThemeFiles {
    files: BTreeMap<String, StaticFile>,
    /// Where the theme lives, for messages.
    origin: String,
}

fn embedded_files(dir: &'static Dir<'static>, out: &mut BTreeMap<String, StaticFile>) {
    for file in dir.files() {
        out.insert(crate::markdown::url_path(file.path()), StaticFile::Embedded(file.contents()));
    }
    for sub in dir.dirs() {
        embedded_files(sub, out);
    }
}

fn disk_files(dir: &Path) -> BTreeMap<String, StaticFile> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().flatten() {
        if entry.file_type().is_file() && entry.file_name() != ".DS_Store" {
            let rel = crate::markdown::url_path(entry.path().strip_prefix(dir).unwrap_or(entry.path()));
            out.insert(rel, StaticFile::Disk(entry.path().to_path_buf()));
        }
    }
    out
}

fn theme_files(root: &Path, name: &str) -> Result<ThemeFiles> {
    let on_disk = root.join("themes").join(name);
    if on_disk.is_dir() {
        return Ok(ThemeFiles { files: disk_files(&on_disk), origin: format!("themes/{name}") });
    }
    if name == "default" {
        let mut files = BTreeMap::new();
        embedded_files(&DEFAULT_THEME, &mut files);
        return Ok(ThemeFiles { files, origin: "the built-in default theme".into() });
    }
    let mut known = vec!["default".to_string()];
    if let Ok(entries) = std::fs::read_dir(root.join("themes")) {
        known.extend(entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()));
    }
    let hint = did_you_mean(name, known.iter().map(String::as_str))
        .map(|b| format!("did you mean `{b}`? "))
        .unwrap_or_default();
    bail!(
        "theme `{name}` not found in {}\n  help: {hint}put the theme into `themes/{name}/`, or use `theme: default`",
        root.join("themes").display()
    )
}

impl Theme {
    /// Loads the configured theme and the portal's overrides, reporting template errors as diagnostics.
    pub fn load(root: &Path, config: &Config, problems: &mut Vec<Diagnostic>) -> Result<Theme> {
        let theme = theme_files(root, &config.theme)?;
        let mut templates: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut static_files = BTreeMap::new();
        let mut strings = BTreeMap::new();
        let lang = config.language.code();
        let mut icons = Vec::new();
        for (path, file) in theme.files {
            if let Some(name) = path.strip_prefix("templates/") {
                let text = String::from_utf8(file.bytes()?.into_owned()).context("theme template is not UTF-8")?;
                templates.insert(name.to_string(), (format!("{}/{path}", theme.origin), text));
            } else if path == format!("i18n/{lang}.yaml") {
                merge_strings(&mut strings, &file.bytes()?, &format!("{}/{path}", theme.origin), problems);
            } else if let Some(rel) = path.strip_prefix("static/") {
                if let Some(icon) = rel.strip_prefix("icons/").and_then(|i| i.strip_suffix(".svg")) {
                    icons.push(icon.to_string());
                }
                static_files.insert(format!("assets/{rel}"), file);
            }
        }
        for (rel, file) in disk_files(&root.join("templates")) {
            if let StaticFile::Disk(path) = &file {
                let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
                templates.insert(rel.clone(), (format!("templates/{rel}"), text));
            }
        }
        let portal_strings = root.join("i18n").join(format!("{lang}.yaml"));
        if portal_strings.is_file() {
            let bytes = std::fs::read(&portal_strings)?;
            merge_strings(&mut strings, &bytes, &format!("i18n/{lang}.yaml"), problems);
        }
        for (rel, file) in disk_files(&root.join("static")) {
            static_files.insert(rel, file);
        }

        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        // Tera's default also escapes `/`, which bloats every URL; quotes and angle brackets suffice.
        tera.set_escape_fn(crate::markdown::escape_html);
        tera.register_filter("urlencode", urlencode_filter);
        let sources: Vec<(String, String)> =
            templates.iter().map(|(name, (_, text))| (name.clone(), text.clone())).collect();
        if let Err(e) = tera.add_raw_templates(sources) {
            problems.push(template_diagnostic(&e, &templates));
            return Ok(Theme { tera, strings, static_files, icons });
        }
        for required in REQUIRED_TEMPLATES {
            if !templates.contains_key(*required) {
                problems.push(
                    Diagnostic::error(
                        format!("{}/templates/{required}", theme.origin),
                        format!("the theme has no template `{required}`"),
                    )
                    .help("copy it from themes/default/templates/ into the portal's templates/ folder"),
                );
            }
        }
        Ok(Theme { tera, strings, static_files, icons })
    }
}

/// Reads a flat `key: text` YAML file of theme strings over `strings`.
fn merge_strings(strings: &mut BTreeMap<String, String>, bytes: &[u8], origin: &str, problems: &mut Vec<Diagnostic>) {
    match serde_yaml::from_slice::<BTreeMap<String, Value>>(bytes) {
        Ok(map) => {
            for (key, value) in map {
                let text = match value {
                    Value::String(s) => s,
                    other => serde_yaml::to_string(&other).unwrap_or_default().trim().to_string(),
                };
                strings.insert(key, text);
            }
        }
        Err(e) => {
            let text = String::from_utf8_lossy(bytes);
            let mut d = Diagnostic::error(origin, format!("theme strings are not valid YAML: {e}"));
            if let Some(loc) = e.location() {
                d = d.at(&text, loc.line(), loc.column());
            }
            problems.push(d);
        }
    }
}

/// Describes a tera error with its whole cause chain, at the template file it came from.
pub fn template_diagnostic(err: &tera::Error, templates: &BTreeMap<String, (String, String)>) -> Diagnostic {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    let origin = templates
        .iter()
        .find(|(name, _)| message.contains(&format!("'{name}'")))
        .map(|(_, (origin, _))| origin.clone())
        .unwrap_or_else(|| "templates".into());
    Diagnostic::error(origin, message.replace('\n', " "))
        .help("fix the template syntax; see https://keats.github.io/tera/docs/")
}

/// Renders one template, turning tera's nested error into one readable message.
pub fn render(theme: &Theme, name: &str, context: &tera::Context) -> Result<String> {
    theme.tera.render(name, context).map_err(|e| {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        anyhow::anyhow!(message)
    })
}

/// `{{ text | urlencode }}`: percent-encodes everything but RFC 3986's unreserved characters, for
/// values in query strings (Tera's own filter needs a feature that pulls in many crates).
fn urlencode_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = tera::try_get_value!("urlencode", "value", String, value);
    Ok(tera::Value::String(percent_encode(&text)))
}

/// Percent-encodes the UTF-8 bytes of `text` except `A-Z a-z 0-9 - . _ ~`.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_encodes_umlauts_and_reserved_characters() {
        assert_eq!(super::percent_encode("ipad/wlan-verbinden/"), "ipad%2Fwlan-verbinden%2F");
        assert_eq!(super::percent_encode("Schüler & Co?"), "Sch%C3%BCler%20%26%20Co%3F");
    }
}
