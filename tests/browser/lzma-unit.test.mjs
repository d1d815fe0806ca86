// Unit tests of the worker's LZMA decoder (search-index/runtime/lotse-lzma.js), in node. The
// inputs are compressed at test time with `xz --format=lzma`; two small fixtures below come from
// the LZMA SDK's encoder, which xz cannot imitate. Corrupt inputs are decoded in a worker thread
// that is stopped after a timeout, so a decoder that hangs fails instead of blocking the suite.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LZMA = path.join(REPO, "search-index/runtime/lotse-lzma.js");
const WORKER = path.join(REPO, "search-index/runtime/lotse-worker.js");
const RUNTIME = path.join(REPO, "search-index/runtime/lotse-search.wasm");
const { lzmaDecode } = createRequire(import.meta.url)(LZMA);

/** `data` as .lzma, by xz with the given options (size unknown in the header, end marker). */
const xz = (data, options = ["-9e"]) => new Uint8Array(execFileSync("xz", ["--format=lzma", ...options, "-c"], { input: data, maxBuffer: 1 << 28 }));
const same = (actual, expected) => assert.ok(Buffer.from(actual).equals(Buffer.from(expected)), `${actual.length} bytes decoded, ${expected.length} expected, or different bytes`);

/** Deterministic pseudo-random numbers below n. */
function random(seed) {
  return (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
}

/** German sentences with umlauts and ß, UTF-8. */
function german(sentences) {
  const words = ["Schüler", "Lehrkräfte", "öffnen", "die", "Größe", "Straße", "Prüfung", "Übersicht", "für", "das", "WLAN", "Passwort", "ändern", "Drucker", "heißt", "Äpfel", "Fußball", "schön", "Tür", "Mädchen"];
  const rnd = random(12345);
  let text = "";
  for (let s = 0; s < sentences; s++) {
    const n = 4 + rnd(8), parts = [];
    for (let w = 0; w < n; w++) parts.push(words[rnd(words.length)]);
    text += parts.join(" ").replace(/^./, (c) => c.toUpperCase()) + (rnd(5) ? ". " : ".\n");
  }
  return new TextEncoder().encode(text);
}

function randomBytes(length) {
  const rnd = random(7), bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = rnd(256);
  return bytes;
}

/** Long runs, and copies from a handful of earlier places in turn (matches, rep0..rep3). */
function repetitive() {
  const rnd = random(99), block = randomBytes(3000), parts = [new Uint8Array(100000).fill(0x41)];
  const sources = [0, 517, 1234, 2100, 2900];
  for (let i = 0; i < 4000; i++) {
    const from = sources[rnd(sources.length)];
    parts.push(block.subarray(from, from + 2 + rnd(60)), new Uint8Array([rnd(4)]));
  }
  parts.push(new Uint8Array(70000).fill(0), block, block);
  return Buffer.concat(parts);
}

/** The .lzma with its header's size field set to `size` (the stream keeps its end marker). */
function withSize(lzma, size) {
  const copy = lzma.slice();
  new DataView(copy.buffer).setBigUint64(5, BigInt(size), true);
  return copy;
}

// german(40) by the LZMA SDK's lzma_alone 9.22: `e` (size in the header, no end marker), and
// `e -lc8 -lp4 -pb0 -eos` (lc + lp above xz's limit of 4).
const SDK_SIZED = "XQAAgAALCQAAAAAAAABhoQoGY1CNQSA3ZsnmqGhmQsxcI/YDcVuU0jsfhq3Z5UikxNZ4FWEYuChoaarKZoaUsTsqXrdvRJrJY1dOno4kwFawzkRiQ3CT6BYC8vnqAEZ+r2ig5KVnP2Ki+t59ae/YF+QXGqLD2gOMcdSQmX1bu7Yv9YVj3jh2LyVf/Ie1Yl7riQUN93U3V7/oMdz1UIAIPyu0Z6/WdzVQbqT7XNsxRuq2Ybvv6goziP3HStlICWsrAcD0FnkOQz2DE6anvbAXmZyimLHRf485dxLXGgS90RBR2TiQhGQA9hbSX7ofSer1fjMdLJPv70NToXfm08mCRXOGSD7hfclVPft3H2es/BxZVE/CwUUZBgEQzd5RpJJ/+JAqhLDZ6A8pUkL10ZA4Be7MvleKufnphyvtPR9iPkT3ACo5dwky+msBFW3Y1PGa+aTAOj9z8/IsFOarYEMHKWGSZV0DTUbn90RBeag36qDsIrbm65HCSVQlCqwDahRH7DfXFNZjwvWwdzwhH8gLwfZE9WLHwL/tZIQvZDrx5yU5B2ANAfAncoJ/6JRuDJqdJtqen7TyAao3PRhKD9gpTgLf+g2yy53upvpMW2diljx7IuKQe0Y+/0lXrDpWW2LBDVio6U31VIqdgLpIiJu2wN21RXRTydReYI+6xJaIsO8se8qwdn00bhDrKV1auCxPZuUbsVVa4JwT1KVNoEaShRIN7A+PlzNmiPTV8y4yPN/lU5wTGaH0Iex4/PxvdYGXC0HCOGsLkldktyWvpOb4iAZwuO8P2wlM3A2W/pHM6u2k1bjSEgOUESP+O3Ee9gizHx7AEAJqRAA=";
const SDK_WIDE = "LAAAgAD//////////wBhohNbBNk8uNqX/LXNcTeAESbOY2a5DQXE0xDmVGbamFi8Ks7IDlnEF4+goJi+996h7IALRL/7eAlzpgswsOBsBru3i7XxsLFeEbvHRxhrfCISMxPedo4U0m94kUT6dZaO03haVW/H6bluFO+Qiz2qGv8+8/lMjf5F2DV7rxL8vuMGCX+xEQ9hclDCSGR0ZVDoIKU4DQEqX+y29buo7+NcxWgY28SM1DoLrkDpuS5+Dho7VWSYgwpZ54oB8ERVUeis8gLUd8ajTzQswbh4d+BoRkB+boQt/dekOzjQXMDlbqPsPSEFP4EVX/O0t/8XU8YLnqUYFfHxlVaUnXATDoQEuUxL7VnWDCgUbf3+w26plZXKuof7mSs+vIUGJ8hbF8xSE+Y7y8FVEumoHwcdLD6W++RByByiBxwcHynnvHC5QGAY+EeXmCWPmV0IyF3MxcvPtBFjyIViSecHeHCSct4MqGhTEhlRwZgTiGbHIESzFhpupF7p4x4Dp+1ROC9btE+IRFshgnkie5imSXf0IRp2LvjIXtdJg769dOetAM9VCMu/8wIILgQ3f3RiH/XdsKPyFVvREIOMARfQeLQw82Ihh4dTaOl78M7ID1yVd3YygMQrREfbglTMoLRPssiDrQoh6v7P6OIcfx7va6SWgH7Np10h200Lpnu8gY/cNDFL3nttgRAhnssnekVmNEOdQQdumA48+rUxEyWeWzsuc8kV2BB8qrdzCinqg5NlENgMYKsMfsjSilHehAGWYzKgvc1nAqr90TqdJ1BXhl/DyWFgK58JiF9GJ0JXrJNYtlJSmNtTceWHv9fM4Hr/KCI+AA==";

/**
 * A minimal LZMA encoder of chosen symbols, for streams that xz never writes (distances past the
 * start or the dictionary). Symbols: a number (a literal byte), ["match", distance, length],
 * ["rep0", length] (length 1: the one-byte "short rep") or ["end"] (the end marker). Returns
 * {lzma, data}: the .lzma file and the bytes it stands for. Probabilities are laid out as in the decoder (lc=3, lp=0, pb=2).
 */
function craft(symbols, { dictSize = 1 << 16, size = null } = {}) {
  const p = new Uint16Array(1847 + (0x300 << 3)).fill(1024), out = [], data = [];
  let low = 0, range = 0xFFFFFFFF, cache = 0, cacheSize = 1, state = 0, rep0 = 0;
  const shiftLow = () => {
    const carry = low >= 2 ** 32 ? 1 : 0, low32 = low % 2 ** 32;
    if (low32 < 0xFF000000 || carry) {
      let temp = cache;
      do { out.push((temp + carry) & 0xFF); temp = 0xFF; } while (--cacheSize !== 0);
      cache = low32 >>> 24;
    }
    cacheSize++;
    low = (low32 % 2 ** 24) * 256;
  };
  const normalize = () => { while (range < 2 ** 24) { range = range * 256; shiftLow(); } };
  const bit = (i, b) => {
    const bound = (range >>> 11) * p[i];
    if (b) { low += bound; range -= bound; p[i] -= p[i] >> 5; } else { range = bound; p[i] += (2048 - p[i]) >> 5; }
    normalize();
  };
  const tree = (base, k, v) => { for (let i = k - 1, m = 1; i >= 0; i--) { const b = (v >>> i) & 1; bit(base + m, b); m = (m << 1) | b; } };
  const reverse = (base, k, v) => { for (let i = 0, m = 1; i < k; i++) { const b = (v >>> i) & 1; bit(base + m, b); m = (m << 1) | b; } };
  const length = (base, l, posState) => {
    if (l < 8) { bit(base, 0); tree(base + 2 + (posState << 3), 3, l); } else if (l < 16) { bit(base, 1); bit(base + 1, 0); tree(base + 130 + (posState << 3), 3, l - 8); } else { bit(base, 1); bit(base + 1, 1); tree(base + 258, 8, l - 16); }
  };
  // A bad distance copies zeros: the bytes a decoder without the check would give (out[-1] is undefined).
  const copy = (distance, len) => { for (let i = 0; i < len; i++) data.push(data[data.length - distance - 1] ?? 0); };
  for (const symbol of symbols) {
    const posState = data.length & 3;
    if (typeof symbol === "number") {
      bit((state << 4) + posState, 0);
      const base = 1847 + 0x300 * ((data.length ? data[data.length - 1] : 0) >> 5);
      let offs = state >= 7 ? 0x100 : 0, match = offs ? data[data.length - rep0 - 1] : 0;
      for (let i = 7, m = 1; i >= 0; i--) {
        const b = (symbol >> i) & 1;
        match <<= 1;
        const matchBit = match & offs;
        bit(base + offs + matchBit + m, b);
        m = (m << 1) | b;
        offs &= b ? matchBit : ~matchBit;
      }
      data.push(symbol);
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
    } else if (symbol[0] === "rep0") {
      bit((state << 4) + posState, 1); bit(192 + state, 1); bit(204 + state, 0);
      if (symbol[1] === 1) { bit(240 + (state << 4) + posState, 0); state = state < 7 ? 9 : 11; } else { bit(240 + (state << 4) + posState, 1); length(1333, symbol[1] - 2, posState); state = state < 7 ? 8 : 11; }
      copy(rep0, symbol[1]);
    } else {
      const [distance, len] = symbol[0] === "end" ? [0xFFFFFFFF, 2] : [symbol[1], symbol[2]];
      bit((state << 4) + posState, 1); bit(192 + state, 0);
      length(819, len - 2, posState);
      const n = 31 - Math.clz32(distance), slot = distance < 4 ? distance : 2 * n + ((distance >>> (n - 1)) & 1);
      tree(432 + (Math.min(len - 2, 3) << 6), 6, slot);
      if (slot >= 4) {
        const k = (slot >> 1) - 1, base = ((2 | (slot & 1)) << k) >>> 0, rest = distance - base;
        if (slot < 14) reverse(688 + base - slot, k, rest);
        else {
          for (let i = k - 5; i >= 0; i--) { range >>>= 1; if ((rest >>> (i + 4)) & 1) low += range; normalize(); }
          reverse(803, 4, rest & 15);
        }
      }
      state = state < 7 ? 7 : 10;
      rep0 = distance;
      if (symbol[0] === "end") break;
      copy(distance, len);
    }
  }
  for (let i = 0; i < 5; i++) shiftLow();
  const header = new Uint8Array(13);
  header[0] = 0x5D;
  new DataView(header.buffer).setUint32(1, dictSize, true);
  new DataView(header.buffer).setBigUint64(5, size === null ? 2n ** 64n - 1n : BigInt(size), true);
  return { lzma: new Uint8Array([...header, ...out]), data: new Uint8Array(data) };
}

/**
 * Decodes in a worker thread: {length} or {error, isError}; rejects when no answer comes within
 * `ms` (a hang), after stopping the thread.
 */
function decodeIsolated(bytes, expectedSize, ms = 20000) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(`
      const { parentPort, workerData } = require("node:worker_threads");
      let answer;
      try {
        answer = { length: require(workerData.file).lzmaDecode(workerData.bytes, workerData.expectedSize).length };
      } catch (e) {
        answer = { error: String(e && e.message), isError: e instanceof Error };
      }
      parentPort.postMessage(answer);
    `, { eval: true, workerData: { file: LZMA, bytes, expectedSize } });
    const timer = setTimeout(() => worker.terminate().then(() => reject(new Error(`no answer within ${ms} ms: the decoder hangs`))), ms);
    worker.once("message", (answer) => { clearTimeout(timer); worker.terminate(); resolve(answer); });
    worker.once("error", (e) => { clearTimeout(timer); reject(e); });
  });
}

