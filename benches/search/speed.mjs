// Search speed and size: Lotse against Pagefind on synthetic portals, in the same headless Chromium.
//
//   npm ci --prefix benches/search && node benches/search/speed.mjs [--sizes 1000,10000] [--queries 200]
//
// For each size it generates a synthetic portal (benches/build_vs_hugo.py's generator), builds it
// with Lotse, indexes the same article pages with Pagefind, and measures for a cold visitor the bytes
// transferred until the first results appear (raw, and as brotli would send them), the time from the
// first query to results (cold and warm), the median and 95th-percentile query time, the index size
// on disk and the wasm size. Query times are from sending the query to having the first five
// results with their excerpts (both engines fetch excerpt text per result); for Lotse the time of
// the index search alone is reported too.
import { execFileSync } from "node:child_process";
import { readFileSync, mkdtempSync, statSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { brotliCompressSync, constants, gunzipSync } from "node:zlib";
import { REPO, BENCH_PAGE, buildLotse, indexWithPagefind, serve, launch } from "./common.mjs";

const { lzmaDecode } = createRequire(import.meta.url)("../../search-index/runtime/lotse-lzma.js");

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const sizes = opt("--sizes", "1000,10000").split(",").map(Number);
const queryCount = Number(opt("--queries", "200"));

const brotliCache = new Map();
function brotliSize(file) {
  if (!brotliCache.has(file)) {
    const bytes = readFileSync(file);
    brotliCache.set(file, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length);
  }
  return brotliCache.get(file);
}

function du(dir, filter = () => true) {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) total += du(path, filter);
    else if (filter(path)) total += stat.size;
  }
  return total;
}

function generate(n) {
  const dir = mkdtempSync(join(tmpdir(), `lotse-search-speed-${n}-`));
  execFileSync("python3", ["-c", `import sys; from pathlib import Path; sys.path.insert(0, ${JSON.stringify(join(REPO, "benches"))}); from build_vs_hugo import generate; generate(${n}, Path(${JSON.stringify(dir)}), 20261014)`], { stdio: "inherit" });
  return join(dir, "lotse");
}

/** Deterministic everyday queries: one or two words from the portal's titles. */
function makeQueries(site, count) {
  const manifest = JSON.parse(readFileSync(join(site, "search", "manifest.json"), "utf8"));
  // A small portal's result list travels in the .lzma pack, a large portal's in gzipped files of its own.
  const read = (name) => {
    const at = manifest.pack && manifest.pack.files[name];
    if (!at) return gunzipSync(readFileSync(join(site, "search", `${name}.gz`)));
    return Buffer.from(lzmaDecode(new Uint8Array(readFileSync(join(site, "search", manifest.pack.url))), manifest.pack.len)).subarray(at[0], at[0] + at[1]);
  };
  const chunks = Array.from({ length: manifest.docs.count }, (_, n) => `${manifest.docs.prefix}-${n}.json`);
  const titles = chunks.flatMap((chunk) => JSON.parse(read(chunk).toString("utf8")).map((d) => d[1]));
  const words = [...new Set(titles.join(" ").split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 3))].sort();
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const queries = [];
  for (let i = 0; i < count; i++) {
    const a = words[Math.floor(next() * words.length)];
    const b = words[Math.floor(next() * words.length)];
    queries.push(i % 3 === 0 ? a : `${a} ${b}`);
  }
  return queries;
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};

