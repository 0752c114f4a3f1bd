import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Browser} from "playwright-core";
import {buildSite, launch, openPage, settle, cellStates, pageProblems, cellText, setRange, type Site} from "./harness.js";

let basic: Site;
let errors: Site;
let browser: Browser;

beforeAll(async () => {
  [basic, errors, browser] = await Promise.all([
    buildSite({notebooks: "test/fixtures/basic"}),
    buildSite({notebooks: "test/fixtures/errors", keepGoing: true}),
    launch()
  ]);
});
afterAll(async () => {
  await browser?.close();
  await basic?.close();
  await errors?.close();
});

describe("the runtime in Chromium, on the built fixture site", () => {
  it("every page loads with no console error, no rejected cell and no request to another origin", async () => {
    for (const path of ["", "runtime/"]) {
      const watch = await openPage(browser, basic.url + path);
      await settle(watch.page);
      expect(await pageProblems(watch)).toEqual([]);
      await watch.page.context().close();
    }
  });

  it("a page opened from a file says to serve it (module scripts cannot run from file://)", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`file://${basic.dir}/runtime/index.html`);
    expect(await page.isVisible(".file-notice")).toBe(true);
    expect(await page.textContent(".file-notice")).toContain("npm start");
    await context.close();
  });

  it("a request to another origin is caught and recorded (so the check above can fail)", async () => {
    const watch = await openPage(browser, basic.url);
    await watch.page.evaluate(() => fetch("https://cdn.example.com/lib.js").catch(() => "blocked"));
    expect(watch.foreignRequests).toEqual(["https://cdn.example.com/lib.js"]);
    await watch.page.context().close();
  });

  it("moving an Inputs.range re-runs the cells that depend on it, inline values too", async () => {
    const {page} = await openPage(browser, basic.url + "runtime/");
    await settle(page);
    expect(await cellText(page, "doubled")).toBe("20");
    const inline = () => page.$eval(".cell-inline", (e) => e.textContent);
    expect(await inline()).toBe("11");
    await setRange(page, "slider", 37);
    await page.waitForFunction(() => document.querySelector('[data-cell="doubled"] .cell-output')?.textContent === "74");
    expect(await inline()).toBe("38");
    const bar = await page.$eval('[data-cell="drawing"] rect', (r) => r.getAttribute("width"));
    expect(Number(bar)).toBeCloseTo(37 / 3, 5);
    await page.context().close();
  });

  it("a generator cell updates over time, is `running`, and stops when its input changes", async () => {
    const {page} = await openPage(browser, basic.url + "runtime/");
    await settle(page);
    expect((await cellStates(page)).ticker).toBe("running");
    const first = await cellText(page, "tickview");
    await page.waitForFunction((t) => document.querySelector('[data-cell="tickview"] .cell-output')?.textContent !== t, first);
    expect(await page.evaluate(() => (globalThis as any).__live)).toBe(1);
    await setRange(page, "rate", 3);
    // The old generator was returned (its finally ran) and one new one started: still exactly one alive.
    await page.waitForFunction(() => (globalThis as any).__started === 2);
    await page.waitForFunction(() => /^tick [1-9]\d*$/.test(document.querySelector('[data-cell="tickview"] .cell-output')?.textContent ?? "") && Number(document.querySelector('[data-cell="tickview"] .cell-output')!.textContent!.slice(5)) % 3 === 0);
    // The old generator's `return()` lands at its next step; it must then be gone for good.
    await page.waitForFunction(() => (globalThis as any).__live === 1);
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => [(globalThis as any).__live, (globalThis as any).__started])).toEqual([1, 2]);
    // A finite generator ends: its cell settles as fulfilled with its last value.
    await page.waitForFunction(() => document.querySelector('[data-cell="finite"]')?.getAttribute("data-state") === "fulfilled");
    await page.context().close();
  });

  it("invalidation resolves when a cell re-runs", async () => {
    const {page} = await openPage(browser, basic.url + "runtime/");
    await settle(page);
    expect(await page.evaluate(() => (globalThis as any).__invalidated ?? 0)).toBe(0);
    await setRange(page, "slider", 50);
    await page.waitForFunction(() => (globalThis as any).__invalidated === 1);
    await page.context().close();
  });

  it("display(), promises, inspected objects, Mutable, width, now, Plot, svg and imports all work", async () => {
    const {page} = await openPage(browser, basic.url + "runtime/");
    await settle(page);
    expect(await page.$$eval('[data-cell="displays"] .cell-output > *', (els) => els.map((e) => e.textContent))).toEqual(["first", "42"]);
    expect(await cellText(page, "promise")).toBe("resolved later");
    expect(await page.$eval('[data-cell="object"] .observablehq--inspect', (e) => e.textContent)).toContain("weights");
    expect(await cellText(page, "countview")).toBe("count 0");
    await page.click('[data-cell="clicker"] .cell-output button');
    await page.waitForFunction(() => document.querySelector('[data-cell="countview"] .cell-output')?.textContent === "count 1");
    expect(await cellText(page, "widthview")).toBe("width true");
    expect(await cellText(page, "nowview")).toBe("now works");
    expect(await page.$eval('[data-cell="plot"] svg', (s) => s.getAttribute("aria-label"))).toBe("a line");
    expect(await page.evaluate(() => (globalThis as any).__lectern.main.value("assetType"))).toBe("function");
    expect(await cellStates(page)).toMatchObject({visible: "fulfilled", counter: "fulfilled", ticker: "running"});
    await page.context().close();
  });

  it("KaTeX math is in the page as HTML (and MathML), with no math JavaScript", async () => {
    const {page} = await openPage(browser, basic.url + "runtime/");
    expect(await page.$$eval(".katex .katex-html", (els) => els.length)).toBeGreaterThan(0);
    expect(await page.$$eval(".katex math", (els) => els.length)).toBeGreaterThan(0);
    const scripts = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).filter((n) => n.endsWith(".js")));
    const sources = await Promise.all(scripts.map((s) => page.evaluate((u) => fetch(u).then((r) => r.text()), s)));
    expect(sources.some((s) => s.includes("KaTeX parse error"))).toBe(false);
    await page.context().close();
  });

  it("a throwing cell shows its file:line error in place while its siblings render", async () => {
    const watch = await openPage(browser, errors.url + "broken/");
    const {page} = watch;
    await settle(page);
    const states = await cellStates(page);
    expect(states).toMatchObject({fine: "fulfilled", dependent: "fulfilled", sibling: "fulfilled", thrower: "rejected", syntax: "rejected", typo: "rejected", "uses-broken": "rejected"});
    expect(await cellText(page, "thrower")).toBe("test/fixtures/errors/broken.md:16:1 error: boom at runtime");
    expect(await cellText(page, "syntax")).toBe("test/fixtures/errors/broken.md:24:15 error: Unexpected token");
    expect(await cellText(page, "typo")).toContain("test/fixtures/errors/broken.md:28:1 error: `fien` is not defined (did you mean `fine`?)");
    expect(await cellText(page, "uses-broken")).toContain("which failed (test/fixtures/errors/broken.md:36:21)");
    expect(await cellText(page, "sibling")).toBe("sibling of broken: still running");
    // A broken ${…} shows its error inline: the paragraph around it is not split.
    const paragraph = await page.$eval(".cell-inline[data-state=rejected]", (e) => e.parentElement!.textContent);
    expect(paragraph).toMatch(/^A sentence with a broken live value .*error: Unexpected token in the middle stays one paragraph\.$/);
    expect(watch.pageErrors).toEqual([]);
    await page.context().close();
  });
});
