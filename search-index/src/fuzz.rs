//! Entry points for fuzzing the query side (`fuzz/` at the repository root runs them with
//! libFuzzer; `tests/fuzz_seeds.rs` runs the committed seeds in every test run). Each takes any
//! bytes and must neither panic nor hang.

use std::sync::LazyLock;

use crate::analyzer::{index_tokens, split_compound, Lexicon};
use crate::engine::{Engine, SearchConfig};
use crate::writer::{write_index, IndexDoc};

/// A small portal of real help texts, indexed once per process.
static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let doc = |title: &str, body: &str, keywords: &[&str]| IndexDoc {
        title: title.into(),
        summary: String::new(),
        keywords: keywords.iter().map(|k| k.to_string()).collect(),
        body: body.into(),
        platform: "ipad".into(),
        ..IndexDoc::default()
    };
    let docs = [
        doc("Passwort vergessen", "Setzen Sie Ihr Kennwort über die Anmeldeseite zurück.", &["Kennwort"]),
        doc("Drucker druckt nicht", "Papierstau beheben, Druckauftrag löschen, Drucker neu starten.", &["Papierstau"]),
        doc("WLAN-Verbindung auf dem iPad", "Einstellungen › WLAN › Schulnetz wählen.", &["Internet", "WiFi"]),
        doc("Display zeigt kein Bild", "Prüfen Sie den HDMI-Eingang und das Kabel am Wandanschluss.", &["Beamer"]),
    ];
    Engine::from_files(write_index(&docs).expect("index"), &SearchConfig::default()).expect("engine")
});

/// What a teacher might type, or a crafted `?q=` link: parsed, searched, answered and corrected.
pub fn query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (typing, platform) = match data.first() {
        Some(b) => (b & 1 == 1, (b & 2 == 2).then_some("ipad")),
        None => (false, None),
    };
    let _ = crate::query::parse(&text, typing);
    let _ = ENGINE.answer(&text, platform, typing, 10);
    let _ = ENGINE.suggest(&text);
}

/// Article text as the indexer analyses it: tokens, compound parts, the lexicon.
pub fn analysis(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lexicon = Lexicon::from_texts([text.as_ref(), "Passwort Änderung Drucker Warteschlange"]);
    let _ = index_tokens(&text, &lexicon);
    for word in text.split_whitespace().take(64) {
        let _ = split_compound(&crate::analyzer::normalize(word), &|part| part.len() % 3 == 0);
    }
}
