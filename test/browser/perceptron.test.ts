// Lesson 1 in Chromium, on the real course: the page runs clean, every input reaches what depends
// on it, each Train button lowers the loss (and moves the sliders), and no run leaks a tensor.
import {afterAll, beforeAll, describe, expect, test} from "vitest";
import type {Page} from "playwright-core";
import {openLesson, cellStates, pageProblems, cellText, setRange, type PageWatch, type OpenLesson} from "./harness.js";

let lesson: OpenLesson;
let watch: PageWatch;
let page: Page;

beforeAll(async () => {
  lesson = await openLesson("perceptron");
  ({watch, page} = lesson);
});
afterAll(() => lesson?.close());

/** Text of a cell's output (its figure's aria-label / caption included). */
const label = (id: string) => page.$eval(`[data-cell="${id}"]`, (e) => [...e.querySelectorAll("[aria-label]")].map((n) => n.getAttribute("aria-label")).join(" | ") + " | " + e.textContent);
const tensors = () => page.evaluate(async () => ((await (globalThis as any).__lectern.main.value("tf")) as {memory(): {numTensors: number}}).memory().numTensors);
const changes = async (id: string, act: () => Promise<unknown>) => {
  const before = await label(id);
  await act();
  await page.waitForFunction(([id, before]) => {
    const e = document.querySelector(`[data-cell="${id}"]`)!;
    return [...e.querySelectorAll("[aria-label]")].map((n) => n.getAttribute("aria-label")).join(" | ") + " | " + e.textContent !== before;
  }, [id, before] as const, {timeout: 20_000});
};
const clickRadio = (cell: string, text: string) => page.click(`[data-cell="${cell}"] label:has-text("${text}")`);

