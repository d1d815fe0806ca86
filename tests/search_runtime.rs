//! The search output of a real build: the index the browser loads answers teachers' queries, and
//! the embedded browser runtime is not stale against its sources.

mod common;

use std::path::Path;

use common::lotse;
use search_index::engine::{Engine, SearchConfig};

/// Builds the bundled portal and opens its search index exactly as the browser runtime does:
/// from the manifest, the hashed index files and the docs list.
fn bundled_engine() -> (Engine, Vec<serde_json::Value>, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let output = out.path().join("public");
    lotse(&["build", "--root", root, "--output", output.to_str().unwrap()], Path::new(root)).expect_code(0);
    let search = output.join("search");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(search.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], search_index::FORMAT_VERSION);
    let files = manifest["index"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, entry)| {
            let bytes = std::fs::read(search.join(entry["url"].as_str().unwrap())).unwrap();
            assert_eq!(bytes.len() as u64, entry["len"].as_u64().unwrap(), "{name}");
            (name.clone(), bytes)
        })
        .collect();
    let config: SearchConfig = serde_json::from_value(manifest["config"].clone()).unwrap();
    let mut docs: Vec<serde_json::Value> = Vec::new();
    for chunk in manifest["docs"]["chunks"].as_array().unwrap() {
        let list: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(search.join(chunk.as_str().unwrap())).unwrap()).unwrap();
        assert!(list.len() <= manifest["docs"]["size"].as_u64().unwrap() as usize);
        docs.extend(list);
    }
    (Engine::from_files(files, &config).unwrap(), docs, out)
}

fn top_urls(engine: &Engine, docs: &[serde_json::Value], query: &str, platform: Option<&str>) -> Vec<String> {
    engine
        .search(query, platform, true, 3)
        .into_iter()
        .map(|hit| docs[hit.ord as usize][0].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn teachers_queries_find_their_how_to_first() {
    let (engine, docs, _out) = bundled_engine();
    for (query, expected) in [
        ("WLAN iPad", "ipad/wlan-verbinden/"),
        ("Pasword vergessen", "iserv/passwort-vergessen/"),
        ("Teams Besprechung", "office365/teams-besprechung-planen/"),
        ("Authenticator neues Handy", "office365/neues-handy-authenticator/"),
        ("apple tv", "ipad/bildschirm-spiegeln-apple-tv/"),
        ("Speicher voll", "iserv/speicherplatz-voll/"),
        ("wie kann ich eine umfrage machen", "office365/forms-umfrage/"),
    ] {
        let urls = top_urls(&engine, &docs, query, None);
        assert_eq!(urls.first().map(String::as_str), Some(expected), "{query}: {urls:?}");
    }
}

#[test]
fn results_carry_what_the_result_list_shows() {
    let (_engine, docs, _out) = bundled_engine();
    let entry = docs.iter().find(|d| d[0] == "ipad/wlan-verbinden/").expect("the WLAN article is indexed");
    assert_eq!(entry[1], "Dienst-iPad mit dem WLAN verbinden");
    assert_eq!(entry[2], "ipad");
    assert!(entry[3].as_str().unwrap().starts_with("So verbinden Sie"), "{entry}");
    assert!(entry[4].as_str().unwrap().starts_with("f/"), "{entry}");
    let front_matter =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("content/ipad/wlan-verbinden.md")).unwrap();
    let updated = entry[5].as_str().unwrap();
    assert!(updated.len() == 10 && front_matter.contains(&format!("updated: {updated}")), "{entry}");
}

#[test]
fn platform_filter_and_umlaut_spellings() {
    let (engine, docs, _out) = bundled_engine();
    let urls = top_urls(&engine, &docs, "Speicher voll", Some("ipad"));
    assert_eq!(urls.first().map(String::as_str), Some("ipad/speicher-voll/"));
    assert!(urls.iter().all(|u| u.starts_with("ipad/")), "{urls:?}");
    assert_eq!(top_urls(&engine, &docs, "schueler", None), top_urls(&engine, &docs, "Schüler", None));
    assert!(!top_urls(&engine, &docs, "schueler", None).is_empty());
}

#[test]
fn internal_articles_are_not_in_the_search_index() {
    let (engine, docs, _out) = bundled_engine();
    assert!(docs.iter().all(|d| !d[0].as_str().unwrap().contains("lizenzen-zuweisen")));
    // The internal licence article is the only one about PowerShell.
    assert!(top_urls(&engine, &docs, "PowerShell Graph Lizenzen zuweisen", None)
        .iter()
        .all(|u| !u.contains("lizenzen-zuweisen")));
}

/// FNV-1a 64 over path, NUL and content of each runtime source file: the same as
/// scripts/runtime-source-hash.py, which scripts/build-search-runtime records.
fn runtime_source_hash() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let search = root.join("search-index");
    let mut files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(&search)
        .into_iter()
        // Examples are tools for developers, never part of the runtime.
        .filter_entry(|e| e.file_name() != "target" && e.file_name() != "examples")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| e.path().to_path_buf())
        .collect();
    files.extend(
        [
            "search-index/Cargo.toml",
            "search-index/vocabulary/de.txt",
            "search-index/wasm/Cargo.toml",
            "search-index/wasm/Cargo.lock",
            "search-index/wasm/regex-lite-shim/Cargo.toml",
            ".cargo/config.toml",
            "rust-toolchain.toml",
        ]
        .map(|f| root.join(f)),
    );
    files.sort();
    let mut h = search_index::fold::Fnv64::new();
    for file in files {
        let rel = file.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        h.update(rel.as_bytes());
        h.update(&[0]);
        h.update(&std::fs::read(&file).unwrap());
    }
    format!("{:016x}", h.finish())
}

#[test]
fn the_embedded_search_runtime_is_built_from_the_current_sources() {
    let recorded = lotse::index::RUNTIME_SOURCE_HASH.trim();
    assert_eq!(
        runtime_source_hash(),
        recorded,
        "search-index changed since the browser runtime was built: run scripts/build-search-runtime and commit the result"
    );
}
