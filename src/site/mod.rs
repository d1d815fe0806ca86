//! The build driver: the only module that knows the order of the pipeline stages.
//!
//! config → content → Markdown → checks → templates → output. Every stage adds its diagnostics to
//! one list; the site is written only when that list holds no error, so a broken build leaves the
//! last good output untouched.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use crate::config::{normalize_base_url, Config};
use crate::content::{self, Content, CONTENT_DIR};
use crate::diagnostics::{self, Diagnostic};
use crate::markdown::{self, root_prefix, Rendered};
use crate::output::{self, SiteWriter, Staging};
use crate::templates::{self, Theme};
use crate::views::{self, ArticleCard, ArticleGroup, ArticleView, Crumb, PlatformView, SheetEntry, TagView};

mod incidents;
pub(crate) mod live;
mod render;

pub(crate) use incidents::*;
pub(crate) use render::*;

/// What `lotse build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The portal folder, holding `lotse.yaml` and `content/`.
    pub root: PathBuf,
    /// The folder to replace with the new site, used as given: callers resolve relative paths first.
    pub output: PathBuf,
    /// Overrides `base_url` from the config.
    pub base_url: Option<String>,
    /// Publish `draft: true` articles too.
    pub include_drafts: bool,
    /// Which portal this is: the public one leaves internal articles out.
    pub edition: Edition,
    /// Show a progress bar (only on a terminal).
    pub progress: bool,
    /// Let pages register the offline service worker when the config allows it; off in the dev
    /// server, whose pages change under a cache.
    pub service_worker: bool,
}

/// Which portal a build makes. The same sources give the teachers' portal, the technicians' one,
/// and the preview; only what goes in and how it is marked differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    /// The teachers' portal, what `lotse build` publishes: internal articles are never in it.
    Public,
    /// The technicians' portal (`lotse build --internal`): public and internal articles, every
    /// page marked "Intern", kept out of search engines, with a service-worker cache of its own.
    Internal,
    /// `lotse serve`: everything the options include, drafts and internal articles marked.
    Preview,
}

impl Edition {
    /// Whether internal articles go into this portal.
    pub fn includes_internal(self) -> bool {
        self != Edition::Public
    }

    /// The name templates and scripts see as `site.edition`.
    pub fn name(self) -> &'static str {
        match self {
            Edition::Public => "public",
            Edition::Internal => "internal",
            Edition::Preview => "preview",
        }
    }
}

/// What a successful build did, for the summary line.
#[derive(Debug)]
pub struct BuildReport {
    /// Published articles; drafts count only with `--drafts`.
    pub articles: usize,
    /// Platforms in `lotse.yaml`, including those without articles.
    pub platforms: usize,
    /// Files written into the output: pages, assets and the search index.
    pub files: usize,
    /// Where the new site now is, after it replaced the previous output.
    pub output: PathBuf,
    /// Wall time of the whole build, from loading to the swapped-in output.
    pub elapsed: Duration,
    /// The build's warnings (it had no errors); the caller prints them.
    pub warnings: Vec<Diagnostic>,
    /// Only notices changed since the last build into this folder: the articles were kept.
    pub notices_only: bool,
}

/// Why a build failed; each kind maps to an exit code.
#[derive(Debug)]
pub enum BuildError {
    /// Problems in articles or templates (exit 1); warnings are included.
    Content(Vec<Diagnostic>),
    /// Problems in `lotse.yaml` (exit 2).
    Config(Vec<Diagnostic>),
    /// Anything else: unreadable files, a refused output folder (exit 2).
    Fatal(anyhow::Error),
}

impl From<anyhow::Error> for BuildError {
    fn from(e: anyhow::Error) -> Self {
        BuildError::Fatal(e)
    }
}

/// The portal after loading and rendering, before anything is written.
pub struct Site {
    /// `lotse.yaml`, with `--base-url` applied and the base URL ending in `/`.
    pub config: Config,
    /// The theme with the portal's template, string and static-file overrides applied.
    pub theme: Theme,
    /// Every article, drafts and internal ones included; `public` says which are published.
    pub content: Content,
    /// The rendering of each article, by the same index as `content.pages`.
    pub rendered: Vec<Rendered>,
    /// Whether each article (same index) goes into the output with these options (in the
    /// internal portal and the preview, internal articles too).
    pub public: Vec<bool>,
    /// Every problem found while loading and rendering, sorted; any error stops the build before writing.
    pub diagnostics: Vec<Diagnostic>,
    /// Which portal this is.
    pub edition: Edition,
    /// The portal folder: the semantic stage keeps its vector cache below it.
    pub root: PathBuf,
    /// The build's date, against which the internal portal marks overdue articles.
    pub today: chrono::NaiveDate,
    /// The outage notices of `notices/`, newest first; `None` when the portal has no such folder.
    pub notices: Option<Vec<crate::notices::Notice>>,
    /// The build's time, against which notices are active or past (`SOURCE_DATE_EPOCH` when set,
    /// for reproducible builds and tests).
    pub now: chrono::DateTime<chrono::FixedOffset>,
}