/** Asserts that decoding `bytes` throws an Error, in a worker thread with a timeout. */
async function rejects(bytes, expectedSize, why) {
  const answer = await decodeIsolated(bytes, expectedSize);
  assert.ok(answer.isError, `${why}: ${answer.error ? "threw a non-Error " + answer.error : "decoded " + answer.length + " bytes"}`);
  return answer.error;
}

test("the runtime lotse publishes (.lzma, its size in the header) decodes to the runtime byte for byte", () => {
  same(lzmaDecode(new Uint8Array(fs.readFileSync(RUNTIME + ".lzma"))), fs.readFileSync(RUNTIME));
});

test("the real runtime decodes byte for byte, and how fast", (t) => {
  const original = fs.readFileSync(RUNTIME);
  const lzma = xz(original);
  let start = performance.now();
  same(lzmaDecode(lzma, original.length), original);
  const first = performance.now() - start;
  same(lzmaDecode(lzma), original);
  const times = [];
  for (let i = 0; i < 9; i++) {
    start = performance.now();
    lzmaDecode(lzma, original.length);
    times.push(performance.now() - start);
  }
  const median = times.sort((a, b) => a - b)[4];
  const rate = (ms) => (original.length / 1e6 / (ms / 1000)).toFixed(1);
  t.diagnostic(`runtime: ${original.length} bytes, ${lzma.length} as .lzma (${fs.statSync(RUNTIME + ".lzma").size} as published); ` +
    `decoded in ${first.toFixed(1)} ms cold (${rate(first)} MB/s), ${median.toFixed(1)} ms warm (${rate(median)} MB/s)`);
});

