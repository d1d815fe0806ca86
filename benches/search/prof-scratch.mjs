// scratch: where a warm query's milliseconds go on a small portal (not committed)
import { serve, launch, BENCH_PAGE } from "./common.mjs";
const site = process.argv[2];
const queries = process.argv.slice(3);
const server = await serve(site);
const browser = await launch();
const page = await browser.newPage();
await page.goto(server.url + BENCH_PAGE);
const out = await page.evaluate(async (queries) => {
  const worker = new Worker("/search/lotse-worker.js");
  const manifest = new URL("/search/manifest.json", location.href).href;
  let ready; const readyP = new Promise((ok) => (ready = ok));
  const waiting = new Map(); let next = 0;
  worker.onmessage = (e) => { if (e.data.type === "ready") ready(); const w = waiting.get(e.data.id); if (w && e.data.type === "results") { waiting.delete(e.data.id); w(e.data); } };
  worker.postMessage({ type: "init", manifest });
  await readyP;
  await new Promise((ok) => setTimeout(ok, 1500));
  const rows = [];
  for (const q of queries) {
    const t0 = performance.now();
    const r = await new Promise((ok) => { const id = ++next; waiting.set(id, ok); worker.postMessage({ type: "search", id, query: q, platform: "", typing: false, limit: 5 }); });
    rows.push([q, (performance.now() - t0).toFixed(2), r.searchMs.toFixed(2)]);
  }
  return rows;
}, queries);
console.log(out.map((r) => r.join("\t")).join("\n"));
await browser.close();
server.close?.();
process.exit(0);
