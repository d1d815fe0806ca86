//! Rebuilds `lotse` when the files it embeds change: `include_dir!` alone does not tell cargo about
//! them, and a binary with a stale default theme or scaffold would be a silent bug.

fn main() {
    for dir in ["themes/default", "src/scaffold/portal", "search-index/runtime"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
