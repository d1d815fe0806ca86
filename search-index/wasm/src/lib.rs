//! The browser runtime: the shared `search-index` crate compiled to `wasm32-unknown-unknown`,
//! driven by a Web Worker. This crate is only the thin C ABI around it; every piece of analysis and
//! ranking lives in `search-index`, so the browser and the native indexer run the same code.
//!
//! The interface is plain C ABI, so the worker needs no generated glue code: it copies bytes into
//! memory from [`lotse_alloc`], lists the index files with [`lotse_add_remote`], opens the index with
//! [`lotse_open`] and calls [`lotse_search`] and [`lotse_highlight`] (for a large portal,
//! [`lotse_plan`] and [`lotse_put_block`] first, so a query's postings arrive in one wave), which return a pointer to a
//! little-endian `u32` length followed by that many bytes of JSON. Returned buffers stay valid until
//! the next call. Index bytes are fetched lazily through the worker's `lotse.read_range` import
//! (see [`search_index::lazy`]). Nothing here touches threads, files or clocks, which do not exist
//! on this target.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;

use search_index::engine::{Engine, SearchConfig};
use search_index::lazy::{LazyDirectory, RangeSource};

#[link(wasm_import_module = "lotse")]
extern "C" {
    /// Provided by the worker: copies bytes `start..end` of index file `file` to `dest`, and
    /// returns 0, or a negative number when they cannot be had.
    fn read_range(file: u32, start: u32, end: u32, dest: *mut u8) -> i32;
}

/// Index bytes from the worker, which fetches them with HTTP range requests.
struct HostSource;

impl RangeSource for HostSource {
    fn read(&self, file: u32, range: Range<usize>) -> Option<Vec<u8>> {
        let mut buffer = vec![0u8; range.len()];
        // SAFETY: `buffer` is valid for `range.len()` bytes, which is all the worker writes.
        let status = unsafe { read_range(file, range.start as u32, range.end as u32, buffer.as_mut_ptr()) };
        (status == 0).then_some(buffer)
    }
}

/// An index file as the worker lists it: tantivy name, id, length, its spans' lengths.
type Listed = (String, u32, usize, Vec<usize>);

thread_local! {
    static FILES: RefCell<Vec<Listed>> = const { RefCell::new(Vec::new()) };
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
    static DIRECTORY: RefCell<Option<LazyDirectory>> = const { RefCell::new(None) };
    /// Blocks handed over before the index is open (file footers), stored when it opens.
    static EARLY_BLOCKS: RefCell<Vec<(u32, usize, Vec<u8>)>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// getrandom's `custom` backend: a read-only searcher never needs random numbers, but tantivy's
/// dependencies link the call. A fixed pattern is enough for the ids they may create.
///
/// # Safety
/// getrandom calls this with a valid, writable buffer of `len` bytes.
#[no_mangle]
unsafe extern "Rust" fn __getrandom_v03_custom(dest: *mut u8, len: usize) -> Result<(), getrandom::Error> {
    for i in 0..len {
        // SAFETY: getrandom guarantees `dest` is valid for `len` bytes.
        unsafe { *dest.add(i) = (i as u8).wrapping_mul(151).wrapping_add(7) };
    }
    Ok(())
}

/// Allocates `len` bytes for the worker to write into.
#[no_mangle]
pub extern "C" fn lotse_alloc(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len);
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr
}

/// Frees memory from [`lotse_alloc`] that was not handed over.
///
/// # Safety
/// `ptr` must come from `lotse_alloc(len)` and not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn lotse_free(ptr: *mut u8, len: usize) {
    // SAFETY: the caller passes back exactly what lotse_alloc returned.
    drop(unsafe { Vec::from_raw_parts(ptr, 0, len) });
}

/// Reads a UTF-8 string the worker wrote into memory from [`lotse_alloc`] and frees it.
unsafe fn take_string(ptr: *mut u8, len: usize) -> String {
    // SAFETY: the worker wrote `len` bytes into a `lotse_alloc(len)` buffer.
    let bytes = unsafe { Vec::from_raw_parts(ptr, len, len) };
    String::from_utf8(bytes).unwrap_or_default()
}

