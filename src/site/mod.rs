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
use crate::views::{self, ArticleCard, ArticleGroup, ArticleView, Crumb, PlatformView, TagView};

pub(crate) mod live;

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
        crate::index::Portal { pages: &self.content.pages, rendered: &self.rendered, config: &self.config }
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

/// What the page templates share, computed once per build from the whole portal. The dev server
/// keeps it between rebuilds that change no list, so that re-rendering one article stays cheap.
#[derive(Clone)]
pub(crate) struct ViewData {
    platforms: Vec<PlatformView>,
    platform_names: HashMap<String, String>,
    tags: BTreeMap<String, TagView>,
    /// Public article indices, in display order (platform, weight, title).
    pub(crate) published: Vec<usize>,
    /// Tag slugs of every article, by article index.
    tag_slugs: Vec<Vec<String>>,
    /// Published articles of each tag slug, in display order.
    tag_members: HashMap<String, Vec<usize>>,
    /// Published articles linking to each article, by article index.
    backlinks: Vec<Vec<usize>>,
    /// Each article's position in title order, so ties are broken without comparing strings.
    title_rank: Vec<usize>,
    site_json: serde_json::Value,
    strings: serde_json::Value,
}

impl ViewData {
    /// The slugs of all tags that have a page.
    pub(crate) fn tag_slug_set(&self) -> HashSet<String> {
        self.tags.keys().cloned().collect()
    }

    /// Published articles linking to article `i`.
    pub(crate) fn backlinks_of(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.backlinks[i].iter().copied()
    }

    /// The platforms of the notices that pages show as banners (shown or waiting for their start).
    pub(crate) fn notice_platforms(&self) -> HashSet<String> {
        let notices = self.site_json["notices"].as_array().map(Vec::as_slice).unwrap_or_default();
        notices
            .iter()
            .flat_map(|n| n["platforms"].as_array().map(Vec::as_slice).unwrap_or_default())
            .filter_map(|p| p.as_str().map(String::from))
            .collect()
    }

    /// The search index version the pages carry.
    pub(crate) fn search_version(&self) -> String {
        self.site_json["search_version"].as_str().unwrap_or_default().to_string()
    }
}

/// The portal as templates see it: the site and the shared view data.
pub(crate) struct PageRenderer<'a> {
    site: &'a Site,
    data: std::borrow::Cow<'a, ViewData>,
}

impl std::ops::Deref for PageRenderer<'_> {
    type Target = ViewData;

    fn deref(&self) -> &ViewData {
        &self.data
    }
}

