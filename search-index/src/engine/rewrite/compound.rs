//! Rewrite: a compound the index does not know is searched by its known parts ("Passwortänderung"
//! also finds "Passwort ändern"), or by its head alone.

use crate::engine::Engine;

impl Engine {
    /// The parts of a typed compound that the index knows as words of their own, as index terms,
    /// so that "Passwortänderung" also finds "Passwort ändern" and "Touchpadgesten" finds
    /// "Gesten". When only the end is known, that end alone: it is the head of a German compound
    /// and says what the thing is ("Zweitmonitor" is a "Monitor").
    pub(in crate::engine) fn compound_parts(&self, normalized: &str) -> Vec<String> {
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
}
