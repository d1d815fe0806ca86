// Real-browser tests of the search UI (themes/default/static/js/lotse-search.js) in headless
// Chromium, under the strict Content-Security-Policy a careful school host would send.
//
// The tests build the bundled portal with the lotse binary, serve it from 127.0.0.1 and type into
// the search boxes like a person. Every page fails its test on a console error, an uncaught
// exception, a CSP violation or a request to any other host. See README.md beside this file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve, launchChromium, searchFile, docsChunks, writeSourceWorker } from "./server.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LOTSE = process.env.LOTSE_BIN || path.join(REPO, "target/debug/lotse");
const TIMEOUT = 15_000; // generous for a busy 2-core CI machine; a result usually takes < 1 s

let tmp, browser, site, hostile, internal, articleCount;

function build(root, output, env = {}, extra = []) {
  const run = spawnSync(LOTSE, ["build", "--quiet", "--root", root, "--output", output, ...extra], { encoding: "utf8", env: { ...process.env, ...env } });
  if (run.error) throw new Error(`cannot run ${LOTSE} (set LOTSE_BIN): ${run.error.message}`);
  assert.equal(run.status, 0, `lotse build --root ${root} failed:\n${run.stdout}${run.stderr}`);
}

/** A tiny portal whose titles, summary, body and platform name are XSS payloads. */
function writeHostilePortal(dir) {
  fs.mkdirSync(path.join(dir, "content/iserv"), { recursive: true });
  // The current theme from this repository, not the copy inside the binary.
  fs.cpSync(path.join(REPO, "themes/default"), path.join(dir, "themes/default"), { recursive: true });
  fs.writeFileSync(path.join(dir, "lotse.yaml"), [
    "title: Testportal",
    "platforms:",
    "  - id: iserv",
    '    name: "IServ <img src=x onerror=window.__xss=6>"',
    "    icon: iserv",
    "    order: 10",
    "",
  ].join("\n"));
  fs.writeFileSync(path.join(dir, "content/iserv/boese.md"), [
    "---",
    'title: "<img src=x onerror=window.__xss=2> Zauberwort <script>window.__xss=3</script>"',
    'summary: "<svg onload=window.__xss=4> Zauberwort im Summary"',
    'keywords: ["Zauberwort"]',
    "---",
    "Hier steht das Zauberwort &lt;img src=x onerror=window.__xss=5&gt; im Text.",
    "",
  ].join("\n"));
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lotse-browser-"));
  build(REPO, path.join(tmp, "public"));
  writeHostilePortal(path.join(tmp, "hostile"));
  // Built without a pack, as a large portal is: its index is read in ranges (here: from a host
  // that ignores Range, so the whole-file fallback runs too).
  build(path.join(tmp, "hostile"), path.join(tmp, "hostile-public"), { LOTSE_SEARCH_PACK_LIMIT: "0" });
  const manifest = JSON.parse(fs.readFileSync(path.join(tmp, "public/search/manifest.json"), "utf8"));
  // The worker as it is in the source tree, beside the one the binary embedded (which is only
  // refreshed when lotse is recompiled), so that fixes to it are tested at once.
  writeSourceWorker(path.join(tmp, "public/search/lotse-worker.source.js"));
  articleCount = docsChunks(manifest)
    .map((chunk) => JSON.parse(searchFile(path.join(tmp, "public/search"), manifest, chunk).toString("utf8")).length)
    .reduce((a, b) => a + b, 0);
  site = await serve(path.join(tmp, "public"));
  // The second host ignores Range headers, so the whole-file fallback of the runtime runs too.
  hostile = await serve(path.join(tmp, "hostile-public"), 0, { ranges: false });
  // The technicians' portal of the bundled content (lotse build --internal).
  build(REPO, path.join(tmp, "intern"), {}, ["--internal"]);
  internal = await serve(path.join(tmp, "intern"));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await hostile?.close();
  await internal?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * A fresh browser context with one page, watched for problems. `clean()` asserts that none came
 * up; `ignore` lists patterns of problems a test provokes on purpose.
 */
async function openPage(t, { javaScript = true, colorScheme = "light" } = {}) {
  const context = await browser.newContext({ javaScriptEnabled: javaScript, colorScheme, viewport: { width: 1024, height: 800 } });
  t.after(() => context.close());
  const problems = [];
  context.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol !== "data:" && url.hostname !== "127.0.0.1") problems.push(`request to another host: ${url.href}`);
  });
  if (javaScript) {
    await context.exposeBinding("__lotseCspViolation", (_source, text) => problems.push(`CSP violation: ${text}`));
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        window.__lotseCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
  }
  const page = await context.newPage();
  const onConsole = (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  };
  page.on("console", onConsole);
  page.on("worker", (worker) => worker.on("console", onConsole));
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  const clean = (ignore = []) => {
    const left = problems.filter((p) => !ignore.some((pattern) => pattern.test(p)));
    assert.deepEqual(left, [], "the page had problems");
  };
  return { page, problems, clean };
}

