//! How teachers ask for help: questions ("wie kann ich …"), complaints ("geht nicht",
//! "klappt nicht") and filler ("bitte", "irgendwie"). Such words name no topic, so they are not
//! searched; a complaint still says something: the teacher wants a troubleshooting article.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::analyzer::{is_stopword, normalize, stem};

/// Words of questions, complaints and small talk, normalised (umlauts folded).
const FILLER: &[&str] = &[
    "bekomme",
    "bitte",
    "danke",
    "eigentlich",
    "einfach",
    "frage",
    "funktioniert",
    "funktionieren",
    "funktionierts",
    "ganz",
    "geht",
    "gehen",
    "gehts",
    "ging",
    "gibt",
    "hab",
    "habe",
    "haben",
    "hallo",
    "hilfe",
    "immer",
    "irgendwie",
    "jetzt",
    "klappt",
    "klappen",
    "konnen",
    "konnte",
    "kriege",
    "leider",
    "mache",
    "machen",
    "macht",
    "mal",
    "mehr",
    "mochte",
    "nicht",
    "nich",
    "net",
    "nix",
    "plotzlich",
    "problem",
    "probleme",
    "schon",
    "sehr",
    "soll",
    "sollen",
    "tun",
    "tu",
    "tut",
    "warum",
    "wann",
    "weshalb",
    "wieso",
    "will",
    "welche",
    "welcher",
    "welches",
    "wenn",
    "dann",
    "kein",
    "keine",
    "keinen",
    "keiner",
    "nichts",
    "gar",
    "uberhaupt",
    "wieder",
    "heute",
    "seit",
    // Forms of "können", "müssen", "sollen": they carry mood, not a topic. Forms of "werden" stay
    // searchable: help titles are often questions ("Warum wird mein Bildschirm dunkler?").
    "kannst",
    "konnt",
    "musste",
    "mussen",
    "sollte",
    "wollte",
    "mochten",
    // Possessives and pronouns beyond the stopword list ("auf meinem Laptop", "Ihre Datei").
    "meinem",
    "meinen",
    "meiner",
    "meines",
    "ihre",
    "ihrem",
    "ihren",
    "ihrer",
    "ihres",
    "unser",
    "unsere",
    "unserem",
    "unseren",
    "dieser",
    "dieses",
    "diesem",
    "diesen",
    "jemand",
    "etwas",
    // Particles and frequency words of complaints ("schon wieder", "ständig", "einfach so").
    "grad",
    "gerade",
    "trotzdem",
    "obwohl",
    "eben",
    "halt",
    "total",
    "echt",
    "daurnd",
    "standig",
    "andaurnd",
    "oft",
    "manchmal",
    "woran",
    "liegt",
    // Contractions of a preposition and an article ("beim Drucker", "ins Internet"), and the
    // particles and verbs of "wie krieg ich das hin" that carry no topic.
    "beim",
    "ins",
    "ans",
    "aufs",
    "ums",
    "hin",
    "kriegen",
    "krieg",
    "kriegt",
    "bekommt",
    "bekommst",
];

/// Negations: the core of most complaints ("druckt nicht", "kein Bild"), and the one kind of
/// function word that a title matching the whole query must hold too.
const NEGATION: &[&str] = &["nicht", "nich", "net", "nix", "kein", "keine", "keinen", "nichts"];

/// Words besides [`NEGATION`] that make a query a complaint: something is broken, the teacher
/// wants it fixed.
const COMPLAINT: &[&str] = &[
    "kaputt",
    "defekt",
    "fehler",
    "fehlermeldung",
    "problem",
    "probleme",
    "hangt",
    "sturzt",
    "absturz",
    "storung",
    "hilfe",
    // "Warum …?" asks about something that behaves unexpectedly.
    "warum",
    "wieso",
    "weshalb",
];

/// Words in a title or heading that mark a troubleshooting article ("Drucker druckt nicht",
/// "Was tun, wenn …", "Problem", "Lösung").
const TROUBLESHOOTING: &[&str] = &[
    "nicht",
    "kein",
    "keine",
    "problem",
    "probleme",
    "fehler",
    "fehlermeldung",
    "storung",
    "losung",
    "losungen",
    "defekt",
    "kaputt",
    "verloren",
    "vergessen",
    "gesperrt",
    "voll",
    "hangt",
    "tun",
    "hilft",
    "warum",
    "wieso",
];

fn stems(words: &[&str]) -> HashSet<String> {
    words.iter().map(|w| stem(w)).collect()
}

fn filler_stems() -> &'static HashSet<String> {
    static STEMS: OnceLock<HashSet<String>> = OnceLock::new();
    STEMS.get_or_init(|| stems(FILLER))
}

/// Whether a normalised query word is a question, complaint or filler word, or a function word.
pub fn is_filler(normalized: &str) -> bool {
    is_stopword(normalized) || FILLER.contains(&normalized)
}

/// Whether an index term (a stem) is filler: vocabulary expansions leave such words out.
pub fn is_filler_stem(term: &str) -> bool {
    is_stopword(term) || filler_stems().contains(term)
}

/// Whether normalised query words say that something is broken.
pub fn is_complaint<'a>(normalized: impl IntoIterator<Item = &'a str>) -> bool {
    normalized.into_iter().any(|w| is_negation(w) || COMPLAINT.contains(&w))
}

/// Whether a normalised word negates ("nicht", "kein").
pub fn is_negation(normalized: &str) -> bool {
    NEGATION.contains(&normalized)
}

/// Whether an article is about fixing a problem, judged by its title and headings.
pub fn is_troubleshooting<'a>(texts: impl IntoIterator<Item = &'a str>) -> bool {
    texts
        .into_iter()
        .flat_map(|text| crate::analyzer::tokenize(text).into_iter().map(|t| normalize(&t.text)))
        .any(|w| TROUBLESHOOTING.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_normalised() {
        for word in FILLER.iter().chain(NEGATION).chain(COMPLAINT).chain(TROUBLESHOOTING) {
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
