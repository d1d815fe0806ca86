//! The vocabulary and the portal's synonyms ([`crate::engine::concepts::AlternativeKind::Vocabulary`], [`PortalSynonym`](crate::engine::concepts::AlternativeKind::PortalSynonym)).

use super::*;

#[test]
fn synonyms_from_the_config_apply() {
    assert_eq!(first(&engine(&SearchConfig::default()), "Papierstau Kopierer", None), Some(4));
    let config = SearchConfig { synonyms: vec![vec!["Tafel".into(), "Drucker".into()]], ..SearchConfig::default() };
    assert_eq!(first(&engine(&SearchConfig::default()), "Tafel", None), None);
    assert_eq!(first(&engine(&config), "Tafel", None), Some(4));
}

#[test]
fn the_vocabulary_finds_everyday_words_but_exact_words_rank_first() {
    let e = support_engine(&SearchConfig::default());
    assert_eq!(first(&e, "Tafel bleibt schwarz", None), Some(0));
    assert_eq!(first(&e, "Stift malt nicht", None), Some(1));
    assert_eq!(first(&e, "Kennwort weg", None), Some(2));
    // The typed word beats its vocabulary alternative, which is still found.
    let hits: Vec<u64> = e.search("Projektor", None, false, 5).iter().map(|h| h.ord).collect();
    assert_eq!(hits[..2], [9, 3]);
    let hits: Vec<u64> = e.search("Beamer", None, false, 5).iter().map(|h| h.ord).collect();
    assert_eq!(hits[..2], [3, 9]);
    let off = support_engine(&SearchConfig { vocabulary: false, ..SearchConfig::default() });
    assert_ne!(first(&off, "Stift malt nicht", None), Some(1));
    let group_off = SearchConfig { vocabulary_off: vec!["apple-pencil".into()], ..SearchConfig::default() };
    assert!(crate::vocabulary::Vocabulary::builtin().has_group("apple-pencil"));
    assert_eq!(first(&e, "Stift", None), Some(1));
    assert_eq!(first(&support_engine(&group_off), "Stift", None), None);
}

#[test]
fn a_vocabulary_phrase_is_found_only_where_its_words_stand_together() {
    let docs = vec![
        doc("Beamer bleibt schwarz", "allgemein", "Kabel prüfen.", &[]),
        doc("Fenster", "allgemein", "Das Fenster bleibt offen, auch wenn der Rahmen im Raum schwarz ist.", &[]),
    ];
    let config =
        SearchConfig { synonyms: vec![vec!["Bildausfall".into(), "bleibt schwarz".into()]], ..SearchConfig::default() };
    let e = Engine::from_files(write_index(&docs).unwrap(), &config).unwrap();
    let hits: Vec<u64> = e.search("Bildausfall", None, false, 5).iter().map(|h| h.ord).collect();
    assert_eq!(hits, [0]);
}
