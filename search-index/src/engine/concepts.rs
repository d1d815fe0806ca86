//! Concepts: the query's words that belong together, each with its typed alternatives.
//!
//! Every rewrite adds [`Alternative`]s of one [`AlternativeKind`]; the kind decides the boost
//! ([`AlternativeKind::boost`]), so no code tells alternatives apart by their terms.

use super::Engine;
use crate::query::ParsedQuery;
use crate::vocabulary::GroupSource;

/// Query words that belong together, with the alternatives the rewrites found for them.
#[derive(Debug, Default)]
pub(in crate::engine) struct Concept {
    /// Indices into [`ParsedQuery::words`].
    pub words: Vec<usize>,
    /// Other ways of saying the concept: each one index term, or the terms of a phrase such as
    /// "fährt nicht hoch" (see [`Engine::alternative_query`]).
    pub alternatives: Vec<Alternative>,
    /// Words among [`Self::words`] that are unknown compounds split into concepts of their own:
    /// only their head part stays here.
    pub split: Vec<usize>,
}

/// One other way of saying a concept, and which rewrite found it.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::engine) struct Alternative {
    pub kind: AlternativeKind,
    /// Index terms: one word, or the words of a phrase.
    pub terms: Vec<String>,
}

/// Which rewrite found an alternative; it decides the boost relative to a typed word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::engine) enum AlternativeKind {
    /// A misspelled word read as the vocabulary word it is closest to ([`crate::engine::rewrite::correction`]).
    Correction,
    /// A term of a built-in vocabulary group the query matched.
    Vocabulary,
    /// A term of one of the portal's own synonym groups.
    PortalSynonym,
    /// A part of an unknown compound, searched as a concept of its own ([`crate::engine::rewrite::compound`]).
    CompoundPart,
    /// The compound with its head swapped for a synonym ([`crate::engine::rewrite::head_swap`]).
    HeadSwap,
}

impl AlternativeKind {
    /// The boost of this kind of alternative, relative to the typed word, from the weights.
    pub fn boost(self, weights: &crate::ranking::RankingWeights) -> f32 {
        match self {
            AlternativeKind::Correction => weights.correction,
            AlternativeKind::Vocabulary | AlternativeKind::HeadSwap => weights.vocabulary,
            AlternativeKind::PortalSynonym => weights.synonym,
            AlternativeKind::CompoundPart => weights.compound_part,
        }
    }
}

impl Engine {
    /// Words that belong together, with their vocabulary alternatives. `parts` holds each word's
    /// compound parts ([`Self::compound_parts`]).
    pub(in crate::engine) fn concepts(&self, parsed: &ParsedQuery, parts: &[Vec<String>]) -> Vec<Concept> {
        let mut concepts: Vec<Concept> =
            (0..parsed.words.len()).map(|i| Concept { words: vec![i], ..Concept::default() }).collect();
        let tokens = self.vocabulary_tokens(parsed);
        // A corrected word is what the teacher meant: searched nearly like a typed word.
        for (i, word) in parsed.words.iter().enumerate() {
            if let Some(fixed) = tokens.get(word.position).filter(|t| **t != parsed.tokens[word.position]) {
                concepts[i]
                    .alternatives
                    .push(Alternative { kind: AlternativeKind::Correction, terms: vec![fixed.clone()] });
            }
        }
        for m in self.vocabulary.matches(&tokens) {
            let kind = match self.vocabulary.groups()[m.group].source {
                GroupSource::Portal => AlternativeKind::PortalSynonym,
                GroupSource::Builtin => AlternativeKind::Vocabulary,
            };
            // The concepts of the typed words inside the match become one.
            let inside: Vec<usize> = concepts
                .iter()
                .enumerate()
                .filter(|(_, c)| c.words.iter().any(|&w| (m.start..m.end).contains(&parsed.words[w].position)))
                .map(|(i, _)| i)
                .collect();
            let target = match inside.first() {
                Some(&first) => {
                    for &other in inside[1..].iter().rev() {
                        let merged = concepts.remove(other);
                        concepts[first].words.extend(merged.words);
                        concepts[first].alternatives.extend(merged.alternatives);
                    }
                    first
                }
                None => {
                    // Only filler matched ("geht nicht" is no group, but "kein Netz" could be).
                    concepts.push(Concept::default());
                    concepts.len() - 1
                }
            };
            let typed: Vec<&str> = concepts[target].words.iter().map(|&w| parsed.words[w].term.as_str()).collect();
            let additions: Vec<Vec<String>> = self
                .vocabulary
                .expansions(&m)
                .into_iter()
                .filter(|terms| !(terms.len() == 1 && typed.contains(&terms[0].as_str())))
                .collect();
            let concept = &mut concepts[target];
            for terms in additions {
                match concept.alternatives.iter_mut().find(|a| a.terms == terms) {
                    // Found twice: it counts as the kind with the higher boost.
                    Some(entry) if kind.boost(&self.weights) > entry.kind.boost(&self.weights) => entry.kind = kind,
                    Some(_) => {}
                    None => concept.alternatives.push(Alternative { kind, terms }),
                }
            }
        }
        // A compound the index does not know stands for its parts typed apart: "Standardbrowser
        // ändern" is "Standard Browser ändern", and an article with both parts covers more of
        // the query than one that says "Standard" often.
        let mut parts_apart = Vec::new();
        for concept in &mut concepts {
            for &w in &concept.words {
                let word = &parsed.words[w];
                if word.prefix || self.known_term(&word.term) {
                    continue;
                }
                if let Some((_head, others)) = parts[w].split_last().filter(|(_, others)| !others.is_empty()) {
                    concept.split.push(w);
                    parts_apart.extend(others.iter().map(|part| Concept {
                        alternatives: vec![Alternative {
                            kind: AlternativeKind::CompoundPart,
                            terms: vec![part.clone()],
                        }],
                        ..Concept::default()
                    }));
                }
            }
        }
        concepts.extend(parts_apart);
        // A compound may be known with another word for its head: a "Warnton" is what the
        // article calls a "Warnklang".
        for concept in &mut concepts {
            for &w in &concept.words {
                for swapped in self.head_swaps(&parsed.words[w]) {
                    if !concept.alternatives.iter().any(|a| a.terms.len() == 1 && a.terms[0] == swapped) {
                        concept
                            .alternatives
                            .push(Alternative { kind: AlternativeKind::HeadSwap, terms: vec![swapped] });
                    }
                }
            }
        }
        concepts
    }
}
