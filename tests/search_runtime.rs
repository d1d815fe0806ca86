//! The search output of a real build: the index the browser loads answers teachers' queries, and
//! the embedded browser runtime is not stale against its sources.

mod common;

use std::path::Path;

use search_index::engine::{Engine, SearchConfig};

/// Builds the bundled portal and opens its search index exactly as the browser runtime does:
/// from the manifest, the hashed index files and the docs list.
fn bundled_engine() -> (Engine, Vec<serde_json::Value>) {
    let (output, run) = common::bundled_site();
    run.expect_code(0);
    let (engine, docs) = engine_of(output);
    (engine, docs)
}

/// Opens the search index of a built site exactly as the browser runtime does: from the
/// manifest, the hashed index files and the docs list.
fn engine_of(output: &Path) -> (Engine, Vec<serde_json::Value>) {
    let search = output.join("search");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(search.join("manifest.json")).unwrap()).unwrap();
    let read = |name: &str| common::search_file(&search, &manifest, name);
    assert_eq!(manifest["format"], search_index::FORMAT_VERSION);
    let files = manifest["index"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, entry)| {
            let bytes = read(entry["url"].as_str().unwrap());
            assert_eq!(bytes.len() as u64, entry["len"].as_u64().unwrap(), "{name}");
            (name.clone(), bytes)
        })
        .collect();
    let config: SearchConfig = serde_json::from_value(manifest["config"].clone()).unwrap();
    let mut docs: Vec<serde_json::Value> = Vec::new();
    for chunk in common::docs_chunks(&manifest) {
        let list: Vec<serde_json::Value> = serde_json::from_slice(&read(&chunk)).unwrap();
        assert!(list.len() <= manifest["docs"]["size"].as_u64().unwrap() as usize);
        docs.extend(list);
    }
    (Engine::from_files(files, &config).unwrap(), docs)
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
    let (engine, docs) = bundled_engine();
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
    let (_engine, docs) = bundled_engine();
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
    let (engine, docs) = bundled_engine();
    let urls = top_urls(&engine, &docs, "Speicher voll", Some("ipad"));
    assert_eq!(urls.first().map(String::as_str), Some("ipad/speicher-voll/"));
    assert!(urls.iter().all(|u| u.starts_with("ipad/")), "{urls:?}");
    assert_eq!(top_urls(&engine, &docs, "schueler", None), top_urls(&engine, &docs, "Schüler", None));
    assert!(!top_urls(&engine, &docs, "schueler", None).is_empty());
}

/// The distinctive words of the fixture's internal article and draft: no public article has them.
const SECRET_WORDS: &[&str] = &["GEHEIMTEXT", "GEHEIMTITEL", "ENTWURFTEXT", "ENTWURFTITEL"];

/// Asks the engine itself, as the browser would: an internal or draft article in the index would
/// answer its own words, appear as a "Meinten Sie" correction, or add to the document count, even
/// though the index stores no text a byte search could find.
fn assert_no_secrets_in(output: &Path, published: u64, drafts_published: bool) {
    let (engine, docs) = engine_of(output);
    assert_eq!(engine.num_docs(), published, "the index holds other articles than the published ones");
    assert_eq!(docs.len() as u64, published, "the result data lists other articles than the published ones");
    for word in SECRET_WORDS {
        let is_draft = word.starts_with("ENTWURF");
        let answer = engine.answer(word, None, false, 10);
        let found: Vec<&str> = answer.hits.iter().map(|h| docs[h.ord as usize][0].as_str().unwrap()).collect();
        if is_draft && drafts_published {
            assert_eq!(found.first().copied(), Some("allgemein/entwurf/"), "{word}");
            continue;
        }
        assert!(answer.closest || answer.hits.is_empty(), "`{word}` found {found:?}: its article is in the index");
        // One letter off: the correction must not come from an unpublished article either.
        let typo = format!("{}x", &word[..word.len() - 1]);
        let suggestion = engine.answer(&typo, None, false, 10).suggestion.unwrap_or_default().to_lowercase();
        let secret = word.to_lowercase();
        assert!(!suggestion.contains(&secret[..secret.len().min(8)]), "`{typo}` suggests `{suggestion}`");
    }
}

