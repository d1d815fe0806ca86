//! `lotse new PLATFORM/SLUG`: creates an article from the theme's template (or the portal's
//! `templates/new-article.md`), with today's date and every front-matter field prefilled or
//! commented. It never overwrites a file.

use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};

use crate::cli::NewArgs;
use crate::config::Config;
use crate::content::CONTENT_DIR;

use super::{print_diagnostics, print_fatal, EXIT_USAGE};

/// The article template of the default theme.
const DEFAULT_TEMPLATE: &str = include_str!("../../themes/default/new-article.md");

pub fn run(args: NewArgs, quiet: bool) -> ExitCode {
    let config = match Config::load(&args.root) {
        Ok(config) => config,
        Err(found) => {
            print_diagnostics(&found, quiet);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match create(&args, &config) {
        Ok(path) => {
            if !quiet {
                crate::outln!("Created {}", path.display());
                crate::outln!("It is a draft: remove `draft: true` when it is ready to publish.");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            print_fatal(&e);
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn create(args: &NewArgs, config: &Config) -> Result<std::path::PathBuf> {
    let Some((platform, name)) = args.path.trim_matches('/').split_once('/') else {
        bail!("`{}` is not PLATFORM/SLUG\n  help: for example `lotse new ipad/wlan-verbinden`", args.path);
    };
    if config.platform(platform).is_none() {
        bail!("unknown platform `{platform}`\n  help: {}", config.platform_help(platform));
    }
    let slug = search_index::slugify(name.trim_end_matches(".md"));
    if slug.is_empty() {
        bail!("`{name}` gives an empty file name\n  help: use letters or digits, such as `wlan-verbinden`");
    }
    let dir = args.root.join(CONTENT_DIR).join(platform);
    let path = dir.join(format!("{slug}.md"));
    if path.exists() || dir.join(&slug).join("index.md").exists() {
        bail!("{} already exists\n  help: Lotse never overwrites articles; choose another name", path.display());
    }
    let title = args.title.clone().unwrap_or_else(|| title_from_slug(&slug));
    let template = match std::fs::read_to_string(args.root.join("templates/new-article.md")) {
        Ok(text) => text,
        Err(_) => DEFAULT_TEMPLATE.to_string(),
    };
    let mut context = tera::Context::new();
    context.insert("title", &title.replace('"', "\\\""));
    context.insert("platform", platform);
    context.insert("slug", &slug);
    context.insert("today", &chrono::Local::now().date_naive().to_string());
    let text = tera::Tera::one_off(&template, &context, false).context("cannot fill in the article template")?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // `create_new` refuses to overwrite even if the file appeared since the check above.
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(path)
}

/// `wlan-verbinden` → `Wlan verbinden`: a start the author will edit.
fn title_from_slug(slug: &str) -> String {
    let text = slug.replace('-', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}