impl Site {
    /// What the search index needs of the site.
    pub fn search_portal(&self) -> crate::index::Portal<'_> {
        crate::index::Portal {
            pages: &self.content.pages,
            rendered: &self.rendered,
            config: &self.config,
            cache: crate::semantic::cache_dir(&self.root),
        }
    }
}

/// Loads and renders the portal in memory; `lotse check` stops here.
pub fn load(options: &BuildOptions) -> Result<Site, BuildError> {
    load_with(options, true)
}

/// Loads the portal without rendering the articles (their `rendered` entries stay empty), for the
/// notice-only path of `lotse build`, which keeps the pages of the last build.
pub(crate) fn load_without_articles(options: &BuildOptions) -> Result<Site, BuildError> {
    load_with(options, false)
}

fn load_with(options: &BuildOptions, render_articles: bool) -> Result<Site, BuildError> {
    let mut config = Config::load(&options.root).map_err(BuildError::Config)?;
    if let Some(url) = &options.base_url {
        config.base_url = Some(url.clone());
    }
    if let Some(url) = &config.base_url {
        config.base_url = Some(normalize_base_url(url));
    }
    let mut problems = Vec::new();
    let theme = Theme::load(&options.root, &config, &mut problems)?;
    for platform in &config.platforms {
        if !theme.icons.contains(&platform.icon) {
            problems.push(
                Diagnostic::warning(
                    crate::config::CONFIG_FILE,
                    format!("platform `{}` uses icon `{}`, which the theme does not have", platform.id, platform.icon),
                )
                .help(format!("available icons: {}", theme.icons.join(", "))),
            );
        }
    }
    let content = content::load(&options.root, &config, &mut problems);
    // Links are checked against the public portal whatever this build makes: a public article
    // linking to an internal one would be a dead link for teachers.
    let linkable: Vec<bool> = content.pages.iter().map(|p| p.is_public(options.include_drafts)).collect();
    let public: Vec<bool> = content
        .pages
        .iter()
        .map(|p| p.is_included(options.include_drafts, options.edition.includes_internal()))
        .collect();
    let page_index: HashMap<PathBuf, usize> =
        content.pages.iter().enumerate().map(|(i, p)| (p.content_path.clone(), i)).collect();
    let assets: HashSet<PathBuf> = content.assets.iter().cloned().collect();
    let content_dir = options.root.join(CONTENT_DIR);
    let ctx = markdown::Context {
        pages: &content.pages,
        page_index: &page_index,
        public: &linkable,
        included: &public,
        assets: &assets,
        content_dir: &content_dir,
        language: config.language,
        raw_html: config.raw_html,
        portal_pages: &portal_pages(&config),
    };
    let rendered: Vec<Rendered> = if render_articles {
        (0..content.pages.len()).into_par_iter().map(|i| markdown::render(i, &ctx)).collect()
    } else {
        (0..content.pages.len()).map(|_| Rendered::default()).collect()
    };
    for r in &rendered {
        problems.extend(r.diagnostics.iter().cloned());
    }
    problems.extend(check_anchor_links(&content.pages, &rendered, |_, _| true));
    let notices = options.root.join(crate::notices::NOTICES_DIR).is_dir().then(|| {
        let articles: Vec<PathBuf> =
            content.pages.iter().zip(&linkable).filter(|(_, l)| **l).map(|(p, _)| p.content_path.clone()).collect();
        crate::notices::load(&options.root, &config, &articles, &mut problems)
    });
    diagnostics::sort(&mut problems);
    Ok(Site {
        config,
        theme,
        content,
        rendered,
        public,
        diagnostics: problems,
        edition: options.edition,
        root: options.root.clone(),
        today: chrono::Local::now().date_naive(),
        notices,
        now: build_time(),
    })
}

