//! Writing the site: into a staging folder first, then swapped in place of the last good output.
//!
//! A failed or interrupted build therefore never leaves a half-written site behind. Lotse marks the
//! folders it creates with a manifest file and refuses to replace any folder without one, or one that
//! holds files it did not write, because the output path may be mistyped (`--output .`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context as _, Result};

/// The marker file in every output folder Lotse wrote; it lists the files of that build.
pub const MARKER_FILE: &str = ".lotse-output.json";

#[derive(serde::Serialize, serde::Deserialize)]
struct Manifest {
    generator: String,
    files: Vec<String>,
    /// A hash of every source but the notices, with the build's options: a build whose sources
    /// hash the same changed only notices, and may keep the rendered articles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sources: Option<String>,
}

/// The sources hash recorded with the last build in `output`, if any.
pub fn recorded_sources(output: &Path) -> Option<String> {
    let text = fs::read_to_string(output.join(MARKER_FILE)).ok()?;
    serde_json::from_str::<Manifest>(&text).ok()?.sources
}

/// Somewhere the stages can write site files to, by site-relative path.
pub trait SiteWriter: Sync {
    /// Writes one file at a site-relative path such as `ipad/wlan/index.html`.
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()>;
}

impl SiteWriter for Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        Staging::write(self, rel, bytes)
    }
}

/// Writes straight into a live output folder: the dev server's incremental rebuilds, which change
/// a few files of a site that was built (and checked) completely before. [`DirectWriter::finish`]
/// adds the new files to the folder's manifest, so that the next full build may replace them.
pub struct DirectWriter {
    root: PathBuf,
    written: Mutex<BTreeSet<String>>,
}

/// Serialises manifest updates of concurrent direct writers (page rebuilds, search refreshes).
static MANIFEST_UPDATES: Mutex<()> = Mutex::new(());

impl DirectWriter {
    /// Writes into `root`, a folder a full build made; [`DirectWriter::finish`] then updates its marker.
    pub fn new(root: PathBuf) -> DirectWriter {
        DirectWriter { root, written: Mutex::new(BTreeSet::new()) }
    }

    /// Records the written files in the output folder's manifest.
    pub fn finish(self) -> Result<()> {
        let _one_at_a_time = MANIFEST_UPDATES.lock().map_err(|_| anyhow::anyhow!("manifest lock poisoned"))?;
        let marker = self.root.join(MARKER_FILE);
        let mut manifest: Manifest =
            serde_json::from_slice(&fs::read(&marker)?).context("the output folder's Lotse marker is damaged")?;
        let mut files: BTreeSet<String> = manifest.files.into_iter().collect();
        files.extend(self.written.into_inner().map_err(|_| anyhow::anyhow!("writer lock poisoned"))?);
        manifest.files = files.into_iter().collect();
        fs::write(&marker, serde_json::to_vec_pretty(&manifest)?)?;
        Ok(())
    }
}

impl SiteWriter for DirectWriter {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        // Write beside and rename, so that a page is never served half-written.
        let temp = path.with_extension("lotse-partial");
        fs::write(&temp, bytes).with_context(|| format!("cannot write {}", temp.display()))?;
        fs::rename(&temp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        self.written.lock().map_err(|_| anyhow::anyhow!("writer lock poisoned"))?.insert(rel.to_string());
        Ok(())
    }
}

/// Collects the files of one build in a staging folder beside the final output folder.
pub struct Staging {
    output: PathBuf,
    staging: PathBuf,
    /// Every file written so far, with a CRC-32 of its bytes for [`Staging::digests`].
    written: Mutex<BTreeMap<String, u32>>,
    /// The sources hash to record in the marker.
    sources: Mutex<Option<String>>,
    /// Held from the start of staging until the swap: one build at a time per output folder.
    _lock: fs::File,
}

/// The portal's own folders: an output folder there would overwrite sources or publish itself.
pub const PORTAL_SOURCE_DIRS: &[&str] = &["content", "templates", "static", "themes", "i18n", "notices"];

