//! Live reload: what open pages learn after each rebuild (the build version, the errors, the
//! pages that changed), and the content hashes that tell which pages changed.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::{self, Diagnostic};

/// What open pages need to know: the build version, the current errors, and what changed last.
#[derive(Debug, Default, serde::Serialize)]
pub(super) struct Status {
    pub version: u64,
    pub errors: Vec<String>,
    /// Site paths whose content changed in the last successful rebuild; `*` for all pages.
    pub changed: Vec<String>,
}

/// The current status; open pages' long polls wait for its next version.
pub(super) type Shared = tokio::sync::watch::Sender<Status>;

/// Tells open pages about a new build.
pub(super) fn publish(shared: &Shared, changed: Vec<String>, errors: Vec<String>) {
    shared.send_modify(|status| {
        status.changed = changed;
        status.errors = errors;
        status.version += 1;
    });
}

/// Prints the problems and shows them on every open page; the served site stays as it was.
pub(super) fn report_failure(found: Vec<Diagnostic>, shared: &Shared, quiet: bool) {
    crate::report::print_diagnostics(&found, quiet);
    crate::errln!("The preview keeps showing the last good build.");
    let errors = found
        .iter()
        .filter(|d| d.is_error())
        .map(|d| diagnostics::render(std::slice::from_ref(d), false).trim_end().to_string())
        .collect();
    publish(shared, Vec::new(), errors);
}

pub(super) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = search_index::fold::Fnv64::new();
    h.update(&without_search_version(bytes));
    h.finish()
}

/// A content hash of every file of the site, by site path.
///
/// Every page carries the search index version as a cache-buster, which changes with any edit;
/// it is left out of the hash, so that an edit reloads only the pages whose content changed.
pub(super) fn hash_files(output: &Path) -> BTreeMap<String, u64> {
    let mut hashes = BTreeMap::new();
    for entry in walkdir::WalkDir::new(output).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let rel = crate::markdown::url_path(entry.path().strip_prefix(output).unwrap_or(entry.path()));
        if let Ok(bytes) = std::fs::read(entry.path()) {
            hashes.insert(rel, hash_bytes(&bytes));
        }
    }
    hashes
}

fn without_search_version(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    const ATTRIBUTE: &[u8] = b"data-search-version=\"";
    let Some(start) = bytes.windows(ATTRIBUTE.len()).position(|w| w == ATTRIBUTE) else {
        return std::borrow::Cow::Borrowed(bytes);
    };
    let value_start = start + ATTRIBUTE.len();
    let end = bytes[value_start..].iter().position(|&b| b == b'"').map_or(bytes.len(), |i| value_start + i);
    let mut out = bytes[..value_start].to_vec();
    out.extend_from_slice(&bytes[end..]);
    std::borrow::Cow::Owned(out)
}

/// Site paths (`/ipad/wlan/`) whose files differ; `*` when a shared asset changed, since every
/// page uses it.
pub(super) fn changed_paths(old: &BTreeMap<String, u64>, new: &BTreeMap<String, u64>) -> Vec<String> {
    let mut changed = Vec::new();
    let differing = new.iter().filter(|(p, h)| old.get(*p) != Some(*h)).map(|(p, _)| p);
    let removed = old.keys().filter(|p| !new.contains_key(*p));
    for path in differing.chain(removed) {
        if path.starts_with("assets/") {
            return vec!["*".into()];
        }
        if path.ends_with(".html") {
            changed.push(format!("/{}", path.trim_end_matches("index.html")));
        }
    }
    changed.sort();
    changed.dedup();
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_paths_name_pages_or_everything() {
        let old: BTreeMap<String, u64> =
            [("index.html".into(), 1), ("ipad/wlan/index.html".into(), 2), ("alt/index.html".into(), 3)].into();
        let new: BTreeMap<String, u64> =
            [("index.html".into(), 1), ("ipad/wlan/index.html".into(), 5), ("neu/index.html".into(), 1)].into();
        assert_eq!(changed_paths(&old, &new), ["/alt/", "/ipad/wlan/", "/neu/"]);
        let mut css = new.clone();
        css.insert("assets/css/lotse.css".into(), 9);
        assert_eq!(changed_paths(&new, &css), ["*"]);
    }
}
