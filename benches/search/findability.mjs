// Findability evaluation: how often does the right how-to come first (success@1), among the first
// three (success@3), and how high on average (MRR), for teacher-phrased queries over the bundled
// portal? Lotse and Pagefind search the same built site in the same headless Chromium.
//
//   npm ci --prefix benches/search && node benches/search/findability.mjs [--queries FILE] [--show-misses]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, buildLotse, indexWithPagefind, serve, launch, openLotse, openPagefind, sitePath } from "./common.mjs";

const args = process.argv.slice(2);
const queriesFile = args.includes("--queries") ? args[args.indexOf("--queries") + 1] : join(REPO, "benches/findability/queries.tsv");
const showMisses = args.includes("--show-misses");

const queries = readFileSync(queriesFile, "utf8")
  .split("\n")
  .filter((line) => line.trim() && !line.startsWith("#"))
  .map((line) => {
    const [kind, query, expected] = line.split("\t");
    return { kind, query, expected };
  });

const site = buildLotse(REPO);
indexWithPagefind(site);
const { server, url } = await serve(site);
const browser = await launch();
const page = await browser.newPage();

async function evaluate(engine, search) {
  const rows = [];
  for (const q of queries) {
    const urls = (await search(q.query)).map(sitePath);
    const rank = urls.indexOf(q.expected) + 1;
    rows.push({ ...q, rank, urls });
  }
  return rows;
}

await openLotse(page, url);
const lotse = await evaluate("lotse", (q) => page.evaluate(async (q) => (await window.__lotse(q)).results.map((r) => r.url), q));
await openPagefind(page, url);
const pagefind = await evaluate("pagefind", (q) => page.evaluate((q) => window.__pagefind(q), q));
await browser.close();
server.close();

function metrics(rows) {
  const n = rows.length || 1;
  const at1 = rows.filter((r) => r.rank === 1).length / n;
  const at3 = rows.filter((r) => r.rank >= 1 && r.rank <= 3).length / n;
  const mrr = rows.reduce((sum, r) => sum + (r.rank ? 1 / r.rank : 0), 0) / n;
  const empty = rows.filter((r) => r.urls.length === 0).length / n;
  return { n: rows.length, at1, at3, mrr, empty };
}

const pct = (x) => (100 * x).toFixed(0).padStart(4) + " %";
const kinds = [...new Set(queries.map((q) => q.kind)), "all"];
console.log(`Findability over the bundled portal (${queries.length} queries from ${queriesFile.replace(REPO + "/", "")})`);
console.log("kind        n   | Lotse  s@1    s@3   MRR  empty | Pagefind  s@1    s@3   MRR  empty");
for (const kind of kinds) {
  const pick = (rows) => (kind === "all" ? rows : rows.filter((r) => r.kind === kind));
  const l = metrics(pick(lotse));
  const p = metrics(pick(pagefind));
  console.log(
    `${kind.padEnd(10)} ${String(l.n).padStart(3)}   |   ${pct(l.at1)} ${pct(l.at3)}  ${l.mrr.toFixed(2)} ${pct(l.empty)} |    ${pct(p.at1)} ${pct(p.at3)}  ${p.mrr.toFixed(2)} ${pct(p.empty)}`,
  );
}
if (showMisses) {
  console.log("\nLotse misses at 3:");
  for (const r of lotse.filter((r) => !(r.rank >= 1 && r.rank <= 3))) console.log(`  [${r.kind}] ${r.query} → ${r.urls.slice(0, 3).join(", ") || "(nothing)"} (want ${r.expected})`);
}
