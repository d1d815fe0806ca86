//! German text analysis for search: tokens, normalisation and stemming.
//!
//! The indexer and the browser runtime both call [`analyze`], so a word in an article and the same
//! word typed by a teacher always become the same term. Normalisation follows the rules of Lucene's
//! `GermanNormalizationFilter` (umlauts and their two-letter spellings both become the plain vowel,
//! so "Schüler", "Schueler" and "Schuler" meet), and stemming uses CISTEM (Weissweiler & Fraser,
//! 2017), a small rule-based German stemmer that needs no word lists and so adds almost nothing to
//! the wasm runtime.

/// One word of a text, with its byte range in the original text (for highlighting matches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The word as written.
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// Position of the word in the text, counting words.
    pub position: usize,
}

/// Splits text into words: runs of letters and digits. Hyphens, slashes and apostrophes separate
/// words, so "WLAN-Zugang" gives "WLAN" and "Zugang".
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut start = None;
    for (i, ch) in text.char_indices() {
        if ch.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            tokens.push(Token { text: text[s..i].to_string(), start: s, end: i, position: tokens.len() });
        }
    }
    if let Some(s) = start {
        tokens.push(Token { text: text[s..].to_string(), start: s, end: text.len(), position: tokens.len() });
    }
    tokens
}

/// Lower-cases a word and folds umlauts, their two-letter spellings and `ß`: "Schüler",
/// "Schueler" and "Schuler" all become "schuler". "ue" after "q" stays ("Queue").
pub fn normalize(word: &str) -> String {
    let lower = crate::fold::fold_german(word);
    let mut out = String::with_capacity(lower.len());
    let mut prev: Option<char> = None;
    for ch in lower.chars() {
        if ch == 'e' && matches!(prev, Some('a' | 'o' | 'u')) && !out.ends_with("qu") {
            // Drop the `e` of ae/oe/ue: the vowel before it already stands for the umlaut.
            prev = None;
            continue;
        }
        out.push(ch);
        prev = Some(ch);
    }
    out
}

/// Reduces a normalised German word to its stem with CISTEM, so that "Passwörter" and "Passwort",
/// "Anleitungen" and "Anleitung" meet. Words of three letters or fewer stay as they are.
pub fn stem(word: &str) -> String {
    // CISTEM optionally strips a leading "ge" (participles); Lotse does not, because it splits
    // nouns such as "Gerät" (5 letters, kept) and "Geräte" (6 letters, stripped) apart.
    let chars: Vec<char> = word.chars().collect();
    // CISTEM works on single symbols for "sch", "ei" and "ie", and marks doubled letters with `*`.
    let mut s: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i..].starts_with(&['s', 'c', 'h']) {
            s.push('$');
            i += 3;
        } else if chars[i..].starts_with(&['e', 'i']) {
            s.push('%');
            i += 2;
        } else if chars[i..].starts_with(&['i', 'e']) {
            s.push('&');
            i += 2;
        } else {
            let c = chars[i];
            if s.last() == Some(&c) {
                s.push('*');
            } else {
                s.push(c);
            }
            i += 1;
        }
    }
    while s.len() > 3 {
        let n = s.len();
        if n > 5 && s[n - 2] == 'e' && matches!(s[n - 1], 'm' | 'r') {
            s.truncate(n - 2);
            continue;
        }
        if n > 5 && s[n - 2] == 'n' && s[n - 1] == 'd' {
            s.truncate(n - 2);
            continue;
        }
        if matches!(s[n - 1], 't' | 'e' | 's' | 'n') {
            s.truncate(n - 1);
            continue;
        }
        break;
    }
    let mut out = String::with_capacity(s.len() + 4);
    let mut last = None;
    for c in s {
        match c {
            '$' => out.push_str("sch"),
            '%' => out.push_str("ei"),
            '&' => out.push_str("ie"),
            '*' => {
                if let Some(l) = last {
                    out.push(l);
                }
            }
            other => out.push(other),
        }
        last = Some(c).filter(|c| c.is_alphanumeric());
    }
    out
}

/// The search terms of a text: every word normalised and stemmed, in order.
pub fn analyze(text: &str) -> Vec<String> {
    tokenize(text).into_iter().map(|t| stem(&normalize(&t.text))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(word: &str) -> String {
        stem(&normalize(word))
    }

    #[test]
    fn umlaut_spellings_meet() {
        assert_eq!(term("Schüler"), term("Schueler"));
        assert_eq!(term("Schüler"), term("Schuler"));
        assert_eq!(term("Größe"), term("Groesse"));
        assert_eq!(normalize("Quelle"), "quelle");
        assert_eq!(normalize("Mäuse"), "mause");
    }

    #[test]
    fn inflections_meet() {
        assert_eq!(term("Passwörter"), term("Passwort"));
        assert_eq!(term("Anleitungen"), term("Anleitung"));
        assert_eq!(term("Druckers"), term("Drucker"));
        assert_eq!(term("Geräte"), term("Gerät"));
        assert_eq!(term("verbinden"), term("verbindet"));
    }

    #[test]
    fn distinct_words_stay_apart() {
        assert_ne!(term("Drucker"), term("Display"));
        assert_ne!(term("Passwort"), term("Pass"));
        assert_eq!(term("WLAN"), term("wlan"));
        assert_eq!(term("iPads"), term("iPad"));
    }

    #[test]
    fn doubled_letters_survive_stemming() {
        assert_eq!(term("Kennwort"), "kennwor");
        assert_eq!(term("Apple"), "appl");
    }

    #[test]
    fn tokens_keep_their_place_in_the_text() {
        let tokens = tokenize("WLAN-Zugang: Schüler (neu)");
        let words: Vec<_> = tokens.iter().map(|t| (t.text.as_str(), t.start, t.position)).collect();
        assert_eq!(words, [("WLAN", 0, 0), ("Zugang", 5, 1), ("Schüler", 13, 2), ("neu", 23, 3)]);
        assert_eq!(analyze("Passwörter vergessen"), ["passwor", "vergess"]);
    }
}
