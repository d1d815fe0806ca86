//! Engine tests, one file per rule or rewrite, over small corpora indexed the way `lotse build`
//! indexes a portal.

mod compound;
mod correction;
mod coverage;
mod derivation;
mod explanation;
mod matching;
mod separable_verbs;
mod troubleshooting;
mod vocabulary;
mod whole_title;

use crate::writer::{write_index, IndexDoc};

pub use crate::engine::{Engine, SearchConfig};

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
