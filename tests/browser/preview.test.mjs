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
let origin;
let browser;

before(async () => {
  portal = fs.mkdtempSync(path.join(os.tmpdir(), "lotse-preview-"));
  fs.cpSync(path.join(REPO, "tests/sites/valid"), portal, { recursive: true });
  // A long article, so that there is something to scroll.
  const article = path.join(portal, "content/ipad/wlan.md");
  fs.appendFileSync(article, "\n" + Array.from({ length: 80 }, (_, i) => `Absatz ${i} über das Schul-WLAN.\n`).join("\n"));
  server = spawn(LOTSE, ["serve", "--root", portal, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  origin = await new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`lotse serve did not start:\n${output}`)), TIMEOUT);
    server.stdout.on("data", (data) => {
      output += data;
      const match = /Serving (http:\/\/[^/\s]+)/.exec(output);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
    server.on("exit", (code) => reject(new Error(`lotse serve exited with ${code}:\n${output}`)));
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill("SIGINT");
  if (portal) fs.rmSync(portal, { recursive: true, force: true });
});

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
  await page.goto(`${origin}/iserv/passwort-vergessen/`);
  await page.evaluate(() => { window.__stillHere = true; });
  const file = path.join(portal, "content/ipad/wlan.md");
  fs.appendFileSync(file, "\nNOCH-EIN-SATZ-7001\n");
  const other = await browser.newPage();
  await other.goto(`${origin}/ipad/wlan/`);
  await other.waitForFunction(() => document.body.textContent.includes("NOCH-EIN-SATZ-7001"), null, { timeout: TIMEOUT });
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.__stillHere), true, "an unrelated page reloaded");
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
