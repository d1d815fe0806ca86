//! Whole title ([`crate::engine::Rule::WholeTitle`]).

use super::*;

#[test]
fn a_title_with_every_typed_word_comes_first() {
    let docs = vec![
        doc(
            "Aus IServ drucken: Druckaufträge",
            "iserv",
            "So drucken Sie über IServ. Drucken Sie PDF-Dateien, drucken Sie doppelseitig, wählen Sie den Drucker.",
            &["drucken", "Druckauftrag", "PDF drucken"],
        ),
        doc("Drucker druckt nicht oder Papierstau", "allgemein", "Der Drucker macht nichts? Erst prüfen.", &[]),
    ];
    let e = engine_for(&docs, &SearchConfig::default());
    let first = |q: &str| first_sent(&e, q);
    assert_eq!(first("Drucker druckt nicht"), Some(1));
    // Of the function words, only negations must be in the title: not "warum", not "der".
    assert_eq!(first("warum druckt der Drucker nicht"), Some(1));
    // One word is no title match: the article that is about it the most still wins.
    assert_eq!(first("drucken"), Some(0));
}
