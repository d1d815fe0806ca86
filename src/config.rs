//! The portal configuration, `lotse.yaml` at the portal root.
//!
//! Every key is checked: a typo such as `titel:` is an error with a did-you-mean, never silently
//! ignored, because a technician would otherwise wonder why a setting has no effect.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_yaml::Value;

use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::yaml::YamlSource;

mod ticket;
pub use ticket::{
    TicketChannel, TicketField, TicketSettings, DEFAULT_SUBJECT, FEEDBACK_PLACEHOLDERS, ROUTE_KEYS, TICKET_FIELDS,
    TICKET_KEYS, TICKET_PLACEHOLDERS,
};

/// The config file's name at the portal root.
pub const CONFIG_FILE: &str = "lotse.yaml";

/// Top-level keys of `lotse.yaml`.
pub const CONFIG_KEYS: &[&str] = &[
    "title",
    "description",
    "organization",
    "language",
    "base_url",
    "theme",
    "platforms",
    "toc_min_headings",
    "search",
    "accessibility",
    "offline",
    "ticket",
    "raw_html",
    "internal_output",
];

/// Where `lotse build --internal` writes the technicians' portal without `--output`.
pub const DEFAULT_INTERNAL_OUTPUT: &str = "public-intern";

/// Keys of the `accessibility:` section.
pub const ACCESSIBILITY_KEYS: &[&str] = &["contact", "status", "issues", "alternatives", "prepared", "enforcement"];

/// Keys of the `search:` section.
pub const SEARCH_KEYS: &[&str] = &["synonyms", "vocabulary", "vocabulary_off", "semantic"];

/// Keys of one entry under `platforms:`.
pub const PLATFORM_KEYS: &[&str] = &["id", "name", "description", "icon", "order"];

/// URL path segments the generator uses itself, which therefore cannot be platform ids.
pub const RESERVED_PATHS: &[&str] = &[
    "tags",
    "search",
    "assets",
    "static",
    "404",
    "sitemap.xml",
    "barrierefreiheit",
    "accessibility",
    "problem-melden",
    "report-problem",
    "stoerungen",
    "incidents",
];

/// What raw HTML in articles may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Only harmless formatting elements are published; scripts, event handlers, frames, forms
    /// and anything loaded from another site are errors (see `raw_html.rs`).
    #[default]
    Safe,
    /// Raw HTML is published as written: for portals whose every author may run code on every
    /// teacher's device.
    Trusted,
}

/// The interface language of the portal and its theme strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// German, the default: callout labels, `14. Oktober 2026` dates and the theme's `i18n/de.yaml`.
    #[default]
    De,
    /// English: callout labels, `14 October 2026` dates and the theme's `i18n/en.yaml`.
    En,
}

impl Language {
    /// The BCP 47 code for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
        }
    }
}

/// Where the "Problem melden" form lives, in the portal's language (when `ticket:` is set).
pub fn ticket_url(language: Language) -> &'static str {
    match language {
        Language::De => "problem-melden/",
        Language::En => "report-problem/",
    }
}

/// A product or area that articles belong to, such as IServ or the iPads.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
pub struct Platform {
    /// Folder name under `content/` and first URL segment.
    pub id: String,
    /// Shown on home-page tiles, in breadcrumbs and as the badge on article cards.
    pub name: String,
    /// One line for the tile and the platform page's lead; may be empty.
    #[serde(default)]
    pub description: String,
    /// Name of an icon in the theme's `static/icons/` folder, without `.svg`.
    #[serde(default = "default_icon")]
    pub icon: String,
    /// Position on the home page; platforms with equal order keep their listed order.
    #[serde(default)]
    pub order: i64,
}

fn default_icon() -> String {
    "general".to_string()
}

