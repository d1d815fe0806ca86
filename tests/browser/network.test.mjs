// The search on the networks and hosts teachers have (issue "Search on a school network"): a
// warm query waits for no more than one wave of requests on a throttled connection, and the search
// finds the same on a host that compresses nothing, one that ignores Range, one that compresses
// with brotli and one that sends the stored .gz files with Content-Encoding. Counts requests and
// waves; never asserts a time (the timings are benches/search/speed.mjs's job).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve, launchChromium, writeSourceWorker } from "./server.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LOTSE = process.env.LOTSE_BIN || path.join(REPO, "target/debug/lotse");
const TIMEOUT = 30_000; // throttled, on a busy two-core machine
/** "School WLAN": 5 Mbit/s with a 60 ms round trip. */
const SCHOOL_WLAN = { offline: false, latency: 60, downloadThroughput: (5e6 / 8), uploadThroughput: (5e6 / 8) };

let tmp, browser, largeHost, largeGzipHost, largePackedHost, largeRowsHost;
const hosts = {};

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lotse-network-"));
  const run = spawnSync(LOTSE, ["build", "--quiet", "--root", REPO, "--output", path.join(tmp, "public")], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  // The worker as it is in the source tree (the binary embeds the one it was compiled with).
  writeSourceWorker(path.join(tmp, "public/search/lotse-worker.js"));
  hosts.plain = await serve(path.join(tmp, "public"));
  hosts.noRanges = await serve(path.join(tmp, "public"), 0, { ranges: false });
  hosts.brotli = await serve(path.join(tmp, "public"), 0, { encoding: "brotli" });
  hosts.gzipFiles = await serve(path.join(tmp, "public"), 0, { encoding: "gzip-files" });
  // A portal of 400 long generated articles (benches/build_vs_hugo.py), delivered as a large one
  // is: only what every query needs in the pack (term dictionaries, norms, result list), postings
  // and positions in chunks by term, texts on their own; the same with its result list too large
  // for the pack (rows in chunks, their heads in a file of their own); and the same portal packed
  // whole, to compare.
  spawnSync("python3", ["-c", `import sys; from pathlib import Path; sys.path.insert(0, ${JSON.stringify(path.join(REPO, "benches"))}); from build_vs_hugo import generate; generate(400, Path(${JSON.stringify(path.join(tmp, "generated"))}), 20261014)`], { stdio: "inherit" });
  for (const [name, limit] of [["large", "200000"], ["large-rows", "100000"], ["large-packed", "100000000"]]) {
    const run = spawnSync(LOTSE, ["build", "--quiet", "--root", path.join(tmp, "generated/lotse"), "--output", path.join(tmp, name)],
      { encoding: "utf8", env: { ...process.env, LOTSE_SEARCH_PACK_LIMIT: limit } });
    assert.equal(run.status, 0, run.stderr);
    writeSourceWorker(path.join(tmp, name, "search/lotse-worker.js"));
  }
  assert.ok(fs.readdirSync(path.join(tmp, "large/search/b")).length > 20, "the large portal publishes postings chunks");
  largeHost = await serve(path.join(tmp, "large"));
  largeGzipHost = await serve(path.join(tmp, "large"), 0, { encoding: "gzip-files" });
  largePackedHost = await serve(path.join(tmp, "large-packed"));
  const rowsManifest = JSON.parse(fs.readFileSync(path.join(tmp, "large-rows/search/manifest.json"), "utf8"));
  assert.ok(rowsManifest.docs.heads && !rowsManifest.pack.files[`${rowsManifest.docs.prefix}-0.json`], "large-rows: its rows are not in the pack, and it has heads");
  largeRowsHost = await serve(path.join(tmp, "large-rows"));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all([...Object.values(hosts), largeHost, largeGzipHost, largePackedHost, largeRowsHost].filter(Boolean).map((h) => h.close()));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A page in a fresh context; fails the test on console errors and page errors. The offline
 * service worker is blocked, so that its precaching does not mix with the search's requests. */
async function openPage(t, network) {
  const context = await browser.newContext({ serviceWorkers: "block" });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = [];
  const onConsole = (m) => { if (m.type() === "error") problems.push(m.text()); };
  page.on("console", onConsole);
  page.on("worker", (w) => w.on("console", onConsole));
  page.on("pageerror", (e) => problems.push(e.message));
  if (network) {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", network);
  }
  // Every request of the page and its worker, with when it started and ended.
  const requests = [];
  context.on("request", (r) => requests.push({ url: r.url(), started: Date.now(), ended: null, request: r }));
  const ended = (r) => { const entry = requests.find((e) => e.request === r); if (entry) entry.ended = Date.now(); };
  context.on("requestfinished", ended);
  context.on("requestfailed", ended);
  return { page, requests, clean: () => assert.deepEqual(problems, [], "the page had problems") };
}

async function search(page, query) {
  await page.click("#home-search");
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type(query, { delay: 20 });
  return shownResults(page, query);
}

/** The paths of the dropdown's results, once they are those of `query`. */
async function shownResults(page, query) {
  await page.waitForFunction((q) => {
    const first = document.querySelector(".hero .search-result");
    return first && new URL(first.href).searchParams.get("h") === q;
  }, query, { timeout: TIMEOUT });
  return page.$$eval(".hero .search-result", (links) => links.map((a) => new URL(a.href).pathname));
}

/**
 * Request waves: requests that wait for one another. A request that starts after every earlier
 * one of the same wave has ended opens the next wave, as a reader waiting on a round trip does.
 */
function waves(list) {
  let count = 0, lastEnd = -Infinity;
  for (const r of [...list].sort((a, b) => a.started - b.started)) {
    if (r.started >= lastEnd) count++;
    lastEnd = Math.max(lastEnd === -Infinity ? 0 : lastEnd, r.ended ?? Infinity);
  }
  return count;
}

test("on school WLAN, a warm query needs at most one wave of requests", async (t) => {
  const { page, requests, clean } = await openPage(t, SCHOOL_WLAN);
  await page.goto(`${hosts.plain.origin}/`);
  // The first query waits for whatever the warm-up has not finished yet.
  await search(page, "Drucker druckt nicht");
  const before = requests.length;
  // A second, different query, with typo, compound and vocabulary alternatives and excerpts.
  const results = await search(page, "Pasword vergesen Schülerkonto");
  assert.ok(results.length > 0);
  const warm = requests.slice(before).filter((r) => new URL(r.url).pathname.startsWith("/search/"));
  assert.ok(waves(warm) <= 1, `a warm query took ${waves(warm)} waves: ${warm.map((r) => r.url).join(", ")}`);
  // The warm-up brought everything compressed: the runtime and the pack, each once, as .lzma.
  const loaded = requests.map((r) => new URL(r.url).pathname).filter((p) => p.startsWith("/search/"));
  assert.equal(loaded.filter((p) => /\.wasm\.lzma$/.test(p)).length, 1, loaded.join(", "));
  assert.equal(loaded.filter((p) => /^\/search\/p\/[0-9a-f]{12}\.bin\.lzma$/.test(p)).length, 1, loaded.join(", "));
  assert.deepEqual(loaded.filter((p) => /^\/search\/[idf]\/(?!.*\.lzma$)/.test(p)), [], "no index file on its own, uncompressed");
  // The positions in titles and headings came together, as one .lzma; neither query quotes a
  // phrase, so no other chunk came (the body's positions stay on the host).
  const isWarm = (p) => /^\/search\/b\/[0-9a-f]{12}\.warm\.lzma$/.test(p);
  assert.equal(loaded.filter(isWarm).length, 1, loaded.join(", "));
  assert.deepEqual(loaded.filter((p) => p.startsWith("/search/b/") && !isWarm(p)), [], "chunks fetched besides the warm ones");
  // A quoted phrase reads the body's positions: their chunks come in one wave, and it is found.
  const beforeQuoted = requests.length;
  const quoted = await search(page, '"neu starten"');
  assert.ok(quoted.length > 0);
  const phrase = requests.slice(beforeQuoted).filter((r) => new URL(r.url).pathname.startsWith("/search/"));
  assert.ok(phrase.some((r) => new URL(r.url).pathname.startsWith("/search/b/")), "the phrase fetched no chunk");
  assert.ok(waves(phrase) <= 1, `the phrase took ${waves(phrase)} waves: ${phrase.map((r) => r.url).join(", ")}`);
  clean();
});

test("the warm-up asks for the runtime and the index one round trip after the page starts it", async (t) => {
  const { page, requests, clean } = await openPage(t, SCHOOL_WLAN);
  await page.goto(`${hosts.plain.origin}/`);
  const find = (test) => requests.find((r) => test(new URL(r.url).pathname));
  const runtimeDone = () => { const r = find((p) => p.endsWith(".wasm.lzma")); return r && r.ended != null; };
  const deadline = Date.now() + TIMEOUT;
  while (!runtimeDone()) {
    assert.ok(Date.now() < deadline, "the warm-up did not fetch the runtime");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const workerScript = find((p) => p === "/search/lotse-worker.js");
  const manifest = find((p) => p === "/search/manifest.json");
  const runtime = find((p) => p.endsWith(".wasm.lzma"));
  // The page fetches the manifest while the worker's script is still on its way, so the worker
  // asks for the runtime as soon as it runs, not a round trip later.
  assert.ok(manifest.started < workerScript.ended, "the manifest was requested only after the worker's script arrived");
  assert.equal(requests.filter((r) => new URL(r.url).pathname === "/search/manifest.json").length, 1, "the manifest was fetched twice");
  assert.ok(runtime.started >= manifest.ended);
  // Nobody waits for a query yet: the small portal's warm chunks (positions in titles and
  // headings) come in the same wave as the runtime, so that a query typed a little later finds
  // everything here.
  const positions = find((p) => /^\/search\/b\/[0-9a-f]{12}\.warm\.lzma$/.test(p));
  assert.ok(positions && positions.started < runtime.ended, "the positions waited for the runtime although no query did");
  clean();
});

test("a query that waits for the warm-up gets the runtime and the index first, the positions after them", async (t) => {
  const { page, requests, clean } = await openPage(t, SCHOOL_WLAN);
  // A shared link: the search page sends its query before the worker has loaded anything.
  await page.goto(`${hosts.plain.origin}/search/?q=${encodeURIComponent("Drucker druckt nicht")}`);
  await page.waitForSelector("#search-results .search-result", { timeout: TIMEOUT });
  const find = (test) => requests.find((r) => test(new URL(r.url).pathname));
  const runtime = find((p) => p.endsWith(".wasm.lzma"));
  const pack = find((p) => /^\/search\/p\/[0-9a-f]{12}\.bin\.lzma$/.test(p));
  const positions = find((p) => /^\/search\/b\/[0-9a-f]{12}\.warm\.lzma$/.test(p));
  assert.ok(runtime && pack && positions, requests.map((r) => r.url).join(", "));
  assert.ok(positions.started >= Math.max(runtime.ended, pack.ended), "the positions took bandwidth from what the waiting query needed first");
  clean();
});

test("the search finds the same on hosts that compress nothing, ignore Range, use brotli or Content-Encoding", async (t) => {
  const queries = ["Drucker druckt nicht", "WLAN iPad", "Pasword vergesen", "Tafel bleibt schwarz"];
  const found = {};
  for (const [name, host] of Object.entries(hosts)) {
    const { page, clean } = await openPage(t);
    await page.goto(`${host.origin}/`);
    found[name] = [];
    for (const q of queries) found[name].push(await search(page, q));
    clean();
  }
  for (const name of Object.keys(hosts)) assert.deepEqual(found[name], found.plain, `${name} differs`);
  assert.ok(found.plain.every((list) => list.length > 0));
  // The brotli host really compressed.
  assert.ok(hosts.brotli.requests.some((r) => r.path.startsWith("/search/manifest.json")));
  // A large portal's chunks and texts are .gz files: from a host that sends them
  // with Content-Encoding (the browser has decoded them then), the same results and excerpts.
  const shown = async (origin) => {
    const { page, clean } = await openPage(t);
    await page.goto(`${origin}/`);
    const results = await search(page, "Drucker verbinden Schülergerät");
    await page.waitForFunction(() => !document.querySelector(".hero .search-results[data-excerpts]"), null, { timeout: TIMEOUT });
    const excerpts = await page.$$eval(".hero .search-result-excerpt", (list) => list.map((e) => e.textContent));
    clean();
    return [results, excerpts];
  };
  const [plainResults, plainExcerpts] = await shown(largeHost.origin);
  assert.ok(plainResults.length > 0 && plainExcerpts.every((e) => e.length > 0));
  assert.deepEqual(await shown(largeGzipHost.origin), [plainResults, plainExcerpts]);
  for (const kind of ["/search/b/", "/search/f/"]) {
    assert.ok(largeGzipHost.requests.some((r) => r.path.startsWith(kind) && r.path.endsWith(".gz")), `no ${kind} file from the gzip-files host`);
  }
});

test("on a large portal, a warm query shows its results after one wave of requests, and its excerpts follow in place", async (t) => {
  const { page, requests, clean } = await openPage(t, SCHOOL_WLAN);
  await page.goto(`${largeHost.origin}/`);
  await search(page, "Beamer einrichten");
  await page.waitForFunction(() => !document.querySelector(".hero .search-results[data-excerpts]"), null, { timeout: TIMEOUT });
  const before = requests.length;
  // A typo, a word being typed at the end, words that should stand close together.
  const query = "Drucker verbinden Schülergerät Tablt";
  const results = await search(page, query);
  // When the results appeared, and what they showed (summaries where texts were still to come).
  const shownAt = await page.evaluate(() => performance.timeOrigin + performance.now());
  const excerptsPending = await page.$eval(".hero .search-results", (list) => list.hasAttribute("data-excerpts"));
  const warm = requests.slice(before).filter((r) => new URL(r.url).pathname.startsWith("/search/"));
  const paths = warm.map((r) => new URL(r.url).pathname);
  // Every read of postings was known before the search ran: chunks only, none read by range.
  const chunks = paths.filter((p) => p.startsWith("/search/b/"));
  assert.ok(chunks.length > 0, `no postings chunks fetched: ${paths.join(", ")}`);
  assert.deepEqual(paths.filter((p) => p.startsWith("/search/i/")), [], "postings read without a plan");
  // Each word's terms in every field, with their typo and prefix alternatives, lie in a chunk or
  // two by term (blocks of a fixed size put a query of one or two words in about twelve).
  const words = query.split(" ").length;
  assert.ok(chunks.length <= 2 * words, `${chunks.length} chunks for ${words} words: ${chunks.join(", ")}`);
  // The results waited for one wave of requests at most (what had ended when they appeared) ...
  const waitedFor = warm.filter((r) => r.ended != null && r.ended <= shownAt);
  assert.ok(waves(waitedFor) <= 1, `the results waited for ${waves(waitedFor)} waves: ${waitedFor.map((r) => r.url).join(", ")}`);
  // ... and not for the articles' texts, which came after them, for the excerpts.
  const texts = warm.filter((r) => new URL(r.url).pathname.startsWith("/search/f/"));
  assert.ok(texts.length > 0 && excerptsPending, "the texts of the results were not fetched after them");
  assert.ok(texts.every((r) => r.url.endsWith(".txt.gz")), `texts not gzipped: ${texts.map((r) => r.url).join(", ")}`);
  await page.waitForFunction(() => !document.querySelector(".hero .search-results[data-excerpts]"), null, { timeout: TIMEOUT });
  assert.ok(texts.every((r) => r.ended > shownAt), "the results waited for the articles' texts");
  const shown = await page.$$eval(".hero .search-result", (links) => links.map((a) => [new URL(a.href).pathname, a.querySelector(".search-result-excerpt").textContent]));
  // Nothing moved, and it all is what the same portal shows packed whole, excerpts included.
  assert.deepEqual(shown.map((s) => s[0]), results);
  const packed = await openPage(t);
  await packed.page.goto(`${largePackedHost.origin}/`);
  assert.ok(results.length > 0);
  assert.deepEqual(await search(packed.page, query), results);
  const packedShown = await packed.page.$$eval(".hero .search-result", (links) => links.map((a) => [new URL(a.href).pathname, a.querySelector(".search-result-excerpt").textContent]));
  assert.deepEqual(shown, packedShown);
  assert.ok(shown.some((s) => s[1].length > 0));
  clean();
  packed.clean();
});

/** The dropdown's results with their excerpts, once the excerpts are here. */
async function shownWithExcerpts(page) {
  await page.waitForFunction(() => !document.querySelector(".hero .search-results[data-excerpts]"), null, { timeout: TIMEOUT });
  return page.$$eval(".hero .search-result", (links) => links.map((a) => [new URL(a.href).pathname, a.querySelector(".search-result-title").textContent, a.querySelector(".search-result-excerpt").textContent]));
}

const isHeads = (p) => /^\/search\/d\/[0-9a-f]{12}\.heads\.lzma$/.test(p);

test("where a large portal's result list is not in the pack, its heads come after the warm-up, and a warm query's results wait for one wave", async (t) => {
  const { page, requests, clean } = await openPage(t, SCHOOL_WLAN);
  await page.goto(`${largeRowsHost.origin}/`);
  const find = (test) => requests.find((r) => test(new URL(r.url).pathname));
  const deadline = Date.now() + TIMEOUT;
  while (!(find(isHeads) && find(isHeads).ended != null)) {
    assert.ok(Date.now() < deadline, "the warm-up did not fetch the result list's heads");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // After the runtime and the pack, which every query needs first.
  const runtime = find((p) => p.endsWith(".wasm.lzma"));
  const pack = find((p) => /^\/search\/p\/[0-9a-f]{12}\.bin\.lzma$/.test(p));
  assert.ok(find(isHeads).started >= Math.max(runtime.ended, pack.ended), "the heads took bandwidth from the runtime or the pack");
  // A query pasted at once (typed letter by letter, the queries of its beginnings would bring
  // rows beforehand): no row is here yet, only the heads.
  const before = requests.length;
  const query = "Drucker verbinden Schülergerät Tablt";
  // When the results appear, to the millisecond (polling for them would see them later).
  await page.evaluate((q) => {
    new MutationObserver((_, observer) => {
      const first = document.querySelector(".hero .search-result");
      if (!first || new URL(first.href).searchParams.get("h") !== q) return;
      window.lotseShownAt = performance.timeOrigin + performance.now();
      observer.disconnect();
    }).observe(document.body, { childList: true, subtree: true });
  }, query);
  await page.fill("#home-search", query);
  const results = await shownResults(page, query);
  const shownAt = await page.evaluate(() => window.lotseShownAt);
  const warm = requests.slice(before).filter((r) => new URL(r.url).pathname.startsWith("/search/"));
  const waitedFor = warm.filter((r) => r.ended != null && r.ended <= shownAt);
  assert.ok(waves(waitedFor) <= 1, `the results waited for ${waves(waitedFor)} waves: ${waitedFor.map((r) => r.url).join(", ")}`);
  // Their titles came from the heads: no chunk of rows was waited for, only for the excerpts after.
  const rows = warm.filter((r) => /^\/search\/d\/.*\.json\.gz$/.test(new URL(r.url).pathname));
  assert.ok(rows.length > 0, `the excerpts fetched no rows: ${warm.map((r) => r.url).join(", ")}`);
  const early = rows.filter((r) => r.ended != null && r.ended <= shownAt);
  assert.deepEqual(early.map((r) => r.url), [], "the results waited for their rows");
  assert.equal(requests.filter((r) => isHeads(new URL(r.url).pathname)).length, 1, "the heads came more than once");
  // Titles, excerpts (or summaries) and order are what the same portal shows packed whole.
  const shown = await shownWithExcerpts(page);
  assert.deepEqual(shown.map((s) => s[0]), results);
  const packed = await openPage(t);
  await packed.page.goto(`${largePackedHost.origin}/`);
  assert.ok(results.length > 0);
  assert.deepEqual(await search(packed.page, query), results);
  assert.deepEqual(shown, await shownWithExcerpts(packed.page));
  assert.ok(shown.every((s) => s[1].length > 0 && s[2].length > 0), JSON.stringify(shown));
  clean();
  packed.clean();
});

test("with Save-Data, a large portal's heads are never fetched, and its results are the same", async (t) => {
  const { page, requests, clean } = await openPage(t, SCHOOL_WLAN);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setDataSaverOverride", { dataSaverEnabled: true });
  await page.goto(`${largeRowsHost.origin}/`);
  const query = "Drucker verbinden Schülergerät Tablt";
  const results = await search(page, query);
  const shown = await shownWithExcerpts(page);
  await search(page, "Beamer einrichten");
  await shownWithExcerpts(page);
  assert.ok(!requests.some((r) => isHeads(new URL(r.url).pathname)), "the heads were fetched although the browser asks to save data");
  const packed = await openPage(t);
  await packed.page.goto(`${largePackedHost.origin}/`);
  assert.deepEqual(await search(packed.page, query), results);
  assert.deepEqual(shown, await shownWithExcerpts(packed.page));
  clean();
  packed.clean();
});
