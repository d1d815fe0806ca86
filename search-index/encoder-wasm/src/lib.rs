//! The semantic stage in the browser (issue 18): `search_index::encoder` and
//! `search_index::semantic` compiled to `wasm32-unknown-unknown` with simd128, driven by the search
//! worker. Like the search runtime (`search-index/wasm`), this crate is only a thin C ABI: the
//! forward pass and the fusion live in `search-index`, so the build's article vectors and the
//! browser's query vectors come from the same code.
//!
//! The worker fetches this module and the weights only when a query needs meaning, then:
//! copies the gunzipped LTE5 weights into memory from [`lotse_alloc`] and hands them to
//! [`lotse_encoder_load`], the portal's article vectors to [`lotse_vectors_load`], and calls
//! [`lotse_semantic_rank`] per query (or [`lotse_encode`] for a bare vector). JSON answers are a
//! little-endian `u32` length followed by that many bytes; every returned pointer stays valid
//! until the next call. A trap (a panic aborts at once) means a bug, never bad input: bad input
//! gets a negative code or an `"error"` field.
//!
//! Memory: the model keeps its weights 4-bit (21 MB of tensors, plus the tokenizer's tables);
//! while loading, the 21 MB file is in memory too, so the wasm memory grows to about 46 MB. A wasm
//! memory never shrinks: the worker should load the encoder once and keep it.

use std::cell::RefCell;

use search_index::encoder::{Encoder, Mode};
use search_index::ranking::SemanticWeights;
use search_index::semantic::{self, ArticleVectors, Fused};
use serde::{Deserialize, Serialize};

