//! Content loading: discovers articles and files under `content/` and validates their front matter.
//!
//! Everything is loaded before anything is rendered, so that later stages (link checks, related
//! articles, platform lists) see the whole portal. Problems are collected per file and reported
//! together; a file with broken front matter is left out of the model but never stops the scan.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use walkdir::WalkDir;

use crate::config::{Config, RESERVED_PATHS};
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::yaml::YamlSource;

/// The folder under the portal root that holds articles and their files.
pub const CONTENT_DIR: &str = "content";

/// Front-matter keys an article may use.
pub const FRONT_MATTER_KEYS: &[&str] = &[
    "title",
    "summary",
    "platform",
    "audience",
    "tags",
    "keywords",
    "updated",
    "draft",
    "internal",
    "featured",
    "weight",
    "aliases",
    "owner",
    "review_every",
    "review_by",
];

/// How many months after `updated` an article without `review_every` or `review_by` is due
/// for a check: the default of `lotse check --stale-after`.
pub const DEFAULT_REVIEW_MONTHS: u32 = 12;

/// The longest review interval `review_every` accepts, in months: five years.
pub const MAX_REVIEW_MONTHS: u32 = 60;

/// Who an article is written for; `technicians` alone does not hide an article (use `internal`).
pub const AUDIENCES: &[&str] = &["teachers", "students", "staff", "technicians"];

#[derive(Debug, Default, Deserialize)]
struct RawFrontMatter {
    title: Option<String>,
    #[serde(default)]
    summary: String,
    platform: Option<String>,
    #[serde(default)]
    audience: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    updated: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    internal: bool,
    #[serde(default)]
    featured: bool,
    #[serde(default)]
    weight: Option<i64>,
    #[serde(default)]
    aliases: Vec<String>,
    owner: Option<String>,
    review_every: Option<u32>,
    review_by: Option<String>,
}

/// One how-to article, with its validated front matter and its Markdown body.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the portal root, such as `content/ipad/wlan-verbinden.md`.
    pub source: PathBuf,
    /// Path relative to `content/`, the key that `.md` links resolve to.
    pub content_path: PathBuf,
    /// The whole file, kept for diagnostics with code frames.
    pub source_text: String,
    /// Byte offset in `source_text` where the Markdown body starts.
    pub body_offset: usize,
    /// Trimmed and never empty: the page's `<h1>`, the card title and the strongest search field.
    pub title: String,
    /// Trimmed, may be empty: the lead under the title, the card text and the meta description.
    pub summary: String,
    /// A platform id from `lotse.yaml`: from `platform:` in the front matter, else the first folder.
    pub platform: String,
    /// The last URL segment: the file name, or the folder name for an `index.md` bundle, slugified.
    pub slug: String,
    /// Output path relative to the site root, always ending in `/`: `ipad/wlan-verbinden/`.
    pub url: String,
    /// Values from [`AUDIENCES`]; pages show them through the theme strings `audience_<value>`.
    pub audience: Vec<String>,
    /// Trimmed and deduplicated as written; the first tag groups the article on its platform page.
    pub tags: Vec<String>,
    /// The words teachers type but the text may lack ("Kennwort"); searched with high weight, not shown by default.
    pub keywords: Vec<String>,
    /// When the article was last checked; orders the home page's recent list and feeds `check --stale-after`.
    pub updated: Option<NaiveDate>,
    /// Published only with `--drafts`; see [`Page::is_public`].
    pub draft: bool,
    /// For technicians only: never published, not even with `--drafts`; public articles must not link here.
    pub internal: bool,
    /// Listed on the home page among the frequent problems ("Häufige Probleme").
    pub featured: bool,
    /// Order inside a platform, lower first; articles without one come after all weighted ones
    /// (as in Hugo), so a technician can pin a few articles to the top without numbering all.
    pub weight: Option<i64>,
    /// Old site paths without leading or trailing slash, such as `ipad/wifi`.
    pub aliases: Vec<String>,
    /// Who keeps the article current: a person or team, optionally with an address in `<…>`.
    pub owner: Option<String>,
    /// When the article is due for its next check; see [`Review`].
    pub review: Review,
}

