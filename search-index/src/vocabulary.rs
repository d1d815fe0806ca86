//! The built-in German school-IT vocabulary: groups of everyday and technical words that mean the
//! same to a teacher looking for help ("Kennwort weg" = "Passwort vergessen", "Tafel" = "Display").
//!
//! The data lives in `vocabulary/de.txt`, readable and reviewed like code, and is compiled into
//! the indexer. The index carries the groups that can matter to its portal (the file
//! [`INDEX_FILE`], see [`Vocabulary::source_for_index`]), and both the native engine and the
//! browser runtime read it from there: the runtime does not carry the whole list (80 kB) that every
//! visitor would download. A query word that matches a term of a group brings the group's other
//! terms in as weaker alternatives, so that what the teacher typed still ranks first.

use std::collections::{HashMap, HashSet};

use crate::analyzer::{normalize, stem, tokenize};
use crate::support::is_filler_stem;

/// The vocabulary shipped with Lotse.
#[cfg(feature = "builtin-vocabulary")]
pub const BUILTIN: &str = include_str!("../vocabulary/de.txt");

/// The name of the index file that holds a portal's share of the built-in vocabulary.
pub const INDEX_FILE: &str = "lotse-vocabulary.txt";

/// One group: an id a portal can switch off, and its terms as index terms, word by word.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Stable name, such as `passwort-vergessen`.
    pub id: String,
    /// Each term as the stems of its words, function words included (they matter in "kein Bild").
    pub terms: Vec<Vec<String>>,
    /// Each term's content words, function words left out: what is searched for it.
    pub content: Vec<Vec<String>>,
    /// Where the group comes from: the portal's own synonyms weigh more than the built-in list.
    pub source: GroupSource,
}

/// Where a vocabulary group comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupSource {
    /// `vocabulary/de.txt`, the school-IT vocabulary built into Lotse.
    Builtin,
    /// The portal's `search.synonyms` in `lotse.yaml`.
    Portal,
}

/// Parsed groups, indexed by the first word of every term.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// The `version:` line of the data file; 0 for a vocabulary built only from portal groups.
    pub version: u32,
    groups: Vec<Group>,
    by_first_word: HashMap<String, Vec<(usize, usize)>>,
    /// Terms of two or more content words, which also match apart: `(group, term)`.
    scattered: Vec<(usize, usize)>,
    /// Every word (stem) of every term.
    words: HashSet<String>,
}

/// Where a group's term occurs in a query: tokens `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// First query token of the match.
    pub start: usize,
    /// One past the last query token.
    pub end: usize,
    /// The group, an index into [`Vocabulary::groups`].
    pub group: usize,
    /// Which of the group's terms matched.
    pub term: usize,
}

/// The stems of a term's words.
fn term_tokens(term: &str) -> Vec<String> {
    tokenize(term).iter().map(|t| stem(&normalize(&t.text))).collect()
}

impl Vocabulary {
    /// The built-in vocabulary. Its data is checked by a unit test, so parsing cannot fail here.
    #[cfg(feature = "builtin-vocabulary")]
    pub fn builtin() -> Vocabulary {
        Vocabulary::parse(BUILTIN).unwrap_or_default()
    }

    /// The lines of the vocabulary source `text` that can matter to an index whose terms are
    /// `indexed`: its `version:` line and every group with a term whose content words (stems) the
    /// articles contain. Any other group expands a query only to terms that find nothing. (On the
    /// bundled and GNOME portals every ranking stays the same; the bundled portal keeps 87 %.)
    pub fn source_for_index(text: &str, indexed: impl Fn(&str) -> bool) -> String {
        let mut kept = String::new();
        for line in text.lines().map(str::trim) {
            let Some((key, rest)) = line.split_once(':') else { continue };
            let useful = key.trim() == "version"
                || rest.split(',').any(|term| {
                    let words: Vec<String> =
                        term_tokens(term.trim()).into_iter().filter(|word| !is_filler_stem(word)).collect();
                    !words.is_empty() && words.iter().all(|word| indexed(word))
                });
            if useful && !line.starts_with('#') {
                kept.push_str(line);
                kept.push('\n');
            }
        }
        kept
    }