/** Types into a search box like a person: click, select what is there, type key by key. */
async function typeInto(page, selector, text) {
  await page.click(selector);
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type(text, { delay: 25 });
}

/** Waits until the results under `container` answer `query`, and describes them. */
async function resultsFor(page, container, query) {
  await page.waitForFunction(([c, q]) => {
    const first = document.querySelector(`${c} .search-result`);
    return first && new URL(first.href).searchParams.get("h") === q;
  }, [container, query], { timeout: TIMEOUT });
  return page.$$eval(`${container} .search-result`, (links) => links.map((a) => ({
    path: new URL(a.href).pathname,
    title: a.querySelector(".search-result-title").textContent,
    excerpt: a.querySelector(".search-result-excerpt").textContent,
    badge: a.querySelector(".platform-badge").className,
  })));
}

test("typing on the home page finds the right how-to first", async (t) => {
  const { page, clean } = await openPage(t);
  await page.goto(`${site.origin}/`);
  for (const [query, expected] of [
    ["WLAN iPad", "/ipad/wlan-verbinden/"],
    ["Pasword vergessen", "/iserv/passwort-vergessen/"],
    ["Teams Besprechung", "/office365/teams-besprechung-planen/"],
    // The article titled with the complaint beats the how-to that says "drucken" more often.
    ["Drucker druckt nicht", "/allgemein/drucker-druckt-nicht/"],
    // Pressing keys is not printing ("drücken" vs "drucken").
    ["iPad Tasten drücken", "/ipad/ipad-reagiert-nicht/"],
  ]) {
    await typeInto(page, "#home-search", query);
    const results = await resultsFor(page, ".hero", query);
    assert.equal(results[0].path, expected, `${query}: ${JSON.stringify(results.map((r) => r.path))}`);
  }
  await typeInto(page, "#home-search", "schueler");
  const results = await resultsFor(page, ".hero", "schueler");
  assert.match(results[0].title + results[0].excerpt, /Schüler/, "ue finds ü");
  assert.ok(await page.locator(".hero .search-result-excerpt mark").count() > 0, "matches are marked");

  // The dropdown is an accessible combobox with a polite status.
  const input = page.locator("#home-search");
  assert.equal(await input.getAttribute("role"), "combobox");
  assert.equal(await input.getAttribute("aria-expanded"), "true");
  assert.equal(await page.locator(`#${await input.getAttribute("aria-controls")}`).getAttribute("role"), "listbox");
  assert.match(await page.locator(".hero [role=status]").textContent(), new RegExp(`^${results.length} Treffer$`));

  // The runtime came as .lzma, as application/octet-stream from a host that knows no better, and worked.
  const wasm = site.requests.filter((r) => r.path.includes(".wasm"));
  assert.ok(wasm.length > 0 && wasm.every((r) => r.path.endsWith(".wasm.lzma") && r.type === "application/octet-stream"), JSON.stringify(wasm));
  // A small portal's index came in one .lzma pack: no index file was requested on its own.
  assert.ok(site.requests.some((r) => r.path.startsWith("/search/p/")), JSON.stringify(site.requests));
  assert.deepEqual(site.requests.filter((r) => /^\/search\/[idf]\/(?!.*\.lzma$)/.test(r.path)), []);
  clean();
});

