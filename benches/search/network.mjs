// Search on the networks teachers have: Lotse against Pagefind on synthetic portals, in one
// headless Chromium, with the network throttled through the DevTools protocol
// (Network.emulateNetworkConditions) and three kinds of host.
//
//   npm ci --prefix benches/search && node benches/search/network.mjs \
//       [--sizes 100,1000,10000] [--networks loopback,school,busy] [--hosts noranges,plain,brotli] [--queries 50]
//
// Without options it measures all of them: the whole table, about 11 minutes on two cores.
//
// Networks: "school" WLAN 5 Mbit/s with a 60 ms round trip, "busy" WLAN 1.5 Mbit/s with 150 ms,
// and loopback. Hosts: "noranges" compresses nothing and ignores Range (a plain web space),
// "plain" compresses nothing but answers Range, "brotli" compresses text with brotli (a tuned
// nginx). For each portal size, host and network, and for each engine:
//   - 2 s:     a page opened 2 s before the first keystroke (the engine was initialised, or warmed
//              up, at page load): time from the query to its first five results. Pagefind's come
//              with their excerpts; Lotse shows titles and summaries first when the articles'
//              texts are still to come (large portals) and the excerpts after them, so Lotse's
//              time to the excerpts is printed too ("with excerpts");
//   - now:     the same on a page opened just now (initialisation and query at once);
//   - second:  a second, different query on the page opened 2 s before;
//   - median and p95 over the remaining queries;
//   - bytes and requests until the first results, the second query's bytes, and its request waves (a wave:
//     requests that wait for one another's round trip): those its first results waited for, and
//     all of them, excerpts included.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { join, extname } from "node:path";
import { tmpdir } from "node:os";
import { brotliCompressSync, constants } from "node:zlib";
import { REPO, BENCH_PAGE, buildLotse, indexWithPagefind, launch } from "./common.mjs";

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const sizes = opt("--sizes", "100,1000,10000").split(",").map(Number);
const networkNames = opt("--networks", "loopback,school,busy").split(",");
const hostNames = opt("--hosts", "noranges,plain,brotli").split(",");
const queryCount = Number(opt("--queries", "50"));
// --per-query: also print each query's time and the bytes and requests it waited for (stderr).
const perQuery = args.includes("--per-query");

const NETWORKS = {
  loopback: null,
  school: { offline: false, latency: 60, downloadThroughput: 5e6 / 8, uploadThroughput: 5e6 / 8 },
  busy: { offline: false, latency: 150, downloadThroughput: 1.5e6 / 8, uploadThroughput: 1.5e6 / 8 },
};

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".svg": "image/svg+xml", ".wasm": "application/wasm", ".txt": "text/plain; charset=utf-8",
};

/** A static host of the given kind; logs each response with its bytes on the wire and its times. */
function host(dir, kind) {
  const log = [];
  const brotliCache = new Map();
  const server = createServer((req, res) => {
    const started = performance.now();
    const url = new URL(req.url, "http://x");
    const done = (bytes) => res.on("finish", () => log.push({ path: url.pathname, bytes, started, ended: performance.now() }));
    if (url.pathname === BENCH_PAGE) {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      return res.end("<!doctype html><html lang=de><title>bench</title></html>");
    }
    let path = join(dir, decodeURIComponent(url.pathname));
    if (!path.startsWith(dir)) { res.writeHead(404); return res.end(); }
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
    if (!existsSync(path)) { res.writeHead(404); return res.end(); }
    let body = readFileSync(path);
    const type = TYPES[extname(path)] || "application/octet-stream";
    const range = kind !== "noranges" && /^bytes=(\d+)-(\d+)$/.exec(req.headers.range || "");
    if (range && Number(range[2]) < body.length) {
      const part = body.subarray(Number(range[1]), Number(range[2]) + 1);
      res.writeHead(206, { "Content-Type": type, "Content-Range": `bytes ${range[1]}-${range[2]}/${body.length}`, "Cache-Control": "no-cache" });
      done(part.length);
      return res.end(part);
    }
    const headers = { "Content-Type": type, "Cache-Control": "no-cache" };
    if (kind === "brotli" && /^(text\/|application\/json)/.test(type)) {
      if (!brotliCache.has(path)) brotliCache.set(path, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }));
      body = brotliCache.get(path);
      headers["Content-Encoding"] = "br";
    }
    res.writeHead(200, headers);
    done(body.length);
    res.end(body);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ server, log, url: `http://127.0.0.1:${server.address().port}` })));
}

