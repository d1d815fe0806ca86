//! Encodes texts with the semantic stage's sentence encoder and prints how long each took, on
//! one core: the per-article cost at build time (issue 18's budget: 50 ms).
//!
//!     cargo run --release -p search-index --example encode -- [--passage] "Text" ...
//!     cargo run --release -p search-index --example encode -- --articles content [--chars 600]
//!
//! `--articles` encodes each article's title, summary and text start, cut at `--chars`
//! characters (600 unless given), as the build would.
use std::time::Instant;

use search_index::encoder::{Encoder, Mode};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let weights = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/encoder/e5-q4-de.lte5")).expect("the weights");
    let started = Instant::now();
    let encoder = Encoder::from_bytes(&weights).expect("valid weights");
    println!(
        "loaded in {:.0} ms, {:.1} MB of tensors",
        started.elapsed().as_secs_f64() * 1000.0,
        encoder.memory() as f64 / 1e6
    );
    let (mode, texts) = if args.first().map(String::as_str) == Some("--articles") {
        let root = args.get(1).map(String::as_str).unwrap_or("content");
        let chars = match args.get(2).map(String::as_str) {
            Some("--chars") => args.get(3).and_then(|n| n.parse().ok()).expect("--chars N"),
            _ => 600,
        };
        let mut paths: Vec<_> = std::fs::read_dir(root)
            .expect("a folder")
            .flatten()
            .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        paths.sort();
        let mut texts = Vec::new();
        for path in paths {
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let mut parts = text.splitn(3, "---\n");
            let (front, body) = (parts.nth(1).unwrap_or(""), parts.next().unwrap_or(&text));
            let field = |key: &str| {
                front
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .map(|v| v.trim().trim_matches('"').to_string())
                    .unwrap_or_default()
            };
            let passage = format!("{}. {} {}", field("title:"), field("summary:"), body.trim());
            texts.push(passage.chars().take(chars).collect::<String>());
        }
        (Mode::Passage, texts)
    } else if args.first().map(String::as_str) == Some("--passage") {
        (Mode::Passage, args[1..].to_vec())
    } else {
        (Mode::Query, args)
    };
    let mut times = Vec::new();
    for text in &texts {
        let started = Instant::now();
        let tokens = encoder.ids(text, mode).len();
        encoder.encode(text, mode);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
        if texts.len() <= 10 {
            println!("{ms:7.1} ms  {tokens:4} tokens  {text:.60}");
        }
    }
    times.sort_by(f64::total_cmp);
    if let Some(median) = times.get(times.len() / 2) {
        println!("{} texts, median {median:.1} ms, max {:.1} ms", times.len(), times.last().unwrap());
    }
}
