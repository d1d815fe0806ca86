//! How a large portal's postings and positions travel to the browser: cut at term boundaries and
//! grouped into chunks by term, the way Pagefind splits its index.
//!
//! A query reads, for each of its terms and their alternatives, a few bytes in each field's
//! postings and positions. Cut into blocks of a fixed size, those reads lie in a dozen blocks
//! (on a thousand generated articles, 12 requests and 59 kB gzipped per query), which over
//! HTTP/1.1's six connections per host take two round trips. Here every term's bytes in every
//! field and both files go into the same chunk, and neighbouring terms (in byte order) fill a
//! chunk up to [`CHUNK`] bytes, so a term's typo and inflected alternatives mostly lie in it too:
//! three or four requests and 40 kB per query on the same portal, in one round trip.
//!
//! Positions that only a quoted phrase reads (the body's, unless the ranking weighs nearness in
//! the body: [`crate::ranking::RankingWeights::positions_only_for_quotes`]) are the largest part
//! of the index. They go into chunks of their own, after all others, so that an ordinary query
//! never fetches them.
//!
//! A file is described by its spans: pieces of it that belong to one chunk each. The browser's
//! [`crate::lazy::LazyDirectory`] uses the spans as its blocks, the worker fetches the chunk of a
//! missing span and hands over all spans it carries. Chunk 0 holds the bytes that belong to no
//! term (each field's token count, the files' footers): all that opening the index reads of
//! these files. It is small and travels in the pack.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use tantivy::directory::CompositeFile;
use tantivy::index::SegmentComponent;
use tantivy::{HasLen, Index};

use crate::lazy::{LazyDirectory, RangeSource};

/// The bytes a chunk of terms fills up to before the next term starts a new one: small chunks
/// carry fewer bytes a query does not need, large ones make a later query find its terms here
/// already. Measured on a thousand generated articles, busy WLAN (`benches/search/network.mjs
/// --sizes 1000 --hosts noranges`), as the ratio to Pagefind: 8 kB chunks gave a second query
/// 0.79 and p95 0.88, but the median query waited for a chunk (7.6); 16 kB ones the median 0.27,
/// but a second query 0.98 and p95 1.14; 12 kB ones 0.89, 0.33 and 1.10. A term larger than this
/// (a common word's positions) is a chunk of its own.
pub const CHUNK: usize = 12 * 1024;

/// A piece of a file that travels in one chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub len: usize,
    /// The chunk that carries it; 0 for the bytes no term owns.
    pub chunk: usize,
}

/// The spans of every file published in chunks, by tantivy file name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    /// In name order, which is also the order of a chunk's spans (and of the manifest's files).
    pub files: BTreeMap<String, Vec<Span>>,
    /// How many chunks there are, chunk 0 included.
    pub chunks: usize,
    /// The first chunk of the positions laid out apart (`chunks` when there are none).
    pub apart_from: usize,
}

/// A term's bytes in one field: its postings, and its positions where the field keeps them, as
/// (file, absolute range).
struct TermBytes {
    /// Positions only a quoted phrase reads: laid out after every other term's bytes.
    apart: bool,
    term: Vec<u8>,
    field: u32,
    reads: Vec<(String, Range<usize>)>,
}