/// The parsed `lotse.yaml`.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// The portal's name in the header and every `<title>`; never empty.
    pub title: String,
    /// The default `<meta name="description">` of pages without a summary of their own; may be empty.
    #[serde(default)]
    pub description: String,
    /// The school authority or team running the portal, shown in the footer.
    #[serde(default)]
    pub organization: String,
    /// Picks the theme strings `i18n/<lang>.yaml`, callout labels, the date format and `<html lang>`.
    #[serde(default)]
    pub language: Language,
    /// Absolute URL the site is published under, such as `https://schule.example/hilfe/`; used for
    /// the sitemap, canonical links and the 404 page, which cannot use relative links.
    #[serde(default)]
    pub base_url: Option<String>,
    /// `default` (built in) or a folder under `themes/`; a portal's own `themes/default/` wins over the built-in one.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Never empty; without the key, the four defaults of [`default_platforms`].
    #[serde(default = "default_platforms")]
    pub platforms: Vec<Platform>,
    /// Articles with at least this many `##`/`###` headings get a table of contents.
    #[serde(default = "default_toc_min_headings")]
    pub toc_min_headings: usize,
    /// Where `lotse build --internal` writes, relative to the portal: by default `public-intern/`.
    #[serde(default)]
    pub internal_output: Option<std::path::PathBuf>,
    /// How search understands teachers' words; absent means no synonyms.
    #[serde(default)]
    pub search: SearchSettings,
    /// The accessibility statement public bodies must publish (BITV 2.0); absent means none.
    #[serde(default)]
    pub accessibility: Option<AccessibilityStatement>,
    /// Whether the portal installs a service worker that keeps every page, image and the search
    /// usable offline; on by default, because school WLAN fails exactly when the WLAN how-to is needed.
    #[serde(default = "default_offline")]
    pub offline: bool,
    /// Where "Problem melden" sends a ticket; absent means the portal shows no ticket buttons at all.
    #[serde(default)]
    pub ticket: Option<TicketSettings>,
    /// What raw HTML in articles may do; `safe` unless the portal opts into `trusted`.
    #[serde(default)]
    pub raw_html: RawHtml,
}

/// The `accessibility:` section: what the statement (*Erklärung zur Barrierefreiheit*) says.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct AccessibilityStatement {
    /// Where visitors report barriers: an e-mail address or a web address (required by law).
    pub contact: String,
    /// How far the portal meets WCAG 2.1 AA.
    #[serde(default = "default_conformance")]
    pub status: Conformance,
    /// Content that is not accessible yet, and why, one entry each.
    #[serde(default)]
    pub issues: Vec<String>,
    /// How visitors get the content of those parts otherwise.
    #[serde(default)]
    pub alternatives: String,
    /// When the statement was prepared or last reviewed (YYYY-MM-DD).
    #[serde(default)]
    pub prepared: String,
    /// The state's enforcement body (*Schlichtungs-/Durchsetzungsstelle*): name and web address.
    #[serde(default)]
    pub enforcement: Option<EnforcementBody>,
}

/// Whether `text` is an `http(s)://` address with a host, safe to put into a link.
fn is_web_address(text: &str) -> bool {
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty() && !r.starts_with('/') && !r.chars().any(|c| c.is_whitespace() || matches!(c, '"' | '<' | '>'))
    })
}

/// The authority visitors turn to when their report gets no satisfying answer.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnforcementBody {
    /// Shown as the link text.
    pub name: String,
    /// Where the body's complaint procedure is described.
    pub url: String,
}

/// The three levels of conformance a statement may declare.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Conformance {
    /// Fully conforming with WCAG 2.1 AA.
    Full,
    /// Partially conforming: `issues` lists what is not.
    Partial,
    /// Not conforming.
    None,
}

fn default_conformance() -> Conformance {
    Conformance::Partial
}

/// The `search:` section: how the portal's search understands teachers' words.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchSettings {
    /// Groups of words that mean the same, one group per entry: `WLAN = WiFi = Internet`.
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// Whether the built-in school-IT vocabulary expands queries; on unless switched off.
    #[serde(default = "default_vocabulary")]
    pub vocabulary: bool,
    /// Ids of built-in vocabulary groups this portal does not want, such as `stift-koppeln`.
    #[serde(default)]
    pub vocabulary_off: Vec<String>,
    /// Whether the search also understands meaning (the semantic stage): `auto`, `on` or `off`.
    #[serde(default)]
    pub semantic: Semantic,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            synonyms: Vec::new(),
            vocabulary: true,
            vocabulary_off: Vec::new(),
            semantic: Semantic::default(),
        }
    }
}

/// `search.semantic`: whether the portal ships the semantic stage, which finds articles by
/// meaning when a teacher's words are not the article's, at the cost of a 19 MB download per
/// device (lazily, never on page load or with Save-Data).
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Semantic {
    /// On from [`SEMANTIC_AUTO_ARTICLES`] published articles: below that the words and the
    /// vocabulary find nearly everything (bundled holdout: 98 % success@3 without it, 100 % with
    /// it), above it paraphrases are what the lexical search misses (249 GNOME articles: 75 % to
    /// 85 %).
    #[default]
    Auto,
    On,
    Off,
}

