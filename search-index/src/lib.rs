//! Lotse's search schema and German text analysis.
//!
//! This crate is shared by the native indexer in `lotse build` and by the browser runtime compiled to
//! `wasm32-unknown-unknown`, so that both sides fold and split words with the very same code. It must
//! therefore stay free of file-system, thread and clock dependencies.

pub mod fold;

pub use fold::{fold_german, slugify};
pub mod analyzer;