/// When an article must be checked again, from its front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    /// The portal-wide default (`lotse check --stale-after`) counted from `updated`.
    Default,
    /// `review_every: N`: N months after `updated`.
    EveryMonths(u32),
    /// `review_by: YYYY-MM-DD`: on that date, whatever `updated` says.
    By(NaiveDate),
}

impl Page {
    /// The sort key of the display order inside a platform or tag: weighted articles first, by
    /// weight, then the others; ties by title.
    pub fn display_order(&self) -> (bool, i64, String) {
        (self.weight.is_none(), self.weight.unwrap_or(0), self.title.to_lowercase())
    }

    /// The day this article is due for its next check, with `default_months` for articles that
    /// set neither `review_every` nor `review_by`; `None` when it has no `updated` date to count from.
    pub fn review_due(&self, default_months: u32) -> Option<NaiveDate> {
        let months = match self.review {
            Review::By(date) => return Some(date),
            Review::EveryMonths(months) => months,
            Review::Default => default_months,
        };
        self.updated?.checked_add_months(chrono::Months::new(months))
    }

    /// The Markdown body after the front matter.
    pub fn body(&self) -> &str {
        &self.source_text[self.body_offset..]
    }

    /// Whether this page goes into the public output.
    pub fn is_public(&self, include_drafts: bool) -> bool {
        self.is_included(include_drafts, false)
    }

    /// Whether this page goes into an output that includes drafts and internal articles or not.
    pub fn is_included(&self, include_drafts: bool, include_internal: bool) -> bool {
        (include_internal || !self.internal) && (include_drafts || !self.draft)
    }

    /// The folder, relative to `content/`, that relative links in this article start from.
    pub fn content_dir(&self) -> &Path {
        self.content_path.parent().unwrap_or(Path::new(""))
    }
}

/// All articles and other files of a portal, as read from disk.
#[derive(Debug, Default)]
pub struct Content {
    /// Articles sorted by source path.
    pub pages: Vec<Page>,
    /// Files other than articles (images, PDFs), relative to `content/`, sorted.
    pub assets: Vec<PathBuf>,
}

/// Reads every article and file under `root/content`, collecting problems in `problems`.
pub fn load(root: &Path, config: &Config, problems: &mut Vec<Diagnostic>) -> Content {
    let content_dir = root.join(CONTENT_DIR);
    let mut content = Content::default();
    if !content_dir.is_dir() {
        problems.push(
            Diagnostic::error(CONTENT_DIR, "the portal has no content folder")
                .help("create `content/<platform>/<article>.md`, or run `lotse init` for an example"),
        );
        return content;
    }
    let canonical_root = dunce::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let walker = WalkDir::new(&content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    let mut article_files = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().map(|p| relative(root, p)).unwrap_or_else(|| PathBuf::from(CONTENT_DIR));
                problems.push(Diagnostic::error(path, format!("cannot read: {e}")));
                continue;
            }
        };
        let path = entry.path();
        let rel_to_root = relative(root, path);
        if entry.path_is_symlink() {
            match dunce::canonicalize(path) {
                Ok(target) if target.starts_with(&canonical_root) && target.is_file() => {}
                Ok(target) if target.starts_with(&canonical_root) => {
                    problems.push(
                        Diagnostic::warning(&rel_to_root, "skipped a symbolic link to a folder")
                            .help("Lotse follows links to files only, so that content cannot loop"),
                    );
                    continue;
                }
                Ok(_) => {
                    problems.push(
                        Diagnostic::warning(&rel_to_root, "skipped a symbolic link that points outside the portal")
                            .help("copy the file into the portal instead, so that nothing outside it is published"),
                    );
                    continue;
                }
                Err(e) => {
                    problems.push(
                        Diagnostic::warning(&rel_to_root, format!("skipped a symbolic link that cannot be followed: {e}"))
                            .help("it loops back on itself or points to nothing; remove it or point it to a file in the portal"),
                    );
                    continue;
                }
            }
        } else if !entry.file_type().is_file() {
            continue;
        }
        let content_rel = relative(&content_dir, path);
        if path.extension().is_some_and(|e| e == "md") {
            article_files.push((rel_to_root, content_rel, path.to_path_buf()));
        } else {
            if config.raw_html == crate::config::RawHtml::Safe {
                problems.extend(crate::raw_html::check_asset(&rel_to_root, path));
            }
            content.assets.push(content_rel);
        }
    }

    let loaded: Vec<(Option<Page>, Vec<Diagnostic>)> = {
        use rayon::prelude::*;
        article_files.par_iter().map(|(rel, content_rel, abs)| load_page(rel, content_rel, abs, config)).collect()
    };
    for (page, mut found) in loaded {
        // An article with problems still goes on to rendering, so that its body is checked too;
        // the build stops before writing anything.
        content.pages.extend(page);
        problems.append(&mut found);
    }
    check_duplicates(&content.pages, problems);
    content
}

