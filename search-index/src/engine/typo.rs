//! Typos: one policy for how many edits a word may be off ([`crate::ranking::TypoPolicy`]), the
//! edit distance, and "Meinten Sie …?" suggestions.

use crate::engine::Engine;

impl Engine {
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
