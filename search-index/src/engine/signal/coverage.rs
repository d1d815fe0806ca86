//! Re-ranking signal: the share of the query's concepts an article matches
//! ([`crate::ranking::RankingWeights::coverage_exponent`]).

use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocId, DocSet, TERMINATED};

use crate::engine::Engine;

impl Engine {
    /// For each candidate, how many of the concepts it matches.
    pub(in crate::engine) fn coverage(
        &self,
        concepts: &[Box<dyn Query>],
        candidates: &[(f32, DocAddress)],
    ) -> Vec<f32> {
        let mut matched = vec![0.0f32; candidates.len()];
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        order.sort_by_key(|&i| (candidates[i].1.segment_ord, candidates[i].1.doc_id));
        for concept in concepts {
            let Ok(weight) = concept.weight(EnableScoring::disabled_from_searcher(&self.searcher)) else { continue };
            let mut segment = u32::MAX;
            let mut scorer = None;
            let mut current: DocId = TERMINATED;
            for &i in &order {
                let address = candidates[i].1;
                if address.segment_ord != segment {
                    segment = address.segment_ord;
                    scorer = weight.scorer(self.searcher.segment_reader(segment), 1.0).ok();
                    current = scorer.as_ref().map_or(TERMINATED, |s| s.doc());
                }
                let Some(docs) = scorer.as_mut() else { continue };
                if current < address.doc_id {
                    current = docs.seek(address.doc_id);
                }
                if current == address.doc_id {
                    matched[i] += 1.0;
                }
            }
        }
        matched
    }
}