/// Puts the last good site back where a build was killed between the two renames of a
/// non-atomic swap: the output is missing, and the old site waits beside it with Lotse's marker.
pub fn restore_interrupted_swap(output: &Path) -> Result<()> {
    let output = absolute(output)?;
    let (Some(parent), Some(name)) = (output.parent(), output.file_name()) else { return Ok(()) };
    let old = parent.join(format!(".{}.lotse-old", name.to_string_lossy()));
    if !output.exists() && old.join(MARKER_FILE).is_file() {
        fs::rename(&old, &output)
            .with_context(|| format!("cannot restore the last good output from {}", old.display()))?;
    }
    Ok(())
}

/// Checks that `output` may be written by Lotse and is neither the portal nor one of its sources.
///
/// Both paths are resolved fully first (`..` and symlinks, also after a folder that does not exist
/// yet), so that no spelling of a path gets past the checks. Nothing is touched before they pass.
pub fn check_output_location(root: &Path, output: &Path) -> Result<()> {
    let root = absolute(root)?;
    let output = absolute(output)?;
    if output == root || root.starts_with(&output) {
        bail!(
            "the output folder {} would replace the portal itself\n  help: build into a folder inside the portal, such as `--output public`",
            output.display()
        );
    }
    for dir in PORTAL_SOURCE_DIRS {
        let source = root.join(dir);
        if output.starts_with(&source) {
            bail!(
                "the output folder {} is the portal's `{dir}/` folder or inside it\n  help: Lotse reads `{dir}/` while it builds; choose a folder of its own, such as `--output public`",
                output.display()
            );
        }
    }
    if output.exists() && !output.is_dir() {
        bail!("the output path {} is a file, not a folder", output.display());
    }
    if output.is_dir() {
        let mut entries = fs::read_dir(&output).with_context(|| format!("cannot read {}", output.display()))?;
        let marker = output.join(MARKER_FILE);
        if entries.next().is_some() && !marker.is_file() {
            bail!(
                "the output folder {} is not empty and was not created by Lotse\n  help: Lotse never replaces folders it did not create; choose another `--output` folder, or empty this one yourself",
                output.display()
            );
        }
        if marker.is_file() {
            let foreign = foreign_files(&output)?;
            if !foreign.is_empty() {
                let list: Vec<String> = foreign.iter().take(10).map(|f| format!("    {f}")).collect();
                bail!(
                    "the output folder {} holds {} file(s) that Lotse did not write:\n{}\n  help: put files you want published into the portal's `static/` folder, then remove them here",
                    output.display(),
                    foreign.len(),
                    list.join("\n")
                );
            }
        }
    }
    Ok(())
}

/// Files in a Lotse output folder that its manifest does not list.
fn foreign_files(output: &Path) -> Result<Vec<String>> {
    let text = fs::read_to_string(output.join(MARKER_FILE))?;
    let manifest: Manifest = serde_json::from_str(&text).context("the output folder's Lotse marker is damaged")?;
    let known: BTreeSet<&str> = manifest.files.iter().map(String::as_str).collect();
    let mut foreign = Vec::new();
    for entry in walkdir::WalkDir::new(output).min_depth(1).sort_by_file_name() {
        let entry = entry?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = crate::markdown::url_path(entry.path().strip_prefix(output).unwrap_or(entry.path()));
        if rel != MARKER_FILE && !known.contains(rel.as_str()) {
            foreign.push(rel);
        }
    }
    Ok(foreign)
}

/// Where `lotse build` writes without `--output`, relative to the portal.
pub const DEFAULT_OUTPUT: &str = "public";

/// Refuses an output folder for the internal portal that is the public output or inside it (or
/// holds it): whatever is uploaded as the public portal would carry the runbooks along.
pub fn check_internal_output_location(root: &Path, output: &Path) -> Result<()> {
    let public = absolute(&root.join(DEFAULT_OUTPUT))?;
    let output = absolute(output)?;
    // The portal folder itself, or one above it, is refused with its own message.
    let holds_portal = absolute(root)?.starts_with(&output);
    if !holds_portal && (output.starts_with(&public) || public.starts_with(&output)) {
        bail!(
            "the internal portal's output folder {} is the public output {} or shares it\n  help: the public folder is uploaded for teachers; build the internal portal into a folder of its own, such as `--output public-intern` (the default)",
            output.display(),
            public.display()
        );
    }
    Ok(())
}