test("xz's other settings decode: lc/lp/pb, the fastest preset, a 4 KiB dictionary", () => {
  const inputs = [fs.readFileSync(RUNTIME).subarray(0, 200000), german(3000), repetitive()];
  for (const options of [["--lzma1=preset=6,lc=0,lp=2,pb=2"], ["-0"], ["--lzma1=preset=9e,lc=4,lp=0,pb=0"], ["--lzma1=preset=6,lc=1,lp=3,pb=4"], ["--lzma1=preset=9,dict=4KiB"], ["--lzma1=preset=9,mode=fast,nice=273"]]) {
    for (const input of inputs) same(lzmaDecode(xz(input, options), input.length), input);
  }
});

test("empty input, one byte, and 256 bytes of every value decode", () => {
  for (const input of [new Uint8Array(0), new Uint8Array([0xC3]), Uint8Array.from({ length: 256 }, (_, i) => i)]) {
    same(lzmaDecode(xz(input)), input);
    same(lzmaDecode(xz(input), input.length), input);
  }
});

test("repetitive data (long matches, repeated distances), random bytes and German text decode", () => {
  for (const input of [repetitive(), randomBytes(100000), german(5000)]) {
    const lzma = xz(input);
    same(lzmaDecode(lzma), input);
    same(lzmaDecode(lzma, input.length), input);
  }
  assert.ok(xz(repetitive()).length < 40000, "the repetitive data does compress: it has matches");
});

