//! Query execution, the same natively (tests, evaluation) and in the browser.
//!
//! Each query word becomes a group of alternatives across the weighted fields: the exact term,
//! longer words while the word is being typed, its synonyms, and near spellings for typos. Exact
//! matches are boosted above the others, because tantivy gives every fuzzy hit the same score.
//!
//! Words that belong together form a *concept*: a typed word with its vocabulary alternatives
//! ([`crate::vocabulary`]), or the words of a phrase such as "bleibt schwarz". Any concept may
//! match, but articles matching more of the query's concepts rank above articles that match one
//! word many times, and a complaint ("geht nicht") prefers troubleshooting articles.
//!
//! Before that, the query is read the way a German speaker means it: separable verbs are joined
//! again ("schaltet … ein" is "einschalten"), a compound the portal never uses counts as its parts
//! typed apart, and a misspelled word is corrected against the vocabulary so that it still finds
//! its group. When nothing matches, [`Engine::answer`] offers a correction and the closest articles.

use serde::{Deserialize, Serialize};
use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{collector::TopDocs, DocAddress, DocSet, Index, Searcher, Term};

use crate::query::{parse, ParsedQuery, QueryWord};
use crate::ranking::RankingWeights;
use crate::schema::{fields_of, Fields};
use crate::vocabulary::Vocabulary;

/// The tantivy query for a parsed query, and the query of each of its concepts, which coverage
/// counts.
struct BuiltQuery {
    whole: Box<dyn Query>,
    concepts: Vec<Box<dyn Query>>,
}

mod concepts;
mod prefetch;
mod rewrite;
mod signal;
#[cfg(test)]
mod tests;
mod typo;

use concepts::Concept;
use rewrite::derivation::derivations;
use typo::{RecentAutomata, TypoQuery};

/// Settings the runtime needs besides the index, from the portal's `search:` section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SearchConfig {
    /// The portal's own groups of words that mean the same, such as `["WLAN", "WiFi", "Internet"]`.
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
    /// Whether the built-in school-IT vocabulary expands queries.
    #[serde(default = "yes")]
    pub vocabulary: bool,
    /// Ids of built-in vocabulary groups the portal switched off.
    #[serde(default)]
    pub vocabulary_off: Vec<String>,
    /// Every number of the ranking; the defaults unless a portal or the evaluator sets others.
    #[serde(default)]
    pub weights: RankingWeights,
}

fn yes() -> bool {
    true
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            synonyms: Vec::new(),
            vocabulary: true,
            vocabulary_off: Vec::new(),
            weights: RankingWeights::default(),
        }
    }
}

/// What a search found, and how to help when it found nothing.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Answer {
    /// Best first.
    pub hits: Vec<Hit>,
    /// "Meinten Sie …?": the query with unknown words replaced by the closest words of the index.
    pub suggestion: Option<String>,
    /// The hits are not for the query itself but the closest articles, found for the suggestion.
    pub closest: bool,
}

/// One result: the article's position in the docs list and its score.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Hit {
    /// Position in the manifest's docs list, which holds URL, title and summary to show for the result.
    pub ord: u64,
    /// tantivy's relevance score; hits come best first, and scores compare only within one search.
    pub score: f32,
}

/// A named rule of the ranking, as an explanation names it.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Text match (tantivy's BM25 over the weighted fields), added up over the query's concepts.
    Match,
    /// Factor: the share of the query's concepts the article matches, raised to
    /// [`RankingWeights::coverage_exponent`].
    Coverage,
    /// Factor: the title holds every typed word ([`RankingWeights::whole_title`]).
    WholeTitle,
    /// Factor: a complaint met a troubleshooting article ([`RankingWeights::troubleshooting`]).
    Troubleshooting,
    /// Semantic stage, addend: how close the article's meaning is to the query's, as its cosine
    /// z-scored over the portal ([`crate::semantic::fuse`]).
    Semantic,
    /// Semantic stage, addend: the article's place in the lexical ranking
    /// ([`crate::ranking::SemanticWeights`]).
    LexicalRank,
}

