// A tiny static file server for the browser tests, strict like a careful school web host:
// a Content-Security-Policy on every response, `nosniff`, and correct MIME types, except that
// `.wasm` is sent as application/octet-stream (common on IServ and shared hosting) to prove that
// the search still works there.
//
//   node tests/browser/server.mjs <public dir> [port]     (for looking at a build by hand)
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import zlib from "node:zlib";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

/** The worker's LZMA decoder, which the search pack is read with. */
const { lzmaDecode } = createRequire(import.meta.url)("../../search-index/runtime/lotse-lzma.js");

/** Writes the search worker as it is in the source tree, the way lotse ships it (the LZMA decoder
 * in front), to `file`: the tests then run today's worker, not the one the binary embeds. */
export function writeSourceWorker(file) {
  const runtime = path.join(REPO, "search-index/runtime");
  fs.writeFileSync(file, fs.readFileSync(path.join(runtime, "lotse-lzma.js"), "utf8") + fs.readFileSync(path.join(runtime, "lotse-worker.js"), "utf8"));
}

/**
 * Starts Debian's Chromium (or CHROMIUM_BIN) headless, with the flags that keep it from reaching
 * any network but the tests' own: the tests then prove that the site loads nothing from elsewhere.
 */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The bundled portal, built by `lotse` (LOTSE_BIN, else the debug build) into a fresh temporary
 * folder, served, and a Chromium: what a test file's `before` sets up. `close()` is its `after`.
 */
export async function bundledPortal(prefix, { config = "" } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const output = path.join(tmp, "public");
  const lotse = process.env.LOTSE_BIN || path.join(REPO, "target/debug/lotse");
  // With `config`: the bundled content under a lotse.yaml with these lines added.
  let root = REPO;
  if (config) {
    root = path.join(tmp, "portal");
    fs.mkdirSync(root);
    for (const name of ["content", "notices"]) fs.symlinkSync(path.join(REPO, name), path.join(root, name));
    fs.writeFileSync(path.join(root, "lotse.yaml"), fs.readFileSync(path.join(REPO, "lotse.yaml"), "utf8") + "\n" + config);
  }
  const run = spawnSync(lotse, ["build", "--quiet", "--root", root, "--output", output], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`lotse build failed: ${run.stderr}`);
  const site = await serve(output);
  const browser = await launchChromium();
  const close = async () => {
    await browser.close();
    await site.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  return { tmp, output, site, browser, close };
}

/**
 * A file of a built site's search folder by the path its manifest names it with: from the .lzma
 * pack where the portal is small enough for one, else the file itself.
 */
/** The names of the result list's chunks, as searchFile takes them: chunk n is `{prefix}-{n}.json`. */
export function docsChunks(manifest) {
  return Array.from({ length: manifest.docs.count }, (_, n) => `${manifest.docs.prefix}-${n}.json`);
}

export function searchFile(searchDir, manifest, name) {
  const at = manifest.pack && manifest.pack.files[name];
  // Result list chunks and texts that are not in the pack are published gzipped.
  if (!at && fs.existsSync(path.join(searchDir, `${name}.gz`))) return zlib.gunzipSync(fs.readFileSync(path.join(searchDir, `${name}.gz`)));
  if (!at) return fs.readFileSync(path.join(searchDir, name));
  const pack = lzmaDecode(new Uint8Array(fs.readFileSync(path.join(searchDir, manifest.pack.url))), manifest.pack.len);
  return Buffer.from(pack.buffer, pack.byteOffset + at[0], at[1]);
}

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".wasm": "application/octet-stream", // deliberately wrong: the worker must not rely on it
};

/**
 * Serves `dir` on 127.0.0.1 (port 0: any free port), with byte ranges unless `ranges` is false
 * (some hosts ignore Range; the runtime must then use whole files). `encoding` is "none" (a web
 * space that compresses nothing), "brotli" or "gzip-files" (see below). `dir` may also map URL path
 * prefixes to folders, e.g. { "/a/": dirA, "/b/": dirB }, to serve portals under sub-paths of one
 * origin; other paths are then answered 404.
 *
 * Resolves to { server, origin, requests, fail, errors, close } once the server listens, and
 * rejects at once if it cannot (a busy port). `requests` lists every request as
 * { path, status, type }, `fail` is a Set of path prefixes answered with 503 and `errors` a Map
 * from exact paths to the status they are answered with (e.g. 404 or 500). `close()` may be called
 * more than once; it also drops open keep-alive connections, so the server is really gone.
 */
