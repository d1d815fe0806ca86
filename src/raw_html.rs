//! Raw HTML in articles: what a portal publishes of it, and the sanitizer that enforces it.
//!
//! Markdown lets a technician write HTML, and an article body may come from a copy and paste or
//! from someone who should not run scripts on every teacher's iPad. By default (`raw_html: safe`)
//! Lotse publishes only harmless formatting elements ([`ALLOWED_ELEMENTS`]) and reports everything
//! else as an error at its line, so nothing disappears silently: scripts, event handlers,
//! `javascript:` links, frames, forms, `<meta>` and anything loaded from another site. Links and
//! images in the HTML that remains are checked and rewritten like Markdown ones. Every article's
//! finished HTML then passes through ammonia with the same allow-list, as the guarantee behind
//! the diagnostics. `raw_html: trusted` publishes raw HTML as written (see the README for the risk).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

/// Elements a technician may write as HTML in an article by default: text formatting that cannot
/// run code or load anything. `a` and `img` are allowed too, with their targets checked.
pub const ALLOWED_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "br",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
];

/// Attributes any allowed element may carry.
const GENERIC_ATTRIBUTES: &[&str] = &["class", "id", "title", "lang", "dir"];

/// Attributes of single elements, besides [`GENERIC_ATTRIBUTES`].
const ELEMENT_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("img", &["src", "alt", "width", "height"]),
    ("details", &["open"]),
    ("ol", &["start", "reversed"]),
    ("td", &["colspan", "rowspan"]),
    ("th", &["colspan", "rowspan", "scope"]),
    ("abbr", &[]),
];

/// What Lotse itself writes into article bodies (headings with anchors, callouts, code, tables,
/// checklists, footnotes, images); the final sanitizer pass keeps it.
const GENERATED_ELEMENTS: &[&str] =
    &["h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "input", "section", "caption", "colgroup", "col"];

/// One tag found in a raw HTML fragment.
#[derive(Debug)]
pub struct Tag<'a> {
    /// Byte offset of the `<` in the fragment.
    pub start: usize,
    /// Byte offset just past the `>`.
    pub end: usize,
    /// Lowercase element name.
    pub name: String,
    pub closing: bool,
    pub attributes: Vec<Attribute<'a>>,
}

/// One attribute of a [`Tag`], with the byte range of its value in the fragment.
#[derive(Debug)]
pub struct Attribute<'a> {
    pub name: String,
    pub value: &'a str,
    /// Where the value stands in the fragment (inside its quotes), for rewriting it.
    pub value_range: Option<std::ops::Range<usize>>,
}

static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*/?>"#,
    )
    .expect("valid tag pattern")
});

static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"#).expect("valid attribute pattern")
});

/// The tags of a raw HTML fragment, in order. Comments and text are skipped.
pub fn tags(fragment: &str) -> Vec<Tag<'_>> {
    let mut found = Vec::new();
    for caps in TAG.captures_iter(fragment) {
        let whole = caps.get(0).expect("group 0");
        let attrs = caps.get(3).expect("group 3");
        let mut attributes = Vec::new();
        for a in ATTRIBUTE.captures_iter(attrs.as_str()) {
            let value = a.get(2).or_else(|| a.get(3)).or_else(|| a.get(4));
            attributes.push(Attribute {
                name: a[1].to_ascii_lowercase(),
                value: value.map(|v| v.as_str()).unwrap_or(""),
                value_range: value.map(|v| attrs.start() + v.start()..attrs.start() + v.end()),
            });
        }
        found.push(Tag {
            start: whole.start(),
            end: whole.end(),
            name: caps[2].to_ascii_lowercase(),
            closing: !caps[1].is_empty(),
            attributes,
        });
    }
    found
}

/// Why a tag or attribute is not published by default, if it is not.
pub fn refusal(tag: &Tag, attribute: Option<&Attribute>) -> Option<String> {
    let Some(attribute) = attribute else {
        if ALLOWED_ELEMENTS.contains(&tag.name.as_str()) {
            return None;
        }
        return Some(match tag.name.as_str() {
            "script" => "raw HTML `<script>` would run code on every teacher's device".to_string(),
            "iframe" | "frame" | "object" | "embed" => {
                format!("raw HTML `<{}>` would embed another page or program", tag.name)
            }
            "meta" | "link" | "base" => {
                format!("raw HTML `<{}>` would change what the page loads or where it goes", tag.name)
            }
            "style" => "raw HTML `<style>` would change the whole page".to_string(),
            "form" | "input" | "button" | "textarea" | "select" => {
                format!("raw HTML `<{}>` would ask teachers for input the portal never handles", tag.name)
            }
            name => format!("raw HTML `<{name}>` is not published"),
        });
    };
    let name = attribute.name.as_str();
    if name.starts_with("on") {
        return Some(format!("the event handler `{name}` on `<{}>` would run code", tag.name));
    }
    if name == "style" {
        return Some(format!(
            "the `style` attribute on `<{}>` is not published (it is blocked by the portal's CSP)",
            tag.name
        ));
    }
    let own = ELEMENT_ATTRIBUTES.iter().find(|(element, _)| *element == tag.name).map(|(_, a)| *a).unwrap_or(&[]);
    if GENERIC_ATTRIBUTES.contains(&name) || own.contains(&name) || name.starts_with("aria-") {
        return None;
    }
    Some(format!("the attribute `{name}` on `<{}>` is not published", tag.name))
}

