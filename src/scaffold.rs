//! The skeleton `lotse init` writes: a config, one example article per default platform, and a
//! README for the technicians who take over the portal.

use std::fs;
use std::path::Path;

use anyhow::{bail, Context as _, Result};
use include_dir::{include_dir, Dir};

static PORTAL: Dir = include_dir!("$CARGO_MANIFEST_DIR/src/scaffold/portal");

/// Writes a new portal into `dir`, which must be missing or empty; returns the number of files.
pub fn create_portal(dir: &Path) -> Result<usize> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("{} is a file, not a folder", dir.display());
        }
        if fs::read_dir(dir)?.next().is_some() {
            bail!("{} is not empty\n  help: Lotse writes new portals only into new or empty folders, so nothing is overwritten", dir.display());
        }
    }
    let mut count = 0;
    write_dir(&PORTAL, dir, &mut count)?;
    Ok(count)
}

fn write_dir(source: &Dir, target: &Path, count: &mut usize) -> Result<()> {
    for file in source.files() {
        // `gitignore` is stored without its dot so that this repository's git does not apply it.
        let rel = file.path().to_string_lossy().replace("gitignore", ".gitignore");
        let path = target.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, file.contents()).with_context(|| format!("cannot write {}", path.display()))?;
        *count += 1;
    }
    for sub in source.dirs() {
        write_dir(sub, target, count)?;
    }
    Ok(())
}
