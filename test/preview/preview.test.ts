import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Browser, Page} from "playwright-core";
import {cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync, existsSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {launch, openPage, settle, ROOT, type PageWatch} from "../browser/harness.js";
import {startPreview, type PreviewServer} from "../../src/preview/server.js";
import {build} from "../../src/build/build.js";

/** A temp copy of the fixture course (notebooks/ and cells/), with the project's packages. */
export function copyCourse(fixture = "test/fixtures/preview-course"): string {
  const dir = mkdtempSync(join(tmpdir(), "lectern-preview-"));
  cpSync(join(ROOT, fixture), dir, {recursive: true});
  copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

describe("npm run dev: the preview keeps a page live while its files change", () => {
  let dir: string;
  let preview: PreviewServer;
  let browser: Browser;
  let watch: PageWatch;
  let page: Page;

  const edit = (file: string, change: (text: string) => string) => {
    const path = join(dir, file);
    const before = readFileSync(path, "utf8");
    const after = change(before);
    if (after === before) throw new Error(`the edit changed nothing in ${file}`);
    writeFileSync(path, after);
  };
  const output = (id: string) => page.$eval(`[data-cell="${id}"]`, (e) => (e.querySelector(":scope > .cell-output") ?? e).textContent ?? "");
  const runs = () => page.evaluate(() => ({...(globalThis as any).__runs}) as Record<string, number>);
  const ticks = async () => Number(await output("ticks"));
  const until = (fn: (arg: any) => unknown, arg?: unknown) => page.waitForFunction(fn, arg, {timeout: 15_000});

  beforeAll(async () => {
    dir = copyCourse();
    preview = await startPreview({root: dir, port: 0, debounce: 10});
    browser = await launch();
    watch = await openPage(browser, `${preview.url}lab/`);
    page = watch.page;
    await settle(page);
    await page.evaluate(() => ((window as any).__marker = "same page"));
  });

  afterAll(async () => {
    await browser?.close();
    await preview?.close();
    if (dir) rmSync(dir, {recursive: true, force: true});
  });

  it("a changed cell re-runs in place, without a reload; a ticking generator and a moved slider keep their state", async () => {
    await page.$eval('[data-cell="n"] input[type=range]', (el) => {
      (el as HTMLInputElement).value = "7";
      el.dispatchEvent(new Event("input", {bubbles: true}));
    });
    // Unnamed cells are numbered in document order: cell-3 is the anonymous generator, cell-5 and cell-6 the inline values.
    await until(() => document.querySelector('[data-cell="cell-6"]')?.textContent === "14");
    await until(() => Number(document.querySelector('[data-cell="ticks"] .cell-output')?.textContent) >= 3);
    const before = await ticks();
    const runsBefore = await runs();

    edit("notebooks/lab.md", (s) => s.replace('"label v1"', '"label v2"'));
    await until(() => document.querySelector('[data-cell="label"] .cell-output')?.textContent === "label v2");

    expect(await page.evaluate(() => (window as any).__marker)).toBe("same page");
    expect(await ticks()).toBeGreaterThanOrEqual(before); // not restarted from 0
    await until((n: number) => Number(document.querySelector('[data-cell="ticks"] .cell-output')?.textContent) > n, before + 2);
    expect(await page.$eval('[data-cell="n"] input[type=range]', (el) => (el as HTMLInputElement).value)).toBe("7");
    expect(await output("cell-6")).toBe("14");
    const after = await runs();
    expect(after.label).toBe(runsBefore.label + 1);
    expect({...after, label: 0}).toEqual({...runsBefore, label: 0});
  });

  it("prose edits update in place, keeping the live values inside them", async () => {
    await page.$eval('[data-cell="cell-5"]', (el) => ((el as any).__kept = true));
    edit("notebooks/lab.md", (s) => s.replace("The slider is at ${n}; doubled,", "Now the slider reads ${n}; twice that is"));
    await until(() => document.body.textContent!.includes("Now the slider reads"));
    expect(await page.$eval('[data-cell="cell-5"]', (el) => (el as any).__kept === true && el.textContent)).toBe("7");
    expect(await page.$eval('[data-cell="cell-5"]', (el) => el.closest("p")!.textContent)).toBe("Now the slider reads 7; twice that is 14.");
    expect(await page.evaluate(() => (window as any).__marker)).toBe("same page");
  });

  it("a cell inserted above unnamed cells adds one cell; the renumbered ones keep running", async () => {
    const before = await runs();
    edit("notebooks/lab.md", (s) => s.replace("An unnamed cell:", '```js\n"inserted above"\n```\n\nAn unnamed cell:'));
    await until(() => [...document.querySelectorAll("[data-cell] .cell-output")].some((e) => e.textContent === "inserted above"));
    // The generator that was cell-3 is cell-4 now: same root, same run.
    expect(await page.$eval('[data-cell="cell-4"] .cell-output', (e) => e.textContent)).toMatch(/^anonymous \d+$/);
    expect(await page.$eval('[data-cell="cell-3"] .cell-output', (e) => e.textContent)).toBe("inserted above");
    expect((await runs()).anonymous).toBe(before.anonymous);
    expect(await page.$eval('[data-cell="cell-6"]', (el) => (el as any).__kept === true && el.textContent)).toBe("7"); // the inline value, renumbered too
    // Kept cells moved down the file: their error messages must name their new lines.
    const line = readFileSync(join(dir, "notebooks/lab.md"), "utf8").split("\n").indexOf('(ran("label"), "label v2")') + 1;
    expect(await page.evaluate(() => (globalThis as any).__lectern.cells.get("label").definition.line)).toBe(line);
  });

  it("saving a cells/ module re-runs exactly the cells that import it, directly or through another module", async () => {
    const before = await runs();
    edit("cells/greet.ts", (s) => s.replace("Hello", "Howdy"));
    await until(() => document.querySelector('[data-cell="loud"] .cell-output')?.textContent === "HOWDY, ADA!");
    await until(() => document.querySelector('[data-cell="greeting"] .cell-output')?.textContent === "Howdy, Ada");
    const after = await runs();
    expect(after.greeting).toBe(before.greeting + 1);
    expect(after.loud).toBe(before.loud + 1);
    expect({...after, greeting: 0, loud: 0}).toEqual({...before, greeting: 0, loud: 0});
    expect(await output("unrelated")).toBe("other v1");
  });

  it("a broken cells/ module is named in the banner at its file:line:col; its importers keep their output until it is fixed", async () => {
    const before = await runs();
    edit("cells/greet.ts", (s) => s.replace("return `Howdy", "return = `Howdy"));
    const banner = page.locator(".lectern-preview-banner");
    await banner.waitFor({state: "visible"});
    expect(await banner.textContent()).toMatch(/cells\/greet\.ts:3:\d+ error: /);
    expect(await output("greeting")).toBe("Howdy, Ada");
    edit("cells/greet.ts", (s) => s.replace("return = `Howdy", "return `Hi"));
    await until(() => document.querySelector('[data-cell="greeting"] .cell-output')?.textContent === "Hi, Ada");
    await banner.waitFor({state: "hidden"});
    const after = await runs();
    expect(after.greeting).toBe(before.greeting + 1);
    expect(after.unrelated).toBe(before.unrelated);
  });

  it("a syntax error shows in place at notebooks/lab.md:line:col and in a dismissable banner; fixing it recovers", async () => {
    const source = readFileSync(join(dir, "notebooks/lab.md"), "utf8");
    const line = source.split("\n").findIndex((l) => l.includes('(ran("label"), "label v2")')) + 1;
    edit("notebooks/lab.md", (s) => s.replace('(ran("label"), "label v2")', "const broken = ;"));
    await until(() => document.querySelector('[data-cell="label"]')?.getAttribute("data-state") === "rejected");
    const position = `notebooks/lab.md:${line}:16`;
    expect(await output("label")).toBe(`${position} error: Unexpected token`);
    const banner = page.locator(".lectern-preview-banner");
    await banner.waitFor({state: "visible"});
    expect(await banner.textContent()).toContain(`${position} error: Unexpected token`);
    await page.screenshot({path: join(dir, "error-banner.png")});
    await banner.getByRole("button", {name: /dismiss/i}).click();
    await banner.waitFor({state: "hidden"});
    expect(await ticks()).toBeGreaterThan(0);

    edit("notebooks/lab.md", (s) => s.replace("const broken = ;", '(ran("label"), "label v3")'));
    await until(() => document.querySelector('[data-cell="label"] .cell-output')?.textContent === "label v3");
    expect(await page.getAttribute('[data-cell="label"]', "data-state")).toBe("fulfilled");
    expect(await banner.isHidden()).toBe(true);
    expect(await page.evaluate(() => (window as any).__marker)).toBe("same page");
  });

  it("front matter changes update the page chrome; a new notebook appears in the sidebar without a restart", async () => {
    edit("notebooks/lab.md", (s) => s.replace("title: Lab", "title: Laboratory"));
    await until(() => document.querySelector("h1")?.textContent === "Laboratory");
    expect(await page.title()).toBe("Laboratory · Preview fixture course");
    expect(await page.textContent(".sidebar [aria-current=page]")).toContain("Laboratory");

    writeFileSync(join(dir, "notebooks/extra.md"), "---\ntitle: Extra\norder: 2\nsummary: Added while the preview runs.\nobjectives:\n  - appear\nreferences:\n  - none\n---\n\nHello.\n");
    await until(() => [...document.querySelectorAll(".sidebar a")].some((a) => a.textContent!.includes("Extra")));
    expect(await page.getAttribute(".pager-next", "href")).toBe("../extra/");
    expect(await page.evaluate(() => (window as any).__marker)).toBe("same page");
  });

  it("deleting a notebook takes it out of the sidebar, and its open page says it is gone", async () => {
    const other = await openPage(browser, `${preview.url}extra/`);
    await settle(other.page);
    await other.page.waitForFunction(() => document.documentElement.dataset.lectern === "ready");
    await new Promise((r) => setTimeout(r, 200)); // let its live channel open
    rmSync(join(dir, "notebooks/extra.md"));
    await until(() => ![...document.querySelectorAll(".sidebar a")].some((a) => a.textContent!.includes("Extra")));
    const banner = other.page.locator(".lectern-preview-banner");
    await banner.waitFor({state: "visible"});
    expect(await banner.textContent()).toContain("notebooks/extra.md was deleted or renamed");
    await other.page.context().close();
  });

  it("the page reconnects by itself when the preview restarts, and catches up with edits made meanwhile", async () => {
    const port = new URL(preview.url).port;
    await preview.close();
    edit("notebooks/lab.md", (s) => s.replace('"label v3"', '"label v4"'));
    preview = await startPreview({root: dir, port: Number(port), debounce: 10});
    expect(preview.url).toContain(`:${port}/`);
    await until(() => document.querySelector('[data-cell="label"] .cell-output')?.textContent === "label v4");
    expect(await page.evaluate(() => (window as any).__marker)).toBe("same page");
    expect(await ticks()).toBeGreaterThan(0);
    edit("notebooks/lab.md", (s) => s.replace('"label v4"', '"label v5"'));
    await until(() => document.querySelector('[data-cell="label"] .cell-output')?.textContent === "label v5");
  });

  it("nothing went wrong on the page along the way", () => {
    expect(watch.pageErrors).toEqual([]);
    // While the preview was stopped, the page's reconnection attempts were refused: expected, and the only errors.
    expect(watch.consoleErrors.filter((e) => !e.includes("ERR_CONNECTION_REFUSED"))).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
  });
});

describe("a published page never connects to a preview", () => {
  it("the built site has no live channel and no hot client", async () => {
    const out = mkdtempSync(join(tmpdir(), "lectern-published-"));
    try {
      const result = await build({root: ROOT, out: join(out, "site")});
      expect(result.ok).toBe(true);
      const files = readdirSync(join(out, "site"), {recursive: true, encoding: "utf8"}).filter((f) => /\.(html|js)$/.test(f));
      expect(files.length).toBeGreaterThan(1);
      for (const f of files) {
        const text = readFileSync(join(out, "site", f), "utf8");
        expect(text, f).not.toContain("EventSource");
        expect(text, f).not.toContain("__lectern/events");
      }
      expect(existsSync(join(out, "site/index.html"))).toBe(true);
    } finally {
      rmSync(out, {recursive: true, force: true});
    }
  });
});