/// The help for every raw HTML refusal.
pub fn refusal_help() -> String {
    format!(
        "write it in Markdown instead; raw HTML may use {} (with `href` and `src` checked like Markdown links). A portal that trusts every author can set `raw_html: trusted` in lotse.yaml (see the README for the risk)",
        ALLOWED_ELEMENTS.iter().filter(|e| !matches!(**e, "a" | "img")).map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")
    )
}

/// Whether a link target is safe to publish: relative, or a web, mail or phone address.
pub fn is_safe_link(target: &str) -> bool {
    let lower: String = target
        .trim()
        .chars()
        .filter(|c| !c.is_ascii_control() && !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    match lower.find(':') {
        Some(colon) if !lower[..colon].contains(['/', '?', '#']) => {
            matches!(&lower[..colon], "http" | "https" | "mailto" | "tel")
        }
        _ => true,
    }
}

/// Files beside articles that a browser would run as code on the portal's own address.
const SCRIPT_EXTENSIONS: &[&str] = &["js", "mjs", "html", "htm", "xhtml", "xht"];

static SVG_ACTIVE_CONTENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)<script|<foreignobject|\son[a-z]+\s*=|javascript:|(?:href|src)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//"#,
    )
    .expect("valid SVG pattern")
});

/// Refuses a file beside the articles that would run code in the portal: scripts and HTML
/// pages, and SVG images with scripts, event handlers or references to other sites.
pub fn check_asset(rel: &std::path::Path, path: &std::path::Path) -> Option<crate::diagnostics::Diagnostic> {
    use crate::diagnostics::Diagnostic;
    let extension = path.extension()?.to_string_lossy().to_ascii_lowercase();
    if SCRIPT_EXTENSIONS.contains(&extension.as_str()) {
        return Some(
            Diagnostic::error(rel, format!("a `.{extension}` file beside the articles would run as code on the portal's address"))
                .help("remove it; files for the site's own scripts belong into a theme. A portal that trusts every author can set `raw_html: trusted` in lotse.yaml"),
        );
    }
    if extension != "svg" {
        return None;
    }
    let text = String::from_utf8_lossy(&std::fs::read(path).ok()?).into_owned();
    let found = SVG_ACTIVE_CONTENT.find(&text)?;
    Some(
        Diagnostic::error(rel, format!("this SVG contains `{}`, which could run code or load from another site", found.as_str().trim()))
            .at_offset(&text, found.start())
            .help("export the drawing again without scripts, event handlers or links to other sites (for example as \"plain SVG\"), or convert it to PNG"),
    )
}

/// The sanitizer for finished article HTML: the raw-HTML allow-list plus what Lotse generates.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    let tags: HashSet<&str> = ALLOWED_ELEMENTS.iter().chain(GENERATED_ELEMENTS).copied().collect();
    let mut tag_attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (element, attributes) in ELEMENT_ATTRIBUTES {
        tag_attributes.entry(element).or_default().extend(attributes.iter().copied());
    }
    // Lotse's own markup: heading anchors, images with their size, checklists, code, table alignment.
    tag_attributes.entry("a").or_default().extend(["aria-hidden", "tabindex"]);
    tag_attributes.entry("img").or_default().extend(["loading", "decoding"]);
    tag_attributes.entry("input").or_default().extend(["type", "disabled", "checked"]);
    tag_attributes.entry("pre").or_default().extend(["data-lang"]);
    for cell in ["th", "td"] {
        tag_attributes.entry(cell).or_default().insert("style");
    }
    let generic: HashSet<&str> =
        GENERIC_ATTRIBUTES.iter().copied().chain(["role", "aria-label", "aria-hidden", "aria-describedby"]).collect();
    builder
        .tags(tags)
        .clean_content_tags(HashSet::from(["script", "style"]))
        .tag_attributes(tag_attributes)
        .generic_attributes(generic)
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .link_rel(None)
        .strip_comments(true)
        // ammonia reserves `class` unless asked: themes style callouts and code by class.
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("th" | "td", "style") => {
                let align = value.trim().trim_end_matches(';');
                matches!(align, "text-align: left" | "text-align: center" | "text-align: right").then(|| value.into())
            }
            _ => Some(value.into()),
        });
    builder
});

