// Offline mode in headless Chromium: after one visit, every how-to, its images and the search work
// with the web server gone; a new build replaces the old cache without mixing; `offline: false`
// removes the worker and its caches from browsers that installed it.
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

let tmp;
let portal;
let output;
let browser;

function build() {
  const run = spawnSync(LOTSE, ["build", "--quiet", "--root", portal, "--output", output], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
}

function edit(file, from, to) {
  const full = path.join(portal, file);
  const text = fs.readFileSync(full, "utf8");
  assert.ok(text.includes(from), `${file} contains ${from}`);
  fs.writeFileSync(full, text.replace(from, to));
}

/** This portal's caches in the page's origin. */
function cacheNames(page) {
  return page.evaluate(async () => (await caches.keys()).filter((name) => name.startsWith("lotse:")));
}

/** Polls `check` in the page (an async function) until it returns true; waitForFunction would take its promise for a yes. */
async function until(page, check, arg) {
  const deadline = Date.now() + 20_000;
  // A page may reload itself while we ask (a new worker took over): ask again.
  while (!(await page.evaluate(check, arg).catch(() => false))) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${check}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Opens `url` and waits until the offline worker controls the page and has cached the portal. */
async function openControlled(page, url) {
  await page.goto(url);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
  });
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

/**
 * Builds the portal, serves it and opens `pathname` in a fresh browser context until the offline
 * worker controls it. `republish()` builds again and restarts the server on the same origin, as a
 * technician publishing a new build would. Server and context are closed after the test, pass or fail.
 */
async function installed(t, pathname) {
  build();
  const portalSite = { server: await serve(output) };
  const port = Number(new URL(portalSite.server.origin).port);
  t.after(() => portalSite.server.close());
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const origin = portalSite.server.origin;
  await openControlled(page, origin + pathname);
  return {
    context,
    page,
    origin,
    /** Stops the web server: the network is gone. */
    stop: () => portalSite.server.close(),
    republish: async () => {
      build();
      await portalSite.server.close();
      portalSite.server = await serve(output, port);
    },
  };
}

test("after one visit, articles, images and search work with the server gone", async (t) => {
  const { context, page, origin, stop } = await installed(t, "/");
  const names = await cacheNames(page);
  assert.equal(names.length, 1, `one cache for the build: ${names}`);
  const worker = fs.readFileSync(path.join(output, "sw.js"), "utf8");
  const version = /var VERSION = "([0-9a-f]{16})"/.exec(worker)[1];
  assert.ok(names[0].endsWith(":" + version), `the cache ${names[0]} is named by the build hash ${version}`);

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
  await page.waitForSelector("#search-results a", { timeout: 20_000 });
  const first = await page.locator("#search-results a").first().getAttribute("href");
  assert.match(first, /passwort-vergessen/);

  // A page that does not exist gets the portal's 404 page, not the browser's offline error.
  await page.goto(origin + "/gibt-es-nicht/");
  assert.match(await page.locator("h1").innerText(), /nicht gefunden/i);
});

test("a new build replaces the old cache, and the page shows the new build", async (t) => {
  const { context, page, origin, stop, republish } = await installed(t, "/ipad/");
  const [oldCache] = await cacheNames(page);

  const oldTitle = 'title: "Dienst-iPad mit dem WLAN verbinden"';
  const newTitle = 'title: "Dienst-iPad ins WLAN bringen"';
  edit("content/ipad/wlan-verbinden.md", oldTitle, newTitle);
  t.after(() => edit("content/ipad/wlan-verbinden.md", newTitle, oldTitle));
  await republish();

  // The next page view still comes from the old build, consistently, and finds the new worker,
  // which installs in the background and waits; the page view after that lets it take over.
  await page.goto(origin + "/ipad/wlan-verbinden/");
  assert.equal(await page.locator("h1").innerText(), "Dienst-iPad mit dem WLAN verbinden");
  await until(page, async () => !!(await navigator.serviceWorker.getRegistration())?.waiting);
  // The browser activates it once the old worker has answered all of a page's requests; that is
  // usually the next page view, on a busy machine sometimes the one after.
  // (A navigation may be cut short by the page's own reload when the new worker takes over.)
  const waiting = () => page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting).catch(() => true);
  for (let view = 0; view < 3 && (await waiting()); view++) {
    // Only the navigation's start is awaited: while the new worker activates, the page may reload itself.
    await page.goto(origin + "/ipad/", { waitUntil: "commit", timeout: 10_000 }).catch(() => {});
    await page.waitForTimeout(2000);
  }
  await until(page, async (oldCache) => {
    const names = (await caches.keys()).filter((name) => name.startsWith("lotse:"));
    const registration = await navigator.serviceWorker.getRegistration();
    return names.length === 1 && names[0] !== oldCache && registration && !registration.waiting && !registration.installing;
  }, oldCache);
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

test("offline: false removes an installed worker and its caches", async (t) => {
  const { page, origin, republish } = await installed(t, "/");
  assert.equal((await cacheNames(page)).length, 1);

  fs.appendFileSync(path.join(portal, "lotse.yaml"), "\noffline: false\n");
  await republish();
  assert.equal(fs.readFileSync(path.join(output, "index.html"), "utf8").includes("data-service-worker"), false);
  await page.goto(origin + "/ipad/");
  await until(page, async () => {
    const names = (await caches.keys()).filter((name) => name.startsWith("lotse:"));
    return names.length === 0 && (await navigator.serviceWorker.getRegistrations()).length === 0;
  });
});
