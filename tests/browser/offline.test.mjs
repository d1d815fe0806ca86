// Offline mode in headless Chromium: after one visit, every how-to, its images and the search work
// with the web server gone; a new build replaces the old cache without mixing, and a new build that
// cannot be fetched completely leaves the old one working; `offline: false` removes the worker and
// its caches from browsers that installed it; a portal under a sub-path works offline there, and
// two portals on one origin keep their own caches.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve, launchChromium } from "./server.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LOTSE = process.env.LOTSE_BIN || path.join(REPO, "target/debug/lotse");
const TIMEOUT = 20_000;

let tmp;
let portal;
let output;
let browser;

/** Builds `root` (the bundled portal's copy unless given) into `out`, optionally under `baseUrl`. */
function build(root = portal, out = output, baseUrl = null) {
  const args = ["build", "--quiet", "--root", root, "--output", out];
  if (baseUrl) args.push("--base-url", baseUrl);
  const run = spawnSync(LOTSE, args, { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
}

/** Replaces `from` by `to` in a portal file; `t.after` puts it back. */
function edit(t, file, from, to, root = portal) {
  const full = path.join(root, file);
  const text = fs.readFileSync(full, "utf8");
  assert.ok(text.includes(from), `${file} contains ${from}`);
  fs.writeFileSync(full, text.replace(from, to));
  t.after(() => fs.writeFileSync(full, text));
}

/** The build version and the precache list (URLs relative to sw.js) of the worker in `out`. */
function worker(out = output) {
  const script = fs.readFileSync(path.join(out, "sw.js"), "utf8");
  return {
    version: /var VERSION = "([0-9a-f]{16})"/.exec(script)[1],
    files: JSON.parse(/var FILES = (.*);/.exec(script)[1]),
  };
}

/** Lotse's caches in the page's origin (all portals of the origin). */
function cacheNames(page) {
  return page.evaluate(async () => (await caches.keys()).filter((name) => name.startsWith("lotse:")));
}

/** Polls `check` in the page (an async function) until it returns true; false after `timeout`. */
async function poll(page, check, arg, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  // A page may reload itself while we ask (a new worker took over): ask again.
  while (!(await page.evaluate(check, arg).catch(() => false))) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** Like poll, but the test fails if `check` does not come true. */
async function until(page, check, arg) {
  assert.ok(await poll(page, check, arg), `timed out waiting for ${check}`);
}

/** Polls `check` (a function in this process) until it returns true. */
async function eventually(check, what) {
  const deadline = Date.now() + TIMEOUT;
  while (!check()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Opens `url` and waits until the offline worker controls the page and has cached the portal.
 * Fails, rather than waiting for the test's timeout, when the worker does not get there.
 */
async function openControlled(page, url) {
  await page.goto(url);
  const problem = await page.evaluate(async (timeout) => {
    const controlled = (async () => {
      await navigator.serviceWorker.ready; // never settles if the install fails
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
      }
      return null;
    })();
    const late = new Promise((resolve) => setTimeout(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      const state = (worker) => worker && worker.state;
      resolve(`no worker controls ${location.href}: ` + (registration
        ? `installing ${state(registration.installing)}, waiting ${state(registration.waiting)}, active ${state(registration.active)}`
        : "nothing registered"));
    }, timeout));
    return Promise.race([controlled, late]);
  }, TIMEOUT);
  assert.equal(problem, null, problem);
}

/**
 * After a new build was published under `scope` (a URL ending in "/"), opens pages of it the way a
 * teacher would until the new worker has taken over: lotse.js tells the waiting worker to take over
 * once a page has loaded and retries for a few seconds. That is often the first page view, but in
 * Chromium often only the next one: it seems the page that found the update, left for the back/forward
 * cache while its search was still loading, keeps the old worker busy until it is evicted (without
 * the back/forward cache, or when that page was left idle, the first view nearly always suffices).
 * Resolves once this scope's only cache is not `oldCache`.
 */
async function takeOver(page, scope, oldCache) {
  const tookOver = async ([scope, oldCache]) => {
    const prefix = "lotse:" + scope + ":";
    const names = (await caches.keys()).filter((name) => name.startsWith(prefix));
    const registration = await navigator.serviceWorker.getRegistration(scope);
    return names.length === 1 && names[0] !== oldCache && !!registration && !registration.waiting && !registration.installing;
  };
  for (let view = 1; ; view++) {
    // Only the navigation's start is awaited: while the new worker activates, the page may reload itself.
    await page.goto(scope, { waitUntil: "commit", timeout: TIMEOUT }).catch(() => {});
    if (await poll(page, tookOver, [scope, oldCache], 6_000)) return;
    assert.ok(view < 4, `the new worker under ${scope} did not take over in ${view} page views`);
  }
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lotse-offline-"));
  portal = path.join(tmp, "portal");
  output = path.join(tmp, "public");
  fs.mkdirSync(portal);
  fs.cpSync(path.join(REPO, "content"), path.join(portal, "content"), { recursive: true });
  fs.copyFileSync(path.join(REPO, "lotse.yaml"), path.join(portal, "lotse.yaml"));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Builds the portal, serves it (any free port) and opens a page in a fresh browser context;
 * server and context are closed after the test. */
async function servedPage(t) {
  build();
  const site = await serve(output);
  t.after(() => site.close());
  const context = await browser.newContext();
  t.after(() => context.close());
  return { site, context, page: await context.newPage() };
}

/**
 * Builds the portal, serves it (any free port) and opens `pathname` in a fresh browser context
 * until the offline worker controls it. `republish()` builds again into the served folder, as a
 * technician publishing a new build would: the same origin then serves the new files at once.
 * Server and context are closed after the test, pass or fail.
 */
async function installed(t, pathname) {
  const { site, context, page } = await servedPage(t);
  await openControlled(page, site.origin + pathname);
  return {
    site,
    context,
    page,
    origin: site.origin,
    /** Stops the web server: the network is gone. */
    stop: () => site.close(),
    republish: () => build(),
  };
}

test("after one visit, articles, images and search work with the server gone", async (t) => {
  const { context, page, origin, stop } = await installed(t, "/");
  const names = await cacheNames(page);
  assert.equal(names.length, 1, `one cache for the build: ${names}`);
  const { version } = worker();
  assert.equal(names[0], `lotse:${origin}/:${version}`, "the cache is named by the portal's scope and the build hash");

  // The network is cut: the server is stopped and the browser is offline.
  await stop();
  await context.setOffline(true);

  // An article never opened before, with its image.
  await page.goto(origin + "/allgemein/display-kein-bild/");
  assert.match(await page.locator("h1").innerText(), /Display zeigt kein Bild/);
  const images = await page.locator("main img").evaluateAll((imgs) => imgs.map((img) => img.complete && img.naturalWidth > 0));
  assert.ok(images.length > 0 && images.every(Boolean), `all images shown offline: ${images}`);
  // Styles come from the cache too (an unstyled page would have no grid/flex layout).
  assert.notEqual(await page.locator(".site-header").evaluate((el) => getComputedStyle(el).backgroundColor), "rgba(0, 0, 0, 0)");

  // The search: worker, wasm runtime and the index read in byte ranges, all from the cache.
  await page.goto(origin + "/search/?q=Passwort%20vergessen");
  await page.waitForSelector("#search-results a", { timeout: TIMEOUT });
  const first = await page.locator("#search-results a").first().getAttribute("href");
  assert.match(first, /passwort-vergessen/);

  // A page that does not exist gets the portal's 404 page, not the browser's offline error.
  await page.goto(origin + "/gibt-es-nicht/");
  assert.match(await page.locator("h1").innerText(), /nicht gefunden/i);
});

test("on a first visit the offline worker waits for the search, and takes its files from the HTTP cache", async (t) => {
  const { site } = await installed(t, "/");
  const paths = site.requests.map((r) => r.path.replace(/\?.*$/, ""));
  const at = (test) => paths.findIndex(test);
  const runtime = at((p) => /\/search\/lotse-search\.[0-9a-f]{12}\.wasm\.lzma$/.test(p));
  const pack = at((p) => p.startsWith("/search/p/"));
  const serviceWorker = at((p) => p === "/sw.js");
  assert.ok(runtime >= 0 && pack >= 0 && serviceWorker >= 0, paths.join(", "));
  // It registered only once the search had its runtime and index: on a slow WLAN it does not
  // compete with a teacher's first query ...
  assert.ok(serviceWorker > runtime && serviceWorker > pack, `sw.js was requested before the search was ready: ${paths.join(", ")}`);
  // ... and its install did not download them again (their names carry their hash).
  assert.equal(paths.filter((p) => p === paths[runtime]).length, 1, "the runtime was downloaded twice");
  assert.equal(paths.filter((p) => p === paths[pack]).length, 1, "the pack was downloaded twice");
  // Files without a hash in their name are fetched anew for the cache, so that it never keeps
  // an older build's copy: the pages, and the article the teacher opened among them.
  assert.ok(paths.filter((p) => p === "/allgemein/display-kein-bild/").length === 1, "a page not opened was cached");
});

test("a browser that asks to save data gets no offline copy, and its search works", async (t) => {
  const { site, context, page } = await servedPage(t);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setDataSaverOverride", { dataSaverEnabled: true });
  // The search settles (which is when the offline worker would register) ...
  await page.goto(site.origin + "/search/?q=Passwort%20vergessen");
  await page.waitForSelector("#search-results a", { timeout: TIMEOUT });
  assert.match(await page.locator("#search-results a").first().getAttribute("href"), /passwort-vergessen/);
  // ... and a while after it, nothing has registered or downloaded the portal.
  await page.waitForTimeout(2000);
  assert.equal(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => !!r)), false, "a worker registered");
  const paths = site.requests.map((r) => r.path.replace(/\?.*$/, ""));
  assert.ok(!paths.includes("/sw.js"), `sw.js was fetched: ${paths.join(", ")}`);
  assert.ok(!paths.includes("/allgemein/display-kein-bild/"), "pages were precached");
});

test("a new build replaces the old cache, and the page shows the new build", async (t) => {
  const { context, page, origin, stop, republish } = await installed(t, "/ipad/");
  const [oldCache] = await cacheNames(page);

  edit(t, "content/ipad/wlan-verbinden.md", 'title: "Dienst-iPad mit dem WLAN verbinden"', 'title: "Dienst-iPad ins WLAN bringen"');
  republish();

  // The next page view still comes from the old build, consistently, and finds the new worker,
  // which installs in the background and waits; a later page view lets it take over.
  await page.goto(origin + "/ipad/wlan-verbinden/");
  assert.equal(await page.locator("h1").innerText(), "Dienst-iPad mit dem WLAN verbinden");
  await until(page, async () => !!(await navigator.serviceWorker.getRegistration())?.waiting);
  await takeOver(page, origin + "/", oldCache);
  const [newCache] = await cacheNames(page);
  assert.notEqual(newCache, oldCache, "a new build gets a new cache");
  await page.goto(origin + "/ipad/wlan-verbinden/");
  assert.equal(await page.locator("h1").innerText(), "Dienst-iPad ins WLAN bringen");
  // And the list page agrees with the article: both from the same build, offline too.
  await stop();
  await context.setOffline(true);
  await page.goto(origin + "/ipad/");
  assert.match(await page.locator("main").innerText(), /Dienst-iPad ins WLAN bringen/);
  assert.doesNotMatch(await page.locator("main").innerText(), /Dienst-iPad mit dem WLAN verbinden/);
});

test("a new build whose worker cannot fetch every file leaves the old build working offline", async (t) => {
  const { site, context, page, origin, stop, republish } = await installed(t, "/ipad/");
  const [oldCache] = await cacheNames(page);
  const oldVersion = worker().version;

  edit(t, "content/ipad/wlan-verbinden.md", 'title: "Dienst-iPad mit dem WLAN verbinden"', 'title: "Dienst-iPad ins WLAN bringen"');
  republish();
  const { version, files } = worker();
  assert.notEqual(version, oldVersion);
  // The host fails on one file of the new build, late in the list, after most of it was fetched
  // (a broken upload, a file the host refuses).
  const broken = "/" + files[files.length - 1];
  site.errors.set(broken, 500);
  const failed = () => site.requests.some((r) => r.path === broken && r.status === 500);

  // A page view finds the new worker; its install fetches the broken file and fails.
  await page.goto(origin + "/ipad/wlan-verbinden/");
  assert.equal(await page.locator("h1").innerText(), "Dienst-iPad mit dem WLAN verbinden");
  await eventually(failed, `the new worker asked for ${broken}`);
  await until(page, async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return !!registration?.active && !registration.installing && !registration.waiting;
  });
  assert.equal(await page.evaluate(() => !!navigator.serviceWorker.controller), true, "the page is still controlled");
  assert.ok((await cacheNames(page)).includes(oldCache), "the old build's cache is kept");

  // The next page view tries the install again, but fetches only what the new build's cache
  // still lacks, not the whole portal once more.
  const before = site.requests.length;
  await page.goto(origin + "/ipad/");
  await eventually(() => site.requests.slice(before).some((r) => r.path === broken), "the install was tried again");
  await until(page, async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return !registration.installing;
  });
  const again = site.requests.slice(before).filter((r) => files.includes(r.path.replace(/^\//, "")));
  assert.ok(again.length < 10, `the second try fetched ${again.length} of ${files.length} files again`);

  // Offline, every page comes from the old build, consistently: the article, its list page and
  // an article not opened before.
  await stop();
  await context.setOffline(true);
  await page.goto(origin + "/ipad/wlan-verbinden/");
  assert.equal(await page.locator("h1").innerText(), "Dienst-iPad mit dem WLAN verbinden");
  await page.goto(origin + "/ipad/");
  assert.match(await page.locator("main").innerText(), /Dienst-iPad mit dem WLAN verbinden/);
  assert.doesNotMatch(await page.locator("main").innerText(), /Dienst-iPad ins WLAN bringen/);
  await page.goto(origin + "/allgemein/display-kein-bild/");
  assert.match(await page.locator("h1").innerText(), /Display zeigt kein Bild/);
  assert.ok((await cacheNames(page)).includes(oldCache), "the old build's cache is still there");
});

test("offline: false removes an installed worker and its caches", async (t) => {
  const { page, origin, republish } = await installed(t, "/");
  assert.equal((await cacheNames(page)).length, 1);

  const config = path.join(portal, "lotse.yaml");
  const original = fs.readFileSync(config, "utf8");
  fs.appendFileSync(config, "\noffline: false\n");
  t.after(() => fs.writeFileSync(config, original));
  republish();
  assert.equal(fs.readFileSync(path.join(output, "index.html"), "utf8").includes("data-service-worker"), false);
  await page.goto(origin + "/ipad/");
  await until(page, async () => {
    const names = (await caches.keys()).filter((name) => name.startsWith("lotse:"));
    return names.length === 0 && (await navigator.serviceWorker.getRegistrations()).length === 0;
  });
});

test("under a sub-path (base_url /hilfe/) the worker installs there and the portal works offline", async (t) => {
  const out = path.join(tmp, "hilfe-public");
  build(portal, out, "/hilfe/");
  const site = await serve({ "/hilfe/": out });
  t.after(() => site.close());
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const { origin } = site;
  const scope = origin + "/hilfe/";
  await openControlled(page, scope + "ipad/");

  const registration = await page.evaluate(async () => {
    const r = await navigator.serviceWorker.getRegistration();
    return { scope: r.scope, script: r.active.scriptURL };
  });
  assert.deepEqual(registration, { scope, script: scope + "sw.js" });
  const { version, files } = worker(out);
  const names = await cacheNames(page);
  assert.deepEqual(names, [`lotse:${scope}:${version}`]);
  // Every file of the build is cached under the sub-path, and nothing outside it.
  const cached = await page.evaluate(async (name) => (await (await caches.open(name)).keys()).map((r) => r.url), names[0]);
  assert.deepEqual(cached.sort(), files.map((file) => new URL(file, scope).href).sort());
  assert.ok(!site.requests.some((r) => !r.path.startsWith("/hilfe/")), "nothing was asked for outside /hilfe/");

  await site.close();
  await context.setOffline(true);
  await page.goto(scope + "allgemein/display-kein-bild/");
  assert.match(await page.locator("h1").innerText(), /Display zeigt kein Bild/);
  const images = await page.locator("main img").evaluateAll((imgs) => imgs.map((img) => img.complete && img.naturalWidth > 0));
  assert.ok(images.length > 0 && images.every(Boolean), `all images shown offline: ${images}`);
  assert.notEqual(await page.locator(".site-header").evaluate((el) => getComputedStyle(el).backgroundColor), "rgba(0, 0, 0, 0)");
  await page.goto(scope + "search/?q=Passwort%20vergessen");
  await page.waitForSelector("#search-results a", { timeout: TIMEOUT });
  assert.equal(new URL(await page.locator("#search-results a").first().evaluate((a) => a.href)).pathname, "/hilfe/iserv/passwort-vergessen/");
  // The portal's own 404 page, styled (its links are absolute: /hilfe/assets/…).
  await page.goto(scope + "gibt-es-nicht/");
  assert.match(await page.locator("h1").innerText(), /nicht gefunden/i);
  assert.notEqual(await page.locator(".site-header").evaluate((el) => getComputedStyle(el).backgroundColor), "rgba(0, 0, 0, 0)");
});

test("two portals on one origin (/a/ and /b/) keep their own caches, also across a new build", async (t) => {
  const a = { root: portal, out: path.join(tmp, "a-public") };
  const b = { root: path.join(tmp, "small"), out: path.join(tmp, "b-public") };
  fs.cpSync(path.join(REPO, "tests/sites/valid"), b.root, { recursive: true });
  build(a.root, a.out, "/a/");
  build(b.root, b.out, "/b/");
  const site = await serve({ "/a/": a.out, "/b/": b.out });
  t.after(() => site.close());
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const { origin } = site;
  const [scopeA, scopeB] = [origin + "/a/", origin + "/b/"];
  const cacheOf = async (scope) => (await cacheNames(page)).filter((name) => name.startsWith(`lotse:${scope}:`));
  const size = (name) => page.evaluate(async (name) => (await (await caches.open(name)).keys()).length, name);

  await openControlled(page, scopeA);
  await openControlled(page, scopeB); // B installs after A: it must not take A's cache for its own old one
  const [cacheA] = await cacheOf(scopeA);
  const [cacheB] = await cacheOf(scopeB);
  assert.deepEqual((await cacheNames(page)).sort(), [cacheA, cacheB].sort());
  assert.equal(cacheA, `lotse:${scopeA}:${worker(a.out).version}`);
  assert.equal(cacheB, `lotse:${scopeB}:${worker(b.out).version}`);
  assert.equal(await size(cacheA), worker(a.out).files.length);
  assert.equal(await size(cacheB), worker(b.out).files.length);

  // A new build of A replaces A's cache only.
  edit(t, "content/ipad/wlan-verbinden.md", 'title: "Dienst-iPad mit dem WLAN verbinden"', 'title: "Dienst-iPad ins WLAN bringen"');
  build(a.root, a.out, "/a/");
  await page.goto(scopeA + "ipad/wlan-verbinden/");
  await until(page, async (scope) => !!(await navigator.serviceWorker.getRegistration(scope))?.waiting, scopeA);
  await takeOver(page, scopeA, cacheA);
  const [newCacheA] = await cacheOf(scopeA);
  assert.deepEqual((await cacheNames(page)).sort(), [newCacheA, cacheB].sort(), "B's cache survived A's new build");
  assert.equal(await size(cacheB), worker(b.out).files.length);

  // Offline, each portal answers from its own cache.
  await site.close();
  await context.setOffline(true);
  await page.goto(scopeA + "ipad/wlan-verbinden/");
  assert.equal(await page.locator("h1").innerText(), "Dienst-iPad ins WLAN bringen");
  await page.goto(scopeB + "ipad/wlan/");
  assert.equal(await page.locator("h1").innerText(), "WLAN auf dem iPad");
  assert.match(await page.title(), /Testportal/);
  // A's article is not part of B: B's own 404 page.
  await page.goto(scopeB + "ipad/wlan-verbinden/");
  assert.match(await page.locator("h1").innerText(), /nicht gefunden/i);
  assert.match(await page.title(), /Testportal/);
  await page.goto(scopeA + "ipad/");
  assert.match(await page.title(), /Hilfe für Lehrkräfte/);
  assert.deepEqual((await cacheNames(page)).sort(), [newCacheA, cacheB].sort());
});
