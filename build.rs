//! Rebuilds `lotse` when the files it embeds change: `include_dir!` alone does not tell cargo about
//! them, and a binary with a stale default theme or scaffold would be a silent bug.

fn main() {
    for dir in ["themes/default", "src/scaffold/portal", "search-index/runtime"] {
        println!("cargo:rerun-if-changed={dir}");
    }
    // The commit `lotse --version` names, so that a bug report says exactly what was used; a
    // build outside a git checkout (a source package) says `unknown`.
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=LOTSE_COMMIT={commit}");
    let runtime = std::fs::read_to_string("search-index/runtime/source-hash.txt").unwrap_or_default();
    println!("cargo:rustc-env=LOTSE_RUNTIME_HASH={}", runtime.trim());
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
}
