//! The loaded portal as one model that follows changes: [`LiveSite::apply_changes`] is what the
//! dev server calls after a save. An edit to the text of one article rewrites that article's page
//! only, in milliseconds even in a portal of 10,000 articles.
//!
//! The dev server keeps the rendered model of its last full build. When only article files
//! change and none of what other pages show of them changes (title, summary, platform, tags, date,
//! flags, aliases, links), the changed articles are parsed, rendered and checked again, and their
//! pages are written in place. Everything else (a new or deleted article, a new title, a template,
//! the config) takes a full rebuild, which is always correct. The search index is refreshed
//! afterwards, off the reload path.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{
    render_article_page, render_incidents, render_lists, write_sitemap, BuildOptions, ListPages, PageRenderer, Site,
    ViewData,
};
use crate::content::{self, Page, CONTENT_DIR};
use crate::diagnostics::Diagnostic;
use crate::index::SearchInput;
use crate::markdown;
use crate::output::DirectWriter;

/// What an incremental update did.
#[derive(Debug)]
pub enum Update {
    /// These site paths were rewritten.
    Pages(Vec<String>),
    /// The change needs a full rebuild.
    Full,
    /// The change has errors; nothing was written.
    Failed(Vec<Diagnostic>),
}

/// The dev server's rendered portal, kept between rebuilds.
pub struct LiveSite {
    options: BuildOptions,
    site: Site,
    /// What templates share, with the search version the served pages carry (kept until the
    /// next full build); recomputed only when an update changes a list.
    view_data: ViewData,
    root: PathBuf,
}

/// Whether two versions of an article differ in what list pages and related lists show of it.
fn shown_elsewhere_changed(old: &Page, new: &Page) -> bool {
    old.title != new.title
        || old.summary != new.summary
        || old.tags != new.tags
        || old.updated != new.updated
        || old.featured != new.featured
        || old.weight != new.weight
}

/// Whether two versions of an article differ in what decides which pages exist: its URL,
/// whether it is published, its redirects.
fn structure_changed(old: &Page, new: &Page) -> bool {
    old.url != new.url || old.draft != new.draft || old.internal != new.internal || old.aliases != new.aliases
}

fn tag_slugs(page: &Page) -> HashSet<String> {
    page.tags.iter().map(|t| search_index::slugify(t)).collect()
}

impl LiveSite {
    /// Keeps the site and view data of a successful full build.
    pub fn new(options: BuildOptions, site: Site, view_data: ViewData) -> LiveSite {
        let root = dunce::canonicalize(&options.root).unwrap_or_else(|_| options.root.clone());
        LiveSite { options, site, view_data, root }
    }

