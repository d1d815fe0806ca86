//! Offline mode: the service worker `sw.js`, written last, once every other file of the build is known.
//!
//! It lists every file of the build and carries a version computed from all their contents, so a
//! browser sees a new `sw.js` exactly when anything changed, caches the new build beside the old
//! one and never serves a mix. With `offline: false` the portal gets a worker that removes itself
//! and its caches instead of nothing, so that turning the setting off also reaches iPads that
//! installed the worker of an earlier build.

use anyhow::{Context, Result};

use crate::output::Staging;
use search_index::fold::Fnv64;

/// Where the worker lives: at the site root, so that its scope is the whole portal.
pub const SERVICE_WORKER: &str = "sw.js";

const WORKER_CODE: &str = include_str!("offline/service-worker.js");

const REMOVE_WORKER_CODE: &str = r#"// Lotse offline mode is switched off (`offline: false`): remove this portal's caches and worker.
"use strict";
var PREFIXES = ["lotse:", "lotse-intern:"].map(function (p) { return p + self.registration.scope + ":"; });
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return PREFIXES.some(function (p) { return name.indexOf(p) === 0; }); })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.registration.unregister(); }));
});
"#;

/// Writes `sw.js` into the staged site: the caching worker when `enabled`, else the one that
/// removes an earlier build's worker. Must run after every other file has been written.
///
/// `cache_prefix` names the caches: the internal portal's differ from the public one's, so that
/// a device that opens both never answers one from the other's cache.
pub fn write_service_worker(staging: &Staging, enabled: bool, cache_prefix: &str) -> Result<()> {
    let script =
        if enabled { caching_worker(&staging.digests(), cache_prefix) } else { REMOVE_WORKER_CODE.to_string() };
    staging.write(SERVICE_WORKER, script.as_bytes()).context("cannot write the service worker sw.js")
}

/// Postings and positions on their own (`search/i/*.idx`, `*.pos`): the search reads them in
/// gzipped blocks (`search/b/`, cached like every file) and falls back to these only for a read
/// by range that its plan missed, which needs the network anyway. Caching them would download
/// the largest part of the index a second time.
fn is_range_fallback(path: &str) -> bool {
    path.starts_with("search/i/") && (path.ends_with(".idx") || path.ends_with(".pos"))
}

/// The semantic stage's files (`search/s/`, 19 MB): never fetched on install, which would cost
/// every device the download that the search fetches only when idle after a first search. The
/// worker keeps them when the search fetches them, in a cache of their own that outlives builds
/// (their names carry their content hash), pruned to this build's files.
fn is_semantic(path: &str) -> bool {
    path.starts_with("search/s/")
}

/// The caching worker for a build made of `files` (site-relative paths with their CRC-32).
fn caching_worker(files: &[(String, u32)], cache_prefix: &str) -> String {
    let mut version = Fnv64::new();
    let mut urls = Vec::with_capacity(files.len());
    let mut semantic = Vec::new();
    for (path, crc) in files {
        if path == SERVICE_WORKER {
            continue;
        }
        version.update(path.as_bytes());
        version.update(&crc.to_le_bytes());
        if is_semantic(path) {
            semantic.push(path.clone());
        } else if !is_range_fallback(path) {
            urls.push(cache_url(path));
        }
    }
    let header = format!(
        "var VERSION = {};\nvar CACHE_PREFIX = {};\nvar FILES = {};\nvar ON_DEMAND = {};\n",
        serde_json::to_string(&format!("{:016x}", version.finish())).expect("strings serialise"),
        serde_json::to_string(cache_prefix).expect("strings serialise"),
        serde_json::to_string(&urls).expect("strings serialise"),
        serde_json::to_string(&semantic).expect("strings serialise"),
    );
    header + WORKER_CODE
}

/// The URL a browser asks for a site file, relative to `sw.js`: folders, not their `index.html`.
fn cache_url(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some("") => "./".to_string(),
        Some(folder) if folder.ends_with('/') => folder.to_string(),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_cached_under_their_folder_urls() {
        assert_eq!(cache_url("index.html"), "./");
        assert_eq!(cache_url("ipad/wlan/index.html"), "ipad/wlan/");
        assert_eq!(cache_url("404.html"), "404.html");
        assert_eq!(cache_url("search/lotse-search.wasm"), "search/lotse-search.wasm");
    }

    #[test]
    fn version_changes_with_any_file_and_ignores_the_worker_itself() {
        let files = |crc: u32| vec![("index.html".to_string(), 1), ("ipad/wlan/index.html".to_string(), crc)];
        let version = |script: &str| script.lines().find(|l| l.starts_with("var VERSION")).unwrap().to_string();
        let a = caching_worker(&files(7), "lotse");
        let b = caching_worker(&files(8), "lotse");
        assert_ne!(version(&a), version(&b));
        let mut with_worker = files(7);
        with_worker.push((SERVICE_WORKER.to_string(), 99));
        assert_eq!(caching_worker(&with_worker, "lotse"), a);
        assert!(a.contains(r#"var FILES = ["./","ipad/wlan/"];"#), "{a}");
    }

    /// The worker's `hashedName` pattern, as the JavaScript literal has it.
    fn hashed_name_pattern() -> regex::Regex {
        let line = WORKER_CODE.lines().find(|l| l.contains("return /(^|[./])")).expect("hashedName's pattern");
        let literal = line.trim().trim_start_matches("return /").split("/.test(").next().unwrap();
        regex::Regex::new(literal).unwrap()
    }

    #[test]
    fn files_named_by_their_content_are_taken_from_the_http_cache_and_no_others() {
        let hashed = hashed_name_pattern();
        // Every kind of content-hashed file a build writes (src/index.rs, src/semantic.rs).
        for path in [
            "search/lotse-search.f540697c2ae8.wasm.lzma",
            "search/p/196c45cec38f.bin.lzma",
            "search/b/0e4b7c1d2a9f-0.gz",
            "search/b/0e4b7c1d2a9f-17.gz",
            "search/b/0e4b7c1d2a9f.warm.lzma",
            "search/i/2f43f4f1bacd.term",
            "search/d/5bcc6a87e656.json.gz",
            "search/f/e8cb783bcf9a.txt.gz",
            "search/s/vectors.0123456789ab.bin.gz",
        ] {
            assert!(hashed.is_match(path), "{path} is content-hashed");
        }
        // Pages and files without a hash must be fetched anew for each build's cache.
        for path in ["./", "ipad/wlan/", "search/manifest.json", "search/lotse-worker.js", "css/lotse.css", "404.html"]
        {
            assert!(!hashed.is_match(path), "{path} is not content-hashed");
        }
    }

    #[test]
    fn postings_read_by_range_are_not_cached_but_their_blocks_are() {
        let files = vec![
            ("search/i/abc.pos".to_string(), 1),
            ("search/i/abc.idx".to_string(), 2),
            ("search/i/abc.term".to_string(), 3),
            ("search/b/def.gz".to_string(), 4),
            ("search/s/model.abc.lte5.gz".to_string(), 5),
        ];
        let script = caching_worker(&files, "lotse");
        assert!(script.contains(r#"var FILES = ["search/i/abc.term","search/b/def.gz"];"#), "{script}");
        assert!(script.contains(r#"var ON_DEMAND = ["search/s/model.abc.lte5.gz"];"#), "{script}");
    }
}
