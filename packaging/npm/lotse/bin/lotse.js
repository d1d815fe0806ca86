#!/usr/bin/env node
// Runs the Lotse binary that npm installed for this platform (one of the optional
// @lotse/<platform> packages, as Pagefind and esbuild do it), passing arguments, exit code and
// Ctrl-C through.
"use strict";
const { spawnSync } = require("node:child_process");

const platform = `${process.platform}-${process.arch}`;
const supported = ["linux-x64", "linux-arm64", "win32-x64", "darwin-x64", "darwin-arm64"];
if (!supported.includes(platform)) {
  console.error(`lotse: there is no Lotse binary for ${platform} (there is one for ${supported.join(", ")}).`);
  process.exit(1);
}
let binary;
try {
  binary = require.resolve(`@lotse/${platform}/bin/lotse${process.platform === "win32" ? ".exe" : ""}`);
} catch {
  console.error(`lotse: the package @lotse/${platform} is missing. Install lotse again without --no-optional or --omit=optional.`);
  process.exit(1);
}
// Ctrl-C reaches the binary too (same terminal): let it stop by itself and report its exit code.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});
const result = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  console.error(`lotse: cannot run ${binary}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