test("a result on the search page shows its matching sections, and one opens the article at its heading", async (t) => {
  const { page, clean } = await openPage(t);
  await page.setViewportSize({ width: 820, height: 700 });
  await page.goto(`${site.origin}/search/?q=Fixiereinheit`);
  await resultsFor(page, "#search-results", "Fixiereinheit");
  const item = page.locator("#search-results .search-results-item", { has: page.locator('a.search-result[href*="/drucker-druckt-nicht/"]') });
  const sections = item.locator(".search-result-section");
  assert.ok(await sections.count() >= 1 && await sections.count() <= 3, `sections: ${await sections.count()}`);
  const stau = item.locator('.search-result-section[href$="#papierstau-beheben"]');
  assert.equal(await stau.locator(".search-result-section-title").textContent(), "Papierstau beheben");
  // The excerpt is the section's own text, with the match marked.
  assert.match(await stau.locator(".search-result-excerpt mark").first().textContent(), /Fixiereinheit/);
  await stau.click();
  await page.waitForURL(/\/drucker-druckt-nicht\/\?h=Fixiereinheit#papierstau-beheben$/, { timeout: TIMEOUT });
  await page.waitForSelector(".article mark.search-hit", { timeout: TIMEOUT });
  // The article stays at the section: its heading is on screen, and the words are marked.
  const top = await page.locator("#papierstau-beheben").evaluate((h) => h.getBoundingClientRect().top);
  assert.ok(top >= -1 && top < 700 / 2, `the heading is at ${top}px`);
  assert.ok(await page.locator(".article mark.search-hit").count() > 0);
  clean();
});

test("the search page reads ?q= and ?platform=, filters, and keeps the address shareable", async (t) => {
  const { page, clean } = await openPage(t);
  await page.goto(`${site.origin}/search/?q=Speicher%20voll&platform=ipad`);
  let results = await resultsFor(page, "#search-results", "Speicher voll");
  assert.equal(results[0].path, "/ipad/speicher-voll/");
  assert.ok(results.every((r) => r.badge.includes("platform-ipad")), JSON.stringify(results));
  assert.equal(await page.inputValue("#search-page-input"), "Speicher voll");
  assert.equal(await page.inputValue("#search-platform"), "ipad");
  assert.equal(await page.locator("#search-platform option").first().textContent(), "Alle Bereiche");
  assert.equal(await page.locator(".all-articles").isVisible(), false, "the full list makes room for the results");
  assert.match(await page.locator(".search-status").textContent(), /^\d+ Treffer$/);

  // Another area: results and address follow.
  await page.selectOption("#search-platform", "iserv");
  await page.waitForFunction(() => {
    const badges = [...document.querySelectorAll("#search-results .platform-badge")];
    return badges.length && badges.every((b) => b.classList.contains("platform-iserv"));
  }, null, { timeout: TIMEOUT });
  assert.equal(new URL(page.url()).searchParams.get("platform"), "iserv");

  // Typing updates the address; Enter searches without loading the page again.
  await page.evaluate(() => { window.__samePage = true; });
  await page.selectOption("#search-platform", "");
  await typeInto(page, "#search-page-input", "Drucker");
  await page.keyboard.press("Enter");
  results = await resultsFor(page, "#search-results", "Drucker");
  assert.ok(results.length > 0);
  assert.equal(await page.evaluate(() => window.__samePage), true, "Enter did not reload the page");
  const address = new URL(page.url());
  assert.equal(address.pathname, "/search/");
  assert.equal(address.searchParams.get("q"), "Drucker");
  assert.equal(address.searchParams.has("platform"), false);

  // An empty box brings the list of all articles back.
  await typeInto(page, "#search-page-input", "");
  await page.keyboard.press("Backspace");
  await page.locator(".all-articles").waitFor({ state: "visible", timeout: TIMEOUT });
  assert.equal(new URL(page.url()).search, "");
  clean();
});

test("keyboard: / focuses the box, arrows choose, Enter opens, the article marks the words", async (t) => {
  const { page, clean } = await openPage(t);
  await page.goto(`${site.origin}/iserv/`);
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "site-search");
  await page.keyboard.type("Passwort vergessen", { delay: 25 });
  const results = await resultsFor(page, ".site-header", "Passwort vergessen");

  // Escape closes the dropdown, ArrowDown opens it again on the first result.
  await page.keyboard.press("Escape");
  assert.equal(await page.locator(".site-header .search-panel").isVisible(), false);
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.locator(".site-header .search-panel").isVisible(), true);
  const active = await page.getAttribute("#site-search", "aria-activedescendant");
  assert.equal(await page.getAttribute(`#${active}`, "aria-selected"), "true");
  assert.equal(new URL(await page.getAttribute(`#${active}`, "href"), page.url()).pathname, results[0].path);

  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.pathname === results[0].path, { timeout: TIMEOUT });
  assert.equal(new URL(page.url()).searchParams.get("h"), "Passwort vergessen");
  await page.locator("mark.search-hit").first().waitFor({ timeout: TIMEOUT });
  const marked = await page.$$eval("mark.search-hit", (marks) => marks.map((m) => m.textContent.toLowerCase()));
  assert.ok(marked.some((m) => m.startsWith("passw")), JSON.stringify(marked));
  assert.ok(marked.length > 1);
  // Marking only wraps words: the text of the article is unchanged.
  assert.match(await page.locator(".article h1").textContent(), /Passwort/);
  clean();
});

