//! Writing the index (native only): analyses every article and returns the index files.
//!
//! The files are returned in memory so the generator can give them content-hashed names. tantivy
//! names segments with random UUIDs; the writer replaces the UUID with one derived from the
//! content, so the same portal always gives byte-identical files.

use tantivy::directory::{Directory, RamDirectory};
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{Index, IndexSettings, TantivyDocument};

use crate::analyzer::{Analyzer, Lexicon};
use crate::schema::{build, Fields};

/// What the index knows of one article. Its position in the slice becomes its `ord`.
#[derive(Debug, Clone, Default)]
pub struct IndexDoc {
    /// The article title, the most heavily weighted field.
    pub title: String,
    /// One or two sentences from the front matter; may be empty.
    pub summary: String,
    /// The words teachers actually type ("Kennwort"); they also teach the compound splitter new parts.
    pub keywords: Vec<String>,
    /// Tags as written in the front matter, searched as text.
    pub tags: Vec<String>,
    /// Heading texts in document order, as plain text.
    pub headings: Vec<String>,
    /// The body as plain text from the renderer, never from HTML; code blocks included.
    pub body: String,
    /// The platform id, indexed as one exact term for the platform filter.
    pub platform: String,
    /// Audience values such as `teachers`, indexed as exact terms.
    pub audience: Vec<String>,
    /// Days since 1970-01-01 of the last update, 0 when unknown.
    pub updated_days: u64,
}

/// One file of the finished index, by its name inside the index folder.
pub type IndexFile = (String, Vec<u8>);

fn pre_tokenized(text: &str, analyzer: &mut Analyzer) -> PreTokenizedString {
    let tokens = analyzer
        .index_tokens(text)
        .into_iter()
        .map(|t| Token {
            offset_from: t.start,
            offset_to: t.end,
            position: t.position,
            text: t.term,
            position_length: 1,
        })
        .collect();
    PreTokenizedString { text: text.to_string(), tokens }
}

fn document(doc: &IndexDoc, ord: u64, fields: &Fields, analyzer: &mut Analyzer) -> TantivyDocument {
    let mut out = TantivyDocument::default();
    out.add_pre_tokenized_text(fields.title, pre_tokenized(&doc.title, analyzer));
    out.add_pre_tokenized_text(fields.summary, pre_tokenized(&doc.summary, analyzer));
    // Multi-valued fields are joined with a full stop so that phrases never span two values.
    out.add_pre_tokenized_text(fields.keywords, pre_tokenized(&doc.keywords.join(" . "), analyzer));
    out.add_pre_tokenized_text(fields.tags, pre_tokenized(&doc.tags.join(" . "), analyzer));
    out.add_pre_tokenized_text(fields.headings, pre_tokenized(&doc.headings.join(" . "), analyzer));
    out.add_pre_tokenized_text(fields.body, pre_tokenized(&doc.body, analyzer));
    out.add_text(fields.platform, &doc.platform);
    for audience in &doc.audience {
        out.add_text(fields.audience, audience);
    }
    out.add_u64(fields.ord, ord);
    out.add_u64(fields.updated, doc.updated_days);
    out
}