/// `path` relative to `base`, or `path` itself when it lies elsewhere.
pub fn relative(base: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(base).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

/// Reads and validates one article file (see [`parse_page`]).
pub fn load_page(rel: &Path, content_rel: &Path, abs: &Path, config: &Config) -> (Option<Page>, Vec<Diagnostic>) {
    let bytes = match std::fs::read(abs) {
        Ok(bytes) => bytes,
        Err(e) => return (None, vec![Diagnostic::error(rel, format!("cannot read: {e}"))]),
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let (line, column) = crate::diagnostics::line_column(&prefix, valid);
            return (
                None,
                vec![Diagnostic::error(rel, "the file is not valid UTF-8 text")
                    .at(&lossy, line, column)
                    .help("save the file as UTF-8 in your editor (Windows editors sometimes save as ANSI/Latin-1)")],
            );
        }
    };
    parse_page(rel, content_rel, with_line_feeds(text), config)
}

/// `path` with `.` and `..` resolved without touching the disk; `None` when it climbs out.
pub fn normalize_lexically(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut resolved = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => resolved.push(part),
            Component::ParentDir => {
                if !resolved.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(resolved)
}

/// Old Mac files end lines with a lone CR; as line feeds they parse like any other file. Both are
/// one byte, so every offset stays where it was.
pub(crate) fn with_line_feeds(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let bytes = text.as_bytes();
    let fixed: Vec<u8> = bytes
        .iter()
        .enumerate()
        .map(|(i, &b)| if b == b'\r' && bytes.get(i + 1) != Some(&b'\n') { b'\n' } else { b })
        .collect();
    String::from_utf8(fixed).unwrap_or(text)
}

/// Splits off the front matter and validates it. `text` is the whole file. Returns the article
/// with every problem found; the article is there, for its body to be checked too, whenever the
/// front matter could be found at all.
pub fn parse_page(rel: &Path, content_rel: &Path, text: String, config: &Config) -> (Option<Page>, Vec<Diagnostic>) {
    let (yaml_range, body_offset) = match split_front_matter(&text) {
        Ok(found) => found,
        Err(e) => return (None, vec![e.fill(rel, &text)]),
    };
    let yaml = &text[yaml_range.clone()];
    let first_line = text[..yaml_range.start].matches('\n').count() + 1;
    let source = YamlSource { path: rel, file_text: &text, yaml, first_line };
    // A mistake in the front matter must not hide the body's: the article is checked on with
    // what could be read, and its problems are reported together.
    let (raw, mut problems) = source.parse_lenient::<RawFrontMatter>(|s, v| match v.as_mapping() {
        Some(map) => s.unknown_keys(map, FRONT_MATTER_KEYS, "front matter field"),
        None => Vec::new(),
    });
    let front_matter_read = raw.is_some();
    let raw = raw.unwrap_or_default();

    let title = raw.title.clone().unwrap_or_default().trim().to_string();
    if title.is_empty() && front_matter_read {
        let d = if raw.title.is_some() {
            source.error_at_key("title", "the title is empty")
        } else {
            source.error_at(1, 1, "the article has no `title`")
        };
        problems.push(d.help("add a line such as `title: WLAN auf dem iPad verbinden` to the front matter"));
    }

    let (platform, slug) = platform_and_slug(content_rel, raw.platform.as_deref());
    let platform = match platform {
        Some(p) if config.platform(&p).is_some() => p,
        Some(p) => {
            let mut d = if raw.platform.is_some() {
                source.error_at_value("platform", &p, format!("unknown platform `{p}`"))
            } else {
                Diagnostic::error(rel, format!("unknown platform `{p}` (from the folder name)")).at(&text, 1, 1)
            };
            d = match config.suggest_platform(&p) {
                Some(best) => {
                    d.help(format!("did you mean `{best}`? Platforms are listed under `platforms:` in lotse.yaml"))
                }
                None => d.help(format!(
                    "known platforms: {}; add new ones under `platforms:` in lotse.yaml",
                    config.platforms.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ")
                )),
            };
            problems.push(d);
            String::new()
        }
        None if is_platform_index(content_rel) => {
            problems.push(
                Diagnostic::error(rel, format!("`{}` would replace the platform's own page", content_rel.display()))
                    .at(&text, 1, 1)
                    .help("Lotse makes the platform page from `lotse.yaml` and lists the articles there; give this article a name of its own, such as `ueberblick.md`"),
            );
            String::new()
        }
        None => {
            problems.push(
                Diagnostic::error(rel, "the article is not in a platform folder")
                    .at(&text, 1, 1)
                    .help("move it to `content/<platform>/`, or set `platform:` in its front matter"),
            );
            String::new()
        }
    };
    if slug.is_empty() {
        problems.push(
            Diagnostic::error(rel, "the file name gives an empty URL")
                .help("name the file with letters or digits, such as `wlan-verbinden.md`"),
        );
    }

    for value in &raw.audience {
        if !AUDIENCES.contains(&value.as_str()) {
            let mut d = source.error_at_value("audience", value, format!("unknown audience `{value}`"));
            d = match did_you_mean(value, AUDIENCES.iter().copied()) {
                Some(best) => d.help(format!("did you mean `{best}`?")),
                None => d.help(format!("use any of: {}", AUDIENCES.join(", "))),
            };
            problems.push(d);
        }
    }

    let updated = match &raw.updated {
        None => None,
        Some(value) => match NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                problems.push(
                    source
                        .error_at_value("updated", value, format!("`{value}` is not a date"))
                        .help("write the date as YYYY-MM-DD, for example `updated: 2026-09-14`"),
                );
                None
            }
        },
    };

    let mut tags = Vec::new();
    for tag in &raw.tags {
        let tag = tag.trim();
        if search_index::slugify(tag).is_empty() {
            problems.push(source.error_at_key("tags", format!("tag `{tag}` has no letters or digits")));
        } else if !tags.iter().any(|t: &String| t == tag) {
            tags.push(tag.to_string());
        }
    }

    let mut aliases = Vec::new();
    for alias in &raw.aliases {
        match normalize_alias(alias) {
            Some(path) => aliases.push(path),
            None => problems.push(
                source
                    .error_at_value("aliases", alias, format!("alias `{alias}` is not a path inside the site"))
                    .help("write old addresses as site paths, such as `/ipad/wifi/`"),
            ),
        }
    }

    let owner = raw.owner.as_deref().and_then(|owner| match check_owner(owner) {
        Ok(owner) => Some(owner),
        Err(why) => {
            problems.push(source.error_at_value("owner", owner, why).help(
                "write a person or team, optionally with an e-mail address: `owner: Anna Schmidt <a.schmidt@schul-it.example>` or `owner: Team iPad`",
            ));
            None
        }
    });
    let review = match (raw.review_every, &raw.review_by) {
        (Some(_), Some(_)) => {
            problems.push(
                source
                    .error_at_key("review_by", "`review_every` and `review_by` both say when to check the article")
                    .help("keep one: `review_every: 12` (months after `updated`) or `review_by: 2027-03-01`"),
            );
            Review::Default
        }
        (Some(months), None) if months == 0 || months > MAX_REVIEW_MONTHS => {
            problems.push(
                source
                    .error_at_key("review_every", format!("`review_every: {months}` is not a number of months from 1 to {MAX_REVIEW_MONTHS}"))
                    .help("write how many months after `updated` the article is checked again, such as `review_every: 12`"),
            );
            Review::Default
        }
        (Some(months), None) => Review::EveryMonths(months),
        (None, Some(value)) => match NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
            Ok(date) => Review::By(date),
            Err(_) => {
                problems.push(
                    source
                        .error_at_value("review_by", value, format!("`{value}` is not a date"))
                        .help("write the date as YYYY-MM-DD, for example `review_by: 2027-03-01`"),
                );
                Review::Default
            }
        },
        (None, None) => Review::Default,
    };

    let url = format!("{platform}/{slug}/");
    let page = Page {
        source: rel.to_path_buf(),
        content_path: content_rel.to_path_buf(),
        body_offset,
        title,
        summary: raw.summary.trim().to_string(),
        platform,
        slug,
        url,
        audience: raw.audience,
        tags,
        keywords: raw.keywords.into_iter().map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect(),
        updated,
        draft: raw.draft,
        internal: raw.internal,
        featured: raw.featured,
        weight: raw.weight,
        aliases,
        owner,
        review,
        source_text: text,
    };
    (Some(page), problems)
}