#[test]
fn internal_and_draft_articles_are_not_in_the_index_the_browser_searches() {
    let portal = common::Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    // The fixture has four public articles besides an internal one and a draft.
    assert_no_secrets_in(&portal.public(), 4, false);
    portal.build(&["--drafts"]).expect_code(0);
    assert_no_secrets_in(&portal.public(), 5, true);
}

#[test]
fn the_internal_portal_finds_its_runbooks_and_the_public_one_built_right_after_does_not() {
    let portal = common::Portal::fixture("valid");
    portal.build(&["--internal"]).expect_code(0);
    let internal = portal.root().join("public-intern");
    let (engine, docs) = engine_of(&internal);
    assert_eq!(engine.num_docs(), 5, "four public articles and the internal one");
    let answer = engine.answer("GEHEIMTEXT", None, false, 10);
    let found: Vec<&str> = answer.hits.iter().map(|h| docs[h.ord as usize][0].as_str().unwrap()).collect();
    assert_eq!(found.first().copied(), Some("allgemein/intern-geheim/"), "{found:?}");
    let entry = docs.iter().find(|d| d[0] == "allgemein/intern-geheim/").unwrap();
    assert_eq!(entry[6], "internal", "the result is marked: {entry}");
    // Public results carry no mark at all: their entries are as before.
    assert!(docs.iter().filter(|d| d[0] != "allgemein/intern-geheim/").all(|d| d.as_array().unwrap().len() == 6));
    // The public portal, built right after, holds nothing of it.
    portal.build(&[]).expect_code(0);
    assert_no_secrets_in(&portal.public(), 4, false);
}

#[test]
fn internal_articles_are_not_in_the_search_index() {
    let (engine, docs) = bundled_engine();
    assert!(docs.iter().all(|d| !d[0].as_str().unwrap().contains("lizenzen-zuweisen")));
    // The internal licence article is the only one about PowerShell.
    assert!(top_urls(&engine, &docs, "PowerShell Graph Lizenzen zuweisen", None)
        .iter()
        .all(|u| !u.contains("lizenzen-zuweisen")));
}

/// The recorded findability floor: (found among the first three, of how many dev queries).
fn recorded_floor() -> (usize, usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/findability/bundled-dev-floor.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let value =
        |key: &str| text.lines().find_map(|l| l.strip_prefix(key)).map(|v| v.trim().parse::<usize>().unwrap()).unwrap();
    (value("found:"), value("of:"))
}

#[test]
fn the_bundled_dev_queries_keep_their_findability_floor() {
    let (engine, docs) = bundled_engine();
    let queries =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/findability/queries.tsv")).unwrap();
    // Dev rows only: held-out rows are for reports, never for a check that invites tuning to them.
    let dev: Vec<(&str, &str)> = queries
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.len() == 4 && cols[3] == "dev").then(|| (cols[1], cols[2]))
        })
        .collect();
    let mut misses = Vec::new();
    for (query, expected) in &dev {
        // As the evaluator and the browser benchmark ask: a finished query, all platforms.
        let answer = engine.answer(query, Some(""), false, 10);
        let first_three: Vec<&str> =
            answer.hits.iter().take(3).map(|h| docs[h.ord as usize][0].as_str().unwrap()).collect();
        if !first_three.contains(expected) {
            misses.push(format!("{query} → {first_three:?}, expected {expected}"));
        }
    }
    let found = dev.len() - misses.len();
    let (floor, of) = recorded_floor();
    assert_eq!(dev.len(), of, "the dev split changed size: record the new figure in bundled-dev-floor.txt, saying why");
    assert!(found + 1 >= floor, "findability fell from {floor} to {found} of {of}; lost:\n{}", misses.join("\n"));
}

