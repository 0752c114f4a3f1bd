import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Browser, Page} from "playwright-core";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {buildSite, launch, openPage, settle, pageProblems, cellText, ROOT, type Site} from "./harness.js";

let site: Site;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([buildSite({notebooks: "test/fixtures/editing"}), launch()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const inlineValue = (page: Page) => page.$eval(".cell-inline", (e) => e.textContent ?? "");

/** Opens a cell's editor with its Edit button, selects all its code and types `code` as a user would. */
async function typeInto(page: Page, id: string, code: string): Promise<void> {
  const editor = page.locator(`[data-cell="${id}"] .cm-content`);
  if (!(await editor.count())) await page.click(`[data-cell="${id}"] > .cell-edit`);
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  await page.keyboard.type(code);
}

async function fresh(): Promise<{page: Page; watch: Awaited<ReturnType<typeof openPage>>}> {
  const watch = await openPage(browser, site.url + "editing/");
  await settle(watch.page);
  return {page: watch.page, watch};
}

describe("editing cells in the published page", () => {
  it("an edited cell runs with Shift+Enter: its output and its dependents update; reload restores it; Reset cell restores the original", async () => {
    const {page, watch} = await fresh();
    expect(await inlineValue(page)).toBe("21");
    await typeInto(page, "base", "const a = 5;");
    await page.keyboard.press("Shift+Enter");
    await page.waitForFunction(() => document.querySelector(".cell-inline")?.textContent === "51");
    expect(await page.$eval('[data-cell="double"]', (e) => (e as HTMLElement).dataset.state)).toBe("fulfilled");
    expect(await page.isVisible('[data-cell="base"] .cell-edited-badge')).toBe(true);
    // Escape leaves the editor for its Run button.
    await page.click('[data-cell="base"] .cm-content');
    await page.keyboard.press("Escape");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("cell-run");
    await page.screenshot({path: "/tmp/editing-edited.png", fullPage: true});

    await page.reload();
    await settle(page);
    await page.waitForFunction(() => document.querySelector(".cell-inline")?.textContent === "51");
    expect(await page.$eval('[data-cell="base"] .cm-content', (e) => e.textContent)).toContain("const a = 5;");

    await page.click('[data-cell="base"] button:text("Reset cell")');
    await page.waitForFunction(() => document.querySelector(".cell-inline")?.textContent === "21");
    await page.reload();
    await settle(page);
    expect(await inlineValue(page)).toBe("21");
    expect(await page.$('[data-cell="base"] .cm-content')).toBeNull();
    expect(await pageProblems(watch)).toEqual([]);
    await page.context().close();
  });

  it("an edited cell may name any of Plot or Inputs: the page's built-ins hold what its cells use, the rest comes with the edit", async () => {
    const {page, watch} = await fresh();
    expect(await page.$$eval('[data-cell="chart"] svg circle', (c) => c.length)).toBe(3);
    // The build gave the page's Plot only what its cells name; barY is not among them.
    expect(await page.evaluate(async () => {
      const Plot = await (globalThis as any).__lectern.runtime._builtin.value("Plot");
      return ["plot", "dot", "barY"].map((m) => m in Plot);
    })).toEqual([true, true, false]);
    await typeInto(page, "chart", "Plot.plot({height: 120, marks: [Plot.barY([3, 1, 2]), Plot.dot([1, 2, 3], {x: (d) => d, y: (d) => d})]})");
    await page.keyboard.press("Shift+Enter");
    await page.waitForFunction(() => document.querySelectorAll('[data-cell="chart"] svg rect').length >= 3 && document.querySelectorAll('[data-cell="chart"] svg circle').length === 3);
    expect(await page.$eval('[data-cell="chart"]', (e) => (e as HTMLElement).dataset.state)).toBe("fulfilled");
    // Members the built-in has: the edited cell uses it, no second Plot.
    await typeInto(page, "chart", "Plot.plot({height: 120, marks: [Plot.dot([1, 2], {x: (d) => d, y: (d) => d})]})");
    await page.keyboard.press("Shift+Enter");
    await page.waitForFunction(() => document.querySelectorAll('[data-cell="chart"] svg circle').length === 2);
    // No cell of this course uses Inputs: its built-in holds nothing, and an edit gets all of it.
    await typeInto(page, "chart", 'Inputs.button("Go")');
    await page.keyboard.press("Shift+Enter");
    await page.waitForFunction(() => document.querySelector('[data-cell="chart"] .cell-output button')?.textContent === "Go");
    await page.click('[data-cell="chart"] button:text("Reset cell")');
    await page.waitForFunction(() => document.querySelectorAll('[data-cell="chart"] svg circle').length === 3);
    expect(await pageProblems(watch)).toEqual([]);
    await page.context().close();
  });

  it("a syntax error shows in place with its line and column in the cell; dependents say they wait on it", async () => {
    const {page} = await fresh();
    await typeInto(page, "base", "const a = 2;\nconst = 3;");
    await page.click('[data-cell="base"] .cell-run');
    await page.waitForFunction(() => document.querySelector('[data-cell="base"]')?.getAttribute("data-state") === "rejected");
    const error = await cellText(page, "base");
    expect(error).toContain("line 2, column 7 of this cell");
    expect(error).toContain("test/fixtures/editing/editing.md:15:7");
    expect(await cellText(page, "double")).toContain("which failed");
    await page.context().close();
  });

  it("an import the page does not bundle is refused with the list of what it does", async () => {
    const {page} = await fresh();
    await typeInto(page, "folded", 'import {x} from "lodash";\nconst c = x;');
    await page.keyboard.press("Control+Enter");
    await page.waitForFunction(() => document.querySelector('[data-cell="folded"]')?.getAttribute("data-state") === "rejected");
    const error = await cellText(page, "folded");
    expect(error).toContain("cannot import `lodash`");
    expect(error).toContain("`Plot` and `Inputs` are built in");
    await page.context().close();
  });

  it("an edited generator cell stops the old one: one loop runs, from the new code", async () => {
    const {page} = await fresh();
    await page.waitForFunction(() => Number(document.querySelector('[data-cell="tick-view"] .cell-output')?.textContent) > 2);
    // Count the generators that are still yielding: the old one must be returned, not left running.
    await typeInto(page, "ticker", "const ticks = (async function* () {\nglobalThis.__live = (globalThis.__live ?? 0) + 1;\ntry { for (let i = 1000; ; ++i) { yield i; await new Promise((r) => setTimeout(r, 50)); } }\nfinally { globalThis.__live -= 1; }\n})();");
    await page.keyboard.press("Shift+Enter");
    await page.waitForFunction(() => Number(document.querySelector('[data-cell="tick-view"] .cell-output')?.textContent) > 1002);
    await typeInto(page, "ticker", "const ticks = (async function* () {\nglobalThis.__live = (globalThis.__live ?? 0) + 1;\ntry { for (let i = 5000; ; ++i) { yield i; await new Promise((r) => setTimeout(r, 50)); } }\nfinally { globalThis.__live -= 1; }\n})();");
    await page.keyboard.press("Shift+Enter");
    await page.waitForFunction(() => Number(document.querySelector('[data-cell="tick-view"] .cell-output')?.textContent) > 5002);
    expect(await page.evaluate(() => (globalThis as any).__live)).toBe(1);
    await page.context().close();
  });

  it("when the instructor's code changed since the edit, the page asks: keep mine, take the new one, or compare", async () => {
    const {page} = await fresh();
    await typeInto(page, "base", "const a = 7;");
    await page.keyboard.press("Shift+Enter");
    await page.waitForFunction(() => document.querySelector(".cell-inline")?.textContent === "71");
    // As if the lesson had been rebuilt with other code for this cell: the stored base no longer matches.
    await page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.startsWith("lectern-edits:"))!;
      const edits = JSON.parse(localStorage.getItem(key)!);
      edits.cells.base.base = "00000000";
      localStorage.setItem(key, JSON.stringify(edits));
    });
    await page.reload();
    await settle(page);
    expect(await page.textContent('[data-cell="base"] .lesson-changed')).toContain("The lesson changed here");
    expect(await inlineValue(page)).toBe("21"); // the new version runs until the student chooses
    await page.click('[data-cell="base"] button:text("View both side by side")');
    expect(await page.textContent('[data-cell="base"] .lesson-changed-compare')).toContain("const a = 7;");
    await page.click('[data-cell="base"] button:text("Keep mine")');
    await page.waitForFunction(() => document.querySelector(".cell-inline")?.textContent === "71");
    await page.reload();
    await settle(page);
    await page.waitForFunction(() => document.querySelector(".cell-inline")?.textContent === "71");
    expect(await page.$('[data-cell="base"] .lesson-changed')).toBeNull();
    await page.context().close();
  });
});

