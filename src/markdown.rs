//! Markdown rendering: CommonMark plus the extensions how-tos need, with links checked on the way.
//!
//! The renderer rewrites links between articles (`../iserv/passwort.md`) to built URLs, turns GitHub
//! alerts into callouts with localised labels, highlights code with CSS classes, gives headings
//! stable German anchors, and gives images their size so pages do not shift while loading. It
//! returns the plain text and headings too, so the search index never has to re-parse HTML.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::config::{Language, RawHtml};
use crate::content::Page;
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::raw_html;

/// Syntax definitions load in tens of milliseconds, so only builds with code blocks pay for them.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// The prefix of syntect's CSS classes; the theme styles `.hl-keyword`, `.hl-string` and so on.
const HIGHLIGHT_CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// One entry of an article's table of contents.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct Heading {
    /// 2 for `##` and so on; themes indent the table of contents by it (`toc-level-{{ h.level }}`).
    pub level: u8,
    /// The anchor: `{#id}` from the Markdown, else the slugified text, made unique with `-1`, `-2`, ….
    pub id: String,
    /// The heading's plain text without markup: link text in the table of contents.
    pub title: String,
    /// Where the heading's section begins in [`Rendered::text`] (in bytes): search results show
    /// the sections that match, each linked to its heading.
    #[serde(skip)]
    pub text_start: usize,
}

/// A link to a heading in another article, checked once every article has been rendered.
#[derive(Debug, Clone)]
pub struct AnchorLink {
    /// Index of the linked article in [`Context::pages`].
    pub target: usize,
    /// The fragment without `#`; a dead link unless the target has a heading with this id.
    pub anchor: String,
    /// Byte offset of the link in the source file.
    pub offset: usize,
}

/// What rendering one article produced.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The body as HTML with links already relative to the page; templates output it unescaped.
    pub html: String,
    /// Every heading, in order (level 2 to 6).
    pub headings: Vec<Heading>,
    /// The anchors on this page, for cross-article link checks.
    pub anchors: HashSet<String>,
    /// Body text without markup, for excerpts and the search index.
    pub text: String,
    /// Links to headings of other articles, checked once every article is rendered.
    pub anchor_links: Vec<AnchorLink>,
    /// Files under `content/` that this article shows or links to.
    pub assets_used: Vec<PathBuf>,
    /// Indices of articles this article links to.
    pub links_to: Vec<usize>,
    /// Dead links, missing images or alt text, and links to unpublished articles.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the article holds a guided troubleshooting flow, so its page loads `lotse-flow.js`.
    pub has_flow: bool,
}

/// What the renderer needs to know about the rest of the portal.
pub struct Context<'a> {
    /// Every loaded article, published or not, in the order that `public` and link indices use.
    pub pages: &'a [Page],
    /// Article index by path relative to `content/`.
    pub page_index: &'a HashMap<PathBuf, usize>,
    /// Which articles the public portal publishes: a public article may link only to those.
    pub public: &'a [bool],
    /// Which articles go into this build's output (the internal portal adds internal ones).
    pub included: &'a [bool],
    /// Files other than articles, relative to `content/`, that links and images must point to.
    pub assets: &'a HashSet<PathBuf>,
    /// Absolute path of `content/`, to read image sizes.
    pub content_dir: &'a Path,
    /// The portal's language, for callout labels such as "Hinweis" or "Note".
    pub language: Language,
    /// What raw HTML in articles may do (`raw_html` in `lotse.yaml`).
    pub raw_html: RawHtml,
    /// Pages Lotse generates besides articles, by URL (`problem-melden/`, `search/`, `ipad/`, and
    /// `""` for the home page): articles may link to them like to a folder, `../problem-melden/`.
    pub portal_pages: &'a HashSet<String>,
}

/// Markdown extensions every article gets.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// The localised label of a callout kind.
fn callout_label(kind: BlockQuoteKind, language: Language) -> (&'static str, &'static str) {
    match (kind, language) {
        (BlockQuoteKind::Note, Language::De) => ("note", "Hinweis"),
        (BlockQuoteKind::Tip, Language::De) => ("tip", "Tipp"),
        (BlockQuoteKind::Important, Language::De) => ("important", "Wichtig"),
        (BlockQuoteKind::Warning, Language::De) => ("warning", "Warnung"),
        (BlockQuoteKind::Caution, Language::De) => ("caution", "Vorsicht"),
        (BlockQuoteKind::Note, Language::En) => ("note", "Note"),
        (BlockQuoteKind::Tip, Language::En) => ("tip", "Tip"),
        (BlockQuoteKind::Important, Language::En) => ("important", "Important"),
        (BlockQuoteKind::Warning, Language::En) => ("warning", "Warning"),
        (BlockQuoteKind::Caution, Language::En) => ("caution", "Caution"),
    }
}

pub use crate::html::escape_html;

/// `../` repeated once per folder of `url`, so links work at any host path and sub-path.
pub fn root_prefix(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

struct PendingHeading<'a> {
    level: HeadingLevel,
    id: Option<String>,
    classes: Vec<String>,
    events: Vec<Event<'a>>,
    text: String,
}

struct PendingImage {
    dest: String,
    title: String,
    alt: String,
    offset: usize,
}

