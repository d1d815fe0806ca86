//! Checks of what ships to technicians besides the code: the release workflow, the packaging
//! targets, the npm launcher and the example CI files for content repositories. The binaries and
//! packages themselves are built and run by scripts/test-release.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_yaml::Value;

/// The five platforms issue 23 names: static Linux on x86_64 and ARM, Windows, both Macs.
const PLATFORMS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-pc-windows-msvc",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
];

fn repo_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn yaml(path: &str) -> Value {
    serde_yaml::from_str(&repo_file(path)).unwrap_or_else(|e| panic!("{path} is not valid YAML: {e}"))
}

fn packaging_targets() -> Vec<serde_json::Value> {
    let targets: serde_json::Value = serde_json::from_str(&repo_file("packaging/targets.json")).unwrap();
    targets["targets"].as_array().unwrap().clone()
}

#[test]
fn the_release_workflow_builds_every_platform_that_is_packaged() {
    let workflow = yaml(".github/workflows/release.yml");
    let include = workflow["jobs"]["binary"]["strategy"]["matrix"]["include"].as_sequence().expect("a matrix");
    let built: BTreeSet<&str> = include.iter().map(|row| row["target"].as_str().expect("a target")).collect();
    let wanted: BTreeSet<&str> = PLATFORMS.into_iter().collect();
    assert_eq!(built, wanted, "the workflow's matrix");
    for row in include {
        assert!(row["runner"].as_str().is_some_and(|r| !r.is_empty()), "{row:?} names no runner");
    }
    let targets = packaging_targets();
    let packaged: BTreeSet<&str> = targets.iter().map(|t| t["target"].as_str().unwrap()).collect();
    assert_eq!(packaged, wanted, "packaging/targets.json");
    // The package step turns exactly those binaries into npm packages and wheels.
    let steps = workflow["jobs"]["packages"]["steps"].as_sequence().unwrap();
    assert!(steps.iter().any(|s| s["run"].as_str().is_some_and(|r| r.contains("packaging/build.py dist"))));
}

#[test]
fn the_npm_launcher_knows_every_packaged_platform() {
    let launcher = repo_file("packaging/npm/lotse/bin/lotse.js");
    let list = launcher.split("const supported = [").nth(1).and_then(|rest| rest.split(']').next()).unwrap();
    let supported: BTreeSet<String> = list.split(',').map(|s| s.trim().trim_matches('"').to_string()).collect();
    let packaged: BTreeSet<String> = packaging_targets()
        .iter()
        .map(|t| {
            let npm = t["npm"].as_str().unwrap();
            assert_eq!(npm, format!("{}-{}", t["os"].as_str().unwrap(), t["cpu"].as_str().unwrap()));
            npm.to_string()
        })
        .collect();
    assert_eq!(supported, packaged);
}

/// Every shell line of a CI file that calls lotse, with `$LOTSE` (the GitHub example's
/// `npx lotse@…`) written as `lotse`.
fn lotse_calls(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => {
            for line in text.lines() {
                let line = line.trim().trim_start_matches("- ").replace("$LOTSE", "lotse");
                if line.starts_with("lotse ") {
                    out.push(line);
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|v| lotse_calls(v, out)),
        Value::Mapping(map) => {
            // `env:` defines $LOTSE itself; the calls are in `run:` and `script:` lines.
            for (key, v) in map {
                if key.as_str() != Some("env") && key.as_str() != Some("variables") {
                    lotse_calls(v, out);
                }
            }
        }
        _ => {}
    }
}

fn help(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_lotse")).args(args).arg("--help").output().unwrap();
    assert!(output.status.success(), "lotse {args:?} --help failed");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_example_ci_files_call_only_commands_and_options_lotse_has() {
    let top = help(&[]);
    for file in ["examples/ci/gitlab-ci.yml", "examples/ci/github-actions.yml"] {
        let mut calls = Vec::new();
        lotse_calls(&yaml(file), &mut calls);
        let mut subcommands = BTreeSet::new();
        for call in &calls {
            let words: Vec<&str> = call.split_whitespace().collect();
            let sub = words[1];
            if sub.starts_with("--") {
                assert!(top.contains(sub), "{file}: `{call}`: lotse has no {sub}");
                continue;
            }
            assert!(
                top.lines().any(|l| l.trim_start().starts_with(&format!("{sub} "))),
                "{file}: `{call}`: lotse has no subcommand {sub}"
            );
            let sub_help = help(&[sub]);
            for flag in words.iter().filter(|w| w.starts_with("--")) {
                assert!(sub_help.contains(flag), "{file}: `{call}`: lotse {sub} has no {flag}");
            }
            subcommands.insert(sub.to_string());
        }
        for needed in ["check", "build"] {
            assert!(subcommands.contains(needed), "{file} never runs lotse {needed}: {calls:?}");
        }
        // Both portals are built, each into its own folder.
        assert!(calls.iter().any(|c| c.starts_with("lotse build --internal")), "{file}: no internal portal: {calls:?}");
    }
}
