//! The indexing stage: writes the search index, the article texts for excerpts, and the browser
//! runtime under `search/` in the output.
//!
//! Indexing works from the rendered model (titles, headings, plain text), never from output HTML.
//! Only published articles are indexed. Every file except the small manifest has a content hash
//! in its name, so browsers and caches never combine an old index with a new page: the pages load
//! the manifest with the build's search version as a cache-buster.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use search_index::fold::Fnv64;
use search_index::layout::Layout;
use search_index::writer::{write_index, IndexDoc};
use serde::Serialize;

use crate::config::Config;
use crate::content::Page;
use crate::markdown::Rendered;
use crate::output::SiteWriter;

/// The search runtime, built from `search-index/` by `scripts/build-search-runtime`, in LZMA's
/// `.lzma` format (a fifth smaller than gzip): the worker decodes it itself, so a host that
/// compresses nothing sends no more bytes, and one that does cannot do better.
pub const RUNTIME_WASM_LZMA: &[u8] = include_bytes!("../search-index/runtime/lotse-search.wasm.lzma");
/// The Web Worker that drives the runtime, with the LZMA decoder in front (one request).
pub const RUNTIME_WORKER: &str = concat!(
    include_str!("../search-index/runtime/lotse-lzma.js"),
    include_str!("../search-index/runtime/lotse-worker.js")
);
/// A script as published: without its comment lines, blank lines and indentation (the worker
/// shrinks by a third, 31 to 20 kB). A host that compresses nothing sends scripts as they are, and
/// the worker is the first file a search waits for. Only comments that begin a line go, and line
/// breaks stay, so no two lines are joined and the code is the same.
fn published_script(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut in_comment = false;
    for mut line in source.lines().map(str::trim) {
        if in_comment || line.starts_with("/*") {
            match line.split_once("*/") {
                Some((_, rest)) => {
                    in_comment = false;
                    line = rest.trim();
                }
                None => {
                    in_comment = true;
                    continue;
                }
            }
        }
        if !line.is_empty() && !line.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Hash of the runtime's sources when it was built; a test compares it with the sources now.
pub const RUNTIME_SOURCE_HASH: &str = include_str!("../search-index/runtime/source-hash.txt");

/// What the runtime reads first: where everything else is.
#[derive(Serialize)]
struct Manifest<'a> {
    format: u32,
    generator: String,
    runtime: String,
    /// tantivy's file names → hashed file names (relative to `search/`) and lengths; the runtime
    /// fetches their bytes lazily, by range.
    index: BTreeMap<String, IndexFileEntry>,
    /// Where a large portal's postings and positions are, in chunks by term.
    #[serde(skip_serializing_if = "Option::is_none")]
    chunks: Option<Chunks>,
    docs: DocsChunks,
    config: search_index::engine::SearchConfig,
    platforms: BTreeMap<&'a str, &'a str>,
    /// For portals of up to [`PACK_LIMIT`]: the index files and the result list (and, for small
    /// portals, the article texts) in one `.lzma` file, fetched in one request while the page is
    /// idle, so that a query waits for the network at most once (for excerpt texts). The files
    /// it holds are not written on their own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pack: Option<Pack>,
    /// The semantic stage, when the portal ships it (`search.semantic`).
    #[serde(skip_serializing_if = "Option::is_none")]
    semantic: Option<SemanticFiles>,
}

/// The semantic stage's files, relative to `search/` (all but the script gzipped): the worker
/// fetches them lazily (when a query needs meaning, or when idle after a first search), never on
/// page load.
#[derive(Serialize)]
struct SemanticFiles {
    /// The worker's code for the stage (`search-index/runtime/lotse-semantic.js`), which the
    /// worker imports only here, so that a portal without the stage sends no byte more.
    script: String,
    /// The encoder runtime (`search-index/encoder-wasm`).
    encoder: String,
    /// Its weights (LTE5).
    model: String,
    /// One vector per result row ([`search_index::semantic::ArticleVectors`]).
    vectors: String,
}

/// The pack: one `.lzma` file ([`lzma`]), decoded by the worker.
#[derive(Serialize)]
struct Pack {
    url: String,
    /// Its length decoded, which the worker checks against the file's header.
    len: usize,
    /// Where each file lies in the decoded pack: path (as the manifest names it) → [offset, length].
    files: BTreeMap<String, [usize; 2]>,
}

/// The most index data (uncompressed: index files and result list) that travels as one pack,
/// about half of it after gzip (postings and positions hardly compress); a portal of a hundred
/// long articles has about 200 kB, a thousand about 1.4 MB, which on a busy school WLAN (1.5
/// Mbit/s) would take seconds before the first result. The pack holds the article texts for
/// excerpts too while everything, texts included, fits. Larger portals pack only what every query
/// needs (the term dictionaries, norms, fast fields and, while small, the result list) and fetch
/// the postings and positions of a query's terms in chunks by term, all at once
/// ([`search_index::layout`]).
const PACK_LIMIT: usize = 1024 * 1024;

#[derive(Serialize)]
struct IndexFileEntry {
    url: String,
    len: usize,
}

/// The postings and positions of a portal too large for one pack, cut at term boundaries into
/// spans and grouped into gzipped chunks by term ([`search_index::layout`]), so that a query
/// fetches the few chunks of its terms all at once, compressed, from any host (each file's
/// `url` stays for reads by range). Chunk n is `{prefix}-{n}.gz`; chunk 0, the bytes no term
/// owns (what opening reads), and the cuts travel in the pack.
#[derive(Serialize)]
struct Chunks {
    prefix: String,
    count: usize,
    /// The pack's file with each chunked file's spans: `{tantivy name: [length, chunk, …]}`.
    layout: String,
    /// Where chunks 1 to `warm.chunks` hold at most [`WARM_WHOLE`] bytes (a small portal's
    /// positions in titles and headings): all of them in one `.lzma`, which the worker fetches
    /// in one request rather than a chunk each, so that later queries wait for nothing: together
    /// with the runtime and the pack when the search warms up idle, after them when a query
    /// waits. The chunks after them (positions only a quoted phrase reads) come as needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    warm: Option<WarmChunks>,
}

#[derive(Serialize)]
struct WarmChunks {
    url: String,
    /// Bytes once decoded: the chunks one after another.
    len: usize,
    /// The last chunk it holds.
    chunks: usize,
}

/// The most bytes of chunks that travel together in the warm-up (see [`Chunks::warm`]): the
/// positions of about 350 generated articles (100 have 71 kB, before the body's positions went
/// apart). On a busy WLAN (1.5 Mbit/s) those 71 kB in nine pieces of 8 kB took two rounds of
/// requests (browsers open six connections to a host), and a second query right after the first
/// waited.
const WARM_WHOLE: usize = 256 * 1024;

/// The list of result entries (URL, title, platform, summary, text file, updated date), cut into chunks so that a
/// search loads only the chunks of the articles it shows.
#[derive(Serialize)]
struct DocsChunks {
    /// The names of a row's fields, in order: [`RESULT_FIELDS`]. The worker reads rows by these
    /// names, so the two sides cannot disagree about positions.
    fields: &'static [&'static str],
    size: usize,
    /// Chunk n is `{prefix}-{n}.json`; where it is not in the pack, it is published gzipped, as
    /// `{prefix}-{n}.json.gz` (so are the article texts its rows name). One prefix rather than a
    /// name per chunk: for ten thousand articles the names were 8 of the manifest's 11 kB, which
    /// every search waits for.
    prefix: String,
    count: usize,
    /// Where the result list is too large for the pack (thousands of articles): every row's
    /// head, what the first results show, in one `.lzma` file that the worker fetches after
    /// the runtime and the pack, never when the browser asks to save data. A query finds its
    /// results' titles here instead of waiting for their chunks, a round trip after its postings;
    /// only the excerpts (summary and text) wait for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    heads: Option<Heads>,
}

