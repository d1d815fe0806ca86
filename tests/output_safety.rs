//! The output folder is the one place Lotse deletes things. These tests try every way a careless
//! `--output`, a second build or a killed build could lose the portal's sources or the last good site.

mod common;

use std::fs;
use std::path::Path;

use common::{snapshot, Portal};

/// Every source folder of a portal, as `lotse` must refuse to build into it.
const SOURCE_DIRS: &[&str] = &["content", "templates", "static", "themes", "i18n", "notices"];

fn assert_sources_intact(portal: &Portal) {
    assert!(portal.root().join("content/ipad/wlan.md").is_file(), "content/ lost its articles");
    for entry in fs::read_dir(portal.root()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".lotse-old") && !name.ends_with(".lotse-staging"), "left behind: {name}");
    }
}

#[test]
fn dot_dot_after_a_missing_folder_cannot_reach_the_sources() {
    let portal = Portal::fixture("valid");
    for dir in SOURCE_DIRS {
        fs::create_dir_all(portal.root().join(dir)).unwrap();
        fs::write(portal.root().join(dir).join(format!("keep-{dir}.txt")), "mine").unwrap();
    }
    for dir in SOURCE_DIRS {
        for spelling in [format!("nichtda/../{dir}"), format!("nichtda/x/../../{dir}/out"), (*dir).to_string()] {
            let run = portal.build(&["--output", &spelling]);
            run.expect_code(2);
            assert!(run.stderr.contains(&format!("`{dir}/` folder or inside it")), "{spelling}: {}", run.stderr);
            assert_eq!(fs::read_to_string(portal.root().join(dir).join(format!("keep-{dir}.txt"))).unwrap(), "mine");
        }
    }
    assert_sources_intact(&portal);
    assert!(!portal.root().join("nichtda").exists(), "a refused build created folders");
    let run = portal.build(&["--output", "nichtda/../.."]);
    run.expect_code(2);
    assert!(run.stderr.contains("would replace the portal itself"), "{}", run.stderr);
    // And the portal still builds as before.
    portal.build(&[]).expect_code(0);
    assert!(portal.public().join("ipad/wlan/index.html").is_file());
}

#[test]
fn dot_dot_cannot_reach_a_foreign_folder() {
    let portal = Portal::fixture("valid");
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    fs::create_dir_all(&victim).unwrap();
    fs::write(victim.join("thesis.txt"), "years of work").unwrap();
    let spelled = outside.path().join("nx/../victim");
    let run = portal.build(&["--output", spelled.to_str().unwrap()]);
    run.expect_code(2);
    assert!(run.stderr.contains("not created by Lotse"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(victim.join("thesis.txt")).unwrap(), "years of work");
    let names: Vec<_> = fs::read_dir(outside.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("victim")], "the build left or renamed folders");
}

#[test]
fn an_empty_existing_output_folder_is_used_and_later_builds_work() {
    let portal = Portal::fixture("valid");
    fs::create_dir_all(portal.public()).unwrap();
    portal.build(&[]).expect_code(0);
    assert!(portal.public().join("index.html").is_file());
    portal.build(&[]).expect_code(0);
    portal.build(&[]).expect_code(0);
    assert_sources_intact(&portal);
}

#[test]
fn a_build_killed_between_the_renames_is_repaired_by_the_next_start() {
    let portal = Portal::fixture("valid");
    portal.build(&[]).expect_code(0);
    let good = snapshot(&portal.public());
    // What a kill after the first of two renames leaves: the last good site aside, no output.
    fs::rename(portal.public(), portal.root().join(".public.lotse-old")).unwrap();
    // Even a failing build puts the last good site back.
    portal.write("content/ipad/kaputt.md", "---\ntitle: [\n---\n");
    portal.build(&[]).expect_code(1);
    assert!(snapshot(&portal.public()) == good, "the last good site was not restored");
    assert!(!portal.root().join(".public.lotse-old").exists());
}

#[test]
fn concurrent_builds_into_one_output_never_publish_a_partial_site() {
    let portal = Portal::fixture("valid");
    // Enough articles that a build takes a while and two builds overlap.
    for i in 0..300 {
        portal.write(
            &format!("content/iserv/artikel-{i}.md"),
            &format!("---\ntitle: Artikel {i}\nsummary: Test {i}\n---\n\nText {i} mit etwas Inhalt.\n"),
        );
    }
    let root = portal.root().to_string_lossy().into_owned();
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_lotse"))
            .args(["build", "--root", &root])
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = spawn();
    let second = spawn();
    let first = first.wait_with_output().unwrap();
    let second = second.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(second.status.success(), "{}", String::from_utf8_lossy(&second.stderr));
    for i in 0..300 {
        assert!(portal.public().join(format!("iserv/artikel-{i}/index.html")).is_file(), "article {i} missing");
    }
    assert_sources_intact(&portal);
}

#[test]
fn portal_files_that_would_replace_generated_files_are_errors() {
    for (file, generated) in [
        ("content/search/manifest.json", "search/manifest.json"),
        ("content/sitemap.xml", "sitemap.xml"),
        ("static/index.html", "index.html"),
        ("static/search/manifest.json", "search/manifest.json"),
        ("static/sitemap.xml", "sitemap.xml"),
        ("static/sw.js", "sw.js"),
    ] {
        let portal = Portal::fixture("valid");
        portal.build(&[]).expect_code(0);
        let before = snapshot(&portal.public());
        portal.write(file, "<p>von Hand</p>");
        let run = portal.build(&[]);
        run.expect_code(1);
        assert!(run.stderr.contains(file), "{file}: {}", run.stderr);
        assert!(run.stderr.contains(&format!("would replace `{generated}`")), "{file}: {}", run.stderr);
        assert!(snapshot(&portal.public()) == before, "{file}: the last good site changed");
    }
}

#[test]
fn static_files_of_their_own_are_published() {
    let portal = Portal::fixture("valid");
    portal.write("static/robots.txt", "User-agent: *\n");
    portal.build(&[]).expect_code(0);
    assert_eq!(portal.read_output("robots.txt"), "User-agent: *\n");
    assert!(!Path::new(&portal.public().join("static")).exists());
}