/// The portal size from which `semantic: auto` switches the semantic stage on.
pub const SEMANTIC_AUTO_ARTICLES: usize = 150;

impl Semantic {
    /// Whether a portal of `articles` published articles ships the semantic stage.
    pub fn enabled(self, articles: usize) -> bool {
        match self {
            Semantic::Auto => articles >= SEMANTIC_AUTO_ARTICLES,
            Semantic::On => true,
            Semantic::Off => false,
        }
    }
}

fn default_vocabulary() -> bool {
    true
}

impl SearchSettings {
    /// The synonym groups as word lists.
    pub fn synonym_groups(&self) -> Vec<Vec<String>> {
        self.synonyms
            .iter()
            .map(|line| line.split('=').map(|w| w.trim().to_string()).filter(|w| !w.is_empty()).collect::<Vec<_>>())
            .filter(|group| group.len() > 1)
            .collect()
    }

    /// What the search runtime needs: the portal's groups and the vocabulary settings.
    pub fn engine_config(&self) -> search_index::engine::SearchConfig {
        search_index::engine::SearchConfig {
            synonyms: self.synonym_groups(),
            vocabulary: self.vocabulary,
            vocabulary_off: self.vocabulary_off.clone(),
            weights: search_index::ranking::RankingWeights::default(),
        }
    }
}

fn default_offline() -> bool {
    true
}

fn default_theme() -> String {
    "default".to_string()
}

fn default_toc_min_headings() -> usize {
    3
}

/// The platforms a new portal starts with: what nearly every German school authority supports.
pub fn default_platforms() -> Vec<Platform> {
    let p = |id: &str, name: &str, description: &str, icon: &str, order| Platform {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        icon: icon.into(),
        order,
    };
    vec![
        p("iserv", "IServ", "Anmeldung, Passwort, E-Mail, Dateien, Aufgaben und Videokonferenzen", "iserv", 10),
        p(
            "office365",
            "Office 365 / Microsoft 365",
            "Teams, Outlook, OneDrive, Office-Apps und die Anmeldung mit MFA",
            "office365",
            20,
        ),
        p("ipad", "iPad", "Dienst-iPads: WLAN, Apps, Bildschirm spiegeln und Apple Pencil", "ipad", 30),
        p("allgemein", "Allgemein", "WLAN, Drucker, Displays und Beamer im Klassenraum", "general", 40),
    ]
}

