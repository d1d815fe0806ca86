//! The index schema: which parts of an article are searchable, and how.
//!
//! Text fields are fed pre-tokenized by [`crate::analyzer`], so tantivy's own tokenizers never see
//! them: the browser analyses queries with the same Rust code, not with a tokenizer registry.

use tantivy::schema::{Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions};

/// Handles of the schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The article title, the heaviest field, with positions for quoted phrases.
    pub title: Field,
    /// The summary, without positions (phrases are not searched there).
    pub summary: Field,
    /// The front-matter keywords, the words teachers type.
    pub keywords: Field,
    /// The tags as written.
    pub tags: Field,
    /// All heading texts, with positions for quoted phrases.
    pub headings: Field,
    /// The body's plain text, the lightest field, with positions for quoted phrases.
    pub body: Field,
    /// Platform id, for the platform filter.
    pub platform: Field,
    /// Audience values (`teachers`, …) as exact untokenized terms; no query filters on them yet.
    pub audience: Field,
    /// The article's position in the docs list the runtime shows results from.
    pub ord: Field,
    /// The words of title, keywords, tags and headings as written (not stemmed): the index's own
    /// spellings, from which "Meinten Sie …?" picks the closest to an unknown query word.
    pub spelling: Field,
    /// 1 for an article about fixing a problem ([`crate::support::is_troubleshooting`]), else 0.
    pub troubleshooting: Field,
}

impl Fields {
    /// Text fields with their weight (see [`crate::ranking::FieldWeights`]): title and keywords
    /// count most, then tags and headings, then the summary, then the body.
    pub fn weighted(&self, w: &crate::ranking::FieldWeights) -> [(Field, f32); 6] {
        [
            (self.title, w.title),
            (self.keywords, w.keywords),
            (self.tags, w.tags),
            (self.headings, w.headings),
            (self.summary, w.summary),
            (self.body, w.body),
        ]
    }

    /// The fields that keep word positions, for phrases, with their weights.
    pub fn positional(&self, w: &crate::ranking::FieldWeights) -> [(Field, f32); 3] {
        self.positional_by_name(w).map(|(_, field, weight)| (field, weight))
    }

    /// The fields where typed words close together and the vocabulary's phrases count, with
    /// their weights: the positional ones but those whose positions only a quoted phrase reads
    /// ([`crate::ranking::RankingWeights::positions_only_for_quotes`], which the layout of a
    /// large portal's chunks follows too).
    pub fn near(&self, w: &crate::ranking::RankingWeights) -> Vec<(Field, f32)> {
        let quotes_only = w.positions_only_for_quotes();
        self.positional_by_name(&w.fields)
            .into_iter()
            .filter(|(name, _, _)| !quotes_only.contains(name))
            .map(|(_, field, weight)| (field, weight))
            .collect()
    }

    fn positional_by_name(&self, w: &crate::ranking::FieldWeights) -> [(&'static str, Field, f32); 3] {
        [(TITLE, self.title, w.title), (HEADINGS, self.headings, w.headings), (BODY, self.body, w.body)]
    }
}

/// Schema names of the fields that keep word positions.
pub const TITLE: &str = "title";
pub const HEADINGS: &str = "headings";
pub const BODY: &str = "body";

/// Name of the tokenizer recorded in the schema; text arrives pre-tokenized.
const PRE_TOKENIZED: &str = "default";

fn text(positions: bool) -> TextOptions {
    let record = if positions { IndexRecordOption::WithFreqsAndPositions } else { IndexRecordOption::WithFreqs };
    TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(PRE_TOKENIZED).set_index_option(record))
}

/// A field of exact, untokenized terms (tantivy's `STRING`) without field norms: each article has
/// one such term or a few, so a norm says nothing, and every query would download a byte per
/// article for it (the norms travel in the pack).
fn exact_term() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    )
}

/// Builds the schema. Positions are kept only where quoted phrases are searched: title, headings
/// and body.
pub fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        title: builder.add_text_field(TITLE, text(true)),
        summary: builder.add_text_field("summary", text(false)),
        keywords: builder.add_text_field("keywords", text(false)),
        tags: builder.add_text_field("tags", text(false)),
        headings: builder.add_text_field(HEADINGS, text(true)),
        body: builder.add_text_field(BODY, text(true)),
        platform: builder.add_text_field("platform", exact_term()),
        audience: builder.add_text_field("audience", exact_term()),
        ord: builder.add_u64_field("ord", NumericOptions::default().set_fast()),
        spelling: builder.add_text_field(
            "spelling",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(PRE_TOKENIZED)
                    .set_index_option(IndexRecordOption::Basic)
                    .set_fieldnorms(false),
            ),
        ),
        troubleshooting: builder.add_u64_field("troubleshooting", NumericOptions::default().set_fast()),
    };
    (builder.build(), fields)
}

/// The field handles of an opened index, checked by name against this crate's schema.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let get = |name: &str| schema.get_field(name);
    Ok(Fields {
        title: get(TITLE)?,
        summary: get("summary")?,
        keywords: get("keywords")?,
        tags: get("tags")?,
        headings: get(HEADINGS)?,
        body: get(BODY)?,
        platform: get("platform")?,
        audience: get("audience")?,
        ord: get("ord")?,
        spelling: get("spelling")?,
        troubleshooting: get("troubleshooting")?,
    })
}
