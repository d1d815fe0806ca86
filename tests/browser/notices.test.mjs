// Outage notices in headless Chromium: where teachers see them (home, the platform's pages, above
// search results, in the ticket form), how the clock hides and shows them without a rebuild, that
// the offline cache never shows an ended outage once the network answers, and that axe finds
// nothing on a page with a banner. The pure functions of lotse-notices.js get node unit tests too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve, launchChromium } from "./server.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LOTSE = process.env.LOTSE_BIN || path.join(REPO, "target/debug/lotse");
const TIMEOUT = 20_000;
const require = createRequire(import.meta.url);
const notices = require(path.join(REPO, "themes/default/static/js/lotse-notices.js"));
const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

// The build happens at 2026-12-07 09:00 in Berlin; the IServ outage runs 08:10 to 12:00.
const BUILT_AT = Date.parse("2026-12-07T09:00:00+01:00");
const DURING = Date.parse("2026-12-07T10:00:00+01:00");
const AFTER_END = Date.parse("2026-12-07T12:30:00+01:00");
const BEFORE_START = Date.parse("2026-12-07T07:00:00+01:00");

let tmp, portal, output, site, browser;

function build() {
  const run = spawnSync(LOTSE, ["build", "--quiet", "--root", portal, "--output", output], {
    encoding: "utf8",
    env: { ...process.env, SOURCE_DATE_EPOCH: String(BUILT_AT / 1000), TZ: "Europe/Berlin" },
  });
  assert.equal(run.status, 0, run.stderr);
}

function writeNotice(name, front, body = "Wir arbeiten daran.") {
  fs.mkdirSync(path.join(portal, "notices"), { recursive: true });
  fs.writeFileSync(path.join(portal, "notices", name), `---\n${front}---\n\n${body}\n`);
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lotse-notices-"));
  portal = path.join(tmp, "portal");
  output = path.join(tmp, "public");
  fs.mkdirSync(portal);
  for (const entry of ["content", "lotse.yaml", "themes"]) {
    fs.cpSync(path.join(REPO, entry), path.join(portal, entry), { recursive: true });
  }
  writeNotice("iserv-mail.md", "title: IServ-E-Mail verschickt nichts\nstart: 2026-12-07T08:10:00+01:00\nend: 2026-12-07T12:00:00+01:00\nstatus: identified\nplatforms: [iserv]\n",
    "Mails bleiben im Postausgang.\n\n### 2026-12-07 08:40\n\nDer Dienstleister ist informiert.");
  build();
  site = await serve(output);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A page whose clock stands at `time` (ms) and runs on from there. */
async function openAt(t, time, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 800 }, ...options });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.clock.install({ time });
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (m) => { if (m.type() === "error" && !/notices\.json|Failed to load resource/.test(m.text())) problems.push(m.text()); });
  return { page, problems, context };
}

/** The visible banner texts of the page. */
function banners(page) {
  return page.$$eval(".notice-banner", (ps) => ps.filter((p) => !p.hidden && !p.closest("[hidden]")).map((p) => p.textContent.replace(/\s+/g, " ").trim()));
}

test("pure functions: a notice is on from its start until its end, for its platforms", () => {
  const n = { start: "2026-12-07T08:10:00+01:00", end: "2026-12-07T12:00:00+01:00", platforms: ["iserv"], updated: "2026-12-07T08:40:00+01:00" };
  assert.equal(notices.isOn(n, BEFORE_START), false);
  assert.equal(notices.isOn(n, DURING), true);
  assert.equal(notices.isOn(n, AFTER_END), false);
  assert.equal(notices.isOn({ ...n, end: "" }, AFTER_END), true, "no end: on until resolved");
  assert.deepEqual(notices.forPage([n], "ipad", false), []);
  assert.deepEqual(notices.forPage([n], "iserv", false), [n]);
  assert.deepEqual(notices.forPage([n], "", true), [n], "the home page shows all");
  const newer = { ...n, updated: "2026-12-07T09:30:00+01:00", title: "neuer" };
  assert.deepEqual(notices.onFor([n, newer], ["iserv"], DURING), [newer, n], "newest update first");
  assert.deepEqual(notices.onFor([n], ["ipad"], DURING), []);
});

test("an active notice shows on the home page and its platform's pages, not on others", async (t) => {
  const { page, problems } = await openAt(t, DURING);
  await page.goto(`${site.origin}/`);
  await page.waitForFunction(() => document.querySelector(".notice-banners") && !document.querySelector(".notice-banners").hidden);
  const home = await banners(page);
  assert.equal(home.length, 1);
  assert.match(home[0], /Bekannte Störung: IServ-E-Mail verschickt nichts – wir arbeiten daran \(Stand 7\. Dezember 2026, 8:40 Uhr\)/);
  assert.equal(await page.getAttribute(".notice-banners", "role"), "status", "announced politely, not as an alert");
  for (const [url, expected] of [["/iserv/", 1], ["/iserv/passwort-vergessen/", 1], ["/ipad/", 0], ["/ipad/wlan-verbinden/", 0]]) {
    await page.goto(site.origin + url);
    await page.waitForLoadState("networkidle");
    assert.equal((await banners(page)).length, expected, url);
  }
  assert.deepEqual(problems, []);
});

