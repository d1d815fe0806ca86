//! Lenient query parsing: whatever a teacher types becomes a query, never an error.
//!
//! Quotes mark phrases (an unbalanced quote is ignored), everything that is not a letter or digit
//! separates words (brackets, colons, a lone minus, emoji), function words are dropped when other
//! words remain, and the last word counts as a prefix while the teacher is still typing it.

use crate::analyzer::{is_stopword, normalize, stem, tokenize};

/// One word of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    /// Lower-cased and folded, unstemmed: the base for prefix and typo matching.
    pub normalized: String,
    /// The index term.
    pub term: String,
    /// The teacher is still typing this word: it also matches longer words.
    pub prefix: bool,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    /// The words to search, in typed order: function words dropped when others remain, duplicates removed.
    pub words: Vec<QueryWord>,
    /// Quoted phrases, as index terms.
    pub phrases: Vec<Vec<String>>,
}

impl ParsedQuery {
    /// True when nothing searchable was typed; the engine then returns no hits without searching.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Parses what a teacher typed. `typing` marks the last word as a prefix unless the input ends
/// with a space or punctuation (search as you type).
pub fn parse(input: &str, typing: bool) -> ParsedQuery {
    let mut phrases = Vec::new();
    // Only complete pairs of quotes form phrases.
    let quote_count = input.matches('"').count() + input.matches('„').count() + input.matches('“').count();
    if quote_count >= 2 {
        let normalized_quotes = input.replace(['„', '“', '”'], "\"");
        for (i, part) in normalized_quotes.split('"').enumerate() {
            if i % 2 == 1 {
                let terms: Vec<String> = tokenize(part).iter().map(|t| stem(&normalize(&t.text))).collect();
                if terms.len() > 1 {
                    phrases.push(terms);
                }
            }
        }
    }
    let tokens = tokenize(input);
    let ends_in_word = input.chars().last().is_some_and(char::is_alphanumeric);
    let mut words: Vec<QueryWord> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let normalized = normalize(&t.text);
            QueryWord {
                term: stem(&normalized),
                prefix: typing && ends_in_word && i + 1 == tokens.len() && normalized.chars().count() >= 2,
                normalized,
            }
        })
        .collect();
    if words.iter().any(|w| !is_stopword(&w.normalized)) {
        words.retain(|w| !is_stopword(&w.normalized) || w.prefix);
    }
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert((w.term.clone(), w.prefix)));
    ParsedQuery { words, phrases }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &ParsedQuery) -> Vec<&str> {
        q.words.iter().map(|w| w.normalized.as_str()).collect()
    }

    #[test]
    fn anything_typed_parses() {
        for input in ["", "-", "\"", "((", "a:b", "🙂", "C++", "\"offen", "WLAN)(", "::--", "<script>alert(1)</script>"]
        {
            let _ = parse(input, true);
        }
        assert!(parse("🙂 -", true).is_empty());
        assert_eq!(terms(&parse("WLAN: (iPad) -", false)), ["wlan", "ipad"]);
    }

    #[test]
    fn function_words_are_dropped_unless_alone() {
        assert_eq!(terms(&parse("wie kann ich das Passwort ändern", false)), ["passwort", "andern"]);
        assert_eq!(terms(&parse("wie", false)), ["wie"]);
    }

    #[test]
    fn last_word_is_a_prefix_while_typing() {
        let q = parse("Teams Bespr", true);
        assert!(!q.words[0].prefix && q.words[1].prefix);
        assert!(!parse("Teams Bespr ", true).words[1].prefix);
        assert!(!parse("Teams Bespr", false).words[1].prefix);
    }

    #[test]
    fn quoted_phrases_are_kept() {
        let q = parse("\"Passwort vergessen\" iserv", false);
        assert_eq!(q.phrases, [vec![stem("passwort"), stem("vergessen")]]);
        assert_eq!(parse("„Apple TV“", false).phrases.len(), 1);
        assert!(parse("\"nur ein Anführungszeichen", false).phrases.is_empty());
    }
}
