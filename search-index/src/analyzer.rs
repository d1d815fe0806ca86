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
    /// Byte offset where the word starts in the original text.
    pub start: usize,
    /// Byte offset just past the word, so `text[start..end]` is the word as written.
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
///
/// Where the umlaut alone tells two everyday help words apart, it stays (as its two-letter
/// spelling): a teacher who types "Taste drücken" wants to press a key, not to print
/// ("drucken"), so "drücken" and "druecken" become "druecken" and never meet "drucken".
pub fn normalize(word: &str) -> String {
    let lower = crate::fold::fold_german(word);
    let kept = kept_umlaut_e(&lower);
    let mut out = String::with_capacity(lower.len());
    let mut prev: Option<char> = None;
    for (i, ch) in lower.char_indices() {
        if ch == 'e' && matches!(prev, Some('a' | 'o' | 'u')) && !out.ends_with("qu") && !kept.contains(&i) {
            // Drop the `e` of ae/oe/ue: the vowel before it already stands for the umlaut.
            prev = None;
            continue;
        }
        out.push(ch);
        prev = Some(ch);
    }
    out
}

// The words whose umlaut is kept are listed in `vocabulary/umlaut-kept.txt`. Kept short on
// purpose: folding is what lets "Schueler" and "Schuler" find "Schüler", and most umlaut pairs
// ("wählen"/"Wahl", "zählen"/"Zahl") are close enough to meet.

/// Whether a normalised word keeps an umlaut that tells it apart from another word: such a word
/// was typed as meant, and a spelling one edit away ("drucken" for "drücken") is the other word,
/// not a typo of it.
pub fn keeps_umlaut(normalized: &str) -> bool {
    crate::wordlists::UMLAUT_KEPT.iter().any(|word| normalized.contains(word))
}

/// Byte positions in `folded` of the `e` of an umlaut spelling that [`crate::wordlists::UMLAUT_KEPT`] keeps.
fn kept_umlaut_e(folded: &str) -> Vec<usize> {
    let mut kept = Vec::new();
    for word in crate::wordlists::UMLAUT_KEPT.iter() {
        let e = word.find("ue").or_else(|| word.find("ae")).or_else(|| word.find("oe")).map_or(0, |v| v + 1);
        kept.extend(folded.match_indices(word).map(|(start, _)| start + e));
    }
    kept
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
    tokenize(text).into_iter().map(|t| term(&t.text)).collect()
}

/// The index term of one word: normalised, then stemmed.
pub fn term(word: &str) -> String {
    stem(&normalize(word))
}

/// Whether a normalised word is a German function word.
pub fn is_stopword(normalized: &str) -> bool {
    crate::wordlists::STOPWORDS.contains(&normalized)
}

/// Words of a corpus, used to find the parts of compound words.
#[derive(Debug, Default, Clone)]
pub struct Lexicon {
    words: std::collections::HashSet<String>,
    stems: std::collections::HashSet<String>,
}

/// Compound parts shorter than this are not split off: too many short words are also prefixes.
const MIN_PART: usize = 4;

impl Lexicon {
    /// Collects the normalised words of `texts` as known compound parts.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Lexicon {
        let mut written: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for text in texts {
            for token in tokenize(text) {
                written.insert(&text[token.start..token.end]);
            }
        }
        let mut lexicon = Lexicon::default();
        for word in written {
            let word = normalize(word);
            if word.chars().count() >= MIN_PART && word.chars().all(|c| c.is_alphabetic()) {
                lexicon.stems.insert(stem(&word));
                lexicon.words.insert(word);
            }
        }
        lexicon
    }

    fn knows(&self, part: &str) -> bool {
        self.words.contains(part) || self.stems.contains(part) || self.stems.contains(&stem(part))
    }

    /// Splits a normalised compound such as "passwortanderung" into known parts ("passwort",
    /// "anderung"); see [`split_compound`].
    pub fn split(&self, word: &str) -> Vec<String> {
        split_compound(word, &|part| self.knows(part))
    }
}

/// Whether `part` (normalised) is a derivational ending (`vocabulary/derivation-suffixes.txt`):
/// a word ending that looks like a word of its own once a compound is cut, but only derives a word
/// ("persönlich" is no "Person" + "Licht"); a compound's head is never one. Also inflected
/// ("liche", "keiten").
pub(crate) fn is_derivation_suffix(part: &str) -> bool {
    crate::wordlists::DERIVATION_SUFFIXES.iter().any(|suffix| {
        part.strip_prefix(suffix).is_some_and(|rest| matches!(rest, "" | "e" | "en" | "er" | "es" | "em" | "n" | "s"))
    })
}

/// Words longer than this are not split: no German compound is, but a pasted URL or a line of
/// base64 is, and splitting it would only cost time.
pub const MAX_COMPOUND_CHARS: usize = 64;

/// No compound part is longer than this, which keeps splitting linear in the word's length.
const MAX_PART: usize = 32;

