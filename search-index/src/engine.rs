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
use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{collector::TopDocs, DocAddress, DocId, DocSet, Index, Searcher, Term, TERMINATED};

use crate::query::{parse, ParsedQuery, QueryWord};
use crate::ranking::RankingWeights;
use crate::schema::{fields_of, Fields};
use crate::vocabulary::Vocabulary;

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

/// An opened index, ready for queries.
pub struct Engine {
    searcher: Searcher,
    fields: Fields,
    vocabulary: Vocabulary,
    weights: RankingWeights,
}

/// Query words that belong together, with the vocabulary's alternatives for them.
#[derive(Debug, Default)]
struct Concept {
    /// Indices into [`ParsedQuery::words`].
    words: Vec<usize>,
    /// Alternatives with their boost relative to a typed word: each one index term, or the terms
    /// of a phrase such as "fährt nicht hoch" (see [`Engine::alternative_query`]).
    alternatives: Vec<(Vec<String>, f32)>,
    /// Words among [`Self::words`] that are unknown compounds split into concepts of their own:
    /// only their head part stays here.
    split: Vec<usize>,
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
            Vocabulary::builtin().without(&config.vocabulary_off)
        } else {
            Vocabulary::default()
        };
        let vocabulary = vocabulary.with_groups(&config.synonyms);
        Ok(Engine { searcher: reader.searcher(), fields, vocabulary, weights: config.weights.clone() })
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

    /// Words that belong together, with their vocabulary alternatives. `parts` holds each word's
    /// compound parts ([`Self::compound_parts`]).
    fn concepts(&self, parsed: &ParsedQuery, parts: &[Vec<String>]) -> Vec<Concept> {
        let mut concepts: Vec<Concept> =
            (0..parsed.words.len()).map(|i| Concept { words: vec![i], ..Concept::default() }).collect();
        let tokens = self.vocabulary_tokens(parsed);
        // A corrected word is what the teacher meant: searched nearly like a typed word.
        for (i, word) in parsed.words.iter().enumerate() {
            if let Some(fixed) = tokens.get(word.position).filter(|t| **t != parsed.tokens[word.position]) {
                concepts[i].alternatives.push((vec![fixed.clone()], self.weights.correction));
            }
        }
        for m in self.vocabulary.matches(&tokens) {
            let boost = if self.vocabulary.groups()[m.group].id.starts_with("portal-") {
                self.weights.synonym
            } else {
                self.weights.vocabulary
            };
            // The concepts of the typed words inside the match become one.
            let inside: Vec<usize> = concepts
                .iter()
                .enumerate()
                .filter(|(_, c)| c.words.iter().any(|&w| (m.start..m.end).contains(&parsed.words[w].position)))
                .map(|(i, _)| i)
                .collect();
            let target = match inside.first() {
                Some(&first) => {
                    for &other in inside[1..].iter().rev() {
                        let merged = concepts.remove(other);
                        concepts[first].words.extend(merged.words);
                        concepts[first].alternatives.extend(merged.alternatives);
                    }
                    first
                }
                None => {
                    // Only filler matched ("geht nicht" is no group, but "kein Netz" could be).
                    concepts.push(Concept::default());
                    concepts.len() - 1
                }
            };
            let typed: Vec<&str> = concepts[target].words.iter().map(|&w| parsed.words[w].term.as_str()).collect();
            let additions: Vec<Vec<String>> = self
                .vocabulary
                .expansions(&m)
                .into_iter()
                .filter(|terms| !(terms.len() == 1 && typed.contains(&terms[0].as_str())))
                .collect();
            let concept = &mut concepts[target];
            for terms in additions {
                match concept.alternatives.iter_mut().find(|(t, _)| *t == terms) {
                    Some(entry) => entry.1 = entry.1.max(boost),
                    None => concept.alternatives.push((terms, boost)),
                }
            }
        }
        // A compound the index does not know stands for its parts typed apart: "Standardbrowser
        // ändern" is "Standard Browser ändern", and an article with both parts covers more of
        // the query than one that says "Standard" often.
        let mut parts_apart = Vec::new();
        for concept in &mut concepts {
            for &w in &concept.words {
                let word = &parsed.words[w];
                if word.prefix || self.known_term(&word.term) {
                    continue;
                }
                if let Some((_head, others)) = parts[w].split_last().filter(|(_, others)| !others.is_empty()) {
                    concept.split.push(w);
                    parts_apart.extend(others.iter().map(|part| Concept {
                        alternatives: vec![(vec![part.clone()], self.weights.compound_part)],
                        ..Concept::default()
                    }));
                }
            }
        }
        concepts.extend(parts_apart);
        // A compound may be known with another word for its head: a "Warnton" is what the
        // article calls a "Warnklang".
        for concept in &mut concepts {
            for &w in &concept.words {
                for swapped in self.head_swaps(&parsed.words[w]) {
                    if !concept.alternatives.iter().any(|(terms, _)| terms.len() == 1 && terms[0] == swapped) {
                        concept.alternatives.push((vec![swapped], self.weights.vocabulary));
                    }
                }
            }
        }
        concepts
    }

    /// Index terms for a compound with its head swapped for a one-word synonym from the
    /// vocabulary ("Warnton" → "Warnklang", "Druckerschlange" → "Druckerwarteschlange").
    fn head_swaps(&self, word: &QueryWord) -> Vec<String> {
        const SHORTEST_PART: usize = 3;
        let chars: Vec<char> = word.normalized.chars().collect();
        if word.prefix || chars.len() < 2 * SHORTEST_PART || !chars.iter().all(|c| c.is_alphabetic()) {
            return Vec::new();
        }
        let mut found: Vec<String> = Vec::new();
        for cut in SHORTEST_PART..=chars.len() - SHORTEST_PART {
            let head: String = chars[cut..].iter().collect();
            let modifier: String = chars[..cut].iter().collect();
            for synonym in self.vocabulary.one_word_synonyms(&crate::analyzer::stem(&head)) {
                let swapped = crate::analyzer::stem(&format!("{modifier}{synonym}"));
                if !found.contains(&swapped) && self.known_term(&swapped) {
                    found.push(swapped);
                }
            }
        }
        found
    }

    /// The query's tokens for vocabulary lookup, a misspelled word replaced by the vocabulary word
    /// it is closest to: "Bildschrim" still means "Bildschirm" and brings in "Monitor". Only words
    /// that neither the index nor the vocabulary know are corrected, by one edit (two for long
    /// words), and only when one vocabulary word is closest.
    fn vocabulary_tokens(&self, parsed: &ParsedQuery) -> Vec<String> {
        let mut tokens = parsed.tokens.clone();
        for word in &parsed.words {
            let length = word.term.chars().count();
            if word.prefix || length < 5 || !word.term.chars().all(char::is_alphabetic) {
                continue;
            }
            if self.vocabulary.knows_word(&word.term) || self.known_term(&word.term) {
                continue;
            }
            let limit = if length >= 8 { 2 } else { 1 };
            let mut best: Option<(usize, &str)> = None;
            let mut tied = false;
            for candidate in self.vocabulary.words() {
                if candidate.chars().count().abs_diff(length) > limit {
                    continue;
                }
                let distance = edit_distance(candidate, &word.term, limit);
                if distance > limit {
                    continue;
                }
                match best {
                    Some((d, _)) if distance > d => {}
                    Some((d, _)) if distance == d => tied = true,
                    _ => {
                        best = Some((distance, candidate));
                        tied = false;
                    }
                }
            }
            if let (Some((_, fixed)), false) = (best, tied) {
                if let Some(token) = tokens.get_mut(word.position) {
                    *token = fixed.to_string();
                }
            }
        }
        tokens
    }

    /// One concept's query: the typed words with their variants, and the vocabulary's alternatives.
    fn concept_query(&self, parsed: &ParsedQuery, parts: &[Vec<String>], concept: &Concept) -> Option<Box<dyn Query>> {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &w in &concept.words {
            // A split compound keeps only its head here; its other parts are concepts of their own.
            let parts = if concept.split.contains(&w) { &parts[w][parts[w].len() - 1..] } else { &parts[w][..] };
            alternatives.extend(self.word_query(&parsed.words[w], parts));
        }
        for (terms, boost) in &concept.alternatives {
            alternatives.push((Occur::Should, self.alternative_query(terms, *boost)));
        }
        (!alternatives.is_empty()).then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
    }

    /// The query with German separable verbs joined again: in "der Laptop geht nicht an" or "wie
    /// bekomme ich die Datei zurück" the particle at the end belongs to an earlier verb, and only
    /// "angehen" and "zurückbekommen" name what the teacher means. A particle is joined with the
    /// nearest earlier word that makes a word the index or the vocabulary knows; that word then
    /// replaces the verb alone.
    fn with_separable_verbs(&self, parsed: &ParsedQuery) -> ParsedQuery {
        let particles = &*crate::wordlists::PARTICLES;
        let mut joined = parsed.clone();
        for (p, particle) in parsed.written.iter().enumerate() {
            if p == 0 || !particles.contains(&particle.as_str()) {
                continue;
            }
            for q in (p.saturating_sub(self.weights.separable_verb_reach)..p).rev() {
                let verb = &parsed.written[q];
                if verb.chars().count() < 3
                    || crate::analyzer::is_stopword(verb)
                    || particles.contains(&verb.as_str())
                    || !verb.chars().all(char::is_alphabetic)
                {
                    continue;
                }
                let normalized = format!("{particle}{verb}");
                let term = crate::analyzer::stem(&normalized);
                if !self.vocabulary.knows_word(&term) && !self.known_term(&term) {
                    continue;
                }
                if joined.words.len() > 1 || joined.words.iter().all(|w| w.position != q) {
                    joined.words.retain(|w| w.position != q);
                }
                joined.tokens[p] = term.clone();
                joined.words.push(QueryWord { normalized, term, prefix: false, position: p });
                break;
            }
        }
        joined.words.sort_by_key(|w| w.position);
        joined
    }

    /// One alternative way of saying a concept: a single word in any field, or the words of a
    /// phrase close together and in order (at most [`RankingWeights::phrase_slop`] words apart) in the title,
    /// headings or text: "fährt nicht hoch" is not found in every article that says "hoch".
    fn alternative_query(&self, terms: &[String], boost: f32) -> Box<dyn Query> {
        let mut fields: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let [term] = terms {
            for (field, weight) in self.fields.weighted(&self.weights.fields) {
                let query = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::WithFreqs);
                fields.push((Occur::Should, Box::new(BoostQuery::new(Box::new(query), weight * boost))));
            }
        } else {
            for (field, weight) in self.fields.positional(&self.weights.fields) {
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
            for (field, weight) in self.fields.positional(&self.weights.fields) {
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
            return Vec::new();
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
                let troubleshooting = fast.u64("troubleshooting").ok()?.first(address.doc_id) == Some(1);
                let share = matched.max(self.weights.coverage_floor) / concepts.len().max(1) as f32;
                let mut factors = vec![(Rule::Coverage, share.powf(self.weights.coverage_exponent))];
                if whole_title {
                    factors.push((Rule::WholeTitle, self.weights.whole_title));
                }
                if parsed.complaint && troubleshooting {
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

    /// For each candidate, whether its title holds every typed word of two or more, negations
    /// such as "nicht" and "kein" included and other function words left out.
    fn title_has_every_word(&self, parsed: &ParsedQuery, candidates: &[(f32, DocAddress)]) -> Vec<bool> {
        let mut words: Vec<&String> = parsed
            .tokens
            .iter()
            .zip(&parsed.written)
            .filter(|(term, written)| !crate::support::is_filler_stem(term) || crate::support::is_negation(written))
            .map(|(term, _)| term)
            .collect();
        words.sort();
        words.dedup();
        if words.len() < 2 {
            return vec![false; candidates.len()];
        }
        let in_title: Vec<Box<dyn Query>> = words
            .iter()
            .map(|t| {
                let term = Term::from_field_text(self.fields.title, t);
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>
            })
            .collect();
        self.coverage(&in_title, candidates).into_iter().map(|n| n as usize == words.len()).collect()
    }

    /// For each candidate, how many of the concepts it matches.
    fn coverage(&self, concepts: &[Box<dyn Query>], candidates: &[(f32, DocAddress)]) -> Vec<f32> {
        let mut matched = vec![0.0f32; candidates.len()];
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        order.sort_by_key(|&i| (candidates[i].1.segment_ord, candidates[i].1.doc_id));
        for concept in concepts {
            let Ok(weight) = concept.weight(EnableScoring::disabled_from_searcher(&self.searcher)) else { continue };
            let mut segment = u32::MAX;
            let mut scorer = None;
            let mut current: DocId = TERMINATED;
            for &i in &order {
                let address = candidates[i].1;
                if address.segment_ord != segment {
                    segment = address.segment_ord;
                    scorer = weight.scorer(self.searcher.segment_reader(segment), 1.0).ok();
                    current = scorer.as_ref().map_or(TERMINATED, |s| s.doc());
                }
                let Some(docs) = scorer.as_mut() else { continue };
                if current < address.doc_id {
                    current = docs.seek(address.doc_id);
                }
                if current == address.doc_id {
                    matched[i] += 1.0;
                }
            }
        }
        matched
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
        // Typos: one edit for medium words, two for long ones, counted on the stem because a
        // misspelled word also stems differently ("Pasword" keeps its "d": two edits from
        // "passwor"). Four-letter stems of longer words ("Drucer" → "druc") get one edit; that
        // also lets "Beamer" ("beam") reach "team", which ranks below any exact match.
        let stem_length = word.term.chars().count();
        let distance = match stem_length {
            _ if crate::analyzer::keeps_umlaut(&word.term) && self.known_term(&word.term) => 0,
            0..=3 => 0,
            4 if word.normalized.chars().count() < 6 => 0,
            4..=6 => 1,
            _ => 2,
        };
        if distance > 0 {
            for (field, weight) in self.fields.weighted(&self.weights.fields) {
                let term = Term::from_field_text(field, &word.term);
                let fuzzy = FuzzyTermQuery::new(term.clone(), distance, true);
                alternatives
                    .push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), weight * self.weights.fuzzy))));
                if word.prefix && word.normalized.chars().count() >= 5 {
                    // Still typing: "Pasw" should reach "Passwort" too.
                    let typed = Term::from_field_text(field, &word.normalized);
                    let fuzzy = FuzzyTermQuery::new_prefix(typed, 1, true);
                    alternatives
                        .push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), weight * self.weights.fuzzy))));
                }
            }
        }
        alternatives
    }

    /// "Meinten Sie …?": the input with every unknown word replaced by the closest word that the
    /// index's titles, keywords, tags and headings use; `None` when all words are known or nothing
    /// is close enough.
    pub fn suggest(&self, input: &str) -> Option<String> {
        let input = crate::query::bounded(input);
        let mut changed = false;
        let mut words = Vec::new();
        for token in crate::analyzer::tokenize(input).into_iter().take(crate::query::MAX_QUERY_WORDS) {
            let normalized = crate::analyzer::normalize(&token.text);
            let checkable = normalized.chars().count() >= 3 && normalized.chars().all(char::is_alphabetic);
            if checkable
                && !crate::support::is_filler(&normalized)
                && !self.known_term(&crate::analyzer::stem(&normalized))
            {
                if let Some(word) = self.closest_spelling(&normalized) {
                    words.push(word);
                    changed = true;
                    continue;
                }
            }
            words.push(token.text.to_string());
        }
        changed.then(|| words.join(" "))
    }

    /// The index spelling closest to `normalized`: fewest edits (one for short words, two for
    /// longer ones), then the most articles.
    fn closest_spelling(&self, normalized: &str) -> Option<String> {
        let length = normalized.chars().count();
        let limit = if length <= 5 { 1 } else { 2 };
        let mut best: Option<(usize, std::cmp::Reverse<u32>, String)> = None;
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.fields.spelling) else { continue };
            let Ok(mut stream) = inverted.terms().stream() else { continue };
            while stream.advance() {
                let Ok(word) = std::str::from_utf8(stream.key()) else { continue };
                let candidate = crate::analyzer::normalize(word);
                if candidate.chars().count().abs_diff(length) > limit {
                    continue;
                }
                let distance = edit_distance(&candidate, normalized, limit);
                if distance == 0 || distance > limit {
                    continue; // 0: a known spelling that stems differently; nothing to correct
                }
                let key = (distance, std::cmp::Reverse(stream.value().doc_freq), word.to_string());
                if best.as_ref().is_none_or(|b| key < *b) {
                    best = Some(key);
                }
            }
        }
        best.map(|(_, _, word)| word)
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

    /// The parts of a typed compound that the index knows as words of their own, as index terms,
    /// so that "Passwortänderung" also finds "Passwort ändern" and "Touchpadgesten" finds
    /// "Gesten". When only the end is known, that end alone: it is the head of a German compound
    /// and says what the thing is ("Zweitmonitor" is a "Monitor").
    fn compound_parts(&self, normalized: &str) -> Vec<String> {
        // A part that stems to under four letters counts only when the stemmer took at most one
        // letter off ("Maus") or it is six letters long ("Gesten"): cut-off word endings stem to
        // fragments that collide with real words ("versteckte" is no "verst" + "eckte").
        let knows = |part: &str| {
            let stem = crate::analyzer::stem(part);
            let (stem_length, length) = (stem.chars().count(), part.chars().count());
            (stem_length >= 4 || length <= stem_length + 1 || length >= 6) && self.known_term(&stem)
        };
        let parts = crate::analyzer::split_compound(normalized, &knows);
        if !parts.is_empty() {
            return parts.iter().map(|p| crate::analyzer::stem(p)).collect();
        }
        if knows(normalized) {
            return Vec::new();
        }
        let chars: Vec<char> = normalized.chars().collect();
        const MIN_HEAD: usize = 5;
        if chars.len() < MIN_HEAD + 4 || !chars.iter().all(|c| c.is_alphabetic()) {
            return Vec::new();
        }
        (4..=chars.len() - MIN_HEAD)
            .map(|cut| chars[cut..].iter().collect::<String>())
            .find(|head| !crate::analyzer::is_derivation_suffix(head) && knows(head))
            .map(|head| vec![crate::analyzer::stem(&head)])
            .unwrap_or_default()
    }

    /// Index terms that start with `prefix`, from the title, keyword, heading and body dictionaries.
    fn expand_prefix(&self, prefix: &str) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        for field in [self.fields.title, self.fields.keywords, self.fields.headings, self.fields.body] {
            for segment in self.searcher.segment_readers() {
                let Ok(inverted) = segment.inverted_index(field) else { continue };
                let Ok(mut stream) = inverted.terms().range().ge(prefix.as_bytes()).into_stream() else { continue };
                let mut taken = 0;
                while stream.advance() && taken < self.weights.max_prefix_terms {
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
        found.truncate(self.weights.max_prefix_terms);
        found
    }
}

/// Index terms of the same word in another part of speech: a teacher asks "darf nichts
/// installieren" where the article speaks of the "Installation", or "Passwort ändern" where it
/// says "Änderung". Covers the regular German derivations between verbs and nouns: -ieren with
/// -ation and -ierung, and -en/-ern/-eln with -ung. `normalized` is the word folded, `term` its
/// stem; stopwords that a cut-off might produce ("sich") are never returned.
fn derivations(normalized: &str, term: &str) -> Vec<String> {
    let stem = crate::analyzer::stem;
    let mut found: Vec<String> = Vec::new();
    if let Some(root) = term.strip_suffix("ier") {
        found.extend([stem(&format!("{root}ation")), stem(&format!("{root}ierung"))]);
    } else if let Some(root) = term.strip_suffix("atio") {
        found.extend([stem(&format!("{root}ieren")), stem(&format!("{root}ierung"))]);
    } else if let Some(root) = term.strip_suffix("ierung") {
        found.extend([stem(&format!("{root}ieren")), stem(&format!("{root}ation"))]);
    } else if let Some(base) = normalized.strip_suffix("ung") {
        found.extend([stem(&format!("{base}en")), stem(&format!("{base}n"))]);
    } else if normalized.ends_with("ern") || normalized.ends_with("eln") {
        found.push(stem(&format!("{}ung", &normalized[..normalized.len() - 1])));
    } else if let Some(base) = normalized.strip_suffix("en") {
        found.push(stem(&format!("{base}ung")));
    }
    found.retain(|d| d != term && d.chars().count() >= 4 && !crate::analyzer::is_stopword(d));
    found.sort();
    found.dedup();
    found
}

/// Optimal-string-alignment distance (a swap of two neighbours counts as one edit), or more than
/// `limit` as soon as that is certain.
fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (previous[j] + 1).min(row[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        if row.iter().min().copied().unwrap_or(0) > limit {
            return limit + 1;
        }
        before = std::mem::replace(&mut previous, row);
    }
    previous[b.len()]
}
