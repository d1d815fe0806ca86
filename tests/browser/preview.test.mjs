// Real-browser tests of `lotse serve`: an open page reloads by itself after a save, keeps its
// scroll position, and shows build errors over the last good version until they are fixed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./server.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LOTSE = process.env.LOTSE_BIN || path.join(REPO, "target/debug/lotse");
const TIMEOUT = 20_000;

let portal;
let server;
let exited; // resolves with the exit code of `lotse serve`
let previewDir; // the temporary folder `lotse serve` builds into; it removes it when stopped
let origin;
let browser;

before(async () => {
  portal = fs.mkdtempSync(path.join(os.tmpdir(), "lotse-preview-"));
  fs.cpSync(path.join(REPO, "tests/sites/valid"), portal, { recursive: true });
  // A long article, so that there is something to scroll.
  const article = path.join(portal, "content/ipad/wlan.md");
  fs.appendFileSync(article, "\n" + Array.from({ length: 80 }, (_, i) => `Absatz ${i} über das Schul-WLAN.\n`).join("\n"));
  server = spawn(LOTSE, ["serve", "--root", portal, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  exited = new Promise((resolve) => {
    server.once("exit", (code, signal) => resolve(code ?? signal));
    server.once("error", (error) => resolve(`not started: ${error.message}`)); // e.g. a wrong LOTSE_BIN
  });
  let output = "";
  // Both pipes are read to the end: a full stderr pipe (build errors) would block the server.
  server.stdout.setEncoding("utf8").on("data", (data) => { output += data; });
  server.stderr.setEncoding("utf8").on("data", (data) => { output += data; });
  origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lotse serve did not start:\n${output}`)), TIMEOUT);
    server.stdout.on("data", () => {
      const match = /Serving (http:\/\/[^/\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        previewDir = /Preview build in (.+)/.exec(output)?.[1].trim();
        resolve(match[1]);
      }
    });
    exited.then((code) => { clearTimeout(timer); reject(new Error(`lotse serve exited with ${code}:\n${output}`)); });
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  // Ctrl-C, as a technician stops the preview: `lotse serve` removes its temporary build and exits.
  // (SIGKILL would leave the folder behind.) Its exit also closes the pipes this process holds.
  let code = 0;
  if (server?.pid && server.exitCode === null && server.signalCode === null) {
    server.kill("SIGINT");
    let timer;
    code = await Promise.race([exited, new Promise((resolve) => { timer = setTimeout(resolve, TIMEOUT, "still running"); })]);
    clearTimeout(timer);
    if (code === "still running") {
      server.kill("SIGTERM"); // handled the same way, so the folder is still removed
      await exited;
    }
  }
  if (portal) fs.rmSync(portal, { recursive: true, force: true });
  assert.equal(code, 0, "lotse serve stops cleanly on Ctrl-C");
  if (previewDir) assert.equal(fs.existsSync(path.dirname(previewDir)), false, `lotse serve left ${previewDir} behind`);
});

/**
 * Records what `page` asks for from now on. `until(predicate, what)` resolves once a request
 * matching `predicate` (given a URL) has been seen, at once if it already has.
 */
function requestsOf(page) {
  const seen = [];
  const waiting = new Set();
  page.on("request", (request) => {
    const url = new URL(request.url());
    url.navigation = request.isNavigationRequest();
    seen.push(url);
    for (const check of waiting) check();
  });
  return {
    seen,
    until: (predicate, what) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => { waiting.delete(check); reject(new Error(`timed out waiting for ${what}`)); }, TIMEOUT);
      const check = () => {
        if (!seen.some(predicate)) return;
        clearTimeout(timer);
        waiting.delete(check);
        resolve();
      };
      waiting.add(check);
      check();
    }),
  };
}

/** The preview's build version now (a poll without `since` is answered at once). */
async function buildVersion() {
  const response = await fetch(`${origin}/__lotse/poll`);
  return (await response.json()).version;
}

test("a saved edit appears in the open article in place, at the same scroll position", async () => {
  const page = await browser.newPage({ viewport: { width: 800, height: 400 } });
  await page.goto(`${origin}/ipad/wlan/`);
  await page.evaluate(() => window.scrollTo(0, 900));
  await page.waitForFunction(() => window.scrollY >= 850);
  await page.evaluate(() => { window.__samePage = true; });
  const file = path.join(portal, "content/ipad/wlan.md");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("Das Netz heißt", "Das Netz heißt GESPEICHERT-5150"));
  await page.waitForFunction(() => document.body.textContent.includes("GESPEICHERT-5150"), null, { timeout: TIMEOUT });
  assert.equal(await page.evaluate(() => window.__samePage), true, "the article was swapped in, not reloaded");
  assert.ok(await page.evaluate(() => window.scrollY) >= 850, "the scroll position was kept");
  // The header search still works after the swap: it was not replaced.
  await page.click("#site-search");
  assert.equal(await page.evaluate(() => document.activeElement.id), "site-search");
  await page.close();
});

test("a page whose main part holds a search form reloads, keeping the scroll position", async () => {
  const page = await browser.newPage({ viewport: { width: 800, height: 400 } });
  await page.goto(`${origin}/`);
  await page.evaluate(() => window.scrollTo(0, 300));
  await page.waitForFunction(() => window.scrollY >= 250);
  await page.evaluate(() => { window.__samePage = true; });
  const reloaded = page.waitForEvent("load", { timeout: TIMEOUT });
  const file = path.join(portal, "content/iserv/passwort-vergessen.md");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("title: Passwort vergessen", "title: Passwort vergessen HEUTE-8080"));
  await reloaded;
  await page.waitForFunction(() => document.body.textContent.includes("HEUTE-8080"), null, { timeout: TIMEOUT });
  assert.equal(await page.evaluate(() => window.__samePage), undefined, "the home page was reloaded");
  await page.waitForFunction(() => window.scrollY >= 250, null, { timeout: TIMEOUT });
  await page.close();
});

test("a page that did not change does not reload", async () => {
  const page = await browser.newPage();
  const asked = requestsOf(page);
  const isPoll = (url) => url.pathname === "/__lotse/poll";
  const since = (url) => (url.searchParams.has("since") ? Number(url.searchParams.get("since")) : -1);
  // A reload starts with `beforeunload`, which Chromium reports at once, before any request the
  // page makes afterwards; the reload's own request and its commit may be reported later.
  const leaving = [];
  await page.exposeBinding("__lotseLeaving", () => leaving.push("beforeunload"));
  await page.addInitScript(() => addEventListener("beforeunload", () => window.__lotseLeaving()));
  await page.goto(`${origin}/iserv/passwort-vergessen/`);
  const navigations = [];
  page.on("framenavigated", (frame) => { if (frame === page.mainFrame()) navigations.push(frame.url()); });
  await page.evaluate(() => {
    window.__stillHere = true;
    document.querySelector("main").__original = true;
  });
  // The page knows the current build (its long poll names it): only from now on can a change
  // reload it (the first answer never does).
  const known = await buildVersion();
  await asked.until((url) => isPoll(url) && since(url) >= known, `the page's poll since version ${known}`);
  const before = asked.seen.length;

  const file = path.join(portal, "content/ipad/wlan.md");
  fs.appendFileSync(file, "\nNOCH-EIN-SATZ-7001\n");
  const other = await browser.newPage();
  await other.goto(`${origin}/ipad/wlan/`);
  await other.waitForFunction(() => document.body.textContent.includes("NOCH-EIN-SATZ-7001"), null, { timeout: TIMEOUT });
  // The server has published the build with the change. The page has taken its decision once it
  // polls again with that build's version: live.js asks for the next change only after it has
  // reloaded, or fetched the page to swap it in, or decided that neither is needed.
  const changed = await buildVersion();
  assert.ok(changed > known, `a new build was published (${known} -> ${changed})`);
  await asked.until((url) => isPoll(url) && since(url) >= changed, `the page's poll since version ${changed}`);

  const own = asked.seen.slice(before)
    .filter((url) => url.navigation || url.pathname === "/iserv/passwort-vergessen/")
    .map((url) => url.pathname + url.search);
  assert.deepEqual(own, [], "the page neither reloaded nor fetched itself to swap its content in");
  assert.deepEqual(leaving, [], "the page did not start to reload");
  assert.deepEqual(navigations, [], "the page did not navigate");
  const gone = "the page was gone (reloaded)";
  assert.equal(await page.evaluate(() => window.__stillHere).catch(() => gone), true, "an unrelated page reloaded");
  assert.equal(await page.evaluate(() => document.querySelector("main").__original).catch(() => gone), true, "its main part was not replaced");
  await page.close();
  await other.close();
});

test("build errors show over the last good page until they are fixed", async () => {
  const page = await browser.newPage();
  await page.goto(`${origin}/ipad/wlan/`);
  const file = path.join(portal, "content/ipad/wlan.md");
  const good = fs.readFileSync(file, "utf8");
  fs.writeFileSync(file, good.replace("title: WLAN auf dem iPad", "title: [kaputt"));
  const overlay = page.locator("#lotse-error-overlay");
  await overlay.waitFor({ state: "visible", timeout: TIMEOUT });
  assert.match(await overlay.textContent(), /content\/ipad\/wlan\.md:\d+:\d+/);
  assert.equal(await overlay.getAttribute("role"), "alert");
  assert.match(await page.locator("h1").textContent(), /WLAN auf dem iPad/, "the last good page stays");
  fs.writeFileSync(file, good);
  await overlay.waitFor({ state: "detached", timeout: TIMEOUT });
  await page.close();
});
