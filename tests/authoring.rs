//! End-to-end tests of the technicians' commands: `lotse check`, `lotse new` and `lotse schema`.

mod common;

use common::{lotse, Portal};

/// The day the fixture's dates are judged against, so that `updated: 2026-10-01` stays fresh and
/// the stale fixture stays stale whatever the calendar says.
const TODAY: &str = "2026-12-05";

fn check(portal: &Portal, extra: &[&str]) -> common::Run {
    let root = portal.root().to_string_lossy().into_owned();
    let mut args = vec!["check", "--root", root.as_str(), "--today", TODAY];
    args.extend_from_slice(extra);
    lotse(&args, portal.root())
}

#[test]
fn staleness_is_judged_against_the_given_day() {
    let portal = Portal::fixture("check");
    let root = portal.root().to_string_lossy().into_owned();
    let stale = |today: &str| {
        let run = lotse(&["check", "--root", &root, "--today", today], portal.root());
        run.stderr.contains("not updated since 2026-10-01")
    };
    // `ipad/gut.md` was updated on 2026-10-01: fresh for twelve months, stale the day after.
    assert!(!stale("2027-10-01"));
    assert!(stale("2027-10-02"));
    let bad = lotse(&["check", "--root", &root, "--today", "morgen"], portal.root());
    bad.expect_code(2);
    assert!(bad.stderr.contains("`morgen` is not a date"), "{}", bad.stderr);
}

#[test]
fn check_reports_long_term_content_findings_as_warnings() {
    let portal = Portal::fixture("check");
    let run = check(&portal, &[]);
    run.expect_code(0);
    let report = &run.stderr;
    for (message, location) in [
        ("warning: unused image: no article shows it", "content/ipad/vergessen.svg"),
        ("warning: duplicate title `eine gute anleitung`", "content/ipad/karg.md:2:1"),
        ("warning: the article has no summary", "content/ipad/karg.md:2:1"),
        ("warning: the article has no keywords", "content/ipad/karg.md:2:1"),
        ("warning: the article has no `updated` date", "content/ipad/karg.md:2:1"),
        ("warning: not updated since 2023-01-15, more than 12 months ago", "content/ipad/alt.md:5:1"),
    ] {
        let at = report.find(message).unwrap_or_else(|| panic!("no `{message}` in:\n{report}"));
        assert!(
            report[at..].lines().nth(1).unwrap_or("").contains(location),
            "`{message}` not at {location}:\n{report}"
        );
    }
    assert!(!report.contains("benutzt.svg"), "a used image was reported:\n{report}");
    assert!(!report.contains("--> content/ipad/gut.md"), "the good article was reported:\n{report}");
    assert!(report.contains("6 warnings"), "{report}");
    // Nothing is written.
    assert!(!portal.public().exists());
}

#[test]
fn check_stale_after_is_configurable() {
    let portal = Portal::fixture("check");
    let run = check(&portal, &["--stale-after", "1200"]);
    run.expect_code(0);
    assert!(!run.stderr.contains("not updated since"), "{}", run.stderr);
}

#[test]
fn check_json_report_is_machine_readable() {
    let portal = Portal::fixture("check");
    let run = check(&portal, &["--format", "json"]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(report["errors"], 0);
    assert_eq!(report["warnings"], 6);
    let stale = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["message"].as_str().unwrap().starts_with("not updated since"))
        .unwrap();
    assert_eq!(stale["severity"], "warning");
    assert_eq!(stale["path"], "content/ipad/alt.md");
    assert_eq!(stale["line"], 5);
    assert!(stale["help"].as_str().unwrap().contains("updated:"));
}

#[test]
fn check_fails_on_build_errors_with_exit_1() {
    let portal = Portal::fixture("invalid");
    let run = check(&portal, &["--format", "json"]);
    run.expect_code(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["errors"], 12, "{report:#}");
    let portal = Portal::fixture("invalid");
    let human = check(&portal, &[]);
    human.expect_code(1);
    assert!(human.stderr.contains("error: dead link: no article `content/iserv/gibt-es-nicht.md`"));
}

