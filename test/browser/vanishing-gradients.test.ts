// Lesson 10 in Chromium, on the real course: the page runs clean; the gradient plot follows the
// spectral radius, the activation and the length (and the LSTM's beside it follows its forget bias); tanh at ρ = 0.9 vanishes by ~12 orders of
// magnitude over T = 50 and at ρ = 3 explodes, on the browser's backend; recomputing leaks no tensor.
import {afterAll, beforeAll, describe, expect, test} from "vitest";
import type {Page} from "playwright-core";
import {openLesson, cellStates, setRange, type PageWatch, type OpenLesson} from "./harness.js";

let lesson: OpenLesson;
let watch: PageWatch;
let page: Page;

beforeAll(async () => {
  lesson = await openLesson("vanishing-gradients");
  ({watch, page} = lesson);
}, 180_000);
afterAll(() => lesson?.close());

type Flow = {norms: number[]; ms: number; orders: number; rho: number; activation: string; steps: number};
const value = <T>(name: string) => page.evaluate(async (n) => JSON.parse(JSON.stringify(await (globalThis as any).__lectern.main.value(n))), name) as Promise<T>;
async function until<T>(name: string, done: (v: T) => boolean, timeout = 20_000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await value<T>(name);
    if (v && done(v)) return v;
    if (Date.now() > end) throw new Error(`${name} did not get there: ${JSON.stringify(v).slice(0, 300)}`);
    await page.waitForTimeout(100);
  }
}
const caption = () => page.$eval(`[data-cell="flowPlot"] figcaption`, (e) => e.textContent ?? "");
const clickRadio = (cell: string, text: string) => page.click(`[data-cell="${cell}"] label:has-text("${text}")`);

describe("the vanishing-gradients lesson", () => {
  test("loads with no console error and no rejected cell", async () => {
    const states = await cellStates(page);
    expect(Object.entries(states).filter(([, s]) => s === "rejected")).toEqual([]);
    expect(watch.consoleErrors).toEqual([]);
  });

  test("tanh, T = 50, ρ = 0.9 vanishes by about 12 orders of magnitude", async () => {
    const flow = await until<Flow>("flow", (f) => f.rho === 0.9 && f.activation === "tanh" && f.steps === 50);
    expect(flow.norms).toHaveLength(50);
    expect(flow.orders).toBeLessThan(-11);
    expect(flow.orders).toBeGreaterThan(-14);
    expect(await caption()).toContain("vanishes");
    const label = await page.$eval(`[data-cell="flowPlot"] [role=img]`, (e) => e.getAttribute("aria-label"));
    expect(label).toContain("ρ = 0.90");
    console.log(`ρ = 0.9: ${flow.orders.toFixed(2)} orders in ${flow.ms.toFixed(0)} ms`);
  });

  test("the slider: ρ = 3 explodes", async () => {
    await setRange(page, "rho", 3);
    const flow = await until<Flow>("flow", (f) => f.rho === 3);
    expect(flow.orders).toBeGreaterThan(3);
    await page.waitForFunction(() => document.querySelector(`[data-cell="flowPlot"] figcaption`)?.textContent?.includes("explodes"));
    console.log(`ρ = 3: +${flow.orders.toFixed(2)} orders in ${flow.ms.toFixed(0)} ms`);
  });

  test("the activation: linear at ρ = 0.9 gives exactly 0.9^k", async () => {
    await setRange(page, "rho", 0.9);
    await clickRadio("activation", "linear");
    const flow = await until<Flow>("flow", (f) => f.activation === "linear" && f.rho === 0.9);
    expect(flow.norms.at(-1)! / flow.norms[0]!).toBeCloseTo(0.9 ** 49, 4);
    await page.waitForFunction(() => document.querySelector(`[data-cell="flowPlot"] figcaption`)?.textContent?.includes("linear"));
  });

  test("the length: T = 100 gives 100 norms", async () => {
    await setRange(page, "steps", 100);
    const flow = await until<Flow>("flow", (f) => f.steps === 100);
    expect(flow.norms).toHaveLength(100);
    await page.waitForFunction(() => document.querySelector(`[data-cell="flowPlot"] figcaption`)?.textContent?.includes("T = 100"));
  });

  test("the same plot for an LSTM: forget bias 3 keeps the step-1/step-T ratio above 0.1, bias 0 loses it", async () => {
    type LstmFlow = {h: number[]; ratio: number; rnnRatio: number; forgetBias: number; steps: number};
    await setRange(page, "steps", 50);
    await setRange(page, "rho", 0.9);
    await clickRadio("activation", "tanh");
    const lstm = await until<LstmFlow>("lstmFlow", (f) => f.forgetBias === 3 && f.steps === 50);
    const rnn = await until<Flow>("flow", (f) => f.rho === 0.9 && f.activation === "tanh" && f.steps === 50);
    const rnnRatio = rnn.norms.at(-1)! / rnn.norms[0]!;
    console.log(`T = 50: LSTM (b_f = 3) ratio ${lstm.ratio.toExponential(2)}, RNN (tanh, ρ = 0.9) ${rnnRatio.toExponential(2)}`);
    expect(lstm.h).toHaveLength(50);
    expect(lstm.ratio).toBeGreaterThan(0.1);
    expect(rnnRatio).toBeLessThan(1e-9);
    await setRange(page, "forgetBias", 0);
    const low = await until<LstmFlow>("lstmFlow", (f) => f.forgetBias === 0);
    expect(low.ratio).toBeLessThan(1e-6);
    await page.waitForFunction(() => document.querySelector(`[data-cell="lstmFlowPlot"] figcaption`)?.textContent?.includes("forget bias 0"));
    await setRange(page, "forgetBias", 3);
  });

  test("recomputing leaks no tensor", async () => {
    const count = async () => (await page.evaluate(async () => (await (globalThis as any).__lectern.main.value("tensorCount"))())).page as number;
    await clickRadio("activation", "relu");
    await until<Flow>("flow", (f) => f.activation === "relu");
    const before = await count();
    for (const rho of [1.1, 1.5, 2, 1.1]) {
      await setRange(page, "rho", rho);
      await until<Flow>("flow", (f) => f.rho === rho);
    }
    expect(await count()).toBe(before);
    expect(watch.consoleErrors).toEqual([]);
    expect(Object.entries(await cellStates(page)).filter(([, s]) => s === "rejected")).toEqual([]);
  });
});