/// One line of a hit's explanation: a rule, what it matched, and its contribution (an addend for
/// [`Rule::Match`], a factor for the others).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScoreDetail {
    pub rule: Rule,
    /// For a match: which concept of the query, in query order.
    pub what: String,
    pub value: f32,
}

/// The portal's share of the built-in vocabulary, which the index carries
/// ([`crate::vocabulary::INDEX_FILE`]); an index without that file (written by hand in a test)
/// gets the whole built-in list where it is compiled in.
fn index_vocabulary(index: &Index) -> Vocabulary {
    let path = std::path::Path::new(crate::vocabulary::INDEX_FILE);
    match tantivy::Directory::atomic_read(index.directory(), path) {
        Ok(bytes) => Vocabulary::parse(&String::from_utf8_lossy(&bytes)).unwrap_or_default(),
        #[cfg(feature = "builtin-vocabulary")]
        Err(_) => Vocabulary::builtin(),
        #[cfg(not(feature = "builtin-vocabulary"))]
        Err(_) => Vocabulary::default(),
    }
}

/// An opened index, ready for queries.
pub struct Engine {
    searcher: Searcher,
    fields: Fields,
    vocabulary: Vocabulary,
    weights: RankingWeights,
    automata: RecentAutomata,
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

    /// Opens a finished index for reading; `config` carries the synonyms and vocabulary settings.
    pub fn open(index: &Index, config: &SearchConfig) -> tantivy::Result<Engine> {
        let fields = fields_of(&index.schema())?;
        let reader = index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into()?;
        let vocabulary = if config.vocabulary {
            index_vocabulary(index).without(&config.vocabulary_off)
        } else {
            Vocabulary::default()
        };
        let vocabulary = vocabulary.with_groups(&config.synonyms);
        Ok(Engine {
            searcher: reader.searcher(),
            fields,
            vocabulary,
            weights: config.weights.clone(),
            automata: RecentAutomata::default(),
        })
    }

    /// How many articles the index holds: exactly the published ones.
    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Searches for what a teacher typed, optionally within one platform. `typing` treats the last
    /// word as unfinished.
    pub fn search(&self, input: &str, platform: Option<&str>, typing: bool, limit: usize) -> Vec<Hit> {
        let parsed = parse(input, typing);
        self.search_parsed(&parsed, platform, limit)
    }

    /// Searches like [`Self::search`] and never dead-ends: with unknown words it suggests the
    /// closest words of the index, and when nothing matched it returns the closest articles,
    /// those found for that suggestion.
    pub fn answer(&self, input: &str, platform: Option<&str>, typing: bool, limit: usize) -> Answer {
        let hits = self.search(input, platform, typing, limit);
        // While typing, the dropdown shows no suggestion; a finished query gets one when needed.
        let suggestion = if typing && !hits.is_empty() { None } else { self.suggest(input) };
        if !hits.is_empty() {
            return Answer { hits, suggestion, closest: false };
        }
        let mut closest = suggestion.as_deref().map(|s| self.search(s, platform, false, limit)).unwrap_or_default();
        if closest.is_empty() {
            closest = self.closest_by_prefix(input, platform, limit);
        }
        Answer { closest: !closest.is_empty(), hits: closest, suggestion }
    }

    /// The last resort when nothing matched and nothing was close enough to correct: the articles
    /// for the best single word, cut back letter by letter until it begins words of the index
    /// ("Projektorlampenwechsel" → "Projektor…"). The word that keeps the longest beginning wins.
    fn closest_by_prefix(&self, input: &str, platform: Option<&str>, limit: usize) -> Vec<Hit> {
        const SHORTEST: usize = 4;
        let mut best: Option<(usize, Vec<Hit>)> = None;
        for word in parse(input, false).words {
            let letters: Vec<char> = word.normalized.chars().collect();
            if !letters.iter().all(|c| c.is_alphabetic()) {
                continue;
            }
            for length in (SHORTEST..letters.len()).rev() {
                if best.as_ref().is_some_and(|(longest, _)| *longest >= length) {
                    break;
                }
                let prefix: String = letters[..length].iter().collect();
                if self.expand_prefix(&prefix).is_empty() {
                    continue;
                }
                let hits = self.search(&prefix, platform, true, limit);
                if !hits.is_empty() {
                    best = Some((length, hits));
                    break;
                }
            }
        }
        best.map(|(_, hits)| hits).unwrap_or_default()
    }