/// The heads of the result list: a JSON array with one row per article, in the order of the
/// rows ([`RESULT_FIELDS`]), holding its URL, title, platform and status, with summary, text and
/// date left empty (they cost nothing once compressed).
#[derive(Serialize)]
struct Heads {
    url: String,
    /// Its length decoded.
    len: usize,
}

/// The most bytes the heads may have as `.lzma`: about 15,000 articles with real titles (35
/// bytes each; generated titles take 5). 512 kB take a second on school WLAN (5 Mbit/s),
/// three on a busy one, in the background; a larger portal's queries wait for their rows.
const HEADS_LIMIT: usize = 512 * 1024;

/// The fields of a row its head leaves empty: what only the excerpts need.
const HEADLESS_FIELDS: &[&str] = &["summary", "text", "updated"];

/// What a result row holds, in this order: the article's address, title, platform id, summary,
/// the file with its text (for excerpts), its `updated` date, and, only in the preview and the
/// internal portal, `draft` or `internal`. The contract between the index and
/// `search-index/runtime/lotse-worker.js`; a test checks that the worker reads only these.
pub const RESULT_FIELDS: &[&str] = &["url", "title", "platform", "summary", "text", "updated", "status"];

/// Articles per docs chunk. A large portal's five results lie in up to five chunks, each a
/// request of its own either way: 25 rows are about 8 kB of JSON, 3 kB gzipped.
const DOCS_CHUNK: usize = 25;

