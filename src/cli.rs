//! Command-line flags. The doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Lotse builds a static IT support portal for schools from Markdown how-tos.
#[derive(Debug, Parser)]
#[command(name = "lotse", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Print nothing but errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the portal into a folder that can be copied to any static web host.
    ///
    /// The previous output is replaced only when the build succeeds. Lotse refuses to write into a
    /// non-empty folder it did not create.
    Build(BuildArgs),
    /// Create a new portal with a config, one example article per platform and a README.
    Init(InitArgs),
}

/// Flags of `lotse build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The portal folder, holding lotse.yaml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site; relative paths are relative to the portal folder.
    #[arg(long, short, default_value = "public")]
    pub output: PathBuf,
    /// The URL the site is published under (overrides base_url in lotse.yaml), e.g. https://schule.example/hilfe/.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include articles marked `draft: true` (internal articles are never included).
    #[arg(long)]
    pub drafts: bool,
}

/// Flags of `lotse init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder for the new portal; it must not exist or be empty.
    pub dir: PathBuf,
}
