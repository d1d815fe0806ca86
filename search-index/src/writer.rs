//! Writing the index (native only): analyses every article and returns the index files.
//!
//! The files are returned in memory so the generator can give them content-hashed names. tantivy
//! names segments with random UUIDs; the writer replaces the UUID with one derived from the
//! content, so the same portal always gives byte-identical files.

use tantivy::directory::{Directory, RamDirectory};
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{Index, IndexSettings, TantivyDocument};

use crate::analyzer::{Analyzer, Lexicon};
use crate::schema::{build, Fields};

/// What the index knows of one article. Its position in the slice becomes its `ord`.
#[derive(Debug, Clone, Default)]
pub struct IndexDoc {
    /// The article title, the most heavily weighted field.
    pub title: String,
    /// One or two sentences from the front matter; may be empty.
    pub summary: String,
    /// The words teachers actually type ("Kennwort"); they also teach the compound splitter new parts.
    pub keywords: Vec<String>,
    /// Tags as written in the front matter, searched as text.
    pub tags: Vec<String>,
    /// Heading texts in document order, as plain text.
    pub headings: Vec<String>,
    /// The body as plain text from the renderer, never from HTML; code blocks included.
    pub body: String,
    /// The platform id, indexed as one exact term for the platform filter.
    pub platform: String,
    /// Audience values such as `teachers`, indexed as exact terms.
    pub audience: Vec<String>,
    /// Days since 1970-01-01 of the last update, 0 when unknown.
    pub updated_days: u64,
}

/// One file of the finished index, by its name inside the index folder.
pub type IndexFile = (String, Vec<u8>);

fn pre_tokenized(text: &str, analyzer: &mut Analyzer) -> PreTokenizedString {
    let tokens = analyzer
        .index_tokens(text)
        .into_iter()
        .map(|t| Token {
            offset_from: t.start,
            offset_to: t.end,
            position: t.position,
            text: t.term,
            position_length: 1,
        })
        .collect();
    PreTokenizedString { text: text.to_string(), tokens }
}

fn document(doc: &IndexDoc, ord: u64, fields: &Fields, analyzer: &mut Analyzer) -> TantivyDocument {
    let mut out = TantivyDocument::default();
    out.add_pre_tokenized_text(fields.title, pre_tokenized(&doc.title, analyzer));
    out.add_pre_tokenized_text(fields.summary, pre_tokenized(&doc.summary, analyzer));
    // Multi-valued fields are joined with a full stop so that phrases never span two values.
    out.add_pre_tokenized_text(fields.keywords, pre_tokenized(&doc.keywords.join(" . "), analyzer));
    out.add_pre_tokenized_text(fields.tags, pre_tokenized(&doc.tags.join(" . "), analyzer));
    out.add_pre_tokenized_text(fields.headings, pre_tokenized(&doc.headings.join(" . "), analyzer));
    out.add_pre_tokenized_text(fields.body, pre_tokenized(&doc.body, analyzer));
    out.add_text(fields.platform, &doc.platform);
    for audience in &doc.audience {
        out.add_text(fields.audience, audience);
    }
    out.add_u64(fields.ord, ord);
    out.add_u64(fields.updated, doc.updated_days);
    out.add_pre_tokenized_text(fields.spelling, spellings(doc));
    let troubleshooting = crate::support::is_troubleshooting(
        std::iter::once(doc.title.as_str()).chain(doc.headings.iter().map(String::as_str)),
    );
    out.add_u64(fields.troubleshooting, u64::from(troubleshooting));
    out
}

/// The words of title, keywords, tags and headings as written, for "Meinten Sie …?".
fn spellings(doc: &IndexDoc) -> PreTokenizedString {
    let texts = std::iter::once(&doc.title).chain(&doc.keywords).chain(&doc.tags).chain(&doc.headings);
    let mut tokens = Vec::new();
    for text in texts {
        for token in crate::analyzer::tokenize(text) {
            if token.text.chars().count() >= 3 && token.text.chars().all(char::is_alphabetic) {
                let position = tokens.len();
                tokens.push(Token {
                    offset_from: 0,
                    offset_to: 0,
                    position,
                    text: token.text.to_string(),
                    position_length: 1,
                });
            }
        }
    }
    PreTokenizedString { text: String::new(), tokens }
}

