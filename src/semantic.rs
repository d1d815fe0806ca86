//! The semantic stage at build time (issue 18): one vector per published article, from the same
//! encoder the browser runs on the query (`search_index::encoder`), kept in a cache keyed by the
//! text encoded, so that a rebuild encodes only what changed.
//!
//! The indexing stage calls [`article_vectors`] with its docs; only the docs it indexes get a
//! vector, so drafts and internal articles never reach the public output this way either.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{anyhow, Context as _, Result};
use rayon::prelude::*;
use search_index::encoder::{Encoder, Mode};
use search_index::fold::Fnv64;
use search_index::semantic::ArticleVectors;
use search_index::writer::IndexDoc;

/// The encoder's weights (multilingual-e5-small, German vocabulary, 4 bits;
/// `scripts/encoder/export.py`), gzipped: portals publish these bytes as they are, and the
/// worker decompresses them itself.
pub const MODEL_GZ: &[u8] = include_bytes!("../search-index/encoder/e5-q4-de.lte5.gz");

/// The encoder runtime for the browser (`search-index/encoder-wasm`, built by
/// `scripts/build-encoder-runtime`), gzipped like the search runtime.
pub const ENCODER_WASM_GZ: &[u8] = include_bytes!("../search-index/runtime/lotse-encoder.wasm.gz");

/// The search worker's code for the stage, which it imports when a search first wants it.
pub const SEMANTIC_WORKER: &[u8] = include_bytes!("../search-index/runtime/lotse-semantic.js");

/// How much of an article's text is encoded after its title, summary and keywords. Measured with
/// `scripts/encoder/evaluate.py` on GNOME dev (s@3 fused): title and summary alone 89 %, with
/// 300 characters 92 %, 600 93 %, 1,200 93 % at twice the tokens.
pub const PASSAGE_CHARS: usize = 600;

/// Where the vector cache lives in a portal folder (the scaffold's `.gitignore` lists it).
pub const CACHE_DIR: &str = ".lotse-cache";

/// The cache folder of the portal at `root`.
pub fn cache_dir(root: &Path) -> PathBuf {
    root.join(CACHE_DIR)
}

/// The text encoded for an article, as `evaluate.py` measured it (`tskN`): title, summary,
/// keywords, then the start of the text, cut at a word.
pub fn passage(doc: &IndexDoc) -> String {
    let keywords = doc.keywords.join(", ");
    let body = cut(&doc.body, PASSAGE_CHARS);
    let mut out = String::new();
    for part in [doc.title.as_str(), doc.summary.as_str(), keywords.as_str(), body] {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str(if out.ends_with(['.', '?', '!', ':']) { " " } else { ". " });
        }
        out.push_str(part);
    }
    out
}

/// At most `limit` characters of `text`, ending at a space when one lies in the second half.
fn cut(text: &str, limit: usize) -> &str {
    let Some((end, _)) = text.char_indices().nth(limit) else { return text };
    let head = &text[..end];
    match head.rfind(' ') {
        Some(space) if head[..space].chars().count() >= limit / 2 => &head[..space],
        _ => head,
    }
}

/// The encoder, loaded once per process (the dev server reuses it for every refresh).
fn encoder() -> Result<&'static Encoder> {
    static ENCODER: OnceLock<Result<Encoder, String>> = OnceLock::new();
    ENCODER
        .get_or_init(|| {
            let mut raw = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(MODEL_GZ), &mut raw)
                .map_err(|e| e.to_string())?;
            Encoder::from_bytes(&raw)
        })
        .as_ref()
        .map_err(|e| anyhow!("the embedded encoder does not load: {e}"))
}

/// The vector of every doc, in order: from the cache where its passage was encoded before,
/// else encoded now (in parallel), and the cache updated. A cache that cannot be read or
/// written only costs time.
pub fn article_vectors(docs: &[IndexDoc], cache: &Path) -> Result<ArticleVectors> {
    let passages: Vec<String> = docs.iter().map(passage).collect();
    let keys: Vec<u64> = passages.iter().map(|p| key(p)).collect();
    let file = cache.join(format!("vectors-{}.bin", cache_id()));
    let mut known = read_cache(&file);
    let missing: Vec<usize> = (0..docs.len()).filter(|&i| !known.contains_key(&keys[i])).collect();
    if !missing.is_empty() {
        let encoder = encoder()?;
        let encoded: Vec<(u64, Vec<f32>)> =
            missing.par_iter().map(|&i| (keys[i], encoder.encode(&passages[i], Mode::Passage))).collect();
        known.extend(encoded);
        if let Err(e) = write_cache(&file, &known) {
            crate::errln!("warning: the semantic vector cache {} was not saved: {e:#}", file.display());
        }
    }
    let vectors: Vec<Vec<f32>> = keys.iter().map(|k| known[k].clone()).collect();
    Ok(ArticleVectors::from_floats(DIMS, &vectors))
}

