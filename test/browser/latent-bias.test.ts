// Lesson 5 in Chromium, on the built course: the page runs clean and trains nothing before a press;
// the rare digit and its share reach the training mix; the judge and the autoencoder train in the
// worker (loss falls, no long main-thread task); re-runs leak no tensor; the sweep button measures
// the per-class error table, and the rare digit's error rises as its share falls.
import {afterAll, beforeAll, describe, expect, test} from "vitest";
import type {Page} from "playwright-core";
import {openLesson, cellStates, pageProblems, setRange, waitUntil, type PageWatch, type OpenLesson} from "./harness.js";

let lesson: OpenLesson;
let watch: PageWatch;
let page: Page;

beforeAll(async () => {
  lesson = await openLesson("latent-bias");
  ({watch, page} = lesson);
}, 180_000);
afterAll(() => lesson?.close());

const text = (id: string) => page.$eval(`[data-cell="${id}"]`, (e) => e.textContent ?? "");
const mixNow = () => page.evaluate(async () => (await (globalThis as any).__lectern.main.value("data")).perDigit as number[]);
const tensorCount = () => page.evaluate(async () => (await (globalThis as any).__lectern.main.value("tensorCount"))()) as Promise<{worker: number}>;
const trainerValue = (id: string) => page.evaluate((id) => {
  const el = document.querySelector(`[data-cell="${id}"] .lectern-trainer`) as any;
  return el?.value ? {step: el.value.step, final: !!el.value.final, history: el.value.history.map((p: {loss: number}) => p.loss), elapsed: el.value.elapsed, backend: el.value.info.backend} : null;
}, id);
const stopRun = (id: string) => page.evaluate(async (id) => {
  const el = document.querySelector(`[data-cell="${id}"] .lectern-trainer`) as any;
  const run = el.run;
  if (!run) return null;
  if (!run.paused) (el.querySelector(".lt-play") as HTMLButtonElement).click(); // pause
  (el.querySelector(".lt-reset") as HTMLButtonElement).click();
  return run.ended as Promise<{reason: string; numTensors: number}>;
}, id);
const watchLongTasks = () => page.evaluate(() => {
  (window as any).__longTasks = [];
  new PerformanceObserver((list) => list.getEntries().forEach((e) => (window as any).__longTasks.push(e.duration))).observe({type: "longtask"});
});
const longestTask = () => page.evaluate(() => Math.max(0, ...(window as any).__longTasks));

