// The live-model harness in a real browser, without the notebook build: a page bundle and the
// worker bundle made here with esbuild (as the build makes them), the wasm binaries and the MNIST
// binary under assets/, served on 127.0.0.1 and driven in headless Chromium.
import {chromium, type Browser, type Page} from "playwright-core";
import * as esbuild from "esbuild";
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {createServer, type Server} from "node:http";
import {tmpdir} from "node:os";
import {extname, join, resolve} from "node:path";
import {afterAll, beforeAll, describe, expect, test} from "vitest";
import {convertMnist} from "../../cells/build/mnist.js";
import {chromiumLaunchOptions} from "./chromium.mjs";

const ROOT = resolve(import.meta.dirname, "../..");

/** The page's script: the harness's public API on window, for page.evaluate. */
const PAGE_ENTRY = `
import {train, trainerHost} from "./cells/train/client.ts";
import {sequential, dense} from "./cells/train/spec.ts";
import {trainer} from "./cells/widgets/trainer.ts";
window.lectern = {train, trainerHost, sequential, dense, trainer};
document.documentElement.dataset.ready = "yes";
`;

let dir: string;
let server: Server;
let origin: string;
let browser: Browser;

async function bundle(out: string, assets: Record<string, string>, entry: {contents?: string; file?: string}) {
  await esbuild.build({
    ...(entry.file ? {entryPoints: [entry.file]} : {stdin: {contents: entry.contents!, resolveDir: ROOT, loader: "ts"}}),
    outfile: join(dir, "assets", out),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    define: {LECTERN_ASSETS: JSON.stringify(assets)},
    logLevel: "silent"
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lectern-cells-"));
  mkdirSync(join(dir, "assets", "tfjs-wasm"), {recursive: true});
  const wasmDir = join(ROOT, "node_modules/@tensorflow/tfjs-backend-wasm/dist");
  for (const f of readdirSync(wasmDir)) if (f.endsWith(".wasm")) copyFileSync(join(wasmDir, f), join(dir, "assets", "tfjs-wasm", f));
  writeFileSync(join(dir, "assets", "mnist.bin"), await convertMnist());
  const assets = {"mnist": "mnist.bin", "tfjs-wasm/": "tfjs-wasm/", "train-worker": "train-worker.js"};
  await bundle("train-worker.js", assets, {file: join(ROOT, "cells/train/worker.ts")});
  await bundle("page.js", assets, {contents: PAGE_ENTRY});
  await bundle("page-broken-worker.js", {...assets, "train-worker": "no-such-worker.js"}, {contents: PAGE_ENTRY});
  for (const page of ["page", "page-broken-worker"]) {
    writeFileSync(join(dir, `${page}.html`), `<!doctype html><meta charset="utf-8"><title>${page}</title><link rel="icon" href="data:,"><body><script type="module" src="assets/${page}.js"></script>`);
  }
  server = createServer((request, response) => {
    // Under /isolated/ the same files come with COOP/COEP, so the page is cross-origin isolated.
    const path = decodeURIComponent(new URL(request.url!, "http://x").pathname);
    const isolated = path.startsWith("/isolated/");
    const file = join(dir, isolated ? path.slice("/isolated".length) : path);
    if (!file.startsWith(dir) || !existsSync(file)) return response.writeHead(404).end();
    const types: Record<string, string> = {".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm"};
    response.writeHead(200, {
      "content-type": types[extname(file)] ?? "application/octet-stream",
      ...(isolated ? {"cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp"} : {})
    }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as {port: number}).port}`;
  browser = await chromium.launch(chromiumLaunchOptions());
});

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  if (dir) rmSync(dir, {recursive: true, force: true});
});

async function open(page = "page", search = ""): Promise<{page: Page; errors: string[]}> {
  const p = await browser.newPage();
  const errors: string[] = [];
  p.on("pageerror", (e) => errors.push(e.message));
  p.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await p.goto(`${origin}/${page}.html${search}`);
  await p.waitForSelector("html[data-ready]");
  return {page: p, errors};
}

describe("the harness in Chromium", () => {
  test("the worker trains the 784-128-64-128-784 autoencoder on MNIST with wasm; the page keeps responding", async () => {
    const {page, errors} = await open();
    const result = await page.evaluate(async () => {
      const {train, sequential, dense} = (window as any).lectern;
      const longTasks: number[] = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration))).observe({type: "longtask", buffered: false});
      // A timer that should fire every 10 ms: its worst lateness is what a student's slider would feel.
      let worstLate = 0, last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        worstLate = Math.max(worstLate, now - last - 10);
        last = now;
      }, 10);
      const model = sequential({layers: [
        dense({units: 128, activation: "relu", inputShape: [784]}), dense({units: 64, activation: "relu"}),
        dense({units: 128, activation: "relu"}), dense({units: 784, activation: "sigmoid"})]});
      model.compile({optimizer: "adam", loss: "meanSquaredError"});
      const run = train(model, {data: {kind: "mnist", train: 2560, test: 500, seed: 1}, batchSize: 256, seed: 1, include: {reconstructions: 10}});
      const losses: number[] = [];
      const began = performance.now();
      let firstAt = 0, info: any, snapshots = 0;
      for await (const s of run) {
        firstAt ||= performance.now();
        snapshots++;
        losses.push(s.loss);
        info = s.info;
        if (performance.now() - firstAt > 2500) break;
      }
      clearInterval(timer);
      const end = await run.ended;
      const backend = await run.backend;
      const perStep = run.latest.elapsed / run.latest.step;
      return {losses, backend, info: {params: info.params, backend: info.backend, labels: [...info.examples.labels]}, end, longTasks, worstLate, snapshots,
        secondsPerEpochOf8000: (perStep * Math.ceil(8000 / 256)) / 1000, startup: firstAt - began};
    });
    console.log(`Chromium worker, wasm: ${result.secondsPerEpochOf8000.toFixed(2)} s per 8,000-digit epoch; startup ${result.startup.toFixed(0)} ms; ` +
      `long tasks ${JSON.stringify(result.longTasks.map(Math.round))}; worst 10 ms timer lateness ${result.worstLate.toFixed(0)} ms; ${result.snapshots} snapshots`);
    expect(result.backend.name).toBe("wasm");
    expect(result.backend.label).toMatch(/^WebAssembly \(SIMD/);
    // Lectern's matMul (cells/tf/fast-matmul.ts) is on by default, with Chromium's relaxed SIMD.
    expect(result.backend.routes[0]).toMatch(/^BatchMatMul, _FusedMatMul: Lectern's register-blocked wasm kernel \(relaxed SIMD/);
    expect(result.info).toEqual({params: 218_192, backend: "wasm", labels: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]});
    expect(result.losses.at(-1)).toBeLessThan(result.losses[0]! * 0.7);
    expect(result.end.reason).toBe("stopped");
    expect(result.snapshots).toBeGreaterThan(4);
    expect(Math.max(0, ...result.longTasks)).toBeLessThan(50);
    expect(errors).toEqual([]);
    await page.close();
  });

  /** Eight steps of a small autoencoder in the worker: the losses and the backend's routes. */
  const losses = async (search: string, page = "page") => {
    const {page: p, errors} = await open(page, search);
    const result = await p.evaluate(async () => {
      const {train, sequential, dense} = (window as any).lectern;
      const model = sequential({layers: [dense({units: 32, activation: "relu", inputShape: [784]}), dense({units: 784, activation: "sigmoid"})]});
      model.compile({optimizer: "adam", loss: "binaryCrossentropy"});
      const run = train(model, {data: {kind: "mnist", train: 512, test: 10, seed: 1}, batchSize: 64, seed: 1, steps: 8, snapshotEvery: 0, validation: "none"});
      const seen: number[] = [];
      for await (const s of run) seen.push(s.loss);
      return {seen, routes: (await run.backend).routes as string[], isolated: crossOriginIsolated};
    });
    expect(errors).toEqual([]);
    await p.close();
    return result;
  };

  test("?kernels=stock reaches the worker: tfjs's own matMul kernels, and the same losses as Lectern's", async () => {
    const ours = await losses("?backend=wasm"), stock = await losses("?backend=wasm&kernels=stock");
    expect(ours.routes.join()).toMatch(/Lectern's register-blocked wasm kernel/);
    expect(stock.routes.join()).not.toMatch(/Lectern's/);
    expect(stock.seen.length).toBe(ours.seen.length);
    ours.seen.forEach((loss, i) => expect(Math.abs(loss - stock.seen[i]!), `step ${i}`).toBeLessThan(1e-5 * stock.seen[i]!));
  });

  test("a cross-origin isolated page keeps Lectern's kernels on one thread; ?threads=tfjs takes tfjs's threaded build, same losses", async () => {
    const ours = await losses("?backend=wasm", "isolated/page"), threaded = await losses("?backend=wasm&threads=tfjs", "isolated/page");
    expect(ours.isolated).toBe(true);
    expect(ours.routes.join()).toMatch(/Lectern's register-blocked wasm kernel/);
    expect(threaded.routes.join()).not.toMatch(/Lectern's/);
    expect(threaded.seen.length).toBe(ours.seen.length);
    ours.seen.forEach((loss, i) => expect(Math.abs(loss - threaded.seen[i]!), `step ${i}`).toBeLessThan(1e-5 * threaded.seen[i]!));
  });

  test("?backend=cpu reaches the worker; 100 re-runs leave the worker's tensor count where 1 left it", async () => {
    const {page, errors} = await open("page", "?backend=cpu");
    const counts = await page.evaluate(async () => {
      const {train, trainerHost, sequential, dense} = (window as any).lectern;
      const model = sequential({layers: [dense({units: 8, activation: "relu", inputShape: [784]}), dense({units: 784, activation: "sigmoid"})]});
      model.compile({optimizer: "adam", loss: "binaryCrossentropy"});
      const host = trainerHost();
      let during = 0;
      const once = async (seed: number) => {
        const run = train(model, {data: {kind: "mnist", train: 40, test: 10, seed}, batchSize: 20, seed, include: {reconstructions: 4, latent: {layer: 0, count: 10}}});
        await run.next();
        if (seed === 0) during = (await host.memory()).numTensors;
        await run.return();
        return run.ended;
      };
      await once(0);
      const afterOne = (await host.memory()).numTensors;
      const began = performance.now();
      for (let i = 1; i < 100; i++) await once(i);
      return {during, afterOne, afterHundred: (await host.memory()).numTensors, backend: (await host.backend).name, msPerRun: (performance.now() - began) / 99};
    });
    console.log(`100 re-runs in the worker: ${counts.afterOne} tensors after 1, ${counts.afterHundred} after 100; ${counts.msPerRun.toFixed(0)} ms per run`);
    expect(counts.backend).toBe("cpu");
    expect(counts.during).toBeGreaterThan(counts.afterOne); // the count is the worker's, and a live run shows in it
    expect(counts.afterHundred).toBe(counts.afterOne);
    expect(errors).toEqual([]);
    await page.close();
  });

  test("the trainer widget: labelled controls, play/pause, step, and a reset that replays the same run", async () => {
    const {page, errors} = await open("page", "?backend=cpu");
    await page.evaluate(() => {
      const {train, trainer, sequential, dense} = (window as any).lectern;
      const model = sequential({layers: [dense({units: 16, activation: "relu", inputShape: [784]}), dense({units: 784, activation: "sigmoid"})]});
      model.compile({optimizer: "adam", loss: "meanSquaredError"});
      const el = trainer({run: (settings: object) => train(model, {data: {kind: "mnist", train: 500, test: 50}, batchSize: 50, snapshotEvery: 100, ...settings}), seed: 3});
      (window as any).inputs = 0;
      el.addEventListener("input", () => (window as any).inputs++);
      document.body.append(el);
      (window as any).el = el;
    });
    // every control is labelled and reachable by keyboard
    const unlabeled = await page.$$eval(".lectern-trainer button, .lectern-trainer select, .lectern-trainer input", (els) =>
      els.filter((e) => !e.getAttribute("aria-label") && !e.closest("label") && !(e.tagName === "BUTTON" && e.textContent!.trim())).length);
    expect(unlabeled).toBe(0);
    await page.focus(".lt-step");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => (window as any).el.value?.step === 1);
    const firstLoss = await page.evaluate(() => (window as any).el.value.loss);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => (window as any).el.value?.step === 2);
    await page.click(".lt-play");
    await page.waitForFunction(() => (window as any).el.value?.step > 20);
    expect(await page.getAttribute(".lt-play", "aria-label")).toBe("Pause");
    await page.click(".lt-play");
    await page.waitForFunction(() => (window as any).el.value?.paused === true);
    expect(await page.getAttribute(".lt-play", "aria-label")).toBe("Play");
    expect(await page.$$eval(".lt-plot [aria-label=line] path", (paths) => paths.length)).toBeGreaterThan(0);
    await page.check(".lt-log");
    expect(await page.$eval(".lt-plot > *", (plot) => plot.getAttribute("aria-label"))).toMatch(/^Loss against training step/);
    await page.click(".lt-reset");
    expect(await page.evaluate(() => (window as any).el.value)).toBeUndefined();
    await page.click(".lt-step");
    await page.waitForFunction(() => (window as any).el.value?.step === 1);
    expect(await page.evaluate(() => (window as any).el.value.loss)).toBe(firstLoss);
    expect(await page.evaluate(() => (window as any).inputs)).toBeGreaterThan(5);
    expect(await page.textContent(".lt-status")).toMatch(/Training on the CPU backend/);
    expect(errors).toEqual([]);
    await page.close();
  });

  test("a worker that cannot load: training moves to the main thread and the page says so", async () => {
    const {page} = await open("page-broken-worker", "?backend=cpu");
    const result = await page.evaluate(async () => {
      const {train, sequential, dense} = (window as any).lectern;
      const model = sequential({layers: [dense({units: 4, activation: "tanh", inputShape: [2]}), dense({units: 1})]});
      model.compile({optimizer: "sgd", loss: "meanSquaredError"});
      const x = Float32Array.from({length: 64}, (_, i) => (i % 7) / 7), y = Float32Array.from({length: 32}, (_, i) => i % 2);
      const run = train(model, {data: {kind: "inline", x, y, xShape: [2], yShape: [1]}, steps: 5, batchSize: 8});
      let last;
      for await (const s of run) last = s.step;
      return {last, backend: await run.backend};
    });
    expect(result.last).toBe(5);
    expect(result.backend.note).toMatch(/^The training worker did not load from \/assets\/no-such-worker\.js; training on the page's main thread/);
    await page.close();
  });
});
