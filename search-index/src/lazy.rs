//! A read-only tantivy directory whose files are fetched piece by piece, as a query needs them.
//!
//! A cold visitor should not download the whole index before the first result: opening an index
//! reads only file footers and the term dictionary, and a query reads the postings of its terms.
//! Reads go to a [`RangeSource`] in blocks (the browser runtime's source does HTTP range requests
//! from the worker), and every block is kept, so nothing is fetched twice. A file's blocks are of
//! a fixed size, or the spans a [`crate::layout::Layout`] cut it into at term boundaries, so that
//! the worker can fetch a query's postings in a few chunks by term. Small files are fetched
//! whole on first use, which saves round trips. Writing, locking and watching do nothing: the
//! browser never changes the index.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tantivy::directory::error::{DeleteError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::HasLen;

/// Where the bytes of the index files come from.
pub trait RangeSource: Send + Sync + 'static {
    /// Returns bytes `range` of file `file`, or `None` when they cannot be had.
    fn read(&self, file: u32, range: Range<usize>) -> Option<Vec<u8>>;
}

/// Reads of a file without spans of its own are rounded to blocks of this size: big enough that
/// a term's postings rarely need two requests, small enough that a query on a large index fetches
/// a few kilobytes, not megabytes.
pub const BLOCK: usize = 8 * 1024;
/// Files up to this size are fetched whole on first use, unless they come with spans: those are
/// fetched by the chunks a plan names, and opening must not pull in the whole file.
const SMALL_FILE: usize = 2 * BLOCK;

/// While [`LazyDirectory::missing_blocks`] runs: the blocks asked for and not there, by file id
/// and block index.
type Recording = Arc<Mutex<Option<Vec<(u32, usize)>>>>;

/// While [`LazyDirectory::reads_of`] runs: every read, by file id and exact byte range.
type ReadLog = Arc<Mutex<Option<Vec<(u32, Range<usize>)>>>>;

struct LazyFile {
    id: u32,
    len: usize,
    /// Where each block begins, and the file's length last: `bounds[n]..bounds[n + 1]` is block n.
    bounds: Vec<usize>,
    /// Whether the first read fetches the whole file (a small file without spans).
    whole_at_once: bool,
    source: Arc<dyn RangeSource>,
    /// Fetched blocks by block index.
    blocks: Mutex<BTreeMap<usize, Arc<Vec<u8>>>>,
    recording: Recording,
    read_log: ReadLog,
}

impl fmt::Debug for LazyFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LazyFile({}, {} bytes)", self.id, self.len)
    }
}

impl HasLen for LazyFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl LazyFile {
    /// The block that holds byte `offset`.
    fn block_of(&self, offset: usize) -> usize {
        self.bounds.partition_point(|&start| start <= offset).saturating_sub(1)
    }

    fn block_range(&self, block: usize) -> Range<usize> {
        self.bounds[block]..self.bounds[block + 1]
    }

    fn block_count(&self) -> usize {
        self.bounds.len() - 1
    }
}

/// Block boundaries from the blocks' lengths (`spans`), or fixed [`BLOCK`]s where they are
/// missing or do not add up to the file's length.
fn bounds(len: usize, spans: &[usize]) -> Vec<usize> {
    let mut bounds = vec![0];
    if !spans.is_empty() && spans.iter().all(|&l| l > 0) && spans.iter().sum::<usize>() == len {
        for span in spans {
            bounds.push(bounds[bounds.len() - 1] + span);
        }
    } else {
        bounds.extend((1..len.div_ceil(BLOCK)).map(|n| n * BLOCK));
        bounds.push(len);
    }
    bounds
}

