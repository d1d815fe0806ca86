//! The findability evaluation run natively: the same engine and queries as
//! `benches/search/findability.mjs`, without Chromium or a wasm rebuild, so that a change to the
//! search can be measured in seconds while working on it. The browser benchmark stays the figure
//! that is reported; this one must agree with it.
//!
//!     lotse build --root target/corpora/gnome-help --output /tmp/gnome-site
//!     cargo run --release -p search-index --example findability -- /tmp/gnome-site/search \
//!         benches/findability/gnome-queries.tsv [--holdout] [--show-misses]
//!
//! Without `--holdout` only the dev queries are read (see benches/findability/README.md);
//! `--show-misses` lists the dev queries whose article is not among the first three;
//! `--ranked=FILE` writes each query with its first 20 articles, tab-separated, for comparing or
//! fusing Lotse's ranking with another one (benches/findability/semantic_e5.py); `--weights=FILE`
//! ranks with other numbers (JSON, the fields of `RankingWeights` to change, such as
//! `{"fuzzy": 0.2, "fields": {"body": 0.8}}`) without rebuilding the site or the runtime.
//! `--semantic` (a site built with `search.semantic` on) also ranks by meaning with the site's
//! own encoder weights and article vectors, and prints the lexical, semantic and fused figures
//! side by side, plus "shown": the article among the dropdown's lexical results or the similar
//! articles the browser adds below them (what a teacher sees; the list never reorders).

use std::collections::BTreeMap;
use std::path::Path;

use search_index::encoder::{Encoder, Mode};
use search_index::engine::{Engine, SearchConfig};
use search_index::semantic::{fuse, ArticleVectors};

mod site;

struct Query {
    kind: String,
    text: String,
    expected: String,
    split: String,
}

/// How many articles `--ranked` lists per query, and how many lexical places the fusion weighs
/// (the worker's `FUSION_POOL`).
const RANKED: usize = 20;
/// The dropdown's results (`DROPDOWN_LIMIT` in lotse-search.js) and the similar articles the
/// worker may add below them (`SIMILAR_LIMIT`).
const DROPDOWN: usize = 8;
const SIMILAR: usize = 3;

/// Per query: the rank of the expected article (0: not found) and whether anything was found,
/// and the articles found.
struct Run<'a> {
    ranks: Vec<(usize, bool)>,
    found: Vec<Vec<&'a str>>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flags: Vec<&str> = args.iter().filter(|a| a.starts_with("--")).map(String::as_str).collect();
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let [dir, queries_file] = paths[..] else {
        eprintln!(
            "usage: findability <site>/search QUERIES.tsv [--holdout] [--show-misses] [--ranked=FILE] [--weights=FILE]"
        );
        std::process::exit(2);
    };
    let with_holdout = flags.contains(&"--holdout");
    let queries: Vec<Query> = std::fs::read_to_string(queries_file)
        .expect("queries file")
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let columns: Vec<&str> = line.split('\t').collect();
            let split = columns.get(3).copied().unwrap_or("dev").to_string();
            (with_holdout || split == "dev").then(|| Query {
                kind: columns[0].to_string(),
                text: columns[1].to_string(),
                expected: columns[2].to_string(),
                split,
            })
        })
        .collect();

    let site::SearchFolder { files, mut config, docs } = site::read(Path::new(dir.as_str()));
    // Other ranking numbers than the build's, to try a change without rebuilding anything: a JSON
    // object with the fields of `search_index::ranking::RankingWeights` to change.
    if let Some(path) = flags.iter().find_map(|f| f.strip_prefix("--weights=")) {
        let text = std::fs::read_to_string(path).expect("the weights file");
        config.weights = serde_json::from_str(&text).expect("weights as in search_index::ranking::RankingWeights");
    }
    let urls: Vec<String> =
        docs.iter().map(|d| d[0].as_str().unwrap_or_default().trim_start_matches("../").to_string()).collect();

    let plain = SearchConfig { vocabulary: false, ..config.clone() };
    let semantic_runs =
        flags.contains(&"--semantic").then(|| semantic(Path::new(dir.as_str()), &queries, &files, &config, &urls));
    let runs = [&config, &plain].map(|config| {
        let engine = Engine::from_files(files.clone(), config).expect("index");
        let found: Vec<Vec<&str>> = queries
            .iter()
            .map(|q| {
                let answer = engine.answer(&q.text, Some(""), false, RANKED);
                answer.hits.iter().map(|h| urls[h.ord as usize].as_str()).collect()
            })
            .collect();
        // Ranks count among the first ten, as the browser benchmark does.
        let ranks = queries
            .iter()
            .zip(&found)
            .map(|(q, found)| {
                let first = &found[..found.len().min(10)];
                (first.iter().position(|u| *u == q.expected).map_or(0, |p| p + 1), !first.is_empty())
            })
            .collect();
        Run { ranks, found }
    });
    if let Some(out) = flags.iter().find_map(|f| f.strip_prefix("--ranked=")) {
        // Each query's first articles with the vocabulary, for comparing or fusing with another ranking.
        let lines: Vec<String> =
            queries.iter().zip(&runs[0].found).map(|(q, found)| format!("{}\t{}", q.text, found.join("\t"))).collect();
        std::fs::write(out, lines.join("\n") + "\n").expect("write the ranked file");
    }

    let splits: &[&str] = if with_holdout { &["dev", "holdout", "all"] } else { &["dev"] };
    for split in splits {
        println!("\n{split} queries");
        println!("{:<11}{:>4} | {:<34} | no vocabulary s@3", "kind", "n", "Lotse s@1   s@3   MRR  empty");
        let mut kinds: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, q) in queries.iter().enumerate() {
            if *split == "all" || q.split == *split {
                kinds.entry(q.kind.as_str()).or_default().push(i);
                kinds.entry("~all").or_default().push(i);
            }
        }
        for (kind, picked) in &kinds {
            let [lotse, plain] = &runs;
            let m = metrics(lotse, picked);
            print!(
                "{:<11}{:>4} | {:>9.0} % {:>4.0} % {:>5.2} {:>4.0} % | {:>4.0} %",
                kind.trim_start_matches('~'),
                picked.len(),
                m.0 * 100.0,
                m.1 * 100.0,
                m.2,
                m.3 * 100.0,
                metrics(plain, picked).1 * 100.0
            );
            if let Some([meaning, fused, shown]) = &semantic_runs {
                let (f, s) = (metrics(fused, picked), metrics(shown, picked));
                print!(
                    " | semantic s@3 {:>4.0} % | fused s@1 {:>4.0} % s@3 {:>4.0} % MRR {:.2} | shown {:>4.0} %",
                    metrics(meaning, picked).1 * 100.0,
                    f.0 * 100.0,
                    f.1 * 100.0,
                    f.2,
                    s.1 * 100.0
                );
            }
            println!();
        }
    }
    if flags.contains(&"--show-misses") {
        println!("\nmisses at 3 (dev queries only):");
        for (i, (q, (rank, _))) in queries.iter().zip(&runs[0].ranks).enumerate() {
            if q.split == "dev" && !(1..=3).contains(rank) {
                print!("  [{}] {} (want {}, rank {})", q.kind, q.text, q.expected, rank);
                if let Some([meaning, fused, shown]) = &semantic_runs {
                    let on_screen = if shown.ranks[i].0 == 1 { "shown" } else { "not shown" };
                    print!(" semantic rank {}, fused rank {}, {on_screen}", meaning.ranks[i].0, fused.ranks[i].0);
                }
                println!();
            }
        }
    }
}

