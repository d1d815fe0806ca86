//! A hash of a portal's sources and build options, all but the notices: recorded with every
//! build, so that the next one can tell whether only notices changed (the notice-only build).

use std::path::{Path, PathBuf};

/// The portal files besides `lotse.yaml` whose every change takes a full build.
const SOURCE_DIRS: &[&str] = &["content", "templates", "themes", "static", "i18n"];

/// FNV-64 over named parts, so that moving bytes between parts changes the hash.
struct Hasher(search_index::fold::Fnv64);

impl Hasher {
    fn new() -> Hasher {
        Hasher(search_index::fold::Fnv64::new())
    }

    fn text(&mut self, text: &str) {
        self.0.update(text.as_bytes());
        self.0.update(&[0]);
    }

    /// A file's name and bytes; a file that cannot be read counts as changed every time.
    fn file(&mut self, path: &Path, name: &str) {
        self.text(name);
        match std::fs::read(path) {
            Ok(bytes) => {
                self.0.update(&(bytes.len() as u64).to_le_bytes());
                self.0.update(&bytes);
            }
            Err(_) => self.text(&format!("unreadable {:?}", std::time::SystemTime::now())),
        }
    }

    fn finish(self) -> String {
        format!("{:016x}", self.0.finish())
    }
}

/// A hash of everything a build reads except the notices, and of the options and the binary: two
/// builds with the same hash differ at most in their notices.
///
/// `options` describes the build (edition, base URL, drafts, service worker) in words; the portal
/// is read from `root`.
pub fn hash(root: &Path, options: &str) -> String {
    let mut h = Hasher::new();
    h.text(concat!(env!("CARGO_PKG_VERSION"), " ", env!("LOTSE_COMMIT"), " ", env!("LOTSE_RUNTIME_HASH")));
    h.text(options);
    // Whether there is a notices folder decides whether there is an incidents page.
    h.text(&root.join(crate::notices::NOTICES_DIR).is_dir().to_string());
    h.file(&root.join(crate::config::CONFIG_FILE), crate::config::CONFIG_FILE);
    for dir in SOURCE_DIRS {
        // By site-style relative path, so that Windows and Linux builds record the same hash.
        let mut files: Vec<(String, PathBuf)> = walkdir::WalkDir::new(root.join(dir))
            .follow_links(true)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = crate::markdown::url_path(e.path().strip_prefix(root).unwrap_or(e.path()));
                (rel, e.into_path())
            })
            .collect();
        files.sort();
        for (rel, file) in files {
            h.file(&file, &rel);
        }
    }
    h.finish()
}
