// Guided troubleshooting on the bundled portal, in headless Chromium: one step at a time with
// "Ja"/"Nein", the path so far and a way back, a link of its own per step, "Problem melden" with the
// steps tried in the ticket text, the nested list without JavaScript, and axe in light and dark.
// The pure functions of lotse-flow.js get node unit tests at the end.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundledPortal } from "./server.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const flow = require(path.join(REPO, "themes/default/static/js/lotse-flow.js"));

const WLAN = "/allgemein/wlan-geht-nicht/";
const DISPLAY = "/allgemein/display-kein-bild/";

let tmp;
let site;
let browser;
let portal;

before(async () => {
  portal = await bundledPortal("lotse-flow-");
  ({ tmp, site, browser } = portal);
});

after(() => portal?.close());

/** A fresh page that fails the test on console errors, page errors and CSP violations. */
async function newPage(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(String(e)));
  return { context, page, problems };
}

/** The flow, a region named like its heading. */
const flowRegion = (page) => page.getByRole("region", { name: "Schritt für Schritt" });

/** The "Ja" or "Nein" button of the step on screen. */
const answer = (page, name) => flowRegion(page).getByRole("button", { name, exact: true });

/** The step on screen: its number and question, as a teacher reads them. */
async function shownStep(page) {
  const step = page.locator(".flow-step:visible");
  assert.equal(await step.count(), 1, "exactly one step is shown");
  return (await step.locator(".flow-question").innerText()).replace(/\s+/g, " ").trim();
}

/**
 * Asserts that the step on screen comes to match `expected`. An answer moves on through the
 * location hash, whose event comes a moment after the click, so the step is read until it
 * matches or 5 s have passed.
 */
async function expectStep(page, expected) {
  let shown = await shownStep(page);
  for (const until = Date.now() + 5000; !expected.test(shown) && Date.now() < until;) {
    await page.waitForTimeout(50);
    shown = await shownStep(page);
  }
  assert.match(shown, expected);
}