test("a size in the header: with the end marker (xz's stream), without it, and lc + lp above 4 (LZMA SDK)", () => {
  const input = german(40);
  assert.deepEqual([...xz(input).subarray(5, 13)], new Array(8).fill(0xFF), "xz writes an unknown size");
  const sized = withSize(xz(input), input.length);
  same(lzmaDecode(sized), input);
  same(lzmaDecode(sized, input.length), input);
  const sdk = new Uint8Array(Buffer.from(SDK_SIZED, "base64"));
  assert.equal(new DataView(sdk.buffer).getBigUint64(5, true), BigInt(input.length));
  same(lzmaDecode(sdk), input);
  same(lzmaDecode(sdk, input.length), input);
  same(lzmaDecode(new Uint8Array(Buffer.from(SDK_WIDE, "base64")), input.length), input);
});

test("an expected size other than the real one throws, also against the header's", () => {
  const input = german(200), lzma = xz(input);
  assert.throws(() => lzmaDecode(lzma, input.length - 1), Error);
  assert.throws(() => lzmaDecode(lzma, input.length + 1), Error);
  assert.throws(() => lzmaDecode(withSize(lzma, input.length), input.length + 1), /header/);
  assert.throws(() => lzmaDecode(withSize(lzma, input.length - 1)), Error);
  assert.throws(() => lzmaDecode(withSize(lzma, input.length + 1)), Error);
  assert.throws(() => lzmaDecode(lzma, -1), Error);
  assert.throws(() => lzmaDecode(lzma, 1.5), Error);
  assert.throws(() => lzmaDecode(Array.from(lzma)), Error, "not a Uint8Array");
});