impl Layout {
    /// Cuts the files of `files` (`(tantivy file name, bytes)`, a whole index) for which
    /// `chunked` holds into spans at term boundaries, and groups the terms into chunks of about
    /// `budget` bytes in term order; the positions of the fields named in `positions_apart` in
    /// chunks of their own.
    pub fn plan(
        files: &[(String, Vec<u8>)],
        chunked: &dyn Fn(&str) -> bool,
        positions_apart: &[&str],
        budget: usize,
    ) -> tantivy::Result<Layout> {
        let mut terms = terms_by_file(files, positions_apart)?;
        terms.retain_mut(|t| {
            t.reads.retain(|(name, range)| chunked(name) && !range.is_empty());
            !t.reads.is_empty()
        });
        terms.sort_by(|a, b| (a.apart, &a.term, a.field).cmp(&(b.apart, &b.term, b.field)));
        // Chunk of each term, in term order; a chunk ends between two different terms, and
        // where the positions laid out apart begin.
        let mut ranges: HashMap<&str, Vec<(Range<usize>, usize)>> = HashMap::new();
        let (mut chunk, mut filled) = (0, budget);
        let mut apart_from = None;
        for (i, term) in terms.iter().enumerate() {
            let apart_begins = term.apart && (i == 0 || !terms[i - 1].apart);
            if apart_begins || filled >= budget && (i == 0 || terms[i - 1].term != term.term) {
                chunk += 1;
                filled = 0;
            }
            if apart_begins {
                apart_from = Some(chunk);
            }
            for (name, range) in &term.reads {
                filled += range.len();
                ranges.entry(name.as_str()).or_default().push((range.clone(), chunk));
            }
        }
        let mut layout =
            Layout { files: BTreeMap::new(), chunks: chunk + 1, apart_from: apart_from.unwrap_or(chunk + 1) };
        for (name, bytes) in files.iter().filter(|(name, _)| chunked(name)) {
            let mut pieces = ranges.remove(name.as_str()).unwrap_or_default();
            pieces.sort_by_key(|(range, _)| range.start);
            layout.files.insert(name.clone(), spans(bytes.len(), pieces));
        }
        Ok(layout)
    }

    /// The bytes of each chunk: its spans in file order, and in order within each file.
    pub fn chunk_bytes(&self, files: &[(String, Vec<u8>)]) -> Vec<Vec<u8>> {
        let mut chunks = vec![Vec::new(); self.chunks];
        for (name, spans) in &self.files {
            let Some((_, bytes)) = files.iter().find(|(n, _)| n == name) else { continue };
            let mut at = 0;
            for span in spans {
                chunks[span.chunk].extend_from_slice(&bytes[at..at + span.len]);
                at += span.len;
            }
        }
        chunks
    }
}

/// A file of `len` bytes as spans: the term ranges `pieces` (sorted by start, with their chunk),
/// the bytes between them in chunk 0, and neighbours of the same chunk joined.
fn spans(len: usize, pieces: Vec<(Range<usize>, usize)>) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    let mut push = |len: usize, chunk: usize| match spans.last_mut() {
        Some(last) if last.chunk == chunk => last.len += len,
        _ if len > 0 => spans.push(Span { len, chunk }),
        _ => {}
    };
    let mut at = 0;
    for (range, chunk) in pieces {
        let start = range.start.max(at);
        let end = range.end.min(len);
        if end <= start {
            continue;
        }
        push(start - at, 0);
        push(end - start, chunk);
        at = end;
    }
    push(len - at, 0);
    spans
}

/// The index files in memory, as the build has them.
struct Memory(Vec<Vec<u8>>);

impl RangeSource for Memory {
    fn read(&self, file: u32, range: Range<usize>) -> Option<Vec<u8>> {
        self.0.get(file as usize)?.get(range).map(<[u8]>::to_vec)
    }
}

