// One embedded cell against its whole lesson page, in headless Chromium: bytes transferred
// (each response gzipped, as a static host would send it) and time to the cell's first output
// (performance.now() when its output first gets content). Median of --runs fresh loads. Figures only.
//   node bench/embed.mjs [--site DIR] [--runs N] [slug#id ...]
import {chromiumLaunchOptions} from "../test/browser/chromium.mjs";
import {chromium} from "playwright-core";
import {serveDir, siteForBench} from "./serve-dir.mjs";
import {join} from "node:path";
import {gzipSync} from "node:zlib";

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg("--runs") ?? 3);
const targets = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && !all[i - 1]?.startsWith("--"));
if (!targets.length) targets.push("matmul-shapes#param-table", "perceptron#plane", "matmul-shapes#digit-trainer");
const bench = await siteForBench(arg("--site"), "embed");
if (!bench) process.exit(0);
const site = bench.site;
const server = await serveDir(site);
const browser = await chromium.launch(chromiumLaunchOptions());

async function load(url, id) {
  const context = await browser.newContext();
  await context.addInitScript((id) => {
    const seen = () => {
      const out = document.querySelector(`[data-cell="${id}"] > .cell-output`);
      if (out && out.childNodes.length && !(globalThis).__firstOutput) (globalThis).__firstOutput = performance.now();
    };
    new MutationObserver(seen).observe(document, {childList: true, subtree: true});
  }, id);
  const page = await context.newPage();
  const bodies = [];
  page.on("response", (r) => bodies.push(r.body().catch(() => Buffer.alloc(0))));
  await page.goto(url);
  await page.waitForFunction(() => globalThis.__firstOutput, null, {timeout: 60_000});
  await page.waitForLoadState("networkidle");
  const first = await page.evaluate(() => globalThis.__firstOutput);
  const gz = (await Promise.all(bodies)).reduce((s, b) => s + gzipSync(b).length, 0);
  await context.close();
  return {first, gz, requests: bodies.length};
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load1 = (await import("node:os")).loadavg()[0];
console.log(`machine load (1 min) ${load1.toFixed(2)}; ${runs} runs each`);
for (const target of targets) {
  const [slug, id] = target.split("#");
  const result = {};
  for (const [name, url] of [["lesson page", `${server.origin}/${slug}/`], ["embed", `${server.origin}/embed/${slug}/${id}.html`]]) {
    const r = [];
    for (let i = 0; i < runs; ++i) r.push(await load(url, id));
    result[name] = {gz: median(r.map((x) => x.gz)), first: median(r.map((x) => x.first)), requests: median(r.map((x) => x.requests))};
  }
  const p = result["lesson page"], e = result.embed;
  console.log(`${target}: lesson page ${(p.gz / 1024).toFixed(1)} KB gz in ${p.requests} requests, first output ${p.first.toFixed(0)} ms; ` +
    `embed ${(e.gz / 1024).toFixed(1)} KB gz in ${e.requests} requests, first output ${e.first.toFixed(0)} ms`);
}
await browser.close();
server.close();
bench.cleanup();
