//! The notice-only path of `lotse build`: publishing or updating an outage notice must be fast,
//! so when nothing but `notices/` changed since the last build into the same folder, the articles
//! are not parsed, rendered or indexed again.
//!
//! Every build records a hash of all other sources and its options in the output's marker
//! ([`crate::site::sources_hash`]). When the hash still matches, the new site is the last one with fresh
//! notices: each page's banner block is rendered anew and put in place of the old one, the
//! incidents page, feed and `notices.json` are rendered, and `sw.js` is written for the new
//! files. The result is byte for byte what a full build gives (the tests compare the two).

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::Result;

use crate::diagnostics::Diagnostic;
use crate::output::{self, Staging, MARKER_FILE};
use crate::site::{BuildError, BuildOptions, BuildReport, Edition, PageRenderer};

/// Builds like [`crate::site::build`], but only what notices change when nothing else changed
/// since the last build into the same output. `lotse build` calls this.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let sources = crate::site::sources_hash(options);
    match try_rebuild(options, &sources)? {
        Some(report) => Ok(report),
        None => crate::site::build_with_sources(options, Some(sources)),
    }
}

/// Rebuilds only what notices change, when nothing else changed since the last build into the
/// same output; `None` when a full build is needed.
pub fn try_rebuild(options: &BuildOptions, sources: &str) -> Result<Option<BuildReport>, BuildError> {
    let started = Instant::now();
    if output::recorded_sources(&options.output).as_deref() != Some(sources)
        || !options.root.join(crate::notices::NOTICES_DIR).is_dir()
    {
        return Ok(None);
    }
    // The same checks as a full build, in the same order (site::build_keeping_site).
    if options.edition == Edition::Internal {
        output::check_internal_output_location(&options.root, &options.output)?;
    }
    output::restore_interrupted_swap(&options.output)?;
    output::check_output_location(&options.root, &options.output)?;
    let site = crate::site::load_without_articles(options)?;
    if site.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(BuildError::Content(site.diagnostics));
    }
    let Some(notices) = &site.notices else { return Ok(None) };
    // The pages carry the search index version of their build: keep it.
    let old_home = std::fs::read_to_string(options.output.join("index.html")).unwrap_or_default();
    let Some(search_version) = attribute(&old_home, "data-search-version") else { return Ok(None) };
    let mut views = PageRenderer::new(&site);
    views.set_search_version(&search_version);
    if site.config.offline && options.service_worker {
        views.enable_service_worker();
    }
    let staging = Staging::new(&options.output)?;
    let result = (|| -> Result<Vec<Diagnostic>> {
        let mut problems = crate::site::render_incidents(&views, &staging, notices);
        copy_with_fresh_banners(&views, &options.output, &staging, &mut problems)?;
        crate::offline::write_service_worker(
            &staging,
            site.config.offline && options.service_worker,
            crate::site::cache_prefix(site.edition),
        )?;
        Ok(problems)
    })();
    match result {
        Ok(problems) if problems.is_empty() => {}
        Ok(problems) => {
            staging.abandon();
            return Err(BuildError::Content(problems));
        }
        Err(e) => {
            staging.abandon();
            return Err(BuildError::Fatal(e));
        }
    }
    Ok(Some(crate::site::finish(&site, staging, Some(sources.to_string()), started, true)?))
}

/// Copies the last build into `staging`, every page with its banner block rendered anew; files
/// the notices' own pages already wrote, and `sw.js`, are left to those.
fn copy_with_fresh_banners(
    views: &PageRenderer,
    old: &Path,
    staging: &Staging,
    problems: &mut Vec<Diagnostic>,
) -> Result<()> {
    // Pages differ in their banners only by root prefix, kind and platform: a few dozen blocks
    // serve 10,000 pages.
    let mut blocks: HashMap<(String, &'static str, String), String> = HashMap::new();
    for entry in walkdir::WalkDir::new(old).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let rel = crate::markdown::url_path(entry.path().strip_prefix(old).unwrap_or(entry.path()));
        if rel == MARKER_FILE || rel == crate::offline::SERVICE_WORKER || staging.contains(&rel) {
            continue;
        }
        if !rel.ends_with(".html") {
            staging.keep(entry.path(), &rel)?;
            continue;
        }
        let html = std::fs::read_to_string(entry.path())?;
        match replace_banners(views, &html, &mut blocks) {
            Ok(Some(fresh)) => staging.write(&rel, fresh.as_bytes())?,
            Ok(None) => staging.keep(entry.path(), &rel)?,
            Err(e) => problems.push(Diagnostic::error("templates/notice-banners.html", format!("{e:#}"))),
        }
    }
    Ok(())
}

/// `html` with its banner block rendered for the current notices; `None` when it has none or it
/// stays the same.
fn replace_banners(
    views: &PageRenderer,
    html: &str,
    blocks: &mut HashMap<(String, &'static str, String), String>,
) -> Result<Option<String>> {
    const START: &str = "<div class=\"notice-banners\"";
    let Some(start) = html.find(START) else { return Ok(None) };
    let end = html[start..].find("</div>").map(|i| start + i + "</div>".len()).unwrap_or(html.len());
    let block = &html[start..end];
    let root = attribute(html, "data-root").unwrap_or_default();
    let platform = attribute(block, "data-notice-platform").unwrap_or_default();
    let kind =
        if block[..block.find('>').unwrap_or(block.len())].contains(" data-notice-home") { "home" } else { "page" };
    let key = (root, kind, platform);
    if !blocks.contains_key(&key) {
        // The template puts a line break around the block; the block alone is replaced.
        let fresh = views.render_banners(&key.0, kind, &key.2)?.trim().to_string();
        blocks.insert(key.clone(), fresh);
    }
    let fresh = blocks[&key].as_str();
    if fresh == block {
        return Ok(None); // most pages: their platform's notices did not change
    }
    Ok(Some(format!("{}{}{}", &html[..start], fresh, &html[end..])))
}

/// The value of the first `name="…"` attribute in `html` (Lotse's own output: no odd quoting).
fn attribute(html: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = html.find(&key)? + key.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_read_from_lotse_output() {
        let html = r#"<html lang="de" data-root="../../" data-search-version="abc">"#;
        assert_eq!(attribute(html, "data-root").as_deref(), Some("../../"));
        assert_eq!(attribute(html, "data-search-version").as_deref(), Some("abc"));
        assert_eq!(attribute(html, "data-none"), None);
    }
}
