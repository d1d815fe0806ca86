//! Lotse turns a folder of Markdown how-tos into a static, searchable IT support portal for schools.
//!
//! The pipeline runs in one direction through one module per stage: [`config`] reads `lotse.yaml`,
//! [`content`] loads articles, [`markdown`] renders them, [`templates`] applies the theme,
//! [`index`] writes the search index and [`output`] writes the site atomically. [`site`] is the only module that sequences them; the
//! subcommands in `cmd` are thin wrappers around it.

pub mod check;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod diagnostics;
#[doc(hidden)]
pub mod fuzz;
pub mod index;
pub mod markdown;
pub mod notice_refresh;
pub mod notices;
pub mod offline;
pub mod output;
pub mod raw_html;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod site;
pub mod templates;
pub mod terminal;
pub mod views;
pub mod yaml;