test("crafted streams: every kind of symbol decodes; distances past the start or the dictionary throw", async () => {
  const good = craft([76, 111, ["match", 1, 5], ["rep0", 1], 116, ["rep0", 3], ["match", 0, 273], 115, ["match", 3, 2], 0xFF, ["end"]]);
  same(lzmaDecode(good.lzma), good.data);
  assert.equal(new TextDecoder().decode(good.data.subarray(0, 13)), "LoLoLoLototoo");
  const sized = craft([76, 111, ["match", 1, 10], 33], { size: 13 });
  same(lzmaDecode(sized.lzma), sized.data);
  // An end marker after a known size also ends it; a symbol more throws.
  same(lzmaDecode(craft([76, 111, ["match", 1, 10], 33, ["end"]], { size: 13 }).lzma), sized.data);
  await rejects(craft([76, 111, ["match", 1, 10], 33, 33], { size: 13 }).lzma, undefined, "a literal past the size");
  await rejects(craft([76, 111, ["match", 1, 10], 33, ["match", 0, 2]], { size: 13 }).lzma, undefined, "a match past the size");
  // The smallest distance past the start: one before the first byte.
  await rejects(craft([76, 111, ["match", 2, 2], ["end"]]).lzma, undefined, "a match from before the start");
  await rejects(craft([["match", 0, 2], ["end"]]).lzma, undefined, "a match at the start");
  await rejects(craft([["rep0", 1], ["end"]]).lzma, undefined, "a repeated distance at the start");
  const filler = Array.from({ length: 5000 }, (_, i) => i & 0xFF);
  const inside = craft([...filler, ["match", 4095, 2], ["end"]], { dictSize: 4096 });
  same(lzmaDecode(inside.lzma), inside.data);
  await rejects(craft([...filler, ["match", 4096, 2], ["end"]], { dictSize: 4096 }).lzma, undefined, "a distance as large as the dictionary");
});

