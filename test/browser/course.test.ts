import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {spawn, type ChildProcess} from "node:child_process";
import type {Browser} from "playwright-core";
import {buildSite, launch, openPage, settle, pageProblems, ROOT, type Site} from "./harness.js";
import {compileCourse, lessonsOf} from "../../src/build/build.js";

let site: Site;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([buildSite(), launch()]);
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe("the real course, built and opened in Chromium", () => {
  const pages = ["", ...lessonsOf(compileCourse(ROOT).notebooks).map((l) => `${l.slug}/`)];

  it.each(pages)("page /%s loads with no console error, no rejected cell, nothing from another origin", async (path) => {
    const watch = await openPage(browser, site.url + path);
    await settle(watch.page, 60_000);
    expect(await pageProblems(watch)).toEqual([]);
    await watch.page.context().close();
  });

  it("the course home lists every lesson in order, and its demo cell answers its slider", async () => {
    const {page} = await openPage(browser, site.url);
    await settle(page);
    const listed = await page.$$eval(".lesson-cards a", (as) => as.map((a) => a.getAttribute("href")));
    expect(listed).toEqual(pages.slice(1));
    const text = () => page.$eval(".step", (s) => s.textContent ?? "");
    expect(await text()).toMatch(/20\s+parameters/);
    await page.$eval('[data-cell="demo"] input[type=range]', (el) => {
      (el as HTMLInputElement).value = "8";
      el.dispatchEvent(new Event("input", {bubbles: true}));
    });
    await page.waitForFunction(() => /32\s+parameters/.test(document.querySelector(".step")?.textContent ?? ""));
    await page.context().close();
  });

  it.each(pages)("page /%s is usable at phone width: the page itself never scrolls sideways", async (path) => {
    const {page} = await openPage(browser, site.url + path, {viewport: {width: 375, height: 800}});
    await settle(page, 60_000);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.context().close();
  });

  it("`npm start` builds, serves on localhost and prints the URL", async () => {
    const child: ChildProcess = spawn("npm", ["start", "--silent"], {cwd: ROOT, env: {...process.env, PORT: "4173"}, stdio: ["ignore", "pipe", "pipe"], detached: true});
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 60_000);
        child.stdout!.on("data", (d) => {
          out += d;
          const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) clearTimeout(timer), resolve(m[1]);
        });
        child.on("exit", (code) => reject(new Error(`npm start exited ${code}:\n${out}`)));
      });
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("<title>Generative AI: autoencoders</title>");
    } finally {
      process.kill(-child.pid!, "SIGTERM");
    }
  });
});