impl<'a> PageRenderer<'a> {
    /// Published articles carrying the tag with `slug`.
    pub(crate) fn tag_members(&self, slug: &str) -> impl Iterator<Item = usize> + '_ {
        self.tag_members.get(slug).into_iter().flatten().copied()
    }

    /// Sets the search index version the pages refer to (the manifest's cache-buster).
    pub(crate) fn set_search_version(&mut self, search_version: &str) {
        self.data.to_mut().site_json["search_version"] = search_version.into();
    }

    /// The banner block of a page, as `base.html` includes it: for the home page (`kind` "home")
    /// every notice, else those of `platform`.
    pub(crate) fn render_banners(&self, root: &str, kind: &str, platform: &str) -> Result<String> {
        let mut ctx = tera::Context::new();
        ctx.insert("site", &self.site_json);
        ctx.insert("t", &self.strings);
        ctx.insert("root", root);
        ctx.insert("page_kind", kind);
        ctx.insert("notice_platform", platform);
        templates::render(&self.site.theme, "notice-banners.html", &ctx).map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Makes every page register the offline service worker `sw.js`.
    pub(crate) fn enable_service_worker(&mut self) {
        self.data.to_mut().site_json["service_worker"] = crate::offline::SERVICE_WORKER.into();
    }

    /// PageRenderer of `site` from view data computed before; only valid while no list changed.
    pub(crate) fn with_data(site: &'a Site, data: &'a ViewData) -> PageRenderer<'a> {
        PageRenderer { site, data: std::borrow::Cow::Borrowed(data) }
    }

    /// The shared view data, to keep for later rebuilds.
    pub(crate) fn into_data(self) -> ViewData {
        self.data.into_owned()
    }

    pub(crate) fn new(site: &'a Site) -> PageRenderer<'a> {
        let pages = &site.content.pages;
        let mut published: Vec<usize> = (0..pages.len()).filter(|&i| site.public[i]).collect();
        published.sort_by_cached_key(|&i| (pages[i].platform.clone(), pages[i].display_order()));
        let tag_slugs: Vec<Vec<String>> =
            pages.iter().map(|p| p.tags.iter().map(|t| search_index::slugify(t)).collect()).collect();
        let mut by_title: Vec<usize> = (0..pages.len()).collect();
        by_title.sort_by(|&a, &b| pages[a].title.cmp(&pages[b].title).then(a.cmp(&b)));
        let mut title_rank = vec![0; pages.len()];
        for (rank, &i) in by_title.iter().enumerate() {
            title_rank[i] = rank;
        }
        let mut tag_members: HashMap<String, Vec<usize>> = HashMap::new();
        let mut backlinks: Vec<Vec<usize>> = vec![Vec::new(); pages.len()];
        for &i in &published {
            for slug in &tag_slugs[i] {
                tag_members.entry(slug.clone()).or_default().push(i);
            }
            for &target in &site.rendered[i].links_to {
                backlinks[target].push(i);
            }
        }
        let platforms: Vec<PlatformView> = site
            .config
            .platforms_in_order()
            .into_iter()
            .map(|p| PlatformView::new(p, published.iter().filter(|&&i| pages[i].platform == p.id).count()))
            .collect();
        let platform_names = site.config.platforms.iter().map(|p| (p.id.clone(), p.name.clone())).collect();
        let tags = views::collect_tags(published.iter().map(|&i| &pages[i]));
        let asset_version = asset_version(&site.theme);
        let site_json = serde_json::json!({
            "title": site.config.title,
            "description": site.config.description,
            "organization": site.config.organization,
            "language": site.config.language.code(),
            "base_url": site.config.base_url,
            "platforms": platforms,
            "asset_version": asset_version,
            "generator": format!("Lotse {}", env!("CARGO_PKG_VERSION")),
            "edition": site.edition.name(),
            "notices": active_notices(site),
            "incidents_url": site.notices.as_ref().map(|_| incidents_url(site.config.language)),
            "accessibility": site.config.accessibility,
            "accessibility_url": site.config.accessibility.as_ref().map(|_| accessibility_url(site.config.language)),
            "ticket": site.config.ticket.as_ref().map(|ticket| ticket_view(ticket, site.config.language)),
        });
        let strings = serde_json::to_value(&site.theme.strings).unwrap_or_default();
        let data = ViewData {
            platforms,
            platform_names,
            tags,
            published,
            tag_slugs,
            tag_members,
            backlinks,
            title_rank,
            site_json,
            strings,
        };
        PageRenderer { site, data: std::borrow::Cow::Owned(data) }
    }

    fn card(&self, i: usize) -> ArticleCard {
        let page = &self.site.content.pages[i];
        views::card(
            page,
            self.platform_names.get(&page.platform).map(String::as_str).unwrap_or(""),
            self.site.config.language,
        )
    }

    fn string(&self, key: &str) -> String {
        self.site.theme.strings.get(key).cloned().unwrap_or_else(|| key.to_string())
    }

    /// The context every template gets: site, strings, the path prefix to the site root and so on.
    fn base_context(&self, url: &str, title: &str, kind: &str) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("site", &self.site_json);
        ctx.insert("t", &self.strings);
        ctx.insert("root", &root_prefix(url));
        ctx.insert("page_url", url);
        ctx.insert("page_kind", kind);
        ctx.insert("page_title", title);
        // The platform whose notices a page shows besides the home page's all: set by article
        // and platform pages.
        ctx.insert("notice_platform", "");
        let canonical =
            self.site.config.base_url.as_deref().filter(|b| b.starts_with("http")).map(|b| format!("{b}{url}"));
        ctx.insert("canonical", &canonical);
        ctx
    }

    fn crumbs(&self, items: &[(&str, &str)]) -> Vec<Crumb> {
        let mut crumbs = vec![Crumb { title: self.string("home"), url: String::new() }];
        crumbs.extend(items.iter().map(|(title, url)| Crumb { title: title.to_string(), url: url.to_string() }));
        crumbs
    }

    fn article(&self, i: usize) -> ArticleView {
        let page = &self.site.content.pages[i];
        let rendered = &self.site.rendered[i];
        let toc: Vec<_> = rendered.headings.iter().filter(|h| h.level == 2 || h.level == 3).cloned().collect();
        // Owners and overdue checks are for technicians: never on a page teachers see.
        let internal_readers = self.site.edition != Edition::Public;
        ArticleView {
            card: self.card(i),
            content: rendered.html.clone(),
            show_toc: toc.len() >= self.site.config.toc_min_headings,
            toc,
            tags: page.tags.iter().filter_map(|t| self.tags.get(&search_index::slugify(t)).cloned()).collect(),
            audience: page.audience.iter().map(|a| self.string(&format!("audience_{a}"))).collect(),
            keywords: page.keywords.clone(),
            related: self.related(i).into_iter().map(|j| self.card(j)).collect(),
            owner: if internal_readers { page.owner.clone().unwrap_or_default() } else { String::new() },
            review_overdue_since: match page.review_due(crate::content::DEFAULT_REVIEW_MONTHS) {
                Some(due) if internal_readers && due < self.site.today => {
                    views::display_date(due, self.site.config.language)
                }
                _ => String::new(),
            },
        }
    }

    /// Up to four published articles that share tags with article `i` or link with it.
    ///
    /// Candidates come from the tag and link indexes, not from a scan of every article, so that a
    /// 10,000-article portal does not pay for 100 million comparisons.
    fn related(&self, i: usize) -> Vec<usize> {
        let pages = &self.site.content.pages;
        let mut scores: HashMap<usize, i64> = HashMap::new();
        for slug in &self.tag_slugs[i] {
            for &j in self.tag_members.get(slug).map(Vec::as_slice).unwrap_or_default() {
                *scores.entry(j).or_default() += 3;
            }
        }
        let links = self.site.rendered[i].links_to.iter().filter(|&&j| self.site.public[j]);
        let mut linked: Vec<usize> = links.chain(&self.backlinks[i]).copied().collect();
        linked.sort_unstable();
        linked.dedup();
        for j in linked {
            *scores.entry(j).or_default() += 4;
        }
        scores.remove(&i);
        // Best score first, then title order; only the top four need sorting.
        let mut scored: Vec<(std::cmp::Reverse<i64>, usize, usize)> = scores
            .into_iter()
            .map(|(j, score)| {
                let score = score + i64::from(pages[j].platform == pages[i].platform);
                (std::cmp::Reverse(score), self.title_rank[j], j)
            })
            .collect();
        const RELATED: usize = 4;
        if scored.len() > RELATED {
            scored.select_nth_unstable(RELATED - 1);
            scored.truncate(RELATED);
        }
        scored.sort_unstable();
        scored.into_iter().map(|(_, _, j)| j).collect()
    }
}

