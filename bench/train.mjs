#!/usr/bin/env node
// Training speed. Seconds per epoch of the slides' autoencoder (784-128-64-128-784, relu, sigmoid
// output, binary cross-entropy, Adam 1e-3, 8,000 digits, batch 256) through the real harness
// (trainer-core over its message protocol): in Node on wasm and cpu, then in headless Chromium's
// training worker (the lessons' path, page served without COOP/COEP), Lectern's kernels
// (cells/tf/fast-matmul.ts) against ?kernels=stock in the same run, interleaved, over repeats
// (median and spread). Also matMul GFLOP/s per transpose case, stock against ours.
// Prints figures (or, with --json, one JSON object); never fails (a part that cannot run says why).
//   node bench/train.mjs [--json] [--repeats N] [--quick (no webgl/cpu)] [--browser-only] [--matmul-only]
import {BY_KERNEL_NAME, MEASURE, ROOT, benchBrowser, benchWorkDir, buildBenchSite, interleave, median, row} from "./lib/pages.mjs";
import * as esbuild from "esbuild";
import {rmSync} from "node:fs";
import {join} from "node:path";
import {pathToFileURL} from "node:url";

const JSON_OUT = process.argv.includes("--json");
const REPEATS = Number(process.argv[process.argv.indexOf("--repeats") + 1] || 5) || 5;
const results = {cores: (await import("node:os")).availableParallelism(), loadAverage: (await import("node:os")).loadavg(), node: {}, chromium: {}};
/** Console output, unless --json (then only the JSON object at the end). */
const say = (...args) => JSON_OUT || console.log(...args);
const STEPS_PER_EPOCH = Math.ceil(8000 / 256);
const work = benchWorkDir("train");

const MODEL = `
  const model = sequential({layers: [
    dense({units: 128, activation: "relu", inputShape: [784]}), dense({units: 64, activation: "relu"}),
    dense({units: 128, activation: "relu"}), dense({units: 784, activation: "sigmoid"})]});
  model.compile({optimizer: "adam", loss: "binaryCrossentropy"});`;

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
${BY_KERNEL_NAME}
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
  const profile = byKernelName(await tf.profile(step));
  tf.dispose([x]);
  model.dispose();
  optimizer.dispose();
  return {msPerStep, ...profile};
};
document.documentElement.dataset.ready = "yes";`;

const perEpoch = (ms) => `${((ms * STEPS_PER_EPOCH) / 1000).toFixed(2)} s/epoch (${ms.toFixed(0)} ms/step)`;

const seconds = (ms) => (ms * STEPS_PER_EPOCH) / 1000;

/** One row of an epoch table: the variant's median and spread, or why it could not run. */
const sayEpochRow = (name, x) => x.median === undefined
  ? say(`  ${name.padEnd(34)} could not run: ${x.error}`)
  : say(`  ${name.padEnd(34)} median ${x.median.toFixed(2)} s/epoch  (min ${x.min.toFixed(2)}, max ${x.max.toFixed(2)})  loss at step 4 ${x.loss4.toFixed(4)}  [${x.label}]`);

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
  // jax-js's page: the same model in its API, the whole step jit-compiled (bench/jax-autoencoder.ts).
  const JAX_ENTRY = `import {jaxBench} from "./bench/jax-autoencoder.ts"; window.jaxBench = jaxBench; document.documentElement.dataset.ready = "yes";`;
  const {site, built} = await buildBenchSite(work, {mnist: true, pages: {index: PAGE_ENTRY, jax: JAX_ENTRY}});
  if (built.index !== true) throw new Error(`the bench page could not be built: ${built.index}`);
  const jaxBuilt = built.jax === true;
  if (!jaxBuilt) say(`  jax-js page could not be built: ${built.jax}`);
  const browser = await benchBrowser(site);
  results.chromium.version = browser.version;
  say(`Chromium ${browser.version} headless, ${results.cores} cores, load average ${results.loadAverage.map((x) => x.toFixed(2)).join(" ")}`);
  const open = (query, file = "index.html") => browser.open(file, query);
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
    try {
      for (const [key, query, file] of variants) pages[key] = await open(query, file);
      // One epoch (31 steps) after 4 warm-up steps, interleaved; the first round warms up and is not counted.
      const measured = await interleave(variants.map(([key, , , epoch]) => [key, async () => {
        const {ms, loss4, backend} = await epoch(pages[key]);
        return {value: seconds(ms), loss4, label: backend.label, ...(backend.routes ? {routes: backend.routes} : {})};
      }]), REPEATS);
      const times = measured.figures;
      const e = (results.chromium.autoencoderEpoch = {repeats: REPEATS});
      for (const [key] of variants) e[key] = row(measured, key);
      e.ratio = median(times.stock) / median(times.ours);
      if (times["jax-js"]?.length) e.jaxOverOurs = median(times["jax-js"]) / median(times.ours);
      say(`\n  Autoencoder epoch (8,000 digits, 784-128-64-128-784, BCE, Adam 1e-3, batch 256), ${REPEATS} repeats each, interleaved`);
      const names = {stock: "tfjs, ?kernels=stock (worker)", ours: "tfjs, Lectern's kernels (worker)", "jax-js": "jax-js 0.1.25, jit (page)"};
      for (const [key] of variants) sayEpochRow(names[key], e[key]);
      say(`  ours: ${e.ratio.toFixed(2)}× faster than stock (median over median)${e.jaxOverOurs ? `; jax-js takes ${e.jaxOverOurs.toFixed(2)}× ours` : "; jax-js not measured"}`);
    } catch (error) {
      say(`  autoencoder epochs could not run: ${error.message.split("\n")[0]}`);
    } finally {
      for (const page of Object.values(pages)) await page.close();
    }

    // Threads: on a cross-origin isolated page tfjs-backend-wasm loads its threaded build, in whose
    // shared memory Lectern's kernels cannot run; ?threads=1 keeps one thread and our kernels.
    if (!process.argv.includes("--no-isolated")) await isolatedFigures(site, tfjsEpoch);

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
  }
}

/** The autoencoder epoch on a cross-origin isolated page (COOP/COEP): tfjs's threaded build (its
 *  own kernels, XNNPACK on its thread pool) against one thread with Lectern's kernels. */
async function isolatedFigures(site, tfjsEpoch) {
  const browser = await benchBrowser(site, {isolated: true});
  const variants = [["tfjs threads", "backend=wasm&threads=tfjs"], ["one thread, ours", "backend=wasm&threads=1"]];
  const pages = {};
  try {
    for (const [key, query] of variants) pages[key] = await browser.open("index.html", query);
    const isolated = await pages["tfjs threads"].evaluate(() => globalThis.crossOriginIsolated);
    const measured = await interleave(variants.map(([key]) => [key, async () => {
      const {ms, loss4, backend} = await tfjsEpoch(pages[key]);
      return {value: seconds(ms), loss4, label: backend.label};
    }]), REPEATS);
    const e = (results.chromium.isolatedEpoch = {crossOriginIsolated: isolated, repeats: REPEATS});
    for (const [key] of variants) e[key] = row(measured, key);
    say(`\n  Cross-origin isolated page (COOP/COEP; crossOriginIsolated ${isolated}), the same epoch, ${REPEATS} repeats each, interleaved`);
    for (const [key] of variants) sayEpochRow(key, e[key]);
  } catch (error) {
    say(`  cross-origin isolated epochs could not run: ${error.message.split("\n")[0]}`);
  } finally {
    for (const page of Object.values(pages)) await page.close();
    await browser.close();
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
