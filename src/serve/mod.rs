//! The dev server: builds the portal into a temporary folder, serves it on loopback, rebuilds when
//! a file changes, and tells open pages to reload.
//!
//! A failed rebuild never takes the preview down: the last good site stays served, and every open
//! page shows the errors in an overlay until they are fixed. Pages learn about rebuilds by long
//! polling `/__lotse/poll` (plain HTTP, no WebSocket needed) and reload only when a file they show
//! changed, keeping their scroll position. The HTTP side, with its bounds, is in `http.rs`.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use notify::Watcher as _;

use crate::diagnostics::{self, Diagnostic};
use crate::output::DirectWriter;
use crate::site::{self, BuildError, BuildOptions, Edition};

mod http;
mod incremental;

use incremental::{LiveSite, Update};

/// How long an editor's burst of saves may take before the rebuild starts: editors write a file
/// (or a temporary file and a rename) within a few milliseconds.
const DEBOUNCE: Duration = Duration::from_millis(15);
/// How long the search index refresh waits after a rebuild, so that it does not compete with the
/// browsers reloading the changed pages.
const SEARCH_REFRESH_DELAY: Duration = Duration::from_millis(300);

/// The portal folders whose changes trigger a rebuild (besides `lotse.yaml`).
const WATCHED_DIRS: &[&str] = &["content", "templates", "themes", "static", "i18n", "notices"];

/// What `lotse serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The portal folder; saves to its content, config, templates, themes, static files or strings rebuild.
    pub root: PathBuf,
    /// The address to listen on: 127.0.0.1 by default, `0.0.0.0` shares the preview on the LAN.
    pub bind: String,
    /// The port to listen on; 0 picks any free port.
    pub port: u16,
    /// `--drafts`: drafts also in a `--public` or LAN preview.
    pub include_drafts: bool,
    /// `--public`: exactly what `lotse build` publishes.
    pub public_only: bool,
    /// `--internal`: internal articles also on a LAN preview.
    pub internal_on_lan: bool,
    /// Open the preview URL in the default browser once the first build is served.
    pub open: bool,
    /// Print only errors and the serving URL, no build summaries.
    pub quiet: bool,
}

/// What open pages need to know: the build version, the current errors, and what changed last.
#[derive(Debug, Default, serde::Serialize)]
struct Status {
    version: u64,
    errors: Vec<String>,
    /// Site paths whose content changed in the last successful rebuild; `*` for all pages.
    changed: Vec<String>,
}

/// The current status; open pages' long polls wait for its next version.
type Shared = tokio::sync::watch::Sender<Status>;

/// Runs the dev server until Ctrl-C.
pub fn run(options: ServeOptions) -> Result<()> {
    let temp = tempfile::Builder::new().prefix("lotse-serve-").tempdir().context("cannot create a temporary folder")?;
    let output = temp.path().join("public");
    let address: SocketAddr = format!("{}:{}", options.bind, options.port)
        .parse()
        .with_context(|| format!("`{}` is not an IP address to listen on", options.bind))?;
    let listener = TcpListener::bind(address).with_context(|| format!("cannot listen on {address}"))?;
    let local = listener.local_addr()?;
    let (edition, include_drafts) = preview_edition(&options, address.ip().is_loopback());
    let build_options = BuildOptions {
        root: options.root.clone(),
        output: output.clone(),
        base_url: Some("/".into()),
        include_drafts,
        edition,
        progress: false,
        service_worker: false,
    };

    let shared: Shared = tokio::sync::watch::Sender::new(Status::default());
    let mut preview = Preview {
        options: build_options,
        live: None,
        hashes: BTreeMap::new(),
        search: Arc::new(SearchRefresh::default()),
    };
    preview.full_rebuild(&shared, options.quiet);
    if !output.is_dir() {
        anyhow::bail!("the first build failed; fix the errors above and start `lotse serve` again");
    }

    let temp_path = temp.path().to_path_buf();
    ctrlc::set_handler(move || {
        let _ = std::fs::remove_dir_all(&temp_path);
        crate::outln!("\nStopped.");
        std::process::exit(0);
    })
    .context("cannot handle Ctrl-C")?;

    let url = format!("http://{local}/");
    if !options.quiet {
        crate::outln!("Preview build in {}", output.display());
    }
    if !options.quiet {
        crate::outln!("{}", edition_note(edition, include_drafts, address.ip().is_loopback()));
    }
    crate::outln!("Serving {url} (Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    if options.open {
        open_browser(&url);
    }

    let (events, changes) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let _ = events.send(event);
        }
    })
    .context("cannot watch the portal for changes")?;
    // Watch canonical paths, so that events name absolute paths whatever `--root` said. Only the
    // portal's sources are watched recursively: a portal in a repository may hold a `target/` or
    // `node_modules/` with more folders than the system allows watches for.
    let root = dunce::canonicalize(&options.root).unwrap_or_else(|_| options.root.clone());
    watcher.watch(&root, notify::RecursiveMode::NonRecursive).context("cannot watch the portal folder")?;
    for dir in WATCHED_DIRS {
        let dir = root.join(dir);
        if dir.is_dir() {
            watcher
                .watch(&dir, notify::RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", dir.display()))?;
        }
    }
    {
        let shared = shared.clone();
        let quiet = options.quiet;
        std::thread::spawn(move || watch_loop(changes, &root, &mut preview, &shared, quiet));
    }

    http::serve_forever(listener, http::Site { output, status: shared, hosts: http::AllowedHosts::new(local) })
}