/// Indexes `docs` and returns the index files, deterministically named.
pub fn write_index(docs: &[IndexDoc]) -> tantivy::Result<Vec<IndexFile>> {
    let (schema, fields) = build();
    let lexicon = Lexicon::from_texts(docs.iter().flat_map(|d| {
        [d.title.as_str(), d.summary.as_str(), d.body.as_str()].into_iter().chain(d.keywords.iter().map(String::as_str))
    }));
    let directory = RamDirectory::create();
    let index = Index::create(directory.clone(), schema, IndexSettings::default())?;
    // One thread and a large budget give one segment, so the browser opens one set of files.
    let mut writer = index.writer_with_num_threads(1, 200_000_000)?;
    let mut analyzer = Analyzer::new(&lexicon);
    for (ord, doc) in docs.iter().enumerate() {
        writer.add_document(document(doc, ord as u64, &fields, &mut analyzer))?;
    }
    writer.commit()?;
    let segments = index.searchable_segment_ids()?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    writer.wait_merging_threads()?;

    let metas = index.searchable_segment_metas()?;
    let mut files: Vec<IndexFile> = Vec::new();
    let meta_json = directory.atomic_read(std::path::Path::new("meta.json"))?;
    let mut meta_text = String::from_utf8_lossy(&meta_json).into_owned();
    let mut hasher = crate::fold::Fnv64::new();
    for meta in &metas {
        use tantivy::index::SegmentComponent as C;
        let components = [C::Postings, C::Positions, C::Terms, C::Store, C::FastFields, C::FieldNorms, C::Delete];
        let mut segment_files: Vec<(String, Vec<u8>)> = Vec::new();
        for component in components {
            let path = meta.relative_path(component);
            if let Ok(bytes) = directory.atomic_read(&path) {
                hasher.update(&bytes);
                segment_files.push((path.to_string_lossy().into_owned(), bytes));
            }
        }
        // Replace the random segment id with one derived from the segment's content.
        let random = meta.id().uuid_string();
        let stable = format!("{:016x}{:016x}", hasher.finish(), hasher.finish().rotate_left(17) ^ 0x4c6f_7473_6521);
        let hyphenated = |s: &str| format!("{}-{}-{}-{}-{}", &s[..8], &s[8..12], &s[12..16], &s[16..20], &s[20..]);
        meta_text = meta_text.replace(&random, &stable).replace(&hyphenated(&random), &hyphenated(&stable));
        for (name, bytes) in segment_files {
            files.push((name.replace(&random, &stable), bytes));
        }
    }
    files.push(("meta.json".to_string(), meta_text.into_bytes()));
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, SearchConfig};

    fn doc(title: &str, platform: &str, body: &str, keywords: &[&str]) -> IndexDoc {
        IndexDoc {
            title: title.into(),
            platform: platform.into(),
            body: body.into(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            ..IndexDoc::default()
        }
    }

    fn corpus() -> Vec<IndexDoc> {
        vec![
            doc(
                "IServ-Passwort vergessen",
                "iserv",
                "So setzen Sie Ihr Passwort zurück. Die Passwortänderung dauert kurz.",
                &["Kennwort"],
            ),
            doc(
                "Dienst-iPad mit dem WLAN verbinden",
                "ipad",
                "Öffnen Sie Einstellungen und wählen Sie das Schüler-WLAN.",
                &["Wifi"],
            ),
            doc("Teams-Besprechung planen", "office365", "Eine Besprechung in Teams für die Klasse anlegen.", &[]),
            doc(
                "WLAN in der Schule geht nicht",
                "allgemein",
                "Checkliste für das WLAN-Netz der Schule und den Zugang.",
                &["Internet"],
            ),
            doc("Drucker druckt nicht", "allgemein", "Papierstau am Kopierer beheben.", &[]),
        ]
    }

    fn engine(config: &SearchConfig) -> Engine {
        Engine::from_files(write_index(&corpus()).unwrap(), config).unwrap()
    }

    fn first(engine: &Engine, query: &str, platform: Option<&str>) -> Option<u64> {
        engine.search(query, platform, true, 5).first().map(|h| h.ord)
    }

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
            doc(
                "Trucker Trucker",
                "allgemein",
                "Trucker Trucker Trucker Trucker Trucker im Trucker-Modus.",
                &["Trucker"],
            ),
        ];
        let e = Engine::from_files(write_index(&docs).unwrap(), &SearchConfig::default()).unwrap();
        let hits: Vec<u64> = e.search("Drucker", None, false, 5).iter().map(|h| h.ord).collect();
        assert_eq!(hits, [0, 1], "the typo match is found, and the exact one comes first");
    }

    #[test]
    fn synonyms_from_the_config_apply() {
        assert_eq!(first(&engine(&SearchConfig::default()), "Papierstau Kopierer", None), Some(4));
        let config = SearchConfig { synonyms: vec![vec!["Tafel".into(), "Drucker".into()]], ..SearchConfig::default() };
        assert_eq!(first(&engine(&SearchConfig::default()), "Tafel", None), None);
        assert_eq!(first(&engine(&config), "Tafel", None), Some(4));
    }

    fn support_corpus() -> Vec<IndexDoc> {
        vec![
            doc("Display zeigt kein Bild", "allgemein", "Prüfen Sie das HDMI-Kabel und die Quelle.", &[]),
            doc("Apple Pencil koppeln", "ipad", "Den Pencil an das iPad halten.", &[]),
            doc("Passwort vergessen", "iserv", "So bekommen Sie ein neues Passwort.", &[]),
            doc("Beamer an der Decke", "allgemein", "Der Beamer hängt an der Decke.", &[]),
            doc("WLAN-Übersicht", "allgemein", "WLAN, WLAN, WLAN: alle WLAN-Netze und das WLAN im Haus.", &[]),
            doc("Drucker im WLAN", "allgemein", "Den Drucker einmal ins WLAN bringen.", &[]),
            doc("WLAN einrichten", "ipad", "Das WLAN auf dem iPad einrichten.", &[]),
            doc("WLAN geht nicht", "ipad", "Wenn das WLAN streikt: Lösung in drei Schritten.", &[]),
            doc("Teams-Besprechung planen", "office365", "Eine Besprechung anlegen.", &[]),
            doc("Projektor ausleihen", "allgemein", "Den Projektor im Sekretariat ausleihen.", &[]),
        ]
    }

    fn engine_for(docs: &[IndexDoc], config: &SearchConfig) -> Engine {
        Engine::from_files(write_index(docs).unwrap(), config).unwrap()
    }

    /// The first hit for a query typed and sent whole (no prefix for the last word).
    fn first_sent(engine: &Engine, query: &str) -> Option<u64> {
        engine.search(query, None, false, 5).first().map(|h| h.ord)
    }

    fn support_engine(config: &SearchConfig) -> Engine {
        Engine::from_files(write_index(&support_corpus()).unwrap(), config).unwrap()
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
    fn more_concepts_outrank_one_word_many_times() {
        let e = support_engine(&SearchConfig::default());
        assert_eq!(first(&e, "Drucker WLAN", None), Some(5));
        // One nonsense word never empties the list.
        assert_eq!(first(&e, "Xylophon Drucker", None), Some(5));
    }

    #[test]
    fn complaints_prefer_troubleshooting_articles() {
        let e = support_engine(&SearchConfig::default());
        let hits = |q: &str| e.search(q, Some("ipad"), false, 5).iter().map(|h| h.ord).collect::<Vec<_>>();
        assert_eq!(hits("WLAN funktioniert nicht")[0], 7);
        assert_eq!(hits("WLAN einrichten")[0], 6);
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
    fn a_misspelled_word_still_finds_its_vocabulary_group() {
        let e = support_engine(&SearchConfig::default());
        // No article says "Kennwort", so only the vocabulary leads from it to "Passwort".
        assert_eq!(first(&e, "Kennwort weg", None), Some(2));
        assert_eq!(first(&e, "Kenwort weg", None), Some(2), "one letter missing");
        let off = support_engine(&SearchConfig { vocabulary: false, ..SearchConfig::default() });
        assert_ne!(first(&off, "Kenwort weg", None), Some(2));
    }

    #[test]
    fn a_vocabulary_phrase_is_found_only_where_its_words_stand_together() {
        let docs = vec![
            doc("Beamer bleibt schwarz", "allgemein", "Kabel prüfen.", &[]),
            doc("Fenster", "allgemein", "Das Fenster bleibt offen, auch wenn der Rahmen im Raum schwarz ist.", &[]),
        ];
        let config = SearchConfig {
            synonyms: vec![vec!["Bildausfall".into(), "bleibt schwarz".into()]],
            ..SearchConfig::default()
        };
        let e = Engine::from_files(write_index(&docs).unwrap(), &config).unwrap();
        let hits: Vec<u64> = e.search("Bildausfall", None, false, 5).iter().map(|h| h.ord).collect();
        assert_eq!(hits, [0]);
    }

    #[test]
    fn typed_words_close_together_rank_first() {
        // The first text is shorter, so plain BM25 would rank it first.
        let far = "Kabel liegt im Schrank, nach Pause, Mittagessen und Sport kommt der Monitor.";
        let near = "Prüfen Sie das Kabel am Monitor. Dann Pause, Mittagessen, Sport, Unterricht und die Konferenz.";
        let docs = vec![doc("Hinweise", "allgemein", far, &[]), doc("Hinweise", "allgemein", near, &[])];
        let config = SearchConfig { vocabulary: false, ..SearchConfig::default() };
        let e = Engine::from_files(write_index(&docs).unwrap(), &config).unwrap();
        let hits: Vec<u64> = e.search("Kabel Monitor", None, false, 5).iter().map(|h| h.ord).collect();
        assert_eq!(hits, [1, 0]);
    }

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

    #[test]
    fn every_hit_explains_its_score_by_named_rules() {
        let e = engine(&SearchConfig::default());
        let plain = e.search("Drucker druckt nicht", None, false, 5);
        let explained = e.search_explained("Drucker druckt nicht", None, false, 5);
        assert_eq!(explained.iter().map(|(h, _)| *h).collect::<Vec<_>>(), plain, "explaining changes nothing");
        for (hit, details) in &explained {
            use crate::engine::Rule;
            let matched: f32 = details.iter().filter(|d| d.rule == Rule::Match).map(|d| d.value).sum();
            let factors: f32 = details.iter().filter(|d| d.rule != Rule::Match).map(|d| d.value).product();
            assert!((matched * factors - hit.score).abs() < 1e-3 * hit.score.max(1.0), "{details:?} for {hit:?}");
            assert!(details.iter().any(|d| d.rule == Rule::Coverage));
        }
        // The article titled with every typed word gets that rule's factor, and comes first.
        let (first, details) = &explained[0];
        assert_eq!(first.ord, 4);
        assert!(details.iter().any(|d| d.rule == crate::engine::Rule::WholeTitle), "{details:?}");
    }

    #[test]
    fn other_weights_change_the_ranking_without_a_rebuild() {
        // With the title worth nothing and the body much, an article that only mentions the
        // word in its text beats the one titled with it.
        let docs = [
            doc("Drucker", "allgemein", "Text.", &[]),
            doc("Anderes", "allgemein", "Drucker Drucker Drucker im Text.", &[]),
        ];
        let files = write_index(&docs).unwrap();
        let default = Engine::from_files(files.clone(), &SearchConfig::default()).unwrap();
        assert_eq!(first(&default, "Drucker", None), Some(0));
        let mut config = SearchConfig::default();
        config.weights.fields.title = 0.0;
        config.weights.fields.body = 10.0;
        let tuned = Engine::from_files(files, &config).unwrap();
        assert_eq!(first(&tuned, "Drucker", None), Some(1));
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(write_index(&corpus()).unwrap(), write_index(&corpus()).unwrap());
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
}
