//! End-to-end tests of outage notices: banners where teachers look, the incidents page and the
//! feed, and every mistake reported before anything is written.

mod common;

use common::{lotse_with_env, Portal};

/// 2026-12-07 09:00 in Berlin (08:00 UTC): the builds below happen at this moment.
const NOW: &str = "1796630400";

fn build_at(portal: &Portal, now: &str) -> common::Run {
    let root = portal.root().to_string_lossy().into_owned();
    lotse_with_env(&["build", "--root", &root], portal.root(), &[("SOURCE_DATE_EPOCH", now), ("TZ", "Europe/Berlin")])
}

fn notice(title: &str, extra: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n{extra}---\n\n{body}\n")
}

fn portal_with_notices() -> Portal {
    let portal = Portal::fixture("valid");
    // Active since 08:10, on IServ only, with a workaround and an update at 08:40.
    portal.write(
        "notices/iserv-mail.md",
        &notice(
            "IServ-E-Mail verschickt nichts",
            "start: 2026-12-07T08:10:00+01:00\nstatus: identified\nplatforms: [iserv]\nlocations: [Gymnasium Nord]\narticle: ../content/iserv/passwort-vergessen.md\n",
            "Mails bleiben im Postausgang.\n\n### 2026-12-07 08:40\n\nDer Dienstleister ist informiert.",
        ),
    );
    // Over: ended yesterday. Upcoming: maintenance next week.
    portal.write(
        "notices/ipad-gestern.md",
        &notice(
            "AirPlay gestört",
            "start: 2026-12-06T08:00:00+01:00\nend: 2026-12-06T11:00:00+01:00\nstatus: resolved\nplatforms: [ipad]\n",
            "Behoben.",
        ),
    );
    portal.write(
        "notices/wartung.md",
        &notice("Wartung des Druckservers", "start: 2026-12-14T16:00:00+01:00\nend: 2026-12-14T18:00:00+01:00\nstatus: identified\nplatforms: [allgemein]\n", "Angekündigt."),
    );
    portal
}

