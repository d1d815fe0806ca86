//! What a query will read, before it runs: the byte ranges of the postings and positions of every
//! term it may touch, its typo, compound, prefix and vocabulary alternatives included. A browser
//! that reads a large index piece by piece fetches them all at once, in one wave of parallel
//! requests, instead of one round trip per read (see [`crate::lazy::LazyDirectory::missing_blocks`]).
//!
//! The list comes from the same query the search builds, so the two cannot drift apart; a range
//! it misses costs a round trip, never a wrong result.

use std::ops::Range;

use tantivy::directory::{CompositeFile, FileSlice};
use tantivy::index::SegmentComponent;
use tantivy::query::{AutomatonWeight, Query};
use tantivy::{HasLen, Term};

use crate::engine::Engine;
use crate::query::parse;

impl Engine {
    /// The first bytes of each field's postings: the field's token count, which tantivy reads
    /// the first time a query touches the field (planning included). Fetched once, with the
    /// index, so that no plan waits on them.
    pub fn field_headers(&self) -> Vec<(FileSlice, Range<usize>)> {
        let Ok(segments) = self.searcher.index().searchable_segments() else { return Vec::new() };
        let mut reads = Vec::new();
        for segment in &segments {
            let Some(postings) =
                segment.open_read(SegmentComponent::Postings).ok().and_then(|file| CompositeFile::open(&file).ok())
            else {
                continue;
            };
            for (field, _) in self.searcher.schema().fields() {
                if let Some(file) = postings.open_read(field).filter(|f| f.len() >= 8) {
                    reads.push((file, 0..8));
                }
            }
        }
        reads
    }

    /// The byte ranges of the index files that searching `input` reads, as slices of those files.
    /// Reading them (and discarding the bytes) warms the directory for the search itself.
    pub fn postings_reads(&self, input: &str, platform: Option<&str>, typing: bool) -> Vec<(FileSlice, Range<usize>)> {
        let parsed = parse(input, typing);
        if parsed.is_empty() {
            return Vec::new();
        }
        let parsed = self.with_separable_verbs(&parsed);
        let Some(built) = self.build_query(&parsed, platform) else { return Vec::new() };
        // (term, whether its positions are read): the exact terms of every alternative and phrase.
        let mut terms: Vec<(Term, bool)> = Vec::new();
        built.whole.query_terms(&mut |term, positions| terms.push((term.clone(), positions)));
        terms.extend(self.whole_title_terms(&parsed).into_iter().map(|t| (t, false)));
        let typos: Vec<_> = parsed.words.iter().flat_map(|w| self.typo_queries(w)).collect();
        let mut reads = Vec::new();
        let Ok(segments) = self.searcher.index().searchable_segments() else { return reads };
        for reader in self.searcher.segment_readers() {
            let Some(segment) = segments.iter().find(|s| s.id() == reader.segment_id()) else { continue };
            let open = |component| segment.open_read(component).ok().and_then(|file| CompositeFile::open(&file).ok());
            let Some(postings) = open(SegmentComponent::Postings) else { continue };
            let positions = open(SegmentComponent::Positions);
            for (term, with_positions) in &terms {
                let field = term.field();
                let Ok(Some(info)) =
                    reader.inverted_index(field).and_then(|inverted| Ok(inverted.get_term_info(term)?))
                else {
                    continue;
                };
                if let Some(file) = postings_body(&postings, field) {
                    reads.push((file, info.postings_range.clone()));
                }
                if let Some(file) = positions.as_ref().filter(|_| *with_positions).and_then(|p| p.open_read(field)) {
                    reads.push((file, info.positions_range));
                }
            }
            for (field, _, typo) in &typos {
                let weight =
                    AutomatonWeight::<tantivy::query::DfaWrapper>::new(*field, std::sync::Arc::clone(&typo.automaton));
                let Ok(infos) = weight.get_match_term_infos(reader) else { continue };
                if let Some(file) = postings_body(&postings, *field) {
                    reads.extend(infos.into_iter().map(|info| (file.clone(), info.postings_range)));
                }
            }
        }
        reads
    }
}

/// A field's postings after its token count (8 bytes, see [`Engine::field_headers`]): where its
/// terms' `postings_range`s point, as in tantivy's `InvertedIndexReader`.
fn postings_body(postings: &CompositeFile, field: tantivy::schema::Field) -> Option<FileSlice> {
    postings.open_read(field).filter(|file| file.len() >= 8).map(|file| file.slice_from(8))
}
