//! Outage notices ("Aktuelle Störungen"): one Markdown file per notice in `notices/`, validated as
//! precisely as articles, and shown as banners, on the incidents page and in an Atom feed.
//!
//! A notice is an incident with a time frame: it is *active* from `start` until `end` (or open
//! ended) unless its status is `resolved`. Pages carry the notices as they were at build time, so
//! the portal works without JavaScript; each banner also carries its start and end, so that a
//! script can hide an ended one and show an upcoming one without a rebuild.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::content::{split_front_matter, with_line_feeds};
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::yaml::YamlSource;

/// The folder under the portal root that holds the notices.
pub const NOTICES_DIR: &str = "notices";

/// Front-matter keys a notice may use.
pub const NOTICE_KEYS: &[&str] = &["title", "start", "end", "status", "platforms", "locations", "article"];

/// The current and announced notices as JSON at the site root, fetched fresh by pages (network
/// first in the service worker), so that a page from the cache never shows an ended outage.
pub const NOTICES_JSON: &str = "notices.json";

/// How long a notice stays on the incidents page and in the feed after it ended.
pub const RECENT_DAYS: i64 = 30;

/// Where an incident stands, as status pages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Reported; the cause is not known yet.
    Investigating,
    /// The cause is known; a fix is on its way.
    Identified,
    /// Fixed; the team watches whether it holds.
    Monitoring,
    /// Over.
    Resolved,
}

/// The statuses as written in `status:`.
pub const STATUSES: &[&str] = &["investigating", "identified", "monitoring", "resolved"];

impl Status {
    fn parse(text: &str) -> Option<Status> {
        match text {
            "investigating" => Some(Status::Investigating),
            "identified" => Some(Status::Identified),
            "monitoring" => Some(Status::Monitoring),
            "resolved" => Some(Status::Resolved),
            _ => None,
        }
    }

    /// The theme string that names the status (`notice_status_<status>`).
    pub fn key(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Identified => "identified",
            Status::Monitoring => "monitoring",
            Status::Resolved => "resolved",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct RawNotice {
    title: Option<String>,
    start: Option<String>,
    end: Option<String>,
    status: Option<String>,
    #[serde(default)]
    platforms: Vec<String>,
    #[serde(default)]
    locations: Vec<String>,
    article: Option<String>,
}

/// One validated notice.
#[derive(Debug, Clone)]
pub struct Notice {
    /// The file name without `.md`, slugified: the anchor on the incidents page and the feed id.
    pub id: String,
    /// Path relative to the portal root, for messages.
    pub source: PathBuf,
    pub title: String,
    pub start: DateTime<FixedOffset>,
    pub end: Option<DateTime<FixedOffset>>,
    pub status: Status,
    /// Platform ids from `lotse.yaml`; never empty.
    pub platforms: Vec<String>,
    /// Affected schools or sites, as written.
    pub locations: Vec<String>,
    /// The how-to with the workaround, as a path relative to `content/` (`iserv/mail.md`).
    pub article: Option<PathBuf>,
    /// The body as HTML: explanation and dated updates, newest first. Raw HTML is shown as text.
    pub html: String,
    /// The newest time the notice names: the first `### YYYY-MM-DD HH:MM` update heading of the
    /// body, or `start`.
    pub updated: DateTime<FixedOffset>,
}

impl Notice {
    /// Whether the notice is an ongoing incident at `now`.
    pub fn is_active(&self, now: DateTime<FixedOffset>) -> bool {
        self.status != Status::Resolved && self.start <= now && self.end.is_none_or(|end| now < end)
    }

    /// Whether the incidents page and the feed still list it at `now`: active, upcoming, or ended
    /// less than [`RECENT_DAYS`] ago.
    pub fn is_recent(&self, now: DateTime<FixedOffset>) -> bool {
        let over = match (self.status, self.end) {
            (_, Some(end)) => Some(end),
            (Status::Resolved, None) => Some(self.updated),
            _ => None,
        };
        over.is_none_or(|over| now - over < chrono::Duration::days(RECENT_DAYS))
    }
}

/// Loads every notice of the portal (none without a `notices/` folder), reporting every problem.
pub fn load(root: &Path, config: &Config, articles: &[PathBuf], problems: &mut Vec<Diagnostic>) -> Vec<Notice> {
    let dir = root.join(NOTICES_DIR);
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .max_depth(1)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    let mut notices: Vec<Notice> = Vec::new();
    let mut ids: BTreeMap<String, PathBuf> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => with_line_feeds(text),
            Err(e) => {
                problems.push(Diagnostic::error(&rel, format!("cannot read the notice: {e}")));
                continue;
            }
        };
        let Some(notice) = parse(&rel, &text, config, articles, problems) else { continue };
        if let Some(first) = ids.get(&notice.id) {
            problems.push(
                Diagnostic::error(&rel, format!("duplicate notice id `{}`", notice.id))
                    .at(&text, 1, 1)
                    .help(format!("{} has the same id (its file name); rename one of the two files", first.display())),
            );
            continue;
        }
        ids.insert(notice.id.clone(), rel);
        notices.push(notice);
    }
    // Newest first, as a status page lists them.
    notices.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| a.id.cmp(&b.id)));
    notices
}

