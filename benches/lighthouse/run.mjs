// Lighthouse scores of every page type of the bundled portal, on Lighthouse's default mobile
// profile (Moto-G-class screen, 4x CPU slowdown, slow-4G simulated throttling), in Debian's headless
// Chromium. See README.md beside this file.
//
//   npm ci --prefix benches/lighthouse && node benches/lighthouse/run.mjs [--runs N] [--json FILE] [--html DIR] [--page TYPE]...
//
// Exits with 1 when a page scores below 95 in performance, accessibility or best practices (or
// cannot be measured), 2 on a usage or setup error, 0 otherwise.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { serve } from "../../tests/browser/server.mjs";

let chromeLauncher, lighthouse;
try {
  chromeLauncher = await import("chrome-launcher");
  lighthouse = (await import("lighthouse")).default;
} catch (error) {
  console.error(`error: ${error.message}\n  help: npm ci --prefix benches/lighthouse`);
  process.exit(2);
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "../..");
const THRESHOLD = 95;
const REQUIRED = ["performance", "accessibility", "best-practices"];
const CATEGORIES = [...REQUIRED, "seo"];
const LABELS = { performance: "performance", accessibility: "accessibility", "best-practices": "best practices", seo: "seo" };
const CHROME_FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// The page types. `file` is the page in the build output that must exist (null: none, the 404 page
// is served for an unknown address and the search results page is the search page with `?q=`).
const PAGES = [
  { type: "home", path: "/", file: "index.html" },
  { type: "platform", path: "/ipad/", file: "ipad/index.html" },
  { type: "article", path: "/ipad/wlan-verbinden/", file: "ipad/wlan-verbinden/index.html" },
  { type: "tag", path: "/tags/wlan/", file: "tags/wlan/index.html" },
  { type: "tags", path: "/tags/", file: "tags/index.html" },
  { type: "search", path: "/search/", file: "search/index.html" },
  { type: "search results", path: "/search/?q=WLAN", file: "search/index.html" },
  { type: "404", path: "/gibt-es-nicht/", file: "404.html", status: 404 },
  { type: "accessibility statement", path: "/barrierefreiheit/", file: "barrierefreiheit/index.html" },
];

function usage(message) {
  if (message) console.error(`error: ${message}`);
  console.error(
    "usage: node benches/lighthouse/run.mjs [--runs N] [--json FILE] [--html DIR] [--page TYPE]...\n" +
      "  --runs N     measure every page N times, report the run with the median performance score (default 3)\n" +
      "  --json FILE  also write every page's scores and failing audits as JSON\n" +
      "  --html DIR   also write Lighthouse's full HTML report of every page into DIR\n" +
      "  --page TYPE  measure only this page type (repeatable): " +
      PAGES.map((p) => p.type).concat("problem report").join(", ") +
      "\nenv: LOTSE_BIN (default target/release/lotse), CHROMIUM_BIN (default /usr/bin/chromium)",
  );
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      runs: { type: "string", default: "3" },
      json: { type: "string" },
      page: { type: "string", multiple: true },
      html: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }).values;
} catch (error) {
  usage(error.message);
}
if (args.help) usage();
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) usage("--runs needs a whole number of at least 1");

const lotse = path.resolve(process.env.LOTSE_BIN || path.join(REPO, "target/release/lotse"));
const chromium = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
if (!fs.existsSync(lotse)) {
  console.error(`error: no lotse binary at ${lotse}\n  help: build it with \`cargo build --release\` or set LOTSE_BIN`);
  process.exit(2);
}
if (!fs.existsSync(chromium)) {
  console.error(`error: no Chromium at ${chromium}\n  help: \`apt-get install -y chromium\` or set CHROMIUM_BIN`);
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lotse-lighthouse-"));
const out = path.join(tmp, "public");
let site;
let exitCode = 0;

function cleanup() {
  fs.rmSync(tmp, { recursive: true, force: true });
}

/**
 * The "Problem melden" pages of this build, if any: the ticket form (`data-page-kind="ticket"`,
 * wherever `ticket.url` puts it) and any other page at a `…/problem-melden/` address (the bundled
 * portal's article of that name). Found at run time, so the list follows the portal.
 */
function problemPages(dir = out, prefix = "/") {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const url = `${prefix}${entry.name}/`;
    const file = path.join(dir, entry.name, "index.html");
    if (fs.existsSync(file)) {
      const head = fs.readFileSync(file, "utf8").slice(0, 2000);
      const kind = /<html[^>]*\sdata-page-kind="([^"]*)"/.exec(head)?.[1];
      if (kind === "ticket" || entry.name === "problem-melden") {
        const type = kind === "ticket" ? "problem report" : `problem report (${kind || "page"})`;
        found.push({ type: found.some((p) => p.type === type) ? `${type} ${url}` : type, path: url, file: path.relative(out, file) });
      }
    }
    found.push(...problemPages(path.join(dir, entry.name), url));
  }
  return found;
}