    /// Parses the data format of `vocabulary/de.txt`; errors name the line.
    pub fn parse(text: &str) -> Result<Vocabulary, String> {
        let mut vocabulary = Vocabulary::default();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, rest) = line.split_once(':').ok_or_else(|| format!("line {}: no `id:`", number + 1))?;
            let key = key.trim();
            if key == "version" {
                vocabulary.version =
                    rest.trim().parse().map_err(|_| format!("line {}: version is not a number", number + 1))?;
                continue;
            }
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
                return Err(format!("line {}: `{key}` is not a group id", number + 1));
            }
            if vocabulary.groups.iter().any(|g| g.id == key) {
                return Err(format!("line {}: group `{key}` is listed twice", number + 1));
            }
            let terms: Vec<&str> = rest.split(',').map(str::trim).filter(|t| !t.is_empty()).collect();
            if terms.len() < 2 {
                return Err(format!("line {}: group `{key}` needs at least two terms", number + 1));
            }
            vocabulary.push(key, &terms, GroupSource::Builtin);
        }
        Ok(vocabulary)
    }

    /// Adds a group; terms that analyse to nothing are skipped.
    fn push(&mut self, id: &str, terms: &[&str], source: GroupSource) {
        let mut group = Group { id: id.to_string(), terms: Vec::new(), content: Vec::new(), source };
        for term in terms {
            let tokens = term_tokens(term);
            if !tokens.is_empty() && !group.terms.contains(&tokens) {
                group.content.push(tokens.iter().filter(|w| !is_filler_stem(w)).cloned().collect());
                group.terms.push(tokens);
            }
        }
        if group.terms.len() >= 2 {
            self.add(group);
        }
    }

    /// Adds a parsed group and indexes its terms for [`Self::matches`].
    fn add(&mut self, group: Group) {
        let index = self.groups.len();
        for (t, tokens) in group.terms.iter().enumerate() {
            self.by_first_word.entry(tokens[0].clone()).or_default().push((index, t));
            self.words.extend(tokens.iter().cloned());
            if group.content[t].len() >= 2 {
                self.scattered.push((index, t));
            }
        }
        self.groups.push(group);
    }

    /// This vocabulary without the groups named in `ids` (a portal's `search.vocabulary_off`).
    pub fn without(self, ids: &[String]) -> Vocabulary {
        let mut kept = Vocabulary { version: self.version, ..Vocabulary::default() };
        for group in self.groups.into_iter().filter(|g| !ids.contains(&g.id)) {
            kept.add(group);
        }
        kept
    }

    /// Adds a portal's own groups (`search.synonyms`), named `portal-1`, `portal-2`, ….
    pub fn with_groups(mut self, groups: &[Vec<String>]) -> Vocabulary {
        for (i, group) in groups.iter().enumerate() {
            let terms: Vec<&str> = group.iter().map(String::as_str).collect();
            self.push(&format!("portal-{}", i + 1), &terms, GroupSource::Portal);
        }
        self
    }

    /// The groups, in file order.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// Whether a group with this id exists, for checking a portal's config.
    pub fn has_group(&self, id: &str) -> bool {
        self.groups.iter().any(|g| g.id == id)
    }

    /// Every place a term of some group occurs in `tokens` (the stems of a query's words, in order).
    /// A term with two or more content words also matches when they occur apart or in another
    /// order, with other function words between them: "ich darf nichts installieren" is "darf
    /// nicht installieren". A term with one content word needs its exact words ("kein Bild"), or
    /// "Bild" alone would bring in "bleibt schwarz".
    pub fn matches(&self, tokens: &[String]) -> Vec<Match> {
        let mut found = Vec::new();
        for start in 0..tokens.len() {
            for &(group, term) in self.by_first_word.get(&tokens[start]).into_iter().flatten() {
                let words = &self.groups[group].terms[term];
                if tokens[start..].starts_with(words) {
                    let m = Match { start, end: start + words.len(), group, term };
                    if !found.contains(&m) {
                        found.push(m);
                    }
                }
            }
        }
        for &(group, term) in &self.scattered {
            if found.iter().any(|m: &Match| m.group == group && m.term == term) {
                continue;
            }
            let places: Option<Vec<usize>> =
                self.groups[group].content[term].iter().map(|word| tokens.iter().position(|t| t == word)).collect();
            if let Some(places) = places {
                let start = places.iter().copied().min().unwrap_or(0);
                let end = places.iter().copied().max().unwrap_or(0) + 1;
                found.push(Match { start, end, group, term });
            }
        }
        found
    }

    /// The one-word terms that share a group with the one-word term `word` (a stem): what the head
    /// of a compound may be swapped for, so that "Warnton" also finds "Warnklang".
    pub fn one_word_synonyms(&self, word: &str) -> Vec<&str> {
        let mut found: Vec<&str> = Vec::new();
        for &(group, term) in self.by_first_word.get(word).into_iter().flatten() {
            if self.groups[group].terms[term].len() != 1 {
                continue;
            }
            for other in &self.groups[group].terms {
                if let [synonym] = &other[..] {
                    if synonym != word && !found.contains(&synonym.as_str()) {
                        found.push(synonym);
                    }
                }
            }
        }
        found
    }

    /// Every distinct word (stem) the groups' terms are made of, for correcting a misspelled query
    /// word before it is looked up here.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(String::as_str)
    }

    /// Whether some term contains this word (stem).
    pub fn knows_word(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    /// The other terms of a match's group, each as its content words (function words left out),
    /// which the search looks for as a phrase: "fährt nicht hoch" asks for "fährt … hoch", not for
    /// every article that says "hoch".
    pub fn expansions(&self, m: &Match) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        for (t, content) in self.groups[m.group].content.iter().enumerate() {
            if t != m.term && !content.is_empty() && !out.contains(content) {
                out.push(content.clone());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::term;

    #[test]
    fn builtin_vocabulary_parses_and_is_large() {
        let vocabulary = Vocabulary::parse(BUILTIN).expect("vocabulary/de.txt parses");
        assert!(vocabulary.version >= 1);
        assert!(vocabulary.groups().len() >= 300, "{} groups", vocabulary.groups().len());
        assert!(vocabulary.has_group("passwort-vergessen"));
    }

    #[test]
    fn an_index_keeps_the_groups_with_a_term_its_articles_contain() {
        let source = "# comment\nversion: 7\nkein-bild: kein Bild, bleibt schwarz\nwlan: WLAN, WiFi\n";
        let kept = Vocabulary::source_for_index(source, |word| word == term("Bild"));
        assert_eq!(kept, "version: 7\nkein-bild: kein Bild, bleibt schwarz\n");
        assert_eq!(Vocabulary::parse(&kept).unwrap().groups().len(), 1);
        // A term needs all its content words; function words such as "kein" keep no group.
        assert_eq!(Vocabulary::source_for_index(source, |word| word == term("schwarz")), "version: 7\n");
        assert_eq!(Vocabulary::source_for_index(source, |word| word == term("kein")), "version: 7\n");
    }

    #[test]
    fn rejects_malformed_lines() {
        assert!(Vocabulary::parse("version: 1\nWLAN: WLAN, WiFi\n").unwrap_err().contains("line 2"));
        assert!(Vocabulary::parse("a: x, y\na: y, z\n").unwrap_err().contains("twice"));
        assert!(Vocabulary::parse("a: x\n").unwrap_err().contains("two terms"));
    }

    fn stems(query: &str) -> Vec<String> {
        term_tokens(query)
    }

    #[test]
    fn everyday_words_find_technical_terms_and_phrases() {
        let v = Vocabulary::builtin();
        let expanded = |query: &str| -> Vec<String> {
            let tokens = stems(query);
            v.matches(&tokens).iter().flat_map(|m| v.expansions(m)).flatten().collect()
        };
        assert!(expanded("Kennwort weg").contains(&term("vergessen")), "{:?}", expanded("Kennwort weg"));
        assert!(expanded("Kennwort").contains(&term("Passwort")));
        assert!(expanded("Tafel bleibt schwarz").contains(&term("Bild")), "{:?}", expanded("Tafel bleibt schwarz"));
        assert!(expanded("Stift malt nicht").contains(&term("Pencil")), "{:?}", expanded("Stift malt nicht"));
    }

    #[test]
    fn terms_of_several_content_words_match_apart_and_in_any_order() {
        let v =
            Vocabulary::parse("rechte: darf nicht installieren, Adminrechte\nkein-bild: kein Bild, schwarz\n").unwrap();
        let m = v.matches(&stems("ich darf leider nichts installieren"));
        assert_eq!(m, [Match { start: 1, end: 5, group: 0, term: 0 }]);
        assert_eq!(v.matches(&stems("installieren darf ich nicht")).len(), 1);
        assert!(v.matches(&stems("ich darf")).is_empty(), "all content words are needed");
        assert!(v.matches(&stems("Bild drehen")).is_empty(), "one content word needs the exact term");
    }

    #[test]
    fn portal_groups_are_added_and_builtin_groups_switched_off() {
        let v = Vocabulary::builtin().without(&["passwort".to_string()]);
        assert!(!v.has_group("passwort") && v.has_group("passwort-vergessen"));
        let tokens = stems("Kennwort");
        assert!(v.matches(&tokens).iter().all(|m| v.groups()[m.group].id != "passwort"));
        let v = v.with_groups(&[vec!["Schulportal".into(), "IServ".into()]]);
        let m = v.matches(&stems("Schulportal"));
        assert_eq!(v.expansions(&m[0]), vec![vec![term("IServ")]]);
    }

    #[test]
    fn multi_word_terms_expand_to_their_content_words_together() {
        let v = Vocabulary::parse("kein-bild: kein Bild, bleibt schwarz, zeigt nichts an\n").unwrap();
        let m = v.matches(&stems("Beamer bleibt schwarz"));
        assert_eq!(m, [Match { start: 1, end: 3, group: 0, term: 1 }]);
        // "kein" and "nichts an" are function words: only the content words are searched.
        assert_eq!(v.expansions(&m[0]), vec![vec![term("Bild")], vec![term("zeigt")]]);
        let m = v.matches(&stems("Display kein Bild"));
        assert_eq!(v.expansions(&m[0]), vec![vec![term("bleibt"), term("schwarz")], vec![term("zeigt")]]);
    }
}
