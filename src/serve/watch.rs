//! Which file changes the preview rebuilds for, and when a changed file may be read: a pure
//! classification of paths (unit-tested below) and the wait for a file that is still being written.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The portal folders whose changes trigger a rebuild (besides `lotse.yaml`).
pub(super) const WATCHED_DIRS: &[&str] = &["content", "templates", "themes", "static", "i18n", "notices"];

/// How often one change may be rebuilt because its files changed during the rebuild; later
/// changes come as new events anyway.
pub(super) const MAX_REBUILDS_PER_CHANGE: usize = 3;

/// How long a changed file must stay the same before it is read.
pub(super) const STABLE_PAUSE: Duration = Duration::from_millis(15);

/// How often a file may be found changing before it is read anyway (about a second).
pub(super) const MAX_STABILITY_CHECKS: usize = 64;

/// Size and modification time of a file, or `None` when it is gone.
pub(super) type FileState = Option<(u64, std::time::SystemTime)>;

pub(super) fn file_state(path: &Path) -> FileState {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// Waits (by calling `pause`) until every path's state is the same twice in a row, at most
/// [`MAX_STABILITY_CHECKS`] times; returns the states last seen.
pub(super) fn wait_until_stable(
    paths: &[PathBuf],
    state: impl Fn(&Path) -> FileState,
    pause: impl Fn(),
) -> Vec<FileState> {
    let mut last: Vec<FileState> = paths.iter().map(|p| state(p)).collect();
    for _ in 0..MAX_STABILITY_CHECKS {
        pause();
        let now: Vec<FileState> = paths.iter().map(|p| state(p)).collect();
        if now == last {
            break;
        }
        last = now;
    }
    last
}

/// Whether a file event concerns the portal's sources (not editor droppings or the output).
pub(super) fn is_relevant(event: &notify::Event, root: &Path) -> bool {
    !matches!(event.kind, notify::EventKind::Access(_)) && event.paths.iter().any(|p| is_relevant_path(p, root))
}

pub(super) fn is_relevant_path(path: &Path, root: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else { return false };
    let name = rel.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let hidden = rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    let scratch = name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".tmp") || name.starts_with(".#");
    let watched = rel == Path::new(crate::config::CONFIG_FILE) || WATCHED_DIRS.iter().any(|dir| rel.starts_with(dir));
    watched && !hidden && !scratch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_only_once_it_stopped_changing() {
        use std::cell::Cell;
        // A writer that needs five looks to finish: sizes 10, 20, 30, 40, then 50 for good.
        let looks = Cell::new(0u64);
        let growing = |_: &Path| {
            looks.set(looks.get() + 1);
            Some((10 * looks.get().min(5), std::time::SystemTime::UNIX_EPOCH))
        };
        let pauses = Cell::new(0);
        let seen = wait_until_stable(&[PathBuf::from("a.md")], growing, || pauses.set(pauses.get() + 1));
        assert_eq!(seen, vec![Some((50, std::time::SystemTime::UNIX_EPOCH))]);
        assert_eq!(pauses.get(), 5, "one pause per change, and one to see it stay");
        // A file that never settles is read after a bounded wait.
        let counter = Cell::new(0u64);
        let restless = |_: &Path| {
            counter.set(counter.get() + 1);
            Some((counter.get(), std::time::SystemTime::UNIX_EPOCH))
        };
        let pauses = Cell::new(0);
        wait_until_stable(&[PathBuf::from("a.md")], restless, || pauses.set(pauses.get() + 1));
        assert_eq!(pauses.get(), MAX_STABILITY_CHECKS);
    }

    #[test]
    fn only_the_portals_sources_count_as_changes() {
        let root = Path::new("/portal");
        for relevant in [
            "lotse.yaml",
            "content/ipad/wlan.md",
            "content/ipad/bild.png",
            "themes/x/templates/base.html",
            "notices/mail.md",
            "i18n/de.yaml",
            "static/logo.svg",
            "templates/article.html",
        ] {
            assert!(is_relevant_path(&root.join(relevant), root), "{relevant}");
        }
        for ignored in [
            "public/index.html",
            "content/ipad/.wlan.md.swp",
            "content/ipad/wlan.md~",
            "content/.git/HEAD",
            "content/ipad/x.tmp",
            "content/ipad/.#wlan.md",
            "README.md",
            "target/debug/lotse",
        ] {
            assert!(!is_relevant_path(&root.join(ignored), root), "{ignored}");
        }
        assert!(!is_relevant_path(Path::new("/elsewhere/content/a.md"), root));
    }
}
