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
        ("warning: no QR codes: `base_url` is not set", "lotse.yaml"),
    ] {
        let at = report.find(message).unwrap_or_else(|| panic!("no `{message}` in:\n{report}"));
        assert!(
            report[at..].lines().nth(1).unwrap_or("").contains(location),
            "`{message}` not at {location}:\n{report}"
        );
    }
    assert!(!report.contains("benutzt.svg"), "a used image was reported:\n{report}");
    assert!(!report.contains("--> content/ipad/gut.md"), "the good article was reported:\n{report}");
    assert!(report.contains("7 warnings"), "{report}");
    // Nothing is written.
    assert!(!portal.public().exists());
}

#[test]
fn check_warns_that_printouts_have_no_qr_codes_without_a_full_base_url() {
    let qr_warning = |base_url: &str| {
        let portal = Portal::fixture("check");
        let config = std::fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
        portal.write("lotse.yaml", &format!("{config}{base_url}"));
        let run = check(&portal, &[]);
        run.expect_code(0);
        run.stderr.lines().find(|l| l.contains("no QR codes")).map(str::to_string)
    };
    assert_eq!(qr_warning("").as_deref(), Some("warning: no QR codes: `base_url` is not set"));
    assert_eq!(
        qr_warning("base_url: /hilfe/\n").as_deref(),
        Some("warning: no QR codes: `base_url: /hilfe/` is not a full web address")
    );
    assert_eq!(qr_warning("base_url: https://hilfe.schule.example/\n"), None);
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
    assert_eq!(report["warnings"], 7);
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

/// The check fixture plus articles with owners and their own review rules, all judged on TODAY.
fn portal_with_owners() -> Portal {
    let portal = Portal::fixture("check");
    let article =
        |title: &str, extra: &str| format!("---\ntitle: {title}\nsummary: Kurz.\nkeywords: [x]\n{extra}---\n\nText.\n");
    // Due 2026-11-01 (review_every 6 from 2026-05-01): overdue, owned by Anna.
    portal.write(
        "content/ipad/halbjahr.md",
        &article(
            "Halbjährlich prüfen",
            "updated: 2026-05-01\nreview_every: 6\nowner: Anna Schmidt <a.schmidt@schul-it.example>\n",
        ),
    );
    // Due by 2026-12-01: overdue, owned by Anna too.
    portal.write(
        "content/ipad/termin.md",
        &article(
            "Bis Dezember prüfen",
            "updated: 2026-11-20\nreview_by: 2026-12-01\nowner: Anna Schmidt <a.schmidt@schul-it.example>\n",
        ),
    );
    // Team iPad's article is fresh: review_by lies ahead even though `updated` is old.
    portal.write(
        "content/ipad/spaeter.md",
        &article("Später prüfen", "updated: 2020-01-01\nreview_by: 2027-06-01\nowner: Team iPad\n"),
    );
    // Team iPad's other article: due 2025-04-01 by the portal default of 12 months.
    portal.write("content/ipad/team.md", &article("Team-Anleitung", "updated: 2024-04-01\nowner: Team iPad\n"));
    portal
}

#[test]
fn check_lists_overdue_articles_by_owner() {
    let portal = portal_with_owners();
    let run = check(&portal, &[]);
    run.expect_code(0);
    let list = run.stdout.split("Due for a check:").nth(1).unwrap_or_else(|| panic!("no list in:\n{}", run.stdout));
    assert!(list.starts_with(" 4 articles, by owner"), "{list}");
    let anna = list.find("Anna Schmidt <a.schmidt@schul-it.example>: 2").expect("Anna's group");
    let team = list.find("Team iPad: 1").expect("Team iPad's group");
    let nobody = list.find("(no owner").expect("the unowned group");
    assert!(anna < team && team < nobody, "named owners alphabetically, then the unowned:\n{list}");
    // Longest overdue first inside a group; the fresh article is not listed.
    let halbjahr = list.find("content/ipad/halbjahr.md  due 2026-11-01").expect("halbjahr");
    let termin = list.find("content/ipad/termin.md  due 2026-12-01").expect("termin");
    assert!(halbjahr < termin && termin < team, "{list}");
    assert!(list.contains("content/ipad/team.md  due 2025-04-01"), "{list}");
    assert!(list.contains("content/ipad/alt.md  due 2024-01-15"), "{list}");
    assert!(!list.contains("spaeter.md"), "{list}");
    // The warnings say where the rule was set.
    assert!(run
        .stderr
        .contains("due for a check since 2026-11-01: `review_every: 6` months after `updated: 2026-05-01`"));
    assert!(run.stderr.contains("due for a check since 2026-12-01 (`review_by`)"), "{}", run.stderr);
}

#[test]
fn the_json_report_lists_overdue_articles_and_matches_its_schema() {
    let portal = portal_with_owners();
    let run = check(&portal, &["--format", "json"]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let schema = lotse(&["schema", "--output", "schemas"], portal.root());
    schema.expect_code(0);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(portal.root().join("schemas/check-report.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let problems: Vec<String> =
        validator.iter_errors(&report).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let overdue = report["overdue"].as_array().unwrap();
    let owners: Vec<&serde_json::Value> = overdue.iter().map(|g| &g["owner"]).collect();
    assert_eq!(
        owners,
        [
            &serde_json::json!("Anna Schmidt <a.schmidt@schul-it.example>"),
            &"Team iPad".into(),
            &serde_json::Value::Null
        ]
    );
    assert_eq!(overdue[0]["articles"][0]["file"], "content/ipad/halbjahr.md");
    assert_eq!(overdue[0]["articles"][0]["due"], "2026-11-01");
    assert_eq!(overdue[0]["articles"][0]["updated"], "2026-05-01");
    // The schema is not a rubber stamp: a report with a wrong field fails it.
    let mut broken = report.clone();
    broken["overdue"][0]["articles"][0]["due"] = "bald".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn owner_and_review_mistakes_are_reported_at_their_line() {
    let portal = Portal::fixture("check");
    let article = |extra: &str| {
        format!("---\ntitle: Falsch\nsummary: Kurz.\nkeywords: [x]\nupdated: 2026-01-01\n{extra}---\n\nText.\n")
    };
    portal.write("content/ipad/a.md", &article("owner: \"<a@b.example>\"\n"));
    portal.write("content/ipad/b.md", &article("owner: Anna <keine-adresse>\n"));
    portal.write("content/ipad/c.md", &article("review_by: nächsten Sommer\n"));
    portal.write("content/ipad/d.md", &article("review_every: 0\n"));
    portal.write("content/ipad/e.md", &article("review_every: 6\nreview_by: 2027-01-01\n"));
    portal.write("content/ipad/f.md", &article("owner: [Anna, Ben]\n"));
    let run = check(&portal, &[]);
    run.expect_code(1);
    for (message, location) in [
        ("names no person or team", "content/ipad/a.md:6:"),
        ("`keine-adresse` is not an e-mail address", "content/ipad/b.md:6:"),
        ("`nächsten Sommer` is not a date", "content/ipad/c.md:6:"),
        ("`review_every: 0` is not a number of months from 1 to 60", "content/ipad/d.md:6:"),
        ("`review_every` and `review_by` both say when to check the article", "content/ipad/e.md:7:"),
        ("owner", "content/ipad/f.md:6:"),
    ] {
        let found = run.stderr.split("error: ").any(|block| block.contains(message) && block.contains(location));
        assert!(found, "no `{message}` at {location} in:\n{}", run.stderr);
    }
}

/// A guided troubleshooting flow with one problem of each kind, and a good one beside it.
const BROKEN_FLOW: &str = "---\ntitle: Beamer bleibt schwarz\n---\nText.\n\n```ablauf\n1. Ist der Beamer an?\n   - Ja: Schritt 2\n2. Steckt das Kabel? Siehe [Kabel](kabel-fehlt.md).\n   - Ja: Gelöst\n   - Nein: Schritt 1\n3. Ist die Lampe kaputt?\n   - Ja: Problem melden\n   - Nein: Schritt 9\n```\n";

#[test]
fn check_and_build_report_every_problem_of_a_flow_at_its_line() {
    let portal = Portal::fixture("valid");
    portal.write("content/allgemein/beamer.md", BROKEN_FLOW);
    let run = check(&portal, &["--format", "json"]);
    run.expect_code(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<(u64, String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == "content/allgemein/beamer.md" && d["severity"] == "error")
        .map(|d| {
            let help = d["help"].as_str().unwrap_or_default().to_string();
            (d["line"].as_u64().unwrap(), d["message"].as_str().unwrap().to_string(), help)
        })
        .collect();
    let expected: [(u64, &str, &str); 5] = [
        (7, "step 1 has no `Nein` answer", "- Nein: Problem melden"),
        (9, "dead link: no article `content/allgemein/kabel-fehlt.md`", "did you mean"),
        (11, "loop: step 2 leads back to step 1", "a flow only goes forward"),
        (12, "step 3 cannot be reached: no answer leads to it", "lead an answer of an earlier step to it"),
        (14, "dead link: the flow has no step 9", "the flow has steps 1, 2, 3"),
    ];
    for (line, message, help) in expected {
        assert!(
            found.iter().any(|(l, m, h)| *l == line && m == message && h.contains(help)),
            "missing {line}: {message} ({help}) in {found:#?}"
        );
    }
    assert_eq!(found.len(), expected.len(), "{found:#?}");

    let build = portal.build(&[]);
    build.expect_code(1);
    assert!(build.stderr.contains("error: loop: step 2 leads back to step 1"), "{}", build.stderr);
    assert!(build.stderr.contains("--> content/allgemein/beamer.md:11:"), "{}", build.stderr);
    assert!(build.stderr.contains("11 |    - Nein: Schritt 1"), "{}", build.stderr);
}