/// An `owner` as written, trimmed, or why it is not one: a name of a person or team on one line,
/// optionally followed by one e-mail address in angle brackets.
fn check_owner(owner: &str) -> Result<String, String> {
    let owner = owner.trim();
    if owner.is_empty() {
        return Err("`owner` is empty".into());
    }
    if owner.contains(['\n', '\r']) {
        return Err("`owner` spans several lines".into());
    }
    if owner.chars().count() > 100 {
        return Err("`owner` is longer than 100 characters".into());
    }
    let (name, address) = match owner.split_once('<') {
        Some((name, rest)) => match rest.strip_suffix('>') {
            Some(address) => (name.trim(), Some(address.trim())),
            None => return Err(format!("`{owner}` opens `<` but does not end with `>`")),
        },
        None => (owner, None),
    };
    if name.is_empty() || !name.chars().any(char::is_alphabetic) {
        return Err(format!("`{owner}` names no person or team"));
    }
    if name.contains(['<', '>', '@']) {
        return Err(format!("`{owner}`: write an e-mail address in angle brackets after the name"));
    }
    if let Some(address) = address {
        let valid = address.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        }) && !address.contains(char::is_whitespace)
            && !address.contains(['<', '>']);
        if !valid {
            return Err(format!("`{address}` is not an e-mail address"));
        }
    }
    Ok(owner.to_string())
}