/// The encoder's vector width (multilingual-e5-small).
const DIMS: usize = 384;

/// A cache entry's key: the passage (the model is in the file name).
fn key(passage: &str) -> u64 {
    let mut h = Fnv64::new();
    h.update(passage.as_bytes());
    h.finish()
}

/// Names the cache file: the weights, the encoder's sources (the hash the encoder runtime's build
/// records; its native code computes the vectors too) and the passage length, so that vectors of
/// another model or encoder are never reused.
fn cache_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let mut h = Fnv64::new();
        h.update(MODEL_GZ);
        h.update(include_bytes!("../search-index/runtime/encoder-source-hash.txt"));
        h.update(&(PASSAGE_CHARS as u64).to_le_bytes());
        format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
    })
}

/// What the search version depends on when the portal ships the stage: the vectors' origin and
/// the code the browser runs for it.
pub fn stage_id() -> String {
    let mut h = Fnv64::new();
    h.update(cache_id().as_bytes());
    h.update(ENCODER_WASM_GZ);
    h.update(SEMANTIC_WORKER);
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// The cache: records of a key (u64) and `DIMS` floats, little-endian; a damaged file is empty.
fn read_cache(file: &Path) -> HashMap<u64, Vec<f32>> {
    let Ok(bytes) = std::fs::read(file) else { return HashMap::new() };
    let record = 8 + 4 * DIMS;
    if bytes.len() % record != 0 {
        return HashMap::new();
    }
    bytes
        .chunks_exact(record)
        .map(|r| {
            let key = u64::from_le_bytes(r[..8].try_into().expect("8 bytes"));
            let vector = r[8..].chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            (key, vector)
        })
        .collect()
}

fn write_cache(file: &Path, known: &HashMap<u64, Vec<f32>>) -> Result<()> {
    let dir = file.parent().expect("the cache file has a folder");
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut keys: Vec<&u64> = known.keys().collect();
    keys.sort();
    let mut bytes = Vec::with_capacity(known.len() * (8 + 4 * DIMS));
    for key in keys {
        bytes.extend_from_slice(&key.to_le_bytes());
        known[key].iter().for_each(|v| bytes.extend_from_slice(&v.to_le_bytes()));
    }
    // Written aside and renamed, so that a build stopped halfway never leaves half a cache.
    let partial = file.with_extension("partial");
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, file)?;
    // The vectors of an earlier model or encoder are never read again.
    for entry in std::fs::read_dir(dir)?.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("vectors-") && name.ends_with(".bin") && entry.path() != file {
            std::fs::remove_file(entry.path()).ok();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, summary: &str, keywords: &[&str], body: &str) -> IndexDoc {
        IndexDoc {
            title: title.into(),
            summary: summary.into(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            body: body.into(),
            ..IndexDoc::default()
        }
    }

    #[test]
    fn a_passage_is_title_summary_keywords_and_the_start_of_the_text() {
        let d = doc(
            "Beamer zeigt kein Bild",
            "Was tun, wenn es dunkel bleibt?",
            &["HDMI", "Projektor"],
            "Prüfen Sie das Kabel.",
        );
        assert_eq!(
            passage(&d),
            "Beamer zeigt kein Bild. Was tun, wenn es dunkel bleibt? HDMI, Projektor. Prüfen Sie das Kabel."
        );
        let long = doc("T", "", &[], &"Wort ".repeat(400));
        let text = passage(&long);
        assert!(text.chars().count() <= PASSAGE_CHARS + 3 && text.ends_with("Wort"), "{text}");
    }

    #[test]
    fn the_cache_survives_a_round_trip_and_a_damaged_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/vectors.bin");
        let known: HashMap<u64, Vec<f32>> = [(7, vec![0.5; DIMS]), (9, vec![-0.25; DIMS])].into();
        write_cache(&file, &known).unwrap();
        assert_eq!(read_cache(&file), known);
        std::fs::write(&file, b"short").unwrap();
        assert!(read_cache(&file).is_empty());
        // Another model's cache goes when this one is written.
        let stale = dir.path().join("sub/vectors-0123456789ab.bin");
        std::fs::write(&stale, b"old").unwrap();
        write_cache(&file, &known).unwrap();
        assert!(!stale.exists() && file.exists());
    }
}
