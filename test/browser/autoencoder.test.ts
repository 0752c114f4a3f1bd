// Lesson 4 in Chromium, on the built course: the page runs clean; the bottleneck, hidden width,
// output/loss and optimizer reach the model the worker builds; the 16-unit model trains in the
// worker (loss falls, test MSE reaches 0.025, no long main-thread task); a re-run leaks no tensor;
// with a 2-unit bottleneck the latent plane fills and a clicked point is decoded.
import {afterAll, beforeAll, describe, expect, test} from "vitest";
import type {Page} from "playwright-core";
import {openLesson, cellStates, pageProblems, setRange, waitUntil, type PageWatch, type OpenLesson} from "./harness.js";

let lesson: OpenLesson;
let watch: PageWatch;
let page: Page;

beforeAll(async () => {
  lesson = await openLesson("autoencoder");
  ({watch, page} = lesson);
}, 180_000);
afterAll(() => lesson?.close());

const text = (id: string) => page.$eval(`[data-cell="${id}"]`, (e) => e.textContent ?? "");
const article = () => page.$eval("article", (e) => e.textContent ?? "");
const spec = () => page.evaluate(async () => {
  const m = (await (globalThis as any).__lectern.main.value("model")) as {countParams(): number; layers: {args: {activation?: string}}[]; compiled: {optimizer: string; loss: string; learningRate?: number}};
  return {params: m.countParams(), last: m.layers[3]!.args.activation, ...m.compiled};
});
const trainerValue = () => page.evaluate(() => {
  const el = document.querySelector('[data-cell="ae-trainer"] .lectern-trainer') as any;
  return el?.value ? {step: el.value.step, history: el.value.history.map((p: {loss: number}) => p.loss), params: el.value.info.params, backend: el.value.info.backend, elapsed: el.value.elapsed} : null;
});
const stopRun = () => page.evaluate(async () => {
  const el = document.querySelector('[data-cell="ae-trainer"] .lectern-trainer') as any;
  const run = el.run;
  if (!run) return null;
  (el.querySelector(".lt-play") as HTMLButtonElement).click(); // pause
  (el.querySelector(".lt-reset") as HTMLButtonElement).click();
  return run.ended as Promise<{reason: string; numTensors: number}>;
});