test("the clock hides an ended notice and holds back one that has not started, without a rebuild", async (t) => {
  const later = await openAt(t, AFTER_END);
  await later.page.goto(`${site.origin}/iserv/`);
  await later.page.waitForLoadState("networkidle");
  assert.deepEqual(await banners(later.page), [], "ended at 12:00");
  assert.equal(await later.page.isHidden(".notice-banners"), true);

  const early = await openAt(t, BEFORE_START);
  await early.page.goto(`${site.origin}/iserv/`);
  await early.page.waitForLoadState("networkidle");
  assert.deepEqual(await banners(early.page), [], "starts at 08:10");
  // The clock runs on into the outage: the banner appears by itself.
  await early.page.clock.runFor(75 * 60 * 1000);
  assert.equal((await banners(early.page)).length, 1, "shown once its start has come");
});

test("search results about the platform carry the notice; other searches do not", async (t) => {
  const { page } = await openAt(t, DURING);
  await page.goto(`${site.origin}/search/?q=${encodeURIComponent("IServ Passwort vergessen")}`);
  await page.waitForSelector("#search-results .search-result", { timeout: TIMEOUT });
  await page.waitForSelector("#search-results .search-notice", { timeout: TIMEOUT });
  assert.match(await page.textContent("#search-results .search-notice"), /Bekannte Störung: IServ-E-Mail verschickt nichts/);
  await page.goto(`${site.origin}/search/?q=${encodeURIComponent("iPad WLAN verbinden")}`);
  await page.waitForSelector("#search-results .search-result", { timeout: TIMEOUT });
  assert.equal(await page.$("#search-results .search-notice"), null, "an iPad search shows the IServ notice");
});

test("the ticket form says 'Wir wissen Bescheid' for the platform and names the notice in the ticket", async (t) => {
  const { page } = await openAt(t, DURING);
  await page.goto(`${site.origin}/problem-melden/?platform=ipad`);
  await page.waitForLoadState("networkidle");
  assert.equal(await page.isHidden("[data-known-outage]"), true, "no notice for the iPad");
  await page.selectOption("#ticket-platform", "iserv");
  await page.waitForSelector("[data-known-outage]:not([hidden])");
  assert.match(await page.textContent("[data-known-outage]"), /Wir wissen Bescheid[\s\S]*IServ-E-Mail verschickt nichts/);
  // It stands before the description field.
  const before = await page.evaluate(() => document.querySelector("[data-known-outage]").compareDocumentPosition(document.querySelector("#ticket-description")) & Node.DOCUMENT_POSITION_FOLLOWING);
  assert.ok(before, "the notice comes before the description");
  await page.fill("#ticket-summary", "Mails kommen nicht an");
  await page.fill("#ticket-description", "Seit heute früh.");
  const preview = await page.textContent(".ticket-preview pre, [data-ticket-preview]").catch(() => null);
  const text = preview ?? await page.evaluate(() => document.querySelector("pre")?.textContent || "");
  assert.match(text, /Bekannte Störung: IServ-E-Mail verschickt nichts \(wir arbeiten daran, Stand 7\. Dezember 2026, 8:40 Uhr\)/);
});

test("offline, the cached notices show; once the network answers, the newest replace them", async (t) => {
  const { page, context } = await openAt(t, DURING);
  await page.goto(`${site.origin}/`);
  // Wait until the offline worker controls the page and has the portal, notices.json included.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
  });
  await page.waitForFunction(async () => {
    const names = await caches.keys();
    for (const name of names) if (await (await caches.open(name)).match("notices.json")) return true;
    return false;
  }, null, { timeout: TIMEOUT });
  await context.setOffline(true);
  await page.goto(`${site.origin}/iserv/`);
  await page.waitForFunction(() => document.querySelectorAll(".notice-banner:not([hidden])").length === 1, null, { timeout: TIMEOUT });
  // The outage is resolved and a new build published: with the network back, the page from the
  // cache shows the newest notices (here: none), not the ones it was cached with.
  writeNotice("iserv-mail.md", "title: IServ-E-Mail verschickt nichts\nstart: 2026-12-07T08:10:00+01:00\nend: 2026-12-07T12:00:00+01:00\nstatus: resolved\nplatforms: [iserv]\n");
  t.after(() => writeNotice("iserv-mail.md", "title: IServ-E-Mail verschickt nichts\nstart: 2026-12-07T08:10:00+01:00\nend: 2026-12-07T12:00:00+01:00\nstatus: identified\nplatforms: [iserv]\n"));
  build();
  t.after(build);
  await context.setOffline(false);
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll(".notice-banner:not([hidden])").length === 0 && document.querySelector(".notice-banners").hidden, null, { timeout: TIMEOUT });
});

for (const scheme of ["light", "dark"]) {
  test(`axe finds nothing on pages with a notice (${scheme})`, async (t) => {
    const context = await browser.newContext({ bypassCSP: true, colorScheme: scheme });
    t.after(() => context.close());
    const page = await context.newPage();
    await page.clock.install({ time: DURING });
    const found = [];
    for (const url of ["/", "/iserv/passwort-vergessen/", "/stoerungen/", "/problem-melden/?platform=iserv"]) {
      await page.goto(site.origin + url);
      await page.waitForLoadState("networkidle");
      await page.addScriptTag({ content: AXE });
      const result = await page.evaluate(() => window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }));
      for (const v of result.violations) found.push(`${url}: ${v.id} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    }
    assert.deepEqual(found, []);
  });
}