test("mouse and touch: a tap on a result opens it, a tap outside closes the dropdown", async (t) => {
  const { page, clean } = await openPage(t);
  await page.goto(`${site.origin}/ipad/`);
  await typeInto(page, "#site-search", "Apple Pencil");
  const results = await resultsFor(page, ".site-header", "Apple Pencil");
  await page.mouse.click(5, 700);
  assert.equal(await page.locator(".site-header .search-panel").isVisible(), false);
  await page.click("#site-search");
  await page.locator(".site-header .search-panel").waitFor({ state: "visible" });
  await page.locator(".site-header .search-result").first().click();
  await page.waitForURL((url) => url.pathname === results[0].path, { timeout: TIMEOUT });
  clean();
});

test("no results: a kind message and the areas to look in", async (t) => {
  const { page, clean } = await openPage(t);
  await page.goto(`${site.origin}/`);
  await typeInto(page, "#home-search", "Xylophonquadrat");
  const empty = page.locator(".hero .search-empty");
  await empty.waitFor({ timeout: TIMEOUT });
  assert.match(await empty.textContent(), /Dazu haben wir leider nichts gefunden\./);
  assert.match(await empty.textContent(), /anderen oder weniger Wörtern/);
  const areas = await empty.locator("a").evaluateAll((links) => links.map((a) => new URL(a.href).pathname));
  assert.deepEqual(areas, ["/iserv/", "/office365/", "/ipad/", "/allgemein/"]);
  assert.equal(await page.locator(".hero [role=status]").textContent(), "Dazu haben wir leider nichts gefunden.");
  clean();
});

/** The URL paths of the search page's results for `query`, best first. */
async function searchPage(page, query) {
  await page.goto(`${site.origin}/search/?q=${encodeURIComponent(query)}`);
  await page.locator("#search-results .search-results a, #search-results .search-empty").first().waitFor({ timeout: TIMEOUT });
  return page.locator("#search-results .search-results a").evaluateAll((links) => links.map((a) => new URL(a.href).pathname));
}

