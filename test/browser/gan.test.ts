// Lesson 7 in Chromium, on the real course: the page runs clean and trains nothing before Play; the
// 1-D explorer's sliders reach V(D*, G) (−log 4 at p_g = p_data); the GAN trains in the worker (no
// main-thread task over 250 ms), its samples move toward the ring (mean distance to the nearest
// centre falls) and cover the 8 modes; the loss switch and the freeze take effect mid-run, in the
// same run; the data menu reaches the plane; repeated runs leave no tensor behind in the worker.
import {afterAll, beforeAll, describe, expect, test} from "vitest";
import type {Page} from "playwright-core";
import {openLesson, cellStates, pageProblems, setRange, type PageWatch, type OpenLesson} from "./harness.js";

let lesson: OpenLesson;
let watch: PageWatch;
let page: Page;

beforeAll(async () => {
  lesson = await openLesson("gan");
  ({watch, page} = lesson);
});
afterAll(() => lesson?.close());

interface RunState {
  run: number;
  step: number;
  elapsed: number;
  stepsPerSec: number;
  discriminator: number;
  minimax: number;
  frozen: number;
  paused: boolean;
}
const runState = () =>
  page.evaluate(async () => {
    const s = await (globalThis as any).__lectern.main.value("ganRun");
    if (!s) return null;
    return {run: s.run, step: s.step, elapsed: s.elapsed, stepsPerSec: s.stepsPerSec, discriminator: s.losses?.discriminator, minimax: s.extras?.minimax, frozen: s.extras?.frozen, paused: s.paused};
  }) as Promise<RunState | null>;
const label = (id: string) => page.$eval(`[data-cell="${id}"]`, (e) => [...e.querySelectorAll("[aria-label]")].map((n) => n.getAttribute("aria-label")).join(" | ") + " | " + e.textContent);
const tensorCount = () => page.evaluate(async () => (await (globalThis as any).__lectern.main.value("tensorCount"))()) as Promise<{worker: number}>;
/** The plane's caption, parsed: modes covered, % within 3σ, mean distance to the nearest centre. */
const planeNumbers = async () => {
  const text = await label("plane");
  const m = text.match(/At step (\d+): (\d+) of (\d+) modes covered, (\d+) % of generated points within 3σ of a centre, mean distance to the nearest centre (\d+\.\d+)/);
  return m ? {step: Number(m[1]), covered: Number(m[2]), modes: Number(m[3]), quality: Number(m[4]) / 100, distance: Number(m[5])} : null;
};

/** Polls the page until `check` holds (page.waitForFunction treats an async predicate's promise as true at once). */
async function until(check: () => Promise<boolean>, timeout: number, what: string): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(200);
  }
}
const snap = () => page.evaluate(async () => {
  const s = await (globalThis as any).__lectern.main.value("ganRun");
  return s ? {step: s.step as number, minimax: s.extras?.minimax as number, frozen: s.extras?.frozen as number, samples: Array.from((s.extras?.samples ?? []).slice(0, 20)) as number[]} : undefined;
});

