//! Every number the ranking uses, in one place, as data: the boosts of each kind of alternative,
//! the field weights, the slops, and the re-ranking factors. The build writes them into the search
//! manifest, so that the browser runtime ranks with exactly the numbers the portal was built with,
//! and the native findability evaluator can try other values without rebuilding the wasm
//! (`--weights FILE`). In the manner of Pagefind's `RankingWeights` and Meilisearch's ranking
//! rules: change a value here, not in the engine.

use serde::{Deserialize, Serialize};

/// The ranking's numbers. Boosts are relative to a typed word found exactly in the same field
/// (1.0); factors above 1 lift an article, below 1 lower it. The ranges are where a value still
/// means what its name says; the defaults are what the findability figures were measured with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RankingWeights {
    /// How much each field counts: title and keywords most, the body least.
    pub fields: FieldWeights,
    /// A longer word the last, unfinished word may become ("Bespr" → "Besprechung"). 0–1.
    pub prefix: f32,
    /// A word of the portal's own synonym groups: chosen by its technicians. 0–1.
    pub synonym: f32,
    /// A word of the built-in vocabulary, or a compound with a synonym for its head. 0–1, below
    /// [`Self::synonym`] and the typed word, so that exact matches still rank first.
    pub vocabulary: f32,
    /// A misspelled word corrected to a vocabulary word: almost as good as typing it right. 0–1.
    pub correction: f32,
    /// A near spelling (typo) of a typed word: tantivy scores every fuzzy hit alike, so this
    /// stays well below an exact match. 0–1.
    pub fuzzy: f32,
    /// A part of a compound ("Passwort" in "Passwortänderung"), also for a compound the index
    /// does not know, whose parts then count as typed apart. 0–1.
    pub compound_part: f32,
    /// The same word as another part of speech ("Installation" for "installieren"). 0–1.
    pub derivation: f32,
    /// A quoted phrase found in a field (it is required; this ranks where it stands). ≥ 1.
    pub phrase: f32,
    /// How many other words may stand between the words of a vocabulary phrase. 0–10.
    pub phrase_slop: u32,
    /// Two typed words standing close together in an article. 0–1.
    pub proximity: f32,
    /// How close "close together" is, in words. 1–20.
    pub proximity_slop: u32,
    /// Whether typed words close together and the vocabulary's phrases also count in the body,
    /// not only in the title and the headings. Off, a query reads the body's positions (the
    /// largest part of the index) only for a quoted phrase, so a large portal's chunks carry
    /// them apart ([`Self::positions_only_for_quotes`]): on 1,000 generated articles a query
    /// reads a third of the bytes (bench queries, 502 → 179 kB in all), with the same
    /// findability (dev and held-out: success@1, @3 and MRR unchanged).
    pub nearness_in_body: bool,
    /// How many index words a prefix may stand for; more makes short prefixes slow and vague. 1–100.
    pub max_prefix_terms: usize,
    /// Re-ranking: the share of the query's concepts an article matches is raised to this power
    /// and multiplies its score, so covering more of the query beats repeating one word. ≥ 1.
    pub coverage_exponent: f32,
    /// The least share counted (an article matching none of the concepts by itself still ranks). 0–1.
    pub coverage_floor: f32,
    /// Re-ranking: an article whose title holds every typed word (two or more, negations
    /// included) is what the teacher looked for. ≥ 1.
    pub whole_title: f32,
    /// Re-ranking: a complaint ("geht nicht") prefers troubleshooting articles. ≥ 1.
    pub troubleshooting: f32,
    /// Re-ranking looks at this many candidates at least, and twice the results asked for. ≥ 10.
    pub min_candidates: usize,
    /// How many words before a separable verb's particle ("schaltet … ein") its verb may stand. 1–10.
    pub separable_verb_reach: usize,
    /// How far off a misspelled word may be, wherever typos are handled.
    pub typo: TypoPolicy,
    /// How the semantic stage's meaning blends with this ranking ([`crate::semantic::fuse`]).
    pub semantic: SemanticWeights,
}

/// The score blend of the semantic stage: an article's cosine with the query, z-scored over the
/// portal, plus `lexical × (1 + rank_offset) / (rank + 1 + rank_offset)` for its place in the
/// lexical list. Chosen on GNOME dev by `scripts/encoder/evaluate.py` (a grid of both), then
/// checked on the held-out queries.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SemanticWeights {
    /// How much the first lexical place is worth, in standard deviations of the cosine. ≥ 0;
    /// 0 ranks by meaning alone.
    pub lexical: f32,
    /// How slowly the lexical bonus falls with the rank: 0 halves it from the first place to the
    /// second, large values keep it nearly flat. ≥ 0.
    pub rank_offset: f32,
}

impl RankingWeights {
    /// The positional fields whose positions only a quoted phrase reads, by schema name.
    pub fn positions_only_for_quotes(&self) -> Vec<&'static str> {
        if self.nearness_in_body {
            Vec::new()
        } else {
            vec![crate::schema::BODY]
        }
    }
}

