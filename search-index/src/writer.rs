//! Writing the index (native only): analyses every article and returns the index files.
//!
//! The files are returned in memory so the generator can give them content-hashed names. tantivy
//! names segments with random UUIDs; the writer replaces the UUID with one derived from the
//! content, so the same portal always gives byte-identical files.

use std::collections::HashSet;

use tantivy::directory::{Directory, RamDirectory};
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{Index, IndexSettings, TantivyDocument};

use crate::analyzer::{Analyzer, Lexicon};
use crate::schema::{build, Fields};
use crate::vocabulary::{Vocabulary, BUILTIN, INDEX_FILE};

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
    out.add_pre_tokenized_text(fields.spelling, spellings(doc));
    let troubleshooting = crate::support::is_troubleshooting(
        std::iter::once(doc.title.as_str()).chain(doc.headings.iter().map(String::as_str)),
    );
    out.add_u64(fields.troubleshooting, u64::from(troubleshooting));
    out
}

/// The words of title, keywords, tags and headings as written, for "Meinten Sie …?".
fn spellings(doc: &IndexDoc) -> PreTokenizedString {
    let texts = std::iter::once(&doc.title).chain(&doc.keywords).chain(&doc.tags).chain(&doc.headings);
    let mut tokens = Vec::new();
    for text in texts {
        for token in crate::analyzer::tokenize(text) {
            if token.text.chars().count() >= 3 && token.text.chars().all(char::is_alphabetic) {
                let position = tokens.len();
                tokens.push(Token {
                    offset_from: 0,
                    offset_to: 0,
                    position,
                    text: token.text.to_string(),
                    position_length: 1,
                });
            }
        }
    }
    PreTokenizedString { text: String::new(), tokens }
}

/// The built-in vocabulary's groups that can matter to this index: those with a word that one of
/// its text fields holds.
fn vocabulary_for(index: &Index, fields: &Fields) -> tantivy::Result<String> {
    let mut words = HashSet::new();
    let searcher = index.reader()?.searcher();
    for segment in searcher.segment_readers() {
        for field in [fields.title, fields.summary, fields.keywords, fields.tags, fields.headings, fields.body] {
            let inverted = segment.inverted_index(field)?;
            let mut terms = inverted.terms().stream()?;
            while terms.advance() {
                words.insert(String::from_utf8_lossy(terms.key()).into_owned());
            }
        }
    }
    Ok(Vocabulary::source_for_index(BUILTIN, |word| words.contains(word)))
}

/// Indexes `docs` and returns the index files, deterministically named, with the portal's share
/// of the vocabulary ([`INDEX_FILE`]).
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
    let vocabulary = vocabulary_for(&index, &fields)?;

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
    files.push((INDEX_FILE.to_string(), vocabulary.into_bytes()));
    files.sort();
    Ok(files)
}
