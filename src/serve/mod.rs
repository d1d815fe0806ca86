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
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use notify::Watcher as _;

use crate::diagnostics::Diagnostic;
use crate::site::{self, BuildError, BuildOptions, Edition};

mod http;
mod live;
mod search_refresh;
mod watch;

use crate::site::live::{LiveSite, Update};
use live::{changed_paths, hash_bytes, hash_files, publish, report_failure, Shared, Status};
use search_refresh::SearchRefresh;
use watch::{
    file_state, is_relevant, is_relevant_path, wait_until_stable, MAX_REBUILDS_PER_CHANGE, STABLE_PAUSE, WATCHED_DIRS,
};

/// How long an editor's burst of saves may take before the rebuild starts: editors write a file
/// (or a temporary file and a rename) within a few milliseconds.
const DEBOUNCE: Duration = Duration::from_millis(15);

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
    /// Rewrites the search index in the background ([`search_refresh::refresh`]).
    fn refresh_search(&self) {
        if let Some(live) = &self.live {
            search_refresh::refresh(&self.search, live.search_input(), &self.options.output);
        }
    }

    /// Rebuilds after `changed` files: only the affected pages when possible, else everything.
    fn rebuild(&mut self, changed: &[PathBuf], shared: &Shared, quiet: bool) {
        let started = Instant::now();
        let update = match self.live.as_mut() {
            Some(live) => live.apply_changes(changed),
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
    fn runbooks_reach_the_lan_only_when_asked() {
        let options = |public_only, internal_on_lan, include_drafts| ServeOptions {
            root: ".".into(),
            bind: "127.0.0.1".into(),
            port: 0,
            include_drafts,
            public_only,
            internal_on_lan,
            open: false,
            quiet: true,
        };
        assert_eq!(preview_edition(&options(false, false, false), true), (Edition::Preview, true));
        assert_eq!(preview_edition(&options(true, false, false), true), (Edition::Public, false));
        assert_eq!(preview_edition(&options(true, false, true), true), (Edition::Public, true));
        assert_eq!(preview_edition(&options(false, false, false), false), (Edition::Public, false));
        assert_eq!(preview_edition(&options(false, false, true), false), (Edition::Public, true));
        assert_eq!(preview_edition(&options(false, true, false), false), (Edition::Preview, true));
    }
}
