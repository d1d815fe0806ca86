//! Command-line flags. The doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// What `lotse --version` prints: the version, the commit it was built from and the hash of the
/// search runtime's sources, so that a bug report names exactly what was used.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("LOTSE_COMMIT"),
    ", search runtime ",
    env!("LOTSE_RUNTIME_HASH"),
    ")"
);

/// Lotse builds a static IT support portal for schools from Markdown how-tos.
#[derive(Debug, Parser)]
#[command(name = "lotse", version = VERSION, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Print nothing but errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// The subcommand to run; every command has its own flags struct.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands; their doc comments are the one-line and long `--help` texts.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the portal into a folder that can be copied to any static web host.
    ///
    /// The previous output is replaced only when the build succeeds. Lotse refuses to write into a
    /// non-empty folder it did not create.
    Build(BuildArgs),
    /// Create a new portal with a config, one example article per platform and a README.
    Init(InitArgs),
    /// Build, serve on 127.0.0.1 and rebuild on every save; open pages reload by themselves.
    ///
    /// Stops on Ctrl-C (or SIGTERM) and removes its temporary build.
    Serve(ServeArgs),
    /// Check the portal without writing anything: every build validation plus unused images,
    /// duplicate titles, missing summaries and keywords, and stale articles.
    Check(CheckArgs),
    /// Create a new article from the template, with today's date and every field prefilled.
    New(NewArgs),
    /// Write JSON Schemas for lotse.yaml and the front matter, for editor autocompletion.
    Schema(SchemaArgs),
    /// Outage notices ("Aktuelle Störungen") in notices/: `lotse notice new` starts one.
    #[command(subcommand)]
    Notice(NoticeCommand),
}

/// What `lotse notice` does.
#[derive(Debug, clap::Subcommand)]
pub enum NoticeCommand {
    /// Start a notice in notices/, beginning now, status `investigating`; edit it, then build and upload.
    New(NoticeNewArgs),
}

/// Flags of `lotse notice new`.
#[derive(Debug, clap::Args)]
pub struct NoticeNewArgs {
    /// What is broken, in a few words; also gives the file name, such as "IServ-E-Mail verschickt nichts".
    pub title: String,
    /// The affected platform ids from lotse.yaml (repeat or separate by commas).
    #[arg(long, short, value_delimiter = ',', required = true)]
    pub platform: Vec<String>,
    /// The portal folder, holding lotse.yaml and notices/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

/// Flags of `lotse serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The portal folder, holding lotse.yaml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The port to listen on (0: any free port).
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// The address to listen on; use 0.0.0.0 only to share the preview on the LAN on purpose.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Open the preview in the browser.
    #[arg(long)]
    pub open: bool,
    /// Include articles marked `draft: true`. The preview on loopback shows them anyway; this adds
    /// them to `--public` and to a LAN preview.
    #[arg(long)]
    pub drafts: bool,
    /// Preview exactly what `lotse build` publishes: no drafts (unless `--drafts`), no internal articles.
    #[arg(long, conflicts_with = "internal")]
    pub public: bool,
    /// Show internal articles on a LAN preview (`--bind` other than loopback) too; on loopback
    /// they are shown by default.
    #[arg(long)]
    pub internal: bool,
}

/// How `lotse check` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Messages with file, line and code frame, for people.
    Human,
    /// One JSON report, for CI of a content repository and for editors.
    Json,
}

/// Flags of `lotse check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The portal folder, holding lotse.yaml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// Articles without `review_every` or `review_by` are due for a check this many months after
    /// `updated`; overdue ones are listed by owner.
    #[arg(long, default_value_t = crate::content::DEFAULT_REVIEW_MONTHS, value_name = "MONTHS")]
    pub stale_after: u32,
    /// The date to judge staleness against, instead of today (for reproducible CI runs and tests).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<chrono::NaiveDate>,
}

fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("`{text}` is not a date: write YYYY-MM-DD"))
}

/// Flags of `lotse new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// Platform and file name of the new article, such as `ipad/wlan-verbinden`.
    #[arg(value_name = "PLATFORM/SLUG")]
    pub path: String,
    /// The article's title (default: made from the file name).
    #[arg(long)]
    pub title: Option<String>,
    /// The portal folder, holding lotse.yaml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

/// Flags of `lotse schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Where to write the schema files.
    #[arg(long, default_value = "schemas")]
    pub output: PathBuf,
}

/// Flags of `lotse build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The portal folder, holding lotse.yaml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site; relative paths are relative to the portal folder [default:
    /// public, or with --internal `internal_output` from lotse.yaml, else public-intern].
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The URL the site is published under (overrides base_url in lotse.yaml), e.g. `https://schule.example/hilfe/`.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include articles marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Build the technicians' portal: public and internal articles, every page marked "Intern"
    /// and kept out of search engines. Never inside the public output.
    #[arg(long)]
    pub internal: bool,
}

/// Flags of `lotse init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder for the new portal; it must not exist or be empty.
    pub dir: PathBuf,
}
