//! Lotse's search: schema, German text analysis, query building and ranking.
//!
//! This crate is shared by the native indexer in `lotse build` and by the browser runtime
//! (`search-index/wasm`, a thin C ABI around this crate compiled to `wasm32-unknown-unknown`).
//! Both sides analyse text with the very same functions ([`analyzer`]), open the index with the
//! same [`schema`] and build queries with the same [`engine`], so they can never disagree about
//! what a word is. The crate therefore stays free of file-system, thread and clock dependencies
//! outside the native-only [`writer`]. The native-only [`layout`] cuts a large portal's postings
//! into chunks by term; the browser's [`lazy`] directory follows its cuts.
//!
//! Where to change what: a number of the ranking in [`ranking`] (`RankingWeights`, with the one
//! `TypoPolicy`); a word list in `vocabulary/*.txt` ([`wordlists`], [`vocabulary`]); how a query is
//! read in one module of `engine/rewrite/` each (separable verbs, compounds, corrections, head
//! swaps, derivations, prefixes), which adds typed alternatives (`engine/concepts.rs`); a
//! re-ranking factor in one module of `engine/signal/` each. The engine's tests sit in
//! `engine/tests/`, one file per rule.

pub mod analyzer;
pub mod encoder;
pub mod engine;
pub mod fold;
#[cfg(all(not(target_arch = "wasm32"), feature = "builtin-vocabulary"))]
#[doc(hidden)]
pub mod fuzz;
pub mod highlight;
/// Native only: the build cuts the index into chunks; the browser only follows the cuts.
#[cfg(not(target_arch = "wasm32"))]
pub mod layout;
pub mod lazy;
pub mod query;
pub mod ranking;
pub mod schema;
pub mod semantic;
pub mod support;
pub mod vocabulary;
pub mod wordlists;
/// Native only, and with the built-in vocabulary, whose share for the portal the index carries.
#[cfg(all(not(target_arch = "wasm32"), feature = "builtin-vocabulary"))]
pub mod writer;

pub use fold::{fold_german, slugify};

/// Version of the index format. The manifest records it and the runtime refuses other versions,
/// so a cached old runtime never misreads a new index. Bump it with every format change.
pub const FORMAT_VERSION: u32 = 8;