/// Indexes `docs` and returns the index files, deterministically named.
pub fn write_index(docs: &[IndexDoc]) -> tantivy::Result<Vec<IndexFile>> {
    let (schema, fields) = build();
    let lexicon = Lexicon::from_texts(docs.iter().flat_map(|d| {
        [d.title.as_str(), d.summary.as_str(), d.body.as_str()].into_iter().chain(d.keywords.iter().map(String::as_str))
    }));
    let directory = RamDirectory::create();
    let index = Index::create(directory.clone(), schema, IndexSettings::default())?;
    // One thread and a large budget give one segment, so the browser opens one set of files.
    let mut writer = index.writer_with_num_threads(1, 200_000_000)?;
    let mut analyzer = Analyzer::new(&lexicon);
    for (ord, doc) in docs.iter().enumerate() {
        writer.add_document(document(doc, ord as u64, &fields, &mut analyzer))?;
    }
    writer.commit()?;
    let segments = index.searchable_segment_ids()?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    writer.wait_merging_threads()?;

    let metas = index.searchable_segment_metas()?;
    let mut files: Vec<IndexFile> = Vec::new();
    let meta_json = directory.atomic_read(std::path::Path::new("meta.json"))?;
    let mut meta_text = String::from_utf8_lossy(&meta_json).into_owned();
    let mut hasher = crate::fold::Fnv64::new();
    for meta in &metas {
        use tantivy::index::SegmentComponent as C;
        let components = [C::Postings, C::Positions, C::Terms, C::Store, C::FastFields, C::FieldNorms, C::Delete];
        let mut segment_files: Vec<(String, Vec<u8>)> = Vec::new();
        for component in components {
            let path = meta.relative_path(component);
            if let Ok(bytes) = directory.atomic_read(&path) {
                hasher.update(&bytes);
                segment_files.push((path.to_string_lossy().into_owned(), bytes));
            }
        }
        // Replace the random segment id with one derived from the segment's content.
        let random = meta.id().uuid_string();
        let stable = format!("{:016x}{:016x}", hasher.finish(), hasher.finish().rotate_left(17) ^ 0x4c6f_7473_6521);
        let hyphenated = |s: &str| format!("{}-{}-{}-{}-{}", &s[..8], &s[8..12], &s[12..16], &s[16..20], &s[20..]);
        meta_text = meta_text.replace(&random, &stable).replace(&hyphenated(&random), &hyphenated(&stable));
        for (name, bytes) in segment_files {
            files.push((name.replace(&random, &stable), bytes));
        }
    }
    files.push(("meta.json".to_string(), meta_text.into_bytes()));
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, SearchConfig};

    fn doc(title: &str, platform: &str, body: &str, keywords: &[&str]) -> IndexDoc {
        IndexDoc {
            title: title.into(),
            platform: platform.into(),
            body: body.into(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            ..IndexDoc::default()
        }
    }

    fn corpus() -> Vec<IndexDoc> {
        vec![
            doc(
                "IServ-Passwort vergessen",
                "iserv",
                "So setzen Sie Ihr Passwort zurück. Die Passwortänderung dauert kurz.",
                &["Kennwort"],
            ),
            doc(
                "Dienst-iPad mit dem WLAN verbinden",
                "ipad",
                "Öffnen Sie Einstellungen und wählen Sie das Schüler-WLAN.",
                &["Wifi"],
            ),
            doc("Teams-Besprechung planen", "office365", "Eine Besprechung in Teams für die Klasse anlegen.", &[]),
            doc(
                "WLAN in der Schule geht nicht",
                "allgemein",
                "Checkliste für das WLAN-Netz der Schule und den Zugang.",
                &["Internet"],
            ),
            doc("Drucker druckt nicht", "allgemein", "Papierstau am Kopierer beheben.", &[]),
        ]
    }

    fn engine(config: &SearchConfig) -> Engine {
        Engine::from_files(write_index(&corpus()).unwrap(), config).unwrap()
    }

    fn first(engine: &Engine, query: &str, platform: Option<&str>) -> Option<u64> {
        engine.search(query, platform, true, 5).first().map(|h| h.ord)
    }

    #[test]
    fn finds_articles_the_way_teachers_type() {
        let e = engine(&SearchConfig::default());
        assert_eq!(first(&e, "Passwort vergessen", None), Some(0));
        assert_eq!(first(&e, "Pasword", None), Some(0), "typo");
        assert_eq!(first(&e, "Pasword vergessen", None), Some(0), "typos");
        assert_eq!(first(&e, "Drucer", None), Some(4), "typo");
        assert_eq!(first(&e, "Passwörter", None), Some(0), "inflection");
        assert_eq!(first(&e, "Kennwort", None), Some(0), "keywords");
        assert_eq!(first(&e, "WLAN iPad", None), Some(1));
        assert_eq!(first(&e, "schueler", None), Some(1), "umlaut spelling");
        assert_eq!(first(&e, "Schuler", None), Some(1), "umlaut dropped");
        assert_eq!(first(&e, "Teams Bespr", None), Some(2), "prefix while typing");
        assert_eq!(first(&e, "Zugang", None), Some(3), "hyphenated compound part");
        assert_eq!(first(&e, "Passwortänderung", None), Some(0));
        assert_eq!(first(&e, "Druckerpapierstau", None), Some(4), "parts of a typed compound");
        assert_eq!(first(&e, "WLAN", Some("allgemein")), Some(3), "platform filter");
        assert!(e.search("WLAN", Some("iserv"), false, 5).is_empty());
        assert!(e.search("\"\" ( - :", None, true, 5).is_empty());
    }

    #[test]
    fn exact_words_outrank_typo_matches() {
        let e = engine(&SearchConfig::default());
        let hits = e.search("Drucker", None, false, 5);
        assert_eq!(hits[0].ord, 4);
    }

    #[test]
    fn synonyms_from_the_config_apply() {
        assert_eq!(first(&engine(&SearchConfig::default()), "Papierstau Kopierer", None), Some(4));
        let config = SearchConfig { synonyms: vec![vec!["Tafel".into(), "Drucker".into()]] };
        assert_eq!(first(&engine(&SearchConfig::default()), "Tafel", None), None);
        assert_eq!(first(&engine(&config), "Tafel", None), Some(4));
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(write_index(&corpus()).unwrap(), write_index(&corpus()).unwrap());
    }

    #[test]
    fn quoted_phrases_match_word_order() {
        let e = engine(&SearchConfig::default());
        assert_eq!(first(&e, "\"Passwort vergessen\"", None), Some(0));
    }
}
