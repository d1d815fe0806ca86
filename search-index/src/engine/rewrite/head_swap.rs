//! Rewrite: a compound also stands for itself with its head swapped for a one-word synonym
//! ("Warnton" → "Warnklang").

use crate::engine::Engine;
use crate::query::QueryWord;

impl Engine {
    /// Index terms for a compound with its head swapped for a one-word synonym from the
    /// vocabulary ("Warnton" → "Warnklang", "Druckerschlange" → "Druckerwarteschlange").
    pub(in crate::engine) fn head_swaps(&self, word: &QueryWord) -> Vec<String> {
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
}