test("truncated data throws, wherever it is cut", { timeout: 120000 }, async () => {
  const lzma = xz(fs.readFileSync(RUNTIME).subarray(0, 300000)), size = 300000;
  for (const cut of [0, 5, 12, 13, 17, 18, 40, 1000, lzma.length >> 1, lzma.length - 100, lzma.length - 5, lzma.length - 1]) {
    await rejects(lzma.subarray(0, cut), undefined, `cut at ${cut}`);
    await rejects(lzma.subarray(0, cut), size, `cut at ${cut}, size expected`);
  }
  const sdk = new Uint8Array(Buffer.from(SDK_SIZED, "base64"));
  for (const cut of [20, sdk.length >> 1, sdk.length - 1]) await rejects(sdk.subarray(0, cut), undefined, `size in header, cut at ${cut}`);
});

test("a flipped byte throws and never hangs", { timeout: 300000 }, async () => {
  const original = fs.readFileSync(RUNTIME), lzma = xz(original);
  const rnd = random(2024);
  for (let k = 0; k < 12; k++) {
    const at = k < 4 ? [14, 20, lzma.length >> 1, lzma.length - 2][k] : 13 + rnd(lzma.length - 13);
    const bad = lzma.slice();
    bad[at] ^= 1 << (k % 8);
    await rejects(bad, original.length, `bit ${k % 8} of byte ${at} flipped, size expected`);
    await rejects(bad, undefined, `bit ${k % 8} of byte ${at} flipped`);
  }
});

test("a flipped bit in the last bytes, where the coder ends, throws", () => {
  const input = german(200), lzma = xz(input);
  for (let back = 1; back <= 5; back++) {
    for (let bit = 0; bit < 8; bit++) {
      const bad = lzma.slice();
      bad[bad.length - back] ^= 1 << bit;
      assert.throws(() => lzmaDecode(bad, input.length), Error, `bit ${bit} of the ${back}. byte from the end`);
      assert.throws(() => lzmaDecode(bad), Error, `bit ${bit} of the ${back}. byte from the end, no size`);
    }
  }
});

test("bad headers throw: properties byte, a huge size with little data, trailing bytes", { timeout: 60000 }, async () => {
  const input = german(200), lzma = xz(input);
  for (const props of [225, 255]) {
    const bad = lzma.slice();
    bad[0] = props;
    assert.match(await rejects(bad, undefined, `properties byte ${props}`), /properties/);
  }
  // A size past the limit is refused before allocating; one below it, with little data behind
  // it, fails on the missing data without allocating the claimed size first.
  for (const size of [2 ** 40, 2 ** 64 - 2, 2 ** 32 + 5, 2 ** 28 + 1]) await rejects(withSize(lzma, size), undefined, `header claims ${size} bytes`);
  const start = performance.now();
  await rejects(withSize(lzma, 2 ** 28 - 1), undefined, "header claims 256 MiB");
  await rejects(withSize(lzma, 2 ** 28 - 1), 2 ** 28 - 1, "header and caller claim 256 MiB");
  assert.ok(performance.now() - start < 15000, "fails fast");
  await rejects(Buffer.concat([lzma, new Uint8Array([0])]), undefined, "a byte after the stream");
  await rejects(new Uint8Array(Buffer.concat([lzma, lzma])), undefined, "two streams");
  const nonzero = lzma.slice();
  nonzero[13] = 1;
  await rejects(nonzero, undefined, "the range coder's first byte is not 0");
});

test("the decoder can be concatenated in front of the worker: its top-level names are its own", () => {
  const names = (source) => [...source.matchAll(/^(?:var|let|const|function)\s+([\w$]+)/gm)].map((m) => m[1]);
  const lzmaSource = fs.readFileSync(LZMA, "utf8"), ours = names(lzmaSource);
  assert.ok(ours.includes("lzmaDecode"));
  for (const name of ours) assert.match(name, /^(lzma|LZMA_)/, `${name} is not prefixed`);
  const worker = new Set(names(fs.readFileSync(WORKER, "utf8")));
  assert.deepEqual(ours.filter((name) => worker.has(name)), []);
  assert.ok(lzmaSource.startsWith("//") && /^"use strict";$/m.test(lzmaSource), "strict, as the worker");
  const code = lzmaSource.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
  assert.doesNotMatch(code, /\beval\b|\bFunction\(|^\s*(import|export)\b/m, "a classic worker script under a strict CSP");
});
