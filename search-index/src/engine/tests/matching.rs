//! Text match ([`crate::engine::Rule::Match`]): typed words across the weighted fields, exact words above typo matches, words close together, quoted phrases.

use super::*;

#[test]
fn finds_articles_the_way_teachers_type() {
    let e = engine(&SearchConfig::default());
    assert_eq!(first(&e, "Passwort vergessen", None), Some(0));
    assert_eq!(first(&e, "Pasword", None), Some(0), "typo");
    assert_eq!(first(&e, "Pasword vergessen", None), Some(0), "typos");
    assert_eq!(first(&e, "Drucer", None), Some(4), "typo");
    assert_eq!(first(&e, "Passwörter", None), Some(0), "inflection");
    assert_eq!(first(&e, "Kennwort", None), Some(0), "keywords");
    assert_eq!(first(&e, "WLAN iPad", None), Some(1));
    assert_eq!(first(&e, "schueler", None), Some(1), "umlaut spelling");
    assert_eq!(first(&e, "Schuler", None), Some(1), "umlaut dropped");
    assert_eq!(first(&e, "Teams Bespr", None), Some(2), "prefix while typing");
    assert_eq!(first(&e, "Zugang", None), Some(3), "hyphenated compound part");
    assert_eq!(first(&e, "Passwortänderung", None), Some(0));
    assert_eq!(first(&e, "Druckerpapierstau", None), Some(4), "parts of a typed compound");
    assert_eq!(first(&e, "WLAN", Some("allgemein")), Some(3), "platform filter");
    assert!(e.search("WLAN", Some("iserv"), false, 5).is_empty());
    assert!(e.search("\"\" ( - :", None, true, 5).is_empty());
}

#[test]
fn exact_words_outrank_typo_matches() {
    // The rival says a word one letter from "Drucker" far more often than the article says
    // "Drucker": only the exact match's precedence puts the article first.
    let docs = [
        doc("Drucker", "allgemein", "Papierstau beheben.", &[]),
        doc("Trucker Trucker", "allgemein", "Trucker Trucker Trucker Trucker Trucker im Trucker-Modus.", &["Trucker"]),
    ];
    let e = Engine::from_files(write_index(&docs).unwrap(), &SearchConfig::default()).unwrap();
    let hits: Vec<u64> = e.search("Drucker", None, false, 5).iter().map(|h| h.ord).collect();
    assert_eq!(hits, [0, 1], "the typo match is found, and the exact one comes first");
}

#[test]
fn typed_words_close_together_rank_first() {
    // The first title is shorter, so plain BM25 would rank it first.
    let far = "Kabel tauschen, Schule, Pause, Mittagessen, Sport, Unterricht, Konferenz, Elternabend, Zeugnis, Monitor";
    let near = "Kabel am Monitor prüfen, Pause, Mittagessen, Sport, Unterricht, Konferenz, Elternabend, Zeugnis, Ferien, Abitur, Wandertag";
    let docs = vec![doc(far, "allgemein", "", &[]), doc(near, "allgemein", "", &[])];
    let config = SearchConfig { vocabulary: false, ..SearchConfig::default() };
    let e = Engine::from_files(write_index(&docs).unwrap(), &config).unwrap();
    let hits: Vec<u64> = e.search("Kabel Monitor", None, false, 5).iter().map(|h| h.ord).collect();
    assert_eq!(hits, [1, 0]);
}

#[test]
fn nearness_in_the_body_counts_only_where_the_weights_say_so() {
    // The first text is shorter, so plain BM25 ranks it first.
    let far = "Kabel liegt im Schrank, nach Pause, Mittagessen und Sport kommt der Monitor.";
    let near = "Prüfen Sie das Kabel am Monitor. Dann Pause, Mittagessen, Sport, Unterricht und die Konferenz.";
    let docs = vec![doc("Hinweise", "allgemein", far, &[]), doc("Hinweise", "allgemein", near, &[])];
    let ranked = |nearness_in_body| {
        let weights = crate::ranking::RankingWeights { nearness_in_body, ..Default::default() };
        let config = SearchConfig { vocabulary: false, weights, ..SearchConfig::default() };
        let e = Engine::from_files(write_index(&docs).unwrap(), &config).unwrap();
        e.search("Kabel Monitor", None, false, 5).iter().map(|h| h.ord).collect::<Vec<u64>>()
    };
    assert_eq!(ranked(false), [0, 1], "by default a query never reads the body's positions");
    assert_eq!(ranked(true), [1, 0]);
}

#[test]
fn quoted_phrases_match_word_order() {
    // The rival has both words, more often and in its title, but never in this order.
    let docs = [
        doc("IServ-Zugang", "iserv", "Wer sein Passwort vergessen hat, setzt es zurück.", &[]),
        doc(
            "Vergessen Sie nie Ihr Passwort",
            "iserv",
            "Vergessen Sie nie: Ihr Passwort bleibt geheim. Vergessen Sie das Passwort nicht.",
            &["Vergessen Passwort"],
        ),
    ];
    let e = Engine::from_files(write_index(&docs).unwrap(), &SearchConfig::default()).unwrap();
    let unquoted: Vec<u64> = e.search("Passwort vergessen", None, false, 5).iter().map(|h| h.ord).collect();
    assert_eq!(unquoted.first(), Some(&1), "without quotes the rival wins: the test needs it to");
    let quoted: Vec<u64> = e.search("\"Passwort vergessen\"", None, false, 5).iter().map(|h| h.ord).collect();
    assert_eq!(quoted, [0], "only the article with the words in this order");
}

#[test]
fn output_is_deterministic() {
    assert_eq!(write_index(&corpus()).unwrap(), write_index(&corpus()).unwrap());
}