impl Default for SemanticWeights {
    fn default() -> Self {
        SemanticWeights { lexical: 3.0, rank_offset: 2.0 }
    }
}

/// The one typo policy: how many edits a word may be off, by its length, in the three places that
/// handle typos. Lengths count letters; fuzzy matching counts the stem's, because a misspelled
/// word also stems differently ("Pasword" keeps its "d": two edits from "passwor").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TypoPolicy {
    /// Fuzzy matching against the index: stems shorter than this never match fuzzily. 3–6.
    pub min_stem: usize,
    /// A stem of exactly `min_stem` letters matches fuzzily only when its word has at least this
    /// many ("Drucer" → "druc"; also lets "Beamer" reach "team", ranked below any exact match).
    pub short_stem_min_word: usize,
    /// From this stem length on, two edits instead of one. ≥ `min_stem`.
    pub two_edits_from_stem: usize,
    /// A word still being typed is also matched as a fuzzy prefix from this many letters on
    /// ("Pasw" reaches "Passwort").
    pub prefix_min_letters: usize,
    /// Reading a word as the closest vocabulary word: only words of at least this many letters
    /// that neither the index nor the vocabulary knows.
    pub correction_min_letters: usize,
    /// … with two edits from this many letters on, else one.
    pub correction_two_edits_from: usize,
    /// "Meinten Sie …?": words of at least this many letters are checked against the index.
    pub suggestion_min_letters: usize,
    /// … with two edits from this many letters on, else one.
    pub suggestion_two_edits_from: usize,
}

impl Default for TypoPolicy {
    fn default() -> Self {
        TypoPolicy {
            min_stem: 4,
            short_stem_min_word: 6,
            two_edits_from_stem: 7,
            prefix_min_letters: 5,
            correction_min_letters: 5,
            correction_two_edits_from: 8,
            suggestion_min_letters: 3,
            suggestion_two_edits_from: 6,
        }
    }
}

impl TypoPolicy {
    /// Edits allowed when matching a typed stem fuzzily against the index (0: exact only).
    pub fn fuzzy_edits(&self, stem_letters: usize, word_letters: usize) -> u8 {
        if stem_letters < self.min_stem || (stem_letters == self.min_stem && word_letters < self.short_stem_min_word) {
            0
        } else if stem_letters < self.two_edits_from_stem {
            1
        } else {
            2
        }
    }

    /// Edits allowed when reading a word as a vocabulary word (0: not corrected).
    pub fn correction_edits(&self, letters: usize) -> usize {
        match letters {
            n if n < self.correction_min_letters => 0,
            n if n >= self.correction_two_edits_from => 2,
            _ => 1,
        }
    }

    /// Edits allowed when suggesting an index word for an unknown one (0: not checked).
    pub fn suggestion_edits(&self, letters: usize) -> usize {
        match letters {
            n if n < self.suggestion_min_letters => 0,
            n if n >= self.suggestion_two_edits_from => 2,
            _ => 1,
        }
    }
}

/// The weight of each searchable field.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FieldWeights {
    pub title: f32,
    pub keywords: f32,
    pub tags: f32,
    pub headings: f32,
    pub summary: f32,
    pub body: f32,
}

impl Default for FieldWeights {
    fn default() -> Self {
        FieldWeights { title: 5.0, keywords: 4.0, tags: 2.5, headings: 2.5, summary: 2.0, body: 1.0 }
    }
}

impl Default for RankingWeights {
    fn default() -> Self {
        RankingWeights {
            fields: FieldWeights::default(),
            prefix: 0.6,
            synonym: 0.7,
            vocabulary: 0.4,
            correction: 0.8,
            fuzzy: 0.25,
            compound_part: 0.5,
            derivation: 0.6,
            phrase: 3.0,
            phrase_slop: 3,
            proximity: 0.5,
            proximity_slop: 8,
            nearness_in_body: false,
            max_prefix_terms: 24,
            coverage_exponent: 1.5,
            coverage_floor: 0.5,
            whole_title: 1.6,
            troubleshooting: 1.3,
            min_candidates: 40,
            separable_verb_reach: 6,
            typo: TypoPolicy::default(),
            semantic: SemanticWeights::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_travel_as_json_and_missing_ones_keep_their_default() {
        let weights = RankingWeights::default();
        let json = serde_json::to_string(&weights).unwrap();
        assert_eq!(serde_json::from_str::<RankingWeights>(&json).unwrap(), weights);
        let tuned: RankingWeights = serde_json::from_str(r#"{"fuzzy": 0.1, "fields": {"body": 0.5}}"#).unwrap();
        assert_eq!((tuned.fuzzy, tuned.fields.body, tuned.fields.title), (0.1, 0.5, 5.0));
        assert_eq!(tuned.prefix, weights.prefix);
        assert!(serde_json::from_str::<RankingWeights>(r#"{"fuzy": 0.1}"#).is_err(), "a misspelt weight is an error");
    }
}