/// The time a build happens at: `SOURCE_DATE_EPOCH` (seconds, the reproducible-builds
/// convention) when set, else now, in the machine's time zone.
fn build_time() -> chrono::DateTime<chrono::FixedOffset> {
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .map(|utc| utc.with_timezone(&chrono::Local))
        .unwrap_or_else(chrono::Local::now);
    now.fixed_offset()
}

/// Records `sources` in the staged site's marker, swaps it in, and reports.
pub(crate) fn finish(
    site: &Site,
    staging: Staging,
    sources: Option<String>,
    started: Instant,
    notices_only: bool,
) -> Result<BuildReport> {
    if let Some(sources) = sources {
        staging.set_sources(sources);
    }
    let files = staging.len();
    let output = staging.commit()?;
    Ok(BuildReport {
        articles: site.public.iter().filter(|p| **p).count(),
        platforms: site.config.platforms.len(),
        files,
        output,
        elapsed: started.elapsed(),
        warnings: site.diagnostics.clone(),
        notices_only,
    })
}

/// Links to a heading of another article (`wlan.md#passwort`) whose heading is not there; only
/// the links for which `checked(source, target)` holds (the dev server checks those touching
/// the articles it re-rendered).
pub(crate) fn check_anchor_links(
    pages: &[crate::content::Page],
    rendered: &[Rendered],
    checked: impl Fn(usize, usize) -> bool,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (source, r) in rendered.iter().enumerate() {
        for link in r.anchor_links.iter().filter(|link| checked(source, link.target)) {
            let target = &rendered[link.target];
            if !target.anchors.contains(&link.anchor) {
                let name = format!("`{}`", pages[link.target].source.display());
                problems.push(markdown::missing_anchor(
                    &pages[source],
                    &link.anchor,
                    link.offset,
                    &target.anchors,
                    &name,
                ));
            }
        }
    }
    problems
}

/// Builds the portal into the output folder, replacing the last good output only on success.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    build_with_sources(options, Some(sources_hash(options)))
}

/// The hash of the portal's sources but the notices, with this build's options ([`crate::sources`]).
pub fn sources_hash(options: &BuildOptions) -> String {
    let described = format!(
        "{} {:?} {} {}",
        options.edition.name(),
        options.base_url,
        options.include_drafts,
        options.service_worker
    );
    crate::sources::hash(&options.root, &described)
}

/// Builds everything, recording `sources` ([`sources_hash`]) in the output's marker.
pub fn build_with_sources(options: &BuildOptions, sources: Option<String>) -> Result<BuildReport, BuildError> {
    build_recording(options, sources).map(|(report, _, _)| report)
}

/// Builds like [`build`] and also returns the rendered site and the template view data, which the
/// dev server keeps to rebuild single articles later.
pub(crate) fn build_keeping_site(options: &BuildOptions) -> Result<(BuildReport, Site, ViewData), BuildError> {
    build_recording(options, None)
}

/// A full build; `sources` ([`sources_hash`]) goes into the output's
/// marker, so that the next build can tell whether only notices changed.
fn build_recording(
    options: &BuildOptions,
    sources: Option<String>,
) -> Result<(BuildReport, Site, ViewData), BuildError> {
    let started = Instant::now();
    if options.edition == Edition::Internal {
        output::check_internal_output_location(&options.root, &options.output)?;
    }
    output::restore_interrupted_swap(&options.output)?;
    output::check_output_location(&options.root, &options.output)?;
    let site = load(options)?;
    if site.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(BuildError::Content(site.diagnostics));
    }
    let staging = Staging::new(&options.output)?;
    let view_data = match write_site(&site, options, &staging) {
        Ok(data) => data,
        Err(WriteError::Render(problems)) => {
            staging.abandon();
            return Err(BuildError::Content(problems));
        }
        Err(WriteError::Io(e)) => {
            staging.abandon();
            return Err(BuildError::Fatal(e));
        }
    };
    let report = finish(&site, staging, sources, started, false)?;
    Ok((report, site, view_data))
}

enum WriteError {
    Render(Vec<Diagnostic>),
    Io(anyhow::Error),
}

impl From<anyhow::Error> for WriteError {
    fn from(e: anyhow::Error) -> Self {
        WriteError::Io(e)
    }
}

