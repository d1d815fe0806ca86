//! Content checks a team needs over time, beyond what stops a build: unused images, duplicate
//! titles, articles without summary or keywords, and articles nobody has updated for too long.
//!
//! `lotse check` runs every validation of `lotse build` (through [`crate::site::load`]) and adds
//! these findings as warnings; it writes nothing.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{Months, NaiveDate};

use crate::content::CONTENT_DIR;
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

    let stale_before = today.checked_sub_months(Months::new(stale_after_months)).unwrap_or(today);
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
        match page.updated {
            Some(date) if date < stale_before => found.push(
                Diagnostic::warning(
                    &page.source,
                    format!("not updated since {date}, more than {stale_after_months} months ago"),
                )
                .at(&page.source_text, key_line(&page.source_text, "updated").unwrap_or(line), 1)
                .help("check that the steps still match the current version, then set `updated:` to today"),
            ),
            None => found.push(
                Diagnostic::warning(&page.source, "the article has no `updated` date")
                    .at(&page.source_text, line, 1)
                    .help("add `updated: YYYY-MM-DD`, so that stale how-tos can be found"),
            ),
            _ => {}
        }
    }
    found
}

fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines().position(|l| l.starts_with(&format!("{key}:"))).map(|i| i + 1)
}

fn title_line(text: &str) -> usize {
    key_line(text, "title").unwrap_or(1)
}