/// A date and time with its time zone, or why it is not one.
fn parse_time(text: &str) -> Result<DateTime<FixedOffset>, String> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time);
    }
    let without_zone = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .any(|format| NaiveDateTime::parse_from_str(text, format).is_ok());
    if without_zone {
        Err(format!("`{text}` has no time zone"))
    } else {
        Err(format!("`{text}` is not a date and time"))
    }
}

const TIME_HELP: &str =
    "write date, time and time zone, such as `2026-12-07T08:10:00+01:00` (winter) or `2026-06-07T08:10:00+02:00` (summer)";

/// Parses and validates one notice; `None` when it cannot be used.
fn parse(
    rel: &Path,
    text: &str,
    config: &Config,
    articles: &[PathBuf],
    problems: &mut Vec<Diagnostic>,
) -> Option<Notice> {
    let (yaml_range, body_offset) = match split_front_matter(text) {
        Ok(found) => found,
        Err(e) => {
            problems.push(e.fill(rel, text));
            return None;
        }
    };
    let yaml = &text[yaml_range.clone()];
    let first_line = text[..yaml_range.start].matches('\n').count() + 1;
    let source = YamlSource { path: rel, file_text: text, yaml, first_line };
    let (raw, found) = source.parse_lenient::<RawNotice>(|s, v| match v.as_mapping() {
        Some(map) => s.unknown_keys(map, NOTICE_KEYS, "notice field"),
        None => Vec::new(),
    });
    let before = problems.len();
    problems.extend(found);
    let raw = raw?;

    let title = raw.title.as_deref().unwrap_or("").trim().to_string();
    if title.is_empty() {
        problems.push(
            source
                .error_at(1, 1, "the notice has no `title`")
                .help("add `title:` with what is broken, such as `IServ-E-Mail: kein Versand`"),
        );
    }
    let mut time = |key: &str, value: &Option<String>| -> Option<DateTime<FixedOffset>> {
        let value = value.as_ref()?;
        match parse_time(value) {
            Ok(time) => Some(time),
            Err(why) => {
                problems.push(source.error_at_value(key, value, why).help(TIME_HELP));
                None
            }
        }
    };
    let start = time("start", &raw.start);
    let end = time("end", &raw.end);
    if raw.start.is_none() {
        problems.push(source.error_at(1, 1, "the notice has no `start`").help(TIME_HELP));
    }
    if let (Some(start), Some(end)) = (start, end) {
        if end <= start {
            problems.push(
                source
                    .error_at_key("end", format!("`end` ({end}) is not after `start` ({start})"))
                    .help("an incident ends after it starts; leave `end` out while it lasts"),
            );
        }
    }
    let status = match raw.status.as_deref().map(str::trim) {
        None => {
            problems.push(
                source
                    .error_at(1, 1, "the notice has no `status`")
                    .help(format!("add `status:` with one of: {}", STATUSES.join(", "))),
            );
            None
        }
        Some(value) => Status::parse(value).or_else(|| {
            let d = source.error_at_value("status", value, format!("unknown status `{value}`"));
            problems.push(match did_you_mean(value, STATUSES.iter().copied()) {
                Some(best) => d.help(format!("did you mean `{best}`?")),
                None => d.help(format!("use one of: {}", STATUSES.join(", "))),
            });
            None
        }),
    };
    if raw.platforms.is_empty() {
        problems.push(
            source
                .error_at(1, 1, "the notice names no `platforms`")
                .help("add the affected platforms, such as `platforms: [iserv]`, so that their pages show the notice"),
        );
    }
    let ids: Vec<&str> = config.platforms.iter().map(|p| p.id.as_str()).collect();
    for platform in &raw.platforms {
        if !ids.contains(&platform.as_str()) {
            let d = source.error_at_value("platforms", platform, format!("unknown platform `{platform}`"));
            problems.push(match did_you_mean(platform, ids.iter().copied()) {
                Some(best) => d.help(format!("did you mean `{best}`?")),
                None => d.help(format!("platforms in lotse.yaml: {}", ids.join(", "))),
            });
        }
    }
    let article = raw.article.as_deref().and_then(|link| {
        // Written relative to the notice, like a link in an article: `../content/iserv/mail.md`.
        let resolved = crate::content::normalize_lexically(&Path::new(NOTICES_DIR).join(link.trim()));
        let in_content =
            resolved.as_deref().and_then(|r| r.strip_prefix(crate::content::CONTENT_DIR).ok()).map(Path::to_path_buf);
        match in_content.filter(|p| articles.contains(p)) {
            Some(path) => Some(path),
            None => {
                problems.push(
                    source
                        .error_at_value("article", link, format!("`{link}` is no published article"))
                        .help("link the how-to with the workaround relative to this file, such as `../content/iserv/mail-weiterleiten.md`"),
                );
                None
            }
        }
    });
    let id = search_index::slugify(&rel.file_stem().unwrap_or_default().to_string_lossy());
    if id.is_empty() {
        problems.push(
            Diagnostic::error(rel, "the file name gives an empty notice id")
                .help("name the file with letters or digits, such as `2026-12-07-iserv-mail.md`"),
        );
    }
    if problems.len() > before {
        return None;
    }
    let (start, status) = (start?, status?);
    let body = &text[body_offset..];
    let updated = latest_update(body, start.offset()).map_or(start, |u| u.max(start));
    Some(Notice {
        id,
        source: rel.to_path_buf(),
        title,
        start,
        end,
        status,
        platforms: raw.platforms,
        locations: raw.locations.into_iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect(),
        article,
        html: render_body(body),
        updated,
    })
}