/// Renders article `index` of `ctx.pages`.
pub fn render(index: usize, ctx: &Context) -> Rendered {
    let page = &ctx.pages[index];
    let body = page.body();
    let prefix = root_prefix(&page.url);
    let is_public = ctx.public[index];
    let mut out = Rendered::default();
    let mut events: Vec<Event> = Vec::new();
    let mut heading: Option<PendingHeading> = None;
    let mut image: Option<PendingImage> = None;
    let mut code: Option<(String, String)> = None;
    let mut code_offset = 0;
    let mut flow_ids: Vec<(String, usize)> = Vec::new();
    let mut used_ids: HashMap<String, usize> = HashMap::new();
    let mut own_anchor_links: Vec<(String, usize)> = Vec::new();
    let mut has_raw_html = false;
    let mut explicit_ids: HashMap<String, usize> = HashMap::new();

    let emit = |ev: Event<'static>, heading: &mut Option<PendingHeading>, events: &mut Vec<Event>| match heading {
        Some(h) => h.events.push(ev),
        None => events.push(ev),
    };

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let offset = page.body_offset + range.start;
        if let Some((_, buffer)) = code.as_mut() {
            match event {
                Event::Text(t) => buffer.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, source) = code.take().unwrap_or_default();
                    if crate::flow::FLOW_LANGUAGES.contains(&lang.as_str()) {
                        let html = render_flow(
                            &source,
                            code_offset,
                            index,
                            page,
                            ctx,
                            &prefix,
                            &mut out,
                            &mut own_anchor_links,
                            &mut flow_ids,
                        );
                        emit(Event::Html(html.into()), &mut heading, &mut events);
                        continue;
                    }
                    out.text.push_str(&source);
                    out.text.push('\n');
                    emit(Event::Html(highlight(&lang, &source).into()), &mut heading, &mut events);
                }
                _ => {}
            }
            continue;
        }
        if let Some(img) = image.as_mut() {
            match event {
                Event::Text(t) | Event::Code(t) => img.alt.push_str(&t),
                Event::End(TagEnd::Image) => {
                    let img = image.take().expect("inside an image");
                    let html = render_image(&img, page, ctx, &prefix, &mut out);
                    emit(Event::Html(html.into()), &mut heading, &mut events);
                }
                _ => {}
            }
            continue;
        }
        let inline_html = matches!(event, Event::InlineHtml(_));
        match event {
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                if !attrs.is_empty() {
                    // `## Hallo {Vorname}`: Markdown reads the braces as attributes and drops them.
                    let written: Vec<String> = attrs
                        .iter()
                        .map(|(k, v)| v.as_ref().map_or_else(|| k.to_string(), |v| format!("{k}={v}")))
                        .collect();
                    out.diagnostics.push(
                        Diagnostic::error(
                            &page.source,
                            format!("the heading ends in `{{{}}}`, which Markdown reads as heading attributes and leaves out", written.join(" ")),
                        )
                        .at_offset(&page.source_text, offset)
                        .help("to show the braces, write them as `\\{Vorname\\}`; to set the heading's anchor, write `{#anker}`"),
                    );
                }
                if let Some(explicit) = &id {
                    if let Some(first_offset) = explicit_ids.insert(explicit.to_string(), offset) {
                        let line = crate::diagnostics::line_column(&page.source_text, first_offset).0;
                        out.diagnostics.push(
                            Diagnostic::error(&page.source, format!("the anchor `#{explicit}` is set on two headings"))
                                .at_offset(&page.source_text, offset)
                                .help(format!("the heading on line {line} has it already; give this one another `{{#…}}`, so that links reach the heading they mean")),
                        );
                    }
                }
                heading = Some(PendingHeading {
                    level,
                    id: id.map(|s| s.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    events: Vec::new(),
                    text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                let h = heading.take().expect("inside a heading");
                let base = h.id.clone().unwrap_or_else(|| search_index::slugify(&h.text));
                let base = if base.is_empty() { "abschnitt".to_string() } else { base };
                let count = used_ids.entry(base.clone()).or_insert(0);
                let id = if *count == 0 { base.clone() } else { format!("{base}-{count}") };
                *count += 1;
                let level = h.level as u8;
                let class_attr = if h.classes.is_empty() {
                    String::new()
                } else {
                    format!(" class=\"{}\"", escape_html(&h.classes.join(" ")))
                };
                events.push(Event::Html(format!("<h{level} id=\"{}\"{class_attr}>", escape_html(&id)).into()));
                events.extend(h.events);
                events.push(Event::Html(
                    format!("<a class=\"heading-anchor\" href=\"#{}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{level}>\n", escape_html(&id))
                        .into(),
                ));
                let text_start = out.text.len();
                out.text.push_str(&h.text);
                out.text.push('\n');
                out.anchors.insert(id.clone());
                out.headings.push(Heading { level, id, title: h.text.trim().to_string(), text_start });
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next().unwrap_or("").to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
                code_offset = offset;
            }
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                image = Some(PendingImage {
                    dest: dest_url.to_string(),
                    title: title.to_string(),
                    alt: String::new(),
                    offset,
                });
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, label) = callout_label(kind, ctx.language);
                let html = format!(
                    "<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{label}</p>\n"
                );
                emit(Event::Html(html.into()), &mut heading, &mut events);
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => emit(Event::Html("</div>\n".into()), &mut heading, &mut events),
            Event::TaskListMarker(checked) => {
                // A checklist item: a read-only box, named so that screen readers say what it is.
                let label = match ctx.language {
                    Language::De => "Prüfpunkt",
                    Language::En => "Checklist item",
                };
                let state = if checked { " checked" } else { "" };
                let html = format!("<input type=\"checkbox\" disabled{state} aria-label=\"{label}\"> ");
                emit(Event::InlineHtml(html.into()), &mut heading, &mut events);
            }
            Event::Start(Tag::Table(alignments)) => {
                emit(Event::Html("<div class=\"table-wrap\">\n".into()), &mut heading, &mut events);
                emit(Event::Start(Tag::Table(alignments)), &mut heading, &mut events);
            }
            Event::End(TagEnd::Table) => {
                emit(Event::End(TagEnd::Table), &mut heading, &mut events);
                emit(Event::Html("</div>\n".into()), &mut heading, &mut events);
            }
            Event::Html(fragment) | Event::InlineHtml(fragment) if ctx.raw_html == RawHtml::Safe => {
                has_raw_html = true;
                let checked =
                    check_raw_html(&fragment, offset, index, page, ctx, &prefix, &mut out, &mut own_anchor_links);
                let event = if inline_html { Event::InlineHtml(checked.into()) } else { Event::Html(checked.into()) };
                emit(event, &mut heading, &mut events);
            }
            // An e-mail autolink (`<it@schule.example>`): pulldown-cmark writes the `mailto:` itself.
            Event::Start(Tag::Link { link_type: LinkType::Email, dest_url, title, id }) => {
                let link = Tag::Link {
                    link_type: LinkType::Email,
                    dest_url: dest_url.into_static(),
                    title: title.into_static(),
                    id: id.into_static(),
                };
                emit(Event::Start(link), &mut heading, &mut events);
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest = rewrite_link(
                    &dest_url,
                    offset,
                    index,
                    page,
                    ctx,
                    &prefix,
                    is_public,
                    &mut out,
                    &mut own_anchor_links,
                );
                emit(
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url: dest.into(),
                        title: title.into_static(),
                        id: id.into_static(),
                    }),
                    &mut heading,
                    &mut events,
                );
            }
            Event::Text(t) => {
                if let Some(h) = heading.as_mut() {
                    h.text.push_str(&t);
                } else {
                    out.text.push_str(&t);
                }
                emit(Event::Text(t.into_static()), &mut heading, &mut events);
            }
            Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.text.push_str(&t);
                } else {
                    out.text.push_str(&t);
                }
                emit(Event::Code(t.into_static()), &mut heading, &mut events);
            }
            Event::SoftBreak | Event::HardBreak => {
                out.text.push(' ');
                emit(event.into_static(), &mut heading, &mut events);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                out.text.push('\n');
                emit(event.into_static(), &mut heading, &mut events);
            }
            other => emit(other.into_static(), &mut heading, &mut events),
        }
    }

    for (id, offset) in flow_ids {
        if out.headings.iter().any(|h| h.id == id) {
            out.diagnostics.push(
                Diagnostic::error(
                    &page.source,
                    format!("a heading has the anchor `#{id}`, which a step of the flow needs"),
                )
                .at_offset(&page.source_text, offset)
                .help("rename the heading, or give it another anchor with `{#…}`"),
            );
        }
    }
    for (anchor, offset) in own_anchor_links {
        if !out.anchors.contains(&anchor) {
            out.diagnostics.push(missing_anchor(page, &anchor, offset, &out.anchors, "this article"));
        }
    }
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    if has_raw_html {
        // The guarantee behind the diagnostics: whatever the checks above missed is removed.
        out.html = raw_html::sanitize(&out.html);
    }
    out
}

