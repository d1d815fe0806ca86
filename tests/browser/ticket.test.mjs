// The ticket handover in headless Chromium: "Hat diese Anleitung geholfen?", the "Problem melden"
// form with suggestions, the prefilled mailto: and ticket-system URL, per-platform routing, state
// kept across a visit to a suggested article, and nothing sent anywhere while the teacher types.
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
let site; // the bundled portal: e-mail channel, iPad problems to the MDM team
let urlSite; // the same content with a ticket system's URL template
let browser;

function buildPortal(name, editConfig) {
  const portal = path.join(tmp, name);
  fs.mkdirSync(portal);
  fs.cpSync(path.join(REPO, "content"), path.join(portal, "content"), { recursive: true });
  const config = fs.readFileSync(path.join(REPO, "lotse.yaml"), "utf8");
  fs.writeFileSync(path.join(portal, "lotse.yaml"), editConfig(config));
  const output = path.join(tmp, name + "-public");
  const run = spawnSync(LOTSE, ["build", "--quiet", "--root", portal, "--output", output], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return output;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lotse-ticket-"));
  // Offline mode is tested elsewhere; here every request must reach the test server to be seen.
  site = await serve(buildPortal("email", (c) => c + "\noffline: false\n"));
  urlSite = await serve(buildPortal("url", (c) => {
    const start = c.indexOf("ticket:");
    return c.slice(0, start) + [
      "offline: false",
      "ticket:",
      "  url: https://helpdesk.example/otrs/customer.pl?Action=CustomerTicketMessage&Subject={subject}&Body={body}&Raum={room}",
      "  subject: \"[{platform}] {summary}\"",
      "  fields:",
      "    school: required",
      "    room: optional",
      "  feedback_url: /feedback?article={article}&helpful={helpful}",
      "",
    ].join("\n");
  }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await urlSite?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A page that records every request leaving 127.0.0.1 (and blocks it). */
async function newPage() {
  const context = await browser.newContext();
  const foreign = [];
  await context.route((url) => url.hostname !== "127.0.0.1", (route) => {
    foreign.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  return { context, page, foreign };
}

/** The href the form produced for the teacher's mail app or ticket system. */
async function submitAndGetLink(page) {
  await page.getByRole("button", { name: /E-Mail erstellen|Im Ticketsystem öffnen/ }).click();
  const link = page.locator("[data-ticket-link]");
  await link.waitFor({ state: "visible" });
  return link.getAttribute("href");
}

/**
 * Reads a mailto: link back as a mail client does (RFC 6068): the address is the path, the query
 * is split on "&" and each value percent-decoded. Not URLSearchParams, which would turn a "+" into a
 * space: in a mailto: URL a "+" is a plus. A raw "&", "=" or "#" in a value would show up here as an
 * extra field, a cut value or a fragment.
 */
function parseMailto(href) {
  assert.match(href, /^mailto:/);
  const url = new URL(href);
  assert.equal(url.hash, "", `no unencoded # cut the link: ${href}`);
  const fields = {};
  for (const pair of url.search.slice(1).split("&")) {
    const at = pair.indexOf("=");
    assert.ok(at > 0, `${pair} is a name=value pair`);
    const key = decodeURIComponent(pair.slice(0, at)).toLowerCase();
    assert.ok(!(key in fields), `${key} appears once in ${href}`);
    fields[key] = decodeURIComponent(pair.slice(at + 1));
  }
  assert.deepEqual(Object.keys(fields).sort(), ["body", "subject"], `only subject and body: ${href}`);
  return { address: decodeURIComponent(url.pathname), ...fields };
}

test("'Nein' under an article opens the form with the article, its platform and a step field", async () => {
  const { context, page, foreign } = await newPage();
  await page.goto(site.origin + "/ipad/wlan-verbinden/");
  const feedback = page.locator("section.feedback");
  await assert.doesNotReject(feedback.getByRole("heading", { name: "Hat diese Anleitung geholfen?" }).waitFor());
  await feedback.getByRole("link", { name: /Nein/ }).click();
  await page.waitForURL(/\/problem-melden\/\?article=/);
  assert.equal(await page.locator("[data-context-link]").innerText(), "Dienst-iPad mit dem WLAN verbinden");
  assert.equal(await page.locator("#ticket-platform").inputValue(), "ipad");
  assert.ok(await page.locator("#ticket-step").isVisible(), "asks at which step it failed");

  await page.fill("#ticket-summary", "WLAN verbindet nicht");
  await page.fill("#ticket-step", "Schritt 3: Zertifikat");
  await page.fill("#ticket-description", "Es kommt „Zertifikat nicht vertrauenswürdig“.\nDanach passiert nichts.");
  await page.fill("#ticket-school", "Grundschule Am Bürgerpark");
  await page.fill("#ticket-name", "Jörg Weiß");
  await page.fill("#ticket-inventory", "IPAD-0815");
  const mail = parseMailto(await submitAndGetLink(page));
  // Per-platform routing: iPad problems go to the MDM team.
  assert.equal(mail.address, "mdm-team@landkreis-beispiel.example");
  assert.equal(mail.subject, "iPad: WLAN verbindet nicht");
  const lines = mail.body.split("\r\n");
  assert.ok(!/(^|[^\r])\n/.test(mail.body), "line breaks are CRLF");
  for (const expected of [
    "Bereich: iPad",
    "Schule: Grundschule Am Bürgerpark",
    "Name: Jörg Weiß",
    "Inventarnummer: IPAD-0815",
    `Bereits versucht: Dienst-iPad mit dem WLAN verbinden – ${site.origin}/ipad/wlan-verbinden/`,
    "Schritt: Schritt 3: Zertifikat",
    "Es kommt „Zertifikat nicht vertrauenswürdig“.",
    "Danach passiert nichts.",
  ]) {
    assert.ok(lines.includes(expected), `${expected} in\n${mail.body}`);
  }
  assert.deepEqual(foreign, [], "nothing left the site");
  await context.close();
});

test("'Ja' thanks the teacher and sends nothing when no feedback URL is configured", async () => {
  const { context, page, foreign } = await newPage();
  const seen = []; // every request the browser makes, in the order it starts them
  context.on("request", (request) => seen.push(request.url()));
  await page.goto(site.origin + "/iserv/passwort-vergessen/");
  const before = site.requests.length;
  const seenBefore = seen.length;
  await page.getByRole("button", { name: "Ja" }).click();
  await page.getByText("Danke für Ihre Rückmeldung").waitFor();
  // A report would be started by the click, before the thanks show. The page now makes one more
  // request the way a report is made; the browser reports requests in the order they start, so
  // once this marker is seen (and the server has answered it), so would be any report before it.
  const marker = site.origin + "/manifest.webmanifest?nach-ja";
  await Promise.all([
    context.waitForEvent("request", (request) => request.url() === marker),
    page.evaluate((url) => fetch(url, { mode: "no-cors", credentials: "omit", keepalive: true, cache: "no-store" }).then(() => {}), marker),
  ]);
  const markerAt = seen.indexOf(marker, seenBefore);
  assert.ok(markerAt >= seenBefore, "the marker request was recorded");
  const started = seen.slice(seenBefore, markerAt);
  // Only the site's own files may load (the manifest, icons, the search index); no report.
  const report = (url) => !url.startsWith(site.origin + "/") || /helpful|feedback/.test(url);
  assert.deepEqual(started.filter(report), [], "the browser started no report");
  const answered = site.requests.slice(before);
  assert.ok(answered.some((r) => r.path === "/manifest.webmanifest?nach-ja"), "the server answered the marker");
  const sent = answered.filter((r) => r.status !== 200 && r.status !== 206 || /helpful|feedback/.test(r.path));
  assert.deepEqual(sent, []);
  assert.deepEqual(foreign, []);
  await context.close();
});

test("other platforms use the default address; the routing follows the chosen platform", async () => {
  const { context, page } = await newPage();
  await page.goto(site.origin + "/problem-melden/");
  await page.fill("#ticket-summary", "Drucker im Lehrerzimmer druckt nicht");
  await page.fill("#ticket-description", "Papierstau-Meldung, aber kein Papier drin.");
  await page.fill("#ticket-school", "GS Nord");
  await page.fill("#ticket-name", "A. Muster");
  await page.selectOption("#ticket-platform", "allgemein");
  let mail = parseMailto(await submitAndGetLink(page));
  assert.equal(mail.address, "schul-it@landkreis-beispiel.example");
  assert.equal(mail.subject, "Allgemein: Drucker im Lehrerzimmer druckt nicht");
  await page.selectOption("#ticket-platform", "");
  mail = parseMailto(await submitAndGetLink(page));
  assert.equal(mail.subject, "Drucker im Lehrerzimmer druckt nicht", "no platform, no dangling colon");
  await page.selectOption("#ticket-platform", "ipad");
  mail = parseMailto(await submitAndGetLink(page));
  assert.equal(mail.address, "mdm-team@landkreis-beispiel.example");
  await context.close();
});

test("reserved characters, an emoji, umlauts and line breaks reach the mail app unchanged", async () => {
  const { context, page, foreign } = await newPage();
  await page.goto(site.origin + "/problem-melden/");
  const summary = "Drucker & Kopierer: A=B, 100% kaputt #3 + Toner leer 😀 Übergröße";
  // Typed with both kinds of line break; a textarea keeps them as LF, the mail body needs CRLF.
  const description = "Fehler & Warnung: a=b+c, 50% #7 ?x=%20&y=1\nZweite Zeile: äöü ÄÖÜ ß 🖨️😀\r\n\nNach einer Leerzeile: 1+1=2 & fertig";
  await page.selectOption("#ticket-platform", "allgemein");
  await page.fill("#ticket-summary", summary);
  await page.fill("#ticket-description", description);
  await page.fill("#ticket-school", "GS Am Bach & Co. = 100% #1");
  await page.fill("#ticket-name", "Jörg Weiß-Müller + 😀");
  await page.fill("#ticket-room", "2/3 #B");
  const href = await submitAndGetLink(page);
  const mail = parseMailto(href);
  assert.equal(mail.address, "schul-it@landkreis-beispiel.example");
  assert.equal(mail.subject, `Allgemein: ${summary}`);
  assert.equal(mail.body, [
    "Bereich: Allgemein",
    "Schule: GS Am Bach & Co. = 100% #1",
    "Name: Jörg Weiß-Müller + 😀",
    "Raum: 2/3 #B",
    "",
    "Beschreibung:",
    "Fehler & Warnung: a=b+c, 50% #7 ?x=%20&y=1",
    "Zweite Zeile: äöü ÄÖÜ ß 🖨️😀",
    "",
    "Nach einer Leerzeile: 1+1=2 & fertig",
  ].join("\r\n"), "the body as typed, with CRLF line breaks (RFC 6068)");
  // The mail app was really asked to open exactly this link.
  assert.equal(await page.locator("[data-ticket-link]").getAttribute("href"), href);

  // A summary pasted with a line break stays one subject line: the mail app gets no extra header.
  await page.fill("#ticket-summary", "Beamer aus\r\nBcc: alle@schule.example");
  const oneLine = parseMailto(await submitAndGetLink(page));
  assert.doesNotMatch(oneLine.subject, /[\r\n]/);
  assert.match(oneLine.subject, /^Allgemein: Beamer aus ?Bcc: alle@schule\.example$/);
  assert.deepEqual(foreign, [], "nothing left the site");
  await context.close();
});

test("required fields are enforced before anything opens", async () => {
  const { context, page } = await newPage();
  await page.goto(site.origin + "/problem-melden/");
  await page.fill("#ticket-summary", "Beamer aus");
  await page.getByRole("button", { name: "E-Mail erstellen" }).click();
  assert.equal(await page.locator("[data-ticket-link]").isVisible(), false);
  assert.equal(await page.locator("#ticket-description").evaluate((e) => e.validity.valueMissing), true);
  await context.close();
});

test("typing shows matching how-tos, and the form survives a visit to one of them", async () => {
  const { context, page, foreign } = await newPage();
  await page.goto(site.origin + "/problem-melden/");
  await page.fill("#ticket-summary", "Passwort vergessen IServ");
  const suggestion = page.locator("[data-suggestions-list] a").first();
  await suggestion.waitFor({ timeout: 20_000 });
  assert.match(await page.locator("[data-suggestions-list]").innerText(), /Passwort vergessen/);
  await page.fill("#ticket-description", "Ich komme nicht mehr in IServ.");
  await page.fill("#ticket-room", "A 2.14");
  await page.locator("[data-suggestions-list] a", { hasText: "Passwort vergessen" }).first().click();
  await page.waitForURL(/\/iserv\/passwort-vergessen\//);
  // Back via a fresh page load (not the back/forward cache): sessionStorage must carry the state.
  await page.goto(site.origin + "/problem-melden/");
  assert.equal(await page.locator("#ticket-summary").inputValue(), "Passwort vergessen IServ");
  assert.equal(await page.locator("#ticket-description").inputValue(), "Ich komme nicht mehr in IServ.");
  assert.equal(await page.locator("#ticket-room").inputValue(), "A 2.14");
  // "Formular leeren" forgets it.
  await page.getByRole("button", { name: "Formular leeren" }).click();
  await page.goto(site.origin + "/problem-melden/");
  assert.equal(await page.locator("#ticket-summary").inputValue(), "");
  assert.deepEqual(foreign, []);
  await context.close();
});

test("a failed search offers 'Problem melden' and carries the query into the ticket", async () => {
  const { context, page } = await newPage();
  await page.goto(site.origin + "/search/?q=" + encodeURIComponent("Xylophonstimmgerät kaputt"));
  const offer = page.locator(".search-report a");
  await offer.waitFor({ timeout: 20_000 });
  await offer.click();
  await page.waitForURL(/problem-melden\/\?query=/);
  assert.equal(await page.locator("[data-context-text]").innerText(), "Xylophonstimmgerät kaputt");
  await page.fill("#ticket-summary", "Gerät fehlt");
  await page.fill("#ticket-description", "Keine Anleitung gefunden.");
  await page.fill("#ticket-school", "GS Süd");
  await page.fill("#ticket-name", "B. Beispiel");
  const mail = parseMailto(await submitAndGetLink(page));
  assert.ok(mail.body.includes("Gesucht nach: „Xylophonstimmgerät kaputt“"), mail.body);
  await context.close();
});

test("a description too long for a mailto: link is shortened with a note, and copy gives the full text", async () => {
  const { context, page } = await newPage();
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto(site.origin + "/problem-melden/");
  const long = Array.from({ length: 120 }, (_, i) => `Zeile ${i + 1}: Überprüfung läuft…`).join("\n");
  await page.fill("#ticket-summary", "Sehr lange Fehlermeldung");
  await page.fill("#ticket-description", long);
  await page.fill("#ticket-school", "GS West");
  await page.fill("#ticket-name", "C. Test");
  const href = await submitAndGetLink(page);
  assert.ok(href.length <= 1900, `mailto: is ${href.length} characters`);
  const mail = parseMailto(href); // decodes: no UTF-8 sequence was cut in half
  assert.match(mail.body, /Gekürzt/);
  assert.match(await page.locator("[data-ticket-status]").innerText(), /zu lang/);
  await page.getByRole("button", { name: "Als Text kopieren" }).click();
  await page.getByText("Der Text ist kopiert").waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(copied.includes("Zeile 120: Überprüfung läuft…"), "the copy is complete");
  assert.ok(copied.startsWith("An: schul-it@landkreis-beispiel.example\nBetreff: Sehr lange Fehlermeldung"), copied.slice(0, 120));
  await context.close();
});

test("a ticket system's URL template gets every field URL-encoded, and feedback goes to the configured URL", async () => {
  const { context, page } = await newPage();
  await page.goto(urlSite.origin + "/office365/teams-kamera-mikrofon/");
  const before = urlSite.requests.length;
  await page.getByRole("link", { name: /Nein/ }).click();
  await page.waitForURL(/problem-melden/);
  const ping = urlSite.requests.slice(before).find((r) => r.path.startsWith("/feedback?"));
  assert.ok(ping, "the No answer was reported to feedback_url");
  assert.match(decodeURIComponent(ping.path), /helpful=no/);
  assert.match(decodeURIComponent(ping.path), /teams-kamera-mikrofon/);

  await page.fill("#ticket-summary", "Kamera schwarz & Ton weg?");
  await page.fill("#ticket-description", "Zeile 1\nZeile 2 mit Umlaut ä");
  await page.fill("#ticket-school", "IGS Mitte");
  await page.fill("#ticket-room", "Raum 3/4");
  const popup = context.waitForEvent("page");
  const href = await submitAndGetLink(page);
  const url = new URL(href);
  assert.equal(url.origin + url.pathname, "https://helpdesk.example/otrs/customer.pl");
  assert.equal(url.searchParams.get("Action"), "CustomerTicketMessage");
  assert.equal(url.searchParams.get("Subject"), "[Office 365 / Microsoft 365] Kamera schwarz & Ton weg?");
  assert.equal(url.searchParams.get("Raum"), "Raum 3/4");
  const body = url.searchParams.get("Body");
  assert.ok(body.includes("Zeile 1\nZeile 2 mit Umlaut ä"), body);
  assert.ok(body.includes("Schule: IGS Mitte"), body);
  // The ticket system opens in a new window (its request is blocked here: it is outside the test's network).
  await popup;
  await context.close();
});