#[test]
fn check_reports_build_errors_each_at_its_place() {
    let portal = Portal::fixture("invalid");
    // An alias that collides with a real page, on top of the fixture's other problems.
    portal.write("content/iserv/umzug.md", "---\ntitle: Umgezogen\naliases: [/ipad/links/]\n---\nText\n");
    let run = check(&portal, &["--format", "json"]);
    run.expect_code(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<(String, u64, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (path, line, message) in [
        ("content/iserv/umzug.md", 3, "alias `/ipad/links/` is already taken by the article content/ipad/links.md"),
        ("content/ipad/links.md", 7, "dead link: no article `content/iserv/gibt-es-nicht.md`"),
        ("content/ipad/links.md", 7, "dead link: `content/ipad/ziel.md` has no heading `#zweiter-abschnit`"),
        ("content/ipad/links.md", 11, "image `fehlt.png` not found"),
        ("content/ipad/links.md", 9, "image `ziel-bild.svg` has no alt text"),
    ] {
        assert!(
            found.iter().any(|(p, l, m)| p == path && *l == line && m == message),
            "no `{message}` at {path}:{line} in {found:#?}"
        );
    }
}

#[test]
fn new_creates_a_draft_with_every_field_that_builds() {
    let portal = Portal::fixture("valid");
    let root = portal.root().to_string_lossy().into_owned();
    let run = lotse(
        &["new", "ipad/Apple TV verbinden", "--title", "Apple TV \"R204\" verbinden", "--root", &root],
        portal.root(),
    );
    run.expect_code(0);
    let path = portal.root().join("content/ipad/apple-tv-verbinden.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("---\ntitle: \"Apple TV \\\"R204\\\" verbinden\"\n"), "{text}");
    let today = chrono::Local::now().date_naive().to_string();
    assert!(text.contains(&format!("updated: {today}")), "{text}");
    for field in
        ["summary:", "audience:", "tags:", "keywords:", "featured:", "weight:", "aliases:", "internal:", "draft: true"]
    {
        assert!(text.contains(field), "no {field} in:\n{text}");
    }
    // The new article is valid and stays unpublished until the draft flag goes.
    portal.build(&[]).expect_code(0);
    assert!(!portal.public().join("ipad/apple-tv-verbinden").exists());
    portal.build(&["--drafts"]).expect_code(0);
    assert!(portal.read_output("ipad/apple-tv-verbinden/index.html").contains("Apple TV &quot;R204&quot; verbinden"));

    let again = lotse(&["new", "ipad/apple-tv-verbinden", "--root", &root], portal.root());
    again.expect_code(2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "the existing article was changed");
}

#[test]
fn new_checks_the_platform() {
    let portal = Portal::fixture("valid");
    let root = portal.root().to_string_lossy().into_owned();
    let run = lotse(&["new", "ipda/test", "--root", &root], portal.root());
    run.expect_code(2);
    assert!(
        run.stderr.contains("unknown platform `ipda`") && run.stderr.contains("did you mean `ipad`?"),
        "{}",
        run.stderr
    );
    let run = lotse(&["new", "nur-ein-name", "--root", &root], portal.root());
    run.expect_code(2);
    assert!(run.stderr.contains("is not PLATFORM/SLUG"), "{}", run.stderr);
}

#[test]
fn new_uses_the_portals_own_template() {
    let portal = Portal::fixture("valid");
    portal.write(
        "templates/new-article.md",
        "---\ntitle: \"{{ title }}\"\nupdated: {{ today }}\ndraft: true\n---\nEIGENE VORLAGE für {{ platform }}\n",
    );
    let root = portal.root().to_string_lossy().into_owned();
    lotse(&["new", "iserv/eigene", "--root", &root], portal.root()).expect_code(0);
    let text = std::fs::read_to_string(portal.root().join("content/iserv/eigene.md")).unwrap();
    assert!(text.contains("EIGENE VORLAGE für iserv"), "{text}");
}

#[test]
fn schema_writes_both_json_schemas() {
    let dir = tempfile::tempdir().unwrap();
    lotse(&["schema", "--output", "schemas"], dir.path()).expect_code(0);
    for (file, property) in [("lotse.schema.json", "platforms"), ("front-matter.schema.json", "keywords")] {
        let schema: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("schemas").join(file)).unwrap()).unwrap();
        assert_eq!(schema["additionalProperties"], false, "{file}");
        assert!(schema["properties"][property].is_object(), "{file}");
    }
}