/// The semantic stage's rankings of every query, with the site's own weights and vectors: by
/// meaning alone, fused with the lexical ranking, and as shown (the dropdown's lexical results,
/// then the fused ranking's first places they lack; its "rank" is 1 when the article is on
/// screen at all, so only s@3 counts there).
fn semantic<'a>(
    dir: &Path,
    queries: &[Query],
    files: &[(String, Vec<u8>)],
    config: &SearchConfig,
    urls: &'a [String],
) -> [Run<'a>; 3] {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest")).expect("manifest.json");
    let gunzip = |name: &str| {
        let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out).expect("gzip");
        out
    };
    let files_of = &manifest["semantic"];
    let name = |key: &str| files_of[key].as_str().expect("a site built with search.semantic on").to_string();
    let encoder = Encoder::from_bytes(&gunzip(&name("model"))).expect("the site's encoder weights");
    let vectors = ArticleVectors::from_bytes(&gunzip(&name("vectors"))).expect("the site's vectors");
    let engine = Engine::from_files(files.to_vec(), config).expect("index");
    let mut runs: [Vec<Vec<&str>>; 3] = Default::default();
    for q in queries {
        let lexical: Vec<u32> =
            engine.answer(&q.text, Some(""), false, RANKED).hits.iter().map(|h| h.ord as u32).collect();
        let cosines = vectors.cosines(&encoder.encode(&q.text, Mode::Query));
        let by_meaning = fuse(&cosines, &[], &config.weights.semantic, 10);
        let fused = fuse(&cosines, &lexical, &config.weights.semantic, 10);
        let dropdown = &lexical[..lexical.len().min(DROPDOWN)];
        let similar = fused.iter().take(SIMILAR).map(|f| f.ord).filter(|o| !dropdown.contains(o));
        let shown: Vec<u32> = dropdown.iter().copied().chain(similar).collect();
        let to_urls = |ords: &mut dyn Iterator<Item = u32>| ords.map(|o| urls[o as usize].as_str()).collect::<Vec<_>>();
        runs[0].push(to_urls(&mut by_meaning.iter().map(|f| f.ord)));
        runs[1].push(to_urls(&mut fused.iter().map(|f| f.ord)));
        runs[2].push(to_urls(&mut shown.into_iter()));
    }
    let [meaning, fused, shown] = runs;
    let ranked = |found: Vec<Vec<&'a str>>, on_screen: bool| {
        let ranks = queries
            .iter()
            .zip(&found)
            .map(|(q, found)| {
                let position = found.iter().position(|u| *u == q.expected).map_or(0, |p| p + 1);
                (if on_screen { position.min(1) } else { position }, !found.is_empty())
            })
            .collect();
        Run { ranks, found }
    };
    [ranked(meaning, false), ranked(fused, false), ranked(shown, true)]
}

/// success@1, success@3, MRR and the share of empty result lists over the picked queries.
fn metrics(run: &Run, picked: &[usize]) -> (f64, f64, f64, f64) {
    let n = picked.len().max(1) as f64;
    let ranks: Vec<(usize, bool)> = picked.iter().map(|&i| run.ranks[i]).collect();
    let count = |f: &dyn Fn(&(usize, bool)) -> bool| ranks.iter().filter(|r| f(r)).count() as f64 / n;
    let mrr = ranks.iter().map(|(r, _)| if *r > 0 { 1.0 / *r as f64 } else { 0.0 }).sum::<f64>() / n;
    (count(&|r| r.0 == 1), count(&|r| (1..=3).contains(&r.0)), mrr, count(&|r| !r.1))
}
