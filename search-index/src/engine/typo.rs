//! Typos: one policy for how many edits a word may be off ([`crate::ranking::TypoPolicy`]), the
//! edit distance, the queries for near spellings, and "Meinten Sie …?" suggestions.

use std::sync::{Arc, Mutex};

use tantivy::query::{AutomatonWeight, DfaWrapper, EnableScoring, FuzzyTermQuery, Query, Weight};
use tantivy::schema::Field;
use tantivy::Term;

use crate::engine::Engine;

/// Near spellings of one query word in one field. The word's Levenshtein automaton is built once
/// and shared by every field, and by the plan and the search of the same query: building it costs
/// far more than walking a field's terms with it, and tantivy's `FuzzyTermQuery` builds one of its
/// own for every field (six times per word, most of a small portal's query time).
#[derive(Clone)]
pub(in crate::engine) struct TypoQuery {
    pub field: Field,
    pub automaton: Arc<DfaWrapper>,
}

impl std::fmt::Debug for TypoQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypoQuery").field("field", &self.field).finish_non_exhaustive()
    }
}

impl Query for TypoQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // What `FuzzyTermQuery` does, with the automaton already built.
        Ok(Box::new(AutomatonWeight::<DfaWrapper>::new(self.field, Arc::clone(&self.automaton))))
    }
}

/// Which automaton: the word, how many edits, and whether it matches longer words too.
type AutomatonKey = (String, u8, bool);

/// The automata of the last few query words, so that typing on, planning and searching build
/// each one once.
#[derive(Default)]
pub(in crate::engine) struct RecentAutomata(Mutex<Vec<(AutomatonKey, Arc<DfaWrapper>)>>);

/// How many automata [`RecentAutomata`] keeps: the words of a query or two.
const RECENT_AUTOMATA: usize = 16;

impl Engine {
    /// The automaton matching every word at most `edits` edits from `word` (or beginning like
    /// it, with `prefix`), from the recent ones where it was built already.
    pub(in crate::engine) fn typo_automaton(&self, word: &str, edits: u8, prefix: bool) -> Option<Arc<DfaWrapper>> {
        let key = (word.to_string(), edits, prefix);
        let mut recent = self.automata.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, automaton)) = recent.iter().find(|(k, _)| *k == key) {
            return Some(Arc::clone(automaton));
        }
        // The field plays no part in the automaton; tantivy builds it from a term of any text field.
        let term = Term::from_field_text(self.fields.title, word);
        let query =
            if prefix { FuzzyTermQuery::new_prefix(term, edits, true) } else { FuzzyTermQuery::new(term, edits, true) };
        let automaton = Arc::new(query.automaton().ok()?);
        if recent.len() >= RECENT_AUTOMATA {
            recent.remove(0);
        }
        recent.push((key, Arc::clone(&automaton)));
        Some(automaton)
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
            let checkable = self.weights.typo.suggestion_edits(normalized.chars().count()) > 0
                && normalized.chars().all(char::is_alphabetic);
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
    pub(in crate::engine) fn closest_spelling(&self, normalized: &str) -> Option<String> {
        let length = normalized.chars().count();
        let limit = self.weights.typo.suggestion_edits(length);
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
}

/// Optimal-string-alignment distance (a swap of two neighbours counts as one edit), or more than
/// `limit` as soon as that is certain.
pub(crate) fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
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
