//! End-to-end tests of bad input: every problem is reported at once, located, with a suggestion,
//! and the last good output stays untouched.

mod common;

use common::{lotse, snapshot, Portal};

/// Builds the `invalid` fixture and returns its stderr, checking the exit code.
fn invalid_report() -> String {
    let portal = Portal::fixture("invalid");
    let run = portal.build(&[]);
    run.expect_code(1);
    run.stderr.clone()
}

/// Asserts that `report` has a diagnostic `message` at `location`, followed by `help`.
fn assert_diagnostic(report: &str, message: &str, location: &str, help: Option<&str>) {
    let start = report
        .find(&format!("error: {message}"))
        .unwrap_or_else(|| panic!("no error `{message}` in report:\n{report}"));
    let block_end = report[start + 1..].find("\nerror: ").map_or(report.len(), |i| start + 1 + i);
    let block = &report[start..block_end];
    assert!(block.contains(&format!("--> {location}")), "`{message}` not at {location}:\n{block}");
    if let Some(help) = help {
        assert!(block.contains(&format!("help: {help}")), "`{message}` lacks help `{help}`:\n{block}");
    }
}

#[test]
fn every_content_problem_is_reported_with_file_line_and_help() {
    let report = invalid_report();
    assert_diagnostic(
        &report,
        "did not find expected ',' or ']', while parsing a flow sequence",
        "content/iserv/yaml-kaputt.md:4:1",
        None,
    );
    assert_diagnostic(
        &report,
        "the article has no `title`",
        "content/iserv/ohne-titel.md:2:1",
        Some("add a line such as"),
    );
    assert_diagnostic(
        &report,
        "unknown audience `teacher`",
        "content/iserv/ohne-titel.md:3:12",
        Some("did you mean `teachers`?"),
    );
    assert_diagnostic(
        &report,
        "`1.2.2026` is not a date",
        "content/iserv/ohne-titel.md:4:10",
        Some("write the date as YYYY-MM-DD"),
    );
    assert_diagnostic(
        &report,
        "unknown front matter field `sumary`",
        "content/iserv/tippfehler.md:3:1",
        Some("did you mean `summary`?"),
    );
    assert_diagnostic(
        &report,
        "unknown platform `ipda` (from the folder name)",
        "content/ipda/falscher-ordner.md:1:1",
        Some("did you mean `ipad`?"),
    );
    assert_diagnostic(
        &report,
        "dead link: no article `content/iserv/gibt-es-nicht.md`",
        "content/ipad/links.md:7:5",
        None,
    );
    assert_diagnostic(
        &report,
        "dead link: `content/ipad/ziel.md` has no heading `#zweiter-abschnit`",
        "content/ipad/links.md:7:53",
        Some("did you mean `#zweiter-abschnitt`?"),
    );
    assert_diagnostic(
        &report,
        "image `ziel-bild.svg` has no alt text",
        "content/ipad/links.md:9:1",
        Some("describe what the picture shows"),
    );
    assert_diagnostic(&report, "image `fehlt.png` not found", "content/ipad/links.md:11:1", None);
    assert_diagnostic(
        &report,
        "link to `content/ipad/intern.md`, which is internal and not published",
        "content/ipad/links.md:13:5",
        None,
    );
    assert_diagnostic(
        &report,
        "duplicate URL `/ipad/ziel/`",
        "content/ipad/ziel.md:1:1",
        Some("content/ipad/ziel/index.md has the same platform"),
    );
    assert!(report.contains("12 errors"), "{report}");
    // A code frame shows the offending line with a caret.
    assert!(report.contains("3 | sumary: Falsch geschrieben.\n  | ^^^^^^"), "{report}");
}