describe("the gan lesson", () => {
  test("loads clean and trains nothing before Play", async () => {
    expect(await pageProblems(watch)).toEqual([]);
    expect(Object.keys(await cellStates(page)).length).toBeGreaterThan(12);
    expect(await runState()).toBeNull();
    expect(await label("plane")).toMatch(/Before training/);
    expect(await label("progressLine")).toMatch(/Press Play/);
  });

  test("the 1-D explorer: the generator's sliders move V(D*, G), which reaches −log 4 only at p_g = p_data", async () => {
    const before = await label("gamePicture");
    await setRange(page, "gCentre", 0);
    await setRange(page, "gSeparation", 1.5);
    await setRange(page, "gSpread", 0.5);
    await page.waitForFunction(() => document.querySelector('[data-cell="gamePicture"]')?.textContent?.includes("V(D*, G) = -1.386"), null, {timeout: 20_000});
    const at = await label("gamePicture");
    expect(at).not.toEqual(before);
    expect(at).toMatch(/JSD\(p_data ‖ p_g\) = 0\.000/);
    await setRange(page, "gCentre", 1.5);
    await page.waitForFunction(() => !document.querySelector('[data-cell="gamePicture"]')?.textContent?.includes("V(D*, G) = -1.386"), null, {timeout: 20_000});
    const value = Number((await label("gamePicture")).match(/V\(D\*, G\) = (-?[\d.]+)/)![1]);
    expect(value).toBeGreaterThan(-Math.log(4) + 0.05);
  });

  test("Play trains in the worker: samples move to the ring and cover its 8 modes; the switch and the freeze act mid-run; the page never blocks 250 ms", async () => {
    await page.evaluate(() => {
      (globalThis as any).__longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => (globalThis as any).__longTasks.push(e.duration))).observe({type: "longtask", buffered: false});
    });
    const before = (await tensorCount()).worker;
    await page.click('[data-cell="ganRun"] button[aria-label="Play"]');
    await until(async () => ((await snap())?.step ?? 0) > 0, 60_000, "a first step");
    await page.waitForFunction(() => /At step \d+:/.test(document.querySelector('[data-cell="plane"]')?.textContent ?? ""), null, {timeout: 30_000});
    const first = (await planeNumbers())!;
    // Until the target: all 8 modes and ≥ 90 % within 3σ (or a generous deadline; the seconds are logged).
    let now = first, state = await runState(), coveredAt: {step: number; elapsed: number} | undefined, bestQuality = 0;
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      await page.waitForTimeout(500);
      now = (await planeNumbers()) ?? now;
      state = await runState();
      if (!coveredAt && now.covered === 8) coveredAt = {step: now.step, elapsed: state!.elapsed};
      bestQuality = Math.max(bestQuality, now.quality);
      if (coveredAt && now.quality >= 0.9) break;
    }
    const longTasks = (await page.evaluate(() => (globalThis as any).__longTasks)) as number[];
    console.log(`GAN in Chromium: ${now.covered} of 8 modes at step ${now.step}${coveredAt ? `; all 8 first covered at step ${coveredAt.step} after ${(coveredAt.elapsed / 1000).toFixed(1)} s` : ""}; ${(100 * now.quality).toFixed(0)} % within 3σ (best ${(100 * bestQuality).toFixed(0)} %) after ${((state?.elapsed ?? 0) / 1000).toFixed(1)} s; ${state?.stepsPerSec.toFixed(0)} steps/s; L_D ${state?.discriminator.toFixed(3)}; distance ${first.distance} → ${now.distance}; longest main-thread task ${Math.round(Math.max(0, ...longTasks))} ms`);
    expect(now.distance).toBeLessThan(first.distance / 2);
    expect(coveredAt).toBeDefined();
    expect(state!.discriminator).toBeGreaterThan(1.1);
    expect(state!.discriminator).toBeLessThan(1.6);
    expect(state!.minimax).toBe(0);

    // The switch reaches the running model: the same run (no reset) reports minimax from then on.
    const runBefore = state!.run, stepBefore = state!.step;
    await page.click('[data-cell="generatorLossChoice"] input[value="1"]');
    await until(async () => {
      const now = await snap();
      return now?.minimax === 1 && now.step > stepBefore + 10;
    }, 30_000, "the minimax loss in the running model");
    state = await runState();
    expect(state!.run).toBe(runBefore);
    expect(state!.step).toBeGreaterThan(stepBefore);
    // Freezing G: D keeps learning, G's points stop moving.
    await page.click('[data-cell="freezeChoice"] input[type=checkbox]');
    await until(async () => (await snap())?.frozen === 1, 20_000, "the frozen generator");
    // The first frozen snapshot may still hold the last unfrozen step's points: start from the next one.
    const frozenStep = (await snap())!.step;
    await until(async () => ((await snap())?.step ?? 0) > frozenStep, 20_000, "a frozen step");
    const frozen = (await snap())!;
    await until(async () => ((await snap())?.step ?? 0) > frozen.step + 20, 30_000, "more frozen steps");
    const frozenSamples = frozen.samples;
    const later = (await snap())!.samples;
    expect(later).toEqual(frozenSamples);
    expect(await label("dynamics")).toMatch(/generator gradient norm/);
    const longest = Math.max(0, ...((await page.evaluate(() => (globalThis as any).__longTasks)) as number[]));
    expect(longest).toBeLessThan(250);
    await page.click('[data-cell="freezeChoice"] input[type=checkbox]');
    await page.click('[data-cell="generatorLossChoice"] input[value="0"]');

    // Repeated runs free their tensors: reset, run again, reset.
    await page.click('[data-cell="ganRun"] button[aria-label="Pause"]');
    await page.click('[data-cell="ganRun"] button[aria-label="Reset to the initial weights"]');
    await until(async () => (await snap()) === undefined, 20_000, "the reset");
    await page.click('[data-cell="ganRun"] button[aria-label="Play"]');
    await until(async () => ((await snap())?.step ?? 0) > 50, 60_000, "50 steps of the second run");
    await page.click('[data-cell="ganRun"] button[aria-label="Pause"]');
    await page.click('[data-cell="ganRun"] button[aria-label="Reset to the initial weights"]');
    await until(async () => (await snap()) === undefined, 20_000, "the reset");
    await page.waitForTimeout(500);
    expect((await tensorCount()).worker).toBe(before);
    expect(await pageProblems(watch)).toEqual([]);
  }, 360_000);

  test("the data menu reaches the plane (9 modes for the grid)", async () => {
    await page.selectOption('[data-cell="targetName"] select', {label: "3 × 3 grid of Gaussians"});
    await page.click('[data-cell="ganRun"] button[aria-label="Train one step"]');
    await page.waitForFunction(() => /of 9 modes covered/.test(document.querySelector('[data-cell="plane"]')?.textContent ?? ""), null, {timeout: 60_000});
    await page.click('[data-cell="ganRun"] button[aria-label="Reset to the initial weights"]');
    expect(await pageProblems(watch)).toEqual([]);
  }, 120_000);
});
