//! Query execution, the same natively (tests, evaluation) and in the browser.
//!
//! Each query word becomes a group of alternatives across the weighted fields: the exact term,
//! longer words while the word is being typed, its synonyms, and near spellings for typos. Exact
//! matches are boosted above the others, because tantivy gives every fuzzy hit the same score. Any
//! word may match; articles matching more of the words collect more score.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{collector::TopDocs, Index, Searcher, Term};

use crate::query::{parse, ParsedQuery, QueryWord};
use crate::schema::{fields_of, Fields};

/// Settings the runtime needs besides the index: the portal's synonym groups.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SearchConfig {
    /// Groups of words that mean the same to a teacher, such as `["WLAN", "WiFi", "Internet"]`.
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
}

/// One result: the article's position in the docs list and its score.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Hit {
    /// Position in the manifest's docs list, which holds URL, title and summary to show for the result.
    pub ord: u64,
    /// tantivy's relevance score; hits come best first, and scores compare only within one search.
    pub score: f32,
}

/// Boost of alternatives relative to the exact word.
const PREFIX_BOOST: f32 = 0.6;
const SYNONYM_BOOST: f32 = 0.7;
const FUZZY_BOOST: f32 = 0.25;
const PHRASE_BOOST: f32 = 3.0;
const COMPOUND_PART_BOOST: f32 = 0.5;
/// How many longer words a prefix may stand for; more would make short prefixes slow and vague.
const MAX_PREFIX_TERMS: usize = 24;

/// An opened index, ready for queries.
pub struct Engine {
    searcher: Searcher,
    fields: Fields,
    synonyms: HashMap<String, Vec<String>>,
}

impl Engine {
    /// Opens an index from its files, as the browser receives them: `(tantivy file name, bytes)`.
    pub fn from_files(files: Vec<(String, Vec<u8>)>, config: &SearchConfig) -> tantivy::Result<Engine> {
        use tantivy::directory::{Directory, RamDirectory};
        let directory = RamDirectory::create();
        for (name, data) in files {
            directory.atomic_write(std::path::Path::new(&name), &data)?;
        }
        Engine::open(&Index::open(directory)?, config)
    }

    /// Opens a finished index for reading; `config` carries the synonyms.
    pub fn open(index: &Index, config: &SearchConfig) -> tantivy::Result<Engine> {
        let fields = fields_of(&index.schema())?;
        let reader = index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into()?;
        let mut synonyms: HashMap<String, Vec<String>> = HashMap::new();
        for group in &config.synonyms {
            let terms: Vec<String> = group.iter().map(|w| crate::analyzer::term(w)).collect();
            for t in &terms {
                let entry = synonyms.entry(t.clone()).or_default();
                entry.extend(terms.iter().filter(|o| *o != t).cloned());
            }
        }
        Ok(Engine { searcher: reader.searcher(), fields, synonyms })
    }

    /// Searches for what a teacher typed, optionally within one platform. `typing` treats the last
    /// word as unfinished.
    pub fn search(&self, input: &str, platform: Option<&str>, typing: bool, limit: usize) -> Vec<Hit> {
        let parsed = parse(input, typing);
        self.search_parsed(&parsed, platform, limit)
    }