/// A front-matter problem found before the file's path is known to the splitter.
pub(crate) struct SplitError {
    offset: usize,
    message: &'static str,
    help: &'static str,
}

impl SplitError {
    pub(crate) fn fill(self, rel: &Path, text: &str) -> Diagnostic {
        Diagnostic::error(rel, self.message).at_offset(text, self.offset).help(self.help)
    }
}

/// Finds the YAML between the opening and closing `---` lines and where the body starts.
pub(crate) fn split_front_matter(text: &str) -> Result<(std::ops::Range<usize>, usize), SplitError> {
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let rest = &text[start..];
    let first_line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if rest[..first_line_end].trim_end() != "---" {
        return Err(SplitError {
            offset: start,
            message: "the article has no front matter",
            help: "start the file with a `---` line, then `title: ...`, then another `---` line",
        });
    }
    let yaml_start = start + first_line_end;
    let mut offset = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Ok((yaml_start..offset, offset + line.len()));
        }
        offset += line.len();
    }
    Err(SplitError {
        offset: start,
        message: "the front matter is never closed",
        help: "add a line with only `---` after the last front-matter field",
    })
}

/// Whether the article is `<platform>/index.md`, where the platform page itself is generated.
fn is_platform_index(content_rel: &Path) -> bool {
    content_rel.components().count() == 2 && content_rel.file_stem().is_some_and(|s| s == "index")
}

