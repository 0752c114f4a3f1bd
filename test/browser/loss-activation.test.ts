// Lesson 3 in Chromium, on the real course: the page runs clean; the four learning-rate regimes
// come out as the unit tests say (here on the browser's backend, in the training worker); every
// input reaches what depends on it; training lowers the loss; re-running leaks no tensor.
import {afterAll, beforeAll, describe, expect, test} from "vitest";
import type {Page} from "playwright-core";
import {openLesson, cellStates, openPage, setRange, settle, type PageWatch, type OpenLesson} from "./harness.js";
import {REGIMES} from "../../cells/regimes.js";

let lesson: OpenLesson;
let watch: PageWatch;
let page: Page;

beforeAll(async () => {
  lesson = await openLesson("loss-activation");
  ({watch, page} = lesson);
});
afterAll(() => lesson?.close());

/** A cell's current value (the latest a generator yielded), copied out of the page. */
const value = <T>(name: string) => page.evaluate(async (n) => JSON.parse(JSON.stringify(await (globalThis as any).__lectern.main.value(n))), name) as Promise<T>;
/** Polls a cell's value until `done` says so (training runs end when the worker gets to them). */
async function until<T>(name: string, done: (v: T) => boolean, timeout = 60_000): Promise<T> {
  await reach(name);
  const end = Date.now() + timeout;
  for (;;) {
    const v = await value<T>(name);
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`${name} did not get there: ${JSON.stringify(v).slice(0, 300)}`);
    await page.waitForTimeout(250);
  }
}
/** Scrolls a cell into view: the lesson's trainings start only when their section is reached. */
const reach = (id: string) => page.locator(`[data-cell="${id}"]`).scrollIntoViewIfNeeded();
type Curve = {steps: (number | null)[]; epochs: (number | null)[]; validation: number[]; reason?: string};
type Regime = {name: string; curve?: Curve; reading?: {shape: string}};
type Panel = {panel: {id: string}; curves: {curve?: Curve}[]};
const finished = (c: Curve | undefined) => Boolean(c?.reason);

/** Everything the cell shows: its text and every aria-label inside it. */
const shown = (id: string) => page.$eval(`[data-cell="${id}"]`, (e) => [...e.querySelectorAll("[aria-label]")].map((n) => n.getAttribute("aria-label")).join(" | ") + " | " + e.textContent);
/**
 * What a cell shows after `act` changes it. A cell that is still updating from an earlier run may
 * change before the act lands: `until` names what the new state must show, so the wait ends there.
 */
async function changes(id: string, act: () => Promise<unknown>, until?: string): Promise<string> {
  const before = await shown(id);
  await act();
  await page.waitForFunction(([id, before, until]) => {
    const e = document.querySelector(`[data-cell="${id}"]`)!;
    const now = [...e.querySelectorAll("[aria-label]")].map((n) => n.getAttribute("aria-label")).join(" | ") + " | " + e.textContent;
    return now !== before && (until === null || now.includes(until));
  }, [id, before, until ?? null] as const, {timeout: 20_000});
  return shown(id);
}
const clickRadio = (cell: string, text: string) => page.click(`[data-cell="${cell}"] label:has-text("${text}")`);
const tensorCount = () => page.evaluate(async () => (await (globalThis as any).__lectern.main.value("tensorCount"))()) as Promise<{page: number; worker: number}>;

