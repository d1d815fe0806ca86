//! Separable verbs joined again ([`crate::engine::rewrite::separable_verbs`]).

use super::*;

#[test]
fn separable_verbs_are_joined_again() {
    let docs = vec![
        doc("Rechner einschalten", "allgemein", "Den Knopf drücken.", &[]),
        doc("Rechner ausschalten", "allgemein", "Herunterfahren wählen.", &[]),
    ];
    let e = engine_for(&docs, &SearchConfig::default());
    // "ein" and "aus" alone are function words; joined with the verb they decide.
    let first = |q: &str| first_sent(&e, q);
    assert_eq!(first("wie schalte ich den Rechner ein"), Some(0));
    assert_eq!(first("wie schalte ich den Rechner aus"), Some(1));
}