/// Article HTML with everything outside the allow-list removed.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tags_and_attribute_values() {
        let found = tags(r#"<kbd>Strg</kbd> <img src="a b.png" alt='x'  onerror=alert(1)>"#);
        let names: Vec<_> = found.iter().map(|t| (t.name.as_str(), t.closing)).collect();
        assert_eq!(names, [("kbd", false), ("kbd", true), ("img", false)]);
        let img = &found[2];
        assert_eq!(
            img.attributes.iter().map(|a| (a.name.as_str(), a.value)).collect::<Vec<_>>(),
            [("src", "a b.png"), ("alt", "x"), ("onerror", "alert(1)")]
        );
        assert!(refusal(img, Some(&img.attributes[2])).is_some());
        assert!(refusal(img, Some(&img.attributes[0])).is_none());
    }

    #[test]
    fn refuses_what_runs_or_loads() {
        for html in ["<script>", "<iframe src=x>", "<meta http-equiv=refresh>", "<object>", "<style>", "<form>"] {
            let tag = &tags(html)[0];
            assert!(refusal(tag, None).is_some(), "{html}");
        }
        for html in ["<kbd>", "<details open>", "<summary>", "<mark>", "<sup>", "<br/>"] {
            let tag = &tags(html)[0];
            assert!(refusal(tag, None).is_none(), "{html}");
            assert!(tag.attributes.iter().all(|a| refusal(tag, Some(a)).is_none()), "{html}");
        }
        assert!(!is_safe_link("javascript:alert(1)"));
        assert!(!is_safe_link(" JaVa\tScript:alert(1)"));
        assert!(!is_safe_link("data:text/html,x"));
        assert!(is_safe_link("https://schule.example/"));
        assert!(is_safe_link("../ipad/wlan.md#a:b"));
        assert!(is_safe_link("mailto:it@schule.example"));
    }

    #[test]
    fn svgs_with_active_content_and_scripts_are_refused_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            check_asset(std::path::Path::new(name), &path)
        };
        let clean = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 10 10\">\n<a href=\"#x\"><rect width=\"5\" height=\"5\"/></a></svg>";
        assert!(write("ok.svg", clean).is_none());
        for (name, svg) in [
            ("script.svg", "<svg>\n<script>alert(1)</script></svg>"),
            ("handler.svg", "<svg>\n<rect onload=\"alert(1)\"/></svg>"),
            ("external.svg", "<svg>\n<image href=\"https://evil.example/x.png\"/></svg>"),
            ("foreign.svg", "<svg>\n<foreignObject><iframe/></foreignObject></svg>"),
        ] {
            let found = write(name, svg).unwrap_or_else(|| panic!("{name} passed"));
            assert!(found.is_error());
            assert_eq!(found.line, 2, "{name}");
        }
        assert!(write("tool.js", "alert(1)").is_some_and(|d| d.is_error()));
        assert!(write("seite.html", "<p>").is_some_and(|d| d.is_error()));
        assert!(write("merkblatt.pdf", "%PDF").is_none());
    }

    #[test]
    fn the_sanitizer_keeps_lotses_markup_and_removes_the_rest() {
        let own = r##"<h2 id="a">A<a class="heading-anchor" href="#a" aria-hidden="true" tabindex="-1">#</a></h2>
<div class="callout callout-note" role="note"><p class="callout-title">Hinweis</p></div>
<pre class="code" data-lang="bash"><code><span class="hl-source">ls</span></code></pre>
<table><thead><tr><th style="text-align: center">x</th></tr></thead></table>
<p><input type="checkbox" disabled checked aria-label="Prüfpunkt"> <kbd>Strg</kbd> <img src="bild.svg" alt="Bild" width="10" height="5" loading="lazy" decoding="async"></p>"##;
        let clean = sanitize(own);
        for kept in [
            "id=\"a\"",
            "heading-anchor",
            "tabindex=\"-1\"",
            "role=\"note\"",
            "data-lang=\"bash\"",
            "hl-source",
            "text-align: center",
            "disabled",
            "checked",
            "<kbd>",
            "loading=\"lazy\"",
            "width=\"10\"",
        ] {
            assert!(clean.contains(kept), "lost {kept}: {clean}");
        }
        let hostile = r#"<p>x<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">y</a><iframe src="https://evil.example"></iframe><td style="background:url(x)">"#;
        let clean = sanitize(hostile);
        for gone in ["script", "alert(1)", "onerror", "javascript", "iframe", "evil", "background"] {
            assert!(!clean.contains(gone), "kept {gone}: {clean}");
        }
    }
}