impl FileHandle for LazyFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.end > self.len || range.start > range.end {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "read past the end of an index file"));
        }
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        if let Some(log) = self.read_log.lock().map_err(|_| io::Error::other("poisoned read log"))?.as_mut() {
            log.push((self.id, range.clone()));
        }
        let (first, last) = if self.whole_at_once {
            (0, self.block_count() - 1)
        } else {
            (self.block_of(range.start), self.block_of(range.end - 1))
        };
        let mut blocks = self.blocks.lock().map_err(|_| io::Error::other("poisoned block cache"))?;
        if let Some(missing) = self.recording.lock().map_err(|_| io::Error::other("poisoned recording"))?.as_mut() {
            let before = missing.len();
            missing.extend((first..=last).filter(|b| !blocks.contains_key(b)).map(|b| (self.id, b)));
            if missing.len() > before {
                return Ok(OwnedBytes::new(vec![0; range.len()]));
            }
        }
        // Fetch each run of missing blocks with one request.
        let mut block = first;
        while block <= last {
            if blocks.contains_key(&block) {
                block += 1;
                continue;
            }
            let mut end_block = block;
            while end_block < last && !blocks.contains_key(&(end_block + 1)) {
                end_block += 1;
            }
            let (start, end) = (self.bounds[block], self.bounds[end_block + 1]);
            let bytes = self.source.read(self.id, start..end).filter(|b| b.len() == end - start).ok_or_else(|| {
                io::Error::other(format!("cannot load bytes {start}..{end} of index file {}", self.id))
            })?;
            for n in block..=end_block {
                let at = self.block_range(n);
                blocks.insert(n, Arc::new(bytes[at.start - start..at.end - start].to_vec()));
            }
            block = end_block + 1;
        }
        let mut out = Vec::with_capacity(range.len());
        for index in self.block_of(range.start)..=self.block_of(range.end - 1) {
            let data = &blocks[&index];
            let block_start = self.bounds[index];
            let from = range.start.max(block_start) - block_start;
            let to = range.end.min(block_start + data.len()) - block_start;
            out.extend_from_slice(&data[from..to]);
        }
        Ok(OwnedBytes::new(out))
    }
}

/// The directory of index files, by tantivy file name.
#[derive(Clone)]
pub struct LazyDirectory {
    files: Arc<HashMap<PathBuf, Arc<LazyFile>>>,
    recording: Recording,
    read_log: ReadLog,
}

impl fmt::Debug for LazyDirectory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LazyDirectory({} files)", self.files.len())
    }
}

impl LazyDirectory {
    /// A directory of `files` (`(name, file id, length)`) in blocks of [`BLOCK`], read through
    /// `source`.
    pub fn new(files: Vec<(String, u32, usize)>, source: Arc<dyn RangeSource>) -> LazyDirectory {
        LazyDirectory::with_spans(
            files.into_iter().map(|(name, id, len)| (name, id, len, Vec::new())).collect(),
            source,
        )
    }

    /// A directory of `files` (`(name, file id, length, its blocks' lengths)`), read through
    /// `source`: a file's blocks are the spans of a [`crate::layout::Layout`], or of [`BLOCK`]
    /// bytes where no lengths are given.
    pub fn with_spans(files: Vec<(String, u32, usize, Vec<usize>)>, source: Arc<dyn RangeSource>) -> LazyDirectory {
        let recording = Recording::default();
        let read_log = ReadLog::default();
        let files = files
            .into_iter()
            .map(|(name, id, len, spans)| {
                let blocks = Mutex::new(BTreeMap::new());
                let whole_at_once = spans.is_empty() && len <= SMALL_FILE;
                let bounds = bounds(len, &spans);
                let file = LazyFile {
                    id,
                    len,
                    bounds,
                    whole_at_once,
                    source: source.clone(),
                    blocks,
                    recording: recording.clone(),
                    read_log: read_log.clone(),
                };
                (PathBuf::from(name), Arc::new(file))
            })
            .collect();
        LazyDirectory { files: Arc::new(files), recording, read_log }
    }

    /// Runs `reads` and returns every read it made, by file id and exact byte range, in order:
    /// how the build learns where a term's bytes lie in their files ([`crate::layout`]).
    pub fn reads_of(&self, reads: impl FnOnce()) -> Vec<(u32, Range<usize>)> {
        if let Ok(mut log) = self.read_log.lock() {
            *log = Some(Vec::new());
        }
        reads();
        self.read_log.lock().ok().and_then(|mut log| log.take()).unwrap_or_default()
    }

