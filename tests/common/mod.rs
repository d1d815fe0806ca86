//! Helpers for end-to-end tests: copy a fixture portal, run the real `lotse` binary, inspect output.
#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A fixture portal copied into a temporary folder, so tests can change and build it freely.
pub struct Portal {
    pub dir: tempfile::TempDir,
}

impl Portal {
    /// Copies `tests/sites/<name>` into a fresh temporary folder.
    pub fn fixture(name: &str) -> Portal {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites").join(name);
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(&source, dir.path());
        Portal { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Runs `lotse build --root <portal>` plus `extra` flags.
    pub fn build(&self, extra: &[&str]) -> Run {
        let root = self.root().to_string_lossy().into_owned();
        let mut args = vec!["build", "--root", root.as_str()];
        args.extend_from_slice(extra);
        lotse(&args, self.root())
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    pub fn read_output(&self, rel: &str) -> String {
        let path = self.public().join(rel);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }
}

/// The outcome of one `lotse` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with both streams when the exit code is not `code`.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }
}

/// Runs the `lotse` binary built for this test run, without colours.
pub fn lotse(args: &[&str], cwd: &Path) -> Run {
    lotse_with_env(args, cwd, &[])
}

/// Runs `lotse` like [`lotse`], with more environment variables (`SOURCE_DATE_EPOCH`, say).
pub fn lotse_with_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_lotse"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("lotse runs");
    Run::from(output)
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir`, relative, with forward slashes, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut list: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    list.sort();
    list
}

/// Values of `attr="..."` attributes in an HTML text.
pub fn attribute_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(pos) = rest.find(&needle) {
        rest = &rest[pos + needle.len()..];
        if let Some(end) = rest.find('"') {
            values.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    values
}

/// Follows every relative `href` and `src` of every page, as a visitor's browser would, and returns
/// the ones that lead nowhere (missing file or missing `#anchor`). 404.html is skipped: it links
/// from the site's absolute base path.
pub fn broken_links(public: &Path) -> Vec<String> {
    let mut broken = Vec::new();
    for rel in files(public).into_iter().filter(|f| f.ends_with(".html") && f != "404.html") {
        let page = public.join(&rel);
        let html = fs::read_to_string(&page).unwrap();
        let dir = page.parent().unwrap();
        for link in attribute_values(&html, "href").into_iter().chain(attribute_values(&html, "src")) {
            if link.is_empty() || link.contains("://") || link.starts_with("mailto:") || link.starts_with("tel:") {
                continue;
            }
            let (path, fragment) = match link.split_once('#') {
                Some((p, f)) => (p.to_string(), Some(f.to_string())),
                None => (link.clone(), None),
            };
            let path = path.split('?').next().unwrap().to_string();
            let mut target = if path.is_empty() { page.clone() } else { dir.join(&path) };
            if target.is_dir() {
                target = target.join("index.html");
            }
            if !target.is_file() {
                broken.push(format!("{rel}: {link} (no file)"));
                continue;
            }
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                let text = fs::read_to_string(&target).unwrap_or_default();
                if !text.contains(&format!("id=\"{fragment}\"")) {
                    broken.push(format!("{rel}: {link} (no anchor)"));
                }
            }
        }
    }
    broken
}

/// Every file under `dir` with its bytes, for comparing two states of an output folder.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files(dir).into_iter().map(|f| (f.clone(), fs::read(dir.join(&f)).unwrap())).collect()
}

/// Files under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    files(dir)
        .into_iter()
        .filter(|f| {
            let bytes = decoded(&dir.join(f));
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
        .collect()
}

/// A file's bytes as a reader of it sees them: `.lzma` and `.gz` files (the search pack, its
/// blocks and texts, the runtime) decoded, so that a search for leaked text sees what they carry.
pub fn decoded(path: &Path) -> Vec<u8> {
    let bytes = fs::read(path).unwrap();
    let mut out = Vec::new();
    let name = path.to_string_lossy();
    let read = if name.ends_with(".lzma") {
        lzma_rust2::LzmaReader::new_mem_limit(&bytes[..], u32::MAX, None)
            .and_then(|mut reader| std::io::Read::read_to_end(&mut reader, &mut out))
    } else if name.ends_with(".gz") {
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out)
    } else {
        return bytes;
    };
    read.unwrap_or_else(|e| panic!("{name} does not decode: {e}"));
    out
}

/// The repository's own portal, built once per test binary and shared by its tests (a debug
/// build of it takes a second or more). Returns the output folder and the build's run.
pub fn bundled_site() -> &'static (PathBuf, Run) {
    static BUILT: std::sync::OnceLock<(PathBuf, Run)> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let binary = std::env::current_exe().unwrap();
        let name = binary.file_stem().unwrap().to_string_lossy().into_owned();
        // A folder of cargo's for test files; `lotse build` replaces its own earlier output there.
        let output = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bundled-{name}"));
        let root = env!("CARGO_MANIFEST_DIR");
        let run = lotse(&["build", "--root", root, "--output", output.to_str().unwrap()], Path::new(root));
        (output, run)
    })
}