/// [`PACK_LIMIT`], or `LOTSE_SEARCH_PACK_LIMIT` (bytes) where set: the tests build small portals
/// without a pack too, to exercise the range reads of large ones.
fn pack_limit() -> usize {
    std::env::var("LOTSE_SEARCH_PACK_LIMIT").ok().and_then(|v| v.parse().ok()).unwrap_or(PACK_LIMIT)
}

/// `bytes` in LZMA's `.lzma` format, as `search-index/runtime/lotse-lzma.js` decodes it: preset 9
/// with a dictionary no larger than the input, the length in the header, no end marker. Smaller
/// than gzip by a sixth for the pack, which every search waits for (the bundled portal's: 158 to
/// 134 kB); deterministic, so builds stay byte-identical.
fn lzma(bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write as _;
    let mut options = lzma_rust2::LzmaOptions::with_preset(9);
    let len = u32::try_from(bytes.len()).context("the search pack is larger than 4 GB")?;
    options.dict_size = len.next_power_of_two().clamp(4096, options.dict_size);
    let mut writer = lzma_rust2::LzmaWriter::new_use_header(Vec::new(), &options, Some(u64::from(len)))?;
    writer.write_all(bytes)?;
    Ok(writer.finish()?)
}

/// [`lzma`] of `bytes`, taken from the previous call when `bytes` have not changed: the preview
/// rewrites the search index after every save, and an edit to an article's text leaves the
/// result list's heads as they were (compressing 10,000 articles' heads takes a quarter of a
/// second of the two cores the next rebuild needs).
fn lzma_reusing_the_last(bytes: &[u8]) -> Result<Vec<u8>> {
    static LAST: std::sync::Mutex<Option<(Vec<u8>, Vec<u8>)>> = std::sync::Mutex::new(None);
    if let Some((input, output)) = &*LAST.lock().expect("no panics while holding the lock") {
        if input == bytes {
            return Ok(output.clone());
        }
    }
    let output = lzma(bytes)?;
    *LAST.lock().expect("no panics while holding the lock") = Some((bytes.to_vec(), output.clone()));
    Ok(output)
}

