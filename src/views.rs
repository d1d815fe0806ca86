//! The data templates see: the theme API.
//!
//! Templates get these view types, never the internal model, so internal fields can change freely
//! while a renamed field here is a breaking change for every theme. All `url` fields are relative to
//! the site root and end in `/`; templates put the page's `root` prefix in front of them.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::config::{Language, Platform};
use crate::content::Page;
use crate::markdown::Heading;

/// A platform as shown on tiles and in breadcrumbs.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformView {
    /// The platform id; themes use it in CSS classes (`platform-{{ p.id }}`) and as the search filter value.
    pub id: String,
    /// Display name for tiles, breadcrumbs and the footer navigation.
    pub name: String,
    /// One line for the tile and the platform page's lead; may be empty, so test it with `{% if %}`.
    pub description: String,
    /// Icon name without `.svg`; templates load `{{ root }}assets/icons/{{ p.icon }}.svg`.
    pub icon: String,
    /// The platform page, such as `iserv/`; link with `{{ root }}{{ p.url }}`.
    pub url: String,
    /// Number of published articles.
    pub count: usize,
}

impl PlatformView {
    /// The view of `platform` with `count` published articles; its `url` is `<id>/`.
    pub fn new(platform: &Platform, count: usize) -> Self {
        PlatformView {
            id: platform.id.clone(),
            name: platform.name.clone(),
            description: platform.description.clone(),
            icon: platform.icon.clone(),
            url: format!("{}/", platform.id),
            count,
        }
    }
}

/// A tag with the URL of its page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct TagView {
    /// The most frequent spelling among the articles, shown as the tag's label.
    pub name: String,
    /// URL-safe key such as `schueler-wlan`; spellings with the same slug are one tag.
    pub slug: String,
    /// The tag page, `tags/<slug>/`; link with `{{ root }}{{ tag.url }}`.
    pub url: String,
    /// Number of published articles with this tag, shown on the tag page and the overview.
    pub count: usize,
}

/// An article in a list: enough for a result card, without its content.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleCard {
    /// Never empty: the card's link text, and the `<h1>` on the article page.
    pub title: String,
    /// One or two sentences, may be empty: test it with `{% if %}` before showing it.
    pub summary: String,
    /// The article page, such as `ipad/wlan-verbinden/`; link with `{{ root }}{{ article.url }}`.
    pub url: String,
    /// For CSS classes such as `platform-{{ article.platform_id }}` and the link `{{ article.platform_id }}/`.
    pub platform_id: String,
    /// Display name for the platform badge on cards and article pages.
    pub platform_name: String,
    /// ISO date (`2026-10-14`) for `<time datetime>`, empty when unknown.
    pub updated: String,
    /// The date as people read it in the portal's language: `14. Oktober 2026`.
    pub updated_display: String,
    /// Set by `featured: true`; lets a theme mark cards of frequent problems (the default theme does not).
    pub featured: bool,
    /// `draft` or `internal` for articles that teachers never see (they appear only in the
    /// preview and the internal portal, marked); empty otherwise.
    pub status: &'static str,
}

/// Everything an article page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleView {
    /// Title, summary, URL, platform and dates; flattened, so templates write `article.title`.
    #[serde(flatten)]
    pub card: ArticleCard,
    /// Rendered HTML of the body; safe to output unescaped.
    pub content: String,
    /// `##` and `###` headings for the table of contents.
    pub toc: Vec<Heading>,
    /// True when `toc` has at least `toc_min_headings` entries; show the table of contents only then.
    pub show_toc: bool,
    /// The article's tags, in front-matter order, with the URL of each tag page.
    pub tags: Vec<TagView>,
    /// Audience labels in the portal's language.
    pub audience: Vec<String>,
    /// The words teachers search for; the default theme does not show them, but a theme may.
    pub keywords: Vec<String>,
    /// Up to four published articles sharing tags or links with this one, best first, for cards.
    pub related: Vec<ArticleCard>,
    /// Who keeps the article current (`owner:`); shown only in the internal portal and the preview.
    pub owner: String,
    /// When the article was due for its check, in running text, if that day has passed; only in
    /// the internal portal and the preview, whose readers can do something about it.
    pub review_overdue_since: String,
    /// Whether the body holds a guided troubleshooting flow; the page then loads `lotse-flow.js`.
    pub has_flow: bool,
    /// The article's absolute address when `base_url` is a full web address, else empty; its QR
    /// code is then `qr.svg` beside the page, for the printed handout.
    pub qr_address: String,
}