    /// Runs `reads` without fetching anything: a read of bytes not here yet is noted, by file id
    /// and block index, and answered with zeros, which `reads` must throw away. Returns the
    /// blocks that were missing, so that the caller can fetch them all at once
    /// ([`Self::put_block`]) before the reads that count.
    pub fn missing_blocks(&self, reads: impl FnOnce()) -> Vec<(u32, usize)> {
        if let Ok(mut recording) = self.recording.lock() {
            *recording = Some(Vec::new());
        }
        reads();
        let mut missing = self.recording.lock().ok().and_then(|mut r| r.take()).unwrap_or_default();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    /// Stores block `block` of file `file`, fetched by the caller. Returns false (and stores
    /// nothing) when there is no such block or `bytes` is not its length.
    pub fn put_block(&self, file: u32, block: usize, bytes: Vec<u8>) -> bool {
        let Some(lazy) = self.files.values().find(|f| f.id == file) else { return false };
        if block >= lazy.block_count() || bytes.len() != lazy.block_range(block).len() {
            return false;
        }
        lazy.blocks.lock().map(|mut blocks| blocks.insert(block, Arc::new(bytes))).is_ok()
    }

    fn file(&self, path: &Path) -> Result<&Arc<LazyFile>, OpenReadError> {
        self.files.get(path).ok_or_else(|| OpenReadError::FileDoesNotExist(path.to_path_buf()))
    }
}

fn read_only(path: &Path) -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, format!("the search index is read-only ({})", path.display()))
}

