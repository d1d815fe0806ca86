//! `regex` for the browser runtime, backed by regex-lite: see Cargo.toml for why.
pub use regex_lite::*;