function generate(n) {
  const dir = mkdtempSync(join(tmpdir(), `lotse-network-${n}-`));
  execFileSync("python3", ["-c", `import sys; from pathlib import Path; sys.path.insert(0, ${JSON.stringify(join(REPO, "benches"))}); from build_vs_hugo import generate; generate(${n}, Path(${JSON.stringify(dir)}), 20261014)`], { stdio: "inherit" });
  return join(dir, "lotse");
}

/** Deterministic everyday queries: one or two words of the generated titles. */
function makeQueries(portal, count) {
  const titles = execFileSync("bash", ["-c", `grep -h '^title:' -r ${JSON.stringify(join(portal, "content"))} | head -2000`], { encoding: "utf8" });
  const words = [...new Set(titles.replace(/title:/g, " ").split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 3))].sort();
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, (_, i) => {
    const a = words[Math.floor(next() * words.length)];
    const b = words[Math.floor(next() * words.length)];
    return i % 3 === 0 ? a : `${a} ${b}`;
  });
}

/** Starts an engine in the page: `init` at once; `window.__search(q)` gives five result URLs. */
async function start(page, engine) {
  await page.evaluate((engine) => {
    if (engine === "lotse") {
      // As the theme's idle warm-up does: the worker loads the manifest, runtime and pack.
      const worker = new Worker("/search/lotse-worker.js");
      let next = 0;
      const waiting = new Map();
      // An answer is complete with its results, or with the excerpts that follow early results.
      worker.onmessage = (e) => {
        const wait = waiting.get(e.data.id);
        if (!wait) return;
        if (e.data.type === "results") wait.first = { at: Date.now(), perf: performance.now() };
        if (e.data.type === "results" && e.data.excerptsPending) { wait.urls = e.data.results.map((r) => r.url); return; }
        waiting.delete(e.data.id);
        wait.ok({ first: wait.first, urls: wait.urls || (e.data.results || []).map((r) => r.url) });
      };
      // As the theme does: the page fetches the manifest beside the worker's script and hands it over.
      const manifest = new URL("/search/manifest.json", location.href).href;
      fetch(manifest, { cache: "no-cache" }).then((r) => (r.ok ? r.json() : null)).catch(() => null)
        .then((loaded) => worker.postMessage({ type: "init", manifest, loaded }));
      window.__search = (q) => new Promise((ok) => { const id = ++next; waiting.set(id, { ok }); worker.postMessage({ type: "search", id, query: q, platform: "", typing: false, limit: 5 }); });
    } else {
      // Pagefind's best case: its API initialised at page load.
      const ready = import("/pagefind/pagefind.js").then(async (pagefind) => { await pagefind.init(); return pagefind; });
      window.__search = async (q) => {
        const pagefind = await ready;
        const s = await pagefind.search(q);
        // Its results show once their fragments (URL, title, excerpt) are here.
        const data = await Promise.all(s.results.slice(0, 5).map((r) => r.data()));
        return { first: { at: Date.now(), perf: performance.now() }, urls: data.map((d) => d.url) };
      };
    }
  }, engine);
}

/** A query's time to its first results (`ms`), to its excerpts (`full`), both in milliseconds
 * with the page's finer clock, and when, as Date.now() (the clock of the request log), its first
 * results came (`firstAt`). */
const timed = (page, q) => page.evaluate(async (q) => {
  const t0 = performance.now();
  const r = await window.__search(q);
  return { ms: r.first.perf - t0, full: performance.now() - t0, firstAt: r.first.at, n: r.urls.length };
}, q);

/** Request waves among the browser's requests: a request that starts after all earlier ones
 * ended opens a new one, as a reader waiting for a round trip does. */
function waves(entries) {
  let count = 0, lastEnd = -Infinity;
  for (const e of [...entries].sort((a, b) => a.started - b.started)) {
    if (e.started >= lastEnd) count++;
    lastEnd = Math.max(lastEnd, e.ended);
  }
  return count;
}

async function page(browser, network) {
  const context = await browser.newContext({ serviceWorkers: "block" });
  // Request timings as the browser sees them (the host sees throttled requests at other times).
  const requests = [];
  context.on("request", (r) => requests.push({ request: r, started: Date.now(), ended: Infinity }));
  const ended = (r) => { const e = requests.find((x) => x.request === r); if (e) e.ended = Date.now(); };
  context.on("requestfinished", ended);
  context.on("requestfailed", ended);
  context.requestLog = requests;
  const p = await context.newPage();
  if (network) {
    const cdp = await context.newCDPSession(p);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", network);
  }
  return { context, page: p };
}