#[test]
fn a_failed_build_leaves_the_last_good_output_untouched() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    let before = snapshot(&portal.public());
    portal.write("content/ipad/kaputt.md", "---\ntitle: [kaputt\n---\n");
    let run = portal.build(&[]);
    run.expect_code(1);
    assert!(run.stderr.contains("previous output was left untouched"), "{}", run.stderr);
    let after = snapshot(&portal.public());
    assert!(before == after, "the output changed after a failed build");
    // No staging folder is left behind either.
    let leftovers: Vec<_> = std::fs::read_dir(portal.root())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("lotse-staging"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn non_utf8_files_are_located() {
    let portal = Portal::fixture("valid");
    let mut bytes = b"---\ntitle: Umlaute\n---\nGr".to_vec();
    bytes.push(0xFC); // "ü" in Latin-1
    bytes.extend_from_slice(b"n\n");
    std::fs::write(portal.root().join("content/ipad/latin1.md"), bytes).unwrap();
    let run = portal.build(&[]);
    run.expect_code(1);
    assert_diagnostic(
        &run.stderr,
        "the file is not valid UTF-8 text",
        "content/ipad/latin1.md:4:3",
        Some("save the file as UTF-8"),
    );
}

#[test]
fn config_errors_exit_2_with_suggestions() {
    let portal = Portal::fixture("valid");
    portal.write("lotse.yaml", "title: Test\nlangauge: de\nplatforms:\n  - id: ipad\n    nmae: iPad\n");
    let run = portal.build(&[]);
    run.expect_code(2);
    assert_diagnostic(&run.stderr, "unknown setting `langauge`", "lotse.yaml:2:1", Some("did you mean `language`?"));
    assert_diagnostic(&run.stderr, "unknown platform setting `nmae`", "lotse.yaml:5:5", Some("did you mean `name`?"));
}

#[test]
fn a_misconfigured_ticket_section_fails_the_build_and_keeps_the_last_site() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    let before = snapshot(&portal.public());
    let config = std::fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
    portal.write(
        "lotse.yaml",
        &format!("{config}ticket:\n  email: schul-it at schule\n  subject: \"{{plattform}}: {{summary}}\"\n"),
    );
    let run = portal.build(&[]);
    run.expect_code(2);
    let line = config.lines().count() + 2;
    assert_diagnostic(
        &run.stderr,
        "`schul-it at schule` is not an e-mail address",
        &format!("lotse.yaml:{line}:"),
        Some("write the helpdesk's address alone, such as `email: schul-it@landkreis.example`"),
    );
    assert_diagnostic(
        &run.stderr,
        "unknown placeholder `{plattform}` in `subject`",
        &format!("lotse.yaml:{}:", line + 1),
        Some("did you mean `{platform}`?"),
    );
    assert!(snapshot(&portal.public()) == before, "the last good site was changed");
}

#[test]
fn refuses_to_replace_folders_it_did_not_create() {
    let portal = Portal::fixture("valid");
    portal.write("docs/wichtig.txt", "Eigene Notizen");
    let run = portal.build(&["--output", "docs"]);
    run.expect_code(2);
    assert!(run.stderr.contains("is not empty and was not created by Lotse"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(portal.root().join("docs/wichtig.txt")).unwrap(), "Eigene Notizen");

    let run = portal.build(&["--output", "."]);
    run.expect_code(2);
    assert!(run.stderr.contains("would replace the portal itself"), "{}", run.stderr);

    let run = portal.build(&["--output", "content/out"]);
    run.expect_code(2);
    assert!(run.stderr.contains("`content/` folder or inside it"), "{}", run.stderr);
    assert!(portal.root().join("content/ipad/wlan.md").is_file());
}

#[test]
fn refuses_to_delete_files_added_to_its_output() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    portal.write("public/.htaccess", "Header set X-Test 1");
    let run = portal.build(&[]);
    run.expect_code(2);
    assert!(run.stderr.contains(".htaccess"), "{}", run.stderr);
    assert!(run.stderr.contains("static/"), "{}", run.stderr);
    assert!(portal.public().join(".htaccess").is_file());
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    lotse(&["build", "--no-such-flag"], dir.path()).expect_code(2);
    let help = lotse(&["build", "--help"], dir.path());
    help.expect_code(0);
    assert!(help.stdout.contains("--base-url"));
    let version = lotse(&["--version"], dir.path()).stdout;
    assert!(version.starts_with(&format!("lotse {} (commit ", env!("CARGO_PKG_VERSION"))), "{version}");
    let runtime = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("search-index/runtime/source-hash.txt"),
    )
    .unwrap();
    assert!(version.contains(&format!("search runtime {}", runtime.trim())), "{version}");
    let missing = lotse(&["build"], dir.path());
    missing.expect_code(2);
    assert!(missing.stderr.contains("no lotse.yaml found"), "{}", missing.stderr);
}

#[test]
fn a_full_or_closed_terminal_gives_a_documented_exit_code_not_a_panic() {
    use std::process::{Command, Stdio};
    let portal = Portal::fixture("valid");
    let root = portal.root().to_string_lossy().into_owned();
    // stdout on a full disk: the site is built, but the summary is lost, which is an I/O problem.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_lotse"))
        .args(["build", "--root", &root])
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stderr).contains("could not write to standard output"));
    assert!(!String::from_utf8_lossy(&run.stderr).contains("panicked"));
    // A failing portal whose errors go to a closed pipe (`| head -1` that has exited): exit 1.
    portal.write("content/ipad/kaputt.md", "---\ntitle: [\n---\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lotse"))
        .args(["build", "--root", &root])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(1));
}

