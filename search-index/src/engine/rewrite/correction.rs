//! Rewrite: a misspelled word is read as the vocabulary word closest to it, so that it still
//! finds its group ("Bildschrim" → "Bildschirm" → "Monitor").

use crate::engine::typo::edit_distance;
use crate::engine::Engine;
use crate::query::ParsedQuery;

impl Engine {
    /// The query's tokens for vocabulary lookup, a misspelled word replaced by the vocabulary word
    /// it is closest to: "Bildschrim" still means "Bildschirm" and brings in "Monitor". Only words
    /// that neither the index nor the vocabulary know are corrected, by one edit (two for long
    /// words), and only when one vocabulary word is closest.
    pub(in crate::engine) fn vocabulary_tokens(&self, parsed: &ParsedQuery) -> Vec<String> {
        let mut tokens = parsed.tokens.clone();
        for word in &parsed.words {
            let length = word.term.chars().count();
            let limit = self.weights.typo.correction_edits(length);
            if word.prefix || limit == 0 || !word.term.chars().all(char::is_alphabetic) {
                continue;
            }
            if self.vocabulary.knows_word(&word.term) || self.known_term(&word.term) {
                continue;
            }
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
}
