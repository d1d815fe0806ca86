//! End-to-end tests of `lotse init`.

mod common;

use common::{broken_links, lotse};

#[test]
fn init_creates_a_portal_that_builds_as_is() {
    let dir = tempfile::tempdir().unwrap();
    let run = lotse(&["init", "neu"], dir.path());
    run.expect_code(0);
    let root = dir.path().join("neu");
    for file in [
        "lotse.yaml",
        "README.md",
        ".gitignore",
        "content/iserv/passwort-vergessen.md",
        "content/office365/mfa-einrichten.md",
        "content/ipad/wlan-verbinden.md",
        "content/allgemein/problem-melden.md",
    ] {
        assert!(root.join(file).is_file(), "missing {file}");
    }
    let build = lotse(&["build", "--root", "neu"], dir.path());
    build.expect_code(0);
    assert!(build.stdout.contains("Built 4 articles on 4 platforms"), "{}", build.stdout);
    assert!(broken_links(&root.join("public")).is_empty());
}

#[test]
fn init_refuses_non_empty_folders() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notiz.txt"), "meins").unwrap();
    let run = lotse(&["init", "."], dir.path());
    run.expect_code(2);
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("notiz.txt")).unwrap(), "meins");
}