/** One Lighthouse run in a fresh Chromium with a fresh profile; resolves to the LHR. */
async function measure(url, page, n) {
  const userDataDir = path.join(tmp, `profile-${process.pid}-${n}`);
  fs.mkdirSync(userDataDir);
  const chrome = await chromeLauncher.launch({
    chromePath: chromium,
    chromeFlags: CHROME_FLAGS,
    userDataDir,
    logLevel: "silent",
  });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "html",
      logLevel: "error",
      onlyCategories: CATEGORIES,
      // Only the 404 page answers with an error status on purpose; Lighthouse would refuse it.
      ignoreStatusCode: page.status === 404,
    });
    if (!result) throw new Error("Lighthouse returned no result");
    return { lhr: result.lhr, html: result.report };
  } finally {
    await chrome.kill();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

const pct = (score) => (typeof score === "number" ? Math.round(score * 100) : null);

/** The audits that cost points in one category: score below 1, and not n/a, informative or manual. */
function failingAudits(lhr, categoryId) {
  const category = lhr.categories[categoryId];
  const failing = [];
  for (const ref of category.auditRefs) {
    const audit = lhr.audits[ref.id];
    if (!audit || ["notApplicable", "informative", "manual"].includes(audit.scoreDisplayMode)) continue;
    const erred = audit.scoreDisplayMode === "error";
    if (!erred && !(typeof audit.score === "number" && audit.score < 1)) continue;
    failing.push({
      id: ref.id,
      title: audit.title,
      score: erred ? null : audit.score,
      weight: ref.weight,
      displayValue: audit.displayValue || (erred ? audit.errorMessage : undefined),
      items: (Array.isArray(audit.details?.items) ? audit.details.items : [])
        .slice(0, 5)
        .map((item) => item.node?.snippet || item.node?.selector || item.url || item.source?.url || item.description)
        .filter(Boolean),
    });
  }
  return failing.sort((a, b) => b.weight - a.weight);
}

try {
  execFileSync(lotse, ["build", "--quiet", "--root", REPO, "--output", out], { stdio: "inherit" });
  let pages = [...PAGES, ...problemPages(out)];
  for (const page of pages) {
    if (!fs.existsSync(path.join(out, page.file))) throw new Error(`the build has no ${page.file} (page type ${page.type})`);
  }
  if (args.page) {
    const unknown = args.page.filter((type) => !pages.some((p) => p.type === type));
    if (unknown.length) throw new Error(`unknown or absent page type: ${unknown.join(", ")} (see --help)`);
    pages = pages.filter((p) => args.page.includes(p.type));
  }
  if (!pages.some((p) => p.type === "problem report") && !args.page) {
    console.log("(this build has no ticket page, \"Problem melden\": not measured)");
  }

  // Simulated throttling scales the main-thread time measured on this machine: other work on it
  // (a compiler, a test suite) shows up as Total Blocking Time.
  const load = os.loadavg()[0];
  if (load > os.cpus().length / 2) {
    console.log(`note: load average ${load.toFixed(1)} on ${os.cpus().length} cores; performance scores are steadiest on an idle machine`);
  }
  site = await serve(out);
  const lighthouseVersion = JSON.parse(fs.readFileSync(path.join(HERE, "node_modules/lighthouse/package.json"), "utf8")).version;
  const results = [];
  let n = 0;
  for (const page of pages) {
    const url = site.origin + page.path;
    const lhrs = [];
    let error;
    for (let run = 0; run < runs; run++) {
      process.stderr.write(`measuring ${page.type} (${page.path})${runs > 1 ? ` run ${run + 1}/${runs}` : ""} …\n`);
      try {
        const { lhr, html } = await measure(url, page, n++);
        if (lhr.runtimeError) throw new Error(`${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
        lhr.__html = html;
        lhrs.push(lhr);
      } catch (e) {
        error = e.message;
        break;
      }
    }
    if (error) {
      results.push({ type: page.type, path: page.path, error, scores: {}, failing: {} });
      continue;
    }
    // The median run by performance score (the lower middle one for an even count): the one
    // category that varies between runs; the others come from the same run.
    const byPerformance = [...lhrs].sort((a, b) => (a.categories.performance?.score ?? 0) - (b.categories.performance?.score ?? 0));
    const lhr = byPerformance[Math.floor((byPerformance.length - 1) / 2)];
    if (args.html) {
      fs.mkdirSync(args.html, { recursive: true });
      const name = page.type.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "");
      fs.writeFileSync(path.join(args.html, `${name}.html`), lhr.__html);
    }
    const scores = Object.fromEntries(CATEGORIES.map((c) => [c, pct(lhr.categories[c]?.score)]));
    const failing = {};
    for (const c of CATEGORIES) if (scores[c] !== null && scores[c] < 100) failing[c] = failingAudits(lhr, c);
    const metrics = Object.fromEntries(
      ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index"].map(
        (id) => [id, lhr.audits[id]?.numericValue ?? null],
      ),
    );
    results.push({
      type: page.type,
      path: page.path,
      scores,
      allRuns: runs > 1 ? lhrs.map((r) => Object.fromEntries(CATEGORIES.map((c) => [c, pct(r.categories[c]?.score)]))) : undefined,
      metrics,
      benchmarkIndex: lhr.environment?.benchmarkIndex,
      warnings: lhr.runWarnings.map(String),
      failing,
    });
  }

  // The table.
  const head = ["page type", "path", ...CATEGORIES.map((c) => LABELS[c])];
  const rows = results.map((r) => [
    r.type,
    r.path,
    ...CATEGORIES.map((c) => (r.error ? "ERR" : r.scores[c] === null ? "–" : String(r.scores[c]))),
  ]);
  const lowest = Object.fromEntries(
    CATEGORIES.map((c) => {
      const values = results.filter((r) => !r.error && r.scores[c] !== null).map((r) => r.scores[c]);
      return [c, values.length ? Math.min(...values) : null];
    }),
  );
  rows.push(["lowest", "", ...CATEGORIES.map((c) => (lowest[c] === null ? "–" : String(lowest[c])))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => "| " + cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(" | ") + " |";
  console.log(
    `\nLighthouse ${lighthouseVersion}, ${chromium}, default mobile profile (simulated throttling)` +
      (runs > 1 ? `, median of ${runs} runs` : "") +
      `\n`,
  );
  console.log(line(head));
  console.log("|" + widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|");
  for (const row of rows) console.log(line(row));

  // What cost points.
  for (const r of results) {
    if (r.error) {
      console.log(`\n${r.type} (${r.path}): could not be measured: ${r.error}`);
      continue;
    }
    for (const w of r.warnings) console.log(`\n${r.type} (${r.path}): warning: ${w}`);
    for (const [c, audits] of Object.entries(r.failing)) {
      console.log(`\n${r.type} (${r.path}), ${LABELS[c]} ${r.scores[c]}:`);
      for (const a of audits) {
        const score = a.score === null ? "error" : a.score.toFixed(2);
        const weight = a.weight ? `weight ${a.weight}` : "weight 0";
        console.log(`  - ${a.id}: ${a.title} [score ${score}, ${weight}${a.displayValue ? `, ${a.displayValue}` : ""}]`);
        for (const item of a.items) console.log(`      ${String(item).replace(/\s+/g, " ").slice(0, 160)}`);
      }
    }
  }

  const failures = results.filter((r) => r.error || REQUIRED.some((c) => r.scores[c] === null || r.scores[c] < THRESHOLD));
  if (args.json) {
    fs.writeFileSync(
      args.json,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          lighthouse: lighthouseVersion,
          chromium: execFileSync(chromium, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim().split("\n").pop(),
          runs,
          threshold: THRESHOLD,
          lowest,
          pages: results,
        },
        null,
        2,
      ) + "\n",
    );
  }
  if (failures.length) {
    console.log(`\nFAIL: below ${THRESHOLD} in ${REQUIRED.map((c) => LABELS[c]).join(", ")}: ${failures.map((r) => r.type).join(", ")}`);
    exitCode = 1;
  } else {
    console.log(`\nOK: every page type scores at least ${THRESHOLD} in ${REQUIRED.map((c) => LABELS[c]).join(", ")}`);
  }
} catch (error) {
  console.error(`error: ${error.message}`);
  exitCode = 2;
} finally {
  if (site) await site.close();
  cleanup();
}
process.exit(exitCode);
