//! The dev server's incremental rebuild against the truth: a seeded, random sequence of edits is
//! applied to a portal while `lotse serve` runs, and after each one the served folder must equal a
//! fresh full `lotse build` of the same sources, file for file and byte for byte. A difference
//! fails with the step that caused it and the files that differ.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{Portal, Server};

/// A small, deterministic random source (xorshift), so that a failing sequence can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The preview's state: build version and current errors.
fn status(serve: &Server) -> serde_json::Value {
    serde_json::from_str(&serve.get("/__lotse/poll").2).unwrap()
}

/// Every file of a site folder with its bytes, as a visitor can reach it. Left out, by design of
/// the preview: the output marker (whose file list the preview extends as it writes); the search
/// index version in pages (a cache-buster for hosts, which the preview, sending `no-store`, does
/// not re-render every page for); and earlier search files that the current manifest no longer
/// names (kept for pages opened before the refresh, which may still read them).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let manifest = std::fs::read_to_string(dir.join("search/manifest.json")).unwrap_or_default();
    let mut named = manifest.clone();
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(&manifest) {
        if json["docs"]["prefix"].is_string() {
            for chunk in common::docs_chunks(&json) {
                named.push_str(&chunk);
                named.push_str(&std::fs::read_to_string(dir.join("search").join(&chunk)).unwrap_or_default());
            }
        }
    }
    common::files(dir)
        .into_iter()
        .filter(|f| f != ".lotse-output.json")
        .filter(|f| match f.strip_prefix("search/") {
            Some(rel) if rel.contains('/') => named.contains(rel),
            _ => true,
        })
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap_or_default();
            let bytes = if f.ends_with(".html") { without_search_version(&bytes) } else { bytes };
            (f, bytes)
        })
        .collect()
}

/// A page with its `data-search-version` value removed.
fn without_search_version(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let attribute = "data-search-version=\"";
    match text.find(attribute) {
        Some(start) => {
            let value = start + attribute.len();
            let end = text[value..].find('"').map_or(text.len(), |i| value + i);
            format!("{}{}", &text[..value], &text[end..]).into_bytes()
        }
        None => bytes.to_vec(),
    }
}

fn differences(served: &BTreeMap<String, Vec<u8>>, built: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut found = Vec::new();
    for (file, bytes) in built {
        match served.get(file) {
            None => found.push(format!("missing in the preview: {file}")),
            Some(other) if other != bytes => found.push(format!("differs: {file}")),
            Some(_) => {}
        }
    }
    found.extend(served.keys().filter(|f| !built.contains_key(*f)).map(|f| format!("only in the preview: {f}")));
    found
}

/// The sources as the test changes them: article files by path, plus images.
struct Sources {
    root: PathBuf,
    articles: Vec<String>,
    next_id: usize,
}

