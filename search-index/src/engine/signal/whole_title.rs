//! Re-ranking signal: the title holds every typed word ([`crate::ranking::RankingWeights::whole_title`]).

use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use crate::engine::Engine;
use crate::query::ParsedQuery;

impl Engine {
    /// For each candidate, whether its title holds every typed word of two or more, negations
    /// such as "nicht" and "kein" included and other function words left out.
    pub(in crate::engine) fn title_has_every_word(
        &self,
        parsed: &ParsedQuery,
        candidates: &[(f32, DocAddress)],
    ) -> Vec<bool> {
        let terms = self.whole_title_terms(parsed);
        if terms.len() < 2 {
            return vec![false; candidates.len()];
        }
        let in_title: Vec<Box<dyn Query>> = terms
            .iter()
            .map(|term| Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic)) as Box<dyn Query>)
            .collect();
        self.coverage(&in_title, candidates).into_iter().map(|n| n as usize == terms.len()).collect()
    }

    /// The title terms the rule asks for: every typed word but filler, negations kept.
    pub(in crate::engine) fn whole_title_terms(&self, parsed: &ParsedQuery) -> Vec<Term> {
        let mut words: Vec<&String> = parsed
            .tokens
            .iter()
            .zip(&parsed.written)
            .filter(|(term, written)| !crate::support::is_filler_stem(term) || crate::support::is_negation(written))
            .map(|(term, _)| term)
            .collect();
        words.sort();
        words.dedup();
        words.into_iter().map(|t| Term::from_field_text(self.fields.title, t)).collect()
    }
}
