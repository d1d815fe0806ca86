// Shared pieces of the search benchmarks: build a site with Lotse, index it with Pagefind,
// serve it on loopback, and drive both search engines in headless Chromium.
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, existsSync, statSync, readdirSync, writeFileSync, mkdtempSync } from "node:fs";
import { join, extname, dirname, resolve } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const HERE = dirname(fileURLToPath(import.meta.url));

export function lotseBinary() {
  const bin = process.env.LOTSE_BIN || join(REPO, "target/release/lotse");
  if (!existsSync(bin)) {
    console.error(`no lotse binary at ${bin}; build it with: cargo build --release (or set LOTSE_BIN)`);
    process.exit(2);
  }
  return bin;
}

export function chromiumPath() {
  const path = process.env.CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(path)) {
    console.error(`no Chromium at ${path}; install it with: apt-get install -y chromium (or set CHROMIUM)`);
    process.exit(2);
  }
  return path;
}

/** Builds the portal at `root` into a fresh temporary folder and returns the output path. */
export function buildLotse(root, extra = []) {
  const out = join(mkdtempSync(join(tmpdir(), "lotse-search-bench-")), "public");
  execFileSync(lotseBinary(), ["build", "--quiet", "--root", root, "--output", out, ...extra], { stdio: "inherit" });
  return out;
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

/**
 * Indexes the article pages of a built site with Pagefind. Pagefind indexes what a page marks with
 * `data-pagefind-body`; Lotse's theme has no such mark, so the article element of each article page
 * gets it here (on the copy being measured), which limits Pagefind to the same text Lotse indexes.
 */
export function indexWithPagefind(site) {
  for (const file of walk(site)) {
    if (!file.endsWith("index.html")) continue;
    const html = readFileSync(file, "utf8");
    if (html.includes('<body class="page-article">')) {
      writeFileSync(file, html.replace('<article class="article">', '<article class="article" data-pagefind-body>'));
    }
  }
  const bin = join(HERE, "node_modules/.bin/pagefind");
  if (!existsSync(bin)) {
    console.error("Pagefind is not installed: run npm ci --prefix benches/search");
    process.exit(2);
  }
  execFileSync(bin, ["--site", site, "--force-language", "de", "--quiet"], { stdio: "inherit" });
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".svg": "image/svg+xml", ".wasm": "application/wasm", ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
};

/** The page both engines run in. */
export const BENCH_PAGE = "/__bench.html";

/** Serves `dir` on 127.0.0.1 with correct types; counts bytes sent per request path. */
export function serve(dir) {
  const log = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === BENCH_PAGE) {
      // An empty page: the theme's own search script would start Lotse's worker and skew measurements.
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end("<!doctype html><html lang=de><title>bench</title></html>");
      return;
    }
    let path = join(dir, decodeURIComponent(url.pathname));
    if (!path.startsWith(dir)) { res.writeHead(404); res.end(); return; }
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
    if (!existsSync(path)) { res.writeHead(404); res.end(); return; }
    const body = readFileSync(path);
    const type = TYPES[extname(path)] || "application/octet-stream";
    // Byte ranges, as nginx and Apache serve them.
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range || "");
    if (range && Number(range[2]) < body.length) {
      const part = body.subarray(Number(range[1]), Number(range[2]) + 1);
      log.push({ path: url.pathname, bytes: part.length, range: [Number(range[1]), Number(range[2]) + 1] });
      res.writeHead(206, { "Content-Type": type, "Content-Range": `bytes ${range[1]}-${range[2]}/${body.length}`, "Cache-Control": "no-cache" });
      res.end(part);
      return;
    }
    log.push({ path: url.pathname, bytes: body.length });
    res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-cache" });
    res.end(body);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ server, log, url: `http://127.0.0.1:${server.address().port}` })));
}

export async function launch() {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Runs in the page: starts Lotse's search worker and returns a search function's handle. */
export async function openLotse(page, base) {
  await page.goto(base + BENCH_PAGE);
  await page.evaluate(async () => {
    const worker = new Worker("/search/lotse-worker.js");
    let next = 0;
    const waiting = new Map();
    const similar = new Map();
    await new Promise((ok, fail) => {
      worker.onmessage = (e) => {
        if (e.data.type === "ready") ok();
        else if (e.data.type === "error" && e.data.id === undefined) fail(new Error(e.data.message));
        else if (e.data.type === "similar" && similar.has(e.data.id)) { similar.get(e.data.id)(e.data); similar.delete(e.data.id); }
        else if (waiting.has(e.data.id)) { waiting.get(e.data.id)(e.data); waiting.delete(e.data.id); }
      };
      worker.postMessage({ type: "init", manifest: new URL("/search/manifest.json", location.href).href });
    });
    window.__lotse = (query, typing = false, limit = 10) => new Promise((ok) => {
      const id = ++next;
      waiting.set(id, ok);
      worker.postMessage({ type: "search", id, query, platform: "", typing, limit });
    });
    // The semantic stage, where the portal ships it: the dropdown's lexical results, then the
    // "similar" answer with the fused and meaning-only rankings (the first call waits for the
    // encoder to load).
    let warmed = false;
    window.__lotseSemantic = (query, limit = 8) => new Promise((ok) => {
      if (!warmed) worker.postMessage({ type: "semantic-warm" }); // as the page does when idle
      warmed = true;
      const id = ++next;
      let results = null;
      waiting.set(id, (answer) => { results = answer; });
      similar.set(id, (answer) => ok({ results: results.results, similar: answer.results, fused: answer.fused, meaning: answer.meaning }));
      worker.postMessage({ type: "search", id, query, platform: "", typing: false, limit, semantic: true, rankings: true });
    });
  });
}

export async function openPagefind(page, base) {
  await page.goto(base + BENCH_PAGE);
  await page.evaluate(async () => {
    const pagefind = await import("/pagefind/pagefind.js");
    await pagefind.init();
    window.__pagefind = async (query, limit = 10) => {
      const search = await pagefind.search(query);
      const data = await Promise.all(search.results.slice(0, limit).map((r) => r.data()));
      return data.map((d) => d.url);
    };
  });
}

/** Turns any result URL into the site path form `ipad/wlan-verbinden/`. */
export function sitePath(url) {
  return url.replace(/^https?:\/\/[^/]+/, "").replace(/^\//, "").replace(/index\.html$/, "").replace(/\?.*$/, "");
}