/// What the preview shows. On loopback, everything, marked: a technician sees the new draft they
/// just started and the runbooks they maintain. Shared on the LAN, only what `lotse build`
/// publishes, unless `--internal` asks for more, so that runbooks never show by accident.
fn preview_edition(options: &ServeOptions, loopback: bool) -> (Edition, bool) {
    if options.public_only || (!loopback && !options.internal_on_lan) {
        (Edition::Public, options.include_drafts)
    } else {
        (Edition::Preview, true)
    }
}

fn edition_note(edition: Edition, drafts: bool, loopback: bool) -> &'static str {
    match (edition, drafts, loopback) {
        (Edition::Preview, _, true) => "Showing drafts and internal articles, marked (--public shows only what is published).",
        (Edition::Preview, _, false) => "Showing drafts and internal articles, marked, to the LAN (--internal).",
        (_, true, _) => "Showing published articles and drafts; internal articles are hidden.",
        (_, false, true) => "Showing exactly what `lotse build` publishes (--public).",
        (_, false, false) => "Shared on the LAN: showing only what `lotse build` publishes (add --internal for internal articles, --drafts for drafts).",
    }
}

/// The preview's build state between rebuilds.
struct Preview {
    options: BuildOptions,
    /// The rendered site of the last good build, for incremental rebuilds; `None` after a failed
    /// full build, so that the next change builds everything again.
    live: Option<LiveSite>,
    /// Content hashes of the served files, to tell open pages whether they changed.
    hashes: BTreeMap<String, u64>,
    /// Background refreshes of the search index.
    search: Arc<SearchRefresh>,
}

impl Preview {
    /// Rebuilds after `changed` files: only the affected pages when possible, else everything.
    fn rebuild(&mut self, changed: &[PathBuf], shared: &Shared, quiet: bool) {
        let started = Instant::now();
        let update = match self.live.as_mut() {
            Some(live) => live.update(changed),
            None => Update::Full,
        };
        match update {
            Update::Full => self.full_rebuild(shared, quiet),
            Update::Failed(found) => report_failure(found, shared, quiet),
            Update::Pages(paths) => {
                for path in &paths {
                    let rel = format!("{}index.html", path.trim_start_matches('/'));
                    if let Ok(bytes) = std::fs::read(self.options.output.join(&rel)) {
                        self.hashes.insert(rel, hash_bytes(&bytes));
                    }
                }
                if !quiet {
                    crate::outln!("Rebuilt {} page(s) in {} ms", paths.len(), started.elapsed().as_millis());
                }
                publish(shared, paths, Vec::new());
                self.refresh_search();
            }
        }
    }

    /// Builds everything; keeps the last good site served when the build fails.
    fn full_rebuild(&mut self, shared: &Shared, quiet: bool) {
        // A search refresh still writing into the output would race with replacing it.
        let search = self.search.clone();
        let _no_refresh_running = search.writing.lock();
        // A refresh scheduled before this build would write an older index over the new one.
        search.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        search.state.lock().expect("no panics while holding the lock").pending = None;
        let started = Instant::now();
        match site::build_keeping_site(&self.options) {
            Ok((report, site, view_data)) => {
                if !quiet {
                    crate::report::print_diagnostics(&report.warnings, quiet);
                }
                let new_hashes = hash_files(&self.options.output);
                let changed = changed_paths(&self.hashes, &new_hashes);
                self.hashes = new_hashes;
                if !quiet {
                    let what = if changed.iter().any(|c| c == "*") {
                        "everything".to_string()
                    } else {
                        changed.len().to_string()
                    };
                    crate::outln!(
                        "Built {} articles in {} ms ({what} changed)",
                        report.articles,
                        started.elapsed().as_millis()
                    );
                }
                self.live = Some(LiveSite::new(self.options.clone(), site, view_data));
                publish(shared, changed, Vec::new());
            }
            Err(error) => {
                self.live = None;
                let found: Vec<Diagnostic> = match error {
                    BuildError::Content(found) | BuildError::Config(found) => found,
                    BuildError::Fatal(e) => vec![Diagnostic::error("lotse", format!("{e:#}"))],
                };
                report_failure(found, shared, quiet);
            }
        }
    }