/// Renders a guided troubleshooting flow (a fenced `ablauf` block starting at byte `fence_offset`)
/// and reports its problems; the steps' Markdown goes through the same link checks as the article.
#[allow(clippy::too_many_arguments)]
fn render_flow(
    block: &str,
    fence_offset: usize,
    index: usize,
    page: &Page,
    ctx: &Context,
    prefix: &str,
    out: &mut Rendered,
    own_anchor_links: &mut Vec<(String, usize)>,
    flow_ids: &mut Vec<(String, usize)>,
) -> String {
    let source = &page.source_text;
    if out.has_flow {
        out.diagnostics.push(
            Diagnostic::error(&page.source, "the article has a second flow")
                .at_offset(source, fence_offset)
                .help("an article holds one flow, so that `#schritt-4` names one step; split it into two articles"),
        );
        return String::new();
    }
    out.has_flow = true;
    // The block's lines start on the line after the fence.
    let mut line_offsets = Vec::new();
    let mut at = source[fence_offset..].find('\n').map_or(source.len(), |i| fence_offset + i + 1);
    for _ in block.split_inclusive('\n') {
        line_offsets.push(at);
        at = source[at..].find('\n').map_or(source.len(), |i| at + i + 1);
    }
    let (flow, problems) = crate::flow::parse(block, &line_offsets, fence_offset, &page.source, source);
    out.diagnostics.extend(problems);
    out.diagnostics.extend(crate::flow::validate(&flow, &page.source, source));
    let labels = crate::flow::labels(ctx.language);
    for step in &flow.steps {
        let id = crate::flow::step_id(&labels, step.number);
        out.anchors.insert(id.clone());
        flow_ids.push((id, step.offset));
    }
    let ticket_page = crate::config::ticket_url(ctx.language);
    let ticket_href = ctx.portal_pages.contains(ticket_page).then(|| {
        format!(
            "{prefix}{ticket_page}?article={}&title={}&platform={}",
            query_encode(&page.url),
            query_encode(&page.title),
            query_encode(&page.platform)
        )
    });
    crate::flow::render(&flow, &labels, ticket_href.as_deref(), |text, offsets| {
        render_snippet(text, offsets, index, page, ctx, prefix, out, own_anchor_links)
    })
}