/// `path` made absolute with every `..`, `.` and symlink resolved, even where a folder on the way
/// does not exist yet: `nichtda/../content` is `content`, not a folder beside it.
pub fn absolute(path: &Path) -> Result<PathBuf> {
    let path = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir()?.join(path) };
    let mut resolved = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component.as_os_str()),
            Component::CurDir => {}
            // The folder so far is already resolved, so its parent is the real one.
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => {
                resolved.push(name);
                // Resolve symlinks as soon as a component exists; a missing one cannot be a link.
                if let Ok(real) = dunce::canonicalize(&resolved) {
                    resolved = real;
                }
            }
        }
    }
    Ok(resolved)
}

impl Staging {
    /// Creates an empty staging folder next to `output`, removing stale ones of earlier runs.
    ///
    /// Takes the output folder's lock first: a second build into the same folder waits until the
    /// first has swapped its site in, so that two builds never share one staging folder.
    pub fn new(output: &Path) -> Result<Staging> {
        let output = absolute(output)?;
        let parent = output.parent().context("the output folder has no parent folder")?;
        fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        let name = output.file_name().context("the output folder has no name")?.to_string_lossy().into_owned();
        let lock = lock_output(&parent.join(format!(".{name}.lotse-lock")), &output)?;
        let staging = parent.join(format!(".{name}.lotse-staging"));
        let old = parent.join(format!(".{name}.lotse-old"));
        // (An interrupted swap was repaired by `restore_interrupted_swap` before the build.)
        remove_own_folder(&staging)?;
        remove_own_folder(&old)?;
        fs::create_dir_all(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        // Mark the staging folder at once, so a later run may clean it up after a crash.
        fs::write(staging.join(MARKER_FILE), "{\"generator\":\"lotse\",\"files\":[]}")?;
        Ok(Staging { output, staging, written: Mutex::new(BTreeMap::new()), sources: Mutex::new(None), _lock: lock })
    }

    /// Records the sources hash of this build in the marker (see [`recorded_sources`]).
    pub fn set_sources(&self, sources: String) {
        *self.sources.lock().expect("no panics while holding the lock") = Some(sources);
    }

    /// Whether this build has already written `rel`: a later file for the same path would replace it.
    pub fn contains(&self, rel: &str) -> bool {
        self.written.lock().expect("no panics while holding the lock").contains_key(rel)
    }

    /// Writes one file at a site-relative path such as `ipad/wlan/index.html`.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.staging.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        self.written.lock().expect("no panics while holding the lock").insert(rel.to_string(), crc32fast::hash(bytes));
        Ok(())
    }

    /// Copies a file into the site at `rel`.
    pub fn copy(&self, from: &Path, rel: &str) -> Result<()> {
        let path = self.staging.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let bytes = fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
        fs::write(&path, &bytes).with_context(|| format!("cannot copy {} to {}", from.display(), path.display()))?;
        self.written.lock().expect("no panics while holding the lock").insert(rel.to_string(), crc32fast::hash(&bytes));
        Ok(())
    }

    /// Puts a file of an earlier build into the site at `rel` unchanged: a hard link where the file
    /// system allows it (the old build is removed after the swap, so nothing is shared for long),
    /// else a copy. Either way its bytes are read once, for [`Staging::digests`].
    pub fn keep(&self, from: &Path, rel: &str) -> Result<()> {
        let path = self.staging.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let bytes = fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
        if fs::hard_link(from, &path).is_err() {
            fs::write(&path, &bytes)
                .with_context(|| format!("cannot copy {} to {}", from.display(), path.display()))?;
        }
        self.written.lock().expect("no panics while holding the lock").insert(rel.to_string(), crc32fast::hash(&bytes));
        Ok(())
    }

    /// How many files this build has written so far.
    pub fn len(&self) -> usize {
        self.written.lock().expect("no panics while holding the lock").len()
    }