/// A file of a built site's search folder by the path the manifest names it with: from the
/// .lzma pack where the portal is small enough for one, else the file itself (gzipped, for result
/// list chunks and texts).
pub fn search_file(search: &Path, manifest: &serde_json::Value, name: &str) -> Vec<u8> {
    if let (Some(url), Some(at)) = (manifest["pack"]["url"].as_str(), manifest["pack"]["files"][name].as_array()) {
        let mut pack = Vec::new();
        let compressed = fs::read(search.join(url)).unwrap();
        let mut reader = lzma_rust2::LzmaReader::new_mem_limit(&compressed[..], u32::MAX, None).unwrap();
        std::io::Read::read_to_end(&mut reader, &mut pack).unwrap();
        assert_eq!(pack.len() as u64, manifest["pack"]["len"].as_u64().unwrap(), "the pack's length in the manifest");
        let (start, len) = (at[0].as_u64().unwrap() as usize, at[1].as_u64().unwrap() as usize);
        return pack[start..start + len].to_vec();
    }
    // Result list chunks and texts that are not in the pack are published gzipped.
    let gzipped = search.join(format!("{name}.gz"));
    if gzipped.is_file() {
        return decoded(&gzipped);
    }
    fs::read(search.join(name)).unwrap_or_else(|e| panic!("search/{name}: {e}"))
}

/// The names of the result list's chunks, as `search_file` takes them: chunk n is
/// `{prefix}-{n}.json` (src/index.rs `DocsChunks`).
pub fn docs_chunks(manifest: &serde_json::Value) -> Vec<String> {
    let prefix = manifest["docs"]["prefix"].as_str().expect("the result list's prefix");
    (0..manifest["docs"]["count"].as_u64().expect("the result list's chunk count"))
        .map(|n| format!("{prefix}-{n}.json"))
        .collect()
}

/// A running `lotse serve` on a free loopback port, stopped with Ctrl-C when dropped.
pub struct Server {
    pub child: Child,
    pub address: String,
    /// Where the preview build lives.
    pub build: std::path::PathBuf,
}

impl Server {
    pub fn start(portal: &Portal) -> Server {
        Server::start_at(portal.root())
    }

    /// Starts `lotse serve` for the portal folder `root`.
    pub fn start_at(root: &Path) -> Server {
        Server::start_with(root, &[])
    }

    /// Starts `lotse serve` for the portal folder `root` with more arguments.
    pub fn start_with(root: &Path, extra: &[&str]) -> Server {
        Server::spawn(
            Command::new(env!("CARGO_BIN_EXE_lotse")).args(["serve", "--port", "0", "--root"]).arg(root).args(extra),
        )
    }

    /// Starts `lotse serve` allowed only `limit` open files, as on a machine with a low limit.
    #[allow(dead_code)] // used by some test binaries only
    pub fn start_with_open_file_limit(portal: &Portal, limit: u32) -> Server {
        let script = format!("ulimit -n {limit} && exec \"$0\" serve --port 0 --root \"$1\"");
        Server::spawn(Command::new("sh").args(["-c", &script, env!("CARGO_BIN_EXE_lotse")]).arg(portal.root()))
    }

    fn spawn(command: &mut Command) -> Server {
        let mut child = command.env("NO_COLOR", "1").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut build = std::path::PathBuf::new();
        let address = loop {
            let line = lines.next().expect("serve printed its address").unwrap();
            if let Some(path) = line.strip_prefix("Preview build in ") {
                build = path.into();
            }
            if let Some(rest) = line.strip_prefix("Serving http://") {
                break rest.split('/').next().unwrap().to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, address, build }
    }

    /// A GET request; returns status, content type and body.
    pub fn get(&self, path: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.address).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let text = String::from_utf8_lossy(&response).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        let content_type = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type:").map(|v| v.trim().to_string()))
            .unwrap_or_default();
        let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            dechunk(body)
        } else {
            body.to_string()
        };
        (status, content_type, body)
    }

    /// The reload channel's state after the build `since`, waiting for the next one.
    pub fn poll(&self, since: u64) -> serde_json::Value {
        serde_json::from_str(&self.get(&format!("/__lotse/poll?since={since}")).2).unwrap()
    }

    pub fn version(&self) -> u64 {
        let state: serde_json::Value = serde_json::from_str(&self.get("/__lotse/poll").2).unwrap();
        state["version"].as_u64().unwrap()
    }
}

impl Drop for Server {
    /// Stops the server as a technician does, with Ctrl-C, so that it removes its temporary
    /// build; SIGKILL only if it does not stop within ten seconds.
    fn drop(&mut self) {
        // SAFETY: sends a signal to our own child process; no memory is involved.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size.min(after.len())]);
        rest = after.get(size + 2..).unwrap_or("");
    }
    out
}