describe("exercises", () => {
  it("a wrong answer gets the check's words, hints come in order, the solution passes, and the state survives a reload", async () => {
    const {page, watch} = await fresh();
    const result = '[data-cell="shape"] .exercise-result';
    // An exercise opens its editor by itself; the editor's code arrives as a chunk of its own.
    await page.waitForSelector('[data-cell="shape"] .cm-content', {state: "visible", timeout: 20_000});
    await page.click('[data-cell="shape"] button:text("Check")');
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("data-verdict") === "fail", result);
    expect(await page.textContent(result)).toContain("your shape is 0x0");
    await page.screenshot({path: "/tmp/editing-exercise-wrong.png", fullPage: true});

    await page.click('[data-cell="shape"] button:text("Show hint 1 of 2")');
    expect(await page.isVisible('[data-hint-for="shape"]:has-text("as many rows")')).toBe(true);
    expect(await page.isVisible('[data-hint-for="shape"]:has-text("as many columns")')).toBe(false);
    await page.click('[data-cell="shape"] button:text("Show hint 2 of 2")');
    expect(await page.isVisible('[data-hint-for="shape"]:has-text("as many columns")')).toBe(true);

    await typeInto(page, "shape", "const shape = [1, 2];");
    await page.click('[data-cell="shape"] button:text("Check")');
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("data-verdict") === "pass", result);
    await page.screenshot({path: "/tmp/editing-exercise-right.png", fullPage: true});

    await page.reload();
    await settle(page);
    await page.waitForSelector('[data-cell="shape"][data-exercise-state="passed"]');
    expect(await page.isVisible('[data-hint-for="shape"]:has-text("as many columns")')).toBe(true);
    expect(await page.$eval('[data-cell="shape"] .cm-content', (e) => e.textContent)).toContain("[1, 2]");
    expect(await page.textContent(result)).toContain("Correct");
    expect(await pageProblems(watch)).toEqual([]);
    await page.context().close();
  });

  it("the solution, put in the editor, passes its check", async () => {
    const {page} = await fresh();
    await page.click('[data-cell="shape"] button:text("Show solution")');
    await page.click('[data-cell="shape"] button:text("Put the solution in the editor")');
    await page.click('[data-cell="shape"] button:text("Check")');
    await page.waitForFunction(() => document.querySelector('[data-cell="shape"] .exercise-result')?.getAttribute("data-verdict") === "pass");
    await page.context().close();
  });

  it("a check that throws is the lesson's bug, not the student's", async () => {
    const {page} = await fresh();
    await page.click('[data-cell="broken-check"] button:text("Check")');
    await page.waitForFunction(() => document.querySelector('[data-cell="broken-check"] .exercise-result')?.getAttribute("data-verdict") === "fail");
    expect(await page.textContent('[data-cell="broken-check"] .exercise-result')).toContain("a bug in the lesson, not in your code");
    await page.context().close();
  });
});