impl Config {
    /// Reads and validates `lotse.yaml` in `root`, reporting every problem at once.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let file = root.join(CONFIG_FILE);
        let rel = PathBuf::from(CONFIG_FILE);
        let text = match std::fs::read(&file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    return Err(vec![Diagnostic::error(&rel, "the config file is not UTF-8 text")
                        .help("save lotse.yaml as UTF-8 in your editor")])
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(vec![Diagnostic::error(&rel, format!("no {CONFIG_FILE} found in {}", root.display()))
                    .help("run `lotse init DIR` for a new portal, or pass --root with the portal folder")]);
            }
            Err(e) => return Err(vec![Diagnostic::error(&rel, format!("cannot read the config file: {e}"))]),
        };
        Self::parse(&rel, &text)
    }

    /// Parses config text; `path` is only used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let source = YamlSource { path, file_text: text, yaml: text, first_line: 1 };
        let (config, mut problems) = source.parse_lenient::<Config>(check_config_keys);
        let Some(config) = config else { return Err(problems) };
        // The settings that parsed are checked too; a wrong value was replaced by a harmless one,
        // whose own complaints (on a line already reported) would only repeat the first.
        let reported: Vec<usize> = problems.iter().map(|d| d.line).collect();
        problems.extend(config.validate(&source).into_iter().filter(|d| !reported.contains(&d.line)));
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    fn validate(&self, source: &YamlSource) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        if self.title.trim().is_empty() {
            problems.push(
                source
                    .error_at_key("title", "the portal title is empty")
                    .help("for example `title: Hilfe für Lehrkräfte`"),
            );
        }
        if self.platforms.is_empty() {
            problems.push(
                source
                    .error_at_key("platforms", "at least one platform is needed")
                    .help("remove `platforms:` to use the default platforms"),
            );
        }
        for line in &self.search.synonyms {
            if line.split('=').filter(|w| !w.trim().is_empty()).count() < 2 {
                problems.push(
                    source
                        .error_at_value(
                            "synonyms",
                            line.trim(),
                            format!("synonym group `{}` has only one word", line.trim()),
                        )
                        .help("write words that mean the same with `=` between them: `WLAN = WiFi = Internet`"),
                );
            }
        }
        if !self.search.vocabulary_off.is_empty() {
            let builtin = search_index::vocabulary::Vocabulary::builtin();
            let ids: Vec<&str> = builtin.groups().iter().map(|g| g.id.as_str()).collect();
            for id in &self.search.vocabulary_off {
                if !builtin.has_group(id) {
                    let problem = source.error_at_value("vocabulary_off", id, format!("no vocabulary group `{id}`"));
                    problems.push(match did_you_mean(id, ids.iter().copied()) {
                        Some(close) => problem.help(format!("did you mean `{close}`?")),
                        None => problem.help("the group ids are in search-index/vocabulary/de.txt, before each colon"),
                    });
                }
            }
        }
        if let Some(statement) = &self.accessibility {
            let contact = statement.contact.trim();
            // It becomes a link: an e-mail address (mailto:) or a web address, nothing that runs.
            let looks_right = is_web_address(contact) || crate::config::ticket::is_email_address(contact);
            if !looks_right {
                problems.push(
                    source
                        .error_at_key("contact", format!("`{contact}` is neither an e-mail address nor a web address"))
                        .help("the statement must name where visitors report barriers, such as `contact: barrierefreiheit@schule.example`"),
                );
            }
            if let Some(body) = &statement.enforcement {
                if !is_web_address(body.url.trim()) {
                    problems.push(
                        source
                            .error_at_value("url", &body.url, format!("`{}` is not a web address", body.url))
                            .help("the enforcement body's page, such as `url: https://www.schlichtungsstelle-bgg.de/`"),
                    );
                }
            }
            if !statement.prepared.is_empty()
                && chrono::NaiveDate::parse_from_str(&statement.prepared, "%Y-%m-%d").is_err()
            {
                problems.push(
                    source.error_at_value("prepared", &statement.prepared, "not a date").help("write YYYY-MM-DD"),
                );
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for platform in &self.platforms {
            let id = platform.id.as_str();
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
                problems.push(
                    source
                        .error_at_value("id", id, format!("platform id `{id}` is not a valid folder and URL name"))
                        .help(format!(
                            "use lowercase letters, digits and dashes, for example `{}`",
                            search_index::slugify(id)
                        )),
                );
            }
            if RESERVED_PATHS.contains(&id) {
                problems.push(
                    source
                        .error_at_value("id", id, format!("platform id `{id}` is used by Lotse itself"))
                        .help(format!("choose another id; reserved are: {}", RESERVED_PATHS.join(", "))),
                );
            }
            if seen.contains(&id) {
                problems.push(source.error_at_value("id", id, format!("platform `{id}` is listed twice")));
            }
            seen.push(id);
        }
        if let Some(ticket) = &self.ticket {
            let ids: Vec<&str> = self.platforms.iter().map(|p| p.id.as_str()).collect();
            problems.extend(ticket.validate(source, &ids));
        }
        let theme = self.theme.as_str();
        if theme.is_empty() || theme == "." || theme == ".." || theme.contains(['/', '\\', ':']) {
            problems.push(
                source
                    .error_at_value("theme", theme, format!("`{theme}` is not the name of a theme folder"))
                    .help("name a folder directly inside the portal's `themes/`, such as `theme: schulamt`, or use `theme: default`"),
            );
        }
        if let Some(url) = &self.base_url {
            if !(url.starts_with("http://") || url.starts_with("https://") || url.starts_with('/')) {
                problems.push(
                    source
                        .error_at_key("base_url", format!("base_url `{url}` is neither an absolute URL nor a path"))
                        .help("for example `base_url: https://hilfe.schule.example/` or `base_url: /hilfe/`"),
                );
            }
        }
        problems
    }

    /// Looks up a platform by id.
    pub fn platform(&self, id: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.id == id)
    }

    /// The closest platform id to a misspelled one.
    pub fn suggest_platform(&self, id: &str) -> Option<&str> {
        did_you_mean(id, self.platforms.iter().map(|p| p.id.as_str()))
    }

    /// Help for an unknown platform id: the closest one, else the list of all.
    pub fn platform_help(&self, id: &str) -> String {
        match self.suggest_platform(id) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!(
                "known platforms: {}",
                self.platforms.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    /// Platforms in home-page order.
    pub fn platforms_in_order(&self) -> Vec<&Platform> {
        let mut list: Vec<&Platform> = self.platforms.iter().collect();
        list.sort_by_key(|p| p.order);
        list
    }
}

fn check_config_keys(source: &YamlSource, value: &Value) -> Vec<Diagnostic> {
    let Some(map) = value.as_mapping() else { return Vec::new() };
    let mut problems = source.unknown_keys(map, CONFIG_KEYS, "setting");
    if let Some(Value::Mapping(statement)) = map.get("accessibility") {
        problems.extend(source.unknown_keys(statement, ACCESSIBILITY_KEYS, "accessibility setting"));
    }
    if let Some(Value::Mapping(ticket)) = map.get("ticket") {
        problems.extend(source.unknown_keys(ticket, TICKET_KEYS, "ticket setting"));
        if let Some(Value::Mapping(routes)) = ticket.get("routes") {
            for route in routes.values().filter_map(Value::as_mapping) {
                problems.extend(source.unknown_keys(route, ROUTE_KEYS, "ticket route setting"));
            }
        }
    }
    if let Some(Value::Mapping(search)) = map.get("search") {
        problems.extend(source.unknown_keys(search, SEARCH_KEYS, "search setting"));
    }
    if let Some(Value::Sequence(platforms)) = map.get("platforms") {
        for entry in platforms {
            if let Some(entry) = entry.as_mapping() {
                problems.extend(source.unknown_keys(entry, PLATFORM_KEYS, "platform setting"));
            }
        }
    }
    problems
}

/// Normalises a base URL to end with exactly one `/`.
pub fn normalize_base_url(url: &str) -> String {
    format!("{}/", url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(Path::new("lotse.yaml"), text)
    }

    #[test]
    fn minimal_config_gets_default_platforms() {
        let config = parse("title: Hilfe\n").unwrap();
        assert_eq!(config.language, Language::De);
        let ids: Vec<_> = config.platforms.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["iserv", "office365", "ipad", "allgemein"]);
    }

    #[test]
    fn unknown_keys_get_suggestions_with_lines() {
        let problems = parse("title: Hilfe\nlangauge: de\nplatforms:\n  - id: ipad\n    nmae: iPad\n").unwrap_err();
        // The missing `name` is the misspelt `nmae`: reported once, not again as missing.
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].line, 2);
        assert_eq!(problems[0].help.as_deref(), Some("did you mean `language`?"));
        assert_eq!(problems[1].line, 5);
        assert_eq!(problems[1].help.as_deref(), Some("did you mean `name`?"));
    }

    #[test]
    fn rejects_reserved_and_invalid_platform_ids() {
        let problems =
            parse("title: X\nplatforms:\n  - id: tags\n    name: T\n  - id: Mein Tablet\n    name: M\n").unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].message.contains("used by Lotse itself"));
        assert_eq!(problems[0].line, 3);
        assert_eq!(
            problems[1].help.as_deref(),
            Some("use lowercase letters, digits and dashes, for example `mein-tablet`")
        );
    }

    #[test]
    fn synonym_groups_are_split_and_checked() {
        let config =
            parse("title: X\nsearch:\n  synonyms:\n    - WLAN = WiFi = Internet\n    - Kennwort=Passwort\n").unwrap();
        assert_eq!(config.search.synonym_groups(), [vec!["WLAN", "WiFi", "Internet"], vec!["Kennwort", "Passwort"]]);
        // The unknown key and the one-word group are both reported, at once.
        let problems = parse("title: X\nsearch:\n  synonyms:\n    - WLAN\n  synonym: []\n").unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].help.as_deref(), Some("did you mean `synonyms`?"));
        let problems = parse("title: X\nsearch:\n  synonyms:\n    - WLAN\n").unwrap_err();
        assert_eq!((problems[0].line, problems[0].message.as_str()), (4, "synonym group `WLAN` has only one word"));
    }

    #[test]
    fn ticket_section_is_checked_completely() {
        let config = parse(
            "title: X\nticket:\n  email: it@schule.example\n  routes:\n    ipad:\n      email: mdm@schule.example\n  fields:\n    school: required\n    room: optional\n",
        )
        .unwrap();
        let ticket = config.ticket.unwrap();
        let fields: Vec<_> = ticket.form_fields().into_iter().map(|f| (f.id, f.required)).collect();
        assert_eq!(fields, [("school".to_string(), true), ("room".to_string(), false)]);

        let problems = parse(concat!(
            "title: X\n",
            "ticket:\n",
            "  url: https://helpdesk.example/new?title={subjekt}&text={body}\n",
            "  subject: \"{platform} {summry}\"\n",
            "  routes:\n",
            "    ipda:\n",
            "      email: mdm at schule\n",
            "  fields:\n",
            "    schule: required\n",
            "    room: maybe\n",
            "  feedback_url: /feedback?helpful={helpfull}\n",
        ))
        .unwrap_err();
        let found: Vec<(usize, &str, Option<&str>)> =
            problems.iter().map(|p| (p.line, p.message.as_str(), p.help.as_deref())).collect();
        let expect = |line: usize, message: &str, help: Option<&str>| {
            assert!(
                found.iter().any(|(l, m, h)| *l == line && m.contains(message) && (help.is_none() || *h == help)),
                "no `{message}` at line {line} in {found:#?}"
            );
        };
        expect(3, "unknown placeholder `{subjekt}` in `url`", Some("did you mean `{subject}`?"));
        expect(4, "unknown placeholder `{summry}` in `subject`", Some("did you mean `{summary}`?"));
        expect(6, "ticket route for unknown platform `ipda`", Some("did you mean `ipad`?"));
        expect(7, "`mdm at schule` is not an e-mail address", None);
        expect(9, "unknown ticket field `schule`", Some("did you mean `school`?"));
        expect(10, "ticket field `room` must be `required` or `optional`", None);
        expect(11, "unknown placeholder `{helpfull}` in `feedback_url`", Some("did you mean `{helpful}`?"));
        assert_eq!(problems.len(), 7, "{found:#?}");

        let problems = parse("title: X\nticket:\n  help: Ruf an\n").unwrap_err();
        assert_eq!(problems[0].message, "the ticket section names no helpdesk");
        let problems = parse("title: X\nticket:\n  email: a@b.example\n  url: https://x.example/\n").unwrap_err();
        assert!(problems[0].message.contains("both `email` and `url`"));
    }

    #[test]
    fn vocabulary_groups_switched_off_must_exist() {
        let config = parse("title: X\nsearch:\n  vocabulary_off: [apple-pencil]\n").unwrap();
        assert_eq!(config.search.engine_config().vocabulary_off, ["apple-pencil"]);
        assert!(config.search.vocabulary);
        let problems = parse("title: X\nsearch:\n  vocabulary_off:\n    - apple-pencl\n").unwrap_err();
        assert_eq!(problems[0].line, 4, "{problems:?}");
        assert_eq!(problems[0].help.as_deref(), Some("did you mean `apple-pencil`?"));
        assert!(!parse("title: X\nsearch:\n  vocabulary: false\n").unwrap().search.vocabulary);
        assert_eq!(parse("title: X\n").unwrap().search.semantic, Semantic::Auto);
        assert_eq!(parse("title: X\nsearch:\n  semantic: on\n").unwrap().search.semantic, Semantic::On);
        assert!(parse("title: X\nsearch:\n  semantic: maybe\n").is_err(), "an unknown mode is an error");
    }

    #[test]
    fn a_theme_is_a_folder_name_inside_themes() {
        for bad in ["../../x", "/etc", "a/b", "..", "C:\\themes"] {
            let problems = parse(&format!("title: X\ntheme: \"{bad}\"\n")).unwrap_err();
            assert_eq!(problems[0].line, 2, "{bad}: {problems:?}");
            assert!(problems[0].message.contains("is not the name of a theme folder"), "{problems:?}");
        }
        assert!(parse("title: X\ntheme: schulamt\n").is_ok());
    }

    #[test]
    fn unsupported_language_is_an_error() {
        let problems = parse("title: X\nlanguage: fr\n").unwrap_err();
        assert_eq!(problems[0].line, 2, "{problems:?}");
        assert_eq!(problems[0].message, "`fr` is not a value `language` knows", "{problems:?}");
        assert_eq!(problems[0].help.as_deref(), Some("use one of: `de` or `en`"));
    }
}