/// A short hash of the theme's and portal's static files, appended to asset URLs so that browsers
/// fetch new CSS and JS after a rebuild instead of mixing old assets with new pages.
fn asset_version(theme: &Theme) -> String {
    let mut hash = search_index::fold::Fnv64::new();
    for (path, file) in &theme.static_files {
        hash.update(path.as_bytes());
        if let Ok(bytes) = file.bytes() {
            hash.update(&bytes);
        }
    }
    format!("{:08x}", hash.finish() as u32)
}

fn render_to(
    views: &PageRenderer,
    staging: &dyn SiteWriter,
    template: &str,
    ctx: &tera::Context,
    url: &str,
) -> Option<Diagnostic> {
    let html = match templates::render(&views.site.theme, template, ctx) {
        Ok(html) => html,
        Err(e) => return Some(Diagnostic::error(format!("templates/{template}"), format!("cannot render {url}: {e}"))),
    };
    let written = staging.write(&format!("{url}index.html"), html.as_bytes());
    written.err().map(|e| Diagnostic::error(format!("{url}index.html"), format!("{e:#}")))
}

/// Renders a page of its own (template `<kind>.html`) at `url`, titled by the i18n string
/// `title_key`, with one breadcrumb: the accessibility statement and the ticket form.
fn render_single_page(
    views: &PageRenderer,
    staging: &dyn SiteWriter,
    url: &str,
    title_key: &str,
    kind: &str,
) -> Option<Diagnostic> {
    let title = views.string(title_key);
    let mut ctx = views.base_context(url, &title, kind);
    ctx.insert("breadcrumbs", &views.crumbs(&[(&title, url)]));
    render_to(views, staging, &format!("{kind}.html"), &ctx, url)
}