/// The newest update a body names in a heading such as `### 2026-12-07 08:40`, in the notice's
/// time zone.
fn latest_update(body: &str, zone: &FixedOffset) -> Option<DateTime<FixedOffset>> {
    body.lines()
        .filter_map(|line| line.trim_start().strip_prefix('#').map(|rest| rest.trim_start_matches('#').trim()))
        .filter_map(|heading| {
            let stamp: String = heading.chars().take(16).collect();
            NaiveDateTime::parse_from_str(&stamp, "%Y-%m-%d %H:%M").ok()
        })
        .filter_map(|naive| naive.and_local_timezone(*zone).single())
        .max()
}

/// The body as HTML. Notices are short and written in a hurry: Markdown is rendered, but raw HTML
/// shows as text and images as their description, so a notice can neither run nor load anything.
fn render_body(body: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut in_image = 0usize;
    let events = Parser::new(body).filter_map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            None
        }
        Event::End(TagEnd::Image) => {
            in_image = in_image.saturating_sub(1);
            None
        }
        Event::Start(Tag::Link { dest_url, .. }) if !crate::raw_html::is_safe_link(&dest_url) => None,
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        serde_yaml::from_str("title: T\nplatforms:\n  - {id: iserv, name: IServ}\n  - {id: ipad, name: iPad}\n")
            .unwrap()
    }

    fn check(text: &str) -> (Option<Notice>, Vec<Diagnostic>) {
        let mut problems = Vec::new();
        let articles = vec![PathBuf::from("iserv/mail.md")];
        let notice = parse(Path::new("notices/mail.md"), text, &config(), &articles, &mut problems);
        (notice, problems)
    }

    const GOOD: &str = "---\ntitle: IServ-E-Mail gestört\nstart: 2026-12-07T08:10:00+01:00\nstatus: identified\nplatforms: [iserv]\narticle: ../content/iserv/mail.md\n---\n\nWir arbeiten daran.\n\n### 2026-12-07 08:40\n\nUrsache gefunden.\n";

    #[test]
    fn a_good_notice_is_active_from_start_until_resolved() {
        let (notice, problems) = check(GOOD);
        assert!(problems.is_empty(), "{problems:?}");
        let notice = notice.unwrap();
        assert_eq!(notice.id, "mail");
        assert_eq!(notice.article, Some(PathBuf::from("iserv/mail.md")));
        assert_eq!(notice.updated.to_rfc3339(), "2026-12-07T08:40:00+01:00");
        let at = |t: &str| DateTime::parse_from_rfc3339(t).unwrap();
        assert!(!notice.is_active(at("2026-12-07T08:00:00+01:00")), "before its start");
        assert!(notice.is_active(at("2026-12-07T09:00:00+01:00")));
        assert!(notice.is_active(at("2027-01-30T09:00:00+01:00")), "no end: active until resolved");
        let ended = Notice { end: Some(at("2026-12-07T12:00:00+01:00")), ..notice.clone() };
        assert!(!ended.is_active(at("2026-12-07T12:00:00+01:00")));
        assert!(ended.is_recent(at("2027-01-05T12:00:00+01:00")));
        assert!(!ended.is_recent(at("2027-01-07T12:00:01+01:00")), "30 days after its end");
        let resolved = Notice { status: Status::Resolved, ..notice };
        assert!(!resolved.is_active(at("2026-12-07T09:00:00+01:00")));
    }

    #[test]
    fn every_mistake_is_reported_at_its_line_with_help() {
        let text = "---\ntitle: Störung\nstart: 2026-12-07T08:10\nend: 2026-12-06T08:10:00+01:00\nstatus: identifed\nplatforms: [iserv, ipda]\narticle: ../content/iserv/fehlt.md\nort: Nord\n---\n";
        let (notice, problems) = check(text);
        assert!(notice.is_none());
        let found: Vec<(usize, String, String)> =
            problems.iter().map(|d| (d.line, d.message.clone(), d.help.clone().unwrap_or_default())).collect();
        let has = |line: usize, message: &str, help: &str| {
            found.iter().any(|(l, m, h)| *l == line && m.contains(message) && h.contains(help))
        };
        assert!(has(3, "`2026-12-07T08:10` has no time zone", "+01:00"), "{found:#?}");
        assert!(has(5, "unknown status `identifed`", "did you mean `identified`?"), "{found:#?}");
        assert!(has(6, "unknown platform `ipda`", "did you mean `ipad`?"), "{found:#?}");
        assert!(has(7, "is no published article", "../content/"), "{found:#?}");
        assert!(has(8, "ort", ""), "{found:#?}");
        // The end check needs a start it can read: with one, an end before it is reported too.
        let (_, problems) = check(&text.replace("2026-12-07T08:10\n", "2026-12-07T08:10:00+01:00\n"));
        assert!(problems.iter().any(|d| d.line == 4 && d.message.contains("is not after `start`")), "{problems:?}");
    }

    #[test]
    fn a_notice_body_can_neither_run_nor_load_anything() {
        let html = render_body("Hallo <script>alert(1)</script> ![x](https://evil.example/a.png) [klick](javascript:alert(1))\n\n<iframe src=x></iframe>\n");
        assert!(!html.contains("<script") && !html.contains("<iframe") && !html.contains("<img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}
