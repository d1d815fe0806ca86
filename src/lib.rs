//! Lotse turns a folder of Markdown how-tos into a static, searchable IT support portal for schools.
//!
//! The pipeline runs in one direction through one module per stage: [`config`] reads `lotse.yaml`,
//! [`content`] loads articles and [`notices`] the outage notices, [`markdown`] renders articles
//! (with [`raw_html`] deciding what raw HTML may stay, and [`flow`] parsing, checking and rendering
//! guided troubleshooting), [`templates`] applies the theme to the view types of [`views`],
//! [`index`] writes the search index from what it is handed (never the whole site), and [`output`]
//! writes the site atomically. [`site`] is the only module that sequences them (and keeps the
//! loaded portal for the dev server, `site::live`); [`notice_refresh`] is its notice-only shortcut,
//! [`offline`] adds the service worker. Around the pipeline: [`findings`] (what `lotse check`
//! adds), [`json_schema`] (editor schemas), [`serve`] (the dev server: HTTP, incremental
//! rebuilds), and the leaves [`qr`] (QR codes for printouts), [`html`], [`diagnostics`], [`report`],
//! [`terminal`] and [`yaml`]. The subcommands in `cmd` are thin wrappers, one file each.

pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod findings;
pub mod flow;
#[doc(hidden)]
pub mod fuzz;
pub mod html;
pub mod index;
pub mod json_schema;
pub mod markdown;
pub mod notice_refresh;
pub mod notices;
pub mod offline;
pub mod output;
pub mod qr;
pub mod raw_html;
pub mod report;
pub mod scaffold;
pub mod semantic;
pub mod serve;
pub mod site;
pub mod sources;
pub mod templates;
pub mod terminal;
pub mod views;
pub mod yaml;
