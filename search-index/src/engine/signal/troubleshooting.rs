//! Re-ranking signal: a complaint ("geht nicht", "kaputt") prefers troubleshooting articles
//! ([`crate::ranking::RankingWeights::troubleshooting`]).

use tantivy::DocAddress;

use crate::engine::Engine;
use crate::query::ParsedQuery;

impl Engine {
    /// Whether the troubleshooting factor applies to the article at `address`: the query is a
    /// complaint and the article was indexed as troubleshooting.
    pub(in crate::engine) fn complaint_meets_troubleshooting(&self, parsed: &ParsedQuery, address: DocAddress) -> bool {
        if !parsed.complaint {
            return false;
        }
        let segment = self.searcher.segment_reader(address.segment_ord);
        segment.fast_fields().u64("troubleshooting").ok().and_then(|f| f.first(address.doc_id)) == Some(1)
    }
}
