//! How teachers ask for help: questions ("wie kann ich …"), complaints ("geht nicht",
//! "klappt nicht") and filler ("bitte", "irgendwie"). Such words name no topic, so they are not
//! searched; a complaint still says something: the teacher wants a troubleshooting article. The
//! word lists themselves are data: `search-index/vocabulary/*.txt` ([`crate::wordlists`]).

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::analyzer::{is_stopword, normalize, stem};

fn stems(words: &[&str]) -> HashSet<String> {
    words.iter().map(|w| stem(w)).collect()
}

fn filler_stems() -> &'static HashSet<String> {
    static STEMS: OnceLock<HashSet<String>> = OnceLock::new();
    STEMS.get_or_init(|| stems(&crate::wordlists::FILLER))
}

/// Whether a normalised query word is a question, complaint or filler word, or a function word.
pub fn is_filler(normalized: &str) -> bool {
    is_stopword(normalized) || crate::wordlists::FILLER.contains(&normalized)
}

/// Whether an index term (a stem) is filler: vocabulary expansions leave such words out.
pub fn is_filler_stem(term: &str) -> bool {
    is_stopword(term) || filler_stems().contains(term)
}

/// Whether normalised query words say that something is broken.
pub fn is_complaint<'a>(normalized: impl IntoIterator<Item = &'a str>) -> bool {
    normalized.into_iter().any(|w| is_negation(w) || crate::wordlists::COMPLAINTS.contains(&w))
}

/// Whether a normalised word negates ("nicht", "kein").
pub fn is_negation(normalized: &str) -> bool {
    crate::wordlists::NEGATIONS.contains(&normalized)
}

/// Whether an article is about fixing a problem, judged by its title and headings.
pub fn is_troubleshooting<'a>(texts: impl IntoIterator<Item = &'a str>) -> bool {
    texts
        .into_iter()
        .flat_map(|text| crate::analyzer::tokenize(text).into_iter().map(|t| normalize(&t.text)))
        .any(|w| crate::wordlists::TROUBLESHOOTING.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_normalised() {
        for word in crate::wordlists::FILLER
            .iter()
            .chain(crate::wordlists::NEGATIONS.iter())
            .chain(crate::wordlists::COMPLAINTS.iter())
            .chain(crate::wordlists::TROUBLESHOOTING.iter())
        {
            assert_eq!(&normalize(word), word, "write `{word}` normalised");
        }
    }

    #[test]
    fn recognises_complaints_and_troubleshooting_articles() {
        assert!(is_complaint(["drucker", "geht", "nicht"]));
        assert!(is_complaint(["kein", "ton"]));
        assert!(!is_complaint(["teams", "besprechung", "planen"]));
        assert!(is_complaint(["warum", "wird", "der", "bildschirm", "dunkel"]));
        assert!(is_troubleshooting(["Warum wird mein Bildschirm dunkler?"]));
        assert!(is_troubleshooting(["Drucker druckt nicht oder Papierstau"]));
        assert!(is_troubleshooting(["Teams", "Was tun, wenn die Kamera schwarz bleibt?"]));
        assert!(!is_troubleshooting(["Teams-Besprechung planen", "Einladung verschicken"]));
    }
}