test("everyday words find the how-to: the built-in vocabulary", async (t) => {
  const { page, clean } = await openPage(t);
  assert.equal((await searchPage(page, "Tafel bleibt schwarz"))[0], "/allgemein/display-kein-bild/");
  assert.equal((await searchPage(page, "Stift malt nicht"))[0], "/ipad/apple-pencil-koppeln/");
  clean();
});

test("one nonsense word never empties the result list", async (t) => {
  const { page, clean } = await openPage(t);
  const found = await searchPage(page, "Xylophonquadrat Passwort vergessen");
  assert.ok(found.slice(0, 2).includes("/iserv/passwort-vergessen/"), found.join(", "));
  clean();
});

test("a query that finds nothing offers a correction, the closest articles and 'Problem melden'", async (t) => {
  const { page, clean } = await openPage(t);
  const found = await searchPage(page, "Tems");
  assert.match(await page.locator("#search-results .search-closest").innerText(), /am nächsten/);
  const suggestion = page.locator("#search-results .search-suggest a");
  assert.equal(await suggestion.innerText(), "Teams");
  assert.ok(found.length >= 3 && found.slice(0, 3).every((url) => url.startsWith("/office365/teams-")), found.join(", "));
  const report = page.locator("#search-results .search-report a");
  assert.equal(new URL(await report.getAttribute("href"), site.origin).searchParams.get("query"), "Tems");
  // The correction is a link: following it searches for the corrected words.
  await suggestion.click();
  await page.waitForFunction(() => new URLSearchParams(location.search).get("q") === "Teams");
  // Real matches now: the "closest" note goes away.
  await page.locator("#search-results .search-closest").waitFor({ state: "detached", timeout: TIMEOUT });
  assert.match((await page.locator("#search-results .search-results a").first().getAttribute("href")) || "", /teams-/);
  clean();
});

test("a garbled word with no correction still shows the closest articles, by its beginning", async (t) => {
  const { page, clean } = await openPage(t);
  const found = await searchPage(page, "Druckerqxz");
  assert.match(await page.locator("#search-results .search-closest").innerText(), /am nächsten/);
  assert.equal(await page.locator("#search-results .search-suggest").count(), 0, "nothing to correct to");
  assert.ok(found.slice(0, 2).includes("/allgemein/drucker-druckt-nicht/"), found.join(", "));
  assert.equal(await page.locator("#search-results .search-report a").count(), 1);
  clean();
});

test("XSS: a query in the address is shown as text, never run", async (t) => {
  const { page, clean } = await openPage(t);
  // A real word beside the payload, so that there are results to click through.
  const payload = "Drucker <img src=x onerror=window.__xss=1>";
  await page.goto(`${site.origin}/search/?q=${encodeURIComponent(payload)}`);
  await page.waitForFunction(() => document.querySelector("#search-results .search-result, #search-results .search-empty"),
    null, { timeout: TIMEOUT });
  assert.equal(await page.inputValue("#search-page-input"), payload);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator("#search-results img").count(), 0);
  // Results link to articles with the payload as an encoded ?h=; the article page is safe too.
  const results = page.locator("#search-results .search-result");
  assert.ok(await results.count() > 0, "the payload with a real word found articles to open");
  const first = results.first();
  const target = new URL(await first.getAttribute("href"), page.url());
  assert.equal(target.searchParams.get("h"), payload);
  await first.click();
  await page.waitForURL((url) => url.pathname === target.pathname, { timeout: TIMEOUT });
  assert.equal(new URL(page.url()).searchParams.get("h"), payload);
  // The article has handled ?h=: the real word is marked, so the payload went through the same code.
  await page.locator("mark.search-hit").first().waitFor({ timeout: TIMEOUT });
  const marked = await page.$$eval("mark.search-hit", (marks) => marks.map((m) => m.textContent.toLowerCase()));
  assert.ok(marked.some((m) => m.startsWith("druck")), JSON.stringify(marked));
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator(".article img[src='x'], .article h1 img, .article h1 script").count(), 0);
  assert.ok(!site.requests.some((r) => /\/x(\?|$)/.test(r.path)), "the payload's image was never requested");
  clean();
});