describe("accessibility of the editor and of exercises", () => {
  const AXE = readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
  for (const colorScheme of ["light", "dark"] as const) {
    it(`an open editor, an edited cell and a checked exercise with a hint and the solution shown have no axe violations (${colorScheme})`, async () => {
      const {page} = await openPage(browser, site.url + "editing/", {colorScheme});
      await settle(page);
      await typeInto(page, "base", "const a = 3;");
      await page.keyboard.press("Shift+Enter");
      await page.click('[data-cell="shape"] button:text("Check")');
      await page.waitForSelector('[data-cell="shape"] .exercise-result[data-verdict]');
      await page.click('[data-cell="shape"] button:text("Show hint 1 of 2")');
      await page.click('[data-cell="shape"] button:text("Show solution")');
      await page.addScriptTag({content: AXE});
      const violations = await page.evaluate(async () => {
        const result = await (window as any).axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
        return result.violations.flatMap((v: any) => v.nodes.map((n: any) => `${v.id}: ${n.target.join(" ")}`));
      });
      expect(violations).toEqual([]);
      await page.context().close();
    });
  }
});

describe("editing on the course's own lessons", () => {
  let course: Site;
  beforeAll(async () => {
    course = await buildSite();
  }, 180_000);
  afterAll(() => course?.close());

  it("an edited training cell (tfjs fit on the page) replaces the old run and leaks no tensor", async () => {
    const watch = await openPage(browser, course.url + "loss-activation/");
    const {page} = watch;
    await page.waitForFunction(() => document.documentElement.dataset.lectern === "ready");
    await page.locator('[data-cell="keras"]').scrollIntoViewIfNeeded();
    const view = '[data-cell="kerasView"]';
    const says = (text: string) => page.waitForFunction(([sel, text]) => {
      const e = document.querySelector(sel)!;
      return [...e.querySelectorAll("[aria-label]")].some((n) => n.getAttribute("aria-label")!.includes(text));
    }, [view, text] as const, {timeout: 120_000});
    await says("in 20 epochs");
    const tensors = () => page.evaluate(async () => (await (globalThis as any).__lectern.main.value("tensorCount"))().then((c: {page: number}) => c.page));
    const before = await tensors();
    // Typed line by line (the editor indents new lines itself).
    await typeInto(page, "keras", [
      "const model = tf.sequential();",
      'model.add(tf.layers.dense({units: 6, activation: "relu", inputShape: [nCols]}));',
      "model.add(tf.layers.dense({units: 1}));",
      'model.compile({optimizer: "adam", loss: "meanSquaredError"});',
      "const history = await model.fit(xTrain, yTrain, {validationData: [xVal, yVal], epochs: 3, batchSize: 100, verbose: 0});",
      "const testPredictions = model.predict(xTest);",
      "invalidation.then(() => { model.dispose(); testPredictions.dispose(); });"
    ].join("\n"));
    await page.keyboard.press("Shift+Enter");
    await says("in 3 epochs");
    const edited = await tensors();
    expect(edited).toBeLessThan(before); // a smaller model: the old one was disposed, not kept beside it
    // Back to the instructor's model: the tensor count is what it was, so the edit leaked nothing.
    await page.click('[data-cell="keras"] button:text("Reset cell")');
    await says("in 20 epochs");
    expect(await tensors()).toBe(before);
    expect(watch.pageErrors).toEqual([]);
    await page.context().close();
  }, 300_000);

  it("a lesson exercise: wrong answer, the check's words; the right one passes", async () => {
    const watch = await openPage(browser, course.url + "perceptron/");
    const {page} = watch;
    await page.waitForSelector('[data-cell="and-neuron"] .cm-content', {timeout: 60_000});
    const result = '[data-cell="and-neuron"] .exercise-result';
    await page.locator('[data-cell="and-neuron"]').scrollIntoViewIfNeeded();
    await page.click('[data-cell="and-neuron"] button:text("Check")');
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("data-verdict") === "fail", result);
    expect(await page.textContent(result)).toContain("at (0, 1) z = 1, so the neuron fires; AND gives 0");
    await page.locator('[data-cell="and-neuron"]').screenshot({path: "/tmp/editing-lesson-wrong.png"});
    await typeInto(page, "and-neuron", "const andNeuron = {w1: 1, w2: 1, b: -1.5};");
    await page.click('[data-cell="and-neuron"] button:text("Check")');
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("data-verdict") === "pass", result);
    await page.locator('[data-cell="and-neuron"]').screenshot({path: "/tmp/editing-lesson-right.png"});
    expect(watch.pageErrors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
