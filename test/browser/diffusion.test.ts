// Lesson 8 in Chromium, on the real course: the page runs clean and trains nothing on load; the
// forward t slider and the data set reach the forward plot; Play trains the noise predictor in the
// worker (no main-thread task over 250 ms), the loss falls from ~2, the worker's samples move
// toward the data (the sliced Wasserstein distance falls far below the untrained model's), the
// reverse scrubber reaches its plot; re-running and resetting leak no tensor in the worker.
import {afterAll, beforeAll, describe, expect, test} from "vitest";
import type {Page} from "playwright-core";
import {openLesson, cellStates, pageProblems, setRange, waitUntil, type PageWatch, type OpenLesson} from "./harness.js";

let lesson: OpenLesson;
let watch: PageWatch;
let page: Page;

beforeAll(async () => {
  lesson = await openLesson("diffusion");
  ({watch, page} = lesson);
});
afterAll(() => lesson?.close());

interface Sampled {
  step: number;
  loss: number;
  firstLoss: number;
  sampledAt: number;
  distance: number;
  untrained: number;
  noise: number;
  floor: number;
  modes: number;
  sampleMs: number;
  stepsPerSec: number;
  elapsed: number;
}
const state = () =>
  page.evaluate(async () => {
    const main = (globalThis as any).__lectern.main;
    const s = await main.value("diffRun");
    if (!s) return null;
    const e = s.extras ?? {};
    return {step: s.step, loss: s.loss, firstLoss: s.history[0]?.loss, sampledAt: e.sampledAt, distance: e.distance, untrained: e.untrainedDistance, noise: e.noiseDistance, floor: e.dataFloor, modes: e.modesCovered, sampleMs: e.sampleMs, stepsPerSec: s.stepsPerSec, elapsed: s.elapsed};
  }) as Promise<Sampled | null>;
const label = (id: string) => page.$eval(`[data-cell="${id}"]`, (e) => [...e.querySelectorAll("[aria-label]")].map((n) => n.getAttribute("aria-label")).join(" | ") + " | " + e.textContent);
const tensorCount = () => page.evaluate(async () => (await (globalThis as any).__lectern.main.value("tensorCount"))()) as Promise<{worker: number}>;
const changes = (id: string, before: string) =>
  page.waitForFunction(([id, before]) => {
    const e = document.querySelector(`[data-cell="${id}"]`)!;
    return [...e.querySelectorAll("[aria-label]")].map((n) => n.getAttribute("aria-label")).join(" | ") + " | " + e.textContent !== before;
  }, [id, before] as const, {timeout: 20_000});

