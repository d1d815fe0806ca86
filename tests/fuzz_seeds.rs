//! Runs every committed fuzz seed (`fuzz/corpus/<target>/`) through its fuzz target, so each test
//! run checks the targets still accept everything they were seeded with. The fuzzing itself, for
//! hours, is `scripts/fuzz` (README, "Fuzzing").

use std::path::Path;

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    found.sort();
    assert!(found.len() >= 5, "too few seeds for {target}: {}", found.len());
    found
}

fn run_all(target: &str, run: fn(&[u8])) {
    for (name, bytes) in seeds(target) {
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        assert!(outcome.is_ok(), "fuzz target {target} panicked on {name}");
    }
}

#[test]
fn front_matter_seeds() {
    run_all("front_matter", lotse::fuzz::front_matter);
}

#[test]
fn markdown_seeds() {
    run_all("markdown", lotse::fuzz::markdown);
}

#[test]
fn query_seeds() {
    run_all("query", search_index::fuzz::query);
}

#[test]
fn analysis_seeds() {
    run_all("analysis", search_index::fuzz::analysis);
}
