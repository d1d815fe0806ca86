// Printouts of the bundled portal, read back as real documents: Chromium's PDF of an article
// (`page.pdf`) is a clean handout (no header, search or footer, link targets written out, the
// date it was checked, the whole flow) with a QR code that decodes to the article's address; a
// platform's and a tag's wall sheet ("Aushang") are A4 and hold every title with its QR code.
// The PDFs are read with poppler's pdftotext, pdfinfo and pdftoppm; QR codes are decoded by jsQR.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { bundledPortal } from "./server.mjs";

const JSQR = fs.readFileSync(createRequire(import.meta.url).resolve("jsqr/dist/jsQR.js"), "utf8");
/** `base_url` of the bundled portal: the address QR codes lead to. */
const BASE = "https://hilfe.schul-it.example/";
const ARTICLE = "allgemein/display-kein-bild/";

let tmp;
let site;
let browser;
let portal;

before(async () => {
  portal = await bundledPortal("lotse-print-");
  ({ tmp, site, browser } = portal);
});

after(() => portal?.close());

function poppler(tool, args) {
  const run = spawnSync(tool, args, { encoding: "utf8" });
  assert.equal(run.status, 0, `${tool} needs poppler-utils: ${run.stderr}`);
  return run.stdout;
}

/** The PDF Chromium prints for `url` (A4, as from the browser's print dialog), saved to a file. */
async function printToPdf(url, name) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(site.origin + "/" + url);
  const file = path.join(tmp, name + ".pdf");
  await page.pdf({ path: file, format: "A4", preferCSSPageSize: true });
  await context.close();
  return file;
}

/** The text of a PDF as pdftotext reads it, whitespace folded to single spaces. */
function pdfText(file) {
  return poppler("pdftotext", [file, "-"]).replace(/\s+/g, " ");
}

/** The QR codes found on page `pageNumber` of a PDF, rendered at 150 dpi and decoded by jsQR. */
async function qrCodesOnPdfPage(file, pageNumber) {
  const prefix = path.join(tmp, path.basename(file, ".pdf") + "-p" + pageNumber);
  poppler("pdftoppm", ["-png", "-r", "150", "-f", String(pageNumber), "-l", String(pageNumber), "-singlefile", file, prefix]);
  return decodeQrCodes(fs.readFileSync(prefix + ".png"));
}

/**
 * Every QR code in a PNG, each once. jsQR reads one code per image and gets lost among many, so
 * the image is searched in overlapping tiles, each large enough to hold a whole code. Decoding
 * runs in a blank page (bypassing the CSP, as for axe).
 */
async function decodeQrCodes(png) {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.setContent("<!doctype html><title>QR</title>");
  await page.addScriptTag({ content: JSQR });
  const found = await page.evaluate(async (dataUrl) => {
    const img = new Image();
    img.src = dataUrl;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(img, 0, 0);
    const codes = new Set();
    const read = (x, y, w, h) => {
      const data = ctx.getImageData(x, y, w, h);
      const code = window.jsQR(data.data, data.width, data.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) codes.add(code.data); // jsQR may "find" an empty code in a drawing
    };
    read(0, 0, canvas.width, canvas.height);
    const w = Math.min(canvas.width, Math.ceil(canvas.width / 2));
    const h = Math.min(canvas.height, Math.ceil(canvas.height / 5));
    for (let y = 0; y + h <= canvas.height + h / 4; y += Math.ceil(h / 4)) {
      for (let x = 0; x + w <= canvas.width + w / 2; x += Math.ceil(w / 2)) {
        read(Math.min(x, canvas.width - w), Math.min(y, canvas.height - h), w, h);
      }
    }
    return [...codes];
  }, "data:image/png;base64," + png.toString("base64"));
  await context.close();
  return found;
}