test("a lone surrogate in the query shows the results it counts, without an error", async (t) => {
  const { page, clean } = await openPage(t);
  await page.goto(`${site.origin}/search/`);
  await page.evaluate(() => {
    const input = document.querySelector("#search-page-input");
    input.value = "Drucker \uD83D"; // half of an emoji, as a crafted link or a broken paste leaves it
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.form.requestSubmit();
  });
  await page.waitForFunction(() => document.querySelector("#search-results .search-result"), null, { timeout: TIMEOUT });
  const shown = await page.locator("#search-results .search-result").count();
  assert.match(await page.locator(".search-status").textContent(), new RegExp(`^${shown} Treffer$`));
  const href = await page.locator("#search-results .search-result").first().getAttribute("href");
  assert.match(href, /\?h=Drucker%20%EF%BF%BD$/, "the half character is sent as U+FFFD");
  clean();
});

test("XSS: hostile titles, summaries and area names are shown as text", async (t) => {
  const { page, clean } = await openPage(t);
  await page.goto(`${hostile.origin}/`);
  await typeInto(page, "#home-search", "Zauberwort");
  const results = await resultsFor(page, ".hero", "Zauberwort");
  assert.equal(results[0].path, "/iserv/boese/");
  assert.match(results[0].title, /^<img src=x onerror=window.__xss=2> Zauberwort <script>/);
  assert.match(await page.locator(".hero .platform-badge").first().textContent(), /<img src=x/);
  assert.equal(await page.locator(".hero .search-panel img, .hero .search-panel script, .hero .search-panel svg").count(), 0);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.pathname === "/iserv/boese/", { timeout: TIMEOUT });
  await page.locator("mark.search-hit").first().waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator(".article h1 img, .article .prose img").count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.ok(!hostile.requests.some((r) => /\/x(\?|$)/.test(r.path)), "no payload image was requested");
  // Unpacked, the postings and positions came compressed, in gzipped blocks as the query planned
  // them or (small files) whole as .lzma, and nothing had to be read by range (this host ignores
  // Range and would have sent the plain files whole).
  const compressed = (r) => r.path.startsWith("/search/b/") || /^\/search\/i\/.*\.lzma$/.test(r.path);
  assert.ok(hostile.requests.some((r) => compressed(r) && r.status === 200), JSON.stringify(hostile.requests));
  assert.deepEqual(hostile.requests.filter((r) => r.path.startsWith("/search/i/") && !compressed(r)), []);
  clean();
});

test("when the search cannot load, a friendly message shows and the page stays usable", async (t) => {
  const { page, clean } = await openPage(t);
  site.fail.add("/search/manifest.json");
  t.after(() => site.fail.clear());
  await page.goto(`${site.origin}/search/?q=WLAN`);
  const error = page.locator("#search-results .search-error");
  await error.waitFor({ timeout: TIMEOUT });
  assert.match(await error.textContent(), /Die Suche klappt gerade leider nicht/);
  assert.equal(await page.locator(".all-articles").isVisible(), true, "the areas stay listed");
  assert.equal(await page.locator(".all-articles a").count(), 4, "the areas stay listed");
  // Typing goes on working (no exceptions), and the dropdown elsewhere says the same.
  await typeInto(page, "#search-page-input", "Drucker");
  await page.goto(`${site.origin}/allgemein/`);
  await typeInto(page, "#site-search", "Drucker");
  await page.locator(".site-header .search-error").waitFor({ timeout: TIMEOUT });
  clean([/status of 503/]);
});

