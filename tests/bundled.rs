//! The bundled example portal in `content/` is the product's showcase: it must build cleanly, link
//! correctly and publish nothing internal.

mod common;

use std::path::Path;

use common::{broken_links, files, files_containing};

/// Markdown files of the bundled content, with their text.
fn articles() -> Vec<(String, String)> {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    files(&content)
        .into_iter()
        .filter(|f| f.ends_with(".md"))
        .map(|f| {
            let text = std::fs::read_to_string(content.join(&f)).unwrap();
            (f, text)
        })
        .collect()
}

fn front_matter(text: &str) -> &str {
    text.trim_start_matches("---\n").split("\n---").next().unwrap_or("")
}

#[test]
fn the_bundled_portal_builds_without_errors_or_warnings() {
    let (public, run) = common::bundled_site();
    run.expect_code(0);
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
    let broken = broken_links(public);
    assert!(broken.is_empty(), "broken links: {broken:#?}");
}

#[test]
fn the_bundled_portal_has_enough_real_how_tos() {
    let public_articles: Vec<String> = articles()
        .into_iter()
        .filter(|(_, text)| {
            let fm = front_matter(text);
            !fm.contains("\ninternal: true") && !fm.contains("\ndraft: true")
        })
        .map(|(f, _)| f)
        .collect();
    assert!(public_articles.len() >= 36, "only {} public articles", public_articles.len());
    for (platform, minimum) in [("iserv/", 10), ("office365/", 10), ("ipad/", 10), ("allgemein/", 3)] {
        let count = public_articles.iter().filter(|f| f.starts_with(platform)).count();
        assert!(count >= minimum, "{platform}: {count} articles, want at least {minimum}");
    }
    let (public, run) = common::bundled_site();
    run.expect_code(0);
    for article in &public_articles {
        let page = public.join(article.trim_end_matches(".md")).join("index.html");
        assert!(page.is_file(), "no page for {article}");
    }
    // The showcase uses what the generator offers: callouts, diagrams, highlighted code, tables.
    let all_html: String = files(public)
        .into_iter()
        .filter(|f| f.ends_with("index.html"))
        .map(|f| std::fs::read_to_string(public.join(f)).unwrap())
        .collect();
    for feature in [
        "class=\"callout callout-tip\"",
        ".svg\" alt=\"",
        "<pre class=\"code\" data-lang=",
        "<table>",
        "type=\"checkbox\"",
    ] {
        assert!(all_html.contains(feature), "no article shows {feature}");
    }
}

#[test]
fn internal_and_draft_how_tos_stay_out_of_the_bundled_output() {
    let (public, run) = common::bundled_site();
    run.expect_code(0);
    let hidden: Vec<(String, String)> = articles()
        .into_iter()
        .filter(|(_, text)| {
            let fm = front_matter(text);
            fm.contains("\ninternal: true") || fm.contains("\ndraft: true")
        })
        .collect();
    assert!(!hidden.is_empty(), "the showcase should contain an internal article");
    for (file, text) in hidden {
        let title = front_matter(&text)
            .lines()
            .find_map(|l| l.strip_prefix("title:"))
            .map(|t| t.trim().trim_matches('"').to_string())
            .unwrap();
        let found = files_containing(public, &title);
        assert!(found.is_empty(), "title of {file} leaked into {found:?}");
        let url = file.trim_end_matches(".md");
        let found = files_containing(public, &format!("{url}/"));
        assert!(found.is_empty(), "URL of {file} leaked into {found:?}");
        // A distinctive sentence of the body.
        let body = text.split_once("\n---").map_or("", |(_, body)| body);
        if let Some(sentence) = body.lines().map(str::trim).find(|l| {
            l.len() > 50
                && !l.starts_with(['#', '>', '-', '|', '`', '!'])
                && !l.contains(['*', '[', '`', '_', '<', '&'])
        }) {
            let snippet: String = sentence.chars().take(40).collect();
            let found = files_containing(public, &snippet);
            assert!(found.is_empty(), "text of {file} leaked into {found:?}");
        }
    }
}