test("a printed article is a handout: no navigation chrome, links written out, checked date, whole flow, and its QR code", async () => {
  const file = await printToPdf(ARTICLE, "article");
  const text = pdfText(file);
  assert.match(text, /Digitale Tafel oder Display zeigt kein Bild/);
  // No header (brand, search), breadcrumbs, "Hat diese Anleitung geholfen?" or footer.
  for (const chrome of ["Zum Inhalt springen", "Suchen", "Brotkrümel", "Hat diese Anleitung geholfen?", "Schlagwörter", "Barrierefreiheit", "Schul-IT im Landkreis Beispiel"]) {
    assert.ok(!text.includes(chrome), `the handout shows “${chrome}”: ${text}`);
  }
  // The date it was last checked, and where it is online.
  assert.match(text, /Geprüft am 5\. Dezember 2026/);
  assert.ok(text.includes(BASE + ARTICLE), text);
  // Link targets written out: a link to another article shows its full address.
  assert.match(text, /iPad-Bildschirm spiegeln \(http:\/\/127\.0\.0\.1:\d+\/ipad\/bildschirm-spiegeln-apple-tv\/\)/);
  // The flow is printed whole: every step, not only the one on screen.
  for (let n = 1; n <= 6; n++) assert.ok(text.includes(`Schritt ${n} `), `step ${n} missing: ${text}`);

  const pages = Number(poppler("pdfinfo", [file]).match(/Pages:\s+(\d+)/)[1]);
  const codes = [];
  for (let p = 1; p <= pages; p++) codes.push(...(await qrCodesOnPdfPage(file, p)));
  assert.deepEqual(codes, [BASE + ARTICLE], "exactly one QR code, leading to the article");
});

test("a QR code on the printed article page decodes to the article's address", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.emulateMedia({ media: "print" });
  for (const url of [ARTICLE, "ipad/wlan-verbinden/", "iserv/passwort-vergessen/"]) {
    await page.goto(site.origin + "/" + url);
    const png = await page.locator(".print-qr img").screenshot();
    assert.deepEqual(await decodeQrCodes(png), [BASE + url]);
  }
  await context.close();
});

for (const [kind, listUrl] of [["platform", "allgemein/"], ["tag", "tags/wlan/"]]) {
  test(`the ${kind} page links a wall sheet that fits its titles with their QR codes on A4 pages`, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(site.origin + "/" + listUrl);
    const titles = (await page.locator(".cards .card-title, .cards h3, .cards h2").allInnerTexts()).map((t) => t.trim());
    assert.ok(titles.length >= 2, `titles on ${listUrl}: ${titles}`);
    await page.getByRole("link", { name: "Aushang mit QR-Codes drucken" }).click();
    await page.waitForURL(new RegExp(listUrl.replace(/\//g, "\\/") + "aushang\\/$"));
    const sheetUrl = new URL(page.url()).pathname.slice(1);
    const links = await page.locator(".sheet-entry-title a").evaluateAll((as) => as.map((a) => new URL(a.href).pathname.slice(1)));
    await context.close();

    const file = await printToPdf(sheetUrl, kind + "-sheet");
    const info = poppler("pdfinfo", [file]);
    assert.match(info, /Page size:\s+[\d.]+ x [\d.]+ pts \(A4\)/, info);
    const pages = Number(info.match(/Pages:\s+(\d+)/)[1]);
    assert.ok(pages <= Math.ceil(titles.length / 6), `${titles.length} titles on ${pages} pages`);
    const text = pdfText(file);
    // Lines break anywhere in a title (pdftotext joins "USB-" and "Stick" to "USBStick"), so
    // titles are compared without whitespace and hyphens.
    const squeeze = (s) => s.replace(/[\s-]+/g, "");
    for (const title of titles) assert.ok(squeeze(text).includes(squeeze(title)), `“${title}” missing on the wall sheet: ${text}`);
    assert.ok(!text.includes("Zum Inhalt springen") && !text.includes("Drucken Sie diese Seite"), text);
    // Every title's QR code is on the printed sheet, and each leads to its article.
    const codes = [];
    for (let p = 1; p <= pages; p++) codes.push(...(await qrCodesOnPdfPage(file, p)));
    assert.deepEqual(codes.sort(), links.map((l) => BASE + l).sort());
  });
}