fn respond(json: String) -> *const u8 {
    OUTPUT.with(|out| {
        let mut out = out.borrow_mut();
        out.clear();
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(json.as_bytes());
        out.as_ptr()
    })
}

/// The index format this runtime reads; the worker compares it with the manifest's.
#[no_mangle]
pub extern "C" fn lotse_format_version() -> u32 {
    search_index::FORMAT_VERSION
}

/// Lists one index file: its tantivy name, the worker's id for it, its length in bytes, and the
/// lengths of its spans (`spans_len` bytes of little-endian `u32`s, the manifest's layout) where
/// it is published in chunks by term; without spans (`spans_len` 0) it is read in fixed blocks.
///
/// # Safety
/// The name buffer must come from `lotse_alloc(name_len)`, the spans buffer from
/// `lotse_alloc(spans_len)` unless `spans_len` is 0.
#[no_mangle]
pub unsafe extern "C" fn lotse_add_remote(
    name_ptr: *mut u8,
    name_len: usize,
    file: u32,
    len: usize,
    spans_ptr: *mut u8,
    spans_len: usize,
) {
    // SAFETY: see the function's contract.
    let name = unsafe { take_string(name_ptr, name_len) };
    let spans = if spans_len == 0 {
        Vec::new()
    } else {
        // SAFETY: the worker wrote `spans_len` bytes into a `lotse_alloc(spans_len)` buffer.
        let bytes = unsafe { Vec::from_raw_parts(spans_ptr, spans_len, spans_len) };
        bytes.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize).collect()
    };
    FILES.with(|files| files.borrow_mut().push((name, file, len, spans)));
}

/// Opens the index from the files handed over; `config` is the manifest's search settings as JSON.
/// Returns 0 on success, or a pointer-sized negative code: -1 bad config, -2 unreadable index.
///
/// # Safety
/// The config buffer must come from `lotse_alloc(config_len)`.
#[no_mangle]
pub unsafe extern "C" fn lotse_open(config_ptr: *mut u8, config_len: usize) -> i32 {
    // SAFETY: see the function's contract.
    let config_text = unsafe { take_string(config_ptr, config_len) };
    let Ok(config) = serde_json::from_str::<SearchConfig>(&config_text) else { return -1 };
    let files = FILES.with(|files| std::mem::take(&mut *files.borrow_mut()));
    let directory = LazyDirectory::with_spans(files, Arc::new(HostSource));
    for (file, block, bytes) in EARLY_BLOCKS.with(|early| std::mem::take(&mut *early.borrow_mut())) {
        directory.put_block(file, block, bytes);
    }
    DIRECTORY.with(|d| *d.borrow_mut() = Some(directory.clone()));
    let Ok(index) = tantivy::Index::open(directory) else { return -2 };
    match Engine::open(&index, &config) {
        Ok(engine) => {
            ENGINE.with(|e| *e.borrow_mut() = Some(engine));
            0
        }
        Err(_) => -2,
    }
}

/// The blocks of index files that searching `query` needs and that are not here yet, as a
/// length-prefixed JSON list of `[file, block]`: the worker fetches them all in parallel and
/// hands them over with [`lotse_put_block`] before it calls [`lotse_search`] with the same
/// arguments, which then waits for no request (see `search_index::engine` `postings_reads`).
///
/// # Safety
/// Both buffers must come from `lotse_alloc` with exactly these lengths.
#[no_mangle]
pub unsafe extern "C" fn lotse_plan(
    query_ptr: *mut u8,
    query_len: usize,
    platform_ptr: *mut u8,
    platform_len: usize,
    typing: u32,
) -> *const u8 {
    // SAFETY: see the function's contract.
    let query = unsafe { take_string(query_ptr, query_len) };
    let platform = unsafe { take_string(platform_ptr, platform_len) };
    let platform = (!platform.is_empty()).then_some(platform.as_str());
    let missing = ENGINE.with(|engine| {
        DIRECTORY.with(|directory| {
            let (Some(engine), Some(directory)) = (&*engine.borrow(), &*directory.borrow()) else { return Vec::new() };
            let reads = engine.postings_reads(&query, platform, typing != 0);
            directory.missing_blocks(|| {
                for (file, range) in &reads {
                    let _ = file.read_bytes_slice(range.clone());
                }
            })
        })
    });
    respond(serde_json::to_string(&missing).unwrap_or_else(|_| "[]".into()))
}