    /// Searches a parsed query.
    pub fn search_parsed(&self, parsed: &ParsedQuery, platform: Option<&str>, limit: usize) -> Vec<Hit> {
        if parsed.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &parsed.words {
            let alternatives = self.word_query(word);
            if !alternatives.is_empty() {
                clauses.push((Occur::Should, Box::new(BooleanQuery::new(alternatives))));
            }
        }
        for phrase in &parsed.phrases {
            for (field, weight) in [(self.fields.title, 5.0), (self.fields.headings, 2.5), (self.fields.body, 1.0)] {
                let terms = phrase.iter().map(|t| Term::from_field_text(field, t)).collect();
                let query = PhraseQuery::new(terms);
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(query), weight * PHRASE_BOOST))));
            }
        }
        if clauses.is_empty() {
            return Vec::new();
        }
        let mut query = BooleanQuery::new(clauses);
        if let Some(platform) = platform.filter(|p| !p.is_empty()) {
            let filter =
                TermQuery::new(Term::from_field_text(self.fields.platform, platform), IndexRecordOption::Basic);
            query = BooleanQuery::new(vec![(Occur::Must, Box::new(query)), (Occur::Must, Box::new(filter))]);
        }
        let Ok(top) = self.searcher.search(&query, &TopDocs::with_limit(limit).order_by_score()) else {
            return Vec::new();
        };
        top.into_iter()
            .filter_map(|(score, address)| {
                let segment = self.searcher.segment_reader(address.segment_ord);
                let ord = segment.fast_fields().u64("ord").ok()?.first(address.doc_id)?;
                Some(Hit { ord, score })
            })
            .collect()
    }

    /// The alternatives for one query word across all weighted fields.
    fn word_query(&self, word: &QueryWord) -> Vec<(Occur, Box<dyn Query>)> {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut add = |field, text: &str, boost: f32| {
            let query = TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs);
            alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(query), boost))));
        };
        let expansions = if word.prefix { self.expand_prefix(&word.normalized) } else { Vec::new() };
        let synonyms = self.synonyms.get(&word.term).cloned().unwrap_or_default();
        let parts = self.compound_parts(&word.normalized);
        for (field, weight) in self.fields.weighted() {
            for part in &parts {
                add(field, part, weight * COMPOUND_PART_BOOST);
            }
            add(field, &word.term, weight);
            for longer in &expansions {
                if longer != &word.term {
                    add(field, longer, weight * PREFIX_BOOST);
                }
            }
            for synonym in &synonyms {
                add(field, synonym, weight * SYNONYM_BOOST);
            }
        }
        // Typos: one edit for medium words, two for long ones, counted on the stem because a
        // misspelled word also stems differently ("Pasword" keeps its "d": two edits from
        // "passwor"). Four-letter stems of longer words ("Drucer" → "druc") get one edit; that
        // also lets "Beamer" ("beam") reach "team", which ranks below any exact match.
        let stem_length = word.term.chars().count();
        let distance = match stem_length {
            0..=3 => 0,
            4 if word.normalized.chars().count() < 6 => 0,
            4..=6 => 1,
            _ => 2,
        };
        if distance > 0 {
            for (field, weight) in self.fields.weighted() {
                let term = Term::from_field_text(field, &word.term);
                let fuzzy = FuzzyTermQuery::new(term.clone(), distance, true);
                alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), weight * FUZZY_BOOST))));
                if word.prefix && word.normalized.chars().count() >= 5 {
                    // Still typing: "Pasw" should reach "Passwort" too.
                    let typed = Term::from_field_text(field, &word.normalized);
                    let fuzzy = FuzzyTermQuery::new_prefix(typed, 1, true);
                    alternatives
                        .push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), weight * FUZZY_BOOST))));
                }
            }
        }
        alternatives
    }

    /// Whether `term` occurs in the title or body of any article.
    fn known_term(&self, term: &str) -> bool {
        self.searcher.segment_readers().iter().any(|segment| {
            [self.fields.title, self.fields.body].into_iter().any(|field| {
                segment
                    .inverted_index(field)
                    .ok()
                    .and_then(|inv| inv.terms().get(term.as_bytes()).ok().flatten())
                    .is_some()
            })
        })
    }

    /// The parts of a typed compound that the index knows as words of their own, so that
    /// "Passwortänderung" also finds "Passwort ändern". Longest known first part wins; a linking
    /// "s" ("Anmeldungsseite") is allowed.
    fn compound_parts(&self, normalized: &str) -> Vec<String> {
        let chars: Vec<char> = normalized.chars().collect();
        const MIN: usize = 4;
        if chars.len() < 2 * MIN + 1 || !chars.iter().all(|c| c.is_alphabetic()) {
            return Vec::new();
        }
        for cut in (MIN..=chars.len() - MIN).rev() {
            let left = crate::analyzer::stem(&chars[..cut].iter().collect::<String>());
            if left.chars().count() < MIN || !self.known_term(&left) {
                continue;
            }
            let right: String = chars[cut..].iter().collect();
            for candidate in [Some(right.as_str()), right.strip_prefix('s').filter(|r| r.chars().count() >= MIN)]
                .into_iter()
                .flatten()
            {
                let right = crate::analyzer::stem(candidate);
                if self.known_term(&right) {
                    return vec![left, right];
                }
            }
        }
        Vec::new()
    }

    /// Index terms that start with `prefix`, from the title, keyword, heading and body dictionaries.
    fn expand_prefix(&self, prefix: &str) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        for field in [self.fields.title, self.fields.keywords, self.fields.headings, self.fields.body] {
            for segment in self.searcher.segment_readers() {
                let Ok(inverted) = segment.inverted_index(field) else { continue };
                let Ok(mut stream) = inverted.terms().range().ge(prefix.as_bytes()).into_stream() else { continue };
                let mut taken = 0;
                while stream.advance() && taken < MAX_PREFIX_TERMS {
                    let key = stream.key();
                    if !key.starts_with(prefix.as_bytes()) {
                        break;
                    }
                    if let Ok(term) = std::str::from_utf8(key) {
                        if !found.iter().any(|f| f == term) {
                            found.push(term.to_string());
                        }
                    }
                    taken += 1;
                }
            }
        }
        found.truncate(MAX_PREFIX_TERMS);
        found
    }
}
