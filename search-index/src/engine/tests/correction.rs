//! Typos: corrections against the vocabulary and the index, fuzzy matches and suggestions ([`crate::engine::typo`], [`crate::engine::rewrite::correction`]).

use super::*;

#[test]
fn a_misspelled_word_still_finds_its_vocabulary_group() {
    let e = support_engine(&SearchConfig::default());
    // No article says "Kennwort", so only the vocabulary leads from it to "Passwort".
    assert_eq!(first(&e, "Kennwort weg", None), Some(2));
    assert_eq!(first(&e, "Kenwort weg", None), Some(2), "one letter missing");
    let off = support_engine(&SearchConfig { vocabulary: false, ..SearchConfig::default() });
    assert_ne!(first(&off, "Kenwort weg", None), Some(2));
}

#[test]
fn unknown_words_get_a_suggestion_and_the_closest_articles() {
    let e = support_engine(&SearchConfig::default());
    assert_eq!(e.suggest("Pasword vergesen").as_deref(), Some("Passwort vergessen"));
    assert_eq!(e.suggest("Passwort vergessen"), None, "nothing to correct");
    let answer = e.answer("Tems Besprechnug", None, false, 5);
    assert_eq!(answer.suggestion.as_deref(), Some("Teams Besprechung"));
    assert_eq!(answer.hits.first().map(|h| h.ord), Some(8));
    let answer = e.answer("Tems", None, false, 5);
    assert!(answer.closest, "no article says `Tems`: the hits are the closest ones");
    assert_eq!(answer.hits.first().map(|h| h.ord), Some(8));
    // Nothing matches and nothing is close enough to correct: the longest known beginning.
    assert!(e.search("Projektorlampenwechsel", None, false, 5).is_empty());
    let answer = e.answer("Projektorlampenwechsel", None, false, 5);
    assert!(answer.closest && answer.suggestion.is_none());
    assert_eq!(answer.hits.first().map(|h| h.ord), Some(9));
    assert!(e.answer("Qwxzyk", None, false, 5).hits.is_empty(), "no beginning known, no guess");
}

#[test]
fn pressing_a_button_does_not_find_printing() {
    let docs = vec![
        doc("Aus IServ drucken", "iserv", "Das Dokument drucken und den Drucker wählen.", &[]),
        doc("iPad reagiert nicht", "ipad", "Die obere Taste drücken und gedrückt halten.", &[]),
    ];
    let e = engine_for(&docs, &SearchConfig::default());
    let first = |q: &str| first_sent(&e, q);
    assert_eq!(first("drücken"), Some(1));
    assert_eq!(first("Knopf lange druecken"), Some(1));
    assert_eq!(first("drucken"), Some(0));
}
