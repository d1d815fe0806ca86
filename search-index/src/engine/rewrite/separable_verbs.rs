//! Rewrite: German separable verbs are joined again ("schaltet … ein" is "einschalten").

use crate::engine::Engine;
use crate::query::{ParsedQuery, QueryWord};

impl Engine {
    /// The query with German separable verbs joined again: in "der Laptop geht nicht an" or "wie
    /// bekomme ich die Datei zurück" the particle at the end belongs to an earlier verb, and only
    /// "angehen" and "zurückbekommen" name what the teacher means. A particle is joined with the
    /// nearest earlier word that makes a word the index or the vocabulary knows; that word then
    /// replaces the verb alone.
    pub(in crate::engine) fn with_separable_verbs(&self, parsed: &ParsedQuery) -> ParsedQuery {
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
}
