// The longest main-thread task on every course page that trains, while it trains: the built site
// in headless Chromium, a PerformanceObserver('longtask') installed before the page loads, then
// every training control pressed (the perceptron's Train buttons, a trainer's ▶) and the page left
// to train for a while. Target: no task over 50 ms. Figures only; never fails.
//   node bench/longtasks.mjs [--site DIR] [--seconds N]   (default: builds the course into a temp folder)
import {chromiumLaunchOptions} from "../test/browser/chromium.mjs";
import {chromium} from "playwright-core";
import {serveDir, siteForBench, sitePages, pageSettled, TRAINING_CONTROLS} from "./serve-dir.mjs";

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(arg("--seconds") ?? 20);
const bench = await siteForBench(arg("--site"), "longtasks");
if (!bench) process.exit(0);
const site = bench.site;
const server = await serveDir(site);
const origin = server.origin;
const pages = sitePages(site);

const browser = await chromium.launch(chromiumLaunchOptions());
console.log(`Chromium ${browser.version()}; ${seconds} s of training per page; longest main-thread task while training (target ≤ 50 ms)`);
try {
  for (const slug of pages) {
    const page = await browser.newPage({viewport: {width: 1200, height: 900}});
    try {
      await page.addInitScript(() => {
        window.__longTasks = [];
        new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__longTasks.push({start: e.startTime, duration: e.duration}))).observe({type: "longtask", buffered: true});
      });
      await page.goto(`${origin}/${slug}/`);
      await pageSettled(page);
      const controls = await page.$$(TRAINING_CONTROLS);
      if (!controls.length) {
        await page.close();
        continue; // a page that does not train
      }
      const from = await page.evaluate(() => performance.now());
      for (const c of controls) await c.click();
      await page.waitForTimeout(seconds * 1000);
      const tasks = await page.evaluate((t0) => window.__longTasks.filter((t) => t.start >= t0).map((t) => t.duration), from);
      const longest = tasks.length ? Math.max(...tasks) : 0;
      console.log(`  ${slug.padEnd(18)} longest task ${longest ? `${longest.toFixed(0)} ms` : "none over 50 ms"}; ${tasks.length} task${tasks.length === 1 ? "" : "s"} over 50 ms (${controls.length} training control${controls.length === 1 ? "" : "s"} pressed)`);
    } catch (error) {
      console.log(`  ${slug.padEnd(18)} could not run: ${error.message.split("\n")[0]}`);
    } finally {
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.close();
  bench.cleanup();
}
