// Save-to-reloaded-page time of the live preview: `lotse serve` against `hugo server`.
//
//   npm ci --prefix benches/search && node benches/search/preview.mjs [--sizes 1000,10000] [--edits 15]
//        [--baseline OTHER_LOTSE_BINARY]
//
// With --baseline, a second Lotse binary (an older build, say) is measured in the same run, so
// that a change to the dev server is judged against what it replaces on the same machine state.
//
// For each size, a synthetic portal (benches/build_vs_hugo.py's generator, the same Markdown for
// both tools) is served by both dev servers. An article page is open in headless Chromium; the
// benchmark appends a unique sentence to that article's Markdown file and measures the time from
// the write until the open page shows the sentence (through each tool's live reload: Hugo reloads
// the page, Lotse swaps the changed article into it). Hugo runs in its default fast-render mode.
import { execFileSync, spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { REPO, lotseBinary, launch } from "./common.mjs";

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const sizes = opt("--sizes", "1000,10000").split(",").map(Number);
const edits = Number(opt("--edits", "15"));
const baseline = opt("--baseline", null);

function generate(n) {
  const dir = mkdtempSync(join(tmpdir(), `lotse-preview-${n}-`));
  execFileSync("python3", ["-c", `import sys; from pathlib import Path; sys.path.insert(0, ${JSON.stringify(join(REPO, "benches"))}); from build_vs_hugo import generate; generate(${n}, Path(${JSON.stringify(dir)}), 20261014)`], { stdio: "inherit" });
  return dir;
}

function freePort() {
  return new Promise((ok) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => { const port = server.address().port; server.close(() => ok(port)); });
  });
}

/** Starts a dev server and resolves once it prints `ready` (a regex), with its base URL. */
function start(command, argv, ready, timeoutMs = 300000) {
  return new Promise((ok, fail) => {
    const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
    // Never leave a dev server running, whatever ends this script.
    process.on("exit", () => child.kill("SIGINT"));
    let output = "";
    const timer = setTimeout(() => fail(new Error(`${command} did not start:\n${output}`)), timeoutMs);
    const onData = (data) => {
      output += data;
      const match = ready.exec(output);
      if (match) { clearTimeout(timer); ok({ child, url: match[1].replace(/\/$/, "") }); }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => fail(new Error(`${command} exited with ${code}:\n${output}`)));
  });
}

async function measure(baseUrl, articlePath, markdownFile) {
  const browser = await launch();
  const page = await browser.newPage();
  await page.goto(baseUrl + articlePath);
  const times = [];
  for (let i = 0; i < edits; i++) {
    const marker = `Messpunkt${Date.now()}x${i}`;
    await page.waitForTimeout(300); // let the previous reload settle
    const t0 = performance.now();
    appendFileSync(markdownFile, `\n\n${marker}\n`);
    // Until the open page shows the edit: Hugo reloads it, Lotse swaps the article in.
    await page.waitForFunction((m) => document.body && document.body.textContent.includes(m), marker, { polling: 5, timeout: 60000 });
    times.push(performance.now() - t0);
  }
  await browser.close();
  return times;
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const p95 = (v) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(v.length * 0.95))];
const rows = [];
for (const n of sizes) {
  const dir = generate(n);
  const lotseRoot = join(dir, "lotse");
  const hugoRoot = join(dir, "hugo");
  const platform = "ipad";
  const slug = readdirSync(join(lotseRoot, "content", platform)).filter((f) => f.endsWith(".md")).sort()[0].replace(/\.md$/, "");
  const lotse = await start(lotseBinary(), ["serve", "--root", lotseRoot, "--port", String(await freePort())], /Serving (http:\/\/\S+)/);
  const lotseTimes = await measure(lotse.url, `/${platform}/${slug}/`, join(lotseRoot, "content", platform, `${slug}.md`));
  lotse.child.kill("SIGINT");
  let baselineTimes = null;
  if (baseline) {
    const other = await start(baseline, ["serve", "--root", lotseRoot, "--port", String(await freePort())], /Serving (http:\/\/\S+)/);
    baselineTimes = await measure(other.url, `/${platform}/${slug}/`, join(lotseRoot, "content", platform, `${slug}.md`));
    other.child.kill("SIGINT");
  }
  const hugoPort = await freePort();
  const hugo = await start("hugo", ["server", "--source", hugoRoot, "--bind", "127.0.0.1", "--port", String(hugoPort), "--disableFastRender=false"], /Web Server is available at (http:\/\/\S+)/);
  const hugoTimes = await measure(hugo.url, `/${platform}/${slug}/`, join(hugoRoot, "content", platform, `${slug}.md`));
  hugo.child.kill("SIGINT");
  rows.push({ n, lotse: lotseTimes, baseline: baselineTimes, hugo: hugoTimes });
  console.error(`size ${n} done`);
}

console.log(`Save-to-updated-page time: from saving to the open page showing the edit (${edits} edits of one article's text, headless Chromium)`);
console.log("  size   Lotse median   Lotse p95   Hugo median   Hugo p95   Hugo/Lotse (median)");
for (const r of rows) {
  const f = (x) => `${x.toFixed(0).padStart(6)} ms`;
  console.log(`${String(r.n).padStart(6)}      ${f(median(r.lotse))}   ${f(p95(r.lotse))}     ${f(median(r.hugo))}  ${f(p95(r.hugo))}   ${(median(r.hugo) / median(r.lotse)).toFixed(1).padStart(6)}x`);
}
if (baseline) {
  console.log(`Baseline ${baseline}, same portals and edits:`);
  console.log("  size   this median   this p95   baseline median   baseline p95");
  for (const r of rows) {
    const f = (x) => `${x.toFixed(0).padStart(6)} ms`;
    console.log(`${String(r.n).padStart(6)}      ${f(median(r.lotse))}  ${f(p95(r.lotse))}         ${f(median(r.baseline))}      ${f(p95(r.baseline))}`);
  }
}
const last = rows[rows.length - 1];
console.log(`Goal (median under 100 ms at the largest size, and faster than Hugo): ${median(last.lotse) < 100 && median(last.lotse) < median(last.hugo) ? "HOLDS" : "NOT MET"}`);