/// The blocks that hold each field's header (see `search_index::engine` `field_headers`) and are
/// not here yet, as a length-prefixed JSON list of `[file, block]`: the worker fetches them right
/// after opening, so that no query's plan waits on them.
#[no_mangle]
pub extern "C" fn lotse_plan_open() -> *const u8 {
    let missing = ENGINE.with(|engine| {
        DIRECTORY.with(|directory| {
            let (Some(engine), Some(directory)) = (&*engine.borrow(), &*directory.borrow()) else { return Vec::new() };
            let reads = engine.field_headers();
            directory.missing_blocks(|| {
                for (file, range) in &reads {
                    let _ = file.read_bytes_slice(range.clone());
                }
            })
        })
    });
    respond(serde_json::to_string(&missing).unwrap_or_else(|_| "[]".into()))
}

/// Hands over block (or span) `block` of index file `file` (`len` bytes, written into a `lotse_alloc(len)`
/// buffer, which this takes). Returns 0, or -1 when the block does not fit the file. Before
/// [`lotse_open`], the block is kept until the index opens: opening reads the files' footers,
/// which the worker fetches with the runtime so that opening waits for no request.
///
/// # Safety
/// The buffer must come from `lotse_alloc(len)`.
#[no_mangle]
pub unsafe extern "C" fn lotse_put_block(file: u32, block: u32, ptr: *mut u8, len: usize) -> i32 {
    // SAFETY: the worker wrote `len` bytes into a `lotse_alloc(len)` buffer.
    let bytes = unsafe { Vec::from_raw_parts(ptr, len, len) };
    if DIRECTORY.with(|d| d.borrow().is_none()) {
        EARLY_BLOCKS.with(|early| early.borrow_mut().push((file, block as usize, bytes)));
        return 0;
    }
    let stored = DIRECTORY.with(|d| d.borrow().as_ref().is_some_and(|d| d.put_block(file, block as usize, bytes)));
    if stored {
        0
    } else {
        -1
    }
}

/// Searches; returns `{"hits":[{"ord":..,"score":..}]}` as a length-prefixed JSON buffer.
///
/// # Safety
/// Both buffers must come from `lotse_alloc` with exactly these lengths.
#[no_mangle]
pub unsafe extern "C" fn lotse_search(
    query_ptr: *mut u8,
    query_len: usize,
    platform_ptr: *mut u8,
    platform_len: usize,
    typing: u32,
    limit: u32,
) -> *const u8 {
    // SAFETY: see the function's contract.
    let query = unsafe { take_string(query_ptr, query_len) };
    let platform = unsafe { take_string(platform_ptr, platform_len) };
    let answer = ENGINE.with(|engine| match engine.borrow().as_ref() {
        Some(engine) => engine.answer(&query, Some(platform.as_str()), typing != 0, limit as usize),
        None => Default::default(),
    });
    respond(serde_json::to_string(&answer).unwrap_or_default())
}

/// Finds the words of `text` that match the query, as `[[start, end], ...]` in UTF-16 code units
/// (what JavaScript strings count), for excerpts and for marking matches on an article page.
///
/// # Safety
/// Both buffers must come from `lotse_alloc` with exactly these lengths.
#[no_mangle]
pub unsafe extern "C" fn lotse_highlight(
    text_ptr: *mut u8,
    text_len: usize,
    query_ptr: *mut u8,
    query_len: usize,
) -> *const u8 {
    // SAFETY: see the function's contract.
    let text = unsafe { take_string(text_ptr, text_len) };
    let query = unsafe { take_string(query_ptr, query_len) };
    let ranges = search_index::highlight::highlight_ranges(&text, &query);
    respond(serde_json::to_string(&ranges).unwrap_or_else(|_| "[]".into()))
}
