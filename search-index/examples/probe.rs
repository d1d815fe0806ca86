//! Runs queries against a built portal's search index, natively, the way the browser does, and
//! prints the top hits: for looking into why a query finds what it finds.
//!
//!     lotse build --output /tmp/site
//!     cargo run -p search-index --example probe -- /tmp/site/search "wlan geht nicht" "drucker"

use std::path::Path;

use search_index::engine::{Engine, SearchConfig};
use serde_json::Value;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: probe <site>/search QUERY...");
        std::process::exit(2);
    };
    let dir = Path::new(&dir);
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let manifest: Value = serde_json::from_slice(&read("manifest.json")).expect("manifest.json");
    let files = manifest["index"]
        .as_object()
        .expect("index files")
        .iter()
        .map(|(name, entry)| (name.clone(), read(entry["url"].as_str().unwrap_or_default())))
        .collect();
    let config: SearchConfig = serde_json::from_value(manifest["config"].clone()).expect("config");
    let mut docs: Vec<Value> = Vec::new();
    for chunk in manifest["docs"]["chunks"].as_array().into_iter().flatten() {
        let list: Vec<Value> = serde_json::from_slice(&read(chunk.as_str().unwrap_or_default())).expect("docs");
        docs.extend(list);
    }
    let engine = Engine::from_files(files, &config).expect("index");
    for query in args {
        let parsed = search_index::query::parse(&query, false);
        let terms: Vec<&str> = parsed.words.iter().map(|w| w.term.as_str()).collect();
        let answer = engine.answer(&query, None, false, 5);
        println!("{query}  {terms:?}  suggestion={:?} closest={}", answer.suggestion, answer.closest);
        for hit in answer.hits {
            let url = docs.get(hit.ord as usize).and_then(|d| d[0].as_str()).unwrap_or("?");
            println!("  {:8.3}  {url}", hit.score);
        }
    }
}