    /// Applies changed files (absolute paths) if they allow it.
    pub fn apply_changes(&mut self, changed: &[PathBuf]) -> Update {
        let notices_dir = self.root.join(crate::notices::NOTICES_DIR);
        if !changed.is_empty() && changed.iter().all(|p| p.starts_with(&notices_dir)) {
            return self.update_notices();
        }
        let content_dir = self.root.join(CONTENT_DIR);
        let mut replacements: Vec<(usize, Page)> = Vec::new();
        let mut problems = Vec::new();
        for path in changed {
            let Ok(content_rel) = path.strip_prefix(&content_dir) else { return Update::Full };
            let rel = Path::new(CONTENT_DIR).join(content_rel);
            let known = self.site.content.pages.iter().position(|p| p.source == rel);
            if !path.exists() && known.is_none() && !self.site.content.assets.iter().any(|a| a == content_rel) {
                // A temporary file an editor (or `sed -i`) wrote and renamed away again.
                continue;
            }
            if path.extension().is_none_or(|e| e != "md") || !path.is_file() {
                return Update::Full;
            }
            let Some(index) = known else { return Update::Full };
            if replacements.iter().any(|(i, _)| *i == index) {
                continue;
            }
            match content::load_page(&rel, content_rel, path, &self.site.config) {
                (Some(page), found) if found.is_empty() => {
                    if structure_changed(&self.site.content.pages[index], &page) {
                        return Update::Full;
                    }
                    replacements.push((index, page));
                }
                // A full build reports the front matter's problems together with the body's.
                (Some(_), _) => return Update::Full,
                (None, found) => problems.extend(found),
            }
        }
        if !problems.is_empty() {
            return Update::Failed(problems);
        }
        if replacements.is_empty() {
            return Update::Pages(Vec::new());
        }

        // Swap the new versions in, keeping the old ones to restore on errors.
        let mut previous = Vec::new();
        for (index, page) in replacements {
            previous.push((index, std::mem::replace(&mut self.site.content.pages[index], page)));
        }
        let indices: Vec<usize> = previous.iter().map(|(i, _)| *i).collect();
        // Tags whose pages show a changed article, before or after the change.
        let mut list_tags: HashSet<String> = HashSet::new();
        let mut lists_changed = false;
        for (i, old) in &previous {
            let new = &self.site.content.pages[*i];
            if shown_elsewhere_changed(old, new) {
                lists_changed = true;
                list_tags.extend(tag_slugs(old));
                list_tags.extend(tag_slugs(new));
            }
        }
        // A tag that appears or disappears adds or removes a page: that takes a full build.
        if lists_changed && self.published_tags() != self.view_data.tag_slug_set() {
            for (i, page) in previous {
                self.site.content.pages[i] = page;
            }
            return Update::Full;
        }
        let page_index = self.site.content.pages.iter().enumerate().map(|(i, p)| (p.content_path.clone(), i)).collect();
        let assets = self.site.content.assets.iter().cloned().collect();
        let content_dir = self.options.root.join(CONTENT_DIR);
        // As in a full build: links are checked against what the public portal publishes.
        let linkable: Vec<bool> =
            self.site.content.pages.iter().map(|p| p.is_public(self.options.include_drafts)).collect();
        let ctx = markdown::Context {
            pages: &self.site.content.pages,
            page_index: &page_index,
            public: &linkable,
            included: &self.site.public,
            assets: &assets,
            content_dir: &content_dir,
            language: self.site.config.language,
            raw_html: self.site.config.raw_html,
            portal_pages: &crate::site::portal_pages(&self.site.config),
        };
        let fresh: Vec<markdown::Rendered> = indices.iter().map(|&i| markdown::render(i, &ctx)).collect();
        let links_changed = indices.iter().zip(&fresh).any(|(&i, r)| r.links_to != self.site.rendered[i].links_to);
        let mut old_rendered = Vec::new();
        for (&i, rendered) in indices.iter().zip(fresh) {
            problems.extend(rendered.diagnostics.iter().cloned());
            old_rendered.push((i, std::mem::replace(&mut self.site.rendered[i], rendered)));
        }
        // Links into and out of the changed articles, to headings that may have gone.
        problems.extend(crate::site::check_anchor_links(
            &self.site.content.pages,
            &self.site.rendered,
            |source, target| indices.contains(&source) || indices.contains(&target),
        ));
        if problems.iter().any(Diagnostic::is_error) || links_changed {
            for (i, page) in previous {
                self.site.content.pages[i] = page;
            }
            for (i, rendered) in old_rendered {
                self.site.rendered[i] = rendered;
            }
            return if links_changed { Update::Full } else { Update::Failed(problems) };
        }

        let fresh_data: Option<ViewData> = lists_changed.then(|| {
            let mut views = PageRenderer::new(&self.site);
            views.set_search_version(&self.view_data.search_version());
            views.into_data()
        });
        let views = PageRenderer::with_data(&self.site, fresh_data.as_ref().unwrap_or(&self.view_data));
        let writer = DirectWriter::new(self.options.output.clone());
        let mut articles: Vec<usize> = indices.iter().copied().filter(|&i| self.site.public[i]).collect();
        let mut written: Vec<String> = Vec::new();
        if lists_changed {
            // Articles whose related list may show a changed one: those sharing a tag with it,
            // and those linking to it or linked from it.
            for &i in &indices {
                for slug in &list_tags {
                    articles.extend(views.tag_members(slug));
                }
                articles.extend(self.site.rendered[i].links_to.iter().copied());
                // Links did not change (that takes a full build), so the cached backlinks hold.
                articles.extend(self.view_data.backlinks_of(i));
            }
            let platforms = indices.iter().map(|&i| self.site.content.pages[i].platform.clone()).collect();
            let which = ListPages { platforms, tags: list_tags.clone() };
            let problems = render_lists(&views, &writer, &which);
            if !problems.is_empty() {
                return Update::Failed(problems);
            }
            if let Err(e) = write_sitemap(&views, &writer) {
                return Update::Failed(vec![Diagnostic::error("sitemap.xml", format!("{e:#}"))]);
            }
            written.extend(["/".to_string(), "/tags/".into(), "/search/".into()]);
            written.extend(which.platforms.iter().map(|p| format!("/{p}/")));
            written.extend(which.tags.iter().map(|t| format!("/tags/{t}/")));
        }
        articles.sort_unstable();
        articles.dedup();
        for i in articles.into_iter().filter(|&i| self.site.public[i]) {
            if let Some(problem) = render_article_page(&views, &writer, i) {
                return Update::Failed(vec![problem]);
            }
            written.push(format!("/{}", self.site.content.pages[i].url));
        }
        if let Err(e) = writer.finish() {
            return Update::Failed(vec![Diagnostic::error("lotse", format!("{e:#}"))]);
        }
        drop(views);
        if let Some(data) = fresh_data {
            self.view_data = data;
        }
        Update::Pages(written)
    }