/// One article on a wall sheet ("Aushang"): its title and the QR code leading to it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SheetEntry {
    pub title: String,
    pub summary: String,
    /// The absolute address the QR code encodes, printed under it for those without a camera.
    pub address: String,
    /// The article page, such as `ipad/wlan-verbinden/`; its QR code is `{{ root }}{{ url }}qr.svg`.
    pub url: String,
}

/// A group of articles under a heading, such as one tag on a platform page.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleGroup {
    /// The tag of the group, or `None` for articles without tags.
    pub tag: Option<TagView>,
    /// The group's articles as cards, ordered by weight, then title.
    pub articles: Vec<ArticleCard>,
}

/// One step of the breadcrumb trail; the last one is the current page.
#[derive(Debug, Clone, Serialize)]
pub struct Crumb {
    /// The link text; the first crumb is the theme string `home`.
    pub title: String,
    /// Relative to the site root (empty for the home page); link with `{{ root }}{{ crumb.url }}`.
    pub url: String,
}

const MONTHS_DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// An outage notice as banners, the incidents page and the feed show it.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    /// The anchor on the incidents page.
    pub id: String,
    pub title: String,
    /// `investigating`, `identified`, `monitoring` or `resolved`; the label is the theme string
    /// `notice_status_<status>`.
    pub status: &'static str,
    /// The status in words, from the theme string `notice_status_<status>`.
    pub status_label: String,
    /// Platform ids, for showing the notice on their pages (and, in scripts, in their searches).
    pub platforms: Vec<String>,
    pub platform_names: Vec<String>,
    pub locations: Vec<String>,
    /// RFC 3339 times for `<time datetime>` and for scripts that hide ended notices.
    pub start: String,
    pub start_display: String,
    /// Empty while the incident lasts.
    pub end: String,
    pub end_display: String,
    /// The newest update the notice names.
    pub updated: String,
    pub updated_display: String,
    /// The notice on the incidents page, relative to the site root.
    pub url: String,
    /// The how-to with the workaround, relative to the site root; empty when none.
    pub article_url: String,
    pub article_title: String,
    /// The body as HTML (Markdown without raw HTML or images); safe to output unescaped.
    pub content: String,
    /// Announced: it starts after the build; its banner stays hidden until then.
    pub upcoming: bool,
}

/// A date and time as written in running text: `7. Dezember 2026, 8:40 Uhr`.
pub fn display_time(time: chrono::DateTime<chrono::FixedOffset>, language: Language) -> String {
    use chrono::Timelike;
    let date = display_date(time.date_naive(), language);
    match language {
        Language::De => format!("{date}, {}:{:02} Uhr", time.hour(), time.minute()),
        Language::En => format!("{date}, {}:{:02}", time.hour(), time.minute()),
    }
}

/// A date as written in running text of the portal's language.
pub fn display_date(date: NaiveDate, language: Language) -> String {
    let month = date.month0() as usize;
    match language {
        Language::De => format!("{}. {} {}", date.day(), MONTHS_DE[month], date.year()),
        Language::En => format!("{} {} {}", date.day(), MONTHS_EN[month], date.year()),
    }
}

/// The list card of an article.
pub fn card(page: &Page, platform_name: &str, language: Language) -> ArticleCard {
    ArticleCard {
        title: page.title.clone(),
        summary: page.summary.clone(),
        url: page.url.clone(),
        platform_id: page.platform.clone(),
        platform_name: platform_name.to_string(),
        updated: page.updated.map(|d| d.to_string()).unwrap_or_default(),
        updated_display: page.updated.map(|d| display_date(d, language)).unwrap_or_default(),
        featured: page.featured,
        status: if page.draft {
            "draft"
        } else if page.internal {
            "internal"
        } else {
            ""
        },
    }
}

/// Tags keyed by slug, each shown with its most frequent spelling.
pub fn collect_tags<'a>(pages: impl Iterator<Item = &'a Page>) -> BTreeMap<String, TagView> {
    let mut spellings: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for page in pages {
        for tag in &page.tags {
            *spellings.entry(search_index::slugify(tag)).or_default().entry(tag.clone()).or_default() += 1;
        }
    }
    spellings
        .into_iter()
        .map(|(slug, names)| {
            let count = names.values().sum();
            let name =
                names.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(n, _)| n.clone()).unwrap_or_default();
            let url = format!("tags/{slug}/");
            (slug.clone(), TagView { name, slug, url, count })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_naturally() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        assert_eq!(display_date(d, Language::De), "4. März 2026");
        assert_eq!(display_date(d, Language::En), "4 March 2026");
    }
}
