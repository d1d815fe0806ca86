// Unit tests of the search worker's pure functions (search-index/runtime/lotse-worker.js), in
// node: no browser, no index. The worker exports them when loaded as a module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { excerpt, parseText, matchingSections } = createRequire(import.meta.url)(path.join(REPO, "search-index/runtime/lotse-worker.js"));
const joined = (parts) => parts.map((p) => p[0]).join("");
const marked = (parts) => parts.filter((p) => p[1]).map((p) => p[0]);

test("an excerpt shows the start of a text without matches, cut at a word", () => {
  const text = "Öffnen Sie die Einstellungen. ".repeat(20);
  const parts = excerpt(text, []);
  assert.ok(!joined(parts).startsWith("…"));
  assert.ok(joined(parts).endsWith(" …"), "a longer text ends with an ellipsis");
  assert.ok(joined(parts).length < 220, joined(parts));
  assert.deepEqual(marked(parts), []);
});

test("an excerpt is centred on the densest matches, which it marks", () => {
  const filler = "Lorem ipsum dolor sit amet. ".repeat(20);
  const text = filler + "Das WLAN-Passwort steht im WLAN-Profil. " + filler;
  const at = (word, from = 0) => [text.indexOf(word, from), text.indexOf(word, from) + word.length];
  const first = at("WLAN");
  const second = at("WLAN", first[1]);
  const parts = excerpt(text, [first, second]);
  assert.deepEqual(marked(parts), ["WLAN", "WLAN"]);
  assert.ok(joined(parts).startsWith("… "), "cut in front");
  assert.ok(joined(parts).endsWith(" …"), "cut behind");
  assert.ok(joined(parts).includes("Das WLAN-Passwort steht im WLAN-Profil."));
});

test("an excerpt never cuts a match and keeps matches in order", () => {
  const text = "Drucker Drucker Drucker";
  const parts = excerpt(text, [[0, 7], [8, 15], [16, 23]]);
  assert.equal(joined(parts), text);
  assert.deepEqual(marked(parts), ["Drucker", "Drucker", "Drucker"]);
});

/** A stand-in for the runtime's highlighter: every occurrence of `word`, as [start, end]. */
const marker = (word) => (text) => [...text.matchAll(new RegExp(word, "gi"))].map((m) => [m.index, m.index + m[0].length]);

test("an article's text file gives its body and its sections, in UTF-16 units", () => {
  const body = "Einführung für Lehrkräfte\nÜberschrift Eins\nText über Drucker.\nZwei 😀\nNoch mehr Text.";
  const starts = [body.indexOf("Überschrift"), body.indexOf("Zwei")];
  const file = `Titel\n${JSON.stringify([[starts[0], "eins", "Überschrift Eins"], [starts[1], "zwei", "Zwei 😀"]])}\n${body}`;
  const parsed = parseText(file);
  assert.equal(parsed.body, body);
  assert.deepEqual(parsed.sections.map((s) => s[1]), ["eins", "zwei"]);
  // A file without a sections line (or a broken one) still gives its body.
  assert.deepEqual(parseText("Titel\nnicht json\nText").sections, []);
  assert.equal(parseText("Titel\nnicht json\nText").body, "Text");
});

test("the matching sections come best first, at most three, each with its anchor and excerpt", () => {
  const sections = [];
  let body = "Einleitung ohne Treffer.\n";
  for (const [anchor, heading, text] of [
    ["start", "Anfang", "Hier steht nichts Passendes."],
    ["stau", "Papierstau beheben", "Öffnen Sie die Klappe und ziehen Sie das Papier heraus."],
    ["toner", "Toner wechseln", "Der Toner sitzt hinter der Klappe."],
    ["papier", "Papier nachlegen", "Legen Sie Papier in das Fach; Papier nicht knicken."],
    ["mehr", "Noch mehr Papier", "Papier."],
  ]) {
    sections.push([body.length, anchor, heading]);
    body += `${heading}\n${text}\n`;
  }
  const found = matchingSections(body, sections, marker("papier"));
  assert.deepEqual(found.map((s) => s.anchor), ["papier", "stau", "mehr"]);
  assert.equal(found[0].heading, "Papier nachlegen");
  assert.ok(found[0].excerpt.some((p) => p[1] && /papier/i.test(p[0])), "the match is marked in the excerpt");
  assert.ok(!found[0].excerpt.map((p) => p[0]).join("").includes("Papier nachlegen"), "the excerpt is the section's text, not its heading");
  assert.deepEqual(matchingSections(body, sections, marker("fehlt")), []);
});
