//! The preview's search index follows edits in the background, off the reload path.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::index::SearchInput;
use crate::output::DirectWriter;

/// How long the search index refresh waits after a rebuild, so that it does not compete with the
/// browsers reloading the changed pages.
pub(super) const SEARCH_REFRESH_DELAY: Duration = Duration::from_millis(300);

/// The state of background search-index refreshes.
#[derive(Default)]
pub(super) struct SearchRefresh {
    pub(super) state: Mutex<RefreshState>,
    /// Held while the index is written; a full rebuild takes it too, so that the two never write
    /// the output folder at the same time.
    pub(super) writing: Mutex<()>,
    /// Counts full rebuilds: a refresh whose input is from before the latest one is dropped.
    pub(super) generation: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
pub(super) struct RefreshState {
    pub(super) running: bool,
    /// The newest input that arrived while a refresh was running, with the full-build
    /// generation it belongs to.
    pub(super) pending: Option<(crate::index::SearchInput, u64)>,
}

/// Rewrites the search index in the background, so that reloading pages need not wait for it.
///
/// Saves in quick succession do not queue one refresh each: while one runs, only the newest
/// input waits, so the index never falls far behind and the machine stays free for rebuilds.
pub(super) fn refresh(search: &Arc<SearchRefresh>, input: SearchInput, output: &Path) {
    let generation = search.generation.load(std::sync::atomic::Ordering::SeqCst);
    {
        let mut state = search.state.lock().expect("no panics while holding the lock");
        if state.running {
            state.pending = Some((input, generation));
            return;
        }
        state.running = true;
    }
    let search = search.clone();
    let output = output.to_path_buf();
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
