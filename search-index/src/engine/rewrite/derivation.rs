//! Rewrite: a verb also finds its noun and a noun its verb ("installieren" ↔ "Installation").

/// Index terms of the same word in another part of speech: a teacher asks "darf nichts
/// installieren" where the article speaks of the "Installation", or "Passwort ändern" where it
/// says "Änderung". Covers the regular German derivations between verbs and nouns: -ieren with
/// -ation and -ierung, and -en/-ern/-eln with -ung. `normalized` is the word folded, `term` its
/// stem; stopwords that a cut-off might produce ("sich") are never returned.
pub(crate) fn derivations(normalized: &str, term: &str) -> Vec<String> {
    let stem = crate::analyzer::stem;
    let mut found: Vec<String> = Vec::new();
    if let Some(root) = term.strip_suffix("ier") {
        found.extend([stem(&format!("{root}ation")), stem(&format!("{root}ierung"))]);
    } else if let Some(root) = term.strip_suffix("atio") {
        found.extend([stem(&format!("{root}ieren")), stem(&format!("{root}ierung"))]);
    } else if let Some(root) = term.strip_suffix("ierung") {
        found.extend([stem(&format!("{root}ieren")), stem(&format!("{root}ation"))]);
    } else if let Some(base) = normalized.strip_suffix("ung") {
        found.extend([stem(&format!("{base}en")), stem(&format!("{base}n"))]);
    } else if normalized.ends_with("ern") || normalized.ends_with("eln") {
        found.push(stem(&format!("{}ung", &normalized[..normalized.len() - 1])));
    } else if let Some(base) = normalized.strip_suffix("en") {
        found.push(stem(&format!("{base}ung")));
    }
    found.retain(|d| d != term && d.chars().count() >= 4 && !crate::analyzer::is_stopword(d));
    found.sort();
    found.dedup();
    found
}