/// Platform (from front matter or the first folder) and slug (from the file or bundle folder name).
fn platform_and_slug(content_rel: &Path, declared: Option<&str>) -> (Option<String>, String) {
    let parts: Vec<String> = content_rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let file_stem = content_rel.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    // `ipad/wlan/index.md` is a bundle: the article and its images share the folder `wlan/`.
    let name = if file_stem == "index" && parts.len() >= 2 { parts[parts.len() - 2].clone() } else { file_stem };
    let folder_platform =
        if parts.len() >= 2 && !(parts.len() == 2 && name == parts[0]) { Some(parts[0].clone()) } else { None };
    let platform = declared.map(str::to_string).or(folder_platform);
    (platform, search_index::slugify(&name))
}

/// `/ipad/wifi/` → `ipad/wifi`; rejects empty paths, URLs and paths that climb with `..`.
fn normalize_alias(alias: &str) -> Option<String> {
    let alias = alias.trim();
    if alias.contains("://")
        || alias.contains("..")
        || alias.contains('\\')
        || alias.contains('?')
        || alias.contains('#')
    {
        return None;
    }
    let path = alias.trim_matches('/').trim_end_matches("index.html").trim_matches('/');
    if path.is_empty() {
        None
    } else {
        Some(path.to_string())
    }
}

/// Two articles that would be written to the same URL, and aliases that collide with each other.
fn check_duplicates(pages: &[Page], problems: &mut Vec<Diagnostic>) {
    let mut by_url: HashMap<&str, &Page> = HashMap::new();
    for page in pages {
        if let Some(first) = by_url.get(page.url.as_str()) {
            problems.push(
                Diagnostic::error(&page.source, format!("duplicate URL `/{}`", page.url))
                    .at(&page.source_text, 1, 1)
                    .help(format!(
                        "{} has the same platform and file name; rename one of them",
                        first.source.display()
                    )),
            );
        } else {
            by_url.insert(&page.url, page);
        }
    }
    let mut aliases: HashMap<&str, &Page> = HashMap::new();
    for page in pages {
        for alias in &page.aliases {
            let as_url = format!("{alias}/");
            let clash = by_url.get(as_url.as_str()).map(|p| format!("the article {}", p.source.display()));
            let reserved = RESERVED_PATHS.contains(&alias.split('/').next().unwrap_or(""));
            let twice = aliases.get(alias.as_str()).map(|p| format!("an alias of {}", p.source.display()));
            if let Some(other) = clash.or(twice) {
                let source = YamlSource {
                    path: &page.source,
                    file_text: &page.source_text,
                    yaml: &page.source_text,
                    first_line: 1,
                };
                problems.push(
                    source
                        .error_at_value("aliases", alias, format!("alias `/{alias}/` is already taken by {other}"))
                        .help("remove the alias or change it"),
                );
            } else if reserved {
                let source = YamlSource {
                    path: &page.source,
                    file_text: &page.source_text,
                    yaml: &page.source_text,
                    first_line: 1,
                };
                problems.push(source.error_at_value(
                    "aliases",
                    alias,
                    format!("alias `/{alias}/` is a path Lotse uses itself"),
                ));
            }
            aliases.insert(alias, page);
        }
    }
}