impl Sources {
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join("content").join(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.root.join("content").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Replaces the value of a front-matter line `key: …`, or adds the line.
    fn set_field(&self, rel: &str, key: &str, value: Option<&str>) {
        let text = self.read(rel);
        let (front, body) = text[4..].split_once("\n---\n").unwrap();
        let mut lines: Vec<String> =
            front.lines().filter(|l| !l.starts_with(&format!("{key}:"))).map(String::from).collect();
        if let Some(value) = value {
            lines.push(format!("{key}: {value}"));
        }
        self.write(rel, &format!("---\n{}\n---\n{body}", lines.join("\n")));
    }

    /// One random edit of the kinds a technician makes; returns what it did.
    fn edit(&mut self, rng: &mut Rng) -> String {
        let pick = self.articles[rng.below(self.articles.len())].clone();
        let other = self.articles[rng.below(self.articles.len())].clone();
        match rng.below(11) {
            0 => {
                let text = self.read(&pick);
                self.write(&pick, &format!("{text}\nNoch ein Absatz {}.\n", rng.next() % 1000));
                format!("text of {pick}")
            }
            1 => {
                self.set_field(&pick, "title", Some(&format!("Neuer Titel {}", rng.next() % 1000)));
                format!("title of {pick}")
            }
            2 => {
                let tags = ["[wlan]", "[drucken, wlan]", "[neu-tag]", "[]"][rng.below(4)];
                self.set_field(&pick, "tags", Some(tags));
                format!("tags of {pick} to {tags}")
            }
            3 => {
                let link = relative(&pick, &other);
                let text = self.read(&pick);
                self.write(&pick, &format!("{text}\nSiehe auch [die andere Anleitung]({link}).\n"));
                format!("link from {pick} to {other}")
            }
            4 => {
                let draft = if self.read(&pick).contains("draft: true") { None } else { Some("true") };
                self.set_field(&pick, "draft", draft);
                format!("draft of {pick}: {draft:?}")
            }
            5 => {
                let internal = if self.read(&pick).contains("internal: true") { None } else { Some("true") };
                self.set_field(&pick, "internal", internal);
                format!("internal of {pick}: {internal:?}")
            }
            6 => {
                self.next_id += 1;
                let rel = format!("{}/neu-{}.md", ["ipad", "iserv", "allgemein"][rng.below(3)], self.next_id);
                self.write(
                    &rel,
                    &format!("---\ntitle: Neu {}\ntags: [wlan]\n---\nFrisch geschrieben.\n", self.next_id),
                );
                self.articles.push(rel.clone());
                format!("new article {rel}")
            }
            7 if self.articles.len() > 3 => {
                let index = rng.below(self.articles.len());
                let rel = self.articles.remove(index);
                std::fs::remove_file(self.root.join("content").join(&rel)).unwrap();
                // Links to it would now be dead: remove them, as a technician would (every line
                // with a link to a file of that name, whatever the path or anchor).
                let name = Path::new(&rel).file_name().unwrap().to_string_lossy().into_owned();
                let every_article: Vec<String> =
                    common::files(&self.root.join("content")).into_iter().filter(|f| f.ends_with(".md")).collect();
                for article in &every_article {
                    let text = self.read(article);
                    let kept: String = text
                        .lines()
                        .filter(|l| {
                            !(l.contains("](") && l.contains(&format!("{name})")) || l.contains(&format!("{name}#")))
                        })
                        .map(|l| format!("{l}\n"))
                        .collect();
                    if kept != text {
                        self.write(article, &kept);
                    }
                }
                format!("deleted {rel}")
            }
            8 => {
                let folder = Path::new(&pick).parent().unwrap().to_string_lossy().into_owned();
                let name = format!("bild-{}.svg", rng.next() % 100);
                self.write(
                    &format!("{folder}/{name}"),
                    &format!(
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"20\"></svg>",
                        10 + rng.below(50)
                    ),
                );
                let text = self.read(&pick);
                if !text.contains(&name) {
                    self.write(&pick, &format!("{text}\n![Ein Schaubild]({name})\n"));
                }
                format!("image {name} in {pick}")
            }
            9 => {
                self.set_field(&pick, "summary", Some(&format!("Kurz gesagt {}", rng.next() % 1000)));
                format!("summary of {pick}")
            }
            _ => {
                self.set_field(&pick, "weight", Some(&(rng.below(20)).to_string()));
                format!("weight of {pick}")
            }
        }
    }
}

/// The Markdown link from article `from` to article `to`, both relative to `content/`.
fn relative(from: &str, to: &str) -> String {
    let from_folder = Path::new(from).parent().unwrap();
    let to_path = Path::new(to);
    if to_path.parent() == Some(from_folder) {
        to_path.file_name().unwrap().to_string_lossy().into_owned()
    } else {
        format!("{}{to}", "../".repeat(from_folder.components().count()))
    }
}

/// Waits until the preview equals a full build of the sources, or the deadline passes; returns
/// the differences left.
fn settle(serve: &Server, expected: &BTreeMap<String, Vec<u8>>, since: u64) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = status(serve);
        let rebuilt = status["version"].as_u64().unwrap() > since;
        let found = differences(&tree(&serve.build), expected);
        if rebuilt && found.is_empty() {
            return found;
        }
        if Instant::now() > deadline {
            return if rebuilt { found } else { vec!["the preview never rebuilt".into()] };
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn incremental_rebuilds_equal_a_full_build_after_every_edit() {
    let portal = Portal::fixture("valid");
    // The preview registers no service worker; a portal without offline mode builds the same.
    let config = std::fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
    portal.write("lotse.yaml", &format!("{config}offline: false\n"));
    let mut sources = Sources {
        root: portal.root().to_path_buf(),
        articles: vec![
            "ipad/wlan.md".into(),
            "ipad/drucken/index.md".into(),
            "iserv/passwort-vergessen.md".into(),
            "allgemein/drucker.md".into(),
        ],
        next_id: 0,
    };
    // `--public`: the preview of exactly what `lotse build` publishes, so that the two compare
    // byte for byte (the default preview adds drafts and internal articles, marked).
    let serve = Server::start_with(portal.root(), &["--public"]);
    let full = tempfile::tempdir().unwrap();
    let seed = std::env::var("LOTSE_EDIT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261205u64);
    let mut rng = Rng(seed);
    let mut last_good: Option<BTreeMap<String, Vec<u8>>> = None;
    let mut check = |step: usize, what: &str, version: u64| {
        let output = full.path().join(format!("step-{step}"));
        let run = common::lotse(
            &[
                "build",
                "--root",
                portal.root().to_str().unwrap(),
                "--output",
                output.to_str().unwrap(),
                "--base-url",
                "/",
            ],
            portal.root(),
        );
        if run.code != 0 {
            // The sources are broken (a random edit can link a public article to an internal
            // one): the preview reports it and keeps serving the last good site.
            let deadline = Instant::now() + Duration::from_secs(20);
            while status(&serve)["errors"].as_array().unwrap().is_empty() {
                assert!(Instant::now() < deadline, "step {step} (seed {seed}) — {what}: the preview showed no error");
                std::thread::sleep(Duration::from_millis(50));
            }
            if let Some(good) = &last_good {
                let found = differences(&tree(&serve.build), good);
                assert!(
                    found.is_empty(),
                    "step {step} (seed {seed}) — {what}: a failed rebuild changed the preview: {found:#?}"
                );
            }
            return false;
        }
        let expected = tree(&output);
        let found = settle(&serve, &expected, version);
        assert!(
            found.is_empty(),
            "step {step} (seed {seed}) — {what}: the preview differs from a full build:\n{found:#?}"
        );
        assert!(status(&serve)["errors"].as_array().unwrap().is_empty(), "step {step}: errors left after a good build");
        last_good = Some(expected);
        true
    };
    let mut broken_builds = 0;
    for step in 1..=40 {
        let version = status(&serve)["version"].as_u64().unwrap();
        if step % 13 == 0 {
            // The error path on purpose: a dead link, then its fix.
            let pick = sources.articles[0].clone();
            let text = sources.read(&pick);
            sources.write(&pick, &format!("{text}\n[kaputt](gibt-es-nicht.md)\n"));
            assert!(!check(step, &format!("dead link in {pick}"), version), "step {step}: the dead link built");
            let version = status(&serve)["version"].as_u64().unwrap();
            sources.write(&pick, &text);
            check(step, &format!("dead link in {pick} fixed"), version);
            continue;
        }
        let what = sources.edit(&mut rng);
        if !check(step, &what, version) {
            broken_builds += 1;
            // Undo what broke the build the way a technician would: publish what it links to.
            for article in sources.articles.clone() {
                sources.set_field(&article, "internal", None);
                sources.set_field(&article, "draft", None);
            }
            let version = status(&serve)["version"].as_u64().unwrap();
            assert!(check(step, &format!("{what}, repaired"), version), "step {step}: the repair did not build");
        }
    }
    assert!(broken_builds < 20, "the edits broke the build too often to test much: {broken_builds}");
}
