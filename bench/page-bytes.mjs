// Gzipped JavaScript per lesson page, before and after its models load (issue 23: ≤ 150 KB before).
// The built site in headless Chromium, each page in a fresh browser context (empty cache); the
// server notes every file the page and its workers fetch. "Up front": the scripts fetched until the
// first screen is done (html[data-first-screen="done"]: the cells near the viewport, and the cells
// they use, have run and painted; see src/client/first-screen.ts). "Rest of the page": what the
// other cells then import as they run on their own, without scrolling (tfjs for a lesson that
// computes with it below the first screen, the exercise editor). Then every training control is
// pressed (the perceptron's Train buttons, each trainer's ▶) and, after a few seconds of training,
// the scripts fetched since (the training worker, its chunks), and any script the page had already
// loaded that was fetched again (the worker shares the pages' tfjs chunk). gzip level 9 of each file as built;
// tfjs's .wasm binaries are counted apart (not JS). Figures only; never fails.
//   node bench/page-bytes.mjs [--site DIR] [--json] [--seconds N]   (default: builds the course into a temp folder)
import {chromiumLaunchOptions} from "../test/browser/chromium.mjs";
import {watchFirstScreen} from "../test/browser/first-screen.mjs";
import {serveDir, siteForBench, sitePages, pageSettled, TRAINING_CONTROLS} from "./serve-dir.mjs";
import {readFileSync} from "node:fs";
import {basename, relative, sep} from "node:path";
import {gzipSync} from "node:zlib";

const JSON_OUT = process.argv.includes("--json");
const say = (...args) => JSON_OUT || console.log(...args);
const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const seconds = Number(arg("--seconds") ?? 5);
const LIMIT_KB = 150;

const results = {limitKB: LIMIT_KB, pages: {}};
const bench = await siteForBench(arg("--site"), "page-bytes");
if (!bench) process.exit(0);
const site = bench.site;
const gzipped = new Map();
const gz = (file) => gzipped.get(file) ?? gzipped.set(file, gzipSync(readFileSync(file), {level: 9}).length).get(file);
let fetched = [];
const server = await serveDir(site, {onFile: (file) => fetched.push(file)});
const {chromium} = await import("playwright-core");
const browser = await chromium.launch(chromiumLaunchOptions());
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
/** The JS and wasm among `files`, once each: {js, wasm} bytes gzipped, and the JS files' names. */
const tally = (files) => {
  const unique = [...new Set(files)];
  const js = unique.filter((f) => f.endsWith(".js")), wasm = unique.filter((f) => f.endsWith(".wasm"));
  return {jsBytes: js.reduce((n, f) => n + gz(f), 0), wasmBytes: wasm.reduce((n, f) => n + gz(f), 0), js: js.map((f) => ({file: basename(f), bytes: gz(f)}))};
};
try {
  const pages = sitePages(site);
  say(`Gzipped JS per page (level 9, each page with an empty cache): up front (until the first screen is done), the rest of the page's cells, and after its trainings start; target up front ≤ ${LIMIT_KB} KB`);
  for (const slug of pages) {
    const context = await browser.newContext({viewport: {width: 1200, height: 900}});
    const page = await context.newPage();
    try {
      fetched = [];
      const firstScreen = await watchFirstScreen(page);
      await page.goto(`${server.origin}/${slug}/`);
      const upFront = new Set(await firstScreen());
      const early = (file) => upFront.has(`/${relative(site, file).split(sep).join("/")}`);
      const before = tally(fetched.filter(early));
      await pageSettled(page);
      await page.waitForTimeout(500);
      const rest = tally(fetched.filter((f) => !early(f)));
      const seen = new Set([...before.js, ...rest.js].map((f) => f.file));
      fetched = [];
      const controls = await page.$$(TRAINING_CONTROLS);
      for (const c of controls) await c.click();
      if (controls.length) await page.waitForTimeout(seconds * 1000);
      const after = tally(fetched.filter((f) => !seen.has(basename(f))));
      // A script the page had already loaded and its worker asked the server for again (tfjs is one
      // chunk for both, served immutable, so the worker should take it from the cache): none.
      const refetched = [...new Set(fetched.filter((f) => f.endsWith(".js") && seen.has(basename(f))).map((f) => basename(f)))];
      results.pages[slug] = {upFront: before, restOfPage: rest, afterTraining: controls.length ? {...after, refetched} : null, controls: controls.length, withinLimit: before.jsBytes <= LIMIT_KB * 1024};
      const largest = (t) => [...t.js].sort((a, b) => b.bytes - a.bytes).slice(0, 3).map((f) => `${f.file.replace(/-[A-Z0-9]{8}\.js$/, "")} ${kb(f.bytes)}`).join(", ");
      say(`  ${slug.padEnd(20)} up front ${kb(before.jsBytes).padStart(9)} JS (${before.js.length} files${before.jsBytes > LIMIT_KB * 1024 ? `, OVER ${LIMIT_KB} KB` : ""}; largest ${largest(before)})${before.wasmBytes ? ` + ${kb(before.wasmBytes)} wasm (tfjs's)` : ""}` +
        (rest.js.length || rest.wasmBytes ? `;\n  ${"".padEnd(20)} rest of the page +${kb(rest.jsBytes)} JS (${rest.js.length} files: ${largest(rest) || "none"})${rest.wasmBytes ? `, +${kb(rest.wasmBytes)} wasm` : ""}` : "") +
        (controls.length ? `;\n  ${"".padEnd(20)} after training starts +${kb(after.jsBytes)} JS (${after.js.length} files: ${largest(after) || "none"}), +${kb(after.wasmBytes)} wasm; ${refetched.length ? `fetched again: ${refetched.join(", ")}` : "nothing fetched twice"}` : "; no training control"));
    } catch (error) {
      results.pages[slug] = {error: error.message.split("\n")[0]};
      say(`  ${slug.padEnd(20)} could not run: ${results.pages[slug].error}`);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.close();
  bench.cleanup();
}
if (JSON_OUT) console.log(JSON.stringify(results));