/// Renders and writes the whole site; returns the view data, search version included.
fn write_site(site: &Site, options: &BuildOptions, staging: &Staging) -> Result<ViewData, WriteError> {
    let mut views = PageRenderer::new(site);
    let index_docs = crate::index::index_docs(&site.search_portal(), &views.published);
    views.set_search_version(&crate::index::search_version(&index_docs, &site.search_portal()));
    if site.config.offline && options.service_worker {
        views.enable_service_worker();
    }
    let pages = &site.content.pages;
    let progress = progress_bar(options.progress, views.published.len() as u64);

    // Article pages, in parallel: they are most of the work.
    // The search index is written while the article pages render: tantivy's writer works on
    // one core, the pages on the others.
    let (rendered, indexed) = rayon::join(
        || render_articles(&views, staging, &progress),
        || crate::index::write(&site.search_portal(), &views.published, &index_docs, staging),
    );
    indexed?;
    let mut problems = rendered;
    progress.finish_and_clear();

    problems.extend(render_lists(&views, staging, &ListPages::all(&views)));

    // 404: served at any depth, so it links from the site's absolute base path.
    let mut ctx = views.base_context("", &views.string("not_found_title"), "404");
    ctx.insert("root", &base_path(site.config.base_url.as_deref()));
    ctx.insert("breadcrumbs", &Vec::<Crumb>::new());
    match templates::render(&site.theme, "404.html", &ctx) {
        Ok(html) => staging.write("404.html", html.as_bytes())?,
        Err(e) => problems.push(Diagnostic::error("templates/404.html", format!("cannot render the 404 page: {e}"))),
    }

    // The accessibility statement, when the portal configures one.
    if site.config.accessibility.is_some() {
        let url = accessibility_url(site.config.language);
        problems.extend(render_single_page(&views, staging, url, "a11y_title", "accessibility"));
    }

    // The "Problem melden" form, when the portal names a helpdesk.
    if site.config.ticket.is_some() {
        let url = ticket_url(site.config.language);
        problems.extend(render_single_page(&views, staging, url, "ticket_title", "ticket"));
    }

    // The incidents page and its feed, when the portal keeps notices.
    if let Some(notices) = &site.notices {
        problems.extend(render_incidents(&views, staging, notices));
    }

    // Redirects for old URLs.
    for &i in &views.published {
        let page = &pages[i];
        for alias in &page.aliases {
            let alias_url = format!("{alias}/");
            let mut ctx = views.base_context(&alias_url, &page.title, "redirect");
            ctx.insert("target", &format!("{}{}", root_prefix(&alias_url), page.url));
            ctx.insert("breadcrumbs", &Vec::<Crumb>::new());
            problems.extend(render_to(&views, staging, "redirect.html", &ctx, &alias_url));
        }
    }

    write_sitemap(&views, staging)?;
    write_web_manifest(&views, staging)?;
    // Files from `content/` and `static/` come last, so that one standing where a generated file
    // stands (`static/index.html`, `content/ipad/index.html`) is found instead of silently winning.
    problems.extend(copy_assets(site, options, staging)?);
    for (rel, file) in &site.theme.static_files {
        if let crate::templates::StaticFile::Disk(path) = file {
            if staging.contains(rel) {
                problems.push(replaces_generated_file(&display_path(&options.root, path), rel));
                continue;
            }
        }
        staging.write(rel, &file.bytes()?)?;
    }
    if staging.contains(crate::offline::SERVICE_WORKER) {
        let source = format!("static/{}", crate::offline::SERVICE_WORKER);
        problems.push(replaces_generated_file(&source, crate::offline::SERVICE_WORKER));
    }
    if !problems.is_empty() {
        diagnostics::sort(&mut problems);
        return Err(WriteError::Render(problems));
    }
    crate::offline::write_service_worker(
        staging,
        site.config.offline && options.service_worker,
        cache_prefix(site.edition),
    )?;
    Ok(views.into_data())
}

/// The error for a portal file that would replace a page or file Lotse generates.
fn replaces_generated_file(source: &str, rel: &str) -> Diagnostic {
    Diagnostic::error(source, format!("this file would replace `{rel}`, which Lotse generates"))
        .help("rename or move it: pages, lists, the search index, the sitemap and the offline files are Lotse's; change generated pages through `templates/` instead")
}

/// `path` relative to the portal folder, as diagnostics name files.
fn display_path(root: &Path, path: &Path) -> String {
    markdown::url_path(path.strip_prefix(root).unwrap_or(path))
}

/// The name prefix of the offline caches: the internal portal's never mix with the public one's.
pub(crate) fn cache_prefix(edition: Edition) -> &'static str {
    if edition == Edition::Public {
        "lotse"
    } else {
        "lotse-intern"
    }
}

/// Where the accessibility statement lives, in the portal's language.
pub(crate) fn accessibility_url(language: crate::config::Language) -> &'static str {
    match language {
        crate::config::Language::De => "barrierefreiheit/",
        crate::config::Language::En => "accessibility/",
    }
}

