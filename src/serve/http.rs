//! The preview's HTTP side, on hyper: the portal's files, the reload client and the long poll.
//!
//! Bounded so that no client can take the preview down: at most [`MAX_CONNECTIONS`] at once
//! (more get 503), a request head must arrive within [`REQUEST_DEADLINE`] (hyper also applies
//! this to a kept-alive connection waiting for its next request), and no connection lives longer
//! than [`CONNECTION_LIFETIME`]. It answers only to the hosts it was started for, and only with
//! files inside the output folder; anything else, including `..` in any spelling, is the portal's
//! 404 page.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, HOST};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt as _;
use tokio::sync::{watch, Semaphore};

use super::Status;

/// The preview's reload client and its overlay style, served under `/__lotse/`.
const LIVE_JS: &str = include_str!("live.js");
const LIVE_CSS: &str = include_str!("live.css");

/// How long a poll waits for a change before answering "nothing new".
const POLL_TIMEOUT: Duration = Duration::from_secs(25);

/// At most this many connections are served at once; further ones get 503 and are closed. Each
/// open page holds one for its long poll, so this is far more than a technician's browser needs.
const MAX_CONNECTIONS: usize = 64;

/// How long a request head may take to arrive, in all: a slow or silent client is dropped after
/// it, and so is a kept-alive connection that sends no next request.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);

/// The longest a connection is kept, whatever it does: a client that stops reading its answer
/// gives its place back after this.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(120);

/// How long the accept loop waits after a failed accept (such as running out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// A request head larger than this is refused (hyper answers 431).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// What the server answers from: the output folder, the build status, and its own names.
pub(super) struct Site {
    pub output: PathBuf,
    pub status: watch::Sender<Status>,
    pub hosts: AllowedHosts,
}

/// Serves `site` on `listener` until the process ends.
pub(super) fn serve_forever(listener: std::net::TcpListener, site: Site) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("lotse-http")
        .enable_all()
        .build()
        .context("cannot start the preview's HTTP server")?;
    runtime.block_on(accept_loop(listener, Arc::new(site)))
}

async fn accept_loop(listener: std::net::TcpListener, site: Arc<Site>) -> Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors (EMFILE) or a connection reset before it was accepted: wait a
            // moment instead of spinning, so that the connections being served can finish.
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        // A response split into header and body packets would wait for the client's delayed ACK,
        // adding 40 ms to every reload.
        let _ = stream.set_nodelay(true);
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tokio::spawn(refuse_busy(stream));
            continue;
        };
        let site = site.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |request| {
                let site = site.clone();
                async move { Ok::<_, Infallible>(answer(request, &site).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(REQUEST_DEADLINE)
                .max_buf_size(MAX_HEAD_BYTES)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_LIFETIME, connection).await;
        });
    }
}

async fn refuse_busy(mut stream: tokio::net::TcpStream) {
    let refusal =
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(refusal)).await;
}

/// The `Host` names the preview answers to. A web page elsewhere could otherwise point its own
/// domain at 127.0.0.1 (DNS rebinding) and read the preview, drafts included. Browsers reach the
/// preview by an IP address or `localhost`; a name that resolves to this machine is refused.
pub(super) struct AllowedHosts {
    port: u16,
}

impl AllowedHosts {
    pub(super) fn new(local: SocketAddr) -> AllowedHosts {
        AllowedHosts { port: local.port() }
    }

    /// Whether a request's `Host` header names this server: an IP address or `localhost`, with
    /// this server's port.
    fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let (name, port) = match host.rsplit_once(':') {
            Some((name, port)) if !name.is_empty() && (name.ends_with(']') || !name.contains(':')) => {
                (name, port.parse::<u16>().ok())
            }
            _ => (host.as_str(), Some(80)),
        };
        if port != Some(self.port) {
            return false;
        }
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        name == "localhost" || name.ends_with(".localhost") || bare.parse::<std::net::IpAddr>().is_ok()
    }
}

type Answer = Response<Full<Bytes>>;

fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Answer {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The preview's files change with every save: a browser must never show a cached one.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The answer to one request. hyper leaves out the body of an answer to HEAD.
async fn answer(request: Request<hyper::body::Incoming>, site: &Site) -> Answer {
    let host = request.headers().get(HOST).and_then(|h| h.to_str().ok());
    if !host.is_some_and(|h| site.hosts.allows(h)) {
        return reply(
            StatusCode::MISDIRECTED_REQUEST,
            "text/plain; charset=utf-8",
            "This preview answers only to its own address: open it as http://127.0.0.1:PORT/ or http://localhost:PORT/, or on the LAN by the computer's IP address.",
        );
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut refused = reply(StatusCode::METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "method not allowed");
        refused.headers_mut().insert(hyper::header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return refused;
    }
    let path = request.uri().path().to_string();
    match path.as_str() {
        "/__lotse/live.js" => reply(StatusCode::OK, "text/javascript; charset=utf-8", LIVE_JS),
        "/__lotse/live.css" => reply(StatusCode::OK, "text/css; charset=utf-8", LIVE_CSS),
        "/__lotse/poll" => {
            let since = request.uri().query().and_then(|q| {
                q.split('&').find_map(|pair| pair.strip_prefix("since=")).and_then(|v| v.parse::<u64>().ok())
            });
            let body = wait_for_news(&site.status, since).await;
            reply(StatusCode::OK, "application/json", body)
        }
        _ => {
            let output = site.output.clone();
            tokio::task::spawn_blocking(move || file_answer(&output, &path)).await.unwrap_or_else(|_| {
                reply(StatusCode::INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", "internal error")
            })
        }
    }
}

/// The build status as JSON, once it differs from version `since` (or after [`POLL_TIMEOUT`]).
async fn wait_for_news(status: &watch::Sender<Status>, since: Option<u64>) -> String {
    let mut updates = status.subscribe();
    if since.is_some() {
        let _ = tokio::time::timeout(POLL_TIMEOUT, updates.wait_for(|s| Some(s.version) != since)).await;
    }
    let current = updates.borrow();
    serde_json::to_string(&*current).unwrap_or_default()
}

/// A file of the site, or the portal's 404 page; HTML pages get the preview client.
fn file_answer(output: &Path, path: &str) -> Answer {
    let (status, file) = match resolve(output, path) {
        Some(file) => (StatusCode::OK, file),
        None => (StatusCode::NOT_FOUND, output.join("404.html")),
    };
    let Ok(bytes) = std::fs::read(&file) else {
        return reply(StatusCode::NOT_FOUND, "text/plain; charset=utf-8", "not found");
    };
    let content_type = mime_type(&file);
    let body = if content_type.starts_with("text/html") {
        inject_live_reload(String::from_utf8_lossy(&bytes).into_owned()).into_bytes()
    } else {
        bytes
    };
    reply(status, content_type, body)
}

/// Adds the preview client to an HTML page.
fn inject_live_reload(html: String) -> String {
    let tags = "<link rel=\"stylesheet\" href=\"/__lotse/live.css\"><script src=\"/__lotse/live.js\" defer></script>";
    match html.find("</head>") {
        Some(at) => format!("{}{tags}{}", &html[..at], &html[at..]),
        None => html + tags,
    }
}

/// Maps a request path to a file inside `output`, refusing anything that could leave it.
fn resolve(output: &Path, url_path: &str) -> Option<PathBuf> {
    let path = url_path.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut file = output.to_path_buf();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => file.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let canonical = dunce::canonicalize(&file).ok()?;
    let base = dunce::canonicalize(output).ok()?;
    (canonical.starts_with(&base) && canonical.is_file()).then_some(canonical)
}

/// Decodes `%xx` escapes; `None` for malformed ones or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type of a file, by its ending.
fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "gz" => "application/gzip",
        "lzma" => "application/x-lzma",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_only_to_its_own_addresses() {
        let hosts = AllowedHosts::new("127.0.0.1:1111".parse().unwrap());
        for good in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LOCALHOST:1111",
            "[::1]:1111",
            "192.168.1.20:1111",
            "vorschau.localhost:1111",
        ] {
            assert!(hosts.allows(good), "{good}");
        }
        for bad in
            ["evil.example:1111", "127.0.0.1.nip.io:1111", "localhost:2222", "localhost", "", "::1:1111", "127.0.0.1:x"]
        {
            assert!(!hosts.allows(bad), "{bad}");
        }
        let default_port = AllowedHosts::new("0.0.0.0:80".parse().unwrap());
        assert!(default_port.allows("10.0.0.5"));
        assert!(!default_port.allows("intranet.example"));
    }

    #[test]
    fn resolve_never_leaves_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(out.join("ipad/wlan")).unwrap();
        std::fs::write(out.join("ipad/wlan/index.html"), "x").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "geheim").unwrap();
        assert!(resolve(&out, "/ipad/wlan/").unwrap().ends_with("ipad/wlan/index.html"));
        assert!(resolve(&out, "/ipad/wlan/?q=1").is_some());
        for attack in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/ipad/..%2f..%2fsecret.txt",
            "/%2E%2E%5Csecret.txt",
            "/ipad/%00",
            "/%zz",
            "//etc/passwd",
        ] {
            assert_eq!(resolve(&out, attack), None, "{attack}");
        }
    }

    #[test]
    fn mime_types_include_wasm() {
        assert_eq!(mime_type(Path::new("a/b.wasm")), "application/wasm");
        assert_eq!(mime_type(Path::new("index.html")), "text/html; charset=utf-8");
    }
}
