//! Runs queries against a built portal's search index, natively, the way the browser does, and
//! prints the top hits with an explanation of each score: for looking into why a query finds
//! what it finds.
//!
//!     lotse build --output /tmp/site
//!     cargo run -p search-index --example probe -- /tmp/site/search "wlan geht nicht" "drucker"

use std::path::Path;

use search_index::engine::Engine;

mod site;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: probe <site>/search QUERY...");
        std::process::exit(2);
    };
    let folder = site::read(Path::new(&dir));
    let docs = folder.docs;
    let engine = Engine::from_files(folder.files, &folder.config).expect("index");
    for query in args {
        let parsed = search_index::query::parse(&query, false);
        let terms: Vec<&str> = parsed.words.iter().map(|w| w.term.as_str()).collect();
        let answer = engine.answer(&query, None, false, 5);
        println!("{query}  {terms:?}  suggestion={:?} closest={}", answer.suggestion, answer.closest);
        for hit in answer.hits {
            let url = docs.get(hit.ord as usize).and_then(|d| d[0].as_str()).unwrap_or("?");
            println!("  {:8.3}  {url}", hit.score);
        }
        // Why the first hits rank as they do (for a finished query; closest articles have none).
        if !answer.closest {
            for (hit, details) in engine.search_explained(&query, None, false, 3) {
                let url = docs.get(hit.ord as usize).and_then(|d| d[0].as_str()).unwrap_or("?");
                println!("  why {url}: {:.3}", hit.score);
                for d in details {
                    let sign = if d.rule == search_index::engine::Rule::Match { "+" } else { "×" };
                    println!("      {sign} {:7.3}  {:?} {}", d.value, d.rule, d.what);
                }
            }
        }
    }
}
