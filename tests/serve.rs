//! End-to-end tests of `lotse serve`: a real server on a free loopback port over a temporary copy
//! of a portal, driven like a technician's editor would drive it.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{Portal, Server};

#[test]
fn serves_the_portal_with_correct_types_and_never_outside_it() {
    let portal = Portal::fixture("valid");
    std::fs::write(portal.root().join("geheim.txt"), "GEHEIM-4711").unwrap();
    let server = Server::start(&portal);
    let (status, content_type, body) = server.get("/ipad/wlan/");
    assert_eq!((status, content_type.as_str()), (200, "text/html; charset=utf-8"));
    assert!(body.contains("<script src=\"/__lotse/live.js\" defer></script>"), "{body}");
    assert_eq!(server.get("/__lotse/live.js").0, 200);
    let manifest: serde_json::Value = serde_json::from_str(&server.get("/search/manifest.json").2).unwrap();
    let (status, content_type, _) = server.get(&format!("/search/{}", manifest["runtime"].as_str().unwrap()));
    assert_eq!((status, content_type.as_str()), (200, "application/x-lzma"));
    for attack in [
        "/../geheim.txt",
        "/%2e%2e/geheim.txt",
        "/ipad/..%2f..%2fgeheim.txt",
        "/%2E%2E%2Fgeheim.txt",
        "/..%5cgeheim.txt",
        "/ipad/%00",
    ] {
        let (status, _, body) = server.get(attack);
        assert_eq!(status, 404, "{attack}");
        assert!(!body.contains("GEHEIM-4711"), "{attack} leaked a file");
        assert!(body.contains("Seite nicht gefunden"), "{attack} did not get the portal's 404 page");
    }
    let (status, _, body) = server.get("/gibt/es/nicht/");
    assert_eq!(status, 404);
    assert!(body.contains("Seite nicht gefunden"));
}

#[test]
fn edits_reach_open_pages_and_errors_never_take_the_preview_down() {
    let portal = Portal::fixture("valid");
    let server = Server::start(&portal);
    let article = portal.root().join("content/ipad/wlan.md");

    // Edit an article: the reload channel names the page, which serves the new text.
    let version = server.version();
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, text.replace("Das Netz heißt", "Das Netz heißt NEU-8812")).unwrap();
    let state = server.poll(version);
    assert!(state["changed"].as_array().unwrap().iter().any(|c| c == "/ipad/wlan/"), "{state}");
    assert!(!state["changed"].as_array().unwrap().iter().any(|c| c == "/iserv/passwort-vergessen/"), "{state}");
    assert!(server.get("/ipad/wlan/").2.contains("NEU-8812"));
    // The search index follows in the background.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !search_text_of(&server, "ipad/wlan/").contains("NEU-8812") {
        assert!(Instant::now() < deadline, "the search index was not refreshed");
        std::thread::sleep(Duration::from_millis(100));
    }

    // Add an article (after the incremental update, a full rebuild must still be allowed).
    let version = state["version"].as_u64().unwrap();
    portal.write("content/ipad/neu.md", "---\ntitle: Ganz neu\n---\nNEUER-ARTIKEL-2209\n");
    let state = server.poll(version);
    assert!(state["changed"].as_array().unwrap().iter().any(|c| c == "/ipad/neu/"), "{state}");
    assert!(server.get("/ipad/neu/").2.contains("NEUER-ARTIKEL-2209"));

    // Break its front matter: the error is reported, the last good site stays served.
    let version = state["version"].as_u64().unwrap();
    portal.write("content/ipad/neu.md", "---\ntitle: [kaputt\n---\nNEUER-ARTIKEL-2209\n");
    let state = server.poll(version);
    let errors = state["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{state}");
    assert!(errors[0].as_str().unwrap().contains("--> content/ipad/neu.md:"), "{state}");
    let (status, _, body) = server.get("/ipad/neu/");
    assert_eq!(status, 200);
    assert!(body.contains("NEUER-ARTIKEL-2209"));

    // Fix it: the errors go away.
    let version = state["version"].as_u64().unwrap();
    portal.write("content/ipad/neu.md", "---\ntitle: Repariert\n---\nREPARIERT-3301\n");
    let state = server.poll(version);
    assert_eq!(state["errors"].as_array().unwrap().len(), 0, "{state}");
    assert!(server.get("/ipad/neu/").2.contains("REPARIERT-3301"));

    // Delete it: its page is gone.
    let version = state["version"].as_u64().unwrap();
    std::fs::remove_file(portal.root().join("content/ipad/neu.md")).unwrap();
    // An editor's save can reach the watcher as several events, each a rebuild: wait for the
    // one that removed the page, each announcing `/ipad/neu/` as changed.
    let mut version = version;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let state = server.poll(version);
        assert!(state["changed"].as_array().unwrap().iter().any(|c| c == "/ipad/neu/"), "{state}");
        if server.get("/ipad/neu/").0 == 404 {
            break;
        }
        assert!(Instant::now() < deadline, "the deleted article's page is still served");
        version = state["version"].as_u64().unwrap();
    }
}

