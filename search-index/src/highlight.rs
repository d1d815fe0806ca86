//! Which words of an article's text match a query, for the excerpts and the marks on the page:
//! the same analysis as the index (the same term, or a longer word starting with a word still
//! being typed), so that what is marked is what was found.

use crate::analyzer::{normalize, stem, tokenize};

/// The first letter of a word as [`normalize`] begins it: lower-cased, umlaut and accent folded.
fn folded_initial(word: &str) -> char {
    match word.chars().next() {
        Some(c) if c.is_ascii() => c.to_ascii_lowercase(),
        Some(c) => crate::fold::fold_german(c.encode_utf8(&mut [0; 4])).chars().next().unwrap_or(c),
        None => ' ',
    }
}

/// Ranges of `text` (UTF-16 offsets) whose words match a word of `query` (same term, or a longer
/// word starting with a typed prefix).
pub fn highlight_ranges(text: &str, query: &str) -> Vec<[usize; 2]> {
    let parsed = crate::query::parse(query, true);
    let initials: Vec<char> = parsed.words.iter().filter_map(|w| w.normalized.chars().next()).collect();
    let mut ranges = Vec::new();
    let mut utf16_offset = 0;
    let mut byte_offset = 0;
    for token in tokenize(text) {
        utf16_offset += text[byte_offset..token.start].encode_utf16().count();
        let length = token.text.encode_utf16().count();
        // Most words of a text match no query word, and normalising and stemming them is most of
        // an excerpt's time. A word can match only if its folded first letter begins a query
        // word, and only if it begins with a query term, because a stem begins its word.
        let hit = initials.contains(&folded_initial(&token.text)) && {
            let normalized = normalize(&token.text);
            parsed.words.iter().any(|w| {
                (w.prefix && normalized.starts_with(&w.normalized))
                    || (normalized.starts_with(&w.term) && stem(&normalized) == w.term)
            })
        };
        if hit {
            ranges.push([utf16_offset, utf16_offset + length]);
        }
        utf16_offset += length;
        byte_offset = token.end;
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str, query: &str) -> Vec<String> {
        let units: Vec<u16> = text.encode_utf16().collect();
        highlight_ranges(text, query).iter().map(|r| String::from_utf16(&units[r[0]..r[1]]).unwrap()).collect()
    }

    #[test]
    fn marks_every_form_of_a_query_word_and_nothing_else() {
        let text = "Das Passwort ändern: Passwörter laufen ab. Der Pass bleibt.";
        assert_eq!(marked(text, "passwort"), ["Passwort", "Passwörter"]);
    }

    #[test]
    fn marks_longer_words_of_a_word_still_being_typed() {
        assert_eq!(marked("Passwort und Pass", "pass"), ["Passwort", "Pass"]);
        assert_eq!(marked("Passwort und Pass", "pass "), ["Pass"]);
    }

    #[test]
    fn words_with_an_umlaut_or_capital_first_letter_are_found() {
        let text = "Die Übersicht zeigt Änderungen; ÜBERSICHT oben.";
        assert_eq!(marked(text, "uebersicht"), ["Übersicht", "ÜBERSICHT"]);
        assert_eq!(marked(text, "anderung"), ["Änderungen"]);
        assert_eq!(marked("Élan und elan", "Elan"), ["Élan", "elan"]);
    }

    #[test]
    fn ranges_count_utf16_units() {
        // The emoji takes two UTF-16 units, "ü" one: the browser slices strings in units.
        let text = "🙂 Drücken Sie Drucker";
        assert_eq!(highlight_ranges(text, "drucker"), [[15, 22]]);
        assert_eq!(marked(text, "drucker"), ["Drucker"]);
    }
}