/// Renders every published article page, in parallel: they are most of a build's work.
fn render_articles(
    views: &PageRenderer,
    staging: &dyn SiteWriter,
    progress: &indicatif::ProgressBar,
) -> Vec<Diagnostic> {
    views
        .published
        .par_iter()
        .filter_map(|&i| {
            let result = render_article_page(views, staging, i);
            progress.inc(1);
            result
        })
        .collect()
}

/// Renders the page of article `i` and writes it; returns the problem if there is one.
pub(crate) fn render_article_page(views: &PageRenderer, writer: &dyn SiteWriter, i: usize) -> Option<Diagnostic> {
    let page = &views.site.content.pages[i];
    let article = views.article(i);
    let platform = views.platforms.iter().find(|p| p.id == page.platform);
    let mut ctx = views.base_context(&page.url, &page.title, "article");
    ctx.insert("article", &article);
    ctx.insert("platform", &platform);
    ctx.insert("notice_platform", &page.platform);
    let platform_name = platform.map(|p| p.name.as_str()).unwrap_or("");
    ctx.insert(
        "breadcrumbs",
        &views.crumbs(&[(platform_name, &format!("{}/", page.platform)), (&page.title, &page.url)]),
    );
    render_to(views, writer, "article.html", &ctx, &page.url)
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

/// `manifest.webmanifest`: makes the portal installable, so a Schul-IT can put it on every iPad's
/// home screen (where Safari keeps its offline data instead of deleting it after seven days).
/// Paths are relative to the manifest, so the portal works under any sub-path.
fn write_web_manifest(views: &PageRenderer, writer: &dyn SiteWriter) -> Result<()> {
    let config = &views.site.config;
    let short_name =
        if config.title.chars().count() <= 15 { config.title.clone() } else { views.string("app_short_name") };
    // The texts go into the theme's JSON template already encoded as JSON strings.
    let json = |text: &str| serde_json::to_string(text).expect("strings serialise");
    let mut ctx = views.base_context("", "", "manifest");
    ctx.insert("name", &json(&config.title));
    ctx.insert("short_name", &json(&short_name));
    ctx.insert("description", &json(&config.description));
    let manifest = templates::render(&views.site.theme, "manifest.webmanifest", &ctx)
        .map_err(|e| anyhow::anyhow!("templates/manifest.webmanifest: {e}"))?;
    writer.write("manifest.webmanifest", manifest.as_bytes()).context("cannot write manifest.webmanifest")
}

/// Which list pages to render: everything in a full build, the lists showing one article in
/// the dev server's incremental rebuilds.
pub(crate) struct ListPages {
    pub(crate) platforms: HashSet<String>,
    pub(crate) tags: HashSet<String>,
}

impl ListPages {
    /// Every platform and tag page.
    pub(crate) fn all(views: &PageRenderer) -> ListPages {
        ListPages {
            platforms: views.platforms.iter().map(|p| p.id.clone()).collect(),
            tags: views.tags.keys().cloned().collect(),
        }
    }
}

/// Renders the home page, the chosen platform and tag pages, the tag overview and the search
/// page: every page that lists articles.
pub(crate) fn render_lists(views: &PageRenderer, writer: &dyn SiteWriter, which: &ListPages) -> Vec<Diagnostic> {
    let site = views.site;
    let pages = &site.content.pages;
    let mut problems = Vec::new();
    // Home.
    let mut ctx = views.base_context("", &site.config.title, "home");
    let featured: Vec<ArticleCard> = {
        let mut list: Vec<usize> = views.published.iter().copied().filter(|&i| pages[i].featured).collect();
        list.sort_by_cached_key(|&i| pages[i].display_order());
        list.into_iter().map(|i| views.card(i)).collect()
    };
    let recent: Vec<ArticleCard> = {
        let mut list: Vec<usize> = views.published.iter().copied().filter(|&i| pages[i].updated.is_some()).collect();
        list.sort_by(|&a, &b| {
            pages[b].updated.cmp(&pages[a].updated).then_with(|| pages[a].title.cmp(&pages[b].title))
        });
        list.into_iter().take(6).map(|i| views.card(i)).collect()
    };
    ctx.insert("featured", &featured);
    ctx.insert("recent", &recent);
    ctx.insert("breadcrumbs", &Vec::<Crumb>::new());
    problems.extend(render_to(views, writer, "home.html", &ctx, ""));

    // Platform pages, grouped by each article's first tag.
    for platform in views.platforms.iter().filter(|p| which.platforms.contains(&p.id)) {
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &i in views.published.iter().filter(|&&i| pages[i].platform == platform.id) {
            let key = views.tag_slugs[i].first().cloned().unwrap_or_default();
            groups.entry(key).or_default().push(i);
        }
        let mut groups: Vec<ArticleGroup> = groups
            .into_iter()
            .map(|(slug, list)| ArticleGroup {
                tag: views.tags.get(&slug).cloned(),
                articles: list.into_iter().map(|i| views.card(i)).collect(),
            })
            .collect();
        // Untagged articles come last, under "more".
        groups.sort_by_key(|g| g.tag.is_none());
        let mut ctx = views.base_context(&platform.url, &platform.name, "platform");
        ctx.insert("platform", platform);
        ctx.insert("notice_platform", &platform.id);
        ctx.insert("groups", &groups);
        ctx.insert("breadcrumbs", &views.crumbs(&[(&platform.name, &platform.url)]));
        problems.extend(render_to(views, writer, "platform.html", &ctx, &platform.url));
    }

    // Tag pages and the tag overview.
    let tags_title = views.string("tags");
    for tag in views.tags.values().filter(|t| which.tags.contains(&t.slug)) {
        let members = views.tag_members.get(&tag.slug).map(Vec::as_slice).unwrap_or_default();
        let articles: Vec<ArticleCard> = members.iter().map(|&i| views.card(i)).collect();
        let mut ctx = views.base_context(&tag.url, &tag.name, "tag");
        ctx.insert("tag", tag);
        ctx.insert("articles", &articles);
        ctx.insert("breadcrumbs", &views.crumbs(&[(&tags_title, "tags/"), (&tag.name, &tag.url)]));
        problems.extend(render_to(views, writer, "tag.html", &ctx, &tag.url));
    }
    let mut ctx = views.base_context("tags/", &tags_title, "tags");
    ctx.insert("tags", &views.tags.values().collect::<Vec<_>>());
    ctx.insert("breadcrumbs", &views.crumbs(&[(&tags_title, "tags/")]));
    problems.extend(render_to(views, writer, "tags.html", &ctx, "tags/"));

    // The search page stays a few kilobytes at any portal size: opening a shared `?q=` link
    // must not download a list of every article first. Without JavaScript it leads to the areas,
    // whose pages list their articles.
    let search_title = views.string("search_title");
    let mut ctx = views.base_context("search/", &search_title, "search");
    ctx.insert("breadcrumbs", &views.crumbs(&[(&search_title, "search/")]));
    problems.extend(render_to(views, writer, "search.html", &ctx, "search/"));

    problems
}

/// The name prefix of the offline caches: the internal portal's never mix with the public one's.
pub(crate) fn cache_prefix(edition: Edition) -> &'static str {
    if edition == Edition::Public {
        "lotse"
    } else {
        "lotse-intern"
    }
}

