//! Content checks a team needs over time, beyond what stops a build: unused images, duplicate
//! titles, articles without summary or keywords, and articles nobody has updated for too long.
//!
//! `lotse check` runs every validation of `lotse build` (through [`crate::site::load`]) and adds
//! these findings as warnings; it writes nothing.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::content::{Page, Review, CONTENT_DIR};
use crate::diagnostics::Diagnostic;
use crate::site::Site;

/// File endings treated as images for the unused-image check.
const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "webp", "avif"];

/// Adds the long-term content findings for `site` to its diagnostics.
pub fn content_findings(site: &Site, today: NaiveDate, stale_after_months: u32) -> Vec<Diagnostic> {
    let pages = &site.content.pages;
    let mut found = Vec::new();

    let used: HashSet<&Path> = site.rendered.iter().flat_map(|r| r.assets_used.iter().map(PathBuf::as_path)).collect();
    for asset in &site.content.assets {
        let is_image = asset
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
        if is_image && !used.contains(asset.as_path()) {
            found.push(
                Diagnostic::warning(Path::new(CONTENT_DIR).join(asset), "unused image: no article shows it")
                    .help("delete it, or show it in an article with ![Beschreibung](datei)"),
            );
        }
    }

    if let Some(warning) = qr_code_finding(site) {
        found.push(warning);
    }

    let mut titles: HashMap<String, &crate::content::Page> = HashMap::new();
    for page in pages {
        let key = page.title.to_lowercase();
        if let Some(first) = titles.get(&key) {
            found.push(
                Diagnostic::warning(&page.source, format!("duplicate title `{}`", page.title))
                    .at(&page.source_text, title_line(&page.source_text), 1)
                    .help(format!(
                        "{} has the same title; teachers cannot tell the two apart in results",
                        first.source.display()
                    )),
            );
        } else {
            titles.insert(key, page);
        }
    }

    for page in pages {
        let line = title_line(&page.source_text);
        if page.summary.is_empty() {
            found.push(
                Diagnostic::warning(&page.source, "the article has no summary")
                    .at(&page.source_text, line, 1)
                    .help("add `summary:` with one sentence: it is shown in lists and search results"),
            );
        }
        if page.keywords.is_empty() {
            found.push(
                Diagnostic::warning(&page.source, "the article has no keywords")
                    .at(&page.source_text, line, 1)
                    .help("add `keywords:` with the words teachers type, such as [\"Kennwort\", \"komme nicht rein\"]"),
            );
        }
        if let Some(due) = page.review_due(stale_after_months).filter(|due| *due < today) {
            found.push(overdue_warning(page, due, stale_after_months));
        }
        if page.updated.is_none() {
            found.push(
                Diagnostic::warning(&page.source, "the article has no `updated` date")
                    .at(&page.source_text, line, 1)
                    .help("add `updated: YYYY-MM-DD`, so that stale how-tos can be found"),
            );
        }
    }
    found
}

/// Without `base_url` as a full web address, printouts and wall sheets have no QR codes: a phone's
/// camera needs the whole address.
fn qr_code_finding(site: &Site) -> Option<Diagnostic> {
    let config = crate::config::CONFIG_FILE;
    let message = match site.config.base_url.as_deref() {
        None => "no QR codes: `base_url` is not set".to_string(),
        Some(base) if crate::qr::address(Some(base), "").is_none() => {
            format!("no QR codes: `base_url: {base}` is not a full web address")
        }
        Some(_) => return None,
    };
    Some(Diagnostic::warning(config, message).help(
        "set `base_url: https://hilfe.schule.example/` (the portal's public address), so that printed articles and the wall sheets (\"Aushang\") get QR codes",
    ))
}

/// The warning for an article whose check is overdue, at the front-matter line that set the date.
fn overdue_warning(page: &Page, due: NaiveDate, stale_after_months: u32) -> Diagnostic {
    let line = |key| key_line(&page.source_text, key).unwrap_or_else(|| title_line(&page.source_text));
    let updated = page.updated.map(|d| d.to_string()).unwrap_or_default();
    let (message, at) = match page.review {
        Review::Default => {
            (format!("not updated since {updated}, more than {stale_after_months} months ago"), line("updated"))
        }
        Review::EveryMonths(months) => (
            format!("due for a check since {due}: `review_every: {months}` months after `updated: {updated}`"),
            line("review_every"),
        ),
        Review::By(_) => (format!("due for a check since {due} (`review_by`)"), line("review_by")),
    };
    let owner = page.owner.as_deref().map(|o| format!(" ({o} looks after it)")).unwrap_or_default();
    Diagnostic::warning(&page.source, message)
        .at(&page.source_text, at, 1)
        .help(format!("check that the steps still match the current version, then set `updated:` to today{owner}"))
}

/// One article whose check is overdue, for the list by owner.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Overdue {
    /// The article's file, such as `content/ipad/wlan.md`.
    pub file: String,
    pub title: String,
    /// The day the check was due, YYYY-MM-DD.
    pub due: String,
    /// The `updated` date, YYYY-MM-DD, or `null`.
    pub updated: Option<String>,
}

/// The overdue articles of one owner.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OwnerGroup {
    /// As written in `owner:`, or `null` for articles without one.
    pub owner: Option<String>,
    pub articles: Vec<Overdue>,
}

/// Articles (public and internal; drafts are not published yet) whose check is overdue on
/// `today`, grouped by owner: named owners alphabetically, then the articles nobody owns; inside a
/// group, the longest overdue first.
pub fn overdue_by_owner(site: &Site, today: NaiveDate, stale_after_months: u32) -> Vec<OwnerGroup> {
    let mut groups: std::collections::BTreeMap<(bool, String), Vec<(NaiveDate, Overdue)>> = Default::default();
    for page in site.content.pages.iter().filter(|p| !p.draft) {
        let Some(due) = page.review_due(stale_after_months).filter(|due| *due < today) else { continue };
        let key = (page.owner.is_none(), page.owner.clone().unwrap_or_default());
        groups.entry(key).or_default().push((
            due,
            Overdue {
                file: page.source.to_string_lossy().replace('\\', "/"),
                title: page.title.clone(),
                due: due.to_string(),
                updated: page.updated.map(|d| d.to_string()),
            },
        ));
    }
    groups
        .into_iter()
        .map(|((unowned, owner), mut articles)| {
            articles.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.file.cmp(&b.1.file)));
            OwnerGroup { owner: (!unowned).then_some(owner), articles: articles.into_iter().map(|(_, a)| a).collect() }
        })
        .collect()
}

fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines().position(|l| l.starts_with(&format!("{key}:"))).map(|i| i + 1)
}

fn title_line(text: &str) -> usize {
    key_line(text, "title").unwrap_or(1)
}