/// Percent-encodes a query value, like JavaScript's `encodeURIComponent`.
fn query_encode(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            encoded.push(byte as char);
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

/// Renders a piece of Markdown inside a flow step: links and images are checked and rewritten
/// like the article's own; `offsets[k]` is where line `k` of `text` starts in the source.
#[allow(clippy::too_many_arguments)]
fn render_snippet(
    text: &str,
    offsets: &[usize],
    index: usize,
    page: &Page,
    ctx: &Context,
    prefix: &str,
    out: &mut Rendered,
    own_anchor_links: &mut Vec<(String, usize)>,
) -> String {
    let source_offset = |at: usize| {
        let line = text[..at].matches('\n').count();
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        offsets.get(line).or(offsets.last()).copied().unwrap_or(0) + (at - line_start)
    };
    let mut events: Vec<Event> = Vec::new();
    let mut image: Option<PendingImage> = None;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        let offset = source_offset(range.start);
        if let Some(img) = image.as_mut() {
            match event {
                Event::Text(t) | Event::Code(t) => img.alt.push_str(&t),
                Event::End(TagEnd::Image) => {
                    let img = image.take().expect("inside an image");
                    events.push(Event::Html(render_image(&img, page, ctx, prefix, out).into()));
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                image = Some(PendingImage {
                    dest: dest_url.to_string(),
                    title: title.to_string(),
                    alt: String::new(),
                    offset,
                });
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) if link_type != LinkType::Email => {
                let is_public = ctx.public[index];
                let dest = rewrite_link(&dest_url, offset, index, page, ctx, prefix, is_public, out, own_anchor_links);
                events.push(Event::Start(Tag::Link { link_type, dest_url: dest.into(), title, id }));
            }
            // Raw HTML in a step is shown as text: a flow's steps are plain Markdown.
            Event::Html(fragment) | Event::InlineHtml(fragment) => {
                out.text.push_str(&fragment);
                events.push(Event::Text(fragment));
            }
            Event::Text(t) => {
                out.text.push_str(&t);
                events.push(Event::Text(t));
            }
            Event::Code(t) => {
                out.text.push_str(&t);
                events.push(Event::Code(t));
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                out.text.push('\n');
                events.push(event);
            }
            other => events.push(other),
        }
    }
    out.text.push('\n');
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// Checks one raw HTML fragment of an article: refused elements and attributes are errors at
/// their line; `href` and `src` are checked and rewritten like Markdown links and images.
#[allow(clippy::too_many_arguments)]
fn check_raw_html(
    fragment: &str,
    offset: usize,
    index: usize,
    page: &Page,
    ctx: &Context,
    prefix: &str,
    out: &mut Rendered,
    own_anchor_links: &mut Vec<(String, usize)>,
) -> String {
    let mut rewritten = String::with_capacity(fragment.len());
    let mut copied = 0;
    for tag in raw_html::tags(fragment) {
        let at = offset + tag.start;
        let refuse = |out: &mut Rendered, message: String| {
            out.diagnostics.push(
                Diagnostic::error(&page.source, message)
                    .at_offset(&page.source_text, at)
                    .help(raw_html::refusal_help()),
            );
        };
        if let Some(why) = raw_html::refusal(&tag, None) {
            if !tag.closing {
                refuse(out, why);
            }
            continue;
        }
        for attribute in &tag.attributes {
            if let Some(why) = raw_html::refusal(&tag, Some(attribute)) {
                refuse(out, why);
            }
        }
        if tag.name == "img"
            && !tag.closing
            && !tag.attributes.iter().any(|a| a.name == "alt" && !a.value.trim().is_empty())
        {
            out.diagnostics.push(
                Diagnostic::error(&page.source, "image in raw HTML has no alt text")
                    .at_offset(&page.source_text, at)
                    .help("describe what the picture shows, for teachers using a screen reader: `<img src=\"bild.png\" alt=\"Einstellungen mit WLAN-Liste\">`"),
            );
        }
        for attribute in &tag.attributes {
            let Some(range) = attribute.value_range.clone() else { continue };
            let value = decode_entities(attribute.value);
            let new_value = match (tag.name.as_str(), attribute.name.as_str()) {
                ("a", "href") if !raw_html::is_safe_link(&value) => {
                    refuse(out, format!("the link `{value}` would run code or open something other than a page"));
                    continue;
                }
                ("a", "href") => {
                    let is_public = ctx.public[index];
                    rewrite_link(&value, at, index, page, ctx, prefix, is_public, out, own_anchor_links)
                }
                ("img", "src") => resolve_image(&value, at, page, ctx, prefix, out).0,
                _ => continue,
            };
            rewritten.push_str(&fragment[copied..range.start]);
            rewritten.push_str(&escape_html(&new_value));
            copied = range.end;
        }
    }
    rewritten.push_str(&fragment[copied..]);
    rewritten
}

/// The few character references that may stand in a link target written in HTML.
fn decode_entities(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    value.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
}

/// The diagnostic for a `#anchor` that names no heading of its target.
pub fn missing_anchor(page: &Page, anchor: &str, offset: usize, anchors: &HashSet<String>, target: &str) -> Diagnostic {
    let d = Diagnostic::error(&page.source, format!("dead link: {target} has no heading `#{anchor}`"))
        .at_offset(&page.source_text, offset);
    match did_you_mean(anchor, anchors.iter().map(String::as_str)) {
        Some(best) => d.help(format!(
            "did you mean `#{best}`? Anchors are made from headings: `## Schüler-WLAN` gives `#schueler-wlan`"
        )),
        None => d.help("anchors are made from headings: `## Schüler-WLAN` gives `#schueler-wlan`"),
    }
}

/// Whether a link destination points outside the site (`https:`, `mailto:`, `//host`).
fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.find(':') {
        Some(i) => {
            let scheme = &dest[..i];
            !scheme.is_empty()
                && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Resolves `dest` against the article's folder inside `content/`; `None` if it climbs out.
fn resolve_in_content(page: &Page, dest: &str) -> Option<PathBuf> {
    crate::content::normalize_lexically(&page.content_dir().join(percent_decode(dest)))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Rewrites one link destination and records what it points to.
#[allow(clippy::too_many_arguments)]
fn rewrite_link(
    dest: &str,
    offset: usize,
    index: usize,
    page: &Page,
    ctx: &Context,
    prefix: &str,
    is_public: bool,
    out: &mut Rendered,
    own_anchor_links: &mut Vec<(String, usize)>,
) -> String {
    if !raw_html::is_safe_link(dest) {
        out.diagnostics.push(
            Diagnostic::error(
                &page.source,
                format!("the link `{dest}` would run code or open something other than a page"),
            )
            .at_offset(&page.source_text, offset)
            .help(
                "link to articles, files beside them, or web (`https:`), mail (`mailto:`) and phone (`tel:`) addresses",
            ),
        );
        return "#".to_string();
    }
    if dest.is_empty() || is_external(dest) || dest.starts_with('/') {
        return dest.to_string();
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        own_anchor_links.push((anchor.to_string(), offset));
        return dest.to_string();
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    let Some(resolved) = resolve_in_content(page, path) else {
        out.diagnostics.push(
            Diagnostic::error(&page.source, format!("dead link: `{dest}` points outside the content folder"))
                .at_offset(&page.source_text, offset)
                .help("link to articles with paths relative to this file, such as `../iserv/passwort-vergessen.md`"),
        );
        return dest.to_string();
    };
    let suffix = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    if resolved.extension().is_some_and(|e| e == "md") {
        let Some(&target) = ctx.page_index.get(&resolved) else {
            let candidates: Vec<String> = ctx.page_index.keys().map(|p| p.to_string_lossy().into_owned()).collect();
            let d = Diagnostic::error(&page.source, format!("dead link: no article `content/{}`", resolved.display()))
                .at_offset(&page.source_text, offset);
            let d = match did_you_mean(&resolved.to_string_lossy(), candidates.iter().map(String::as_str)) {
                Some(best) => d.help(format!("did you mean `{}`?", relative_link(page.content_dir(), Path::new(best)))),
                None => d.help("link paths are relative to this file, such as `../ipad/wlan-verbinden.md`"),
            };
            out.diagnostics.push(d);
            return dest.to_string();
        };
        // In the internal portal, an internal article may link to a public or internal one, but
        // not to a draft that this build leaves out.
        if (is_public && !ctx.public[target]) || (ctx.included[index] && !ctx.included[target]) {
            let why = if ctx.pages[target].internal { "internal" } else { "a draft" };
            out.diagnostics.push(
                Diagnostic::error(
                    &page.source,
                    format!("link to `{}`, which is {why} and not published", ctx.pages[target].source.display()),
                )
                .at_offset(&page.source_text, offset)
                .help("remove the link, or publish the target article; internal articles are for technicians only"),
            );
            return "#".to_string();
        }
        if let Some(anchor) = fragment {
            if target == index {
                own_anchor_links.push((anchor.to_string(), offset));
            } else {
                out.anchor_links.push(AnchorLink { target, anchor: anchor.to_string(), offset });
            }
        }
        out.links_to.push(target);
        return format!("{prefix}{}{suffix}", ctx.pages[target].url);
    }
    if ctx.assets.contains(&resolved) {
        out.assets_used.push(resolved.clone());
        return format!("{prefix}{}{suffix}", url_path(&resolved));
    }
    let page_url = match url_path(&resolved) {
        folder if folder.is_empty() => folder,
        folder => format!("{folder}/"),
    };
    if ctx.portal_pages.contains(&page_url) {
        let query =
            dest.split('#').next().unwrap_or("").split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
        return format!("{prefix}{page_url}{query}{suffix}");
    }
    out.diagnostics.push(
        Diagnostic::error(&page.source, format!("dead link: no file `content/{}`", resolved.display()))
            .at_offset(&page.source_text, offset)
            .help("put the file beside the article, or fix the path (paths are relative to this file)"),
    );
    dest.to_string()
}

/// A content-relative path as a URL path with forward slashes.
pub fn url_path(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// How to write a link from folder `from` to content path `to`, for did-you-mean help.
fn relative_link(from: &Path, to: &Path) -> String {
    let from_parts: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from_parts.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from_parts.len() - common];
    parts.extend(to_parts[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

fn render_image(img: &PendingImage, page: &Page, ctx: &Context, prefix: &str, out: &mut Rendered) -> String {
    let alt = img.alt.trim();
    if alt.is_empty() {
        out.diagnostics.push(
            Diagnostic::error(&page.source, format!("image `{}` has no alt text", img.dest))
                .at_offset(&page.source_text, img.offset)
                .help("describe what the picture shows, for teachers using a screen reader: `![Einstellungen mit WLAN-Liste](bild.png)`"),
        );
    }
    let (src, size) = resolve_image(&img.dest, img.offset, page, ctx, prefix, out);
    let mut html = format!("<img src=\"{}\" alt=\"{}\"", escape_html(&src), escape_html(alt));
    if !img.title.is_empty() {
        let _ = write!(html, " title=\"{}\"", escape_html(&img.title));
    }
    if let Some((w, h)) = size {
        let _ = write!(html, " width=\"{w}\" height=\"{h}\"");
    }
    html.push_str(" loading=\"lazy\" decoding=\"async\">");
    html
}

/// Checks an image path like a Markdown image: inside the portal, existing; returns the URL to
/// publish and the image's size.
fn resolve_image(
    dest: &str,
    offset: usize,
    page: &Page,
    ctx: &Context,
    prefix: &str,
    out: &mut Rendered,
) -> (String, Option<(u64, u64)>) {
    let mut src = dest.to_string();
    let mut size = None;
    if is_external(dest) || dest.starts_with("//") {
        out.diagnostics.push(
            Diagnostic::error(&page.source, format!("image `{}` would be loaded from another site", dest))
                .at_offset(&page.source_text, offset)
                .help("download the image and put it beside the article: the portal loads nothing from third parties"),
        );
    } else if !dest.starts_with('/') {
        match resolve_in_content(page, dest) {
            Some(resolved) if ctx.assets.contains(&resolved) => {
                size = image_size(&ctx.content_dir.join(&resolved));
                src = format!("{prefix}{}", url_path(&resolved));
                out.assets_used.push(resolved);
            }
            resolved => {
                let d = Diagnostic::error(&page.source, format!("image `{}` not found", dest))
                    .at_offset(&page.source_text, offset);
                let folder = resolved.as_deref().and_then(Path::parent).unwrap_or(Path::new("")).to_path_buf();
                let siblings: Vec<String> = ctx
                    .assets
                    .iter()
                    .filter(|a| a.parent() == Some(folder.as_path()))
                    .map(|a| a.file_name().unwrap_or_default().to_string_lossy().into_owned())
                    .collect();
                let name = Path::new(dest).file_name().unwrap_or_default().to_string_lossy().into_owned();
                out.diagnostics.push(match did_you_mean(&name, siblings.iter().map(String::as_str)) {
                    Some(best) => d.help(format!("did you mean `{best}`?")),
                    None => d.help("put the image beside the article; paths are relative to the article file"),
                });
            }
        }
    }
    (src, size)
}

/// Pixel size of a raster image or an SVG, so the browser can reserve its space before it loads.
pub fn image_size(path: &Path) -> Option<(u64, u64)> {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")) {
        let text = std::fs::read_to_string(path).ok()?;
        return svg_size(&text);
    }
    let size = imagesize::size(path).ok()?;
    Some((size.width as u64, size.height as u64))
}

/// Reads `width`/`height` (or else the `viewBox`) of an SVG's root element.
fn svg_size(text: &str) -> Option<(u64, u64)> {
    let start = text.find("<svg")?;
    let end = start + text[start..].find('>')?;
    let tag = &text[start..end];
    let attr = |name: &str| -> Option<String> {
        let needle = format!(" {name}=");
        let pos = tag.find(&needle)? + needle.len();
        let quote = tag[pos..].chars().next()?;
        let rest = &tag[pos + 1..];
        Some(rest[..rest.find(quote)?].to_string())
    };
    let number = |s: String| -> Option<f64> { s.trim().trim_end_matches("px").parse().ok() };
    if let (Some(w), Some(h)) = (attr("width").and_then(number), attr("height").and_then(number)) {
        return Some((w.round() as u64, h.round() as u64));
    }
    let view_box: Vec<f64> =
        attr("viewBox")?.split([' ', ',']).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect();
    match view_box[..] {
        [_, _, w, h] => Some((w.round() as u64, h.round() as u64)),
        _ => None,
    }
}

/// Highlights a code block with CSS classes, or escapes it when the language is unknown.
fn highlight(lang: &str, source: &str) -> String {
    let lang_attr = if lang.is_empty() { String::new() } else { format!(" data-lang=\"{}\"", escape_html(lang)) };
    let known = (!lang.is_empty() && !matches!(lang, "text" | "txt" | "plain"))
        .then(|| SYNTAXES.find_syntax_by_token(lang))
        .flatten();
    let body = match known {
        Some(syntax) => {
            let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, HIGHLIGHT_CLASS_STYLE);
            let ok = LinesWithEndings::from(source)
                .all(|line| generator.parse_html_for_line_which_includes_newline(line).is_ok());
            if ok {
                generator.finalize()
            } else {
                escape_html(source)
            }
        }
        None => escape_html(source),
    };
    // Focusable, so that keyboard users can scroll a long command line into view (WCAG 2.1.1).
    format!("<pre class=\"code\"{lang_attr} tabindex=\"0\"><code>{body}</code></pre>\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_for_test;

    struct Fixture {
        pages: Vec<Page>,
        index: HashMap<PathBuf, usize>,
        public: Vec<bool>,
        assets: HashSet<PathBuf>,
        raw_html: RawHtml,
        portal_pages: HashSet<String>,
    }

    fn fixture(pages: &[(&str, &str)], assets: &[&str]) -> Fixture {
        let pages: Vec<Page> = pages.iter().map(|(p, t)| parse_for_test(p, t).unwrap()).collect();
        let index = pages.iter().enumerate().map(|(i, p)| (p.content_path.clone(), i)).collect();
        let public = pages.iter().map(|p| p.is_public(false)).collect();
        Fixture {
            pages,
            index,
            public,
            assets: assets.iter().map(PathBuf::from).collect(),
            raw_html: RawHtml::Safe,
            portal_pages: ["", "problem-melden/", "ipad/"].into_iter().map(String::from).collect(),
        }
    }

    fn render_first(f: &Fixture) -> Rendered {
        let ctx = Context {
            pages: &f.pages,
            page_index: &f.index,
            public: &f.public,
            included: &f.public,
            assets: &f.assets,
            content_dir: Path::new("/nonexistent"),
            language: Language::De,
            raw_html: f.raw_html,
            portal_pages: &f.portal_pages,
        };
        render(0, &ctx)
    }

    fn messages(r: &Rendered) -> Vec<String> {
        r.diagnostics.iter().map(|d| format!("{}: {}", d.line, d.message)).collect()
    }

    #[test]
    fn raw_html_that_runs_or_loads_is_an_error_at_its_line_and_never_published() {
        let body = "---\ntitle: T\n---\nText <kbd>Strg</kbd> <sup>2</sup>\n\n<script>alert(1)</script>\n\n<img src=\"bild.png\" alt=\"B\" onerror=\"alert(2)\">\n\n<a href=\"javascript:alert(3)\">x</a> [y](javascript:alert(4))\n\n<iframe src=\"https://evil.example/\"></iframe>\n\n<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">\n\n<img src=\"https://evil.example/x.png\" alt=\"x\">\n";
        let f = fixture(&[("ipad/a.md", body)], &["ipad/bild.png"]);
        let r = render_first(&f);
        let found = messages(&r);
        for expected in [
            "6: raw HTML `<script>`",
            "8: the event handler `onerror`",
            "10: the link `javascript:alert(3)`",
            "10: the link `javascript:alert(4)`",
            "12: raw HTML `<iframe>`",
            "14: raw HTML `<meta>`",
            "16: image `https://evil.example/x.png` would be loaded from another site",
        ] {
            assert!(found.iter().any(|m| m.starts_with(expected)), "missing {expected:?} in {found:#?}");
        }
        assert_eq!(found.len(), 7, "{found:#?}");
        for gone in ["<script", "onerror", "javascript:", "<iframe", "<meta", "alert(1)"] {
            assert!(!r.html.contains(gone), "published {gone}: {}", r.html);
        }
        assert!(r.html.contains("<kbd>Strg</kbd>") && r.html.contains("<sup>2</sup>"), "{}", r.html);
    }

    #[test]
    fn links_and_images_in_raw_html_are_checked_and_rewritten_like_markdown() {
        let body = "---\ntitle: T\n---\n<a href=\"b.md#los\">B</a> <img src=\"bild.png\" alt=\"Bild\">\n\n<a href=\"fehlt.md\">x</a>\n\n<img src=\"fehlt.png\" alt=\"x\"> <img src=\"bild.png\">\n";
        let f = fixture(&[("ipad/a.md", body), ("ipad/b.md", "---\ntitle: B\n---\n## Los\n")], &["ipad/bild.png"]);
        let r = render_first(&f);
        assert!(r.html.contains("href=\"../../ipad/b/#los\""), "{}", r.html);
        assert!(r.html.contains("src=\"../../ipad/bild.png\""), "{}", r.html);
        let found = messages(&r);
        assert!(found.iter().any(|m| m.starts_with("6: dead link: no article `content/ipad/fehlt.md`")), "{found:#?}");
        assert!(found.iter().any(|m| m.starts_with("8: image `fehlt.png` not found")), "{found:#?}");
        assert!(found.iter().any(|m| m.starts_with("8: image in raw HTML has no alt text")), "{found:#?}");
    }

    #[test]
    fn trusted_portals_publish_raw_html_as_written() {
        let body = "---\ntitle: T\n---\n<video src=\"film.mp4\" controls></video>\n";
        let mut f = fixture(&[("ipad/a.md", body)], &[]);
        f.raw_html = RawHtml::Trusted;
        let r = render_first(&f);
        assert!(r.diagnostics.is_empty());
        assert!(r.html.contains("<video src=\"film.mp4\" controls></video>"), "{}", r.html);
    }

    #[test]
    fn articles_link_to_generated_pages_like_to_folders() {
        let body =
            "---\ntitle: T\n---\n[Melden](../problem-melden/?platform=ipad) [Start](../) [iPad](./) [Weg](../weg/)\n";
        let f = fixture(&[("ipad/a.md", body)], &[]);
        let r = render_first(&f);
        assert!(r.html.contains("href=\"../../problem-melden/?platform=ipad\""), "{}", r.html);
        assert!(r.html.contains("href=\"../../\""), "{}", r.html);
        assert!(r.html.contains("href=\"../../ipad/\""), "{}", r.html);
        let found = messages(&r);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].contains("dead link: no file `content/weg`"), "{found:#?}");
    }

    #[test]
    fn heading_attributes_that_eat_text_and_duplicate_anchors_are_errors() {
        let body = "---\ntitle: T\n---\n## Hallo {Vorname}\n\n## Eins {#a}\n\n## Zwei {#a}\n\n## Drei {#b .wichtig}\n";
        let f = fixture(&[("ipad/a.md", body)], &[]);
        let r = render_first(&f);
        let found = messages(&r);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].starts_with("4: the heading ends in `{Vorname}`"), "{found:#?}");
        assert!(found[1].starts_with("8: the anchor `#a` is set on two headings"), "{found:#?}");
        assert!(r.diagnostics[1].help.as_deref().unwrap().contains("line 6"));
    }

    #[test]
    fn a_flow_gets_checked_links_escaped_text_a_ticket_link_and_searchable_steps() {
        let body = "---\ntitle: T\n---\n```ablauf\n1. Ist <b>das</b> an?\n   Siehe [B](b.md) und [weg](fehlt.md).\n   - Ja: Gelöst\n   - Nein: Problem melden\n```\n\n[Zu Schritt 1](#schritt-1) [Zu Schritt 2](#schritt-2)\n";
        let f = fixture(&[("ipad/a.md", body), ("ipad/b.md", "---\ntitle: B\n---\n")], &[]);
        let r = render_first(&f);
        let found = messages(&r);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].starts_with("6: dead link: no article `content/ipad/fehlt.md`"), "{found:#?}");
        assert!(found[1].starts_with("11: dead link: this article has no heading `#schritt-2`"), "{found:#?}");
        assert!(r.has_flow);
        assert!(r.html.contains("href=\"../../ipad/b/\""), "{}", r.html);
        assert!(r.html.contains("Ist &lt;b&gt;das&lt;/b&gt; an?"), "{}", r.html);
        assert!(!r.html.contains("<b>das"), "{}", r.html);
        assert!(
            r.html.contains("href=\"../../problem-melden/?article=ipad%2Fa%2F&amp;title=T&amp;platform=ipad\""),
            "{}",
            r.html
        );
        assert!(r.text.contains("Ist <b>das</b> an?") && r.text.contains("Siehe B und weg."), "{}", r.text);
    }

    #[test]
    fn a_heading_cannot_take_the_anchor_of_a_flow_step_and_an_article_has_one_flow() {
        let flow = "```ablauf\n1. A?\n   - Ja: Gelöst\n   - Nein: Gelöst\n```\n";
        let body = format!("---\ntitle: T\n---\n## Schritt 1\n\n{flow}\n{flow}");
        let f = fixture(&[("ipad/a.md", &body)], &[]);
        let r = render_first(&f);
        let found = messages(&r);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().any(|m| m.starts_with("12: the article has a second flow")), "{found:#?}");
        assert!(
            found
                .iter()
                .any(|m| m.starts_with("7: a heading has the anchor `#schritt-1`, which a step of the flow needs")),
            "{found:#?}"
        );
    }

    #[test]
    fn email_autolinks_are_mailto_links_not_dead_links() {
        let f = fixture(&[("ipad/a.md", "---\ntitle: T\n---\nSchreiben Sie an <it@schule.example>.\n")], &[]);
        let r = render_first(&f);
        assert!(r.diagnostics.is_empty(), "{:?}", messages(&r));
        assert!(r.html.contains("<a href=\"mailto:it@schule.example\">it@schule.example</a>"), "{}", r.html);
    }

    #[test]
    fn headings_get_german_anchors_and_unique_ids() {
        let f = fixture(
            &[("ipad/a.md", "---\ntitle: A\n---\n## Schüler-WLAN\n\n## Schüler-WLAN\n\n### Eigene {#custom}\n")],
            &[],
        );
        let r = render_first(&f);
        assert!(r.html.contains("<h2 id=\"schueler-wlan\">Schüler-WLAN"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"schueler-wlan-1\">"), "{}", r.html);
        assert!(r.html.contains("<h3 id=\"custom\">"), "{}", r.html);
        assert_eq!(r.headings.len(), 3);
    }

    #[test]
    fn alerts_become_localised_callouts() {
        let f = fixture(&[("ipad/a.md", "---\ntitle: A\n---\n> [!WARNING]\n> Vorsicht, heiß.\n")], &[]);
        let r = render_first(&f);
        assert!(r.html.contains("<div class=\"callout callout-warning\" role=\"note\">"), "{}", r.html);
        assert!(r.html.contains("<p class=\"callout-title\">Warnung</p>"), "{}", r.html);
        assert!(!r.html.contains("[!WARNING]"));
    }

    #[test]
    fn checklist_boxes_are_named_for_screen_readers() {
        let f = fixture(&[("ipad/a.md", "---\ntitle: A\n---\n- [ ] Neu gestartet\n- [x] Anleitung gelesen\n")], &[]);
        let r = render_first(&f);
        assert!(
            r.html.contains("<input type=\"checkbox\" disabled aria-label=\"Prüfpunkt\"> Neu gestartet"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<input type=\"checkbox\" disabled checked aria-label=\"Prüfpunkt\"> Anleitung gelesen"),
            "{}",
            r.html
        );
    }

    #[test]
    fn article_links_are_rewritten_and_checked() {
        let f = fixture(
            &[
                (
                    "ipad/a.md",
                    "---\ntitle: A\n---\n[B](../iserv/b.md#schritt-1) [C](c.md) [X](../iserv/bb.md) [D](b.md#nix)\n",
                ),
                ("iserv/b.md", "---\ntitle: B\n---\n## Schritt 1\n"),
                ("ipad/c.md", "---\ntitle: C\ninternal: true\n---\n"),
            ],
            &[],
        );
        let r = render_first(&f);
        assert!(r.html.contains("href=\"../../iserv/b/#schritt-1\""), "{}", r.html);
        let messages: Vec<_> = r.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("internal and not published"));
        assert!(messages[1].contains("no article `content/iserv/bb.md`"));
        assert_eq!(r.diagnostics[1].help.as_deref(), Some("did you mean `../iserv/b.md`?"));
        assert!(messages[2].contains("no article `content/ipad/b.md`"));
        assert!(!r.html.contains("ipad/c/"), "internal article leaked: {}", r.html);
        assert_eq!(r.anchor_links.len(), 1);
        assert_eq!(r.diagnostics[0].line, 4);
    }

    #[test]
    fn images_need_alt_text_and_existing_files() {
        let f = fixture(
            &[(
                "ipad/a.md",
                "---\ntitle: A\n---\n![](bild.svg)\n\n![Ein Bild](fehlt.png)\n\n![Extern](https://cdn.example/x.png)\n",
            )],
            &["ipad/bild.svg"],
        );
        let r = render_first(&f);
        let messages: Vec<_> = r.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert_eq!(messages[0], (4, "image `bild.svg` has no alt text"));
        assert_eq!(messages[1], (6, "image `fehlt.png` not found"));
        assert!(messages[2].1.contains("another site"));
        assert!(r.html.contains("src=\"../../ipad/bild.svg\""), "{}", r.html);
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let f = fixture(
            &[(
                "ipad/a.md",
                "---\ntitle: A\n---\n```bash\necho \"<hallo>\"\n```\n\n```powershell\nGet-MgUser <x>\n```\n",
            )],
            &[],
        );
        let r = render_first(&f);
        assert!(
            r.html.contains(
                "<pre class=\"code\" data-lang=\"bash\" tabindex=\"0\"><code><span class=\"hl-source hl-shell"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("Get-MgUser &lt;x&gt;"), "{}", r.html);
        assert!(!r.html.contains("<hallo>"));
    }

    #[test]
    fn same_page_anchors_are_checked() {
        let f = fixture(&[("ipad/a.md", "---\ntitle: A\n---\n## Los geht's\n[hin](#los-geht-s) [weg](#fehlt)\n")], &[]);
        let r = render_first(&f);
        assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
        assert!(r.diagnostics[0].message.contains("`#fehlt`"));
    }

    #[test]
    fn svg_sizes_come_from_attributes_or_viewbox() {
        assert_eq!(svg_size("<svg xmlns=\"x\" width=\"640\" height=\"360px\">"), Some((640, 360)));
        assert_eq!(svg_size("<svg viewBox=\"0 0 300 150\">"), Some((300, 150)));
    }

    #[test]
    fn root_prefix_climbs_one_level_per_folder() {
        assert_eq!(root_prefix("ipad/wlan/"), "../../");
        assert_eq!(root_prefix(""), "");
    }
}
