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

#[test]
fn the_commented_examples_in_a_new_portal_build_when_switched_on() {
    let dir = tempfile::tempdir().unwrap();
    lotse(&["init", "neu"], dir.path()).expect_code(0);
    let config_path = dir.path().join("neu/lotse.yaml");
    let config = std::fs::read_to_string(&config_path).unwrap();
    // Remove the `# ` of every line from `# accessibility:` on, as the comments tell a technician to.
    let mut switched_on = false;
    let lines: Vec<String> = config
        .lines()
        .map(|line| {
            switched_on |= line.starts_with("# accessibility:");
            match line.strip_prefix("# ") {
                Some(rest) if switched_on && (rest.starts_with(' ') || rest.ends_with(':') && !rest.contains(' ')) => {
                    rest.to_string()
                }
                _ => line.to_string(),
            }
        })
        .collect();
    std::fs::write(&config_path, lines.join("\n")).unwrap();
    let run = lotse(&["build"], &dir.path().join("neu"));
    run.expect_code(0);
    assert!(dir.path().join("neu/public/problem-melden/index.html").exists(), "{}", lines.join("\n"));
    assert!(dir.path().join("neu/public/barrierefreiheit/index.html").exists());
}