/// Splits a normalised compound into parts that `knows` accepts, all of them: "blaulichtfilter"
/// becomes "blau", "licht", "filter". The longest known first part wins, a linking "s"
/// ("Anmeldungsseite") is allowed, and no part is shorter than four letters or a derivational
/// ending. Returns nothing for words that are not compounds of known words. The index splits the
/// portal's words with the portal's own vocabulary ([`Lexicon`]) and the search splits typed words
/// with the index's, so both sides cut the same way.
///
/// The work is bounded: words over [`MAX_COMPOUND_CHARS`] are not split, parts are at most
/// [`MAX_PART`] letters, and each rest of the word is split once (remembered), so `knows` is
/// asked at most about `MAX_PART` times per letter.
pub fn split_compound(word: &str, knows: &dyn Fn(&str) -> bool) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 2 * MIN_PART || chars.len() > MAX_COMPOUND_CHARS || !chars.iter().all(|c| c.is_alphabetic()) {
        return Vec::new();
    }
    let known = |part: &[char]| {
        let part: String = part.iter().collect();
        !is_derivation_suffix(&part) && knows(&part)
    };
    // The split of each rest of the word (by where it starts), computed at most once.
    let mut memo: Vec<Option<Option<Vec<String>>>> = vec![None; chars.len() + 1];
    split_from(0, &chars, &known, &mut memo).unwrap_or_default()
}

/// The split of `chars[start..]` into at least two known parts, if there is one.
fn split_from(
    start: usize,
    chars: &[char],
    known: &dyn Fn(&[char]) -> bool,
    memo: &mut Vec<Option<Option<Vec<String>>>>,
) -> Option<Vec<String>> {
    if let Some(done) = &memo[start] {
        return done.clone();
    }
    let word = &chars[start..];
    let mut found = None;
    if word.len() >= 2 * MIN_PART {
        let longest = (word.len() - MIN_PART).min(MAX_PART);
        'cuts: for cut in (MIN_PART..=longest).rev() {
            if !known(&word[..cut]) {
                continue;
            }
            let left: String = word[..cut].iter().collect();
            // The rest as it stands, then without a linking "s".
            let mut rests = vec![start + cut];
            if word[cut] == 's' && word.len() - cut > MIN_PART {
                rests.push(start + cut + 1);
            }
            for rest in rests {
                if let Some(parts) = split_from(rest, chars, known, memo) {
                    found = Some(std::iter::once(left).chain(parts).collect());
                    break 'cuts;
                }
                let right = &chars[rest..];
                if right.len() <= MAX_PART && known(right) {
                    found = Some(vec![left, right.iter().collect()]);
                    break 'cuts;
                }
            }
        }
    }
    memo[start] = Some(found.clone());
    found
}

/// A term to index, at a word position of its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexToken {
    /// The normalised, stemmed term as stored in the index and produced by [`term`] for query words.
    pub term: String,
    /// Word position of the written word; compound parts and hyphen joins share it, so phrases still match.
    pub position: usize,
    /// Byte offset of the written word in the field text, for tantivy's token offsets.
    pub start: usize,
    /// Byte offset just past the written word; compound parts carry the whole word's range.
    pub end: usize,
}

/// The analysis of one written word: its normalised form, its term and the terms of its
/// compound parts.
#[derive(Debug, Clone)]
struct WordAnalysis {
    normalized: String,
    term: String,
    parts: Vec<String>,
}

/// Remembers the analysis of every word seen, so that indexing a large portal analyses each
/// distinct word once instead of millions of times.
#[derive(Debug)]
pub struct Analyzer<'a> {
    lexicon: &'a Lexicon,
    words: std::collections::HashMap<String, WordAnalysis>,
}

impl<'a> Analyzer<'a> {
    /// Splits compounds into parts `lexicon` knows; reuse one per index, so each distinct word is analysed once.
    pub fn new(lexicon: &'a Lexicon) -> Self {
        Analyzer { lexicon, words: std::collections::HashMap::new() }
    }

    fn word(&mut self, written: &str) -> &WordAnalysis {
        if !self.words.contains_key(written) {
            let normalized = normalize(written);
            let term = stem(&normalized);
            let parts = self.lexicon.split(&normalized).iter().map(|p| stem(p)).collect();
            self.words.insert(written.to_string(), WordAnalysis { normalized, term, parts });
        }
        &self.words[written]
    }

    /// The terms to index for a text: each word's term, plus at the same position the parts of
    /// compound words ("Passwortänderung" is found by "Passwort") and the joined form of hyphenated
    /// words ("WLAN-Zugang" is found by "WLANZugang" too).
    pub fn index_tokens(&mut self, text: &str) -> Vec<IndexToken> {
        let tokens = tokenize(text);
        let mut out = Vec::with_capacity(tokens.len() + tokens.len() / 4);
        for (i, token) in tokens.iter().enumerate() {
            let push = |out: &mut Vec<IndexToken>, term: String| {
                out.push(IndexToken { term, position: token.position, start: token.start, end: token.end })
            };
            let analysis = self.word(&token.text);
            let (term, parts, normalized) =
                (analysis.term.clone(), analysis.parts.clone(), analysis.normalized.clone());
            push(&mut out, term);
            for part in parts {
                push(&mut out, part);
            }
            if let Some(next) = tokens.get(i + 1) {
                if &text[token.end..next.start] == "-" {
                    let joined = format!("{normalized}{}", self.word(&next.text).normalized);
                    push(&mut out, stem(&joined));
                }
            }
        }
        out
    }
}