    /// A notice-only change: the notices are read again and only the pages whose banners can
    /// change are written (the home page, the affected platforms' pages and their articles, the
    /// incidents page, its feed and `notices.json`), from the rendered articles in memory. No
    /// article is parsed or rendered again, and the search index stays as it is.
    fn update_notices(&mut self) -> Update {
        let dir = self.options.root.join(crate::notices::NOTICES_DIR);
        // The incidents page and its footer link come or go with the folder: every page changes.
        if dir.is_dir() != self.site.notices.is_some() {
            return Update::Full;
        }
        let linkable: Vec<PathBuf> = self
            .site
            .content
            .pages
            .iter()
            .filter(|p| p.is_public(self.options.include_drafts))
            .map(|p| p.content_path.clone())
            .collect();
        let mut problems = Vec::new();
        let notices = crate::notices::load(&self.options.root, &self.site.config, &linkable, &mut problems);
        if problems.iter().any(Diagnostic::is_error) {
            return Update::Failed(problems);
        }
        let banner_platforms = |data: &ViewData| -> HashSet<String> { data.notice_platforms() };
        let mut platforms = banner_platforms(&self.view_data);
        self.site.notices = Some(notices);
        let mut views = PageRenderer::new(&self.site);
        views.set_search_version(&self.view_data.search_version());
        let data = views.into_data();
        platforms.extend(banner_platforms(&data));
        let views = PageRenderer::with_data(&self.site, &data);
        let writer = DirectWriter::new(self.options.output.clone());
        let which = ListPages { platforms: platforms.clone(), tags: HashSet::new() };
        let mut problems = render_lists(&views, &writer, &which);
        if let Some(notices) = &self.site.notices {
            problems.extend(render_incidents(&views, &writer, notices));
        }
        let mut written: Vec<String> = vec!["/".into(), "/tags/".into(), "/search/".into()];
        written.push(format!("/{}", crate::site::incidents_url(self.site.config.language)));
        written.extend(platforms.iter().map(|p| format!("/{p}/")));
        for &i in &data.published {
            if platforms.contains(&self.site.content.pages[i].platform) {
                problems.extend(render_article_page(&views, &writer, i));
                written.push(format!("/{}", self.site.content.pages[i].url));
            }
        }
        if let Err(e) = writer.finish() {
            problems.push(Diagnostic::error("lotse", format!("{e:#}")));
        }
        if !problems.is_empty() {
            return Update::Failed(problems);
        }
        drop(views);
        self.view_data = data;
        Update::Pages(written)
    }

    /// Slugs of every tag a published article carries: the tag pages that exist.
    fn published_tags(&self) -> HashSet<String> {
        (0..self.site.content.pages.len())
            .filter(|&i| self.site.public[i])
            .flat_map(|i| tag_slugs(&self.site.content.pages[i]))
            .collect()
    }

    /// What the search index needs, to refresh it after an update.
    pub fn search_input(&self) -> SearchInput {
        let published = &self.view_data.published;
        let portal = self.site.search_portal();
        let docs = crate::index::index_docs(&portal, published);
        SearchInput::new(&portal, published, docs)
    }
}