describe("the latent-bias lesson", () => {
  test("loads with no console error and no rejected cell; nothing trains before a press", async () => {
    expect(Object.keys(await cellStates(page)).length).toBeGreaterThan(10);
    expect(await pageProblems(watch)).toEqual([]);
    expect(await text("sweep-status")).toMatch(/Not run yet/);
    expect(await trainerValue("mix-trainer")).toBeNull();
    expect(await trainerValue("judge-trainer")).toBeNull();
  });

  test("the rare digit and its share set the training mix, its plot and the model's data", async () => {
    expect((await mixNow())[7]).toBe(45); // 1 % of 4,500
    const label = () => page.$eval('[data-cell="mix-plot"] svg', (s) => s.getAttribute("aria-label") ?? "");
    const before = await label();
    await setRange(page, "share", 5);
    await page.waitForFunction((before) => document.querySelector('[data-cell="mix-plot"] svg')?.getAttribute("aria-label") !== before, before);
    expect((await mixNow())[7]).toBe(225);
    expect(await label()).toMatch(/225 7s \(5 %\)/);
    await page.selectOption('[data-cell="rare"] select', "3");
    await waitUntil(page, async () => ((await (globalThis as any).__lectern.main.value("data")).perDigit[3] === 225));
    expect((await mixNow())[7]).toBe(475);
    await page.selectOption('[data-cell="rare"] select', "7");
    await setRange(page, "share", 0);
    await waitUntil(page, async () => ((await (globalThis as any).__lectern.main.value("data")).perDigit[7] === 0));
    expect(Object.values(await cellStates(page))).not.toContain("rejected");
  });

  test("the judge and the autoencoder train in the worker: losses fall, 7s are misread, no long main-thread task, no tensor left behind", async () => {
    await watchLongTasks();
    const before = (await tensorCount()).worker;
    await page.click('[data-cell="judge-trainer"] .lt-play');
    await page.waitForFunction(() => /reads [\d.]+ % of the 500 balanced test digits right \(step \d+, done\)/.test(document.querySelector('[data-cell="judge-status"]')?.textContent ?? ""), null, {timeout: 240_000, polling: 500});
    const judge = Number(/reads ([\d.]+) %/.exec(await text("judge-status"))![1]);
    expect(judge).toBeGreaterThan(88);
    // At 100 steps/s, paused at step 600 (of the lesson's 800) as soon as it is seen: flat out on a
    // quiet machine the run finished during the checks below (800 steps in about 1 s), and a
    // finished run cannot be stopped.
    await page.selectOption('[data-cell="mix-trainer"] select', {label: "100 steps/s"});
    await page.click('[data-cell="mix-trainer"] .lt-play');
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-cell="mix-trainer"] .lectern-trainer') as any;
      if ((el.value?.step ?? 0) < 600) return false;
      if (!el.run.paused) (el.querySelector(".lt-play") as HTMLButtonElement).click();
      return true;
    }, null, {timeout: 300_000, polling: 100});
    const value = (await trainerValue("mix-trainer"))!;
    expect(value.history.at(-1)).toBeLessThan(value.history[0] * 0.6);
    const verdict = await text("live-verdict");
    console.log(`latent-bias, 0 % 7s, step ${value.step} (${value.backend}, ${(value.elapsed / 1000).toFixed(1)} s): ${verdict.replace(/\s+/g, " ")}; judge ${judge} %; longest main-thread task ${(await longestTask()).toFixed(0)} ms`);
    const [rareMse, othersMse] = [...verdict.matchAll(/MSE\s+(\d\.\d{4})|with (\d\.\d{4})/g)].map((m) => Number(m[1] ?? m[2]));
    expect(rareMse).toBeGreaterThan(othersMse!);
    // The judge misreads the reconstructed 7s far more often than the 7s themselves (the lesson's
    // sweep measured 38 % against 6 % at 800 steps).
    const misread = Number(/reads (\d+) % of the 50 reconstructed/.exec(verdict)![1]);
    const misreadOriginals = Number(/reads (\d+) % of the originals wrong/.exec(verdict)![1]);
    expect(misread).toBeGreaterThan(3 * Math.max(misreadOriginals, 5));
    expect(await page.$$eval('[data-cell="rare-grid"] canvas', (c) => c.length)).toBe(20);
    const classLabel = await page.$eval('[data-cell="class-errors"] svg', (s) => s.getAttribute("aria-label"));
    expect(classLabel).toMatch(/the 7s \(0 % of training\)/);
    expect(await longestTask()).toBeLessThan(250);
    const first = await stopRun("mix-trainer");
    expect(first?.reason).toBe("stopped");
    await page.click('[data-cell="mix-trainer"] .lt-play');
    await page.waitForFunction(() => ((document.querySelector('[data-cell="mix-trainer"] .lectern-trainer') as any).value?.step ?? 0) > 5, null, {timeout: 60_000});
    const second = await stopRun("mix-trainer");
    expect(second?.numTensors).toBe(first?.numTensors);
    expect((await tensorCount()).worker).toBe(before);
  }, 600_000);

  test("the sweep button measures the per-class error table at the lesson's 800 steps per share: the numbers the prose states, the 7s' error rising and misread more as their share falls", async () => {
    await watchLongTasks();
    const before = (await tensorCount()).worker;
    // The lesson's default budget (800 steps per share), so the table can be held to the numbers
    // the prose reports from one sweep (about 20 s with Lectern's kernels on this machine).
    expect(await page.$eval('[data-cell="sweep-steps"] input:checked', (i) => i.parentElement!.textContent)).toMatch(/800/);
    const t0 = Date.now();
    await page.click('[data-cell="sweep-button"] button');
    await page.waitForFunction(() => /Done/.test(document.querySelector('[data-cell="sweep-status"]')?.textContent ?? ""), null, {timeout: 400_000, polling: 1000});
    const seconds = (Date.now() - t0) / 1000;
    const rows = await page.$$eval('[data-cell="sweep-table"] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => c.textContent!.trim())));
    console.log(`latent-bias sweep: ${seconds.toFixed(0)} s (${await text("sweep-status")}); longest main-thread task ${(await longestTask()).toFixed(0)} ms\n` + rows.map((r) => r.join(" | ")).join("\n"));
    expect(rows.length).toBe(4);
    expect(await text("sweep-table")).toMatch(/after 800 training steps per share/);
    const rareError = rows.map((r) => Number(r[1 + 7])); // columns: share, then digits 0…9
    const othersMean = rows.map((r) => Number(r.at(-2)));
    const misread = rows.map((r) => Number(/(\d+) %/.exec(r.at(-1)!)![1]));
    // notebooks/latent-bias.md, "What the sweep measured": 0.0207, 0.0275, 0.0292 and 0.0350 for
    // shares of 10, 3, 1 and 0 %, the others' mean at 0.026; misread 10, 14, 20 and 38 %. Relaxed
    // SIMD may differ in the last bits across CPUs, so each is held within a margin.
    [0.0207, 0.0275, 0.0292, 0.035].forEach((e, i) => expect(Math.abs(rareError[i]! - e)).toBeLessThan(0.003));
    othersMean.forEach((e) => expect(Math.abs(e - 0.026)).toBeLessThan(0.002));
    [10, 14, 20, 38].forEach((m, i) => expect(Math.abs(misread[i]! - m)).toBeLessThanOrEqual(8));
    expect(rareError[3]).toBeGreaterThan(rareError[0]! * 1.4);
    expect(misread[3]).toBeGreaterThan(misread[0]! + 20);
    expect(await page.$eval('[data-cell="sweep-plot"] svg[aria-label]', (s) => s.getAttribute("aria-label"))).toMatch(/at 0 % the 7s/);
    expect(await longestTask()).toBeLessThan(250);
    expect((await tensorCount()).worker).toBe(before);
    expect(await pageProblems(watch)).toEqual([]);
  }, 420_000);
});
