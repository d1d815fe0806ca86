// Unit tests of the search worker's pure functions (search-index/runtime/lotse-worker.js), in
// node: no browser, no index. The worker exports them when loaded as a module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { excerpt } = createRequire(import.meta.url)(path.join(REPO, "search-index/runtime/lotse-worker.js"));
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
