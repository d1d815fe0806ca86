// The semantic stage on school networks (issue 18): how long after a first search the similar
// articles arrive (the 19.6 MB stage downloads in the background), and whether the lexical
// searches typed meanwhile slow down. The bundled portal built with `semantic: off` and `on`, in
// headless Chromium throttled by the DevTools protocol (school WLAN 5 Mbit/s, 60 ms; busy WLAN
// 1.5 Mbit/s, 150 ms), served by a host that compresses nothing. Times include typing the query.
//
//   npm ci --prefix tests/browser && cargo build && node benches/search/semantic-network.mjs
import { bundledPortal } from "../../tests/browser/server.mjs";

const NETWORKS = {
  school: { offline: false, latency: 60, downloadThroughput: 5e6 / 8, uploadThroughput: 5e6 / 8 },
  busy: { offline: false, latency: 150, downloadThroughput: 1.5e6 / 8, uploadThroughput: 1.5e6 / 8 },
};
const DURING = ["WLAN iPad", "Passwort vergessen", "Tafel bleibt schwarz", "Teams Kamera"];
const PARAPHRASE = "mein Gesicht fehlt bei den Kollegen";

console.log("| semantic | network | first search | 4 searches during the download | similar articles after the first search |");
console.log("|---|---|---|---|---|");
for (const mode of ["off", "on"]) {
  const portal = await bundledPortal("lotse-semantic-network-", { config: `search:\n  semantic: ${mode}\n` });
  for (const [name, conditions] of Object.entries(NETWORKS)) {
    const context = await portal.browser.newContext({ serviceWorkers: "block" });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", conditions);
    await page.goto(portal.site.origin + "/");
    await page.waitForTimeout(2000); // opened 2 s before the first keystroke
    const started = Date.now();
    const search = async (query) => {
      await page.click("#home-search");
      await page.keyboard.press("ControlOrMeta+A");
      const t0 = Date.now();
      await page.keyboard.type(query);
      await page.waitForFunction((q) => {
        const option = document.querySelector('.search-panel [role="option"]');
        return option && new URL(option.href).searchParams.get("h") === q;
      }, query, { timeout: 120_000 });
      return Date.now() - t0;
    };
    const first = await search("Drucker druckt nicht");
    const during = [];
    for (const query of DURING) {
      await page.waitForTimeout(1500);
      during.push(await search(query));
    }
    let similar = "—";
    if (mode === "on") {
      await search(PARAPHRASE);
      await page.waitForSelector(`.search-panel[data-similar-for="${PARAPHRASE}"]`, { state: "attached", timeout: 600_000 });
      similar = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    }
    console.log(`| ${mode} | ${name} | ${first} ms | ${during.join(", ")} ms | ${similar} |`);
    await context.close();
  }
  await portal.close();
}
