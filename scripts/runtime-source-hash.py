"""Prints the hash of the search runtime's sources (FNV-1a 64 over path, NUL, content of each file).

The same computation lives in tests/search_runtime.rs; both must list the same files.
"""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEARCH = ROOT / "search-index"
FILES = sorted(
    [p for p in SEARCH.rglob("*.rs") if not {"target", "examples", "encoder-wasm"} & set(p.relative_to(SEARCH).parts)]
    + sorted((SEARCH / "vocabulary").glob("*.txt"))
    + [SEARCH / f for f in ("Cargo.toml", "wasm/Cargo.toml", "wasm/Cargo.lock", "wasm/regex-lite-shim/Cargo.toml", "wasm/rayon-shim/Cargo.toml")]
    + [ROOT / ".cargo" / "config.toml", ROOT / "rust-toolchain.toml", ROOT / "scripts" / "build-search-runtime"]
)

h = 0xCBF29CE484222325
for path in FILES:
    rel = path.relative_to(ROOT).as_posix().encode() + b"\0"
    for byte in rel + path.read_bytes():
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
print(f"{h:016x}")