    /// Rewrites the search index in the background, so that reloading pages need not wait for it.
    ///
    /// Saves in quick succession do not queue one refresh each: while one runs, only the newest
    /// input waits, so the index never falls far behind and the machine stays free for rebuilds.
    fn refresh_search(&self) {
        let Some(live) = &self.live else { return };
        let input = live.search_input();
        let generation = self.search.generation.load(std::sync::atomic::Ordering::SeqCst);
        {
            let mut state = self.search.state.lock().expect("no panics while holding the lock");
            if state.running {
                state.pending = Some((input, generation));
                return;
            }
            state.running = true;
        }
        let search = self.search.clone();
        let output = self.options.output.clone();
        std::thread::spawn(move || {
            let (mut input, mut generation) = (input, generation);
            loop {
                // Let the open pages reload first: indexing a large portal takes both cores.
                std::thread::sleep(SEARCH_REFRESH_DELAY);
                {
                    let _one_at_a_time = search.writing.lock();
                    // A full build since this input was taken wrote a newer index: keep it.
                    if search.generation.load(std::sync::atomic::Ordering::SeqCst) == generation {
                        let writer = DirectWriter::new(output.clone());
                        if let Err(e) = crate::index::write_search(&input, &writer).and_then(|()| writer.finish()) {
                            crate::errln!("warning: the preview's search index was not refreshed: {e:#}");
                        }
                    }
                }
                let mut state = search.state.lock().expect("no panics while holding the lock");
                match state.pending.take() {
                    Some((next, its_generation)) => (input, generation) = (next, its_generation),
                    None => {
                        state.running = false;
                        return;
                    }
                }
            }
        });
    }
}

/// The state of background search-index refreshes.
#[derive(Default)]
struct SearchRefresh {
    state: Mutex<RefreshState>,
    /// Held while the index is written; a full rebuild takes it too, so that the two never write
    /// the output folder at the same time.
    writing: Mutex<()>,
    /// Counts full rebuilds: a refresh whose input is from before the latest one is dropped.
    generation: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct RefreshState {
    running: bool,
    /// The newest input that arrived while a refresh was running, with the full-build
    /// generation it belongs to.
    pending: Option<(crate::index::SearchInput, u64)>,
}

/// Tells open pages about a new build.
fn publish(shared: &Shared, changed: Vec<String>, errors: Vec<String>) {
    shared.send_modify(|status| {
        status.changed = changed;
        status.errors = errors;
        status.version += 1;
    });
}

/// Prints the problems and shows them on every open page; the served site stays as it was.
fn report_failure(found: Vec<Diagnostic>, shared: &Shared, quiet: bool) {
    crate::report::print_diagnostics(&found, quiet);
    crate::errln!("The preview keeps showing the last good build.");
    let errors = found
        .iter()
        .filter(|d| d.is_error())
        .map(|d| diagnostics::render(std::slice::from_ref(d), false).trim_end().to_string())
        .collect();
    publish(shared, Vec::new(), errors);
}

/// Waits for relevant file changes, lets a burst of saves settle, then rebuilds once.
fn watch_loop(
    changes: mpsc::Receiver<notify::Event>,
    root: &Path,
    preview: &mut Preview,
    shared: &Shared,
    quiet: bool,
) {
    while let Ok(event) = changes.recv() {
        if !is_relevant(&event, root) {
            continue;
        }
        let mut paths: Vec<PathBuf> = event.paths.clone();
        let deadline = Instant::now() + DEBOUNCE;
        while let Ok(more) = changes.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            if is_relevant(&more, root) {
                paths.extend(more.paths);
            }
            if Instant::now() >= deadline {
                break;
            }
        }
        paths.retain(|p| is_relevant_path(p, root));
        paths.sort();
        paths.dedup();
        // A file still being written (a large paste, a slow network share) is read only once it
        // stopped changing; and if it changed again while the site was rebuilt from it, the
        // site is rebuilt once more at once instead of showing what was read half-way.
        for _ in 0..MAX_REBUILDS_PER_CHANGE {
            let read = wait_until_stable(&paths, file_state, || std::thread::sleep(STABLE_PAUSE));
            preview.rebuild(&paths, shared, quiet);
            if paths.iter().map(|p| file_state(p)).collect::<Vec<_>>() == read {
                break;
            }
        }
    }
}