impl Directory for LazyDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        Ok(self.file(path)?.clone())
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError { io_error: Arc::new(read_only(path)), filepath: path.to_path_buf() })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        Ok(self.files.contains_key(path))
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError { io_error: Arc::new(read_only(path)), filepath: path.to_path_buf() })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        let file = self.file(path)?;
        let bytes = file
            .read_bytes(0..file.len)
            .map_err(|e| OpenReadError::IoError { io_error: Arc::new(e), filepath: path.to_path_buf() })?;
        Ok(bytes.as_slice().to_vec())
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(read_only(path))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, tantivy::directory::error::LockError> {
        // Nobody writes: a lock that guards nothing is enough.
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::{Engine, SearchConfig};
    use crate::writer::{write_index, IndexDoc};

    /// Serves files from memory and records every range asked for.
    pub(crate) struct Recorder {
        files: Vec<Vec<u8>>,
        pub(crate) reads: Mutex<Vec<(u32, Range<usize>)>>,
    }

    impl Recorder {
        /// Serves `files` (`(tantivy file name, bytes)`) by their position as file id.
        pub(crate) fn new(files: &[(String, Vec<u8>)]) -> Arc<Recorder> {
            Arc::new(Recorder { files: files.iter().map(|(_, b)| b.clone()).collect(), reads: Mutex::new(Vec::new()) })
        }
    }

    impl RangeSource for Recorder {
        fn read(&self, file: u32, range: Range<usize>) -> Option<Vec<u8>> {
            self.reads.lock().unwrap().push((file, range.clone()));
            self.files.get(file as usize)?.get(range).map(<[u8]>::to_vec)
        }
    }

    fn corpus(n: usize) -> Vec<IndexDoc> {
        (0..n)
            .map(|i| IndexDoc {
                title: format!("Anleitung {i} zum Thema {}", ["WLAN", "Drucker", "Passwort", "Teams"][i % 4]),
                body: format!("Schritt für Schritt: Öffnen Sie die Einstellungen. Gerät {i} neu starten. ").repeat(20),
                platform: "ipad".into(),
                ..IndexDoc::default()
            })
            .collect()
    }

    #[test]
    fn a_query_reads_a_small_part_of_a_large_index() {
        let files = write_index(&corpus(3000)).unwrap();
        let total: usize = files.iter().map(|(_, b)| b.len()).sum();
        let recorder = Recorder::new(&files);
        let listing =
            files.iter().enumerate().map(|(i, (name, bytes))| (name.clone(), i as u32, bytes.len())).collect();
        let directory = LazyDirectory::new(listing, recorder.clone());
        let engine = Engine::open(&tantivy::Index::open(directory).unwrap(), &SearchConfig::default()).unwrap();
        let hits = engine.search("Drucker", None, false, 5);
        assert_eq!(hits.len(), 5);
        let read: usize = recorder.reads.lock().unwrap().iter().map(|(_, r)| r.len()).sum();
        assert!(read * 4 < total, "read {read} of {total} bytes");
        // The same query again is served from the block cache.
        let before = recorder.reads.lock().unwrap().len();
        engine.search("Drucker", None, false, 5);
        assert_eq!(recorder.reads.lock().unwrap().len(), before);
    }

    #[test]
    fn results_match_the_in_memory_index() {
        let files = write_index(&corpus(200)).unwrap();
        let recorder = Recorder::new(&files);
        let listing =
            files.iter().enumerate().map(|(i, (name, bytes))| (name.clone(), i as u32, bytes.len())).collect();
        let lazy = Engine::open(
            &tantivy::Index::open(LazyDirectory::new(listing, recorder)).unwrap(),
            &SearchConfig::default(),
        )
        .unwrap();
        let eager = Engine::from_files(files, &SearchConfig::default()).unwrap();
        for query in ["WLAN", "Pasword", "Teams Gerät 17", "\"neu starten\""] {
            assert_eq!(lazy.search(query, None, true, 10), eager.search(query, None, true, 10), "{query}");
        }
    }

    #[test]
    fn a_planned_query_reads_no_postings_it_did_not_fetch_in_one_go() {
        let files = write_index(&corpus(3000)).unwrap();
        let recorder = Recorder::new(&files);
        let listing: Vec<(String, u32, usize)> =
            files.iter().enumerate().map(|(i, (name, bytes))| (name.clone(), i as u32, bytes.len())).collect();
        let postings: Vec<u32> = listing
            .iter()
            .filter(|(name, _, _)| name.ends_with(".idx") || name.ends_with(".pos"))
            .map(|(_, id, _)| *id)
            .collect();
        let directory = LazyDirectory::new(listing, recorder.clone());
        let engine = Engine::open(&tantivy::Index::open(directory.clone()).unwrap(), &SearchConfig::default()).unwrap();
        let eager = Engine::from_files(files.clone(), &SearchConfig::default()).unwrap();
        let fetch = |missing: Vec<(u32, usize)>| {
            for (file, block) in missing {
                let bytes = &files[file as usize].1;
                let end = ((block + 1) * BLOCK).min(bytes.len());
                assert!(
                    directory.put_block(file, block, bytes[block * BLOCK..end].to_vec()),
                    "block {block} of {file}"
                );
            }
        };
        // Once, after opening: each field's header, which the first query on the field reads.
        let headers = engine.field_headers();
        fetch(directory.missing_blocks(|| {
            for (file, range) in &headers {
                let _ = file.read_bytes_slice(range.clone());
            }
        }));
        // A word, a typo, a phrase, words close together, a word being typed, a compound.
        for (query, typing) in [
            ("Drucker", false),
            ("Pasword", false),
            ("\"neu starten\"", false),
            ("Gerät 17 Teams", false),
            ("Einstell", true),
            ("WLANDrucker", false),
        ] {
            // Planning counts too: it must not read postings by itself.
            recorder.reads.lock().unwrap().clear();
            let reads = engine.postings_reads(query, None, typing);
            fetch(directory.missing_blocks(|| {
                for (file, range) in &reads {
                    let _ = file.read_bytes_slice(range.clone());
                }
            }));
            let planned = recorder.reads.lock().unwrap().len();
            assert_eq!(
                engine.answer(query, None, typing, 10).hits,
                eager.answer(query, None, typing, 10).hits,
                "{query}"
            );
            let unplanned: Vec<_> = recorder.reads.lock().unwrap()[..]
                .iter()
                .filter(|(file, _)| postings.contains(file))
                .cloned()
                .collect();
            assert!(
                unplanned.is_empty(),
                "{query}: postings read without a plan ({planned} reads while planning): {unplanned:?}"
            );
        }
    }

    #[test]
    fn a_block_of_the_wrong_length_is_refused() {
        let files = write_index(&corpus(50)).unwrap();
        let recorder = Recorder::new(&files);
        let listing =
            files.iter().enumerate().map(|(i, (name, bytes))| (name.clone(), i as u32, bytes.len())).collect();
        let directory = LazyDirectory::new(listing, recorder);
        let (id, bytes) =
            files.iter().enumerate().max_by_key(|(_, (_, b))| b.len()).map(|(i, (_, b))| (i as u32, b)).unwrap();
        assert!(!directory.put_block(id, 0, vec![0; 3]));
        assert!(!directory.put_block(id, bytes.len() / BLOCK + 1, vec![0; 1]));
        assert!(directory.put_block(id, 0, bytes[..BLOCK.min(bytes.len())].to_vec()));
    }
}