test("without JavaScript, search/ leads to every area and says why there is no live search", async (t) => {
  const { page, clean } = await openPage(t, { javaScript: false });
  await page.goto(`${site.origin}/`);
  assert.match(await page.locator(".hero .search-hint").textContent(), /Die Suche braucht JavaScript/);
  await page.fill("#home-search", "WLAN");
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.pathname === "/search/" && url.searchParams.get("q") === "WLAN");
  assert.equal(await page.locator(".search-hint").isVisible(), true);
  assert.equal(await page.locator(".search-filter").isVisible(), false);
  assert.equal(await page.locator("#search-results *").count(), 0);
  // The page stays small: it leads to the areas, whose pages list every article.
  const areas = await page.locator(".all-articles a").evaluateAll((links) => links.map((a) => new URL(a.href).pathname));
  assert.deepEqual(areas, ["/iserv/", "/office365/", "/ipad/", "/allgemein/"]);
  let listed = 0;
  for (const area of areas) {
    await page.goto(`${site.origin}${area}`);
    listed += await page.locator("main .card").count();
  }
  assert.equal(listed, articleCount);
  clean();
});

test("worker (search-index/runtime source): queries sent before init are answered after it", async (t) => {
  const { page, clean } = await openPage(t);
  await page.goto(`${site.origin}/tags/`);
  const answers = await page.evaluate(() => new Promise((resolve, reject) => {
    const worker = new Worker("/search/lotse-worker.source.js");
    const got = {};
    setTimeout(() => reject(new Error(`no answer, got ${JSON.stringify(got)}`)), 10_000);
    worker.onerror = (e) => reject(new Error(e.message));
    worker.onmessage = (e) => {
      got[e.data.type] = e.data;
      if (e.data.type === "error") reject(new Error(e.data.message));
      if (got.results && got.highlighted) { worker.terminate(); resolve(got); }
    };
    worker.postMessage({ type: "search", id: 1, query: "WLAN iPad", platform: "", typing: true, limit: 3 });
    worker.postMessage({ type: "init", manifest: new URL("/search/manifest.json", location.href).href });
    worker.postMessage({ type: "highlight", id: 2, query: "wlan", texts: ["Das WLAN geht nicht", "nichts"] });
  }));
  assert.ok(answers.ready);
  assert.equal(answers.results.id, 1);
  assert.equal(answers.results.results[0].url, "ipad/wlan-verbinden/");
  assert.deepEqual(answers.highlighted.ranges, [[[4, 8]], []]);
  clean();
});

test("the internal portal finds its runbooks, marked, and the public portal does not", async (t) => {
  const { page, clean } = await openPage(t);
  const query = "Lizenzen per PowerShell zuweisen";
  await page.goto(`${internal.origin}/search/?q=${encodeURIComponent(query)}`);
  await resultsFor(page, "#search-results", query);
  const first = await page.$eval("#search-results .search-result", (a) => ({
    path: new URL(a.href).pathname,
    tag: a.querySelector(".status-tag")?.textContent,
  }));
  assert.match(first.path, /lizenzen-zuweisen/, "the internal how-to comes first");
  assert.equal(first.tag, "Intern", "the result is marked as internal");
  assert.match(await page.textContent(".edition-banner"), /Intern/, "every page of the internal portal says so");
  // Public results in the same portal carry no mark.
  const marks = await page.$$eval("#search-results .search-result", (links) => links.map((a) => a.querySelector(".status-tag")?.textContent || ""));
  assert.ok(marks.filter((m) => m === "").length >= 1, `every result was marked: ${marks}`);
  clean();
  // The same search on the teachers' portal never shows the runbook.
  await page.goto(`${site.origin}/search/?q=${encodeURIComponent(query)}`);
  await page.waitForFunction(() => document.querySelector("#search-results .search-result, #search-results .search-empty"), null, { timeout: TIMEOUT });
  const paths = await page.$$eval("#search-results .search-result", (links) => links.map((a) => new URL(a.href).pathname));
  assert.ok(paths.every((p) => !p.includes("lizenzen-zuweisen")), `the public portal found the runbook: ${paths}`);
  assert.equal(await page.$(".edition-banner"), null);
  clean();
});
