//! The linguistic word lists the analysis and the ranking use, kept as data files beside the
//! vocabulary (`search-index/vocabulary/*.txt`, with their changes in its CHANGELOG.md), not as
//! code: one entry per line, `#` starts a comment line. They are compiled into both the indexer
//! and the browser runtime, so both sides read the same lists.

use std::sync::LazyLock;

/// The entries of a list file: its lines without comments and blank lines, trimmed.
fn entries(text: &'static str) -> Vec<&'static str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

macro_rules! word_list {
    ($(#[$doc:meta])* $name:ident, $file:literal) => {
        $(#[$doc])*
        pub static $name: LazyLock<Vec<&'static str>> =
            LazyLock::new(|| entries(include_str!(concat!("../vocabulary/", $file))));
    };
}

word_list!(
    /// German function words that carry no topic (`stopwords.txt`).
    STOPWORDS, "stopwords.txt"
);
word_list!(
    /// Words of questions, complaints and small talk (`filler.txt`).
    FILLER, "filler.txt"
);
word_list!(
    /// Negations, the core of most complaints (`negations.txt`).
    NEGATIONS, "negations.txt"
);
word_list!(
    /// Words besides the negations that make a query a complaint (`complaints.txt`).
    COMPLAINTS, "complaints.txt"
);
word_list!(
    /// Words that mark a troubleshooting article in a title or heading (`troubleshooting.txt`).
    TROUBLESHOOTING, "troubleshooting.txt"
);
word_list!(
    /// Particles of separable verbs (`particles.txt`).
    PARTICLES, "particles.txt"
);
word_list!(
    /// Derivational endings a compound is never cut at (`derivation-suffixes.txt`).
    DERIVATION_SUFFIXES, "derivation-suffixes.txt"
);
word_list!(
    /// Stems whose umlaut is kept (`umlaut-kept.txt`).
    UMLAUT_KEPT, "umlaut-kept.txt"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_are_normalised_words_without_doubles() {
        for (name, list) in [
            ("stopwords", &*STOPWORDS),
            ("filler", &*FILLER),
            ("negations", &*NEGATIONS),
            ("complaints", &*COMPLAINTS),
            ("troubleshooting", &*TROUBLESHOOTING),
            ("particles", &*PARTICLES),
            ("derivation-suffixes", &*DERIVATION_SUFFIXES),
            ("umlaut-kept", &*UMLAUT_KEPT),
        ] {
            assert!(!list.is_empty(), "{name} is empty");
            for word in list.iter() {
                // Normalised: lowercase, umlauts folded (ä → a, or ue where kept), no spaces.
                assert!(word.chars().all(|c| c.is_ascii_lowercase()), "{name}: `{word}` is not a normalised word");
            }
            let mut sorted = list.to_vec();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len(), "{name} lists a word twice");
        }
    }
}