/// FNV-1a 64 over path, NUL and content of each runtime source file: the same as
/// scripts/runtime-source-hash.py, which scripts/build-search-runtime records.
fn runtime_source_hash() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let search = root.join("search-index");
    let mut files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(&search)
        .into_iter()
        // Examples are tools for developers, never part of the runtime; the encoder runtime is a
        // crate of its own (scripts/build-encoder-runtime checks it).
        .filter_entry(|e| !["target", "examples", "encoder-wasm"].contains(&e.file_name().to_str().unwrap_or("")))
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| e.path().to_path_buf())
        .collect();
    // The vocabulary and the word lists are compiled into the runtime too.
    files.extend(
        std::fs::read_dir(search.join("vocabulary"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt")),
    );
    files.extend(
        [
            "search-index/Cargo.toml",
            "search-index/wasm/Cargo.toml",
            "search-index/wasm/Cargo.lock",
            "search-index/wasm/regex-lite-shim/Cargo.toml",
            "search-index/wasm/rayon-shim/Cargo.toml",
            ".cargo/config.toml",
            "rust-toolchain.toml",
            // How it is built (build-std, panic mode, wasm-opt) decides its bytes as much.
            "scripts/build-search-runtime",
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

#[test]
fn the_worker_reads_result_rows_only_by_the_fields_the_index_names() {
    let worker =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("search-index/runtime/lotse-worker.js"))
            .unwrap();
    // No positional reads: a row is read by name.
    let positional = regex::Regex::new(r"doc\[\d+\]").unwrap();
    assert!(!positional.is_match(&worker), "the worker reads a result row by position");
    let named = regex::Regex::new(r"doc\[field\.([a-z_]+)\]").unwrap();
    let used: std::collections::BTreeSet<&str> =
        named.captures_iter(&worker).map(|c| c.get(1).unwrap().as_str()).collect();
    assert!(!used.is_empty());
    for name in &used {
        assert!(lotse::index::RESULT_FIELDS.contains(name), "the worker reads `{name}`, which rows do not have");
    }
    // And what the index writes follows the names it announces.
    let (_engine, docs) = bundled_engine();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(common::bundled_site().0.join("search/manifest.json")).unwrap()).unwrap();
    let fields: Vec<&str> =
        manifest["docs"]["fields"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(fields, lotse::index::RESULT_FIELDS);
    let row = docs.iter().find(|d| d[0] == "ipad/wlan-verbinden/").unwrap();
    let at = |name: &str| fields.iter().position(|f| *f == name).unwrap();
    assert_eq!(row[at("title")], "Dienst-iPad mit dem WLAN verbinden");
    assert!(row[at("text")].as_str().unwrap().starts_with("f/"));
    assert_eq!(row.as_array().unwrap().len(), fields.len() - 1, "public rows carry no status");
}

/// The heads of a result list decoded: one row per article, as `manifest.docs.heads` names them.
fn heads_of(search: &Path, manifest: &serde_json::Value) -> Option<Vec<serde_json::Value>> {
    let url = manifest["docs"]["heads"]["url"].as_str()?;
    let bytes = common::decoded(&search.join(url));
    assert_eq!(bytes.len() as u64, manifest["docs"]["heads"]["len"].as_u64().unwrap(), "the heads' length");
    Some(serde_json::from_slice(&bytes).unwrap())
}

#[test]
fn a_result_list_too_large_for_the_pack_publishes_its_heads_and_a_small_one_does_not() {
    let portal = common::Portal::fixture("valid");
    let root = portal.root().to_string_lossy().into_owned();
    // Nothing fits the pack: the result list is published in chunks, with its heads beside it.
    common::lotse_with_env(&["build", "--root", &root], portal.root(), &[("LOTSE_SEARCH_PACK_LIMIT", "0")])
        .expect_code(0);
    let search = portal.public().join("search");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(search.join("manifest.json")).unwrap()).unwrap();
    let heads = heads_of(&search, &manifest).expect("no heads for a result list outside the pack");
    let (_engine, rows) = engine_of(&portal.public());
    assert_eq!(heads.len(), rows.len());
    let fields: Vec<&str> =
        manifest["docs"]["fields"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    for (head, row) in heads.iter().zip(&rows) {
        // What the first results show is the row's; what only the excerpts need is left out.
        for (at, name) in fields.iter().enumerate().take(row.as_array().unwrap().len()) {
            match *name {
                "summary" | "text" | "updated" => assert_eq!(head[at], "", "{name} in {head}"),
                _ => assert_eq!(head[at], row[at], "{name} in {head}"),
            }
        }
        assert!(!head[1].as_str().unwrap().is_empty(), "a head without a title: {head}");
    }
    // The bundled portal's result list travels in the pack: no heads.
    let (bundled, _) = common::bundled_site();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bundled.join("search/manifest.json")).unwrap()).unwrap();
    assert!(manifest["docs"]["heads"].is_null(), "{}", manifest["docs"]);
}