#[test]
fn an_active_notice_shows_on_the_home_page_and_its_platform_only() {
    let portal = portal_with_notices();
    build_at(&portal, NOW).expect_code(0);
    let banner = "IServ-E-Mail verschickt nichts";
    for page in ["index.html", "iserv/index.html", "iserv/passwort-vergessen/index.html"] {
        let html = portal.read_output(page);
        assert!(html.contains(banner), "{page} lacks the banner");
        assert!(html.contains(r#"<div class="notice-banners" role="status""#), "{page}: not announced politely");
        assert!(html.contains("wir arbeiten daran") && html.contains("8:40 Uhr"), "{page}: status and last update");
        assert!(html.contains("stoerungen/#iserv-mail"), "{page}: the banner links to the notice");
    }
    for page in ["ipad/index.html", "ipad/wlan/index.html", "allgemein/drucker/index.html", "tags/index.html"] {
        assert!(!portal.read_output(page).contains(banner), "{page} shows another platform's notice");
    }
    // The ended notice is no banner anywhere; the announced one waits hidden for its start.
    let home = portal.read_output("index.html");
    assert!(!home.contains("AirPlay gestört"));
    let announced = home.find("Wartung des Druckservers").expect("the announced notice waits on the page");
    let its_banner = &home[home[..announced].rfind("<p ").unwrap()..announced];
    assert!(its_banner.contains(" hidden>"), "the announced notice shows before its start: {its_banner}");
    // The current and announced notices, for scripts and the service worker.
    let json: serde_json::Value = serde_json::from_str(&portal.read_output("notices.json")).unwrap();
    let ids: Vec<&str> = json["notices"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["wartung", "iserv-mail"]);
}

#[test]
fn the_incidents_page_and_feed_list_current_upcoming_and_recent_notices() {
    let portal = portal_with_notices();
    build_at(&portal, NOW).expect_code(0);
    let page = portal.read_output("stoerungen/index.html");
    let at = |needle: &str| page.find(needle).unwrap_or_else(|| panic!("no `{needle}` on the incidents page"));
    assert!(at("Jetzt") < at("IServ-E-Mail verschickt nichts"));
    assert!(at("Angekündigt") < at("Wartung des Druckservers"));
    assert!(at("Behoben in den letzten 30 Tagen") < at("AirPlay gestört"));
    assert!(page.contains("Gymnasium Nord") && page.contains("Der Dienstleister ist informiert."));
    assert!(page.contains(r#"href="../iserv/passwort-vergessen/""#), "the workaround link");
    assert!(portal.read_output("index.html").contains(r#"href="stoerungen/">Aktuelle Störungen</a>"#), "footer link");
    // A month later the ended notice is gone from page and feed.
    build_at(&portal, "1799308800").expect_code(0); // 2027-01-07 09:00 in Berlin
    assert!(!portal.read_output("stoerungen/index.html").contains("AirPlay gestört"));

    build_at(&portal, NOW).expect_code(0);
    let feed = portal.read_output("stoerungen/feed.xml");
    let document = roxmltree::Document::parse(&feed).unwrap_or_else(|e| panic!("the feed is not XML: {e}\n{feed}"));
    let feed_element = document.root_element();
    assert_eq!(feed_element.tag_name().namespace(), Some("http://www.w3.org/2005/Atom"));
    let titles: Vec<String> = feed_element
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| e.children().find(|c| c.has_tag_name("title")).unwrap().text().unwrap().to_string())
        .collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(titles[0].starts_with("Wartung des Druckservers"), "newest update first: {titles:?}");
    assert!(titles.iter().any(|t| t == "IServ-E-Mail verschickt nichts – wir arbeiten daran"), "{titles:?}");
}

#[test]
fn every_notice_mistake_fails_the_build_and_keeps_the_last_output() {
    let portal = portal_with_notices();
    build_at(&portal, NOW).expect_code(0);
    let before = common::snapshot(&portal.public());
    portal.write("notices/a.md", &notice("Ende vor Start", "start: 2026-12-07T10:00:00+01:00\nend: 2026-12-07T09:00:00+01:00\nstatus: identified\nplatforms: [iserv]\n", ""));
    portal.write(
        "notices/b.md",
        &notice("Falsche Plattform", "start: 2026-12-07T10:00:00+01:00\nstatus: identified\nplatforms: [ipda]\n", ""),
    );
    portal.write(
        "notices/c.md",
        &notice("Ohne Zeitzone", "start: 2026-12-07 10:00\nstatus: identified\nplatforms: [iserv]\n", ""),
    );
    portal.write(
        "notices/d.md",
        &notice("Falscher Status", "start: 2026-12-07T10:00:00+01:00\nstatus: kaputt\nplatforms: [iserv]\n", ""),
    );
    portal.write(
        "notices/Iserv-Mail.md",
        &notice("Doppelt", "start: 2026-12-07T10:00:00+01:00\nstatus: identified\nplatforms: [iserv]\n", ""),
    );
    let run = build_at(&portal, NOW);
    run.expect_code(1);
    for (message, location) in [
        ("is not after `start`", "notices/a.md:4:"),
        ("unknown platform `ipda`", "notices/b.md:5:"),
        ("`2026-12-07 10:00` has no time zone", "notices/c.md:3:"),
        ("unknown status `kaputt`", "notices/d.md:4:"),
        ("duplicate notice id `iserv-mail`", "notices/"),
    ] {
        let found = run.stderr.split("error: ").any(|block| block.contains(message) && block.contains(location));
        assert!(found, "no `{message}` at {location} in:\n{}", run.stderr);
    }
    assert_eq!(common::snapshot(&portal.public()), before, "the last good output changed");
}

#[test]
fn a_portal_without_notices_has_no_incidents_page() {
    let portal = Portal::fixture("valid");
    build_at(&portal, NOW).expect_code(0);
    assert!(!portal.public().join("stoerungen").exists());
    assert!(!portal.read_output("index.html").contains("notice-banner"));
}

#[test]
fn a_notice_only_change_keeps_the_articles_and_equals_a_full_build() {
    let portal = portal_with_notices();
    build_at(&portal, NOW).expect_code(0);
    let untouched = portal.public().join("ipad/wlan/index.html");
    let rendered_at = std::fs::read(&untouched).unwrap();
    // A new notice for the iPads, then a build: only notices changed.
    portal.write(
        "notices/ipad-wlan.md",
        &notice(
            "iPads finden das WLAN nicht",
            "start: 2026-12-07T08:30:00+01:00\nstatus: investigating\nplatforms: [ipad]\n",
            "Wir prüfen das.",
        ),
    );
    let run = build_at(&portal, NOW);
    run.expect_code(0);
    assert!(run.stdout.contains("Only notices changed"), "{}", run.stdout);
    assert!(portal.read_output("ipad/wlan/index.html").contains("iPads finden das WLAN nicht"));
    assert_ne!(std::fs::read(&untouched).unwrap(), rendered_at);
    // Byte for byte what a full build of the same sources gives.
    let full = portal.root().join("voll");
    let root = portal.root().to_string_lossy().into_owned();
    let run = lotse_with_env(
        &["build", "--root", &root, "--output", "voll"],
        portal.root(),
        &[("SOURCE_DATE_EPOCH", NOW), ("TZ", "Europe/Berlin")],
    );
    run.expect_code(0);
    assert!(!run.stdout.contains("Only notices changed"), "a new folder takes a full build");
    assert_eq!(common::snapshot(&portal.public()), common::snapshot(&full));
    // Any other change takes a full build again.
    let article = portal.root().join("content/ipad/wlan.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, format!("{text}\nNoch ein Satz.\n")).unwrap();
    let run = build_at(&portal, NOW);
    run.expect_code(0);
    assert!(!run.stdout.contains("Only notices changed"), "{}", run.stdout);
    assert!(portal.read_output("ipad/wlan/index.html").contains("Noch ein Satz."));
    // A broken notice fails the fast path like a full build: the last output stays.
    let before = common::snapshot(&portal.public());
    portal.write(
        "notices/ipad-wlan.md",
        &notice("Kaputt", "start: morgen\nstatus: investigating\nplatforms: [ipad]\n", ""),
    );
    build_at(&portal, NOW).expect_code(1);
    assert_eq!(common::snapshot(&portal.public()), before);
}
