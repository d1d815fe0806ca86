//! Compounds: known parts, the head alone, parts typed apart, a synonym for the head ([`crate::engine::rewrite::compound`], [`crate::engine::rewrite::head_swap`]).

use super::*;

#[test]
fn an_unknown_compound_finds_its_head() {
    let e = support_engine(&SearchConfig { vocabulary: false, ..SearchConfig::default() });
    // No article says "Wandbeamer" or "Wand"; the head "Beamer" is known.
    assert_eq!(first(&e, "Wandbeamer", None), Some(3));
    assert!(e.search("Quadratxylophon", None, false, 5).is_empty(), "no known head, no guess");
}

#[test]
fn an_unknown_compound_counts_as_its_parts_typed_apart() {
    let e = support_engine(&SearchConfig { vocabulary: false, ..SearchConfig::default() });
    // "WLAN" alone prefers the overview that says it six times; the compound asks for both.
    assert_eq!(first(&e, "WLAN", None), Some(4));
    assert_eq!(first(&e, "WLANdrucker", None), Some(5));
    assert_eq!(first(&e, "Wlan Drucker", None), Some(5));
}

#[test]
fn a_compound_is_also_found_with_a_synonym_for_its_head() {
    // "Ton" and "Klang" share a vocabulary group; no article says "Warnton".
    let docs = vec![
        doc("Den Warnklang wählen", "allgemein", "Einen anderen Klang für Meldungen einstellen.", &[]),
        doc("Lautstärke", "allgemein", "Den Ton lauter stellen.", &[]),
    ];
    assert_eq!(first_sent(&engine_for(&docs, &SearchConfig::default()), "Warnton"), Some(0));
    let off = engine_for(&docs, &SearchConfig { vocabulary: false, ..Default::default() });
    assert_ne!(first_sent(&off, "Warnton"), Some(0));
}