#[test]
fn raw_html_that_runs_code_fails_the_build_with_its_lines_and_trusted_portals_opt_in() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    let before = snapshot(&portal.public());
    portal.write(
        "content/ipad/boese.md",
        "---\ntitle: Böse\n---\nDrücken Sie <kbd>Strg</kbd>.\n\n<script src=\"tool.js\"></script>\n\n<img src=\"https://tracker.example/p.gif\" alt=\"x\">\n\n<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">\n",
    );
    portal.write("content/ipad/tool.js", "alert(1)");
    portal.write(
        "content/ipad/bild.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<script>alert(1)</script>\n</svg>",
    );
    let run = portal.build(&[]);
    run.expect_code(1);
    for (message, location) in [
        ("raw HTML `<script>`", "content/ipad/boese.md:6:"),
        ("image `https://tracker.example/p.gif` would be loaded from another site", "content/ipad/boese.md:8:"),
        ("raw HTML `<meta>`", "content/ipad/boese.md:10:"),
        ("a `.js` file beside the articles would run as code on the portal's address", "content/ipad/tool.js"),
        ("this SVG contains `<script`", "content/ipad/bild.svg:2:"),
    ] {
        assert_diagnostic(&run.stderr, message, location, None);
    }
    assert!(run.stderr.matches("raw_html: trusted").count() >= 3, "{}", run.stderr);
    assert!(snapshot(&portal.public()) == before, "the last good site was changed");

    // A portal whose authors are all trusted opts in, and gets what it wrote.
    let config = std::fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
    portal.write("lotse.yaml", &format!("{config}\nraw_html: trusted\n"));
    portal.write("content/ipad/boese.md", "---\ntitle: Böse\n---\n<video src=\"film.mp4\" controls></video>\n");
    portal.build(&[]).expect_code(0);
    assert!(portal.read_output("ipad/boese/index.html").contains("<video src=\"film.mp4\" controls></video>"));
}

#[test]
fn messages_name_the_real_problem() {
    let portal = Portal::fixture("valid");
    // An old Mac file (CR only) is an article like any other.
    portal.write("content/iserv/mac.md", "---\rtitle: Vom alten Mac\r---\rText mit CR-Zeilenenden.\r");
    // A file where the platform page is generated.
    portal.write("content/ipad/index.md", "---\ntitle: iPad-Übersicht\n---\nText.\n");
    // A symbolic link that points to itself.
    std::os::unix::fs::symlink("schleife.md", portal.root().join("content/ipad/schleife.md")).unwrap();
    let run = portal.build(&[]);
    run.expect_code(1);
    assert_diagnostic(
        &run.stderr,
        "`ipad/index.md` would replace the platform's own page",
        "content/ipad/index.md:1:1",
        None,
    );
    assert!(run.stderr.contains("warning: skipped a symbolic link that cannot be followed"), "{}", run.stderr);
    assert!(!run.stderr.contains("points outside the portal"), "{}", run.stderr);
    assert!(!run.stderr.contains("mac.md"), "the CR-only file was refused:\n{}", run.stderr);
    std::fs::remove_file(portal.root().join("content/ipad/index.md")).unwrap();
    portal.build(&[]).expect_code(0);
    assert!(portal.read_output("iserv/mac/index.html").contains("Vom alten Mac"));
}

#[test]
fn every_wrong_value_in_lotse_yaml_is_reported_at_once_in_plain_words() {
    let portal = Portal::fixture("valid");
    let config = std::fs::read_to_string(portal.root().join("lotse.yaml")).unwrap();
    portal.write(
        "lotse.yaml",
        &format!("{config}\noffline: vielleicht\ntoc_min_headings: drei\ntheme: ../../anderswo\n"),
    );
    let run = portal.build(&[]);
    run.expect_code(2);
    let lines = config.lines().count();
    assert_diagnostic(
        &run.stderr,
        "wrong kind of value: `offline` takes `true` or `false`, not the text `vielleicht`",
        &format!("lotse.yaml:{}:", lines + 2),
        Some("write `offline: true` or `offline: false`"),
    );
    assert_diagnostic(
        &run.stderr,
        "wrong kind of value: `toc_min_headings` takes a whole number, not the text `drei`",
        &format!("lotse.yaml:{}:", lines + 3),
        Some("write a number without quotes"),
    );
    assert_diagnostic(
        &run.stderr,
        "`../../anderswo` is not the name of a theme folder",
        &format!("lotse.yaml:{}:", lines + 4),
        None,
    );
    assert!(!run.stderr.contains("expected"), "serde's words leaked:\n{}", run.stderr);
}

#[test]
fn a_front_matter_mistake_does_not_hide_the_body_problems_of_the_same_file() {
    let portal = Portal::fixture("valid");
    portal.write(
        "content/ipad/beides.md",
        "---\ntitle: Beides kaputt\nweight: viel\n---\nSiehe [WLAN](wlann.md) und ![](bild.png).\n",
    );
    let run = portal.build(&[]);
    run.expect_code(1);
    assert_diagnostic(
        &run.stderr,
        "wrong kind of value: `weight` takes a whole number, not the text `viel`",
        "content/ipad/beides.md:3:",
        None,
    );
    assert_diagnostic(&run.stderr, "dead link: no article `content/ipad/wlann.md`", "content/ipad/beides.md:5:", None);
    assert_diagnostic(&run.stderr, "image `bild.png` has no alt text", "content/ipad/beides.md:5:", None);
}