/// The terms to index for a text (see [`Analyzer::index_tokens`]), for one-off use.
pub fn index_tokens(text: &str, lexicon: &Lexicon) -> Vec<IndexToken> {
    Analyzer::new(lexicon).index_tokens(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(word: &str) -> String {
        stem(&normalize(word))
    }

    /// The runtime's highlighting stems only words that begin with a query term, which is right
    /// only while every stem begins its word.
    #[test]
    fn a_stem_begins_its_word() {
        let words = "Schlüssel Einstellungen Passwörter Anleitungen Druckerwarteschlange abmeldend \
            Kennwortes Geräten Fenstern Mitteilungen Lautsprechern Sitzplänen Ziele Tisch Speichern \
            Wiedergabe lassen ausschalten Schülerinnen Größe Queue drücken Teams iPadOS Zugriffe \
            Passwort-Zurücksetzung Tabletten Besprechungsräumen Ordnern geschlossen";
        for token in tokenize(words) {
            let normalized = normalize(&token.text);
            let stemmed = stem(&normalized);
            assert!(normalized.starts_with(&stemmed), "{stemmed} does not begin {normalized}");
        }
        assert_eq!(stem("einstellungen"), "einstellung");
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
    fn pressing_a_key_is_not_printing() {
        assert_ne!(term("drücken"), term("drucken"));
        assert_eq!(term("drücken"), term("druecken"));
        assert_eq!(term("gedrückt"), term("gedrueckt"));
        assert_eq!(term("Drucker"), term("drucken"));
        assert_eq!(normalize("Drücken"), "druecken");
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
    fn stopwords_are_sorted_for_binary_search() {
        assert!(is_stopword("wie") && is_stopword("fur") && !is_stopword("wlan"));
    }

    #[test]
    fn splitting_is_bounded_by_the_word_length() {
        use std::cell::Cell;
        // Every part is known, but no split ends well: without memory this takes exponential time.
        let calls = Cell::new(0usize);
        let bound = 2 * MAX_COMPOUND_CHARS * MAX_PART;
        let knows = |part: &str| {
            calls.set(calls.get() + 1);
            assert!(calls.get() <= bound, "splitting asked more than {bound} times");
            !part.ends_with('z')
        };
        let word = format!("{}z", "a".repeat(MAX_COMPOUND_CHARS - 1));
        assert!(split_compound(&word, &knows).is_empty());
        // A longer word is not split at all.
        calls.set(0);
        assert!(split_compound(&"a".repeat(40_000), &knows).is_empty());
        assert_eq!(calls.get(), 0);
    }

    #[test]
    fn compounds_split_into_known_parts() {
        let lexicon = Lexicon::from_texts(["Passwort ändern: die Änderung", "Anmeldung Seite", "WLAN Zugang"]);
        assert_eq!(lexicon.split(&normalize("Passwortänderung")), ["passwort", "anderung"]);
        let parts: Vec<String> = lexicon.split(&normalize("Anmeldungsseite")).iter().map(|p| stem(p)).collect();
        assert_eq!(parts, [term("Anmeldung"), term("Seite")]);
        assert!(lexicon.split(&normalize("Drucker")).is_empty());
        let terms: Vec<String> = index_tokens("Die Passwortänderung", &lexicon).into_iter().map(|t| t.term).collect();
        assert!(terms.contains(&term("Passwort")), "{terms:?}");
        let terms: Vec<String> = index_tokens("WLAN-Zugang", &lexicon).into_iter().map(|t| t.term).collect();
        assert!(terms.contains(&term("Zugang")) && terms.contains(&term("WLANZugang")), "{terms:?}");
    }

    #[test]
    fn compounds_split_into_all_their_parts_but_never_at_a_derivational_ending() {
        let lexicon = Lexicon::from_texts(["blau", "Licht", "Filter", "Person", "sicher", "Drucker", "Warteschlange"]);
        assert_eq!(lexicon.split(&normalize("Blaulichtfilter")), ["blau", "licht", "filter"]);
        assert_eq!(lexicon.split(&normalize("Druckerwarteschlange")), ["drucker", "warteschlange"]);
        // "lich" is known only as the stem of "Licht": still no "Person" + "Licht".
        assert!(lexicon.split(&normalize("persönlich")).is_empty());
        assert!(lexicon.split(&normalize("persönliche")).is_empty());
        assert!(lexicon.split(&normalize("Sicherheit")).is_empty());
    }

    #[test]
    fn tokens_keep_their_place_in_the_text() {
        let tokens = tokenize("WLAN-Zugang: Schüler (neu)");
        let words: Vec<_> = tokens.iter().map(|t| (t.text.as_str(), t.start, t.position)).collect();
        assert_eq!(words, [("WLAN", 0, 0), ("Zugang", 5, 1), ("Schüler", 13, 2), ("neu", 23, 3)]);
        assert_eq!(analyze("Passwörter vergessen"), ["passwor", "vergess"]);
    }
}
