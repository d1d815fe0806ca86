//! Entry points for fuzzing the generator's input side (`fuzz/` at the repository root runs them
//! with libFuzzer; `tests/fuzz_seeds.rs` runs the committed seeds in every test run). Each takes
//! any bytes and must neither panic nor hang: whatever a technician saves, Lotse answers with
//! diagnostics.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content::{parse_page, CONTENT_DIR};
use crate::markdown::{self, Context};

/// `lotse.yaml` and an article's front matter.
pub fn front_matter(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let _ = Config::parse(Path::new("lotse.yaml"), &text);
    let config = default_config();
    let _ = parse_page(Path::new("content/ipad/x.md"), Path::new("ipad/x.md"), text, &config);
}

/// An article body rendered with its links, images and raw HTML checked against a small portal.
pub fn markdown(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let config = default_config();
    // With a front matter of its own, the input is an article; without, it becomes the body.
    let article = if text.starts_with("---") { text.into_owned() } else { format!("---\ntitle: Fuzz\n---\n{text}") };
    let mut pages = Vec::new();
    for (rel, source) in
        [("ipad/x.md", article.as_str()), ("iserv/passwort.md", "---\ntitle: Passwort\n---\n## Los {#los}\n")]
    {
        let path = Path::new(CONTENT_DIR).join(rel);
        if let (Some(page), _) = parse_page(&path, Path::new(rel), source.to_string(), &config) {
            pages.push(page);
        }
    }
    let page_index: HashMap<PathBuf, usize> =
        pages.iter().enumerate().map(|(i, p)| (p.content_path.clone(), i)).collect();
    let public = vec![true; pages.len()];
    let assets: HashSet<PathBuf> = ["ipad/bild.png", "ipad/plan.svg"].iter().map(PathBuf::from).collect();
    let portal_pages = crate::site::portal_pages(&config);
    for raw_html in [crate::config::RawHtml::Safe, crate::config::RawHtml::Trusted] {
        let ctx = Context {
            pages: &pages,
            page_index: &page_index,
            public: &public,
            included: &public,
            assets: &assets,
            content_dir: Path::new("/nonexistent"),
            language: config.language,
            raw_html,
            portal_pages: &portal_pages,
        };
        for index in 0..pages.len() {
            let _ = markdown::render(index, &ctx);
        }
    }
}

fn default_config() -> Config {
    Config::parse(Path::new("lotse.yaml"), "title: Fuzz\nticket:\n  email: it@schule.example\n")
        .expect("a valid config")
}