describe("the diffusion lesson", () => {
  test("loads clean, trains nothing before Play; the t slider and the data set drive the forward plot", async () => {
    expect(await pageProblems(watch)).toEqual([]);
    const states = await cellStates(page);
    expect(Object.values(states).filter((s) => s === "rejected")).toEqual([]);
    expect(Object.keys(states).length).toBeGreaterThan(8);
    expect(await state()).toBeNull();
    expect(await label("reverse")).toMatch(/Press Play/);

    const before = await label("forward");
    expect(before).toMatch(/t = 100\b/);
    await setRange(page, "forwardT", 1000);
    await changes("forward", before);
    expect(await label("forward")).toMatch(/t = 1000: mean √ᾱ_t x₀ = 0\.006 x₀, standard deviation √\(1 − ᾱ_t\) = 1\.000/);
    expect(await label("forward")).toMatch(/ᾱ_t = 4\.04e-5/);

    const ring = await label("forward");
    await page.selectOption('[data-cell="toy"] select', {label: "two moons"});
    await changes("forward", ring);
    await page.selectOption('[data-cell="toy"] select', {label: "ring of 8 Gaussians"});
    await setRange(page, "forwardT", 100);
    expect(await pageProblems(watch)).toEqual([]);
  }, 60_000);

  test("Play trains in the worker: the loss falls from ~2, the samples move toward the data; the page never blocks 250 ms", async () => {
    await page.evaluate(() => {
      (globalThis as any).__longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => (globalThis as any).__longTasks.push(e.duration))).observe({type: "longtask", buffered: false});
    });
    const before = (await tensorCount()).worker;
    await page.click('[data-cell="diffRun"] button[aria-label="Play"]');
    // The untrained model's samples come first; they fly off (distance in the hundreds).
    await waitUntil(page, async () => (await (globalThis as any).__lectern.main.value("sampling"))?.sampledAt === 0, null, {timeout: 60_000});
    expect(await label("reverse")).toMatch(/untrained model/);
    let s: Sampled | null = null;
    const until = Date.now() + 200_000;
    while (Date.now() < until) {
      s = await state();
      // Trained enough, and sampled after it: well under a tenth of the noise's own distance.
      if (s && s.sampledAt > 0 && s.distance < s.noise / 4 && (s.modes ?? 0) === 8) break;
      await page.waitForTimeout(1000);
    }
    const longTasks = (await page.evaluate(() => (globalThis as any).__longTasks)) as number[];
    console.log(`diffusion in Chromium: step ${s?.step}, ${((s?.elapsed ?? 0) / 1000).toFixed(1)} s of training, ${s?.stepsPerSec.toFixed(0)} steps/s; loss ${s?.firstLoss?.toFixed(3)} → ${s?.loss.toFixed(3)}; sliced W1 ${s?.distance.toFixed(3)} at step ${s?.sampledAt} vs untrained ${s?.untrained.toFixed(1)}, noise ${s?.noise.toFixed(3)}, data floor ${s?.floor.toFixed(3)}; modes ${s?.modes}; sampling 1,000 points ${((s?.sampleMs ?? 0) / 1000).toFixed(1)} s; longest main-thread task ${Math.round(Math.max(0, ...longTasks))} ms`);
    expect(s!.firstLoss).toBeGreaterThan(1.5);
    expect(s!.loss).toBeLessThan(s!.firstLoss * 0.5);
    expect(s!.sampledAt).toBeGreaterThan(0);
    expect(s!.distance).toBeLessThan(s!.untrained / 100);
    expect(s!.distance).toBeLessThan(s!.noise / 4);
    expect(s!.modes).toBe(8);
    expect(Math.max(0, ...longTasks)).toBeLessThan(250);
    expect(await label("distance")).toMatch(/Modes of the ring covered: 8 of 8/);

    // The reverse scrubber reaches its plot.
    await page.click('[data-cell="diffRun"] button[aria-label="Pause"]');
    const atZero = await label("reverse");
    expect(atZero).toMatch(/at t = 0\b/);
    await setRange(page, "reverseT", 500);
    await changes("reverse", atZero);
    expect(await label("reverse")).toMatch(/at t = 500\b/);

    // Re-run from fresh weights, then reset: the worker frees every run.
    await page.click('[data-cell="diffRun"] button[aria-label="Reset to the initial weights"]');
    await waitUntil(page, async () => (await (globalThis as any).__lectern.main.value("diffRun")) === undefined, null, {timeout: 20_000});
    await page.click('[data-cell="diffRun"] button[aria-label="Play"]');
    await waitUntil(page, async () => ((await (globalThis as any).__lectern.main.value("diffRun"))?.step ?? 0) > 20, null, {timeout: 60_000});
    await page.click('[data-cell="diffRun"] button[aria-label="Pause"]');
    await page.click('[data-cell="diffRun"] button[aria-label="Reset to the initial weights"]');
    await waitUntil(page, async () => (await (globalThis as any).__lectern.main.value("diffRun")) === undefined, null, {timeout: 20_000});
    // The worker frees a run when it is next free: a sampling in flight (a few seconds) finishes first.
    await expect.poll(async () => (await tensorCount()).worker, {timeout: 20_000}).toBe(before);
    expect(await pageProblems(watch)).toEqual([]);
  }, 300_000);
});
