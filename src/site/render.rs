//! Rendering the portal's pages: the view model the templates share ([`ViewData`]), the renderer
//! with its per-page contexts ([`PageRenderer`]), every page kind, the sitemap and the web manifest.

use super::*;

/// What the page templates share, computed once per build from the whole portal. The dev server
/// keeps it between rebuilds that change no list, so that re-rendering one article stays cheap.
#[derive(Clone)]
pub(crate) struct ViewData {
    pub(super) platforms: Vec<PlatformView>,
    pub(super) platform_names: HashMap<String, String>,
    pub(super) tags: BTreeMap<String, TagView>,
    /// Public article indices, in display order (platform, weight, title).
    pub(crate) published: Vec<usize>,
    /// Tag slugs of every article, by article index.
    pub(super) tag_slugs: Vec<Vec<String>>,
    /// Published articles of each tag slug, in display order.
    pub(super) tag_members: HashMap<String, Vec<usize>>,
    /// Published articles linking to each article, by article index.
    pub(super) backlinks: Vec<Vec<usize>>,
    /// Each article's position in title order, so ties are broken without comparing strings.
    pub(super) title_rank: Vec<usize>,
    pub(super) site_json: serde_json::Value,
    pub(super) strings: serde_json::Value,
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
    pub(super) site: &'a Site,
    pub(super) data: std::borrow::Cow<'a, ViewData>,
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

    pub(super) fn card(&self, i: usize) -> ArticleCard {
        let page = &self.site.content.pages[i];
        views::card(
            page,
            self.platform_names.get(&page.platform).map(String::as_str).unwrap_or(""),
            self.site.config.language,
        )
    }

    pub(super) fn string(&self, key: &str) -> String {
        self.site.theme.strings.get(key).cloned().unwrap_or_else(|| key.to_string())
    }

    /// The context every template gets: site, strings, the path prefix to the site root and so on.
    pub(super) fn base_context(&self, url: &str, title: &str, kind: &str) -> tera::Context {
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

    pub(super) fn crumbs(&self, items: &[(&str, &str)]) -> Vec<Crumb> {
        let mut crumbs = vec![Crumb { title: self.string("home"), url: String::new() }];
        crumbs.extend(items.iter().map(|(title, url)| Crumb { title: title.to_string(), url: url.to_string() }));
        crumbs
    }

    pub(super) fn article(&self, i: usize) -> ArticleView {
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
            has_flow: rendered.has_flow,
            qr_address: self.qr_address(&page.url).unwrap_or_default(),
        }
    }

    /// The absolute address a QR code for the page at `url` leads to, if QR codes are made.
    pub(crate) fn qr_address(&self, url: &str) -> Option<String> {
        crate::qr::address(self.site.config.base_url.as_deref(), url)
    }

    /// The wall sheet's entries for published articles `members`, in their display order.
    fn sheet_entries(&self, members: impl Iterator<Item = usize>) -> Vec<SheetEntry> {
        let pages = &self.site.content.pages;
        members
            .filter_map(|i| {
                Some(SheetEntry {
                    title: pages[i].title.clone(),
                    summary: pages[i].summary.clone(),
                    address: self.qr_address(&pages[i].url)?,
                    url: pages[i].url.clone(),
                })
            })
            .collect()
    }

    /// Renders the wall sheet ("Aushang") at `{list_url}aushang/`, for the list page `list_url`
    /// titled `title`, and returns its folder for the list page's link: `None` without QR codes,
    /// or when an article `aushang.md` has that address (the article keeps it; the list has no sheet).
    fn render_sheet(
        &self,
        writer: &dyn SiteWriter,
        list_url: &str,
        title: &str,
        crumbs: &[(&str, &str)],
        members: impl Iterator<Item = usize>,
    ) -> (Option<&'static str>, Option<Diagnostic>) {
        let entries = self.sheet_entries(members);
        let url = format!("{list_url}{SHEET_DIR}/");
        if entries.is_empty() || self.site.content.pages.iter().any(|p| p.url == url) {
            return (None, None);
        }
        let sheet_title = format!("{}: {title}", self.string("sheet_title"));
        let mut ctx = self.base_context(&url, &sheet_title, "sheet");
        ctx.insert("sheet_title", title);
        ctx.insert("entries", &entries);
        let mut trail = crumbs.to_vec();
        trail.push((sheet_title.as_str(), url.as_str()));
        ctx.insert("breadcrumbs", &self.crumbs(&trail));
        (Some(SHEET_DIR), render_to(self, writer, "sheet.html", &ctx, &url))
    }

    /// Up to four published articles that share tags with article `i` or link with it.
    ///
    /// Candidates come from the tag and link indexes, not from a scan of every article, so that a
    /// 10,000-article portal does not pay for 100 million comparisons.
    pub(super) fn related(&self, i: usize) -> Vec<usize> {
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
pub(super) fn asset_version(theme: &Theme) -> String {
    let mut hash = search_index::fold::Fnv64::new();
    for (path, file) in &theme.static_files {
        hash.update(path.as_bytes());
        if let Ok(bytes) = file.bytes() {
            hash.update(&bytes);
        }
    }
    format!("{:08x}", hash.finish() as u32)
}

pub(super) fn render_to(
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
pub(super) fn render_single_page(
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
pub(super) fn render_articles(
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
    if let Some(address) = views.qr_address(&page.url) {
        let path = format!("{}{}", page.url, crate::qr::FILE);
        if let Err(e) = writer.write(&path, crate::qr::svg(&address).as_bytes()) {
            return Some(Diagnostic::error(&page.source, format!("cannot write {path}: {e:#}")));
        }
    }
    render_to(views, writer, "article.html", &ctx, &page.url)
}

/// The folder of a platform's or tag's wall sheet, below the list page: `ipad/aushang/`.
pub(crate) const SHEET_DIR: &str = "aushang";

/// `manifest.webmanifest`: makes the portal installable, so a Schul-IT can put it on every iPad's
/// home screen (where Safari keeps its offline data instead of deleting it after seven days).
/// Paths are relative to the manifest, so the portal works under any sub-path.
pub(super) fn write_web_manifest(views: &PageRenderer, writer: &dyn SiteWriter) -> Result<()> {
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
        let members = views.published.iter().copied().filter(|&i| pages[i].platform == platform.id);
        let crumbs = [(platform.name.as_str(), platform.url.as_str())];
        let (sheet_url, problem) = views.render_sheet(writer, &platform.url, &platform.name, &crumbs, members);
        ctx.insert("sheet_url", &sheet_url);
        problems.extend(problem);
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
        let crumbs = [(tags_title.as_str(), "tags/"), (tag.name.as_str(), tag.url.as_str())];
        let (sheet_url, problem) = views.render_sheet(writer, &tag.url, &tag.name, &crumbs, members.iter().copied());
        ctx.insert("sheet_url", &sheet_url);
        problems.extend(problem);
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