/// How often one change may be rebuilt because its files changed during the rebuild; later
/// changes come as new events anyway.
const MAX_REBUILDS_PER_CHANGE: usize = 3;

/// How long a changed file must stay the same before it is read.
const STABLE_PAUSE: Duration = Duration::from_millis(15);

/// How often a file may be found changing before it is read anyway (about a second).
const MAX_STABILITY_CHECKS: usize = 64;

/// Size and modification time of a file, or `None` when it is gone.
type FileState = Option<(u64, std::time::SystemTime)>;

fn file_state(path: &Path) -> FileState {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// Waits (by calling `pause`) until every path's state is the same twice in a row, at most
/// [`MAX_STABILITY_CHECKS`] times; returns the states last seen.
fn wait_until_stable(paths: &[PathBuf], state: impl Fn(&Path) -> FileState, pause: impl Fn()) -> Vec<FileState> {
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
fn is_relevant(event: &notify::Event, root: &Path) -> bool {
    !matches!(event.kind, notify::EventKind::Access(_)) && event.paths.iter().any(|p| is_relevant_path(p, root))
}

fn is_relevant_path(path: &Path, root: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else { return false };
    let name = rel.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let hidden = rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    let scratch = name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".tmp") || name.starts_with(".#");
    let watched = rel == Path::new(crate::config::CONFIG_FILE) || WATCHED_DIRS.iter().any(|dir| rel.starts_with(dir));
    watched && !hidden && !scratch
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = search_index::fold::Fnv64::new();
    h.update(&without_search_version(bytes));
    h.finish()
}

/// A content hash of every file of the site, by site path.
///
/// Every page carries the search index version as a cache-buster, which changes with any edit;
/// it is left out of the hash, so that an edit reloads only the pages whose content changed.
fn hash_files(output: &Path) -> BTreeMap<String, u64> {
    let mut hashes = BTreeMap::new();
    for entry in walkdir::WalkDir::new(output).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let rel = crate::markdown::url_path(entry.path().strip_prefix(output).unwrap_or(entry.path()));
        if let Ok(bytes) = std::fs::read(entry.path()) {
            hashes.insert(rel, hash_bytes(&bytes));
        }
    }
    hashes
}

fn without_search_version(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    const ATTRIBUTE: &[u8] = b"data-search-version=\"";
    let Some(start) = bytes.windows(ATTRIBUTE.len()).position(|w| w == ATTRIBUTE) else {
        return std::borrow::Cow::Borrowed(bytes);
    };
    let value_start = start + ATTRIBUTE.len();
    let end = bytes[value_start..].iter().position(|&b| b == b'"').map_or(bytes.len(), |i| value_start + i);
    let mut out = bytes[..value_start].to_vec();
    out.extend_from_slice(&bytes[end..]);
    std::borrow::Cow::Owned(out)
}

/// Site paths (`/ipad/wlan/`) whose files differ; `*` when a shared asset changed, since every
/// page uses it.
fn changed_paths(old: &BTreeMap<String, u64>, new: &BTreeMap<String, u64>) -> Vec<String> {
    let mut changed = Vec::new();
    let differing = new.iter().filter(|(p, h)| old.get(*p) != Some(*h)).map(|(p, _)| p);
    let removed = old.keys().filter(|p| !new.contains_key(*p));
    for path in differing.chain(removed) {
        if path.starts_with("assets/") {
            return vec!["*".into()];
        }
        if path.ends_with(".html") {
            changed.push(format!("/{}", path.trim_end_matches("index.html")));
        }
    }
    changed.sort();
    changed.dedup();
    changed
}

fn open_browser(url: &str) {
    for opener in ["xdg-open", "open"] {
        if std::process::Command::new(opener).arg(url).spawn().is_ok() {
            return;
        }
    }
    crate::errln!("Could not open a browser; open {url} yourself.");
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
    fn changed_paths_name_pages_or_everything() {
        let old: BTreeMap<String, u64> =
            [("index.html".into(), 1), ("ipad/wlan/index.html".into(), 2), ("alt/index.html".into(), 3)].into();
        let new: BTreeMap<String, u64> =
            [("index.html".into(), 1), ("ipad/wlan/index.html".into(), 5), ("neu/index.html".into(), 1)].into();
        assert_eq!(changed_paths(&old, &new), ["/alt/", "/ipad/wlan/", "/neu/"]);
        let mut css = new.clone();
        css.insert("assets/css/lotse.css".into(), 9);
        assert_eq!(changed_paths(&new, &css), ["*"]);
    }
}