export function serve(dir, port = 0, { ranges = true, encoding = "none" } = {}) {
  const mounts = Object.entries(typeof dir === "string" ? { "/": dir } : dir)
    .map(([base, folder]) => ({ base: base.endsWith("/") ? base : base + "/", root: path.resolve(folder) }))
    .sort((a, b) => b.base.length - a.base.length); // the longest prefix wins
  const requests = [];
  const fail = new Set();
  const errors = new Map();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      pathname = "/";
    }
    const send = (status, type, body, extra = {}) => {
      requests.push({ path: url.pathname + url.search, status, type });
      res.writeHead(status, {
        "Content-Type": type,
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",
        ...extra,
      });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if ([...fail].some((prefix) => pathname.startsWith(prefix))) {
      return send(503, "text/plain; charset=utf-8", "unavailable");
    }
    if (errors.has(url.pathname)) {
      return send(errors.get(url.pathname), "text/plain; charset=utf-8", "broken on purpose");
    }
    const mount = mounts.find((m) => pathname.startsWith(m.base) || pathname + "/" === m.base);
    if (!mount) return send(404, "text/plain; charset=utf-8", "not found");
    const root = mount.root;
    let file = path.join(root, pathname.slice(mount.base.length));
    if (file !== root && !file.startsWith(root + path.sep)) {
      return send(403, "text/plain; charset=utf-8", "forbidden");
    }
    let stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && stat.isDirectory()) {
      if (!pathname.endsWith("/")) return send(301, "text/plain", "", { Location: url.pathname + "/" + url.search });
      file = path.join(file, "index.html");
      stat = fs.statSync(file, { throwIfNoEntry: false });
    }
    if (!stat || !stat.isFile()) {
      const notFound = path.join(root, "404.html");
      return send(404, TYPES[".html"], fs.existsSync(notFound) ? fs.readFileSync(notFound) : "not found");
    }
    const type = TYPES[path.extname(file).toLowerCase()] || "application/octet-stream";
    const body = fs.readFileSync(file);
    // Byte ranges, as nginx and Apache serve them: the search runtime loads index files piecewise.
    const range = ranges && /^bytes=(\d+)-(\d+)$/.exec(req.headers.range || "");
    if (range && Number(range[1]) <= Number(range[2]) && Number(range[2]) < body.length) {
      const [start, end] = [Number(range[1]), Number(range[2])];
      return send(206, type, body.subarray(start, end + 1), { "Content-Range": `bytes ${start}-${end}/${body.length}` });
    }
    // A host that compresses: brotli for text, as a tuned nginx does; `gzip-files` sends stored
    // `.gz` files with `Content-Encoding: gzip`, as Apache's `AddEncoding gzip .gz` does, so
    // that the browser hands the worker bytes it has already decompressed.
    if (encoding === "brotli" && /^(text\/|application\/(json|xml|javascript))/.test(type)) {
      return send(200, type, zlib.brotliCompressSync(body), { "Content-Encoding": "br", Vary: "Accept-Encoding" });
    }
    if (encoding === "gzip-files" && file.endsWith(".gz")) {
      return send(200, "application/octet-stream", body, { "Content-Encoding": "gzip" });
    }
    send(200, type, body);
  });
  let closed = null;
  const close = () => {
    closed ??= new Promise((done) => {
      server.close(() => done());
      server.closeAllConnections(); // keep-alive connections of a browser would keep it open
    });
    return closed;
  };
  return new Promise((resolve, reject) => {
    // Without this, a busy port would leave the promise pending until the test's timeout.
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({ server, origin, requests, fail, errors, close });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2] || "public";
  serve(dir, Number(process.argv[3] || 8080)).then(
    ({ origin }) => console.log(`serving ${dir} on ${origin}/`),
    (error) => { console.error(`cannot serve ${dir}: ${error.message}`); process.exitCode = 1; },
  );
}
