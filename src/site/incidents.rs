//! Outage notices as pages show them: the banners' data, the incidents page, its feed and
//! `notices.json`.

use super::*;

/// Where the incidents page lives, in the portal's language.
pub(crate) fn incidents_url(language: crate::config::Language) -> &'static str {
    match language {
        crate::config::Language::De => "stoerungen/",
        crate::config::Language::En => "incidents/",
    }
}

/// The notices that are active at build time or announced, for banners: announced ones are
/// hidden until a script sees that their start has come.
pub(super) fn active_notices(site: &Site) -> Vec<views::NoticeView> {
    let Some(notices) = &site.notices else { return Vec::new() };
    notices.iter().filter(|n| is_current_or_announced(n, site.now)).map(|n| notice_view(site, n)).collect()
}

pub(super) fn is_current_or_announced(
    notice: &crate::notices::Notice,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> bool {
    notice.is_active(now) || (notice.status != crate::notices::Status::Resolved && notice.start > now)
}

pub(super) fn notice_view(site: &Site, notice: &crate::notices::Notice) -> views::NoticeView {
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