async function measure(browser, server, engine, network, queries) {
  // A page opened 2 s before the first keystroke.
  let { context, page: p } = await page(browser, network);
  await p.goto(server.url + BENCH_PAGE);
  server.log.length = 0;
  await start(p, engine);
  await p.waitForTimeout(2000);
  const first = await timed(p, queries[0]);
  const coldBytes = server.log.reduce((s, e) => s + e.bytes, 0);
  const coldRequests = server.log.length;
  const before = context.requestLog.length;
  const logBefore = server.log.length;
  const second = await timed(p, queries[1]);
  const secondBytes = server.log.slice(logBefore).reduce((s, e) => s + e.bytes, 0);
  const secondRequests = context.requestLog.slice(before);
  const secondWaves = waves(secondRequests.filter((e) => e.ended <= second.firstAt));
  const secondWavesAll = waves(secondRequests);
  const times = [], fullTimes = [];
  for (const q of queries.slice(2)) {
    const logAt = server.log.length;
    const t = await timed(p, q);
    if (perQuery) {
      const got = server.log.slice(logAt);
      console.error(`${engine}\t${t.ms.toFixed(1)} ms\t${got.length} requests\t${(got.reduce((s, e) => s + e.bytes, 0) / 1024).toFixed(0)} kB\t${q}`);
    }
    times.push(t.ms);
    fullTimes.push(t.full);
  }
  await context.close();
  // A page opened just now.
  ({ context, page: p } = await page(browser, network));
  await p.goto(server.url + BENCH_PAGE);
  await start(p, engine);
  const now = await timed(p, queries[0]);
  await context.close();
  times.sort((a, b) => a - b);
  fullTimes.sort((a, b) => a - b);
  const at = (list, q) => list[Math.min(list.length - 1, Math.floor(q * list.length))];
  return {
    twoSeconds: first.ms, twoSecondsFull: first.full, results: first.n, now: now.ms, nowFull: now.full,
    second: second.ms, secondFull: second.full, median: at(times, 0.5), medianFull: at(fullTimes, 0.5),
    p95: at(times, 0.95), p95Full: at(fullTimes, 0.95), coldBytes, coldRequests, secondBytes, secondWaves, secondWavesAll,
  };
}

const browser = await launch();
const rows = [];
for (const n of sizes) {
  const portal = generate(n);
  const site = buildLotse(portal);
  indexWithPagefind(site);
  const queries = makeQueries(portal, queryCount + 2);
  for (const kind of hostNames) {
    const server = await host(site, kind);
    for (const net of networkNames) {
      const lotse = await measure(browser, server, "lotse", NETWORKS[net], queries);
      const pagefind = await measure(browser, server, "pagefind", NETWORKS[net], queries);
      rows.push({ n, kind, net, lotse, pagefind });
      console.error(`measured ${n} articles, ${kind} host, ${net} network`);
    }
    server.server.close();
  }
}
await browser.close();

const f = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : x >= 10 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`);
const kb = (x) => `${(x / 1024).toFixed(0)} kB`;
console.log("Search on school networks, Lotse vs Pagefind 1.6 (headless Chromium, CDP throttling; ratio = Lotse/Pagefind)");
console.log("| articles | host | network | measure | Lotse | Pagefind | ratio |");
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) {
  // Lotse's time to its excerpts, where they came after its first results, in brackets.
  const line = (label, key, fmt, fullKey) => {
    const l = r.lotse[key], p = r.pagefind[key];
    const full = fullKey && r.lotse[fullKey] > l + 1 ? ` (with excerpts ${fmt(r.lotse[fullKey])})` : "";
    console.log(`| ${r.n} | ${r.kind} | ${r.net} | ${label} | ${fmt(l)}${full} | ${fmt(p)} | ${(l / p).toFixed(2)} |`);
  };
  line("first results, page opened 2 s before", "twoSeconds", f, "twoSecondsFull");
  line("first results, page opened just now", "now", f, "nowFull");
  line("a second, different query", "second", f, "secondFull");
  line(`median (${queryCount} queries)`, "median", f, "medianFull");
  line(`p95 (${queryCount} queries)`, "p95", f, "p95Full");
  line("bytes until first results", "coldBytes", kb);
  line("requests until first results", "coldRequests", String);
  line("bytes of the second query (excerpts included)", "secondBytes", kb);
  line("request waves the second query's first results waited for", "secondWaves", String);
  line("request waves of the second query, excerpts included", "secondWavesAll", String);
}