    /// The site-relative path and CRC-32 of every file written so far, sorted by path: what the
    /// offline cache lists, and what its version is computed from.
    pub fn digests(&self) -> Vec<(String, u32)> {
        let written = self.written.lock().expect("no panics while holding the lock");
        written.iter().map(|(path, crc)| (path.clone(), *crc)).collect()
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the manifest and moves the staging folder into place of the output folder.
    ///
    /// On Linux the two folders trade places in one atomic step, so a web server reading the output
    /// sees either the complete old site or the complete new one. Elsewhere it takes two renames;
    /// a build killed between them leaves the old site beside the output, and the next build puts it
    /// back before anything else.
    pub fn commit(self) -> Result<PathBuf> {
        let files: Vec<String> =
            self.written.into_inner().expect("no panics while holding the lock").into_keys().collect();
        let sources = self.sources.into_inner().expect("no panics while holding the lock");
        let manifest = Manifest { generator: format!("lotse {}", env!("CARGO_PKG_VERSION")), files, sources };
        fs::write(self.staging.join(MARKER_FILE), serde_json::to_vec_pretty(&manifest)?)?;
        let parent = self.output.parent().expect("checked in new");
        let name = self.output.file_name().expect("checked in new").to_string_lossy().into_owned();
        let old = parent.join(format!(".{name}.lotse-old"));
        // An empty folder holds nothing to keep: it simply makes way (it may be a mount point's
        // placeholder or a folder the technician made for the site).
        if self.output.is_dir() && fs::read_dir(&self.output)?.next().is_none() {
            fs::remove_dir(&self.output)
                .with_context(|| format!("cannot replace the empty {}", self.output.display()))?;
        }
        if self.output.exists() {
            if exchange(&self.staging, &self.output).is_ok() {
                // The staging folder now holds the old site, which carries Lotse's marker.
                remove_own_folder(&self.staging)?;
                return Ok(self.output);
            }
            fs::rename(&self.output, &old)
                .with_context(|| format!("cannot move the old output {} aside", self.output.display()))?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.output) {
            // Put the last good site back before reporting.
            let _ = fs::rename(&old, &self.output);
            return Err(e).with_context(|| format!("cannot move the new site to {}", self.output.display()));
        }
        remove_own_folder(&old)?;
        Ok(self.output)
    }

    /// Drops the staging folder after a failed build; the last good output stays as it was.
    pub fn abandon(self) {
        let _ = remove_own_folder(&self.staging);
    }
}

/// Removes a folder only if it carries Lotse's marker, or is empty; anything else is left alone.
fn remove_own_folder(path: &Path) -> Result<()> {
    if path.join(MARKER_FILE).is_file() {
        fs::remove_dir_all(path).with_context(|| format!("cannot remove {}", path.display()))?;
    } else if path.is_dir() && fs::read_dir(path)?.next().is_none() {
        fs::remove_dir(path).with_context(|| format!("cannot remove {}", path.display()))?;
    } else if path.exists() {
        bail!("{} exists but was not created by Lotse; remove or rename it", path.display());
    }
    Ok(())
}

/// Opens and locks the lock file of `output`, waiting (with a message) while another build holds it.
fn lock_output(lock_path: &Path, output: &Path) -> Result<fs::File> {
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path)
        .with_context(|| format!("cannot create the lock file {}", lock_path.display()))?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(fs::TryLockError::WouldBlock) => {
            let _ =
                writeln!(std::io::stderr(), "waiting for another Lotse build into {} to finish …", output.display());
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", lock_path.display()));
        }
    }
    file.lock().with_context(|| format!("cannot lock {}", lock_path.display()))?;
    Ok(file)
}

/// Swaps two folders in one atomic step where the system can (Linux 3.15 and later).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt as _;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths that live across the call.
    let done = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if done == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "no atomic exchange here"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_foreign_and_dangerous_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("content")).unwrap();
        assert!(check_output_location(root, root).is_err());
        assert!(check_output_location(root, &root.join("content/out")).is_err());
        assert!(check_output_location(root, root.parent().unwrap()).is_err());
        fs::create_dir_all(root.join("docs")).unwrap();
        fs::write(root.join("docs/notes.txt"), "mine").unwrap();
        let err = check_output_location(root, &root.join("docs")).unwrap_err().to_string();
        assert!(err.contains("not created by Lotse"), "{err}");
        assert!(check_output_location(root, &root.join("public")).is_ok());
    }

    #[test]
    fn commit_replaces_only_own_output_and_keeps_it_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let stage = Staging::new(&out).unwrap();
        stage.write("index.html", b"v1").unwrap();
        stage.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "v1");

        let stage = Staging::new(&out).unwrap();
        stage.write("a/index.html", b"half").unwrap();
        stage.abandon();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "v1");
        assert!(!out.join("a").exists());

        fs::write(out.join("extra.txt"), "hand-made").unwrap();
        let err = check_output_location(dir.path(), &out).unwrap_err().to_string();
        assert!(err.contains("extra.txt"), "{err}");
    }
}