/// Parses front matter of a string for tests and tools that have no file.
#[cfg(test)]
pub fn parse_for_test(content_rel: &str, text: &str) -> Result<Page, Vec<Diagnostic>> {
    let config = Config::parse(Path::new("lotse.yaml"), "title: T\n").unwrap();
    let rel = Path::new(CONTENT_DIR).join(content_rel);
    match parse_page(&rel, Path::new(content_rel), text.to_string(), &config) {
        (Some(page), problems) if problems.is_empty() => Ok(page),
        (_, problems) => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_complete_article() {
        let page = parse_for_test(
            "ipad/wlan-verbinden.md",
            "---\ntitle: WLAN verbinden\nsummary: Kurz.\naudience: [teachers]\ntags: [wlan, WLAN, einrichtung]\nupdated: 2026-10-14\naliases: [/ipad/wifi/]\n---\nText\n",
        )
        .unwrap();
        assert_eq!(page.platform, "ipad");
        assert_eq!(page.url, "ipad/wlan-verbinden/");
        assert_eq!(page.tags, ["wlan", "WLAN", "einrichtung"]);
        assert_eq!(page.aliases, ["ipad/wifi"]);
        assert_eq!(page.body(), "Text\n");
        assert_eq!(page.updated, NaiveDate::from_ymd_opt(2026, 10, 14));
    }

    #[test]
    fn bundles_take_the_folder_name() {
        let page = parse_for_test("iserv/drucken/index.md", "---\ntitle: Drucken\n---\n").unwrap();
        assert_eq!(page.url, "iserv/drucken/");
    }

    #[test]
    fn reports_all_front_matter_problems_with_lines() {
        let problems = parse_for_test(
            "ipda/x.md",
            "---\nsummary: ohne Titel\naudience: [teacher]\nupdated: 14.10.2026\nkeywrods: [a]\n---\n",
        )
        .unwrap_err();
        let summary: Vec<_> =
            problems.iter().map(|d| (d.line, d.message.as_str(), d.help.clone().unwrap_or_default())).collect();
        // An unknown key no longer hides the other problems: all five at once.
        assert_eq!(summary.len(), 5, "{summary:?}");
        assert!(summary.iter().any(|(line, _, help)| *line == 5 && help.contains("keywords")), "{summary:?}");
        assert!(
            summary.iter().any(|(line, message, _)| *line == 4 && message.contains("is not a date")),
            "{summary:?}"
        );

        let problems =
            parse_for_test("ipda/x.md", "---\nsummary: ohne Titel\naudience: [teacher]\nupdated: 14.10.2026\n---\n")
                .unwrap_err();
        let found: Vec<_> =
            problems.iter().map(|d| (d.line, d.message.clone(), d.help.clone().unwrap_or_default())).collect();
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found[0].1.contains("no `title`"));
        assert!(found[1].1.contains("unknown platform `ipda`") && found[1].2.contains("`ipad`"), "{found:?}");
        assert_eq!((found[2].0, found[2].2.as_str()), (3, "did you mean `teachers`?"));
        assert_eq!(found[3].0, 4);
    }

    #[test]
    fn missing_or_unclosed_front_matter_is_located() {
        let e = parse_for_test("ipad/a.md", "# Nur Text\n").unwrap_err();
        assert!(e[0].message.contains("no front matter"));
        let e = parse_for_test("ipad/a.md", "---\ntitle: A\n\nText\n").unwrap_err();
        assert!(e[0].message.contains("never closed"));
    }

    #[test]
    fn malformed_yaml_points_at_the_file_line() {
        let e = parse_for_test("ipad/a.md", "---\ntitle: A\ntags: [a, b\n---\n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].line >= 3, "{e:?}");
    }

    #[test]
    fn aliases_are_normalised_and_checked() {
        assert_eq!(normalize_alias("/ipad/wifi/"), Some("ipad/wifi".into()));
        assert_eq!(normalize_alias("/alt/index.html"), Some("alt".into()));
        assert_eq!(normalize_alias("../etc"), None);
        assert_eq!(normalize_alias("https://x.example/"), None);
    }
}