/// The URLs of the pages Lotse generates besides articles that articles may link to.
pub(crate) fn portal_pages(config: &Config) -> HashSet<String> {
    let mut pages: HashSet<String> = ["".to_string(), "search/".to_string()].into();
    pages.extend(config.platforms.iter().map(|p| format!("{}/", p.id)));
    if config.ticket.is_some() {
        pages.insert(ticket_url(config.language).to_string());
    }
    if config.accessibility.is_some() {
        pages.insert(accessibility_url(config.language).to_string());
    }
    pages
}

/// Where the "Problem melden" form lives, in the portal's language.
pub(crate) fn ticket_url(language: crate::config::Language) -> &'static str {
    crate::config::ticket_url(language)
}

/// What templates and the form's script need of the `ticket:` section. `config` goes into one
/// data attribute as JSON: the channels, the subject template and the feedback URL.
fn ticket_view(ticket: &crate::config::TicketSettings, language: crate::config::Language) -> serde_json::Value {
    let channel = ticket.channel();
    serde_json::json!({
        "url": ticket_url(language),
        "channel": if channel.url.is_some() { "url" } else { "email" },
        "email": channel.email,
        "fields": ticket.form_fields(),
        "help": ticket.help,
        "feedback_url": ticket.feedback_url,
        // Without JavaScript the form cannot fill anything in: the page links the helpdesk itself.
        "address": channel.url.as_deref().map(|url| url.split(['?', '#']).next().unwrap_or(url).to_string()),
        "config": serde_json::json!({
            "channel": channel,
            "routes": ticket.routes,
            "subject": ticket.subject.as_deref().unwrap_or(crate::config::DEFAULT_SUBJECT),
            "feedback": ticket.feedback_url,
        }).to_string(),
    })
}

/// The absolute path the site is served under, for pages that cannot link relatively.
fn base_path(base_url: Option<&str>) -> String {
    match base_url {
        Some(url) if url.starts_with("http") => {
            let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
            match after_scheme.find('/') {
                Some(i) => after_scheme[i..].to_string(),
                None => "/".into(),
            }
        }
        Some(path) => path.to_string(),
        None => "/".into(),
    }
}

/// Copies files from `content/`, leaving out those that only unpublished articles use.
fn copy_assets(site: &Site, options: &BuildOptions, staging: &Staging) -> Result<Vec<Diagnostic>> {
    let pages = &site.content.pages;
    let mut used_public: HashSet<&Path> = HashSet::new();
    let mut used_private: HashSet<&Path> = HashSet::new();
    let mut private_bundles: Vec<&Path> = Vec::new();
    for (i, rendered) in site.rendered.iter().enumerate() {
        let set = if site.public[i] { &mut used_public } else { &mut used_private };
        set.extend(rendered.assets_used.iter().map(PathBuf::as_path));
        let page = &pages[i];
        if !site.public[i] && page.content_path.file_stem().is_some_and(|s| s == "index") {
            private_bundles.push(page.content_dir());
        }
    }
    let content_dir = options.root.join(CONTENT_DIR);
    let collisions = Mutex::new(Vec::new());
    site.content.assets.par_iter().try_for_each(|asset| {
        let only_private = used_private.contains(asset.as_path()) && !used_public.contains(asset.as_path());
        let in_private_bundle = private_bundles.iter().any(|b| asset.starts_with(b));
        if only_private || (in_private_bundle && !used_public.contains(asset.as_path())) {
            return Ok(());
        }
        let rel = markdown::url_path(asset);
        if staging.contains(&rel) {
            let source = format!("{CONTENT_DIR}/{rel}");
            collisions.lock().expect("no panics while holding the lock").push(replaces_generated_file(&source, &rel));
            return Ok(());
        }
        staging.copy(&content_dir.join(asset), &rel)
    })?;
    Ok(collisions.into_inner().expect("no panics while holding the lock"))
}

fn progress_bar(enabled: bool, len: u64) -> indicatif::ProgressBar {
    if !enabled || len < 200 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} rendering {pos}/{len} articles {wide_bar} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_of_urls_and_paths() {
        assert_eq!(base_path(Some("https://schule.example/hilfe/")), "/hilfe/");
        assert_eq!(base_path(Some("https://schule.example/")), "/");
        assert_eq!(base_path(Some("/hilfe/")), "/hilfe/");
        assert_eq!(base_path(None), "/");
    }
}