describe("the loss-activation lesson", () => {
  test("loads with no console error, no rejected cell, nothing from another origin", async () => {
    // Only the first section's pair trainer runs on load; the curves further down wait to be reached.
    expect(await shown("validationView")).toContain("starts when you scroll here");
    const states = await cellStates(page);
    expect(Object.keys(states).length).toBeGreaterThan(40);
    expect(Object.entries(states).filter(([, s]) => s === "rejected")).toEqual([]);
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
  });

  test("the four learning rates give four distinct regimes, the shapes the unit tests found on cpu", async () => {
    const regimes = await until<Regime[]>("regimes", (rs) => rs.every((r) => finished(r.curve)));
    expect(regimes.map((r) => r.reading!.shape)).toEqual(REGIMES.map((r) => r.shape));
    expect(await shown("regimesView")).toMatch(/diverging\s*10\s*“diverges”\s*NaN \(step \d\)/);
  });

  test("the gallery's curves are real and read as their captions say; the overfitting panel finds its turn", async () => {
    const gallery = await until<Panel[]>("gallery", (ps) => ps.every((p) => p.curves.every((c) => finished(c.curve))), 80_000);
    expect(gallery.map((p) => p.panel.id)).toEqual(["healthy", "still-learning", "stopped", "jumps", "diverging", "overfitting"]);
    const text = await shown("galleryView");
    expect(text).toContain("Measured: “good”");
    expect(text).toContain("Measured: “flat”");
    expect(text).toContain("Measured: “diverges”");
    expect(text).toMatch(/Measured: validation loss lowest at epoch \d+/);
  });

  test("a training run lowers the loss: the explorer's default run and the pair trainer", async () => {
    const curve = await until<Curve>("yourCurve", finished);
    expect(curve.epochs).toHaveLength(40);
    expect(curve.epochs.at(-1)!).toBeLessThan(curve.steps[0]! / 10);
    const pair = await until<{loss: number; history: {loss: number}[]; final?: boolean}>("pairRun", (s) => Boolean(s?.final));
    expect(pair.loss).toBeLessThan(pair.history[0]!.loss / 2);
    expect(await shown("pairVerdict")).toMatch(/The cheatsheet's pair\.\s*After 40 epochs: Held-out accuracy (8\d|9\d)\.\d %/);
  });

  test("MAE beats MSE on outliers and MSLE beats MSE in ratio over three decades, trained on the page", async () => {
    const ratios = async () => {
      await until<(Curve | null)[]>("robustCurves", (cs) => cs.length === 2 && cs.every((c) => finished(c ?? undefined)));
      await page.waitForFunction(() => /Both runs finished/.test(document.querySelector('[data-cell="robustView"]')!.textContent!));
      return page.$$eval('[data-cell="robustView"] tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => Number(td.textContent))));
    };
    const [mse, mae] = await ratios();
    expect(mae![0]!).toBeLessThan(mse![0]! / 5); // RMSE on clean held-out points
    expect(await shown("robustView")).toMatch(/MAE/);
    await clickRadio("robustCase", "three decades");
    await page.waitForFunction(() => /MSLE/.test(document.querySelector('[data-cell="robustView"]')!.textContent!));
    const [mse2, msle] = await ratios();
    expect(msle![2]!).toBeLessThan(mse2![2]! / 1.5); // error in ratio
    expect(mse2![0]!).toBeLessThan(msle![0]!); // error in units
  });

  test("validation: the loss on held-out points turns up; dropout puts validation below training", async () => {
    await until<Curve>("validationCurve", finished);
    expect(await shown("validationView")).toMatch(/60 training points: validation loss is lowest at epoch \d+/);
    await until<Curve>("dropoutCurve", finished);
    const below = Number(/below the reported training loss in (\d+) of 60 epochs/.exec(await shown("dropoutView"))![1]);
    expect(below).toBeGreaterThan(45);
  });

  test("the tfjs version of the slides' Keras model trains with model.fit on the page", async () => {
    const text = await shown("kerasView");
    const [, first, last] = /loss goes from ([\d.e-]+) to ([\d.e-]+) in 20 epochs/.exec(text)!;
    expect(Number(last)).toBeLessThan(Number(first));
    expect(text).toMatch(/On the 200 test rows, used only now: MSE [\d.]+/);
  });

  test("re-running the live models leaks no tensor, on the page or in the worker", async () => {
    await until<Curve>("yourCurve", finished);
    const before = await tensorCount();
    for (const lr of [0.03, 0.1]) {
      await changes("explorerView", () => setRange(page, "learningRate", Math.log10(lr)));
      await until<Curve>("yourCurve", finished);
    }
    for (const label of ["100", "20"]) {
      await changes("kerasView", () => clickRadio("epochs", label));
    }
    await settle(page);
    expect(await tensorCount()).toEqual(before);
  });

  test("every input reaches what depends on it", async () => {
    // the task resets the pair to the cheatsheet's, highlights its rows and retrains
    await clickRadio("task", "regression");
    await page.waitForFunction(() => /mean_squared_error/.test(document.querySelector('[data-cell="cheatsheet"] tr[aria-current]')?.textContent ?? ""));
    expect(await page.$eval('[data-cell="activation"] input:checked', (i) => (i.parentElement as HTMLElement).textContent)).toContain("linear");
    await page.waitForFunction(() => /Held-out error \(RMSE/.test(document.querySelector('[data-cell="pairVerdict"]')!.textContent!), null, {timeout: 20_000});
    expect(await changes("pairVerdict", () => clickRadio("activation", "sigmoid"))).toContain("Not the cheatsheet's pair");
    expect(await changes("pairVerdict", () => clickRadio("loss", "kullback_leibler_divergence"))).toContain("Cross-entropy and KL compare probabilities");

    expect(await changes("pullPlot", () => setRange(page, "logit", 2))).toContain("At z = 2.0");

    expect(await changes("explorerView", () => setRange(page, "learningRate", 1))).toMatch(/Training|learning rate 10/);
    expect((await until<Curve>("yourCurve", finished)).reason).toBe("diverged");
    expect(await shown("explorerView")).toContain("diverges");
    // The explorer trains only once it is on screen (a run waits, saying so, while scrolled away):
    // bring it into view after each click, as a student reading its result would.
    const thenLook = (act: () => Promise<unknown>) => async () => {
      await act();
      await page.$eval('[data-cell="explorerView"]', (e) => e.scrollIntoView({block: "center"}));
    };
    expect(await changes("explorerView", thenLook(() => clickRadio("batchSize", "256")), "1 step per epoch")).toContain("batch 256");
    expect(await changes("explorerView", thenLook(() => clickRadio("optimizer", "Adam")), "(Adam")).toContain("Adam");
    expect(await changes("explorerView", thenLook(() => clickRadio("hidden", "tanh")), "tanh)")).toContain("tanh");

    expect(await changes("validationView", () => clickRadio("trainPoints", "400"))).toContain("400 training points");
    expect(await changes("dropoutView", () => clickRadio("dropoutRate", "no dropout"))).toContain("Dropout 0");
    expect(await changes("kerasView", () => clickRadio("epochs", "100"))).toContain("in 100 epochs");
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });

  test("at phone width the page does not scroll sideways (tables and code scroll in their own boxes)", async () => {
    const phone = await openPage(lesson.browser, `${lesson.site.url}loss-activation/`, {viewport: {width: 375, height: 800}});
    await settle(phone.page, 60_000);
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await phone.page.context().close();
  });
});