    /// One concept's query: the typed words with their variants, and the vocabulary's alternatives.
    fn concept_query(&self, parsed: &ParsedQuery, parts: &[Vec<String>], concept: &Concept) -> Option<Box<dyn Query>> {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &w in &concept.words {
            // A split compound keeps only its head here; its other parts are concepts of their own.
            let parts = if concept.split.contains(&w) { &parts[w][parts[w].len() - 1..] } else { &parts[w][..] };
            alternatives.extend(self.word_query(&parsed.words[w], parts));
        }
        for alternative in &concept.alternatives {
            alternatives.push((
                Occur::Should,
                self.alternative_query(&alternative.terms, alternative.kind.boost(&self.weights)),
            ));
        }
        (!alternatives.is_empty()).then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
    }

    /// One alternative way of saying a concept: a single word in any field, or the words of a
    /// phrase close together and in order (at most [`RankingWeights::phrase_slop`] words apart) in the title
    /// or headings (and the text, see [`RankingWeights::nearness_in_body`]): "fährt nicht hoch"
    /// is not found in every article that says "hoch".
    fn alternative_query(&self, terms: &[String], boost: f32) -> Box<dyn Query> {
        let mut fields: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let [term] = terms {
            for (field, weight) in self.fields.weighted(&self.weights.fields) {
                let query = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::WithFreqs);
                fields.push((Occur::Should, Box::new(BoostQuery::new(Box::new(query), weight * boost))));
            }
        } else {
            for (field, weight) in self.fields.near(&self.weights) {
                let mut phrase = PhraseQuery::new(terms.iter().map(|t| Term::from_field_text(field, t)).collect());
                phrase.set_slop(self.weights.phrase_slop);
                fields.push((Occur::Should, Box::new(BoostQuery::new(Box::new(phrase), weight * boost))));
            }
        }
        Box::new(BooleanQuery::new(fields))
    }

    /// Searches a parsed query.
    pub fn search_parsed(&self, parsed: &ParsedQuery, platform: Option<&str>, limit: usize) -> Vec<Hit> {
        self.ranked(parsed, platform, limit, false).into_iter().map(|(hit, _)| hit).collect()
    }

    /// Searches like [`Self::search`] and says for each hit how its score came about: the text
    /// match of each concept of the query (tantivy's scores), then each re-ranking rule's factor,
    /// in the order they apply. The score of a hit is the sum of the matches times the factors.
    pub fn search_explained(
        &self,
        input: &str,
        platform: Option<&str>,
        typing: bool,
        limit: usize,
    ) -> Vec<(Hit, Vec<ScoreDetail>)> {
        self.ranked(&parse(input, typing), platform, limit, true)
    }

    /// The ranking itself: candidates by text match, re-ranked by coverage, whole title and the
    /// troubleshooting preference; with `explain`, each hit's [`ScoreDetail`]s too.
    fn ranked(
        &self,
        parsed: &ParsedQuery,
        platform: Option<&str>,
        limit: usize,
        explain: bool,
    ) -> Vec<(Hit, Vec<ScoreDetail>)> {
        if parsed.is_empty() || limit == 0 {
            return Vec::new();
        }
        let parsed = &self.with_separable_verbs(parsed);
        let Some(BuiltQuery { whole: query, concepts }) = self.build_query(parsed, platform) else { return Vec::new() };
        // More candidates than asked for: reranking may lift some from further down.
        let candidates = (limit * 2).max(self.weights.min_candidates);
        let Ok(top) = self.searcher.search(&query, &TopDocs::with_limit(candidates).order_by_score()) else {
            return Vec::new();
        };
        let coverage = self.coverage(&concepts, &top);
        let whole_title = self.title_has_every_word(parsed, &top);
        let mut hits: Vec<(Hit, DocAddress, Vec<ScoreDetail>)> = top
            .iter()
            .zip(coverage)
            .zip(whole_title)
            .filter_map(|((&(score, address), matched), whole_title)| {
                let segment = self.searcher.segment_reader(address.segment_ord);
                let fast = segment.fast_fields();
                let ord = fast.u64("ord").ok()?.first(address.doc_id)?;
                let share = matched.max(self.weights.coverage_floor) / concepts.len().max(1) as f32;
                let mut factors = vec![(Rule::Coverage, share.powf(self.weights.coverage_exponent))];
                if whole_title {
                    factors.push((Rule::WholeTitle, self.weights.whole_title));
                }
                if self.complaint_meets_troubleshooting(parsed, address) {
                    factors.push((Rule::Troubleshooting, self.weights.troubleshooting));
                }
                let final_score = factors.iter().fold(score, |s, (_, f)| s * f);
                // Explanations are for the native tools; the browser runtime leaves the code out.
                let details = if explain && cfg!(not(target_arch = "wasm32")) {
                    let mut details: Vec<ScoreDetail> = concepts
                        .iter()
                        .enumerate()
                        .map(|(i, c)| ScoreDetail {
                            rule: Rule::Match,
                            what: format!("concept {}", i + 1),
                            value: self.score_of(c.as_ref(), address),
                        })
                        .collect();
                    let concept_sum: f32 = details.iter().map(|d| d.value).sum();
                    if score - concept_sum > 1e-4 {
                        let what = "typed words close together, quoted phrases".to_string();
                        details.push(ScoreDetail { rule: Rule::Match, what, value: score - concept_sum });
                    }
                    details.extend(factors.iter().map(|&(rule, value)| ScoreDetail {
                        rule,
                        what: String::new(),
                        value,
                    }));
                    details
                } else {
                    Vec::new()
                };
                Some((Hit { ord, score: final_score }, address, details))
            })
            .collect();
        hits.sort_by(|a, b| b.0.score.total_cmp(&a.0.score).then(a.0.ord.cmp(&b.0.ord)));
        hits.into_iter().take(limit).map(|(hit, _, details)| (hit, details)).collect()
    }

    /// The query for `parsed` (with its separable verbs joined); `None` when nothing is left to
    /// search for.
    fn build_query(&self, parsed: &ParsedQuery, platform: Option<&str>) -> Option<BuiltQuery> {
        let parts: Vec<Vec<String>> = parsed.words.iter().map(|w| self.compound_parts(&w.normalized)).collect();
        let concepts: Vec<Box<dyn Query>> =
            self.concepts(parsed, &parts).iter().filter_map(|c| self.concept_query(parsed, &parts, c)).collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for concept in &concepts {
            clauses.push((Occur::Should, concept.box_clone()));
        }
        // Typed words that stand close together in an article belong together there too.
        let typed: Vec<&QueryWord> = parsed.words.iter().filter(|w| !w.prefix).collect();
        for pair in typed.windows(2) {
            if pair[0].term == pair[1].term {
                continue;
            }
            for (field, weight) in self.fields.near(&self.weights) {
                let terms =
                    vec![Term::from_field_text(field, &pair[0].term), Term::from_field_text(field, &pair[1].term)];
                let mut near = PhraseQuery::new(terms);
                near.set_slop(self.weights.proximity_slop);
                clauses
                    .push((Occur::Should, Box::new(BoostQuery::new(Box::new(near), weight * self.weights.proximity))));
            }
        }
        // A quoted phrase is what the teacher insists on: an article must have its words in this
        // order in some field, and ranks higher where it has them in a heavier one.
        let mut required: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for phrase in &parsed.phrases {
            let mut anywhere: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (field, weight) in self.fields.positional(&self.weights.fields) {
                let terms = phrase.iter().map(|t| Term::from_field_text(field, t)).collect();
                let query = PhraseQuery::new(terms);
                anywhere
                    .push((Occur::Should, Box::new(BoostQuery::new(Box::new(query), weight * self.weights.phrase))));
            }
            required.push((Occur::Must, Box::new(BooleanQuery::new(anywhere))));
        }
        if clauses.is_empty() && required.is_empty() {
            return None;
        }
        let mut query = BooleanQuery::new(clauses);
        if !required.is_empty() {
            required.push((Occur::Should, Box::new(query)));
            query = BooleanQuery::new(required);
        }
        if let Some(platform) = platform.filter(|p| !p.is_empty()) {
            let filter =
                TermQuery::new(Term::from_field_text(self.fields.platform, platform), IndexRecordOption::Basic);
            query = BooleanQuery::new(vec![(Occur::Must, Box::new(query)), (Occur::Must, Box::new(filter))]);
        }
        Some(BuiltQuery { whole: Box::new(query), concepts })
    }

    /// The score `query` alone gives the article at `address` (0 where it does not match), for
    /// explanations. (tantivy's own `Query::explain` trips over some of these scorers.)
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    fn score_of(&self, query: &dyn Query, address: DocAddress) -> f32 {
        let Ok(weight) = query.weight(EnableScoring::enabled_from_searcher(&self.searcher)) else { return 0.0 };
        let Ok(mut scorer) = weight.scorer(self.searcher.segment_reader(address.segment_ord), 1.0) else {
            return 0.0;
        };
        if scorer.doc() < address.doc_id {
            scorer.seek(address.doc_id);
        }
        if scorer.doc() == address.doc_id {
            scorer.score()
        } else {
            0.0
        }
    }

    /// The alternatives for one query word across all weighted fields, with the compound `parts`
    /// it is searched by.
    fn word_query(&self, word: &QueryWord, parts: &[String]) -> Vec<(Occur, Box<dyn Query>)> {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut add = |field, text: &str, boost: f32| {
            let query = TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs);
            alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(query), boost))));
        };
        let expansions = if word.prefix { self.expand_prefix(&word.normalized) } else { Vec::new() };
        let derived: Vec<String> = if word.prefix {
            Vec::new()
        } else {
            derivations(&word.normalized, &word.term).into_iter().filter(|d| self.known_term(d)).collect()
        };
        for (field, weight) in self.fields.weighted(&self.weights.fields) {
            for other in &derived {
                add(field, other, weight * self.weights.derivation);
            }
            for part in parts {
                add(field, part, weight * self.weights.compound_part);
            }
            add(field, &word.term, weight);
            for longer in &expansions {
                if longer != &word.term {
                    add(field, longer, weight * self.weights.prefix);
                }
            }
        }
        for (_, weight, fuzzy) in self.typo_queries(word) {
            alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), weight * self.weights.fuzzy))));
        }
        alternatives
    }

    /// The near spellings searched for one query word, by the one typo policy, each with its
    /// field's weight. A known word whose umlaut tells it from another is taken as written:
    /// "drücken" (a key) is no typo of "drucken" (printing).
    fn typo_queries(&self, word: &QueryWord) -> Vec<(Field, f32, TypoQuery)> {
        let distance = if crate::analyzer::keeps_umlaut(&word.term) && self.known_term(&word.term) {
            0
        } else {
            self.weights.typo.fuzzy_edits(word.term.chars().count(), word.normalized.chars().count())
        };
        let mut queries = Vec::new();
        if distance == 0 {
            return queries;
        }
        let near = self.typo_automaton(&word.term, distance, false);
        // Still typing: "Pasw" should reach "Passwort" too.
        let typed = (word.prefix && word.normalized.chars().count() >= self.weights.typo.prefix_min_letters)
            .then(|| self.typo_automaton(&word.normalized, 1, true))
            .flatten();
        for (field, weight) in self.fields.weighted(&self.weights.fields) {
            for automaton in near.iter().chain(&typed) {
                queries.push((field, weight, TypoQuery { field, automaton: std::sync::Arc::clone(automaton) }));
            }
        }
        queries
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
}
