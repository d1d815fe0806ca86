#!/usr/bin/env python3
"""Builds Lotse's npm packages and Python wheels from release binaries, offline.

    python3 packaging/build.py DIST

DIST/bin/ holds the binaries as `lotse-<target>[.exe]` (scripts/release and the release workflow
put them there). For every target in packaging/targets.json whose binary is there, this writes
  DIST/npm/lotse-<platform>-<version>.tgz   the npm package @lotse/<platform> with the binary
  DIST/pypi/lotse-<version>-py3-none-<tag>.whl  a wheel whose only script is the binary
and, once, DIST/npm/lotse-<version>.tgz: the package `lotse`, whose bin picks the platform
package at run time (optionalDependencies with `os` and `cpu`, as Pagefind and esbuild do it).
The same binaries give the same files: zip entries and tarballs carry fixed timestamps.
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DESCRIPTION = "Lotse turns a folder of Markdown how-tos into a searchable IT-support portal for schools"
HOMEPAGE_NOTE = "Documentation: the README of the Lotse repository."
LICENSE = "MIT OR Apache-2.0"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def version() -> str:
    with open(REPO / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["package"]["version"]


def targets() -> list[dict]:
    return json.loads((HERE / "targets.json").read_text())["targets"]


def binary_for(dist: Path, target: dict) -> Path | None:
    """The binary built for `target` (or for its stand-in, such as windows-gnu for -msvc)."""
    for name in [target["target"], target.get("also")]:
        if name:
            candidate = dist / "bin" / f"lotse-{name}{target['exe']}"
            if candidate.is_file():
                return candidate
    return None


def npm_pack(folder: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["npm", "pack", "--silent", "--pack-destination", str(out)],
        cwd=folder, check=True, capture_output=True, text=True,
    )
    return out / result.stdout.strip().splitlines()[-1]


def platform_package(target: dict, binary: Path, ver: str, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bin").mkdir()
        exe = folder / "bin" / f"lotse{target['exe']}"
        shutil.copyfile(binary, exe)
        exe.chmod(0o755)
        manifest = {
            "name": f"@lotse/{target['npm']}",
            "version": ver,
            "description": f"The Lotse binary for {target['os']} {target['cpu']} ({target['target']}); install `lotse` instead",
            "license": LICENSE,
            "os": [target["os"]],
            "cpu": [target["cpu"]],
            "files": ["bin/"],
            "preferUnplugged": True,
        }
        (folder / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        (folder / "README.md").write_text(f"The Lotse binary for {target['npm']}. Install it with `npm install lotse`.\n")
        return npm_pack(folder, out)


def main_package(ver: str, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(HERE / "npm" / "lotse", folder, dirs_exist_ok=True)
        (folder / "bin" / "lotse.js").chmod(0o755)
        manifest = {
            "name": "lotse",
            "version": ver,
            "description": DESCRIPTION,
            "license": LICENSE,
            "bin": {"lotse": "bin/lotse.js"},
            "files": ["bin/"],
            "engines": {"node": ">=18"},
            "optionalDependencies": {f"@lotse/{t['npm']}": ver for t in targets()},
        }
        (folder / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        return npm_pack(folder, out)


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def wheel(target: dict, binary: Path, ver: str, out: Path) -> Path:
    """A wheel by the spec (PEP 427/491): the package, the binary as a script, and dist-info."""
    out.mkdir(parents=True, exist_ok=True)
    tag = f"py3-none-{target['wheel']}"
    path = out / f"lotse-{ver}-{tag}.whl"
    info = f"lotse-{ver}.dist-info"
    readme = (HERE / "npm" / "lotse" / "README.md").read_text().replace("npx lotse", "lotse")
    files: list[tuple[str, bytes, int]] = [
        ("lotse/__init__.py", (HERE / "pypi" / "lotse" / "__init__.py").read_bytes(), 0o644),
        ("lotse/__main__.py", (HERE / "pypi" / "lotse" / "__main__.py").read_bytes(), 0o644),
        (f"lotse-{ver}.data/scripts/lotse{target['exe']}", binary.read_bytes(), 0o755),
        (f"{info}/METADATA", (
            "Metadata-Version: 2.1\n"
            f"Name: lotse\nVersion: {ver}\nSummary: {DESCRIPTION}\nLicense: {LICENSE}\n"
            "Requires-Python: >=3.8\nDescription-Content-Type: text/markdown\n\n" + readme
        ).encode(), 0o644),
        (f"{info}/WHEEL", (
            f"Wheel-Version: 1.0\nGenerator: lotse packaging/build.py\nRoot-Is-Purelib: false\n"
            + "".join(f"Tag: py3-none-{t}\n" for t in target["wheel"].split("."))
        ).encode(), 0o644),
    ]
    record = "\n".join(record_line(n, d) for n, d, _ in files) + f"\n{info}/RECORD,,\n"
    files.append((f"{info}/RECORD", record.encode(), 0o644))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in files:
            entry = zipfile.ZipInfo(name, FIXED_TIME)
            entry.external_attr = (0o100000 | mode) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(entry, data)
    return path


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    dist = Path(sys.argv[1]).resolve()
    ver = version()
    built = []
    for target in targets():
        binary = binary_for(dist, target)
        if binary is None:
            print(f"packaging: no binary for {target['target']} in {dist / 'bin'}, skipped", file=sys.stderr)
            continue
        built.append(platform_package(target, binary, ver, dist / "npm"))
        built.append(wheel(target, binary, ver, dist / "pypi"))
    if not built:
        print(f"error: no release binaries in {dist / 'bin'}; run scripts/release first", file=sys.stderr)
        return 1
    built.append(main_package(ver, dist / "npm"))
    for path in built:
        print(f"packaging: {path.relative_to(dist)} ({path.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