/// Where the incidents page lives, in the portal's language.
pub(crate) fn incidents_url(language: crate::config::Language) -> &'static str {
    match language {
        crate::config::Language::De => "stoerungen/",
        crate::config::Language::En => "incidents/",
    }
}

/// The notices that are active at build time or announced, for banners: announced ones are
/// hidden until a script sees that their start has come.
fn active_notices(site: &Site) -> Vec<views::NoticeView> {
    let Some(notices) = &site.notices else { return Vec::new() };
    notices.iter().filter(|n| is_current_or_announced(n, site.now)).map(|n| notice_view(site, n)).collect()
}

fn is_current_or_announced(notice: &crate::notices::Notice, now: chrono::DateTime<chrono::FixedOffset>) -> bool {
    notice.is_active(now) || (notice.status != crate::notices::Status::Resolved && notice.start > now)
}

fn notice_view(site: &Site, notice: &crate::notices::Notice) -> views::NoticeView {
    let language = site.config.language;
    let platform_name =
        |id: &str| site.config.platforms.iter().find(|p| p.id == id).map_or_else(|| id.to_string(), |p| p.name.clone());
    let article = notice.article.as_ref().and_then(|path| site.content.pages.iter().find(|p| &p.content_path == path));
    views::NoticeView {
        id: notice.id.clone(),
        title: notice.title.clone(),
        status: notice.status.key(),
        status_label: site
            .theme
            .strings
            .get(&format!("notice_status_{}", notice.status.key()))
            .cloned()
            .unwrap_or_else(|| notice.status.key().to_string()),
        platforms: notice.platforms.clone(),
        platform_names: notice.platforms.iter().map(|p| platform_name(p)).collect(),
        locations: notice.locations.clone(),
        start: notice.start.to_rfc3339(),
        start_display: views::display_time(notice.start, language),
        end: notice.end.map(|e| e.to_rfc3339()).unwrap_or_default(),
        end_display: notice.end.map(|e| views::display_time(e, language)).unwrap_or_default(),
        updated: notice.updated.to_rfc3339(),
        updated_display: views::display_time(notice.updated, language),
        url: format!("{}#{}", incidents_url(language), notice.id),
        article_url: article.map(|p| p.url.clone()).unwrap_or_default(),
        article_title: article.map(|p| p.title.clone()).unwrap_or_default(),
        content: notice.html.clone(),
        upcoming: notice.start > site.now,
    }
}

