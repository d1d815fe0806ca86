//! End-to-end tests of the semantic stage at build time: `search.semantic`, the article vectors
//! and their cache, and that drafts and internal articles never get a vector in public output.

mod common;

use std::path::Path;

use common::Portal;
use search_index::semantic::ArticleVectors;
use serde_json::Value;

fn manifest(site: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(site.join("search/manifest.json")).unwrap()).unwrap()
}

/// The article vectors a build published, and how many result rows the index has.
fn vectors_and_rows(site: &Path) -> (ArticleVectors, usize) {
    let m = manifest(site);
    let vectors =
        common::decoded(&site.join("search").join(m["semantic"]["vectors"].as_str().expect("semantic files")));
    let rows = common::docs_chunks(&m)
        .iter()
        .map(|c| {
            let bytes = common::search_file(&site.join("search"), &m, c);
            serde_json::from_slice::<Vec<Value>>(&bytes).unwrap().len()
        })
        .sum();
    (ArticleVectors::from_bytes(&vectors).unwrap(), rows)
}

fn cache_records(root: &Path) -> usize {
    let dir = root.join(".lotse-cache");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("vectors-"))
        .map(|e| e.metadata().unwrap().len() as usize / (8 + 4 * 384))
        .sum()
}

fn switch_semantic(portal: &Portal, mode: &str) {
    let config = std::fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
    portal.write("lotse.yaml", &format!("{config}\nsearch:\n  semantic: {mode}\n"));
}

#[test]
fn semantic_on_publishes_one_vector_per_public_article_and_a_rebuild_encodes_only_what_changed() {
    let portal = Portal::fixture("valid");
    switch_semantic(&portal, "on");
    portal.build(&[]).expect_code(0);
    let site = portal.public();
    let m = manifest(&site);
    for key in ["script", "encoder", "model", "vectors"] {
        let file = site.join("search").join(m["semantic"][key].as_str().unwrap());
        assert!(file.metadata().unwrap().len() > 0, "{} is empty", file.display());
    }
    let (vectors, rows) = vectors_and_rows(&site);
    assert_eq!(vectors.len(), rows, "one vector per result row, in row order");
    assert_eq!(vectors.dims(), 384);
    // Drafts and internal articles are not in the public index, so they have no vector there.
    let public_rows = rows;
    assert_eq!(cache_records(portal.root()), public_rows, "the cache holds what was encoded");

    // The technicians' portal has the internal article too: one more vector, one more encoding.
    let internal = portal.root().join("intern");
    portal.build(&["--internal", "--output", internal.to_str().unwrap()]).expect_code(0);
    let (internal_vectors, internal_rows) = vectors_and_rows(&internal);
    assert_eq!(internal_vectors.len(), internal_rows);
    assert!(internal_rows > public_rows, "the internal portal lists the internal article");
    assert_eq!(cache_records(portal.root()), internal_rows);

    // An edited article is encoded again; the others come from the cache.
    let path = portal.root().join("content/ipad/wlan.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\n---\n", "\n---\nEin neuer erster Satz über das Schul-WLAN.\n\n", 1))
        .unwrap();
    portal.build(&[]).expect_code(0);
    assert_eq!(cache_records(portal.root()), internal_rows + 1, "only the changed article was encoded");
    let (again, _) = vectors_and_rows(&site);
    assert_ne!(again, vectors, "the changed article's vector changed");
}

#[test]
fn semantic_off_and_auto_on_a_small_portal_ship_nothing_of_it() {
    for mode in ["off", "auto"] {
        let portal = Portal::fixture("valid");
        switch_semantic(&portal, mode);
        portal.build(&[]).expect_code(0);
        assert!(manifest(&portal.public()).get("semantic").is_none(), "{mode}: no semantic files in the manifest");
        assert!(!portal.public().join("search/s").exists(), "{mode}: no semantic folder");
        assert!(!portal.root().join(".lotse-cache").exists(), "{mode}: nothing encoded");
    }
}

#[test]
fn an_unknown_semantic_mode_is_an_error_at_its_line() {
    let portal = Portal::fixture("valid");
    switch_semantic(&portal, "immer");
    let run = portal.build(&[]);
    run.expect_code(2);
    assert!(run.stderr.contains("lotse.yaml:") && run.stderr.contains("`immer`"), "{}", run.stderr);
    assert!(run.stderr.contains("use one of: `auto`, `on`, `off`"), "{}", run.stderr);
}
