import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Browser, Page} from "playwright-core";
import {buildSite, launch, openPage, setRange, cellText, type Site} from "./harness.js";

let site: Site;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([buildSite({notebooks: "test/fixtures/live"}), launch()]);
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

/** Records every main-thread long task from the first moment of the page. */
async function watchLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    (window as any).__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) (window as any).__longTasks.push({start: entry.startTime, duration: entry.duration});
    }).observe({type: "longtask", buffered: true});
  });
}

const status = async (page: Page) => {
  const m = /step (\d+) · epoch [\d.]+ · loss ([\d.]+) · (\w+)/.exec(await cellText(page, "status"));
  return m ? {step: Number(m[1]), loss: Number(m[2]), backend: m[3]} : undefined;
};
const waitForStep = (page: Page, atLeast: number, timeout = 120_000) =>
  page.waitForFunction((n) => {
    const m = /step (\d+)/.exec(document.querySelector('[data-cell="status"] .cell-output')?.textContent ?? "");
    return m !== null && Number(m[1]) >= n;
  }, atLeast, {timeout, polling: 100});
/** The worker's tensor count between steps, at rest: the least of a few readings (a step's loss scalar may be in flight). */
const workerTensors = (page: Page) => page.evaluate(async () => {
  const memory = await (globalThis as any).__lectern.main.value("trainerMemory");
  const counts: number[] = [];
  for (let i = 0; i < 5; ++i) {
    counts.push((await memory()).numTensors);
    await new Promise((r) => setTimeout(r, 30));
  }
  return Math.min(...counts);
});

describe("live models: the 784-128-64-128-784 autoencoder trains in the worker", () => {
  it("trains off the main thread: the loss falls, a slider answers, no long main-thread task", async () => {
    const context = await browser.newContext({viewport: {width: 1200, height: 900}});
    const page = await context.newPage();
    await watchLongTasks(page);
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(site.url + "autoencoder/");
    await waitForStep(page, 1);
    const first = (await status(page))!;
    expect(first.backend).toBe("wasm"); // software WebGL loses to wasm; this machine has no GPU
    const backend = await page.evaluate(async () => (await ((await (globalThis as any).__lectern.main.value("trainerBackend"))())));
    expect(backend.note ?? "").not.toMatch(/main thread/);
    await page.evaluate(() => ((window as any).__longTasks = []));

    // While it trains, an unrelated slider still drives its dependent cell.
    const latencies: number[] = [];
    for (const value of [10, 20, 30, 40, 50]) {
      const t0 = await page.evaluate(() => performance.now());
      await setRange(page, "other", value);
      await page.waitForFunction((v) => document.querySelector('[data-cell="echo"] .cell-output')?.textContent === `other is ${v}`, value, {polling: "raf"});
      latencies.push((await page.evaluate(() => performance.now())) - t0);
    }
    await waitForStep(page, first.step + 40);
    const later = (await status(page))!;
    expect(later.loss).toBeLessThan(first.loss);
    // tfjs on the page itself, touched before any backend was chosen, starts wasm from the site's folder.
    expect(await cellText(page, "early")).toBe("tf on the page, used before any backend was chosen: 2 on wasm");
    const longTasks: {duration: number}[] = await page.evaluate(() => (window as any).__longTasks);
    const longest = Math.max(0, ...longTasks.map((t) => t.duration));
    console.log(`slider → dependent cell while training: ${latencies.map((l) => l.toFixed(0)).join(", ")} ms; longest main-thread task ${longest.toFixed(0)} ms (${longTasks.length} over 50 ms); loss ${first.loss} → ${later.loss} over ${later.step - first.step} steps`);
    // The bench reports the exact figure against the 50 ms target; the test pins the mechanism with a wide margin.
    expect(longest).toBeLessThan(250);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("changing the model's input restarts training, and re-runs leak no tensors in the worker", {timeout: 240_000}, async () => {
    const {page} = await openPage(browser, site.url + "autoencoder/");
    // 784-128-b-128-784: 218,192 parameters at b = 64 (the slide's "200K"), 205,728 at b = 32.
    const params = (units: number) => 784 * 128 + 128 + 128 * units + units + units * 128 + 128 + 128 * 784 + 784;
    const trainingWith = (units: number) => page.waitForFunction((p) => {
      const m = /^step (\d+) .* (\d+) parameters$/.exec(document.querySelector('[data-cell="status"] .cell-output')?.textContent ?? "");
      return m !== null && Number(m[2]) === p && Number(m[1]) >= 3;
    }, params(units), {timeout: 60_000, polling: 100});
    const toggle = async () => {
      await page.click('[data-cell="running"] input[type=checkbox]');
    };
    const stopped = () => page.waitForFunction(() => document.querySelector('[data-cell="status"] .cell-output')?.textContent === "stopped");
    await trainingWith(64);
    expect(await workerTensors(page)).toBeGreaterThan(0); // the live run's weights and Adam's moments
    await toggle();
    await stopped();
    const idle = await workerTensors(page);
    const idleCounts: number[] = [];
    for (let i = 0; i < 5; ++i) {
      await toggle(); // start with 64 units…
      await trainingWith(64);
      await setRange(page, "bottleneck", 32); // …a change of the model's input restarts it with the new shape…
      await trainingWith(32);
      await toggle(); // …and stopping frees every tensor the runs made.
      await stopped();
      idleCounts.push(await workerTensors(page));
      await setRange(page, "bottleneck", 64);
    }
    expect(idleCounts).toEqual(idleCounts.map(() => idle));
    await page.context().close();
  });

  it("with WebGL disabled the page trains on wasm and says so; ?backend=cpu is obeyed", async () => {
    const noGL = await launch(["--disable-webgl", "--disable-3d-apis"]);
    try {
      const {page} = await openPage(noGL, site.url + "autoencoder/");
      await waitForStep(page, 1);
      expect((await status(page))!.backend).toBe("wasm");
      const backend = await page.evaluate(async () => (await ((await (globalThis as any).__lectern.main.value("trainerBackend"))())));
      expect(backend.name).toBe("wasm");
      expect(backend.note).toMatch(/WebGL/);
      await page.context().close();
      const forced = await openPage(noGL, site.url + "autoencoder/?backend=cpu");
      await waitForStep(forced.page, 1);
      expect((await status(forced.page))!.backend).toBe("cpu");
      await forced.page.context().close();
    } finally {
      await noGL.close();
    }
  });
});
