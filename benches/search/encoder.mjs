// The semantic stage's encoder in the browser (issue 18): what it costs to fetch, to start, and
// to encode a teacher's query in Chromium's wasm, in one Web Worker, as the search worker will
// run it; plus the build's cost per article, natively.
//
//   npm ci --prefix benches/search            (once: playwright-core)
//   scripts/build-encoder-runtime             (if search-index/runtime/lotse-encoder.wasm.gz is stale)
//   node benches/search/encoder.mjs [--rounds 3] [--no-native]
//
// Prints: the download (the module and the weights, each gzip -9 as a portal would publish them),
// fetch + DecompressionStream time and instantiate + load time, the worker's wasm memory after
// loading, and median / p95 of query encoding over 50 short German queries (each encoded
// --rounds times after one warm-up query). Then, unless --no-native, the native example's
// median ms per article for passages of 300 and 600 characters (title, summary, text start of
// the bundled articles) and per query, on one core (cargo builds the example if needed).
// Issue 18's budgets: download ≤ 20 MB, query median ≤ 150 ms, article ≤ 50 ms. A benchmark,
// never a test: the figures depend on the machine and its load.
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, constants } from "node:zlib";
import { REPO, launch } from "./common.mjs";

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf("--rounds") + 1] || 3) || 3;

/** Short, the way teachers type them: symptoms more than feature names. */
const QUERIES = [
  "Beamer zeigt kein Bild", "Tafel bleibt schwarz", "kein Ton am Display", "Drucker druckt nicht",
  "WLAN Passwort vergessen", "Schüler kommt nicht ins WLAN", "iPad mit Tafel verbinden", "Bildschirm spiegeln",
  "Passwort zurücksetzen", "Schülerpasswort vergessen", "Dokumentenkamera anschließen", "Kamera zeigt nichts",
  "Laptop lädt nicht", "USB-Stick wird nicht erkannt", "Anmeldung im PC-Raum geht nicht", "Teams Besprechung ohne Ton",
  "Mikrofon geht nicht", "Scannen am Kopierer", "Scan per Mail schicken", "Kopierer Papierstau",
  "Problem melden", "Ticket für die IT schreiben", "Zertifikat abgelaufen", "WLAN verbindet sich ständig neu",
  "E-Mail auf dem Handy einrichten", "Outlook startet nicht", "Datei in OneDrive teilen", "Aufgabe im Kurs anlegen",
  "Noten eintragen", "Vertretungsplan wird nicht angezeigt", "iPad ist gesperrt", "Apple-ID vergessen",
  "App lässt sich nicht installieren", "Bildschirmzeit am iPad", "Stift schreibt nicht auf der Tafel",
  "Touch reagiert nicht", "Lautsprecher brummt", "HDMI Adapter fehlt", "Präsentation auf zwei Bildschirmen",
  "Videos ruckeln", "Internet sehr langsam", "Webseite gesperrt", "Drucker offline", "Toner leer",
  "Passwort ändern IServ", "Elternbrief verschicken", "Klassenarbeit ausdrucken", "Beamer Fernbedienung weg",
  "Rechner friert ein", "Schüler sehen meine Dateien nicht",
];

const PAGE = "<!doctype html><html lang=de><title>encoder bench</title></html>";
// The worker: fetch both files, gunzip them with DecompressionStream (the host may serve them
// without Content-Encoding, as the search worker expects), load, encode.
const WORKER = `
const gunzip = async (url) => {
  const response = await fetch(url);
  return new Uint8Array(await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
};
self.onmessage = async ({ data: { queries, rounds } }) => {
  const started = performance.now();
  const [wasm, weights] = await Promise.all([gunzip("/lotse-encoder.wasm.gz"), gunzip("/e5-q4-de.lte5.gz")]);
  const fetched = performance.now();
  const { instance } = await WebAssembly.instantiate(wasm, {});
  const x = instance.exports;
  const put = (bytes) => {
    const ptr = x.lotse_alloc(bytes.length);
    new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
    return [ptr, bytes.length];
  };
  if (x.lotse_encoder_load(...put(weights)) !== 0) throw new Error("weights refused");
  const loaded = performance.now();
  const encode = (text) => x.lotse_encode(...put(new TextEncoder().encode(text)), 0);
  encode("Beamer");
  const times = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of queries) {
      const t = performance.now();
      if (!encode(q)) throw new Error("no vector");
      times.push(performance.now() - t);
    }
  }
  postMessage({ fetchMs: fetched - started, loadMs: loaded - fetched, times, memory: x.memory.buffer.byteLength });
};`;

function serve(files) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const file = files[path];
    if (!file) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { "Content-Type": file.type, "Cache-Control": "no-cache" });
    res.end(file.body);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const module = readFileSync(join(REPO, "search-index/runtime/lotse-encoder.wasm.gz"));
const weights = gzipSync(readFileSync(join(REPO, "search-index/encoder/e5-q4-de.lte5")), { level: constants.Z_BEST_COMPRESSION });
const { server, url } = await serve({
  "/": { type: "text/html; charset=utf-8", body: PAGE },
  "/worker.js": { type: "text/javascript", body: WORKER },
  "/lotse-encoder.wasm.gz": { type: "application/octet-stream", body: module },
  "/e5-q4-de.lte5.gz": { type: "application/octet-stream", body: weights },
});
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(url + "/");
  const result = await page.evaluate(({ queries, rounds }) => new Promise((ok, fail) => {
    const worker = new Worker("/worker.js");
    worker.onmessage = (e) => ok(e.data);
    worker.onerror = (e) => fail(new Error(e.message));
    worker.postMessage({ queries, rounds });
  }), { queries: QUERIES, rounds });
  const sorted = result.times.sort((a, b) => a - b);
  const mb = (n) => (n / 1e6).toFixed(2);
  console.log(`Chromium ${browser.version()}, one worker, ${QUERIES.length} queries × ${rounds}`);
  console.log(`download (gzip): ${mb(module.length + weights.length)} MB = module ${(module.length / 1e3).toFixed(0)} kB + weights ${mb(weights.length)} MB (budget 20 MB)`);
  console.log(`fetch + gunzip ${result.fetchMs.toFixed(0)} ms (loopback), instantiate + load ${result.loadMs.toFixed(0)} ms, wasm memory ${mb(result.memory)} MB`);
  console.log(`query encoding: median ${quantile(sorted, 0.5).toFixed(1)} ms, p95 ${quantile(sorted, 0.95).toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms (budget: median 150 ms)`);
} finally {
  await browser.close();
  server.close();
}

if (!args.includes("--no-native")) {
  const target = process.env.CARGO_TARGET_DIR || join(REPO, "target");
  const example = join(target, "release/examples/encode");
  if (!existsSync(example)) {
    execFileSync("cargo", ["build", "--release", "-p", "search-index", "--example", "encode"], { cwd: REPO, stdio: "inherit" });
  }
  const run = (...a) => execFileSync(example, a, { cwd: REPO, encoding: "utf8" }).trim().split("\n");
  const median = (lines) => /median ([\d.]+) ms/.exec(lines.at(-1))?.[1];
  const [loaded] = run("--articles", "content", "--chars", "300");
  console.log(`native (one core): ${loaded}`);
  for (const chars of [300, 600]) {
    console.log(`  article, ${chars} characters: median ${median(run("--articles", "content", "--chars", String(chars)))} ms (budget 50 ms)`);
  }
  console.log(`  query: median ${median(run(...QUERIES.slice(0, 20)))} ms`);
}