/// The incidents page (current, upcoming and recent notices) and its Atom feed.
pub(crate) fn render_incidents(
    views: &PageRenderer,
    staging: &dyn SiteWriter,
    notices: &[crate::notices::Notice],
) -> Vec<Diagnostic> {
    let site = views.site;
    let url = incidents_url(site.config.language);
    let now = site.now;
    let view = |n: &crate::notices::Notice| notice_view(site, n);
    let current: Vec<_> = notices.iter().filter(|n| n.is_active(now)).map(view).collect();
    let upcoming: Vec<_> =
        notices.iter().filter(|n| n.status != crate::notices::Status::Resolved && n.start > now).map(view).collect();
    let recent: Vec<_> =
        notices.iter().filter(|n| !n.is_active(now) && n.start <= now && n.is_recent(now)).map(view).collect();
    // With nothing in the last 30 days, the page still says when the last incident was, so that
    // it never looks abandoned.
    let earlier: Vec<_> = if recent.is_empty() {
        notices.iter().filter(|n| !n.is_active(now) && n.start <= now).take(1).map(view).collect()
    } else {
        Vec::new()
    };
    let title = views.string("incidents_title");
    let mut ctx = views.base_context(url, &title, "incidents");
    ctx.insert("current", &current);
    ctx.insert("earlier", &earlier);
    ctx.insert("upcoming", &upcoming);
    ctx.insert("recent", &recent);
    ctx.insert("breadcrumbs", &views.crumbs(&[(&title, url)]));
    let mut problems: Vec<Diagnostic> = render_to(views, staging, "incidents.html", &ctx, url).into_iter().collect();
    // What pages' scripts and the service worker fetch fresh: the current and announced notices.
    let fresh: Vec<_> = notices.iter().filter(|n| is_current_or_announced(n, now)).map(view).collect();
    let json = serde_json::json!({ "notices": fresh });
    if let Err(e) = staging.write(crate::notices::NOTICES_JSON, json.to_string().as_bytes()) {
        problems.push(Diagnostic::error("notices", format!("cannot write {}: {e:#}", crate::notices::NOTICES_JSON)));
    }
    // The feed: everything the page lists, newest update first.
    let mut entries: Vec<&crate::notices::Notice> = notices.iter().filter(|n| n.is_recent(now)).collect();
    entries.sort_by_key(|n| std::cmp::Reverse(n.updated));
    let mut ctx = views.base_context(url, &title, "feed");
    ctx.insert("entries", &entries.into_iter().map(view).collect::<Vec<_>>());
    // The feed changed when a notice last did: the same sources give the same feed, whenever built.
    let last_change = notices.iter().map(|n| n.updated).max();
    ctx.insert("updated", &last_change.map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |t| t.to_rfc3339()));
    ctx.insert("feed_url", &format!("{url}feed.xml"));
    // Without a base URL, entries still need ids that stay the same from build to build.
    ctx.insert("urn", &format!("urn:lotse:{}", search_index::slugify(&site.config.title)));
    match templates::render(&site.theme, "incidents.xml", &ctx) {
        Ok(xml) => {
            if let Err(e) = staging.write(&format!("{url}feed.xml"), xml.as_bytes()) {
                problems.push(Diagnostic::error("notices", format!("cannot write the incidents feed: {e:#}")));
            }
        }
        Err(e) => problems
            .push(Diagnostic::error("templates/incidents.xml", format!("cannot render the incidents feed: {e}"))),
    }
    problems
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
    match language {
        crate::config::Language::De => "problem-melden/",
        crate::config::Language::En => "report-problem/",
    }
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