thread_local! {
    static ENCODER: RefCell<Option<Encoder>> = const { RefCell::new(None) };
    static VECTORS: RefCell<Option<ArticleVectors>> = const { RefCell::new(None) };
    /// The last vector from [`lotse_encode`].
    static VECTOR: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// getrandom's `custom` backend: nothing here needs random numbers, but tantivy's dependencies
/// (linked through search-index) name the call. A fixed pattern, as in the search runtime.
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

/// Takes the `len` bytes the worker wrote into a `lotse_alloc(len)` buffer.
///
/// # Safety
/// As said: `ptr` from `lotse_alloc(len)`, `len` bytes written, not used afterwards.
unsafe fn take_bytes(ptr: *mut u8, len: usize) -> Vec<u8> {
    // SAFETY: see the function's contract.
    unsafe { Vec::from_raw_parts(ptr, len, len) }
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

/// Loads the encoder from LTE5 weights (`len` bytes in a `lotse_alloc(len)` buffer, which this
/// takes and frees once the model is built from them). Returns 0, or -1 for a file that is not
/// LTE5 weights this code can read (the old model stays loaded then).
///
/// # Safety
/// The buffer must come from `lotse_alloc(len)`.
#[no_mangle]
pub unsafe extern "C" fn lotse_encoder_load(ptr: *mut u8, len: usize) -> i32 {
    // SAFETY: see the function's contract.
    let bytes = unsafe { take_bytes(ptr, len) };
    let encoder = Encoder::from_bytes(&bytes);
    drop(bytes);
    match encoder {
        Ok(encoder) => {
            ENCODER.with(|e| *e.borrow_mut() = Some(encoder));
            0
        }
        Err(_) => -1,
    }
}

/// The vector of a UTF-8 text (`len` bytes in a `lotse_alloc(len)` buffer, which this takes):
/// `mode` 0 for a query, 1 for a passage. Returns a pointer to the encoder's `hidden` floats (384
/// for e5-small, L2-normalised), valid until the next call; null without a loaded encoder or for
/// another mode. Text that is not UTF-8 is encoded with U+FFFD for the bad bytes.
///
/// # Safety
/// The buffer must come from `lotse_alloc(len)`.
#[no_mangle]
pub unsafe extern "C" fn lotse_encode(ptr: *mut u8, len: usize, mode: u32) -> *const f32 {
    // SAFETY: see the function's contract.
    let bytes = unsafe { take_bytes(ptr, len) };
    let text = String::from_utf8_lossy(&bytes);
    let mode = match mode {
        0 => Mode::Query,
        1 => Mode::Passage,
        _ => return std::ptr::null(),
    };
    let Some(vector) = ENCODER.with(|e| e.borrow().as_ref().map(|e| e.encode(&text, mode))) else {
        return std::ptr::null();
    };
    VECTOR.with(|v| {
        *v.borrow_mut() = vector;
        v.borrow().as_ptr()
    })
}

/// Loads the portal's article vectors (an LSV1 file, see `search_index::semantic`; `len` bytes in
/// a `lotse_alloc(len)` buffer, which this takes). Returns 0, or -1 for a file that is not one.
///
/// # Safety
/// The buffer must come from `lotse_alloc(len)`.
#[no_mangle]
pub unsafe extern "C" fn lotse_vectors_load(ptr: *mut u8, len: usize) -> i32 {
    // SAFETY: see the function's contract.
    let bytes = unsafe { take_bytes(ptr, len) };
    match ArticleVectors::from_bytes(&bytes) {
        Ok(vectors) => {
            VECTORS.with(|v| *v.borrow_mut() = Some(vectors));
            0
        }
        Err(_) => -1,
    }
}

/// What [`lotse_semantic_rank`] reads.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RankRequest {
    query: String,
    /// The lexical hits' result rows, best first.
    #[serde(default)]
    lexical: Vec<u32>,
    limit: usize,
    /// The manifest's `ranking.semantic`; its defaults when left out.
    #[serde(default)]
    weights: SemanticWeights,
}

/// What [`lotse_semantic_rank`] answers: the fused ranking, or an empty one with the reason.
#[derive(Serialize)]
struct RankAnswer {
    hits: Vec<Fused>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
}

/// Encodes the query and fuses every article's cosine with the lexical ranking
/// (`search_index::semantic::fuse`). Reads `{"query": "...", "lexical": [ord, ...], "limit": N,
/// "weights": {"lexical": .., "rank_offset": ..}}` (JSON, `len` bytes in a `lotse_alloc(len)`
/// buffer, which this takes) and answers, length-prefixed,
/// `{"hits": [{"ord": .., "score": .., "cosine": .., "lexical_rank": .. | null}, ...]}`, best
/// first; with `"hits": []` and an `"error"` when the request is malformed or the encoder or the
/// vectors are not loaded (or do not fit each other).
///
/// # Safety
/// The buffer must come from `lotse_alloc(len)`.
#[no_mangle]
pub unsafe extern "C" fn lotse_semantic_rank(ptr: *mut u8, len: usize) -> *const u8 {
    // SAFETY: see the function's contract.
    let bytes = unsafe { take_bytes(ptr, len) };
    let answer = match rank(&bytes) {
        Ok(hits) => RankAnswer { hits, error: None },
        Err(error) => RankAnswer { hits: Vec::new(), error: Some(error) },
    };
    respond(serde_json::to_string(&answer).unwrap_or_else(|_| r#"{"hits":[]}"#.into()))
}

fn rank(request: &[u8]) -> Result<Vec<Fused>, &'static str> {
    let request: RankRequest = serde_json::from_slice(request).map_err(|_| "malformed request")?;
    let query = ENCODER
        .with(|e| e.borrow().as_ref().map(|e| e.encode(&request.query, Mode::Query)))
        .ok_or("no encoder loaded")?;
    VECTORS.with(|v| {
        let vectors = v.borrow();
        let vectors = vectors.as_ref().ok_or("no article vectors loaded")?;
        if vectors.dims() != query.len() {
            return Err("the article vectors are not the encoder's");
        }
        let cosines = vectors.cosines(&query);
        Ok(semantic::fuse(&cosines, &request.lexical, &request.weights, request.limit))
    })
}