/// Every term of every field with the absolute byte ranges of its postings and positions, read
/// through the browser's own [`LazyDirectory`] so that the two agree on where bytes lie. The
/// positions of the fields named in `positions_apart` are entries of their own.
fn terms_by_file(files: &[(String, Vec<u8>)], positions_apart: &[&str]) -> tantivy::Result<Vec<TermBytes>> {
    let listing = files.iter().enumerate().map(|(i, (name, bytes))| (name.clone(), i as u32, bytes.len())).collect();
    let directory = LazyDirectory::new(listing, Arc::new(Memory(files.iter().map(|(_, b)| b.clone()).collect())));
    let index = Index::open(directory.clone())?;
    let schema = index.schema();
    let searcher = index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into()?.searcher();
    let segments = index.searchable_segments()?;
    // Reads a slice and returns where its bytes lie in their file.
    let located = |slice: &tantivy::directory::FileSlice, range: Range<usize>| -> Vec<(String, Range<usize>)> {
        let reads = directory.reads_of(|| drop(slice.read_bytes_slice(range)));
        reads.into_iter().map(|(file, range)| (files[file as usize].0.clone(), range)).collect()
    };
    let mut terms = Vec::new();
    for reader in searcher.segment_readers() {
        let Some(segment) = segments.iter().find(|s| s.id() == reader.segment_id()) else { continue };
        let open = |component| segment.open_read(component).ok().and_then(|file| CompositeFile::open(&file).ok());
        let (Some(postings), positions) = (open(SegmentComponent::Postings), open(SegmentComponent::Positions)) else {
            continue;
        };
        for (field, _) in schema.fields() {
            let Ok(inverted) = reader.inverted_index(field) else { continue };
            // A field's postings begin with its token count (tantivy's InvertedIndexReader).
            let Some(body) = postings.open_read(field).filter(|f| f.len() >= 8).map(|f| f.slice_from(8)) else {
                continue;
            };
            let field_positions = positions.as_ref().and_then(|p| p.open_read(field));
            let apart = positions_apart.contains(&schema.get_field_name(field));
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                let info = stream.value().clone();
                let (term, field) = (stream.key().to_vec(), field.field_id());
                let mut reads = located(&body, info.postings_range.clone());
                if let Some(file) = field_positions.as_ref().filter(|_| !info.positions_range.is_empty()) {
                    let at = located(file, info.positions_range.clone());
                    if apart {
                        terms.push(TermBytes { apart, term: term.clone(), field, reads: at });
                    } else {
                        reads.extend(at);
                    }
                }
                terms.push(TermBytes { apart: false, term, field, reads });
            }
        }
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, SearchConfig};
    use crate::lazy::tests::Recorder;
    use crate::writer::{write_index, IndexDoc};

    fn corpus(n: usize) -> Vec<IndexDoc> {
        let topics = ["WLAN", "Drucker", "Passwort", "Teams", "Beamer", "Tafel", "Schülerkonto", "AirDrop"];
        (0..n)
            .map(|i| IndexDoc {
                title: format!("Anleitung {i} zum Thema {}", topics[i % topics.len()]),
                body: format!(
                    "Schritt für Schritt: Öffnen Sie die Einstellungen für {}. Gerät {i} neu starten. ",
                    topics[(i * 3) % topics.len()]
                )
                .repeat(20),
                platform: "ipad".into(),
                ..IndexDoc::default()
            })
            .collect()
    }

    fn chunked(name: &str) -> bool {
        name.ends_with(".idx") || name.ends_with(".pos")
    }

    /// Reads by range of the files published in chunks: what the worker would have to fetch
    /// without a plan. (The other files come whole with the pack.)
    fn unplanned(recorder: &Recorder, files: &[(String, Vec<u8>)]) -> Vec<(u32, Range<usize>)> {
        let reads = recorder.reads.lock().unwrap();
        reads.iter().filter(|(file, _)| chunked(&files[*file as usize].0)).cloned().collect()
    }

    /// A directory over `files` with the layout's spans, and chunk `0` handed over.
    fn directory(files: &[(String, Vec<u8>)], layout: &Layout) -> (LazyDirectory, Arc<Recorder>) {
        let recorder = Recorder::new(files);
        let listing = files
            .iter()
            .enumerate()
            .map(|(i, (name, bytes))| {
                let spans = layout.files.get(name).map(|s| s.iter().map(|s| s.len).collect()).unwrap_or_default();
                (name.clone(), i as u32, bytes.len(), spans)
            })
            .collect();
        let directory = LazyDirectory::with_spans(listing, recorder.clone());
        put_chunk(&directory, files, layout, 0);
        (directory, recorder)
    }

    /// Hands over every span of chunk `chunk`, cut from its bytes as the worker does.
    fn put_chunk(directory: &LazyDirectory, files: &[(String, Vec<u8>)], layout: &Layout, chunk: usize) {
        let bytes = &layout.chunk_bytes(files)[chunk];
        let mut at = 0;
        for (name, spans) in &layout.files {
            let file = files.iter().position(|(n, _)| n == name).unwrap() as u32;
            for (n, span) in spans.iter().enumerate().filter(|(_, s)| s.chunk == chunk) {
                assert!(directory.put_block(file, n, bytes[at..at + span.len].to_vec()), "span {n} of {name}");
                at += span.len;
            }
        }
        assert_eq!(at, bytes.len());
    }

    #[test]
    fn spans_cover_each_file_once_and_chunks_hold_every_byte_once() {
        let files = write_index(&corpus(400)).unwrap();
        let layout = Layout::plan(&files, &chunked, &[], CHUNK).unwrap();
        assert_eq!(layout.files.keys().filter(|n| n.ends_with(".idx") || n.ends_with(".pos")).count(), 2);
        for (name, spans) in &layout.files {
            let len = files.iter().find(|(n, _)| n == name).unwrap().1.len();
            assert_eq!(spans.iter().map(|s| s.len).sum::<usize>(), len, "{name}");
            assert!(spans.windows(2).all(|w| w[0].chunk != w[1].chunk), "neighbours of one chunk not joined");
        }
        let chunks = layout.chunk_bytes(&files);
        let total: usize = files.iter().filter(|(n, _)| chunked(n)).map(|(_, b)| b.len()).sum();
        assert_eq!(chunks.iter().map(Vec::len).sum::<usize>(), total);
        // Chunk 0, which the pack carries, is a tiny part: no term's bytes.
        assert!(chunks[0].len() * 50 < total, "chunk 0 has {} of {total} bytes", chunks[0].len());
        assert!(layout.chunks > 3, "{} chunks", layout.chunks);
    }

    #[test]
    fn with_chunk_zero_at_hand_opening_reads_nothing_more_and_a_query_needs_few_chunks() {
        let files = write_index(&corpus(3000)).unwrap();
        let layout = Layout::plan(&files, &chunked, &[], CHUNK).unwrap();
        let (directory, recorder) = directory(&files, &layout);
        let engine = Engine::open(&Index::open(directory.clone()).unwrap(), &SearchConfig::default()).unwrap();
        let headers = engine.field_headers();
        assert!(directory
            .missing_blocks(|| headers.iter().for_each(|(f, r)| drop(f.read_bytes_slice(r.clone()))))
            .is_empty());
        assert_eq!(unplanned(&recorder, &files), vec![], "opening read beyond chunk 0");
        // A query with typo and compound alternatives plans its reads, which lie in a few chunks.
        let eager = Engine::from_files(files.clone(), &SearchConfig::default()).unwrap();
        for query in ["Drucker", "Pasword", "\"neu starten\"", "Schülerkonto Beamer", "WLANDrucker"] {
            let wanted = fetch_planned(&engine, &eager, &directory, &recorder, &files, &layout, query);
            // (A later query may find its chunks here already: "WLANDrucker" after "Drucker".)
            assert!(wanted.len() <= 6, "{query}: chunks {wanted:?}");
            assert!(query != "Drucker" || !wanted.is_empty(), "the first query needed no chunk");
        }
    }

    /// Plans `query`, hands over the chunks it needs and checks that it then reads nothing
    /// beyond them and finds what an engine with the whole index finds. Returns the chunks.
    fn fetch_planned(
        engine: &Engine,
        eager: &Engine,
        directory: &LazyDirectory,
        recorder: &Recorder,
        files: &[(String, Vec<u8>)],
        layout: &Layout,
        query: &str,
    ) -> Vec<usize> {
        let file_names: Vec<&String> = files.iter().map(|(n, _)| n).collect();
        let reads = engine.postings_reads(query, None, false);
        // A term's bytes lie in one span: the plan reads exactly what the search will.
        for (file, range) in &reads {
            let spans = directory.missing_blocks(|| drop(file.read_bytes_slice(range.clone())));
            assert!(spans.len() <= 1, "{query}: a read of {range:?} spans {spans:?}");
        }
        let missing = directory.missing_blocks(|| reads.iter().for_each(|(f, r)| drop(f.read_bytes_slice(r.clone()))));
        let mut wanted: Vec<usize> =
            missing.iter().map(|(file, span)| layout.files[file_names[*file as usize]][*span].chunk).collect();
        wanted.sort_unstable();
        wanted.dedup();
        for &chunk in &wanted {
            put_chunk(directory, files, layout, chunk);
        }
        assert_eq!(engine.answer(query, None, false, 10).hits, eager.answer(query, None, false, 10).hits, "{query}");
        assert_eq!(unplanned(recorder, files), vec![], "{query}: read beyond its planned chunks");
        wanted
    }

    #[test]
    fn body_positions_travel_apart_and_only_a_quoted_phrase_fetches_them() {
        let files = write_index(&corpus(3000)).unwrap();
        let weights = crate::ranking::RankingWeights::default();
        let layout = Layout::plan(&files, &chunked, &weights.positions_only_for_quotes(), CHUNK).unwrap();
        assert!(layout.apart_from < layout.chunks, "no chunk of body positions");
        let all_together = Layout::plan(&files, &chunked, &[], CHUNK).unwrap();
        assert_eq!(all_together.apart_from, all_together.chunks);
        let (directory, recorder) = directory(&files, &layout);
        let engine = Engine::open(&Index::open(directory.clone()).unwrap(), &SearchConfig::default()).unwrap();
        let eager = Engine::from_files(files.clone(), &SearchConfig::default()).unwrap();
        // Typed words close together are read in the title and headings: no body positions.
        for query in ["Gerät neu starten", "Schülerkonto Beamer", "Einstellungen öffnen"] {
            let wanted = fetch_planned(&engine, &eager, &directory, &recorder, &files, &layout, query);
            assert!(wanted.iter().all(|&c| c < layout.apart_from), "{query}: chunks {wanted:?}");
            assert!(query != "Gerät neu starten" || !wanted.is_empty(), "the first query needed no chunk");
        }
        // A quoted phrase must stand in some field in this order: the body's positions too.
        let quoted = "\"Einstellungen für Tafel\"";
        let wanted = fetch_planned(&engine, &eager, &directory, &recorder, &files, &layout, quoted);
        assert!(wanted.iter().any(|&c| c >= layout.apart_from), "chunks {wanted:?}");
        assert!(!engine.answer(quoted, None, false, 10).hits.is_empty());
    }

    #[test]
    fn a_small_index_opens_with_chunk_zero_alone() {
        // Files smaller than two blocks are otherwise read whole on first use.
        let files = write_index(&corpus(12)).unwrap();
        let layout = Layout::plan(&files, &chunked, &[], CHUNK).unwrap();
        assert!(files.iter().filter(|(n, _)| chunked(n)).all(|(_, b)| b.len() < 2 * crate::lazy::BLOCK));
        let (directory, recorder) = directory(&files, &layout);
        let engine = Engine::open(&Index::open(directory).unwrap(), &SearchConfig::default()).unwrap();
        assert_eq!(unplanned(&recorder, &files), vec![], "opening read beyond chunk 0");
        drop(engine);
    }

    #[test]
    fn spans_join_neighbours_and_fill_gaps_with_chunk_zero() {
        let pieces = vec![(2..5, 1), (5..9, 1), (9..12, 2), (14..20, 3)];
        assert_eq!(
            spans(22, pieces),
            vec![
                Span { len: 2, chunk: 0 },
                Span { len: 7, chunk: 1 },
                Span { len: 3, chunk: 2 },
                Span { len: 2, chunk: 0 },
                Span { len: 6, chunk: 3 },
                Span { len: 2, chunk: 0 },
            ]
        );
        // Overlaps are clipped rather than counted twice.
        assert_eq!(spans(6, vec![(0..4, 1), (2..6, 2)]), vec![Span { len: 4, chunk: 1 }, Span { len: 2, chunk: 2 }]);
    }
}