/// `sitemap.xml` with every public page, so search engines of the school find them.
pub(crate) fn write_sitemap(views: &PageRenderer, staging: &dyn SiteWriter) -> Result<()> {
    let base = views.site.config.base_url.clone().unwrap_or_else(|| "/".into());
    let pages = &views.site.content.pages;
    let mut entries: Vec<(String, Option<String>)> = vec![(String::new(), None)];
    entries.extend(views.platforms.iter().map(|p| (p.url.clone(), None)));
    entries.extend(views.published.iter().map(|&i| (pages[i].url.clone(), pages[i].updated.map(|d| d.to_string()))));
    entries.push(("tags/".into(), None));
    entries.extend(views.tags.values().map(|t| (t.url.clone(), None)));
    entries.push(("search/".into(), None));
    if views.site.config.accessibility.is_some() {
        entries.push((accessibility_url(views.site.config.language).into(), None));
    }
    if views.site.notices.is_some() {
        entries.push((incidents_url(views.site.config.language).into(), None));
    }
    entries.sort();
    // Addresses are escaped here, for XML; the theme's template writes them as they are.
    let entries: Vec<serde_json::Value> = entries
        .into_iter()
        .map(|(url, lastmod)| serde_json::json!({ "loc": markdown::escape_html(&format!("{base}{url}")), "lastmod": lastmod }))
        .collect();
    let mut ctx = views.base_context("", "", "sitemap");
    ctx.insert("entries", &entries);
    let xml = templates::render(&views.site.theme, "sitemap.xml", &ctx)
        .map_err(|e| anyhow::anyhow!("templates/sitemap.xml: {e}"))?;
    staging.write("sitemap.xml", xml.as_bytes()).context("cannot write sitemap.xml")
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
