import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import type {Browser, Page} from "playwright-core";
import {buildSite, launch, openPage, settle, ROOT, type Site} from "./harness.js";
import {compileCourse, lessonsOf} from "../../src/build/build.js";

const AXE = readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
let course: Site;
let fixture: Site;
let browser: Browser;

beforeAll(async () => {
  [course, fixture, browser] = await Promise.all([buildSite(), buildSite({notebooks: "test/fixtures/basic"}), launch()]);
});
afterAll(async () => {
  await browser?.close();
  await course?.close();
  await fixture?.close();
});

/** axe-core's WCAG 2.1 A and AA rules; each violation as "rule: target". Steps that are hidden
 *  (step and present mode show one) are left out of the context, so axe walks only what shows. */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({content: AXE});
  return page.evaluate(async () => {
    const context = document.querySelector("section.step[hidden]") ? {exclude: [["section.step[hidden]"]]} : document;
    const result = await (window as any).axe.run(context, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
    return result.violations.flatMap((v: any) => v.nodes.map((n: any) => `${v.id}: ${n.target.join(" ")} (${n.failureSummary?.split("\n")[1]?.trim() ?? ""})`));
  });
}

/** The violations in both themes, switched live (as the reader's system setting would): the
 *  page is loaded and its cells settled once, and the dark theme is audited on the same DOM; the
 *  page is left in the light theme. */
async function bothThemes(page: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ["dark", "light"] as const) {
    await page.emulateMedia({colorScheme});
    found.push(...(await violations(page)).map((v) => `${where} (${colorScheme}): ${v}`));
  }
  return found;
}

describe("accessibility (axe-core, WCAG 2.1 AA) in both themes", () => {
  const pages = ["", ...lessonsOf(compileCourse(ROOT).notebooks).map((l) => `${l.slug}/`)];
  it.each(pages)("course page /%s has no violations in either theme, in step mode and in present mode too", async (path) => {
    const {page} = await openPage(browser, course.url + path);
    await page.emulateMedia({reducedMotion: "reduce"});
    await settle(page, 60_000);
    // The dark theme really is dark: the live switch reaches the page's colours.
    await page.emulateMedia({colorScheme: "dark"});
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({colorScheme: "light"});
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(dark);
    expect(await bothThemes(page, "page")).toEqual([]);
    if (!(await page.$("#steps-toggle"))) return void (await page.context().close());
    // Step mode (its bar of controls) at the first step, then every slide of present mode.
    await page.click("#steps-toggle");
    expect(await page.evaluate(() => document.documentElement.dataset.mode)).toBe("steps");
    expect(await bothThemes(page, "step mode")).toEqual([]);
    await page.keyboard.press("p");
    const count = await page.$$eval("section.step", (ss) => ss.length);
    // Every slide in the light theme; the dark theme's colours were audited on all of this content
    // in page mode, so in present mode it is audited on the first slide (its own chrome and type).
    for (let step = 1; step <= count; step++) {
      expect(await page.evaluate(() => document.documentElement.dataset.mode)).toBe("present");
      const found = step === 1 ? await bothThemes(page, "present, step 1") : (await violations(page)).map((v) => `present, step ${step}: ${v}`);
      expect(found).toEqual([]);
      await page.keyboard.press("ArrowRight");
    }
    await page.context().close();
  }, 240_000);
  for (const colorScheme of ["light", "dark"] as const) {
    it(`the fixture page of every cell kind has no violations (${colorScheme})`, async () => {
      const {page} = await openPage(browser, fixture.url + "runtime/", {colorScheme});
      await settle(page);
      expect(await violations(page)).toEqual([]);
      await page.context().close();
    });
  }

  it("a formula wider than its column is a focusable, named region, and only then (phone width, then desktop)", async () => {
    const {page} = await openPage(browser, course.url + "diffusion/", {viewport: {width: 375, height: 800}});
    await settle(page);
    await page.evaluate(() => document.fonts.ready);
    const boxes = () => page.$$eval(".math-display", (bs) => bs.map((b) => ({scrolls: b.scrollWidth > b.clientWidth, region: b.getAttribute("role") === "region" && b.tabIndex === 0 && !!b.getAttribute("aria-label")})));
    const narrow = await boxes();
    expect(narrow.filter((b) => b.scrolls).length).toBeGreaterThan(0);
    expect(narrow.every((b) => b.scrolls === b.region)).toBe(true);
    await page.setViewportSize({width: 1600, height: 900});
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>(".math-display")].every((b) => (b.scrollWidth > b.clientWidth) === (b.getAttribute("role") === "region")));
    const wide = await boxes();
    expect(wide.filter((b) => b.region).length).toBeLessThan(narrow.filter((b) => b.region).length);
    await page.context().close();
  });

  it("keyboard: Tab reaches the skip link first, then the theme switch, with a visible focus ring", async () => {
    const {page} = await openPage(browser, course.url);
    await settle(page);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("skip-link");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("theme-toggle");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe("solid");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("light");
    await page.context().close();
  });
});