test("a flow answered Nein, Nein, Ja reaches the step the article leads to, with the path so far", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(site.origin + WLAN);
  await expectStep(page, /^Schritt 1 Ist am Gerät das WLAN eingeschaltet/);
  await answer(page, "Nein").click();
  await expectStep(page, /^Schritt 7 Schalten Sie das WLAN ein/);
  assert.equal(new URL(page.url()).hash, "#schritt-7");
  await answer(page, "Nein").click();
  await expectStep(page, /^Schritt 2 Sind Sie mit dem Lehrkräfte-WLAN verbunden/);
  await answer(page, "Ja").click();
  await expectStep(page, /^Schritt 3 Geht das WLAN bei anderen im selben Raum/);
  assert.equal(new URL(page.url()).hash, "#schritt-3");

  // Focus is on the new step, and the live region says which one it is.
  assert.equal(await page.evaluate(() => document.activeElement.id), "schritt-3");
  assert.match(await page.locator(".flow [aria-live]").innerText(), /Schritt 3: Geht das WLAN bei anderen/);
  const pathSoFar = await page.locator(".flow-path li").allInnerTexts();
  assert.deepEqual(pathSoFar.map((t) => t.replace(/:.*–/, " –")), ["Schritt 1 – Nein", "Schritt 7 – Nein", "Schritt 2 – Ja"]);

  // A link inside a step (to a heading of the article) and back again keeps the path.
  await page.evaluate(() => { location.hash = "#android-handy-oder-tablet"; });
  await page.goBack();
  await expectStep(page, /^Schritt 3 /);
  assert.equal(await page.locator(".flow-path li").count(), 3);

  // "Zurück" goes one step back and forgets that answer; so does the browser's back button.
  await flowRegion(page).getByRole("button", { name: "Zurück" }).click();
  await expectStep(page, /^Schritt 2 /);
  assert.equal(await page.locator(".flow-path li").count(), 2);
  await page.goBack();
  await expectStep(page, /^Schritt 7 /);
  assert.equal(await page.locator(".flow-path li").count(), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test("Problem melden at an end carries the steps and answers into the ticket text", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(site.origin + WLAN);
  await answer(page, "Ja").click(); // 1 → 2
  await answer(page, "Ja").click(); // 2 → 3
  await answer(page, "Nein").click(); // 3 → Problem melden
  const report = page.getByRole("link", { name: "Problem melden", exact: true }).and(page.locator("[data-flow-report]"));
  await report.waitFor({ state: "visible" });
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute("data-end")), "report");
  await report.click();
  await page.waitForURL(/\/problem-melden\//);
  let description = await page.locator("#ticket-description").inputValue();
  // What the teacher adds stays when the form is reloaded.
  await page.locator("#ticket-description").fill(description + "\nRaum A 104, seit heute früh.");
  await page.reload();
  assert.match(await page.locator("#ticket-description").inputValue(), /Raum A 104, seit heute früh\.$/);
  description = await page.locator("#ticket-description").inputValue();
  assert.match(description, /„WLAN in der Schule geht nicht: die Checkliste“/);
  assert.match(description, /Schritt 1: Ist am Gerät das WLAN eingeschaltet und der Flugmodus aus\? – Ja/);
  assert.match(description, /Schritt 2: Sind Sie mit dem Lehrkräfte-WLAN verbunden .* – Ja/);
  assert.match(description, /Schritt 3: Geht das WLAN bei anderen im selben Raum.* – Nein/);
  // The text the helpdesk gets names the article and the last step, and holds the path.
  await page.locator("#ticket-summary").fill("WLAN im Raum A 104 weg");
  const ticket = await page.locator("[data-ticket-text]").textContent();
  assert.match(ticket, /WLAN in der Schule geht nicht: die Checkliste – http:\/\/127\.0\.0\.1:\d+\/allgemein\/wlan-geht-nicht\//);
  assert.match(ticket, /Schritt 3: Geht das WLAN bei anderen im selben Raum.* – Nein/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a step's own link opens that step", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(site.origin + DISPLAY + "#schritt-4");
  await expectStep(page, /^Schritt 4 Schließen Sie einen Laptop an\?/);
  assert.equal(await page.locator(".flow-path li").count(), 0, "no path: the step was opened by its link");
  // The step's number is that link, to read out or copy on the phone.
  assert.equal(await page.locator(".flow-step:visible .flow-number").getAttribute("href"), "#schritt-4");
  await answer(page, "Ja").click();
  await expectStep(page, /^Schritt 5 /);
  // Typing another step's address into the open page works too.
  await page.evaluate(() => { location.hash = "#schritt-2"; });
  await expectStep(page, /^Schritt 2 /);
  assert.deepEqual(problems, []);
  await context.close();
});

test("without JavaScript the whole flow is a nested list with links between the steps", async () => {
  const { context, page } = await newPage({ javaScriptEnabled: false });
  await page.goto(site.origin + DISPLAY);
  const steps = page.locator("ol.flow-steps > li.flow-step");
  assert.equal(await steps.count(), 6);
  for (let i = 0; i < 6; i++) assert.ok(await steps.nth(i).isVisible(), `step ${i + 1} visible`);
  const answers = await steps.nth(0).locator("ul.flow-answers > li").allInnerTexts();
  assert.deepEqual(answers, ["Ja: Schritt 3", "Nein: Schritt 2"]);
  assert.equal(await steps.nth(1).locator('a[data-target="report"]').getAttribute("href"), "../../problem-melden/?article=allgemein%2Fdisplay-kein-bild%2F&title=Digitale%20Tafel%20oder%20Display%20zeigt%20kein%20Bild&platform=allgemein");
  await context.close();
});

for (const scheme of ["light", "dark"]) {
  test(`axe finds nothing on a flow page (${scheme})`, async () => {
    // axe is injected as a script, which the site's strict CSP would rightly refuse.
    const { context, page } = await newPage({ bypassCSP: true, colorScheme: scheme });
    const found = [];
    const check = async (where) => {
      await page.addScriptTag({ content: AXE });
      const result = await page.evaluate(() =>
        window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }),
      );
      for (const v of result.violations) found.push(`${where}: ${v.id} [${v.impact}] at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      assert.ok(result.passes.length > 20, "axe checked little");
    };
    await page.goto(site.origin + DISPLAY);
    await check("first step");
    await answer(page, "Nein").click();
    await check("second step with path");
    await answer(page, "Nein").click();
    await check("Problem melden");
    assert.deepEqual(found, []);
    await context.close();
  });
}

// ---- the pure functions, in node ----------------------------------------------------------------

test("unit: answering adds to the path; going back cuts it; a step's own link starts afresh", () => {
  let p = flow.advance([], "schritt-1", "no");
  p = flow.advance(p, "schritt-7", "yes");
  assert.deepEqual(p, [{ step: "schritt-1", answer: "no" }, { step: "schritt-7", answer: "yes" }]);
  assert.deepEqual(flow.pathFor(p, "schritt-2", "schritt-2"), p, "where the last answer led: kept");
  assert.deepEqual(flow.pathFor(p, "schritt-7", null), [{ step: "schritt-1", answer: "no" }], "back to an answered step: cut before it");
  assert.deepEqual(flow.pathFor(p, "schritt-4", null), [], "another step's link: no path");
});

test("unit: a hash names a step, or the flow starts at the first", () => {
  const ids = ["schritt-1", "schritt-2", "schritt-10"];
  assert.equal(flow.stepFromHash("#schritt-10", ids), "schritt-10");
  assert.equal(flow.stepFromHash("#schritt-3", ids), "schritt-1");
  assert.equal(flow.stepFromHash("", ids), "schritt-1");
  assert.equal(flow.stepFromHash("#%E2%80%AE", ids), "schritt-1");
  assert.equal(flow.stepFromHash("#%E2", ids), "schritt-1", "a malformed hash throws nothing");
});

test("unit: the ticket text lists every step with its answer, and the link encodes it", () => {
  const questions = { "schritt-1": { number: "1", text: "Ist das Display an?" }, "schritt-3": { number: "3", text: "Kabel & Eingang?" } };
  const text = flow.ticketDescription("Versucht", "Display", [{ step: "schritt-1", answer: "yes" }, { step: "schritt-3", answer: "no" }], questions, { yes: "Ja", no: "Nein", step: "Schritt" });
  assert.equal(text, "Versucht („Display“):\n- Schritt 1: Ist das Display an? – Ja\n- Schritt 3: Kabel & Eingang? – Nein");
  const href = flow.ticketLink("../../problem-melden/?article=a", text, "Schritt 3: Kabel & Eingang?");
  const params = new URL(href, "http://x/a/b/").searchParams;
  assert.equal(params.get("description"), text);
  assert.equal(params.get("step"), "Schritt 3: Kabel & Eingang?");
  assert.equal(params.get("article"), "a");
});