/// The text the search shows excerpts from for the article at `url`, as the served site has it.
fn search_text_of(server: &Server, url: &str) -> String {
    let manifest: serde_json::Value = serde_json::from_str(&server.get("/search/manifest.json").2).unwrap();
    let search = server.build.join("search");
    for chunk in common::docs_chunks(&manifest) {
        let entries: Vec<serde_json::Value> =
            serde_json::from_slice(&common::search_file(&search, &manifest, &chunk)).unwrap();
        if let Some(entry) = entries.iter().find(|e| e[0] == url) {
            return String::from_utf8(common::search_file(&search, &manifest, entry[4].as_str().unwrap())).unwrap();
        }
    }
    String::new()
}

#[test]
fn a_new_title_reaches_every_list_that_shows_the_article() {
    let portal = Portal::fixture("valid");
    let server = Server::start(&portal);
    let version = server.version();
    let article = portal.root().join("content/iserv/passwort-vergessen.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, text.replace("title: Passwort vergessen", "title: Kennwort weg NEU-6021")).unwrap();
    let state = server.poll(version);
    let changed: Vec<&str> = state["changed"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    // The article, its platform and tag pages, the home page (featured) and the related list of
    // the article it links to all show the new title.
    for page in ["/iserv/passwort-vergessen/", "/iserv/", "/tags/passwort/", "/", "/ipad/wlan/"] {
        assert!(changed.contains(&page), "{page} not in {changed:?}");
        assert!(server.get(page).2.contains("Kennwort weg NEU-6021"), "{page} shows the old title");
    }
    // Pages that do not show it stay as they were.
    assert!(!changed.contains(&"/allgemein/drucker/"), "{changed:?}");
}

#[cfg(unix)]
#[test]
fn stops_cleanly_on_ctrl_c() {
    let portal = Portal::fixture("valid");
    let mut server = Server::start(&portal);
    assert_eq!(server.get("/").0, 200);
    // SAFETY: sends a signal to our own child process.
    assert_eq!(unsafe { libc::kill(server.child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            assert!(exit.success(), "{exit:?}");
            break;
        }
        assert!(Instant::now() < deadline, "serve did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The preview's temporary build is gone with it.
    assert!(server.build.ends_with("public"), "{}", server.build.display());
    assert!(!server.build.exists(), "{} was left behind", server.build.display());
}

/// Sends a raw request and returns the status code of the answer (0 when the server closed).
fn raw_status(address: &str, request: &str) -> u16 {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    status_of(&read_head(&mut stream))
}

/// Reads an answer's head (up to the blank line), or what came before the server closed.
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && matches!(stream.read(&mut byte), Ok(1)) {
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

fn status_of(head: &str) -> u16 {
    head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// How long until the server closes `stream` (reads whatever it still sends), at most `limit`.
fn time_until_closed(stream: &mut TcpStream, limit: Duration) -> Duration {
    let started = Instant::now();
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut sink = [0u8; 4096];
    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
    started.elapsed()
}

#[test]
fn slow_silent_and_idle_clients_are_dropped_after_the_request_deadline() {
    let portal = Portal::fixture("valid");
    let server = Server::start(&portal);
    let limit = Duration::from_secs(30);
    // A client that sends its request one header line every second never completes it.
    let mut dripping = TcpStream::connect(&server.address).unwrap();
    let drip_address = server.address.clone();
    let dripper = std::thread::spawn(move || {
        let mut sender = dripping.try_clone().unwrap();
        let _ = sender.write_all(format!("GET / HTTP/1.1\r\nHost: {drip_address}\r\n").as_bytes());
        for i in 0..40 {
            std::thread::sleep(Duration::from_secs(1));
            if sender.write_all(format!("X-Langsam-{i}: ja\r\n").as_bytes()).is_err() {
                break;
            }
        }
        time_until_closed(&mut dripping, Duration::from_millis(10))
    });
    // A kept-alive connection that asks for nothing after its first answer.
    let mut idle = TcpStream::connect(&server.address).unwrap();
    idle.write_all(format!("GET /__lotse/live.js HTTP/1.1\r\nHost: {}\r\n\r\n", server.address).as_bytes()).unwrap();
    let head = read_head(&mut idle);
    assert_eq!(status_of(&head), 200, "{head}");
    let idle_for = time_until_closed(&mut idle, limit);
    assert!(idle_for < Duration::from_secs(15), "an idle kept-alive connection stayed open {idle_for:?}");
    // Dripping stops being possible once the server closed: well before 40 lines.
    let started = Instant::now();
    dripper.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(25), "a dripping client was served for 40 s");
}

/// CPU time (user and system) a process has used so far, from `/proc`.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

#[test]
fn out_of_file_descriptors_the_server_waits_instead_of_spinning() {
    let portal = Portal::fixture("valid");
    let server = Server::start_with_open_file_limit(&portal, 40);
    let host = format!("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", server.address);
    assert_eq!(raw_status(&server.address, &host), 200);
    // More silent clients than the server may open files for: accepting fails with EMFILE.
    let idle: Vec<TcpStream> = (0..60).map(|_| TcpStream::connect(&server.address).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(500));
    let before = cpu_time(server.child.id());
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_time(server.child.id()) - before;
    assert!(used < Duration::from_millis(500), "the server burnt {used:?} of CPU in 2 s while out of files");
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut status = 0;
    while Instant::now() < deadline && status != 200 {
        status = raw_status(&server.address, &host);
    }
    assert_eq!(status, 200, "the server answers again once files are free");
}

#[test]
fn head_has_no_body_and_other_methods_are_refused() {
    let portal = Portal::fixture("valid");
    let server = Server::start(&portal);
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let request = format!("HEAD /ipad/wlan/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", server.address);
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert_eq!(status_of(head), 200, "{head}");
    assert!(head.to_ascii_lowercase().contains("content-type: text/html"), "{head}");
    assert_eq!(body, "", "HEAD sends no body");
    let post = format!("POST / HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\n\r\n", server.address);
    assert_eq!(raw_status(&server.address, &post), 405);
}

#[test]
fn answers_only_to_its_own_host_names() {
    let portal = Portal::fixture("valid");
    let server = Server::start(&portal);
    let port = server.address.rsplit(':').next().unwrap();
    assert_eq!(raw_status(&server.address, &format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n")), 200);
    // A page on another domain that points its name at 127.0.0.1 (DNS rebinding) reads nothing.
    let rebound =
        raw_status(&server.address, &format!("GET /ipad/wlan/ HTTP/1.1\r\nHost: evil.example:{port}\r\n\r\n"));
    assert_eq!(rebound, 421);
    assert_eq!(raw_status(&server.address, "GET / HTTP/1.1\r\n\r\n"), 421, "a request without Host");
}

#[test]
fn idle_connections_are_bounded_and_the_server_keeps_answering() {
    let portal = Portal::fixture("valid");
    let server = Server::start(&portal);
    // Clients that connect and say nothing hold a place each, up to the limit.
    let idle: Vec<TcpStream> = (0..64).map(|_| TcpStream::connect(&server.address).unwrap()).collect();
    let host = format!("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", server.address);
    // Once the server has taken all of them, the next connection is refused at once.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut status = 0;
    while Instant::now() < deadline && status != 503 {
        status = raw_status(&server.address, &host);
    }
    assert_eq!(status, 503, "a connection past the limit is refused");
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        status = raw_status(&server.address, &host);
        if status == 200 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(status, 200, "places are given back when clients leave");
}

#[test]
fn the_preview_shows_drafts_and_internal_articles_marked_and_public_shows_what_is_published() {
    let portal = Portal::fixture("valid");
    let server = Server::start(&portal);
    let (status, _, draft) = server.get("/allgemein/entwurf/");
    assert_eq!(status, 200);
    assert!(draft.contains("Entwurf – wird nicht veröffentlicht"), "{draft}");
    let (status, _, internal) = server.get("/allgemein/intern-geheim/");
    assert_eq!(status, 200);
    assert!(internal.contains("Intern – nur im internen Portal"), "{internal}");
    // A draft started while the preview runs appears, marked, as the README promises.
    let new = common::lotse(
        &["new", "ipad/neuer-entwurf", "--title", "Neuer Entwurf", "--root", portal.root().to_str().unwrap()],
        portal.root(),
    );
    new.expect_code(0);
    let deadline = Instant::now() + Duration::from_secs(30);
    let page = loop {
        let (status, _, page) = server.get("/ipad/neuer-entwurf/");
        if status == 200 || Instant::now() > deadline {
            break page;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(page.contains("Neuer Entwurf") && page.contains("Entwurf – wird nicht veröffentlicht"), "{page}");
    drop(server);

    let public = Server::start_with(portal.root(), &["--public"]);
    for path in ["/allgemein/entwurf/", "/allgemein/intern-geheim/", "/ipad/neuer-entwurf/"] {
        assert_eq!(public.get(path).0, 404, "--public served {path}");
    }
    assert_eq!(public.get("/ipad/wlan/").0, 200);
}

#[test]
fn a_preview_shared_on_the_lan_shows_runbooks_only_when_asked() {
    let portal = Portal::fixture("valid");
    let lan = Server::start_with(portal.root(), &["--bind", "0.0.0.0"]);
    assert_eq!(lan.get("/ipad/wlan/").0, 200);
    assert_eq!(lan.get("/allgemein/intern-geheim/").0, 404, "a LAN preview served an internal article");
    assert!(!lan.get("/search/").2.contains("GEHEIM"));
    drop(lan);
    let asked = Server::start_with(portal.root(), &["--bind", "0.0.0.0", "--internal"]);
    let (status, _, page) = asked.get("/allgemein/intern-geheim/");
    assert_eq!(status, 200);
    assert!(page.contains("Intern – nur im internen Portal"));
}

#[test]
fn a_notice_change_rewrites_only_the_pages_that_show_it() {
    use std::os::unix::fs::MetadataExt;
    let portal = Portal::fixture("valid");
    portal.write(
        "notices/alt.md",
        "---\ntitle: Alte Störung\nstart: 2020-01-01T08:00:00+01:00\nend: 2020-01-01T09:00:00+01:00\nstatus: resolved\nplatforms: [ipad]\n---\n\nVorbei.\n",
    );
    let server = Server::start(&portal);
    let untouched = server.build.join("ipad/wlan/index.html");
    let before = std::fs::metadata(&untouched).unwrap();
    let version = server.version();
    portal.write(
        "notices/mail.md",
        "---\ntitle: IServ-E-Mail verschickt nichts\nstart: 2020-01-01T08:00:00+01:00\nstatus: identified\nplatforms: [iserv]\n---\n\nWir arbeiten daran.\n",
    );
    let status = server.poll(version);
    assert!(status["errors"].as_array().unwrap().is_empty(), "{status}");
    for page in ["/", "/iserv/", "/iserv/passwort-vergessen/", "/stoerungen/"] {
        let (code, _, html) = server.get(page);
        assert_eq!(code, 200, "{page}");
        assert!(html.contains("IServ-E-Mail verschickt nichts"), "{page} lacks the new notice");
    }
    let changed: Vec<&str> = status["changed"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(!changed.contains(&"*") && !changed.iter().any(|c| c.starts_with("/ipad/")), "{changed:?}");
    // The iPad article shows no IServ notice: its page was not written again, let alone rendered.
    let after = std::fs::metadata(&untouched).unwrap();
    assert_eq!((before.ino(), before.mtime_nsec()), (after.ino(), after.mtime_nsec()), "ipad/wlan was rewritten");
    // A mistake in a notice keeps the preview as it was and shows the error.
    let version = server.version();
    portal
        .write("notices/mail.md", "---\ntitle: Kaputt\nstart: gestern\nstatus: identified\nplatforms: [iserv]\n---\n");
    let status = server.poll(version);
    let errors = status["errors"].to_string();
    assert!(errors.contains("`gestern` is not a date and time"), "{status}");
    assert!(server.get("/iserv/").2.contains("IServ-E-Mail verschickt nichts"), "the last good preview stays");
}