describe("the autoencoder lesson", () => {
  test("loads with no console error and no rejected cell; the slides' two models are counted", async () => {
    expect(Object.keys(await cellStates(page)).length).toBeGreaterThan(10);
    expect(await pageProblems(watch)).toEqual([]);
    const body = await article();
    expect(body).toContain("218,192 parameters");
    expect(body).toContain("103,328 parameters");
  });

  test("each input reaches the model: bottleneck and width change the count, output the last layer and loss, optimizer its rate", async () => {
    expect(await spec()).toMatchObject({params: 103_328, last: "sigmoid", loss: "binaryCrossentropy", optimizer: "adam"});
    await page.click('[data-cell="hidden"] label:text-is("128")');
    await setRange(page, "bottleneck", 64);
    await page.waitForFunction(() => document.querySelector("article")!.textContent!.includes("784-128-64-128-784, has 218,192 parameters"));
    await page.click('[data-cell="output"] label:has-text("linear + MSE")');
    await waitUntil(page, async () => ((await (globalThis as any).__lectern.main.value("model")).compiled.loss === "meanSquaredError"));
    expect(await spec()).toMatchObject({last: "linear", loss: "meanSquaredError"});
    await page.click('[data-cell="optimizer"] label:has-text("tf.train.adadelta default")');
    await waitUntil(page, async () => ((await (globalThis as any).__lectern.main.value("model")).compiled.optimizer === "adadelta"));
    expect(await spec()).toMatchObject({optimizer: "adadelta", learningRate: 0.001});
    // Back to the 16-unit model, Adam, sigmoid + BCE.
    await page.click('[data-cell="hidden"] label:text-is("64")');
    await setRange(page, "bottleneck", 16);
    await page.click('[data-cell="output"] label:has-text("sigmoid + BCE")');
    await page.click('[data-cell="optimizer"] label:has-text("adam")');
    await waitUntil(page, async () => (await (globalThis as any).__lectern.main.value("model")).countParams() === 103_328 && (await (globalThis as any).__lectern.main.value("model")).compiled.optimizer === "adam");
    expect(Object.values(await cellStates(page))).not.toContain("rejected");
  });

  test("the 16-unit model trains in the worker: loss falls, test MSE reaches 0.025, no long main-thread task, no tensor left behind", async () => {
    await page.evaluate(() => {
      (window as any).__longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => (window as any).__longTasks.push(e.duration))).observe({type: "longtask"});
    });
    await page.click('[data-cell="ae-trainer"] .lt-play');
    // The 0.025 target is asserted by training steps, not seconds (about 900 steps here; the
    // seconds it took are logged for the closing note, and the bench's business).
    await page.waitForFunction(() => /reached a test MSE of 0.025 or less/.test(document.querySelector("article")!.textContent!), null, {timeout: 240_000, polling: 500});
    const value = (await trainerValue())!;
    const reached = /after ([\d.]+) s of training \(step (\d+)\)/.exec(await article());
    expect(reached).not.toBeNull();
    const longest = await page.evaluate(() => Math.max(0, ...(window as any).__longTasks));
    console.log(`autoencoder 784-64-16-64-784, adam, sigmoid + BCE (${value.backend}): ${reached ? `test MSE ≤ 0.025 after ${reached[1]} s (step ${reached[2]})` : "test MSE not yet ≤ 0.025"}; ${(value.elapsed / 1000).toFixed(1)} s, step ${value.step}; ${await text("ae-errors")}; longest main-thread task ${longest.toFixed(0)} ms`);
    const [modelMse, meanMse] = [...(await text("ae-errors")).matchAll(/(\d\.\d{4})/g)].map((m) => Number(m[1]));
    expect(modelMse).toBeLessThan(meanMse! / 2);
    expect(value.params).toBe(103_328);
    expect(value.history.at(-1)).toBeLessThan(value.history[0] / 2);
    expect(longest).toBeLessThan(250);
    expect(await page.$$eval('[data-cell="ae-grid"] canvas', (c) => c.length)).toBe(20);
    const first = await stopRun();
    expect(first?.reason).toBe("stopped");
    await page.click('[data-cell="ae-trainer"] .lt-play');
    await page.waitForFunction(() => ((document.querySelector('[data-cell="ae-trainer"] .lectern-trainer') as any).value?.step ?? 0) > 5, null, {timeout: 30_000});
    const second = await stopRun();
    expect(second?.numTensors).toBe(first?.numTensors);
  }, 300_000);

  test("a 2-unit bottleneck fills the latent plane, separates digits, and decodes a clicked point", async () => {
    await setRange(page, "bottleneck", 2);
    await page.waitForFunction(() => /needs a 2-unit bottleneck|Train the 2-unit model/.test(document.querySelector('[data-cell="decoded"]')?.textContent ?? ""));
    await page.click('[data-cell="ae-trainer"] .lt-play');
    await page.waitForFunction(() => ((document.querySelector('[data-cell="ae-trainer"] .lectern-trainer') as any).value?.epoch ?? 0) >= 2, null, {timeout: 120_000, polling: 500});
    await page.click('[data-cell="ae-trainer"] .lt-play'); // pause: the plane stops moving
    await page.waitForFunction(() => /labels \d+ %/.test(document.querySelector('[data-cell="decoded"]')?.textContent ?? ""));
    const accuracy = Number(/labels (\d+) %/.exec(await text("decoded"))![1]);
    console.log(`2-unit latent plane: nearest-centroid accuracy ${accuracy} %`);
    expect(accuracy).toBeGreaterThan(30);
    const before = await text("decoded");
    // A locator, not a handle: a last snapshot of the paused run may still redraw the plane, and
    // the click scrolls it on screen (a mouse click at page coordinates lands only where it is shown).
    const plane = page.locator('[data-cell="latent-picker"] svg.latent-plane');
    // Its size through evaluate, which waits for an attached plane (boundingBox() gave null once,
    // in a clean-clone CI run, when it caught the plane between two draws).
    const b = await plane.evaluate((svg) => ({width: svg.getBoundingClientRect().width, height: svg.getBoundingClientRect().height}));
    await plane.click({position: {x: b.width * 0.3, y: b.height * 0.4}});
    await page.waitForFunction((before) => document.querySelector('[data-cell="decoded"]')?.textContent !== before, before);
    expect(before).toContain("z = (0.00, 0.00)");
    expect(await text("decoded")).not.toContain("z = (0.00, 0.00)");
    // The keyboard path: a slider moves the point too.
    const afterClick = await text("decoded");
    await page.focus('[data-cell="latent-picker"] input[aria-label="latent code z₁"]');
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction((prev) => document.querySelector('[data-cell="decoded"]')?.textContent !== prev, afterClick);
    await stopRun();
    expect(Object.values(await cellStates(page))).not.toContain("rejected");
    expect(watch.consoleErrors).toEqual([]);
  }, 200_000);
});
