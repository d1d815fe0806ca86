//! A verb finds its noun and a noun its verb ([`crate::engine::rewrite::derivation`]).

use super::*;

#[test]
fn a_verb_finds_its_noun_and_a_noun_its_verb() {
    // Each pair differs only in the derived word; without derivations they tie, and ties
    // go to the first article.
    let docs = vec![
        doc("Rechte", "allgemein", "Administratorrechte beim Start prüfen.", &[]),
        doc("Rechte", "allgemein", "Die Installation braucht Administratorrechte.", &[]),
        doc("Kennwort", "allgemein", "Das Kennwort sicher aufbewahren.", &[]),
        doc("Kennwort", "allgemein", "Eine Änderung des Kennworts gilt sofort.", &[]),
    ];
    let config = SearchConfig { vocabulary: false, ..SearchConfig::default() };
    let e = engine_for(&docs, &config);
    let first = |q: &str| first_sent(&e, q);
    assert_eq!(first("Rechte installieren"), Some(1));
    assert_eq!(first("Kennwort ändern"), Some(3));
    assert_eq!(first("Kennwortänderung"), Some(3));
}
