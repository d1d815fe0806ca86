// Accessibility of every page type, checked by axe-core in headless Chromium, in the light and the
// dark colour scheme: WCAG 2.1 A/AA rules and axe's best practices, zero violations allowed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { serve, launchChromium } from "./server.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LOTSE = process.env.LOTSE_BIN || path.join(REPO, "target/debug/lotse");
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const PAGES = {
  home: "/",
  platform: "/ipad/",
  article: "/ipad/wlan-verbinden/",
  "article with a guided flow": "/allgemein/display-kein-bild/",
  "wall sheet": "/allgemein/aushang/",
  tag: "/tags/wlan/",
  tags: "/tags/",
  search: "/search/",
  "search results": "/search/?q=WLAN%20iPad",
  "404": "/gibt-es-nicht/",
  "accessibility statement": "/barrierefreiheit/",
  "ticket form": "/problem-melden/",
  "ticket form from an article": "/problem-melden/?article=ipad%2Fwlan-verbinden%2F&title=Dienst-iPad%20mit%20dem%20WLAN%20verbinden&platform=ipad",
};

/** The technicians' portal: its banner, an internal article's banner and marked results. */
const INTERNAL_PAGES = {
  "internal home": "/",
  "internal article": "/office365/lizenzen-zuweisen/",
  "internal search results": "/search/?q=Lizenzen%20PowerShell",
};

let tmp;
let site;
let internal;
let browser;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lotse-a11y-"));
  const run = spawnSync(LOTSE, ["build", "--quiet", "--root", REPO, "--output", path.join(tmp, "public")], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  site = await serve(path.join(tmp, "public"));
  const intern = spawnSync(LOTSE, ["build", "--quiet", "--internal", "--root", REPO, "--output", path.join(tmp, "intern")], { encoding: "utf8" });
  assert.equal(intern.status, 0, intern.stderr);
  internal = await serve(path.join(tmp, "intern"));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await internal?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

for (const scheme of ["light", "dark"]) {
  test(`every page type has no accessibility violations (${scheme})`, async () => {
    // axe is injected as a script, which the site's strict CSP would rightly refuse.
    const context = await browser.newContext({ bypassCSP: true, colorScheme: scheme });
    const page = await context.newPage();
    const found = [];
    const pages = [...Object.entries(PAGES).map(([k, u]) => [k, u, site]), ...Object.entries(INTERNAL_PAGES).map(([k, u]) => [k, u, internal])];
    for (const [kind, url, host] of pages) {
      await page.goto(host.origin + url);
      if (url.includes("?q=")) await page.waitForSelector("#search-results a", { timeout: 15_000 });
      await page.addScriptTag({ content: AXE });
      const result = await page.evaluate(() =>
        window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }),
      );
      for (const v of result.violations) {
        found.push(`${kind} (${url}): ${v.id} [${v.impact}] at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      }
      assert.ok(result.passes.length > 20, `axe checked little on ${url}`);
    }
    await context.close();
    assert.deepEqual(found, []);
  });
}
