//! Lenient query parsing: whatever a teacher types becomes a query, never an error.
//!
//! Quotes mark phrases (an unbalanced quote is ignored), everything that is not a letter or digit
//! separates words (brackets, colons, a lone minus, emoji), and the last word counts as a prefix
//! while the teacher is still typing it. Questions and complaints are read as a teacher means them
//! ([`crate::support`]): "wie kann ich …" and "geht nicht" are not searched when a topic word
//! remains, but a complaint asks for troubleshooting articles.

use crate::analyzer::{is_stopword, normalize, stem, tokenize};
use crate::support::{is_complaint, is_filler};

/// One word of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    /// Lower-cased and folded, unstemmed: the base for prefix and typo matching.
    pub normalized: String,
    /// The index term.
    pub term: String,
    /// The teacher is still typing this word: it also matches longer words.
    pub prefix: bool,
    /// Its place in [`ParsedQuery::tokens`], where vocabulary phrases are matched.
    pub position: usize,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    /// The words to search, in typed order: function words dropped when others remain, duplicates removed.
    pub words: Vec<QueryWord>,
    /// Quoted phrases, as index terms.
    pub phrases: Vec<Vec<String>>,
    /// Every word as typed, filler included, as index terms: "kein Bild" is a vocabulary phrase.
    pub tokens: Vec<String>,
    /// Every word as typed, normalised and unstemmed, in the order of [`Self::tokens`].
    pub written: Vec<String>,
    /// The query says something is broken ("geht nicht", "kein Ton"): troubleshooting articles first.
    pub complaint: bool,
}

impl ParsedQuery {
    /// True when nothing searchable was typed; the engine then returns no hits without searching.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// The longest query searched, in characters; the rest of a longer one is ignored. Teachers type a
/// few words, and a pasted page or a crafted `?q=` link must not keep the search busy.
pub const MAX_QUERY_CHARS: usize = 200;

/// The most words of one query that are searched.
pub const MAX_QUERY_WORDS: usize = 16;

/// `input` cut to [`MAX_QUERY_CHARS`] characters.
pub fn bounded(input: &str) -> &str {
    match input.char_indices().nth(MAX_QUERY_CHARS) {
        Some((end, _)) => &input[..end],
        None => input,
    }
}

/// Parses what a teacher typed. `typing` marks the last word as a prefix unless the input ends
/// with a space or punctuation (search as you type).
pub fn parse(input: &str, typing: bool) -> ParsedQuery {
    let input = bounded(input);
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
    let mut tokens = tokenize(input);
    tokens.truncate(MAX_QUERY_WORDS);
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
                position: i,
            }
        })
        .collect();
    let complaint = is_complaint(words.iter().map(|w| w.normalized.as_str()));
    let all_terms = words.iter().map(|w| w.term.clone()).collect();
    let written = words.iter().map(|w| w.normalized.clone()).collect();
    // Search the topic words. Never drop the only word that names a topic: "Hilfe" alone or
    // "wie" alone are still searched, as the last resort.
    if words.iter().any(|w| !is_filler(&w.normalized)) {
        // A function word being typed may still become a topic ("die" → "Dienst-iPad");
        // a whole complaint word ("nicht") will not.
        words.retain(|w| !is_filler(&w.normalized) || (w.prefix && is_stopword(&w.normalized)));
    } else if words.iter().any(|w| !is_stopword(&w.normalized)) {
        words.retain(|w| !is_stopword(&w.normalized) || w.prefix);
    }
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert((w.term.clone(), w.prefix)));
    ParsedQuery { words, phrases, tokens: all_terms, written, complaint }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &ParsedQuery) -> Vec<&str> {
        q.words.iter().map(|w| w.normalized.as_str()).collect()
    }

    #[test]
    fn long_queries_are_cut_to_the_caps() {
        let many = "Drucker ".repeat(1000) + &(0..100).map(|i| format!("wort{i} ")).collect::<String>();
        let parsed = parse(&many, false);
        assert!(parsed.tokens.len() <= MAX_QUERY_WORDS, "{} words", parsed.tokens.len());
        let distinct: String = (0..100).map(|i| format!("w{i:03} ")).collect();
        assert_eq!(parse(&distinct, false).tokens.len(), MAX_QUERY_WORDS);
        let long_word = "a".repeat(10_000);
        let parsed = parse(&long_word, true);
        assert!(parsed.written.iter().all(|w| w.chars().count() <= MAX_QUERY_CHARS));
        // Cutting never splits a character.
        assert_eq!(bounded(&"ü".repeat(300)).chars().count(), MAX_QUERY_CHARS);
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
    fn questions_and_complaints_keep_only_their_topic() {
        assert_eq!(terms(&parse("was tun wenn der Drucker nicht mehr geht", false)), ["drucker"]);
        assert_eq!(terms(&parse("Ton geht nicht", false)), ["ton"]);
        assert_eq!(terms(&parse("wie kann ich in Teams eine Umfrage machen", false)), ["teams", "umfrage"]);
        assert_eq!(terms(&parse("wie krieg ich beim Drucker die Farben hin", false)), ["drucker", "farben"]);
        assert!(parse("Beamer funktioniert nicht", false).complaint);
        assert!(!parse("wie plane ich eine Teams-Besprechung", false).complaint);
        // Filler is still there for vocabulary phrases such as "kein Bild".
        assert_eq!(parse("kein Bild", false).tokens, [stem("kein"), stem("bild")]);
    }

    #[test]
    fn the_only_topic_word_is_never_dropped() {
        assert_eq!(terms(&parse("Hilfe", false)), ["hilfe"]);
        assert_eq!(terms(&parse("geht nicht", false)), ["geht", "nicht"]);
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