/// `bytes` gzipped at the best level, with no name or time in the header, so builds stay
/// byte-identical.
fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// Short content hash for file names.
fn hash(bytes: &[u8]) -> String {
    let mut h = Fnv64::new();
    h.update(bytes);
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// What the search needs of the portal: the articles, their renderings and the settings. The
/// index gets this rather than the whole site, so that it depends only on the stages before it.
pub struct Portal<'a> {
    /// Every article, by the indices that `published` lists.
    pub pages: &'a [Page],
    /// The rendering of each article, by the same index.
    pub rendered: &'a [Rendered],
    pub config: &'a Config,
    /// Where the semantic stage caches article vectors.
    pub cache: std::path::PathBuf,
}

/// Published articles in the order of `published`, as the index sees them.
pub fn index_docs(portal: &Portal<'_>, published: &[usize]) -> Vec<IndexDoc> {
    published
        .iter()
        .map(|&i| {
            let page = &portal.pages[i];
            let rendered = &portal.rendered[i];
            IndexDoc {
                title: page.title.clone(),
                summary: page.summary.clone(),
                keywords: page.keywords.clone(),
                tags: page.tags.clone(),
                headings: rendered.headings.iter().map(|h| h.title.clone()).collect(),
                body: rendered.text.clone(),
                platform: page.platform.clone(),
                audience: page.audience.clone(),
            }
        })
        .collect()
}