describe("the perceptron lesson", () => {
  test("loads with no console error, no rejected cell, nothing from another origin", async () => {
    expect(Object.keys(await cellStates(page)).length).toBeGreaterThan(20);
    expect(await pageProblems(watch)).toEqual([]);
    expect(await cellText(page, "neuron-diagram")).toContain("z = 1.00·x₁ + 1.00·x₂ + 0.00");
  });

  test("w1, w2, b and the activation drive the diagram, the surface and the curve", async () => {
    await changes("neuron-diagram", () => setRange(page, "w1", -2));
    expect(await label("plane")).toContain("−2.00·x₁".replace("−", "-"));
    await changes("plane", () => setRange(page, "w2", 0.5));
    await changes("neuron-diagram", () => setRange(page, "b", 1.25));
    expect(await cellText(page, "neuron-diagram")).toContain("z = -2.00·x₁ + 0.50·x₂ + 1.25");
    await changes("activation-curve", () => clickRadio("activation", "tanh"));
    expect(await label("plane")).toContain("output ŷ = tanh(z)");
    expect(await label("neuron-diagram")).toContain("then tanh");
  });

  test("the data set and the weights set the accuracy shown; XOR caps a line at 75 %", async () => {
    await setRange(page, "w1", 1);
    await setRange(page, "w2", 1);
    await setRange(page, "b", 0);
    await changes("data-plane", () => clickRadio("dataset", "XOR"));
    expect(await label("data-plane")).toContain("The XOR data set (100 points");
    await page.waitForFunction(() => /The best any straight line can do on this\s+data set is\s+75 %/.test(document.querySelector("article")!.textContent!));
    await changes("data-plane", () => clickRadio("dataset", "two blobs"));
  });

  test("Train fits the neuron by SGD: the loss falls, 100 % on the blobs, and the sliders move", async () => {
    const start = await tensors();
    await setRange(page, "w1", -1);
    await setRange(page, "w2", -1);
    await setRange(page, "b", 0.5);
    await page.click('[data-cell="train"] button');
    await page.waitForFunction(() => /Run 1, epoch 30:/.test(document.querySelector('[data-cell="neuron-status"]')!.textContent!), null, {timeout: 30_000});
    const run = await page.evaluate(async () => {
      const state = (await (globalThis as any).__lectern.main.value("neuronTraining")) as {history: {loss: number; accuracy: number}[]};
      return state.history.map((s) => [s.loss, s.accuracy]);
    });
    expect(run.length).toBe(31);
    expect(run[0]![1]).toBeLessThan(0.5);
    expect(run.at(-1)![0]).toBeLessThan(run[0]![0] / 5);
    expect(run.at(-1)![1]).toBe(1);
    const w1 = await page.$eval('[data-cell="w1"] input[type=number]', (e) => Number((e as HTMLInputElement).value));
    expect(w1).toBeGreaterThan(0); // from −1 to the blobs' direction
    expect(await cellText(page, "neuron-history")).not.toContain("Press");
    await expect.poll(tensors).toBe(start); // the trainer frees a run just after its last snapshot
  });

  test("the loss landscape draws the last run's path and switches to the step neuron's share wrong", async () => {
    await page.waitForFunction(() => /The path shows 30 epochs of the last run/.test(document.querySelector('[data-cell="landscape"] figcaption')?.textContent ?? ""), null, {timeout: 30_000});
    expect(await cellText(page, "landscape")).toMatch(/Mean logistic loss \(nats\)/);
    await page.click('[data-cell="landscape-surface"] label:has-text("share wrong")');
    await page.waitForFunction(() => /Share of points on the wrong side[^]*it is \d+ %/.test(document.querySelector('[data-cell="landscape"] figcaption')?.textContent ?? ""));
    await page.click('[data-cell="landscape-surface"] label:has-text("logistic loss")');
  });

  test("the learning rate reaches the trainer: η = 0.01 takes steps about ten times smaller", async () => {
    const firstStep = () => page.evaluate(async () => {
      const state = (await (globalThis as any).__lectern.main.value("neuronTraining")) as {history: {network: {weights: number[][]; biases: number[]}[]}[]};
      const [a, b] = [state.history[0]!.network[0]!, state.history[1]!.network[0]!];
      return Math.hypot(a.weights[0]![0]! - b.weights[0]![0]!, a.weights[1]![0]! - b.weights[1]![0]!, a.biases[0]! - b.biases[0]!);
    });
    const train = async (rate: string) => {
      await setRange(page, "w1", -1);
      await setRange(page, "w2", -1);
      await setRange(page, "b", 0.5);
      await page.click(`[data-cell="rate"] label:text-is("${rate}")`);
      const run = Number(/Run (\d+)/.exec(await cellText(page, "neuron-status"))?.[1] ?? 0) + 1;
      await page.click('[data-cell="train"] button');
      await page.waitForFunction((run) => new RegExp(`Run ${run}, epoch 30:`).test(document.querySelector('[data-cell="neuron-status"]')!.textContent!), run, {timeout: 30_000});
      return firstStep();
    };
    const fast = await train("0.1"), slow = await train("0.01");
    expect(fast / slow).toBeGreaterThan(5);
    expect(fast / slow).toBeLessThan(20);
  });

  test("a layer of perceptrons: hidden width and seed rebuild it; Train reaches 100 % on XOR", async () => {
    expect(await cellText(page, "hidden-space")).toMatch(/after 0 epochs/);
    await changes("layer-diagram", () => setRange(page, "hidden", 3));
    expect(await cellText(page, "hidden-space")).toMatch(/Set 2 hidden neurons/);
    expect(await label("layer-diagram")).toContain("a 2-3-1 network");
    await changes("layer-diagram", () => setRange(page, "layer-seed", 7));
    await setRange(page, "hidden", 2);
    await setRange(page, "layer-seed", 2);
    await page.waitForFunction(() => document.querySelector('[data-cell="layer-diagram"]')!.textContent!.includes("2-2-1"));
    const start = await tensors();
    await page.click('[data-cell="layer-train"] button');
    await page.waitForFunction(() => /Epoch 100:/.test(document.querySelector('[data-cell="layer-status"]')!.textContent!), null, {timeout: 40_000});
    expect(await cellText(page, "layer-status")).toContain("accuracy 100 %");
    // In the hidden space the output neuron's one straight line now separates every point.
    await page.waitForFunction(() => /after 100 epochs[^]*100 of 100 points on their class's side/.test(document.querySelector('[data-cell="hidden-space"] figcaption')?.textContent ?? ""));
    const losses = await page.evaluate(async () => ((await (globalThis as any).__lectern.main.value("layerTraining")) as {history: {loss: number}[]}).history.map((s) => s.loss));
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 5);
    await expect.poll(tensors).toBe(start); // the trainer frees a run just after its last snapshot
  });

  test("sparsely connected: cutting x₂ → h₁ and x₁ → h₂ leaves XOR at ≤ 75 % and 7 parameters", async () => {
    await changes("sparse-diagram", () => page.click('[data-cell="connections"] label:has-text("x₂ → h₁")'));
    expect(await cellText(page, "sparse-diagram")).toContain("3 of 4 input connections (sparsely connected");
    await page.click('[data-cell="connections"] label:has-text("x₁ → h₂")');
    await page.waitForFunction(() => document.querySelector('[data-cell="sparse-diagram"]')!.textContent!.includes("2 of 4 input connections"));
    expect(await cellText(page, "sparse-diagram")).toContain("7 parameters");
    await page.click('[data-cell="sparse-train"] button');
    await page.waitForFunction(() => /After 100 epochs/.test(document.querySelector('[data-cell="sparse-diagram"]')!.textContent!), null, {timeout: 40_000});
    const accuracy = Number(/After 100 epochs: (\d+) % right/.exec(await cellText(page, "sparse-diagram"))![1]);
    expect(accuracy).toBeLessThanOrEqual(75);
    expect(watch.consoleErrors).toEqual([]);
    expect(Object.values(await cellStates(page))).not.toContain("rejected");
  });
});
