// Step mode, present mode, print, the student's progress and saved training runs, on a fixture
// course of one three-step lesson (test/fixtures/steps) and on the real course where it is cheap.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Browser, Page} from "playwright-core";
import {buildSite, launch, openPage, pageProblems, settle, type Site} from "./harness.js";

let site: Site;
let course: Site;
let browser: Browser;

beforeAll(async () => {
  [site, course, browser] = await Promise.all([buildSite({notebooks: "test/fixtures/steps"}), buildSite(), launch()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await course?.close();
});

/** The steps shown (not hidden), by number. */
const shownSteps = (page: Page) => page.$$eval("section.step", (ss) => ss.filter((s) => !(s as HTMLElement).hidden).map((s) => Number((s as HTMLElement).dataset.step)));
const mode = (page: Page) => page.evaluate(() => document.documentElement.dataset.mode ?? "page");
const trainerStep = (page: Page) => page.evaluate(() => ((document.querySelector('[data-cell="fit"] .lectern-trainer') as any)?.value?.step ?? 0) as number);

describe("step mode", () => {
  it("a #step-N link opens that step alone; arrows and the buttons move, the address follows, other steps keep their cells' state", async () => {
    const watch = await openPage(browser, `${site.url}neuron/#step-2`);
    const {page} = watch;
    await settle(page);
    expect(await mode(page)).toBe("steps");
    expect(await shownSteps(page)).toEqual([2]);
    expect(await page.textContent(".step-nav .step-count")).toBe("Step 2 of 3");
    expect(await page.getAttribute(".step-progress", "aria-valuenow")).toBe("2");
    await page.keyboard.press("ArrowLeft");
    expect(await shownSteps(page)).toEqual([1]);
    expect(new URL(page.url()).hash).toBe("#step-1");
    expect(await page.isDisabled(".step-back")).toBe(true);
    // A slider on step 1 keeps its value and its dependants while hidden.
    await page.$eval('[data-cell="count"] input[type=range]', (el) => {
      (el as HTMLInputElement).value = "7";
      el.dispatchEvent(new Event("input", {bubbles: true}));
    });
    // Arrow keys on a slider move the slider, not the deck.
    await page.focus('[data-cell="count"] input[type=range]');
    await page.keyboard.press("ArrowRight");
    expect(await shownSteps(page)).toEqual([1]);
    await page.click(".step-next");
    await page.click(".step-next");
    expect(await shownSteps(page)).toEqual([3]);
    expect(new URL(page.url()).hash).toBe("#step-3");
    expect(await page.isDisabled(".step-next")).toBe(true);
    await page.waitForFunction(() => /still says 8/.test(document.querySelector('section.step[data-step="3"]')?.textContent ?? ""));
    // Changing the hash by hand (a link inside the page) moves too.
    await page.evaluate(() => (location.hash = "#step-1"));
    await page.waitForFunction(() => !(document.querySelector('section.step[data-step="1"]') as HTMLElement).hidden);
    expect(await shownSteps(page)).toEqual([1]);
    expect(await page.textContent("#step-1")).toMatch(/The count is 8/);
    // "Whole page" shows every step again.
    await page.click(".step-exit");
    expect(await mode(page)).toBe("page");
    expect(await shownSteps(page)).toEqual([1, 2, 3]);
    expect(await pageProblems(watch)).toEqual([]);
    await page.context().close();
  });

  it("the header's Step through button starts step mode at the step in view, with keyboard focus kept in the page", async () => {
    const {page} = await openPage(browser, `${site.url}neuron/`);
    await settle(page);
    expect(await mode(page)).toBe("page");
    await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
    await page.focus("#steps-toggle");
    await page.keyboard.press("Enter");
    expect(await shownSteps(page)).toEqual([3]);
    expect(await page.getAttribute("#steps-toggle", "aria-pressed")).toBe("true");
    await page.keyboard.press("ArrowLeft");
    expect(await shownSteps(page)).toEqual([2]);
    expect(await page.textContent(".step-status")).toBe("Step 2 of 3: A neuron that trains");
    await page.context().close();
  });
});

describe("present mode", () => {
  it("P opens it at the current step; a model trains on the slide; Escape returns to the page at the same step", async () => {
    const watch = await openPage(browser, `${site.url}neuron/#step-2`, {viewport: {width: 1024, height: 600}});
    const {page} = watch;
    await settle(page);
    await page.keyboard.press("p");
    expect(await mode(page)).toBe("present");
    expect(new URL(page.url()).search).toBe("?present");
    expect(await shownSteps(page)).toEqual([2]);
    // The slide fills the window, in larger type than the page, above the step bar.
    const slide = await page.$eval("#step-2", (s) => {
      const r = s.getBoundingClientRect();
      return {top: r.top, width: r.width, font: parseFloat(getComputedStyle(s).fontSize), header: getComputedStyle(document.querySelector(".site-header")!).display};
    });
    expect(slide).toMatchObject({top: 0, width: 1024, header: "none"});
    expect(slide.font).toBeGreaterThan(18);
    await page.click('[data-cell="fit"] .lt-play');
    await page.waitForFunction(() => /^step \d+/.test(document.querySelector('[data-cell="fitStep"] .cell-output')?.textContent ?? "") && ((document.querySelector('[data-cell="fit"] .lectern-trainer') as any).value?.step ?? 0) >= 3);
    const first = await trainerStep(page);
    await page.waitForFunction((s) => ((document.querySelector('[data-cell="fit"] .lectern-trainer') as any).value?.step ?? 0) > s + 3, first);
    // Content taller than the window scrolls inside the slide.
    const scrolls = await page.$eval("#step-2", (s) => getComputedStyle(s).overflowY);
    expect(scrolls).toBe("auto");
    await page.keyboard.press("Escape");
    expect(await mode(page)).toBe("steps");
    expect(await shownSteps(page)).toEqual([2]);
    expect(new URL(page.url()).search).toBe("");
    expect(new URL(page.url()).hash).toBe("#step-2");
    // From the whole page, P then Escape comes back to the whole page, scrolled to that step.
    await page.click(".step-exit");
    await page.keyboard.press("P");
    await page.keyboard.press("ArrowRight");
    expect(await shownSteps(page)).toEqual([3]);
    await page.keyboard.press("Escape");
    expect(await mode(page)).toBe("page");
    // The last step is short, so the page ends before it reaches the top: it is in the window.
    const top = await page.$eval("#step-3", (s) => s.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(600 / 2);
    await page.click('[data-cell="fit"] .lt-play'); // pause
    expect(await pageProblems(watch)).toEqual([]);
    await page.context().close();
  });

  it("?present opens a lesson of the real course as slides, and each slide's content stays reachable", async () => {
    const watch = await openPage(browser, `${course.url}perceptron/?present`, {viewport: {width: 1280, height: 720}});
    const {page} = watch;
    await settle(page, 60_000);
    // The cells' width (main's) is the window's, not the sidebar's column: plots are drawn full size.
    expect(await page.$eval("main", (m) => m.getBoundingClientRect().width)).toBeGreaterThan(1000);
    const count = await page.$$eval("section.step", (ss) => ss.length);
    for (let step = 1; step <= count; step++) {
      expect(await shownSteps(page)).toEqual([step]);
      // Nothing is cut: a slide taller than the window scrolls to its end.
      const fits = await page.$eval(`#step-${step}`, (s) => ({overflow: getComputedStyle(s).overflowY, bottom: s.getBoundingClientRect().bottom, nav: document.querySelector(".step-nav")!.getBoundingClientRect().top}));
      expect(fits.overflow).toBe("auto");
      expect(fits.bottom).toBeLessThanOrEqual(fits.nav + 1);
      await page.keyboard.press("ArrowRight");
    }
    expect(await pageProblems(watch)).toEqual([]);
    await page.context().close();
  });
});

describe("print", () => {
  it("a printed lesson starts each step on a new page and shows no page controls", async () => {
    const {page} = await openPage(browser, `${site.url}neuron/#step-2`);
    await settle(page);
    await page.emulateMedia({media: "print"});
    const printed = await page.evaluate(() => ({
      shown: [...document.querySelectorAll("section.step")].filter((s) => getComputedStyle(s).display !== "none").length,
      breaks: [...document.querySelectorAll("section.step")].map((s) => getComputedStyle(s).breakBefore),
      controls: [".site-header", ".sidebar", ".step-nav"].map((s) => getComputedStyle(document.querySelector(s)!).display)
    }));
    expect(printed).toEqual({shown: 3, breaks: ["auto", "page", "page"], controls: ["none", "none", "none"]});
    await page.context().close();
  });

  it("a printed code block wraps a line longer than the column instead of cutting it off", async () => {
    const {page} = await openPage(browser, `${course.url}gan/`);
    await settle(page);
    const overflowing = () => page.$$eval("article.notebook pre", (ps) => ps.filter((p) => p.getClientRects().length && p.scrollWidth > p.clientWidth + 1).length);
    await page.emulateMedia({media: "print"});
    await page.setViewportSize({width: 1600, height: 900}); // print emulation keeps the window; the article takes 186 mm
    expect(await page.$$eval("article.notebook pre", (ps) => ps.filter((p) => p.getClientRects().length).length)).toBeGreaterThan(2);
    expect(await overflowing()).toBe(0);
    await page.context().close();
  });

  it("a lesson step taller than a page is scaled to fit one (down to a floor), and is unscaled after printing", async () => {
    const {page} = await openPage(browser, `${course.url}matmul-shapes/`);
    await settle(page);
    await page.emulateMedia({media: "print"});
    await page.waitForFunction(() => document.querySelector("section.step[data-print-scale]") !== null);
    const steps = await page.$$eval("article.notebook > section.step", (ss) => ss.map((s) => ({
      scale: Number((s as HTMLElement).dataset.printScale ?? 1),
      // The zoomed box as laid out: getBoundingClientRect reports it after zoom.
      height: s.getBoundingClientRect().height
    })));
    // A4 less 12 mm margins, in CSS pixels.
    const pageHeight = (273 / 25.4) * 96;
    expect(steps.length).toBeGreaterThan(2);
    expect(steps.some((s) => s.scale < 1)).toBe(true);
    for (const s of steps) {
      expect(s.scale).toBeGreaterThanOrEqual(0.55);
      // A step fits its page unless it is at the floor scale (then it flows on).
      if (s.scale > 0.55) expect(s.height).toBeLessThanOrEqual(pageHeight);
    }
    await page.emulateMedia({media: "screen"});
    await page.waitForFunction(() => document.querySelector("section.step[data-print-scale]") === null);
    expect(await page.$$eval("article.notebook > section.step", (ss) => ss.filter((s) => (s as HTMLElement).style.zoom !== "").length)).toBe(0);
    await page.context().close();
  });
});

describe("progress in the browser", () => {
  it("the step reached survives a reload, the home page marks the lesson, and Reset clears it", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.url}neuron/#step-2`);
    await settle(page);
    await page.goto(`${site.url}neuron/`);
    await settle(page);
    expect(await page.textContent(".resume-notice")).toContain("you were at step 2 of 3");
    await page.click(".resume-notice button");
    await page.waitForFunction(() => Math.abs(document.getElementById("step-2")!.getBoundingClientRect().top) < 120);
    await page.goto(site.url);
    await settle(page);
    expect(await page.textContent(".lesson-cards a[data-visited]")).toContain("at step 2 of 3");
    expect(await page.getAttribute('.lesson-list a[href="neuron/"]', "data-visited")).toBe("started");
    page.once("dialog", (d) => void d.accept());
    await page.click("#reset-progress");
    await page.waitForFunction(() => /cleared/.test(document.querySelector(".progress-status")?.textContent ?? ""));
    expect(await page.$(".lesson-cards a[data-visited]")).toBeNull();
    await page.reload();
    await settle(page);
    expect(await page.$(".lesson-cards a[data-visited]")).toBeNull();
    await page.goto(`${site.url}neuron/`);
    await settle(page);
    expect(await page.$(".resume-notice")).toBeNull();
    await context.close();
  });

  it("a trained model's weights survive a reload (Continue that run), and Reset on the home page clears them", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.url}neuron/`);
    await settle(page);
    expect(await page.isHidden('[data-cell="fit"] .lt-saved')).toBe(true);
    await page.click('[data-cell="fit"] .lt-play');
    await page.waitForFunction(() => ((document.querySelector('[data-cell="fit"] .lectern-trainer') as any).value?.step ?? 0) >= 10);
    await page.click('[data-cell="fit"] .lt-play'); // Pause saves
    await page.waitForFunction(() => /Saved in this browser at step/.test(document.querySelector('[data-cell="fit"] .lt-saved-note')?.textContent ?? ""));
    const saved = Number(/step ([\d,]+)/.exec((await page.textContent('[data-cell="fit"] .lt-saved-note'))!)![1]!.replace(/,/g, ""));
    const savedLoss = await page.evaluate(() => (document.querySelector('[data-cell="fit"] .lectern-trainer') as any).value.loss as number);
    await page.reload();
    await settle(page);
    await page.waitForSelector('[data-cell="fit"] .lt-saved:not([hidden])');
    expect(await page.textContent('[data-cell="fit"] .lt-saved')).toContain(`saved at step ${saved}`);
    await page.click('[data-cell="fit"] .lt-continue');
    await page.waitForFunction((s) => ((document.querySelector('[data-cell="fit"] .lectern-trainer') as any).value?.step ?? 0) === s + 1, saved);
    const resumed = await page.evaluate(() => (document.querySelector('[data-cell="fit"] .lectern-trainer') as any).value);
    expect(resumed.history.length).toBeGreaterThan(1);
    // The loss carries on from the saved weights (a fresh neuron starts near ln 2 ≈ 0.69 or worse).
    expect(Math.abs(resumed.loss - savedLoss)).toBeLessThan(0.1);
    await page.goto(site.url);
    await settle(page);
    page.once("dialog", (d) => void d.accept());
    await page.click("#reset-progress");
    await page.waitForFunction(() => /cleared/.test(document.querySelector(".progress-status")?.textContent ?? ""));
    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).not.toContain("lectern-saved-runs");
    await page.goto(`${site.url}neuron/`);
    await settle(page);
    await page.waitForTimeout(500); // the saved-run lookup is one IndexedDB read
    expect(await page.isHidden('[data-cell="fit"] .lt-saved')).toBe(true);
    await context.close();
  });
});