/// A hash of everything the search output depends on, for cache-busting the manifest.
pub fn search_version(docs: &[IndexDoc], portal: &Portal<'_>) -> String {
    let mut h = Fnv64::new();
    for doc in docs {
        for part in [&doc.title, &doc.summary, &doc.body, &doc.platform] {
            h.update(part.as_bytes());
            h.update(&[0]);
        }
        for list in [&doc.keywords, &doc.tags, &doc.headings, &doc.audience] {
            for item in list.iter() {
                h.update(item.as_bytes());
                h.update(&[1]);
            }
        }
    }
    h.update(serde_json::to_string(&portal.config.search.engine_config()).unwrap_or_default().as_bytes());
    h.update(RUNTIME_WASM_LZMA);
    h.update(RUNTIME_WORKER.as_bytes());
    if portal.config.search.semantic.enabled(docs.len()) {
        h.update(crate::semantic::stage_id().as_bytes());
    }
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// Everything the search output is made of, owned, so that the dev server can write it on a
/// background thread while pages reload.
pub struct SearchInput {
    /// What the index gets of each published article; a doc's position is its `ord` in search hits.
    pub docs: Vec<IndexDoc>,
    /// URL, title, platform, summary, updated date and status (`draft`, `internal` or empty) of
    /// each indexed article, in `docs` order.
    pub entries: Vec<(String, String, String, String, String, &'static str)>,
    /// Synonyms and vocabulary settings from `lotse.yaml`, handed to the runtime in the manifest.
    pub config: search_index::engine::SearchConfig,
    /// Platform id → name, so the runtime can label each result with its platform's name.
    pub platforms: BTreeMap<String, String>,
    /// The sections of each article, in `docs` order: where each begins in its body (in UTF-16
    /// units, as the worker counts), its anchor and its heading. A result shows those that match.
    pub sections: Vec<Vec<(usize, String, String)>>,
    /// The vector cache folder, when the portal ships the semantic stage.
    pub semantic: Option<std::path::PathBuf>,
}

/// Headings down to this level start a section of their own in search results; deeper ones
/// belong to the section above them.
const SECTION_LEVEL: u8 = 3;

impl SearchInput {
    /// Collects the search input for the published articles of `portal`.
    pub fn new(portal: &Portal<'_>, published: &[usize], docs: Vec<IndexDoc>) -> SearchInput {
        let entries = published
            .iter()
            .map(|&i| {
                let page = &portal.pages[i];
                let updated = page.updated.map(|d| d.to_string()).unwrap_or_default();
                let status = crate::views::card(page, "", portal.config.language).status;
                (page.url.clone(), page.title.clone(), page.platform.clone(), page.summary.clone(), updated, status)
            })
            .collect();
        let sections = published
            .iter()
            .map(|&i| {
                let rendered = &portal.rendered[i];
                rendered
                    .headings
                    .iter()
                    .filter(|h| h.level <= SECTION_LEVEL)
                    .map(|h| {
                        let start = rendered.text.get(..h.text_start).map_or(0, |before| before.encode_utf16().count());
                        (start, h.id.clone(), h.title.clone())
                    })
                    .collect()
            })
            .collect();
        let semantic = portal.config.search.semantic.enabled(docs.len()).then(|| portal.cache.clone());
        SearchInput {
            docs,
            sections,
            semantic,
            entries,
            config: portal.config.search.engine_config(),
            platforms: portal.config.platforms.iter().map(|p| (p.id.clone(), p.name.clone())).collect(),
        }
    }
}

/// Writes the search output for the published articles.
pub fn write(portal: &Portal<'_>, published: &[usize], docs: &[IndexDoc], writer: &dyn SiteWriter) -> Result<()> {
    write_search(&SearchInput::new(portal, published, docs.to_vec()), writer)
}

/// Writes the search output from its input; the manifest comes last, so that a reader never sees
/// a manifest pointing at files not written yet.
pub fn write_search(input: &SearchInput, writer: &dyn SiteWriter) -> Result<()> {
    let docs = &input.docs;
    let index_files = write_index(docs).context("cannot build the search index")?;
    // The data files by their path under `search/`, written on their own or packed below.
    let mut data: Vec<(String, Vec<u8>)> = Vec::new();
    let mut index = BTreeMap::new();
    for (name, bytes) in &index_files {
        let extension = name.rsplit_once('.').map_or("bin", |(_, e)| e);
        let target = format!("i/{}.{extension}", hash(bytes));
        index.insert(name.clone(), IndexFileEntry { url: target.clone(), len: bytes.len() });
        data.push((target, bytes.clone()));
    }
    let mut entries = Vec::with_capacity(input.entries.len());
    for (((url, title, platform, summary, updated, status), doc), sections) in
        input.entries.iter().zip(docs).zip(&input.sections)
    {
        // The title, the sections as one line of JSON, then the body they point into.
        let text = format!("{}\n{}\n{}", doc.title, serde_json::to_string(sections)?, doc.body);
        let fragment = format!("f/{}.txt", hash(text.as_bytes()));
        data.push((fragment.clone(), text.into_bytes()));
        let mut entry = serde_json::json!([url, title, platform, summary, fragment, updated]);
        // Only the preview and the internal portal hold drafts and internal articles; a result
        // marks them, and the public portal's result list stays as it was.
        if !status.is_empty() {
            entry.as_array_mut().expect("an array").push((*status).into());
        }
        entries.push(entry);
    }
    let rows = entries.chunks(DOCS_CHUNK).map(serde_json::to_vec).collect::<Result<Vec<_>, _>>()?;
    // Named by all rows together (each chunk is a JSON array, so the boundaries count too).
    let docs_prefix = format!("d/{}", hash(&rows.concat()));
    let docs_count = rows.len();
    for (number, json) in rows.into_iter().enumerate() {
        data.push((format!("{docs_prefix}-{number}.json"), json));
    }
    data.sort_by(|a, b| a.0.cmp(&b.0));
    data.dedup_by(|a, b| a.0 == b.0);
    // What every query needs (the index and the result list) goes into the pack while it fits;
    // the article texts for excerpts too while everything fits, else they are fetched for the
    // shown results only, all in one wave. Beyond that, postings and positions stay out of the
    // pack and are published in chunks by term as well.
    let is_text = |path: &str| path.starts_with("f/");
    let is_postings = |path: &str| path.ends_with(".idx") || path.ends_with(".pos");
    // Positions are only read by queries of two words or more, and are the largest part of a
    // small portal's pack: they always travel in chunks. A small portal's worker fetches those
    // of titles and headings with the pack, in one file (`Chunks::warm`); the body's, which only
    // a quoted phrase reads, as a query needs them.
    let is_positions = |path: &str| path.ends_with(".pos");
    let is_docs = |path: &str| path.starts_with("d/");
    let bytes_of =
        |keep: &dyn Fn(&str) -> bool| -> usize { data.iter().filter(|(p, _)| keep(p)).map(|(_, b)| b.len()).sum() };
    let all_bytes = bytes_of(&|_| true);
    let text_bytes = bytes_of(&|p| is_text(p));
    let pack_texts = all_bytes <= pack_limit();
    let pack_index = pack_texts || all_bytes - text_bytes <= pack_limit();
    let pack_docs = pack_index || bytes_of(&|p| is_docs(p)) <= pack_limit();
    let packed = |path: &str| {
        if is_text(path) {
            pack_texts
        } else if is_positions(path) {
            false
        } else if is_postings(path) {
            pack_index
        } else if is_docs(path) {
            pack_docs
        } else {
            true
        }
    };
    // The files a query reads in pieces: positions always, postings unless packed. They travel
    // in chunks by term (search_index::layout), whose cuts the pack carries.
    // (By extension, which tantivy's names and the published paths share.)
    let chunked = |name: &str| is_positions(name) || (is_postings(name) && !pack_index);
    let apart = input.config.weights.positions_only_for_quotes();
    let layout = Layout::plan(&index_files, &chunked, &apart, search_index::layout::CHUNK)
        .context("cannot open the search index just built")?;
    let mut joined = Vec::new();
    let mut files = BTreeMap::new();
    for (path, bytes) in &data {
        if packed(path) {
            files.insert(path.clone(), [joined.len(), bytes.len()]);
            joined.extend_from_slice(bytes);
        } else if is_text(path) || is_docs(path) {
            // Fetched whole, never by range: gzipped, for hosts that compress nothing.
            writer.write(&format!("search/{path}.gz"), &gzip(bytes)?)?;
        } else {
            writer.write(&format!("search/{path}"), bytes)?;
        }
    }
    let index_chunks = if layout.files.is_empty() {
        None
    } else {
        // Each span as [length, chunk], flattened: the worker cuts chunks by it.
        let spans: BTreeMap<&str, Vec<usize>> = layout
            .files
            .iter()
            .map(|(name, spans)| (name.as_str(), spans.iter().flat_map(|s| [s.len, s.chunk]).collect()))
            .collect();
        let spans = serde_json::to_vec(&spans)?;
        let bytes = layout.chunk_bytes(&index_files);
        // Named by the cuts and the bytes both: a new cut of the same index is a new name.
        let mut h = Fnv64::new();
        h.update(&spans);
        bytes.iter().for_each(|chunk| h.update(chunk));
        let prefix = format!("b/{:012x}", h.finish() & 0xffff_ffff_ffff);
        for (number, chunk) in bytes.iter().enumerate() {
            writer.write(&format!("search/{prefix}-{number}.gz"), &gzip(chunk)?)?;
        }
        // What opening reads (chunk 0) and the cuts travel in the pack.
        let layout_path = format!("{prefix}.json");
        for (path, bytes) in [(layout_path.clone(), spans), (format!("{prefix}-0"), bytes[0].clone())] {
            files.insert(path, [joined.len(), bytes.len()]);
            joined.extend_from_slice(&bytes);
        }
        // A small portal's (its postings in the pack): a large portal's warm-up stays the
        // runtime and the pack, and its queries fetch their chunks.
        let warm_bytes = bytes[1..layout.apart_from].concat();
        let warm = if !pack_index || warm_bytes.is_empty() || warm_bytes.len() > WARM_WHOLE {
            None
        } else {
            let url = format!("{prefix}.warm.lzma");
            writer.write(&format!("search/{url}"), &lzma(&warm_bytes)?)?;
            Some(WarmChunks { url, len: warm_bytes.len(), chunks: layout.apart_from - 1 })
        };
        Some(Chunks { prefix, count: layout.chunks, layout: layout_path, warm })
    };
    let heads = if pack_docs {
        None
    } else {
        let heads_json = serde_json::to_vec(&entries.iter().map(head_of).collect::<Vec<_>>())?;
        let compressed = lzma_reusing_the_last(&heads_json)?;
        if compressed.len() > HEADS_LIMIT {
            None
        } else {
            let url = format!("d/{}.heads.lzma", hash(&compressed));
            writer.write(&format!("search/{url}"), &compressed)?;
            Some(Heads { url, len: heads_json.len() })
        }
    };
    let pack = if files.is_empty() {
        None
    } else {
        let compressed = lzma(&joined)?;
        let url = format!("p/{}.bin.lzma", hash(&compressed));
        writer.write(&format!("search/{url}"), &compressed)?;
        Some(Pack { url, len: joined.len(), files })
    };
    let semantic = match &input.semantic {
        Some(cache) => Some(write_semantic(docs, cache, writer)?),
        None => None,
    };
    let runtime = format!("lotse-search.{}.wasm.lzma", hash(RUNTIME_WASM_LZMA));
    writer.write(&format!("search/{runtime}"), RUNTIME_WASM_LZMA)?;
    writer.write("search/lotse-worker.js", published_script(RUNTIME_WORKER).as_bytes())?;
    let manifest = Manifest {
        format: search_index::FORMAT_VERSION,
        generator: format!("lotse {}", env!("CARGO_PKG_VERSION")),
        runtime,
        index,
        chunks: index_chunks,
        docs: DocsChunks { fields: RESULT_FIELDS, size: DOCS_CHUNK, prefix: docs_prefix, count: docs_count, heads },
        config: input.config.clone(),
        platforms: input.platforms.iter().map(|(id, name)| (id.as_str(), name.as_str())).collect(),
        pack,
        semantic,
    };
    // Compact: a host that compresses nothing sends it as it is, and every search waits for it
    // (10 kB pretty-printed for a hundred articles, 5.6 kB compact).
    writer.write("search/manifest.json", &serde_json::to_vec(&manifest)?)?;
    Ok(())
}

/// A row's head: the row with the fields only excerpts need ([`HEADLESS_FIELDS`]) emptied.
fn head_of(row: &serde_json::Value) -> serde_json::Value {
    let mut head = row.clone();
    if let Some(fields) = head.as_array_mut() {
        for (value, name) in fields.iter_mut().zip(RESULT_FIELDS) {
            if HEADLESS_FIELDS.contains(name) {
                *value = "".into();
            }
        }
    }
    head
}

/// Writes the semantic stage's files: its worker code, the encoder, its weights and the article
/// vectors.
fn write_semantic(docs: &[IndexDoc], cache: &std::path::Path, writer: &dyn SiteWriter) -> Result<SemanticFiles> {
    let [script, encoder, model] = shipped_semantic_files();
    for (url, bytes) in [script, encoder, model] {
        writer.write(&format!("search/{url}"), bytes)?;
    }
    let vectors = gzip(&crate::semantic::article_vectors(docs, cache)?.to_bytes())?;
    let vectors_url = format!("s/vectors.{}.bin.gz", hash(&vectors));
    writer.write(&format!("search/{vectors_url}"), &vectors)?;
    Ok(SemanticFiles {
        script: script.0.clone(),
        encoder: encoder.0.clone(),
        model: model.0.clone(),
        vectors: vectors_url,
    })
}

/// The stage's files that come with `lotse` itself, with their published names: named once per
/// process, since hashing the 19 MB of weights would otherwise cost every build, and `lotse serve`
/// writes the index after every save.
fn shipped_semantic_files() -> &'static [(String, &'static [u8]); 3] {
    static FILES: std::sync::OnceLock<[(String, &'static [u8]); 3]> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        [
            ("lotse-semantic", "js", crate::semantic::SEMANTIC_WORKER),
            ("lotse-encoder", "wasm.gz", crate::semantic::ENCODER_WASM_GZ),
            ("model", "lte5.gz", crate::semantic::MODEL_GZ),
        ]
        .map(|(name, extension, bytes)| (format!("s/{name}.{}.{extension}", hash(bytes)), bytes))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_script_keeps_its_code_line_by_line() {
        let source = "\"use strict\";\n// a comment\n/**\n * Doc.\n */\nfunction f(a) {\n  /* x */ return a; // why\n\n  var s = \"//\";\n}\n";
        assert_eq!(
            published_script(source),
            "\"use strict\";\nfunction f(a) {\nreturn a; // why\nvar s = \"//\";\n}\n"
        );
    }

    #[test]
    fn the_pack_is_lzma_with_its_length_in_the_header_and_smaller_than_gzip() {
        let rows: Vec<String> = (0..400)
            .map(|i| {
                format!(
                    r#"["ipad/artikel-{i}/","Artikel {i}","ipad","So lösen Sie Problem {}.","f/{:012x}.txt"]"#,
                    i % 7,
                    i * 7919
                )
            })
            .collect();
        let json = format!("[{}]", rows.join(","));
        let packed = lzma(json.as_bytes()).unwrap();
        // lc=3 lp=0 pb=2, then the dictionary (no larger than the input), then the length.
        assert_eq!(packed[0], 0x5d);
        let dictionary = u32::from_le_bytes(packed[1..5].try_into().unwrap()) as usize;
        assert!(dictionary >= json.len() && dictionary < 2 * json.len());
        assert_eq!(u64::from_le_bytes(packed[5..13].try_into().unwrap()), json.len() as u64);
        let mut decoded = Vec::new();
        let mut reader = lzma_rust2::LzmaReader::new_mem_limit(&packed[..], u32::MAX, None).unwrap();
        std::io::Read::read_to_end(&mut reader, &mut decoded).unwrap();
        assert_eq!(decoded, json.as_bytes());
        assert!(packed.len() < gzip(json.as_bytes()).unwrap().len(), "{} bytes", packed.len());
    }

    #[test]
    fn a_head_keeps_what_the_first_results_show_and_empties_what_only_excerpts_need() {
        let row =
            serde_json::json!(["ipad/x/", "Titel", "ipad", "Zusammenfassung", "f/abc.txt", "2026-01-01", "internal"]);
        assert_eq!(head_of(&row), serde_json::json!(["ipad/x/", "Titel", "ipad", "", "", "", "internal"]));
        assert!(HEADLESS_FIELDS.iter().all(|name| RESULT_FIELDS.contains(name)), "{HEADLESS_FIELDS:?}");
    }

    #[test]
    fn reusing_the_last_compression_gives_what_compressing_anew_gives() {
        let heads = br#"[["ipad/x/","Titel","ipad","","",""]]"#;
        let first = lzma_reusing_the_last(heads).unwrap();
        assert_eq!(first, lzma(heads).unwrap());
        assert_eq!(lzma_reusing_the_last(heads).unwrap(), first);
        let other = br#"[["ipad/y/","Anderer Titel","ipad","","",""]]"#;
        assert_eq!(lzma_reusing_the_last(other).unwrap(), lzma(other).unwrap());
    }

    #[test]
    fn the_published_worker_is_a_third_smaller() {
        let published = published_script(RUNTIME_WORKER);
        assert!(
            published.len() * 3 < RUNTIME_WORKER.len() * 2,
            "{} of {} bytes",
            published.len(),
            RUNTIME_WORKER.len()
        );
        assert!(
            published.contains("function lzmaDecode(") && published.contains("self.onmessage = function (event) {")
        );
    }
}