async function measure(engine, base, log, site, queries) {
  const browser = await launch();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + BENCH_PAGE);
  log.length = 0;
  const first = queries[0];
  // Cold: from the first query to the first results, including every download the engine needs.
  const cold = await page.evaluate(async ({ engine, first }) => {
    const t0 = performance.now();
    if (engine === "lotse") {
      const worker = new Worker("/search/lotse-worker.js");
      let next = 0;
      const waiting = new Map();
      worker.onmessage = (e) => { if (waiting.has(e.data.id)) { waiting.get(e.data.id)(e.data); waiting.delete(e.data.id); } };
      // As the theme does: the page fetches the manifest beside the worker's script and hands it over.
      const manifest = new URL("/search/manifest.json", location.href).href;
      fetch(manifest, { cache: "no-cache" }).then((r) => (r.ok ? r.json() : null)).catch(() => null)
        .then((loaded) => worker.postMessage({ type: "init", manifest, loaded }));
      window.__engineTimes = [];
      window.__search = (q) => new Promise((ok) => { const id = ++next; waiting.set(id, ok); worker.postMessage({ type: "search", id, query: q, platform: "", typing: false, limit: 5 }); })
        .then((m) => { window.__engineTimes.push(m.searchMs); return m.results.map((r) => r.url); });
    } else {
      const pagefind = await import("/pagefind/pagefind.js");
      window.__search = async (q) => {
        const s = await pagefind.search(q);
        return (await Promise.all(s.results.slice(0, 5).map((r) => r.data()))).map((d) => d.url);
      };
    }
    const results = await window.__search(first);
    return { ms: performance.now() - t0, results: results.length };
  }, { engine, first });
  const coldFiles = log.map((entry) => entry.path);
  const coldRaw = log.reduce((sum, e) => sum + e.bytes, 0);
  // Range responses are counted at their raw size: hosts do not compress partial content.
  const coldBrotli = log.reduce((sum, e) => sum + (e.range ? e.bytes : brotliSize(join(site, decodeURIComponent(e.path)))), 0);
  // Warm: the same engine, already loaded; a new query (its result data may still need fetching).
  const warm = await page.evaluate(async (q) => { const t0 = performance.now(); await window.__search(q); return performance.now() - t0; }, queries[1]);
  const { times, engineTimes } = await page.evaluate(async (qs) => {
    const out = [];
    window.__engineTimes = [];
    for (const q of qs) { const t0 = performance.now(); await window.__search(q); out.push(performance.now() - t0); }
    return { times: out, engineTimes: window.__engineTimes || [] };
  }, queries.slice(2));
  await browser.close();
  const engineMedian = engineTimes.length ? percentile(engineTimes, 0.5) : NaN;
  return { cold: cold.ms, coldResults: cold.results, coldRaw, coldBrotli, coldRequests: coldFiles.length, warm, median: percentile(times, 0.5), p95: percentile(times, 0.95), engineMedian };
}

const kb = (bytes) => (bytes / 1024).toFixed(0).padStart(6) + " kB";
const ms = (x) => x.toFixed(1).padStart(7) + " ms";
const rows = [];
for (const n of sizes) {
  const portal = generate(n);
  const site = buildLotse(portal);
  indexWithPagefind(site);
  const queries = makeQueries(site, queryCount + 2);
  const { server, url, log } = await serve(site);
  const lotse = await measure("lotse", url, log, site, queries);
  const pagefind = await measure("pagefind", url, log, site, queries);
  server.close();
  // The runtime as published: as .lzma, so "raw" is what a host that compresses nothing sends.
  const wasmFile = readdirSync(join(site, "search")).find((f) => f.endsWith(".wasm.lzma"));
  const lotseWasm = join(site, "search", wasmFile);
  const pfWasm = readdirSync(join(site, "pagefind")).filter((f) => f.startsWith("wasm.")).map((f) => join(site, "pagefind", f));
  rows.push({
    n,
    lotse: { ...lotse, index: du(join(site, "search"), (p) => !p.endsWith(".wasm.lzma") && !p.endsWith(".js") && !p.endsWith("index.html")), wasmRaw: statSync(lotseWasm).size, wasmBrotli: brotliSize(lotseWasm) },
    pagefind: { ...pagefind, index: du(join(site, "pagefind"), (p) => !p.includes("/wasm.") && !p.endsWith(".js") && !p.endsWith(".css")), wasmRaw: pfWasm.map((f) => statSync(f).size).reduce((a, b) => Math.max(a, b), 0), wasmBrotli: pfWasm.map((f) => brotliSize(f)).reduce((a, b) => Math.max(a, b), 0) },
  });
}

console.log("Search speed and size, Lotse vs Pagefind (headless Chromium, loopback, no HTTP compression; brotli = what a compressing host would send)");
const line = (label, f, g = (x) => x) => {
  for (const r of rows) {
    const l = f(r.lotse), p = f(r.pagefind);
    const show = (x) => (Number.isNaN(x) ? "n/a".padStart(g(0).length) : g(x));
    const ratio = Number.isNaN(l / p) ? "" : `${(l / p).toFixed(2).padStart(6)}x`;
    console.log(`${String(r.n).padStart(6)}  ${label.padEnd(34)} ${show(l)}   ${show(p)}   ${ratio}`);
  }
};
console.log("  size  measure                                     Lotse      Pagefind   Lotse/Pagefind");
line("cold first search: bytes (raw)", (e) => e.coldRaw, kb);
line("cold first search: bytes (brotli)", (e) => e.coldBrotli, kb);
line("cold first search: requests", (e) => e.coldRequests, (x) => String(x).padStart(9));
line("cold first search: time", (e) => e.cold, ms);
line("warm search: time", (e) => e.warm, ms);
line(`query time median (${queryCount} queries)`, (e) => e.median, ms);
line(`query time p95 (${queryCount} queries)`, (e) => e.p95, ms);
line("index search alone: median (Lotse)", (e) => e.engineMedian, ms);
line("index size on disk", (e) => e.index, kb);
line("wasm size (raw)", (e) => e.wasmRaw, kb);
line("wasm size (brotli)", (e) => e.wasmBrotli, kb);
